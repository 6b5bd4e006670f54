"""Remove personal data before a case is published (公开): the person's name and any phone number, ID number,
e-mail address, WeChat/QQ id, plate number or house number in the text. What remains describes the problem,
not the people.

People write numbers every way a phone keyboard allows, so the patterns run over a copy of the text in which
full-width digits and letters (１３９…, ＱＱ) are ASCII, and they allow a space or a dash between any two digits
(139 1234 5678, 139-1234-5678) and the country code (86, +86, 0086, (+86)). The copy has the same length as the
text, character for character, so a span found in the copy is cut from the text itself: nothing else changes.

Addresses keep the street and lose the numbers: 永安街160号3单元501室 → 永安街[门牌号已隐去]. A road, a village or
a market says where the problem is; the door says who wrote.
"""

import re

from lianxin.cases.models import Case

# Full-width digits, Latin letters and the signs that belong to numbers and addresses, one to one.
_HALF_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(ord("a") + i) for i in range(26)},
        "＋": "+",
        "－": "-",
        "＠": "@",
        "．": ".",
        "＿": "_",
    }
)

_FULL_WIDTH = re.compile("[" + "".join(chr(c) for c in _HALF_WIDTH) + "]")

SEP = r"[\s\-‐‑–—]?"  # at most one space or dash between two digits
COUNTRY = r"[(（]?(?:\+|00)?86[)）]?" + SEP  # 86, +86, 0086, (+86)


def _digits(count: int) -> str:
    return "".join(SEP + r"\d" for _ in range(count))


PHONE, ID_NUMBER, EMAIL, ACCOUNT, PLATE, HOUSE, NUMBER = (
    "[电话已隐去]",
    "[身份证号已隐去]",
    "[邮箱已隐去]",
    "[账号已隐去]",
    "[车牌号已隐去]",
    "[门牌号已隐去]",
    "[号码已隐去]",
)

