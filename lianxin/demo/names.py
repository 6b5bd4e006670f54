"""Names, numbers and job titles for the demo county: realistic, deterministic given a `random.Random`.

Everything here is pure: no database. The surname weights lean towards northern Zhejiang (沈, 姚, 钱, 陆,
朱 and 费 are far more common in 湖州 than nationally); given names follow the fashion of the decade of birth.
"""

import datetime
import random
import unicodedata
from collections.abc import Iterable, Sequence

# (surname, relative weight). Roughly the 湖州 distribution, not the national one.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("沈", 6.5), ("王", 5.0), ("陈", 4.8), ("张", 4.2), ("徐", 3.6), ("朱", 3.5), ("吴", 3.4), ("李", 3.3),
    ("姚", 3.0), ("钱", 2.9), ("陆", 2.8), ("杨", 2.4), ("周", 2.4), ("金", 2.3), ("胡", 2.0), ("孙", 1.9),
    ("刘", 1.9), ("施", 1.6), ("费", 1.5), ("潘", 1.5), ("蔡", 1.4), ("俞", 1.3), ("莫", 1.2), ("顾", 1.2),
    ("范", 1.1), ("邱", 1.0), ("闵", 1.0), ("褚", 0.9), ("严", 0.9), ("章", 0.9), ("冯", 0.9), ("郑", 0.9),
    ("黄", 0.9), ("赵", 0.9), ("马", 0.8), ("高", 0.8), ("何", 0.8), ("郭", 0.7), ("林", 0.7), ("方", 0.7),
    ("汪", 0.7), ("许", 0.7), ("叶", 0.7), ("丁", 0.6), ("宋", 0.6), ("唐", 0.6), ("谢", 0.6), ("戴", 0.6),
    ("凌", 0.6), ("邵", 0.6), ("吕", 0.5), ("夏", 0.5), ("倪", 0.5), ("钟", 0.5), ("谈", 0.5), ("杭", 0.4),
    ("屠", 0.4), ("宣", 0.4), ("韩", 0.4), ("程", 0.4), ("傅", 0.4), ("卢", 0.4), ("姜", 0.4), ("任", 0.4),
    ("欧阳", 0.1), ("司马", 0.05),
)  # fmt: skip

# Characters of given names, by sex and by whether the person was born before 1978.
_GIVEN = {
    ("male", "older"): "建国华明强军平伟林荣新文德忠志春根福兴宏卫庆良水金祥生法中海松永立民荣富发根泉宝利昌勇",
    ("male", "younger"): "杰斌勇刚峰涛辉浩宇晨磊鑫昊凯鹏东毅飞阳亮超俊锋斌军健强明伟波杰翔骏豪晓伦哲睿成",
    ("female", "older"): "芳丽英华红燕霞娟萍琴敏玲梅兰秀芬凤珍美娣月仙琴莲菊宝妹素惠玉云春",
    ("female", "younger"): "婷雪莉佳怡婧颖倩琳蓉洁莹慧晓丹燕静敏萍璐瑶蕾欣妍媛雯露琪薇晶丽",
}

ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 96.5),
    ("畲族", 1.5),
    ("回族", 0.8),
    ("满族", 0.5),
    ("土家族", 0.4),
    ("苗族", 0.3),
)

POLITICAL: tuple[tuple[str, float], ...] = (
    ("中共党员", 68),
    ("群众", 18),
    ("民盟盟员", 3),
    ("民建会员", 3),
    ("九三学社社员", 2),
    ("农工党党员", 2),
    ("民进会员", 2),
    ("致公党党员", 1),
    ("无党派人士", 1),
)

# The professional groups of the county congress: also the vocabulary of Deputy.specialties.
SPECIALTIES = ("法制", "财政经济", "农业农村", "教育科技文化卫生", "城建环保", "社会建设", "民族宗教侨务", "华侨外事")

