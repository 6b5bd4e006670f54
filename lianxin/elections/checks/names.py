"""Names: what a well-formed name looks like, and when two names are the same name mistyped.

A clerk who types a name from a paper form or from dictation makes two kinds of mistake: a homophone
(张伟 → 张玮, picked from the input method's list by sound) and a character that looks alike (王己 → 王已,
read off bad handwriting). Homophones come from pypinyin's dictionary (toneless, every reading of a
polyphonic character); similar-looking characters from the hand-written table below, which lists the
confusions that occur in names. A pair of names can be matched in constant time once each name has been
reduced to a key: its toneless pinyin, or its characters mapped to one representative per look-alike group.
"""

import functools
import re
import unicodedata

# Groups of characters that are confused by sight. Groups that share a character are merged.
SIMILAR_LOOKING = """
己已巳 戊戌戍 未末 土士 王玉主 壬王 日曰 入人八 大太犬 天夭 千干于 刀力 午牛 申甲由田 贝见 乌鸟 兔免
折拆析 候侯 侍待持 晴睛 情请清 汩汨 历厉 崇祟 栗粟 冶治 洒酒 拔拨 辨辩辫瓣 密蜜 即既 幕暮墓慕募 徒徙
秉乘 茶荼 扬杨汤 晓哓 霞瑕 颖频 凤风 洁沽 浩诰 婷停 钧均 军车 华毕 彬杉 磊晶 淼森 勇甬 林材 妹姝味
旭旮 昊吴 晟晨 涛祷 泽译择 宇字 宏宋 梅海 恒桓 炎焱 静靖 珍诊 玲岭 兰岚 凯剀 锐悦 帅师 丹舟 冰水
春椿 芳苦 英荚 莉利 娜哪 琴芩 桂佳 祥详 福富 禄绿 贵责 喜善 建健键 永水 明朋 朋鹏 倩请 婧靖
燕熊 琼瑶 瑶遥 荣荥 蓉容 嘉喜 慧彗 惠患 子孑孓
"""

# A name: CJK characters, parts joined by the middle dot of ethnic-minority names (阿依古丽·买买提).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
NAME_RE = re.compile(f"[{_CJK}]+(?:·[{_CJK}]+)*")
# The same pattern in the syntax of Rust's regex crate, which polars uses.
_CJK_RUST = r"\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{3134F}"
NAME_PATTERN = f"^[{_CJK_RUST}]+(?:·[{_CJK_RUST}]+)*$"
# Dots people type instead of U+00B7: bullet, katakana middle dot, full stop, hyphenation point, dot operator.
WRONG_DOTS = "•・．.‧⋅∙"
MAX_NAME_LENGTH = 30


def name_problem(name: str) -> str | None:
    """Why `name` is not a well-formed name, or None. Latin letters, digits and stray spaces are the usual
    entry mistakes; a missing or doubled middle dot is one too."""
    if not name:
        return "姓名为空"
    if name != name.strip() or any(ch.isspace() for ch in name):
        return "姓名含空格"
    if any(ch.isdigit() for ch in name):
        return "姓名含数字"
    if any(ch.isascii() and ch.isalpha() for ch in name) or any(
        unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "") for ch in name
    ):
        return "姓名含拉丁字母"
    if any(ch in WRONG_DOTS for ch in name):
        return "姓名中的间隔号应为“·”"
    if len(name) > MAX_NAME_LENGTH:
        return f"姓名超过{MAX_NAME_LENGTH}个字"
    if NAME_RE.fullmatch(name) is None:
        return "姓名含其他符号或间隔号位置不对"
    if len(name) < 2:
        return "姓名只有一个字"
    return None


def _similar_groups() -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(ch: str) -> str:
        while parent.setdefault(ch, ch) != ch:
            ch = parent[ch]
        return ch

    for group in SIMILAR_LOOKING.split():
        chars = list(group)
        for ch in chars[1:]:
            parent[find(ch)] = find(chars[0])
    return {ch: find(ch) for ch in parent}


SHAPE_REPRESENTATIVE = _similar_groups()


@functools.cache
def char_readings(ch: str) -> frozenset[str]:
    """Every toneless reading of a character (单: dan, shan, chan); the character itself if it has none."""
    # pypinyin loads its phrase dictionary on import (over a second): only when a roll is checked, not on every
    # command's start (the elections admin imports this module).
    from pypinyin import Style, pinyin

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True)
    return frozenset(readings[0]) if readings else frozenset({ch})


@functools.cache
def char_pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def pinyin_key(name: str) -> str:
    """The toneless pinyin of a name, syllables joined by spaces: 张伟 and 张玮 both give "zhang wei"."""
    return " ".join(char_pinyin(ch) for ch in name if ch != "·")


def shape_key(name: str) -> str:
    """The name with each look-alike character replaced by its group's representative."""
    return "".join(SHAPE_REPRESENTATIVE.get(ch, ch) for ch in name)


def pinyin_keys(names: list[str]) -> list[str]:
    """`pinyin_key` of many names: one str.translate per name with a table built for the characters present
    (ten times faster than a generator per name, which matters for a city's hundreds of thousands of names)."""
    table: dict[int, str] = {ord(ch): char_pinyin(ch) + " " for ch in set("".join(names))}
    table[ord("·")] = ""
    return [name.translate(table).rstrip() for name in names]


def shape_keys(names: list[str]) -> list[str]:
    table = {ord(ch): rep for ch, rep in SHAPE_REPRESENTATIVE.items()}
    return [name.translate(table) for name in names]


def similar_looking(a: str, b: str) -> bool:
    return a != b and SHAPE_REPRESENTATIVE.get(a, a) == SHAPE_REPRESENTATIVE.get(b, b)


def homophones(a: str, b: str) -> bool:
    return a != b and bool(char_readings(a) & char_readings(b))


def name_relation(a: str, b: str) -> tuple[str, str]:
    """How two names relate: ("same" | "homophone" | "similar" | "one_char" | "differ", evidence).

    Names of different length differ (a dropped character is not one of the mistakes we match on)."""
    if a == b:
        return "same", "姓名相同"
    if len(a) != len(b):
        return "differ", f"姓名不同（{a}／{b}）"
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if all(homophones(x, y) for x, y in diffs):
        shown = "、".join(f"{x}/{y}" for x, y in diffs)
        return "homophone", f"姓名同音字（{shown}）"
    if all(similar_looking(x, y) or homophones(x, y) for x, y in diffs):
        shown = "、".join(f"{x}/{y}" for x, y in diffs)
        return "similar", f"姓名形近字（{shown}）"
    if len(diffs) == 1 and len(a) >= 3:
        return "one_char", f"姓名一字之差（{diffs[0][0]}/{diffs[0][1]}）"
    return "differ", f"姓名不同（{a}／{b}）"