# Places in an address after which a number is a door: 永安街160号, 曹古组3号, 药材市场16号.
_ADDRESS_END = "路街巷弄道村组里坊苑园庭城府湾院场厦寓区"
_NUM = r"\d+(?:\s*[-—之]\s*\d+)*"
_NOT_A_ROOM = r"(?![\d.年月日时点元万千百岁人个次天号栋幢层户米])"  # 2019年, 13000元, 97.5平米 are not rooms
_ROOM = r"(?:\d+\s*(?:室|房|号(?![线文令码]))|\d{3,4}" + _NOT_A_ROOM + ")"
_BUILDING = r"\d+\s*(?:号楼|栋|幢|座)\s*"
_ENTRANCE = r"\d+\s*单元\s*(?:\d+\s*(?:层|楼)\s*)?"
_MORE = r"(?:\s*" + _NUM + r"\s*(?:号楼|号院|号(?![线文令码])|栋|幢|座|单元|楼|层|室|户|房))*"
# A building alone (7栋电梯坏了) is shared by dozens of households and says where the problem is; a door is one
# household: a number after a street, or a run that reaches an entrance or a room (54栋1003, 3单元501室, 501室,
# 3-2-501室). "3户人家", "2室1厅" and "3座桥" are not doors.
_DOOR = (
    r"(?:" + _BUILDING + r"(?:" + _ENTRANCE + _ROOM + r"?|" + _ROOM + r")"
    r"|" + _ENTRANCE + _ROOM + r"|\d{3,4}\s*室|\d{1,3}(?:\s*[-—]\s*\d+){1,2}\s*(?:室|号))"
)

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), EMAIL),
    # 18 digits (the last may be X), in groups or not; then the old 15-digit numbers.
    (re.compile(r"(?<!\d)[1-9]" + _digits(16) + SEP + r"[\dXx](?!\d)"), ID_NUMBER),
    (re.compile(r"(?<![\d.])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![\d.])"), ID_NUMBER),
    # Mobile numbers, with or without the country code; also a mobile already half masked (139****5678).
    (re.compile(r"(?<![\d+])(?:" + COUNTRY + r")?1[3-9]" + _digits(9) + r"(?!\d)"), PHONE),
    (re.compile(r"(?<!\d)1[3-9]\d[*＊xX]{4}\d{4}(?!\d)"), PHONE),
    # Landlines with an area code: 0572-8012345, (0572)8012345, 0572 801 2345, +86 572 8012345, with 转 extension.
    (
        re.compile(
            r"(?<![\d+])(?:"
            + COUNTRY
            + r"(?:[(（]0?[1-9]\d{1,2}[)）]|0?[1-9]\d{1,2})|[(（]0[1-9]\d{1,2}[)）]|0[1-9]\d{1,2})"
            + SEP
            + r"[2-9]\d{2,3}"
            + SEP
            + r"\d{4}(?:\s*(?:-|转|分机|ext\.?)\s*\d{1,6})?(?!\d)"
        ),
        PHONE,
    ),
    # Any other long run of digits (a bank card, a social security number).
    (re.compile(r"(?<![\d.])\d{15,}(?![\d.])"), NUMBER),
    # Ids that are ids only because they are labelled: 微信号：wxid_abc123, QQ 123456789.
    (
        re.compile(
            r"((?:微信|weixin|wechat|WeChat|Wechat|VX|vx|QQ|qq|Qq|扣扣)\s*号?码?\s*[：:是为]?\s*)"
            r"[A-Za-z][A-Za-z0-9_-]{4,19}(?![A-Za-z0-9_-])"
        ),
        r"\1" + ACCOUNT,
    ),
    (re.compile(r"((?:QQ|qq|Qq|扣扣)\s*号?码?\s*[：:是为]?\s*)[1-9]\d{4,11}(?!\d)"), r"\1" + ACCOUNT),
    # A plate: province, a letter, five or six letters and digits (new-energy plates have six).
    (
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]"
            r"[\s·.\-]?[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警]{1,2}(?![A-Za-z0-9])"
        ),
        PLATE,
    ),
    # Doors: after a street-like word any number with a unit (永安街160号3单元501室), elsewhere a run that
    # starts like a door (see _DOOR).
    (
        re.compile(
            r"(?<=["
            + _ADDRESS_END
            + r"])\s*"
            + _NUM
            + r"\s*(?:号院|号楼|号(?![线文令码]))"
            + _MORE
            + r"(?:\d{2,4}"
            + _NOT_A_ROOM
            + ")?"
        ),
        HOUSE,
    ),
    (re.compile(r"(?<![\d.A-Za-z])" + _DOOR + _MORE), HOUSE),
    # Whatever number follows a label that says it is a phone or an ID (电话：8012345, 身份证号 33052119…).
    (
        re.compile(
            r"((?:电话|手机|手机号|联系方式|座机|tel|Tel|TEL|身份证|证件)号?码?\s*[：:是为]?\s*)"
            r"\d(?:[\s\-]?[\d*]){5,}[Xx]?(?![\d年月日号元])"
        ),
        r"\1" + NUMBER,
    ),
    # A name that follows a label: 联系人：张伟.
    (
        re.compile(r"((?:联系人|反映人|投诉人|举报人|控告人|申请人|姓名)\s*[：:]\s*)[\u4e00-\u9fff·]{2,4}"),
        r"\1某某",
    ),
]


def redact(text: str, case: Case | None = None) -> str:
    """The text with personal data replaced by [电话已隐去] and the like; the case's own person becomes 反映人."""
    if case is not None and len(case.person_name.strip()) >= 2:
        text = text.replace(case.person_name.strip(), "反映人")
    for pattern, replacement in PATTERNS:
        text = _substitute(pattern, replacement, text)
    return text


def _substitute(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """pattern.sub on the half-width copy, applied to the text: characters outside the matches stay as written."""
    if not _FULL_WIDTH.search(text):
        return pattern.sub(replacement, text)
    folded = text.translate(_HALF_WIDTH)
    out: list[str] = []
    end = 0
    for match in pattern.finditer(folded):
        out.append(text[end : match.start()])
        out.append(match.expand(replacement))
        end = match.end()
    out.append(text[end:])
    return "".join(out)