# Occupation → (specialties it brings, employer template, education choices).
# Templates use {town}, {village}, {company}, {hospital}, {school}, {coop}, {homestay}, {bureau}, {firm}.
OCCUPATIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "村党组织书记": (("农业农村", "社会建设"), "{town}{village}党总支书记", ("大专", "高中", "大学本科")),
    "村委会主任": (("农业农村", "社会建设"), "{town}{village}村委会主任", ("高中", "大专", "初中")),
    "社区党组织书记": (("社会建设", "城建环保"), "{town}{village}党委书记", ("大学本科", "大专")),
    "社区工作者": (("社会建设",), "{town}{village}居委会社区工作者", ("大学本科", "大专")),
    "企业负责人": (("财政经济", "城建环保"), "{company}董事长", ("大学本科", "研究生", "大专")),
    "企业职工": (("财政经济", "社会建设"), "{company}车间主任", ("大专", "高中", "中专")),
    "教师": (("教育科技文化卫生",), "{school}教师", ("大学本科", "研究生")),
    "医生": (("教育科技文化卫生",), "{hospital}主任医师", ("大学本科", "研究生")),
    "农民": (("农业农村",), "{town}{village}村民", ("初中", "高中", "中专")),
    "个体工商户": (("财政经济",), "{town}个体工商户", ("高中", "初中", "大专")),
    "律师": (("法制",), "{firm}律师", ("大学本科", "研究生")),
    "机关干部": (("法制", "财政经济", "城建环保"), "{bureau}", ("大学本科", "研究生")),
    "农业合作社负责人": (("农业农村", "财政经济"), "{coop}理事长", ("大专", "高中", "大学本科")),
    "民宿经营者": (("农业农村", "华侨外事"), "{homestay}负责人", ("大专", "大学本科")),
    "外贸企业负责人": (("华侨外事", "财政经济"), "{company}总经理", ("大学本科", "研究生")),
    "侨联工作者": (("民族宗教侨务", "华侨外事"), "德清县侨联{town}侨联分会会长", ("大学本科", "大专")),
}

# Occupation weights by mandate level: upper levels are cadres, managers and professionals; township
# deputies are mostly village cadres, farmers and people running small businesses.
OCCUPATION_WEIGHTS: dict[str, dict[str, float]] = {
    "province": {"机关干部": 5, "企业负责人": 4, "医生": 1, "教师": 1, "农业合作社负责人": 1, "外贸企业负责人": 1},
    "city": {
        "机关干部": 10, "企业负责人": 12, "医生": 4, "教师": 4, "律师": 2, "农业合作社负责人": 3,
        "村党组织书记": 4, "社区党组织书记": 3, "外贸企业负责人": 2, "民宿经营者": 1,
    },
    "county": {
        "村党组织书记": 40, "社区党组织书记": 16, "企业负责人": 40, "企业职工": 12, "机关干部": 30, "教师": 14,
        "医生": 12, "律师": 5, "农民": 15, "个体工商户": 12, "社区工作者": 8, "农业合作社负责人": 12,
        "民宿经营者": 6, "外贸企业负责人": 5, "侨联工作者": 2,
    },
    "township": {
        "村党组织书记": 30, "村委会主任": 40, "社区党组织书记": 10, "社区工作者": 20, "企业负责人": 40,
        "企业职工": 50, "教师": 25, "医生": 20, "农民": 110, "个体工商户": 60, "机关干部": 25,
        "农业合作社负责人": 30, "民宿经营者": 12, "律师": 3,
    },
}  # fmt: skip

