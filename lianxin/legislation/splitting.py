"""A draft's text split into 编/章/节/条 by its Chinese headings (第一章 总则, 第一节 …, 第一条 …, 第一百零二条).

Pure functions, no database: the office shows what `split_text` found for the staff to confirm before anything is
written, and `draft_create` writes the same nodes. The lines of an article after its first are its paragraphs
(款); a table of contents (目录) before the text is recognised by its headings repeating and dropped.
"""

import re
from dataclasses import dataclass, field
from typing import IO

from lianxin.core.errors import DomainError

MAX_TEXT = 200_000
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = r"[零〇一二三四五六七八九十百千两0-9０-９]+"
HEADING = re.compile(rf"^第({NUMERAL})([编章节条])(?:之({NUMERAL}))?(?:[\s\u3000]+|$|(?=[【（(]))(.*)$")
LEVELS = {"编": "part", "章": "chapter", "节": "section", "条": "article"}
RANK = {"part": 0, "chapter": 1, "section": 2, "article": 3}
SPACES = re.compile(r"[\s\u3000]+")


def chinese_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十 → 20, 一百零二 → 102, 一千零一 → 1001; ASCII and full-width digits as they are."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


@dataclass
class Node:
    level: str  # part, chapter, section, article (SectionLevel values)
    number: int
    label: str  # 第十一条
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    parent: int | None = None  # index of the parent node in the list

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Split:
    title: str
    preamble: str
    nodes: list[Node]
    warnings: list[str]

    @property
    def articles(self) -> list[Node]:
        return [n for n in self.nodes if n.level == "article"]

    def children(self, index: int | None) -> list[tuple[int, Node]]:
        return [(i, n) for i, n in enumerate(self.nodes) if n.parent == index]


def _clean_lines(text: str) -> list[str]:
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().strip("\u3000").strip()
        if line:
            lines.append(line)
    return lines


def split_text(text: str) -> Split:
    """The structure of a draft, or DomainError text_empty / text_too_long / no_article (field "text")."""
    if not (text or "").strip():
        raise DomainError("text_empty", "草案正文: 不能为空，请粘贴草案全文或上传 .docx 文件", field="text")
    if len(text) > MAX_TEXT:
        raise DomainError("text_too_long", f"草案正文: 不能超过{MAX_TEXT}字，现为{len(text)}字", field="text")
    lines = _clean_lines(text)
    nodes: list[Node] = []
    head: list[str] = []
    open_at: dict[str, int] = {}  # the latest node of each level above articles
    seen_article = False
    for line in lines:
        match = HEADING.match(line)
        if match is None:
            if nodes and nodes[-1].level == "article":
                nodes[-1].lines.append(line)
            elif nodes:
                nodes[-1].lines.append(line)  # text under a chapter heading before its first article (rare)
            elif not re.fullmatch(r"目\s*录", line):
                head.append(line)
            continue
        numeral, unit, sub, rest = match.groups()
        level = LEVELS[unit]
        try:
            number = chinese_number(numeral)
        except ValueError:
            (nodes[-1].lines if nodes else head).append(line)
            continue
        if level != "article" and not seen_article and any(n.level == level and n.number == number for n in nodes):
            # The same heading again before any article: what came before was a table of contents.
            nodes, open_at = [], {}
        label = f"第{numeral}{unit}" + (f"之{sub}" if sub else "")
        rest = rest.strip()
        if level == "article":
            seen_article = True
            heading = ""
            bracket = re.match(r"^[【\[]([^】\]]{1,40})[】\]]\s*(.*)$", rest)
            if bracket:
                heading, rest = bracket.group(1), bracket.group(2)
            node = Node(level=level, number=number, label=label, heading=heading, lines=[rest] if rest else [])
        else:
            node = Node(level=level, number=number, label=label, heading=SPACES.sub("", rest))  # 总　则 → 总则
        rank = RANK[level]
        for upper in ("section", "chapter", "part"):
            if RANK[upper] < rank and upper in open_at:
                node.parent = open_at[upper]
                break
        if level != "article":
            for lower in [k for k in open_at if RANK[k] >= rank]:
                del open_at[lower]
            open_at[level] = len(nodes)
        nodes.append(node)
    split = Split(
        title=head[0] if head else "", preamble="\n".join(head[1:]), nodes=nodes, warnings=_numbering_warnings(nodes)
    )
    if not split.articles:
        raise DomainError(
            "no_article", "未识别到任何条文：请确认正文按“第一条”“第二条”……分条，每条另起一行", field="text"
        )
    for article in split.articles:
        if not article.text:
            split.warnings.append(f"{article.label}没有正文")
    return split


def _numbering_warnings(nodes: list[Node]) -> list[str]:
    """Articles numbered through the whole text, chapters through the text, sections within a chapter: a gap or a
    repeat is shown to the staff before they confirm (a heading broken across lines, a typo)."""
    warnings = []
    expected: dict[tuple[str, int | None], int] = {}
    for node in nodes:
        if "之" in node.label:
            continue
        scope = node.parent if node.level == "section" else None
        key = (node.level, scope)
        want = expected.get(key, 1)
        if node.number != want:
            warnings.append(f"{node.label}：编号不连续，此处应为第{want}{_unit(node.level)}")
        expected[key] = node.number + 1
    return warnings


def _unit(level: str) -> str:
    return {v: k for k, v in LEVELS.items()}[level]


def docx_text(file: IO[bytes]) -> str:
    """The paragraphs of a Word (.docx) file, one a line; DomainError docx_invalid for anything else."""
    import zipfile

    from docx import Document  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(file)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DomainError(
            "docx_invalid", "文件无法读取：请上传 Word 2007 及以上的 .docx 文件（.doc 请先另存为 .docx）", field="file"
        ) from error
    return "\n".join(p.text for p in document.paragraphs)
