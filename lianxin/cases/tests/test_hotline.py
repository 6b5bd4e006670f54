import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lianxin.cases.hotline import hotline_import
from lianxin.cases.models import Case, CaseEvent, Channel, ReplyVia, Status, Urgency
from lianxin.core.errors import ImportRejected, PermissionDenied
from lianxin.notifications.models import Notification
from lianxin.regions.models import Region, RegionLevel
from lianxin.testing import xlsx_bytes

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
HEADERS = [
    "工单编号",
    "来电时间",
    "来电人",
    "联系电话",
    "诉求标题",
    "诉求内容",
    "问题类别",
    "所在乡镇/村社区",
    "地址",
    "紧急程度",
    "是否需要回复",
]


def order(number: str, **overrides) -> list:
    values = {
        "工单编号": number,
        "来电时间": "2024-03-05 09:30",
        "来电人": "王秀英",
        "联系电话": "13957211234",
        "诉求标题": "居仁路路灯不亮",
        "诉求内容": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全，请尽快维修。",
        "问题类别": "城乡建设",
        "所在乡镇/村社区": "武康街道/居仁社区",
        "地址": "居仁路12号附近",
        "紧急程度": "一般",
        "是否需要回复": "是",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def good_sheet() -> bytes:
    return xlsx_bytes(
        HEADERS,
        [
            order("ZJ12345-2403050001"),
            order(
                "ZJ12345-2403050002",
                来电时间=datetime.datetime(2024, 3, 5, 14, 5),
                诉求标题="城东村村道坑洼",
                问题类别="transport",
                **{"所在乡镇/村社区": "城东村"},
                紧急程度="紧急",
                是否需要回复="否",
                联系电话="",
                来电人="",
            ),
            order("ZJ12345-2403060003", **{"所在乡镇/村社区": "330521101000"}, 问题类别=""),
        ],
    )


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Notification.objects.count()


def test_a_good_sheet_registers_every_work_order_as_a_hotline_case(personas, regions):
    result = hotline_import(actor=personas.county_staff, file=good_sheet(), filename="工单.xlsx")

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    cases = {c.external_id: c for c in Case.objects.select_related("region", "category")}
    first = cases["ZJ12345-2403050001"]
    assert first.channel == Channel.HOTLINE and first.status == Status.REGISTERED
    assert first.registered_at == datetime.datetime(2024, 3, 5, 9, 30, tzinfo=SHANGHAI)
    assert first.region == regions.jueren and first.category.code == "urban-construction"
    assert (first.person_name, first.person_phone, first.reply_via) == ("王秀英", "13957211234", ReplyVia.PHONE)
    assert first.idempotency_key == "hotline:ZJ12345-2403050001" and first.created_by == personas.county_staff
    second = cases["ZJ12345-2403050002"]
    assert second.region == regions.chengdong and second.category.code == "transport"
    assert second.urgency == Urgency.URGENT and second.reply_via == ReplyVia.NONE
    third = cases["ZJ12345-2403060003"]
    assert third.region == regions.qianyuan and third.category is None
    assert CaseEvent.objects.filter(action="register").count() == 3
    # The caller who wants a reply hears the receipt code; the one who does not is not texted.
    assert Notification.objects.filter(case=first, recipient="13957211234").exists()
    assert not Notification.objects.filter(case=second).exists()


def test_importing_the_same_work_orders_again_changes_nothing(personas):
    hotline_import(actor=personas.county_staff, file=good_sheet(), filename="工单.xlsx")
    before = counts()
    snapshot = list(Case.objects.order_by("pk").values())

    result = hotline_import(actor=personas.county_staff, file=good_sheet(), filename="工单.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert counts() == before
    assert list(Case.objects.order_by("pk").values()) == snapshot


def test_a_bad_sheet_is_rejected_with_every_row_error_and_writes_nothing(personas, regions):
    # A second 城东村 in 武康街道 makes the bare name ambiguous.
    Region.objects.create(
        code="330521001099",
        name="城东村委会",
        level=RegionLevel.VILLAGE,
        parent=regions.wukang,
        path=f"{regions.wukang.path}330521001099/",
    )
    hotline_import(actor=personas.county_staff, file=xlsx_bytes(HEADERS, [order("OLD-1")]), filename="a.xlsx")
    before = counts()
    rows = [
        order("A-1"),  # row 2: fine
        order("A-2", 来电时间="昨天下午"),  # row 3
        order("A-3", 诉求内容=""),  # row 4
        order("A-4", 问题类别="水电"),  # row 5
        order("A-5", **{"所在乡镇/村社区": "城东村"}),  # row 6: ambiguous
        order("A-6", **{"所在乡镇/村社区": "安吉县"}),  # row 7: outside the county staff's scope
        order("A-1"),  # row 8: duplicate number
        order("A-8", 联系电话=""),  # row 9: wants a reply, no phone
        order("A-9", 来电时间="2999-01-01 08:00"),  # row 10: in the future
    ]

    with pytest.raises(ImportRejected) as info:
        hotline_import(actor=personas.county_staff, file=xlsx_bytes(HEADERS, rows), filename="bad.xlsx")

    messages = [str(error) for error in info.value.errors]
    assert "第5行 问题类别: “水电”不存在" in messages
    assert [error.row for error in info.value.errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert messages[0].startswith("第3行 来电时间: 时间格式应为")
    assert messages[1] == "第4行 诉求内容: 不能为空"
    assert "有多个同名区划" in messages[3] and "乾元镇城东村委会" in messages[3]
    assert messages[4] == "第7行 所在乡镇/村社区: “安吉县”不存在或不在您的管辖范围内"
    assert messages[5] == "第8行 工单编号: 与第2行重复"
    assert messages[6] == "第9行 联系电话: 需要回复时须填写联系电话"
    assert messages[7].startswith("第10行 来电时间: 不能晚于现在")
    assert counts() == before


def test_township_staff_cannot_import_a_work_order_outside_their_township(personas, regions):
    before = counts()
    rows = [order("T-1", **{"所在乡镇/村社区": "城东村"}), order("T-2", **{"所在乡镇/村社区": regions.chengdong.code})]

    with pytest.raises(ImportRejected) as info:
        hotline_import(actor=personas.township_staff, file=xlsx_bytes(HEADERS, rows), filename="t.xlsx")

    # Outside the scope answers exactly like a name or code that does not exist.
    assert [str(e) for e in info.value.errors] == [
        "第2行 所在乡镇/村社区: “城东村”不存在或不在您的管辖范围内",
        f"第3行 所在乡镇/村社区: 区划代码“{regions.chengdong.code}”不存在或不在您的管辖范围内",
    ]
    assert counts() == before
    result = hotline_import(actor=personas.township_staff, file=xlsx_bytes(HEADERS, [order("T-3")]), filename="t.xlsx")
    assert result.created == 1


def test_users_who_do_not_handle_cases_cannot_import_work_orders(personas):
    for user in (personas.deputy, personas.unit_handler, personas.no_role):
        with pytest.raises(PermissionDenied):
            hotline_import(actor=user, file=good_sheet(), filename="工单.xlsx")
    assert not Case.objects.exists()


def test_a_csv_export_of_work_orders_imports(personas, regions):
    lines = [",".join(HEADERS), ",".join(str(v) for v in order("CSV-1", 来电时间="2024/3/5 9:30:15"))]
    data = ("\n".join(lines) + "\n").encode("gb18030")

    result = hotline_import(actor=personas.county_staff, file=data, filename="工单.csv")

    assert result.created == 1
    case = Case.objects.get(external_id="CSV-1")
    assert case.registered_at == datetime.datetime(2024, 3, 5, 9, 30, 15, tzinfo=SHANGHAI)


def test_the_import_hotline_command_imports_and_reports_errors(personas, tmp_path):
    good = tmp_path / "工单.xlsx"
    good.write_bytes(good_sheet())
    out = StringIO()
    call_command("import_hotline", str(good), "--user", personas.county_staff.username, stdout=out)
    assert "新增 3 件工单" in out.getvalue()
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 3

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes(HEADERS, [order("B-1", 问题类别="水电")]))
    with pytest.raises(CommandError, match="第2行 问题类别: “水电”不存在"):
        call_command("import_hotline", str(bad), "--user", personas.county_staff.username, stdout=StringIO())


def test_an_urgent_work_order_is_registered_urgent_with_the_urgent_deadlines_and_no_change_after(personas, regions):
    from lianxin.cases.models import DeadlinePolicy

    DeadlinePolicy.objects.filter(category=None, urgency=Urgency.NORMAL).update(accept_days=2)
    DeadlinePolicy.objects.filter(category=None, urgency=Urgency.URGENT).update(accept_days=0)

    hotline_import(actor=personas.county_staff, file=good_sheet(), filename="工单.xlsx")

    urgent = Case.objects.get(external_id="ZJ12345-2403050002")
    normal = Case.objects.get(external_id="ZJ12345-2403050001")
    local = datetime.timezone(datetime.timedelta(hours=8))
    # 当天受理 for an urgent order: its acceptance deadline is the end of the day it was called in.
    assert urgent.accept_due.astimezone(local).date() == urgent.registered_at.astimezone(local).date()
    assert normal.accept_due.astimezone(local).date() > normal.registered_at.astimezone(local).date()
    # Registered as it is, in one step: its one event is the registration.
    assert list(CaseEvent.objects.filter(case=urgent).values_list("action", flat=True)) == ["register"]


def test_a_work_order_without_a_title_is_titled_by_its_contents_first_line(personas):
    rows = [order("T-1", 诉求标题="", 诉求内容="居仁路东段三盏路灯一个月没亮了\n请尽快维修。")]
    hotline_import(actor=personas.county_staff, file=xlsx_bytes(HEADERS, rows), filename="a.xlsx")
    assert Case.objects.get(external_id="T-1").title == "居仁路东段三盏路灯一个月没亮了"