COMPANY_WORDS = (
    "华宇", "金诚", "恒达", "永兴", "绿源", "科达", "新力", "英溪", "德华", "天佑",
    "鸿运", "康泰", "盛世", "东升", "立信", "宏达", "嘉晟", "瑞丰", "博远", "欧诗",
)  # fmt: skip
# Industries that the towns of 德清 are known for: 洛舍's pianos, 新市's textiles, 莫干山's homestays, …
TOWN_INDUSTRIES = {
    "武康街道": ("地理信息", "生物医药", "电子科技"),
    "舞阳街道": ("竹木制品", "新材料", "机械"),
    "阜溪街道": ("地理信息", "智能装备", "新材料"),
    "下渚湖街道": ("生态农业", "文旅", "水产"),
    "康乾街道": ("智能装备", "汽车零部件", "新能源"),
    "乾元镇": ("装饰材料", "机械", "食品"),
    "新市镇": ("纺织", "丝绸", "食品"),
    "洛舍镇": ("钢琴", "木业", "乐器"),
    "钟管镇": ("化工", "机械", "纺织"),
    "雷甸镇": ("水产", "五金", "电器"),
    "禹越镇": ("电机", "纺织", "五金"),
    "新安镇": ("建材", "水产", "机械"),
    "莫干山镇": ("文旅", "竹制品", "茶业"),
}
BUREAUS = (
    "德清县发展和改革局副局长", "德清县教育局副局长", "德清县财政局副局长", "德清县自然资源和规划局副局长",
    "德清县农业农村局副局长", "德清县住房和城乡建设局副局长", "德清县民政局副局长", "德清县司法局副局长",
    "德清县卫生健康局副局长", "德清县交通运输局副局长", "中共{town}委员会副书记", "{town}人民政府副镇长",
    "{town}人大主席团专职副主席", "德清县人民检察院检察官", "德清县人民法院审判员",
)  # fmt: skip
LAW_FIRMS = ("浙江英溪律师事务所", "浙江德清天平律师事务所", "浙江莫干律师事务所", "浙江武康律师事务所")

TOWN_ROADS = {
    "武康街道": ("永安街", "英溪路", "北湖街", "千秋街", "武源街", "春晖街", "中兴路"),
    "舞阳街道": ("塔山街", "上柏路", "舞阳路", "双燕路"),
    "阜溪街道": ("长虹街", "兴康路", "科源路", "云岫路"),
    "下渚湖街道": ("下渚湖路", "二都路", "封愚路"),
    "康乾街道": ("康乾路", "秋山路", "联合路"),
    "乾元镇": ("直街", "溪街", "北郊路", "城关路"),
    "新市镇": ("仙潭路", "西河口", "新市大道", "寺前路"),
    "洛舍镇": ("钢琴路", "洛舍大街", "漾滨路"),
    "钟管镇": ("钟管大街", "南湖路", "曲溪路"),
    "雷甸镇": ("雷甸大街", "中兴路", "杨墩路"),
    "禹越镇": ("禹越大街", "三林路", "杭浙路"),
    "新安镇": ("新安大街", "舍南路", "百富兜路"),
    "莫干山镇": ("庾村路", "莫干山路", "筏头街", "劳岭路"),
}


def weighted_choice(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def person_name(rng: random.Random, *, sex: str, birth_year: int) -> str:
    """A plausible name: surname plus one character (about one in five) or two."""
    surname = weighted_choice(rng, SURNAMES)
    pool = _GIVEN[(sex, "older" if birth_year < 1978 else "younger")]
    if rng.random() < 0.2:
        return surname + rng.choice(pool)
    first, second = rng.choice(pool), rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return surname + first + second


def unique_person_name(rng: random.Random, *, sex: str, birth_year: int, taken: set[str]) -> str:
    """A name not in `taken` (tries a few times, then accepts a duplicate: real towns have namesakes)."""
    name = person_name(rng, sex=sex, birth_year=birth_year)
    for _ in range(30):
        if name not in taken:
            break
        name = person_name(rng, sex=sex, birth_year=birth_year)
    taken.add(name)
    return name


_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random, *, prefix: str, birth: datetime.date, sex: str, taken: set[str]) -> str:
    """A valid 18-digit ID number: region prefix, birth date, sequence (odd digit for men), check character."""
    while True:
        sequence = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "male" else (0, 2, 4, 6, 8))
        first17 = f"{prefix}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + id_check_character(first17)
        if number not in taken:
            taken.add(number)
            return number


