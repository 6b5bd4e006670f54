"""Redaction before publishing, on a table of the ways people really write their numbers and addresses.

The sentences come from citizens' messages in ../shared/data/govmsg/messages.csv (whose numbers the source masked
as 0000-00000000 or *****); here the masks are filled with numbers of the same shape, and each row says what must
disappear and what must stay.
"""

import csv
import itertools

import pytest

from lianxin.cases.models import Case
from lianxin.cases.redaction import redact

ID = "330521197005122311"

# (text, what must not survive, what must survive)
LEAKS = [
    # Mobile numbers: full-width, spaced, dashed, with 86 / +86 / 0086 / (+86), half masked.
    ("伤者电话１３９１２３４５６７８。", "１３９１２３４５６７８", "伤者电话"),
    ("我的手机139 1234 5678，请回电", "139 1234 5678", "请回电"),
    ("联系电话：139-1234-5678", "139-1234-5678", "联系电话"),
    ("请拨打+86 139 1234 5678联系我", "139 1234 5678", "联系我"),
    ("电话+8613912345678", "13912345678", "电话"),
    ("手机0086-139-1234-5678，谢谢", "1234-5678", "谢谢"),
    ("（+86）13912345678 李先生", "13912345678", "李先生"),
    ("86 139 1234 5678", "1234 5678", ""),
    ("电话１３９ １２３４ ５６７８", "５６７８", "电话"),
    ("手机号139****5678，我打了田老板电话", "5678", "田老板"),
    # Landlines with area codes.
    ("奉义办公室电话：0736-7817369，今天也咨询过他", "7817369", "今天也咨询过他"),
    ("贵司K1区项目部（0746-6233856）联系时却没有人接", "6233856", "联系时却没有人接"),
    ("座机（0572）8012345", "8012345", "座机"),
    ("路32号,电话：0746—6222903 K市妇幼保健医院", "6222903", "K市妇幼保健医院"),
    ("社保站电话07308951096", "8951096", "社保站电话"),
    ("0572 801 2345转123", "2345", ""),
    ("办公电话：8760523。法定代表人", "8760523", "法定代表人"),
    # ID numbers: whole, in groups, with X, labelled, and the old 15 digits.
    (f"蒙泉镇中午通村，身份证号码：{ID}", ID, "蒙泉镇中午通村"),
    ("身份证号 330521 19700512 2311 请核实", "2311", "请核实"),
    ("身份证：3305 2119 8203 0324 2X", "2X", "身份证"),
    ("身份证号３３０５２１１９７００５１２２３１１", "２３１１", "身份证号"),
    ("老身份证330521700512231", "330521700512231", "老身份证"),
    # Houses and rooms: the street stays, the numbers go.
    ("我家住永安街160号3单元501室，楼上漏水", "160号", "永安街"),
    ("D市D4区华新街道青峰街51号2单元室波投诉", "51号", "青峰街"),
    ("我是涟水名城54栋1003的业主，户型是带阁楼的", "1003", "涟水名城"),
    ("8月12日下午，54栋1103业主刘英再看了房子", "1103", "8月12日下午"),
    ("吉永，住药材市场16栋1号，联系电话0731-84512345", "16栋1号", "药材市场"),
    ("湖乡凌塘村友谊组23号 身份证：", "23号", "友谊组"),
    ("月湖二期9栋3单元201室常住三人", "201室", "月湖二期"),
    ("路大学里逸城花苑5号楼2单元010202号房业主", "010202", "逸城花苑"),
    ("楼上3-2-501室每晚装修", "501", "每晚装修"),
    ("我住２３０１室", "２３０１", "我住"),
    # E-mail, WeChat and QQ ids when labelled, plates.
    ("我的邮箱是 zhang.san_88@qq.com，盼复", "zhang.san_88", "盼复"),
    ("邮箱：ｌｉｓｉ＠１６３．ｃｏｍ", "ｌｉｓｉ", "邮箱"),
    ("新桥傅泽岳微信：wxid_k2m9x0", "wxid_k2m9x0", "傅泽岳"),
    ("加我微信号 zhangsan1988 详谈", "zhangsan1988", "详谈"),
    ("等我的电话，ｑｑ３０７６５４３２１，九月十五号之前", "３０７６５４３２１", "九月十五号之前"),
    ("QQ号是123456789", "123456789", "QQ"),
    ("车牌浙E12345的车天天堵在门口", "E12345", "天天堵在门口"),
    ("新能源车浙E·D12345乱停", "D12345", "乱停"),
    ("私家车 苏A 8B2C9 占用消防通道", "8B2C9", "占用消防通道"),
    # Names after a label; bank cards and other long numbers.
    ("此呈 申请人：唐凤辉 电话，谢谢", "唐凤辉", "此呈"),
    ("负责人：宋经理，联系人：李云", "李云", "负责人"),
    ("补贴打到我的银行卡6222021234567890123", "6222021234567890123", "银行卡"),
]

