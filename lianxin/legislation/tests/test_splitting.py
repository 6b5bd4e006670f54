import io

import pytest
from docx import Document

from lianxin.core.errors import DomainError
from lianxin.legislation.splitting import chinese_number, docx_text, split_text


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十九", 29),
        ("一百", 100),
        ("一百零二", 102),
        ("一百一十", 110),
        ("一百二十三", 123),
        ("两百", 200),
        ("一千零一", 1001),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_numerals_read_up_to_hundreds(numeral, value):
    assert chinese_number(numeral) == value


def test_a_regulation_splits_into_chapters_sections_and_articles_with_their_paragraphs():
    text = """湖州市某某条例（草案）
第一章　总　　则
第一条　为了……，制定本条例。
第二条　本条例适用于本市。
本条例所称某某，是指……。
第二章　管理
第一节　一般规定
第三条【职责】 市人民政府负责……。
第二节　特别规定
第四条 ……
"""
    split = split_text(text)
    assert split.title == "湖州市某某条例（草案）"
    assert [(n.level, n.label, n.heading) for n in split.nodes] == [
        ("chapter", "第一章", "总则"),
        ("article", "第一条", ""),
        ("article", "第二条", ""),
        ("chapter", "第二章", "管理"),
        ("section", "第一节", "一般规定"),
        ("article", "第三条", "职责"),
        ("section", "第二节", "特别规定"),
        ("article", "第四条", ""),
    ]
    second = split.nodes[2]
    assert second.text == "本条例适用于本市。\n本条例所称某某，是指……。"  # 款 kept as lines
    assert split.nodes[second.parent].label == "第一章"
    third = split.nodes[5]
    assert split.nodes[third.parent].label == "第一节"
    assert split.nodes[split.nodes[third.parent].parent].label == "第二章"
    assert split.warnings == []


def test_long_laws_number_eleven_and_one_hundred_and_two():
    lines = [f"第{n}条 第{n}条的正文。" for n in _numerals(1, 110)]
    split = split_text("\n".join(lines))
    numbers = [a.number for a in split.articles]
    assert numbers == list(range(1, 111))
    assert split.articles[10].label == "第十一条"
    assert split.articles[101].label == "第一百零二条"
    assert split.articles[101].text == "第一百零二条的正文。"
    assert split.warnings == []


def _numerals(first, last):
    digits = "零一二三四五六七八九"
    out = []
    for n in range(first, last + 1):
        hundreds, rest = divmod(n, 100)
        tens, ones = divmod(rest, 10)
        text = ""
        if hundreds:
            text += digits[hundreds] + "百"
            if tens == 0 and ones:
                text += "零"
        if tens:
            text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
        if ones:
            text += digits[ones]
        out.append(text)
    return out


def test_a_national_law_with_parts_and_a_table_of_contents_drops_the_contents():
    text = """中华人民共和国某某法（草案）
目　　录
第一编　总则
第一章　一般规定
第二编　分则
第一编　总则
第一章　一般规定
第一条　为了……。
第二编　分则
第二章　具体规定
第二条　……。
"""
    split = split_text(text)
    assert [(n.level, n.label) for n in split.nodes] == [
        ("part", "第一编"),
        ("chapter", "第一章"),
        ("article", "第一条"),
        ("part", "第二编"),
        ("chapter", "第二章"),
        ("article", "第二条"),
    ]
    assert split.preamble == ""  # 目录 is not kept as a preamble
    assert split.nodes[4].parent == 3


def test_a_gap_in_the_numbering_is_reported_for_confirmation():
    split = split_text("第一条 甲\n第二条 乙\n第四条 丁")
    assert split.warnings == ["第四条：编号不连续，此处应为第3条"]


def test_an_empty_text_is_refused_with_its_own_code():
    with pytest.raises(DomainError) as caught:
        split_text("   \n ")
    assert (caught.value.code, caught.value.field) == ("text_empty", "text")


def test_a_text_without_articles_is_refused():
    with pytest.raises(DomainError) as caught:
        split_text("关于加强某某工作的意见\n一、总体要求\n二、主要任务")
    assert caught.value.code == "no_article"
    assert "第一条" in caught.value.message


def test_a_docx_is_read_paragraph_by_paragraph():
    document = Document()
    for line in ("某某条例（草案）", "第一章 总则", "第一条 为了……。", "第二条 ……。"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    split = split_text(docx_text(out))
    assert [a.label for a in split.articles] == ["第一条", "第二条"]


def test_a_file_that_is_not_a_docx_is_refused():
    with pytest.raises(DomainError) as caught:
        docx_text(io.BytesIO(b"%PDF-1.4 not a word file"))
    assert (caught.value.code, caught.value.field) == ("docx_invalid", "file")