MOBILE_PREFIXES = tuple(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "157", "158", "159"]
    + [f"18{d}" for d in range(10)]
)


def mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def landline(rng: random.Random) -> str:
    """A 德清 landline: area code 0572, eight digits starting 8."""
    return f"0572-8{rng.randrange(10**7):07d}"


def birth_date(rng: random.Random, first_year: int = 1960, last_year: int = 1995) -> datetime.date:
    start = datetime.date(first_year, 1, 1).toordinal()
    end = datetime.date(last_year, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def company_name(rng: random.Random, town: str) -> str:
    industry = rng.choice(TOWN_INDUSTRIES.get(town, ("机械", "新材料")))
    return f"德清{rng.choice(COMPANY_WORDS)}{industry}有限公司"


def employer_text(rng: random.Random, occupation: str, *, town: str, village: str) -> str:
    template = OCCUPATIONS[occupation][1]
    short_town = town.removesuffix("街道").removesuffix("镇")
    values = {
        "town": town,
        "village": village,
        "company": company_name(rng, town),
        "school": rng.choice(
            (f"德清县{short_town}中心学校", f"德清县{short_town}幼儿园", "德清县第一中学", "德清县高级中学")
        ),
        "hospital": rng.choice(("德清县人民医院", "德清县中医院", f"德清县{short_town}卫生院", "德清县妇幼保健院")),
        "coop": f"德清县{village.removesuffix('村').removesuffix('社区')}{rng.choice(('果蔬', '水产', '茶叶', '粮油', '湖羊'))}专业合作社",
        "homestay": f"{rng.choice(('云岫', '竹境', '山语', '溪隐', '半山', '清境'))}{rng.choice(('民宿', '山居', '小院'))}",
        "bureau": rng.choice(BUREAUS).format(town=town),
        "firm": rng.choice(LAW_FIRMS),
    }
    return template.format(**values)


def choose_occupation(rng: random.Random, level: str, *, community: bool, town: str) -> str:
    """An occupation for a deputy of `level` living in a village (or a community, when `community`)."""
    weights = dict(OCCUPATION_WEIGHTS[level])
    if community:
        for rural in ("村党组织书记", "村委会主任", "农民", "农业合作社负责人"):
            weights.pop(rural, None)
    else:
        for urban in ("社区党组织书记", "社区工作者"):
            weights.pop(urban, None)
    if town != "莫干山镇" and "民宿经营者" in weights:
        weights["民宿经营者"] /= 6  # 莫干山's homestays are famous; elsewhere they are rare
    return weighted_choice(rng, list(weights.items()))


def specialties_for(rng: random.Random, occupation: str, ethnicity: str) -> list[str]:
    """One or two specialties: the occupation's own, sometimes a second one; minorities bring 民族宗教侨务."""
    own = OCCUPATIONS[occupation][0]
    chosen = [own[0] if rng.random() < 0.7 else rng.choice(own)]
    if ethnicity != "汉族" and "民族宗教侨务" not in chosen:
        chosen.append("民族宗教侨务")
    elif rng.random() < 0.3:
        extra = rng.choice([s for s in SPECIALTIES if s not in chosen])
        chosen.append(extra)
    return chosen


def short_region_name(name: str) -> str:
    """居仁社区居委会 → 居仁社区, 城东村委会 → 城东村, 封愚居委会 → 封愚社区."""
    if name.endswith("社区居委会"):
        return name.removesuffix("居委会")
    if name.endswith("居委会"):
        return name.removesuffix("居委会") + "社区"
    if name.endswith("村委会"):
        return name.removesuffix("委会")
    return name


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (第十七届)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table(rows: Iterable[Sequence[str]]) -> list[str]:
    """Align columns of mixed Chinese and ASCII text."""
    rows = [list(r) for r in rows]
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