# Numbers that are not personal data stay as written.
KEEP = [
    "2020年3月5号下午三点，共花费13000元",
    "小区有3户人家，2室1厅，附近有3座桥",
    "坐地铁3号线，拨打12345热线也无人处理",
    "小区7栋电梯频频出故障，13栋37栋97.5平米",
    "2019年12月31日前完成，投资100 200 3000元",
    "根据楚政函〔2013〕15号文件",
    "依据楚政涵[2010-54号]文件",
    "路灯坏了3盏，1.5公里路段没有照明",
    "长安奔奔、希瑞QQ，摩托车五花八门",
    "８月１２日上午１０点",
]


@pytest.mark.parametrize(("text", "secret", "kept"), LEAKS, ids=[row[0][:16] for row in LEAKS])
def test_redaction_removes_the_personal_number_and_keeps_the_rest(text, secret, kept):
    out = redact(text)
    assert secret not in out
    assert kept in out
    assert "已隐去" in out or "某某" in out


@pytest.mark.parametrize("text", KEEP)
def test_redaction_leaves_dates_amounts_counts_lines_and_buildings_alone(text):
    assert redact(text) == text


def test_an_address_keeps_the_street_and_drops_the_door():
    assert redact("住永安街160号3单元501室") == "住永安街[门牌号已隐去]"


def test_full_width_text_around_a_number_is_left_as_written():
    assert redact("（电话：１３９１２３４５６７８）２０２４年") == "（电话：[电话已隐去]）２０２４年"


def test_the_persons_own_name_becomes_the_word_for_the_person():
    case = Case(person_name="王秀英")
    assert redact("王秀英反映路灯不亮，王秀英电话13957211234", case) == "反映人反映路灯不亮，反映人电话[电话已隐去]"


# A contact written each way people write it, dropped into real messages.
CONTACTS = [
    "13957211234",
    "１３９５７２１１２３４",
    "139 5721 1234",
    "139-5721-1234",
    "+86 139 5721 1234",
    "0086-13957211234",
    "0572-8012345",
    "（0572）8012345",
    "330521 19700512 2311",
    "3305 2119 7005 1223 11",
    "永安街160号3单元501室",
    "wang.xiuying@example.com",
]


def test_a_contact_dropped_into_real_messages_is_always_removed(shared_data):
    with open(shared_data / "govmsg" / "messages.csv", encoding="utf-8") as handle:
        messages = [row["留言详情"] for row in itertools.islice(csv.DictReader(handle), 240)]
    for message, contact in zip(messages, itertools.cycle(CONTACTS), strict=False):
        middle = len(message) // 2
        for text in (
            f"{contact} {message}",
            f"{message[:middle]}联系方式{contact}，{message[middle:]}",
            f"{message}电话{contact}",
        ):
            out = redact(text)
            assert contact not in out and "已隐去" in out, text
