"""The monthly report: its figures are the statistics', its PDF prints Chinese, its workbook holds the same tables,
the worker makes it once on the first working day and tells the region's staff, and the command writes it.

The story (德清县, read in December 2025):
October 2025   o  居仁 online transport, answered on the spot
November 2025  a  居仁 online transport, transferred to 县交通运输局, replied, fed back, 满意
               b  城东 (乾元镇) hotline environment, answered on the spot
               c  居仁 hotline transport, transferred to a unit named like a formula, no reply (overdue)
               d  居仁 online, never accepted (overdue for acceptance)
November 2024  y  居仁 online, answered on the spot (the year before)
"""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pypdfium2 as pdfium
import pytest
import time_machine
from django.core.management import CommandError, call_command
from PIL import Image, ImageChops

from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category, Rating, ResponsibleUnit
from lianxin.cases.reports import case_statistics
from lianxin.cases.services import case_rate_as_citizen, case_register
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.insight.jobs import periods_due, reports_make_due
from lianxin.insight.models import PeriodKind, Report
from lianxin.insight.reports import (
    change_words,
    period_parse,
    report_collect,
    report_generate,
    report_pdf,
    report_xlsx,
)
from lianxin.notifications.models import Notification
from lianxin.portal.tests.test_qr_and_posters import page_text
from lianxin.publicweb import fonts
from lianxin.publicweb.printing import MARGIN

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

needs_font = pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font: {FONT_MISSING} (make test installs it)")

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOVEMBER = {"start": datetime.date(2025, 11, 1), "end": datetime.date(2025, 11, 30)}
FORMULA_UNIT = '=HYPERLINK("http://evil.example","点我")'


def at(year: int, month: int, day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI), tick=False)


def act(case, action, actor, **params):
    return case_transition(case=case, action=action, actor=actor, note="", params=params)


@pytest.fixture
def story(personas, regions, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    staff = personas.county_staff
    roads = Category.objects.get(code="transport")
    environment = Category.objects.get(code="environment")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.handlers.add(personas.unit_handler)
    formula = ResponsibleUnit.objects.create(name=FORMULA_UNIT, region=regions.deqing)

    def register(**fields):
        values = {
            "channel": "online",
            "title": "居仁路路灯不亮",
            "body": "居仁路东段三盏路灯一个月没亮了。",
            "region": regions.jueren,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        }
        values.update(fields)
        return case_register(actor=None, draft=CaseDraft(**values)).case

    with at(2024, 11, 12):
        y = register(category=roads)
        act(y, Action.ACCEPT, staff)
        act(y, Action.ANSWER, staff, reply="已答复")
    with at(2025, 10, 20):
        o = register(category=roads)
        act(o, Action.ACCEPT, staff)
        act(o, Action.ANSWER, staff, reply="已答复")
    with at(2025, 11, 3):
        a = register(category=roads)
        act(a, Action.ACCEPT, staff)
        act(a, Action.TRANSFER, staff, unit=unit.pk)
    with at(2025, 11, 10):
        act(a, Action.REPLY, personas.unit_handler, reply="路灯已修复")
    with at(2025, 11, 11):
        act(a, Action.FEED_BACK, staff)
        case_rate_as_citizen(receipt_code=a.receipt_code, rating=Rating.SATISFIED)
    with at(2025, 11, 12):
        b = register(channel="hotline", region=regions.chengdong, category=environment, title="河道有垃圾")
        act(b, Action.ACCEPT, staff)
        act(b, Action.ANSWER, staff, reply="已通知保洁")
    with at(2025, 11, 14):
        c = register(channel="hotline", category=roads, title="公交站台破损，电话13957219876")
        act(c, Action.ACCEPT, staff)
        act(c, Action.TRANSFER, staff, unit=formula.pk)
    with at(2025, 11, 28):
        d = register(title="小区停车难")
    for case in (y, o, a, b, c, d):
        case.refresh_from_db()
    return SimpleNamespace(y=y, o=o, a=a, b=b, c=c, d=d, unit=unit, formula=formula)


# --- periods -------------------------------------------------------------------------------------------------------


def test_a_period_is_a_month_a_quarter_or_a_year_that_has_ended():
    today = datetime.date(2026, 1, 10)
    month = period_parse("2025-11", today=today)
    assert (month.kind, month.start, month.end, month.label) == ("month", *NOVEMBER.values(), "2025年11月")
    assert (month.previous().start, month.previous().end) == (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
    quarter = period_parse(" 2025-q4 ", today=today)
    assert (quarter.kind, quarter.start, quarter.end, quarter.code) == (
        "quarter",
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
        "2025-Q4",
    )
    assert quarter.label == "2025年第四季度" and quarter.previous().start == datetime.date(2025, 7, 1)
    year = period_parse("2024", today=today)
    assert (year.kind, year.start, year.end) == ("year", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert year.previous().start == datetime.date(2023, 1, 1)
    february = period_parse("2024-02", today=today)
    assert february.end == datetime.date(2024, 2, 29) and february.previous().end == datetime.date(2024, 1, 31)
    assert period_parse("2025-01", today=today).previous().code == "2024-12"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025/11", "应为 2026-11（月）、2026-Q4（季度）或 2026（年），实为“2025/11”"),
        ("", "实为“”"),
        ("2025-13", "月份应为 1–12，实为 13"),
        ("2025-Q5", "季度应为 Q1–Q4，实为 Q5"),
        ("1999", "年份 1999 超出范围"),
        ("2026-01", "2026年1月尚未结束，月报在期满后生成"),
        ("2026-Q1", "2026年第一季度尚未结束，季报在期满后生成"),
        ("2026", "2026年尚未结束，年报在期满后生成"),
    ],
)
def test_a_bad_period_is_refused_in_chinese_with_a_stable_code(text, message):
    with pytest.raises(DomainError) as caught:
        period_parse(text, today=datetime.date(2026, 1, 10))
    assert caught.value.code == "period_invalid" and caught.value.field == "period"
    assert message in caught.value.message and caught.value.message.startswith("统计期间: ")


def test_changes_are_written_in_words():
    assert change_words(0.125, "count") == "增长12.5%"
    assert change_words(-0.5, "count") == "下降50.0%"
    assert change_words(0.032, "rate") == "提高3.2个百分点"
    assert change_words(-0.5, "days") == "减少0.5天"
    assert change_words(0, "rate") == "持平" and change_words(None, "count") == "—"


# --- the figures ---------------------------------------------------------------------------------------------------


def test_the_figures_of_a_report_equal_case_statistics_for_the_same_region_and_dates(story, regions):
    with at(2025, 12, 10):
        report = report_collect(regions.deqing, "2025-11")
        assert report.statistics == case_statistics(user=p.SYSTEM, region=regions.deqing, **NOVEMBER)
        october = case_statistics(
            user=p.SYSTEM, region=regions.deqing, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 10, 31)
        )
        assert report.previous == october.totals
        by_child = {child.code: child for child in report.children}
        assert list(by_child) == [regions.wukang.code, regions.qianyuan.code]
        for township in (regions.wukang, regions.qianyuan):
            assert by_child[township.code].totals == case_statistics(user=p.SYSTEM, region=township, **NOVEMBER).totals
    totals = report.totals
    assert (totals.received, totals.accepted, totals.resolved, totals.overdue) == (4, 3, 2, 2)
    assert by_child[regions.qianyuan.code].totals.received == 1
    assert report.statistics.previous.received == 1  # y, November 2024
    assert report.previous.received == 1  # o, October 2025
    assert report.title == "德清县2025年11月意见建议办理月报"
    # One point a day, the cases on their Beijing dates.
    assert len(report.daily) == 30 and sum(n for _, n in report.daily) == totals.received
    assert dict(report.daily)[datetime.date(2025, 11, 14)] == 1 and dict(report.daily)[datetime.date(2025, 11, 1)] == 0
    # The overdue cases: the open ones (d waits for acceptance, c for a reply), oldest first; the phone masked.
    assert [case.receipt_code for case in report.overdue_cases] == [story.c.receipt_code, story.d.receipt_code]
    assert report.overdue_cases[0].waiting_for == "答复" and "13957219876" not in report.overdue_cases[0].title
    assert report.overdue_cases[1].waiting_for == "受理" and report.overdue_cases[1].due is not None


def test_a_townships_report_has_no_children_of_its_own_cases_and_a_quarter_spans_three_months(story, regions):
    with at(2026, 1, 10):
        quarter = report_collect(regions.wukang, "2025-Q4")
        assert quarter.statistics == case_statistics(
            user=p.SYSTEM, region=regions.wukang, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 12, 31)
        )
    assert quarter.totals.received == 4  # o, a, c, d (b is in 乾元镇)
    assert len(quarter.daily) == 92
    assert [child.name for child in quarter.children] == ["居仁社区居委会"]
    assert quarter.title == "武康街道2025年第四季度意见建议办理季报"


# --- PDF -----------------------------------------------------------------------------------------------------------

SCALE = 2


def title_band(pdf: bytes) -> Image.Image:
    """The strip of the first page where the title is printed (a paragraph of 18 pt under the top margin)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()
    top, bottom = int(MARGIN * SCALE), int((MARGIN + 26) * SCALE)
    return page.crop((int(MARGIN * SCALE), top, page.width - int(MARGIN * SCALE), bottom))


def ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


@needs_font
def test_the_pdf_prints_chinese_glyphs_and_every_part(story, regions):
    with at(2025, 12, 10):
        pdf = report_pdf(report_collect(regions.deqing, "2025-11"))
        other = report_pdf(report_collect(regions.qianyuan, "2025-11"))
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf)
    for expected in (
        "德清县2025年11月意见建议办理月报",
        "共收到群众意见建议4件",
        "一、总体情况",
        "环比",
        "同比",
        "二、每日收件",
        "三、按问题类别",
        "交通运输",
        "四、按承办单位",
        "县交通运输局",
        "五、按渠道",
        "12345热线",
        "六、下级区划",
        "乾元镇",
        "七、超期件（共2件）",
        story.c.receipt_code,
    ):
        assert expected in text, expected
    assert "13957219876" not in text
    # Glyphs, not boxes: both titles leave ink, and different names leave different ink (a missing font draws the
    # same empty box for every character, so the two strips would be equal).
    mine, theirs = title_band(pdf), title_band(other)
    assert ink(mine) > 500 and ink(theirs) > 500
    assert ImageChops.difference(mine, theirs).getbbox() is not None


@needs_font
def test_a_yearly_report_compares_with_the_year_before_only_once(story, regions):
    with at(2026, 1, 10):
        text = page_text(report_pdf(report_collect(regions.deqing, "2025")))
    assert "德清县2025年意见建议办理年报" in text and "同比" in text and "环比" not in text


# --- xlsx ----------------------------------------------------------------------------------------------------------


def test_the_workbook_holds_the_same_tables_with_formula_looking_names_inert(story, regions):
    with at(2025, 12, 10):
        report = report_collect(regions.deqing, "2025-11")
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == ["总体情况", "每日收件", "按类别", "按承办单位", "按渠道", "下级区划", "超期件"]
    totals = {row[0]: row[1:] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    # (now, the month before, 环比, the year before, 同比): changes on fewer than MIN_BASE cases are not computed.
    assert totals["收到意见建议（件）"] == (4, 1, "—", 1, "—")
    assert totals["办结率（%）"][0] == round(report.totals.resolution_rate * 100, 1)
    daily = list(book["每日收件"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 30 and sum(n for _, n in daily) == 4
    categories = {row[0]: row for row in book["按类别"].iter_rows(min_row=2, values_only=True)}
    assert categories["交通运输"][1:4] == (2, 2, 1)  # a and c received and accepted, a resolved
    units = book["按承办单位"]
    cells = {str(row[0].value): row[0] for row in units.iter_rows(min_row=2)}
    escaped = "'" + FORMULA_UNIT
    assert escaped in cells and cells[escaped].data_type == "s"  # text, never a formula
    children = {row[1]: row for row in book["下级区划"].iter_rows(min_row=2, values_only=True)}
    assert children["武康街道"][0] == regions.wukang.code and children["武康街道"][2] == 3
    overdue = [row[0] for row in book["超期件"].iter_rows(min_row=2, values_only=True)]
    assert overdue == [story.c.receipt_code, story.d.receipt_code]


# --- stored reports ------------------------------------------------------------------------------------------------


@needs_font
def test_generating_again_replaces_the_report_and_its_files_and_both_are_audited(
    story, regions, personas, django_capture_on_commit_callbacks
):
    with at(2025, 12, 10):
        first = report_generate(region=regions.deqing, period="2025-11", actor=personas.county_staff)
    old_pdf, old_xlsx = first.pdf.name, first.xlsx.name
    storage = first.pdf.storage
    assert storage.exists(old_pdf) and storage.exists(old_xlsx)
    assert first.created_by == personas.county_staff and first.kind == PeriodKind.MONTH
    with first.pdf.open("rb") as handle:
        assert "德清县2025年11月意见建议办理月报" in page_text(handle.read())
    with at(2025, 12, 11), django_capture_on_commit_callbacks(execute=True):
        second = report_generate(region=regions.deqing, period="2025-11", actor=None)
    assert second.pk == first.pk and Report.objects.count() == 1
    assert second.created_by is None and second.pdf.name != old_pdf
    assert not storage.exists(old_pdf) and not storage.exists(old_xlsx) and storage.exists(second.pdf.name)
    actions = list(AuditEvent.objects.filter(object_type="insight.report").values_list("action", flat=True))
    assert sorted(actions) == ["insight.report_create", "insight.report_replace"]


def test_only_staff_supervising_the_region_may_generate_its_report(story, regions, personas):
    with at(2025, 12, 10):
        for user in (personas.outsider, personas.township_staff, personas.place_staff, personas.deputy):
            with pytest.raises(PermissionDenied):
                report_generate(region=regions.deqing, period="2025-11", actor=user)
    assert not Report.objects.exists()


# --- the worker ----------------------------------------------------------------------------------------------------


def test_reports_are_due_from_the_first_working_day_of_the_month(db):
    assert periods_due(datetime.date(2025, 11, 1)) == []  # a Saturday
    assert [p.code for p in periods_due(datetime.date(2025, 11, 3))] == ["2025-10"]
    assert periods_due(datetime.date(2026, 1, 1)) == []  # 元旦
    # 4 January 2026 is a Sunday worked instead of a holiday: the first working day of the year.
    assert [p.code for p in periods_due(datetime.date(2026, 1, 4))] == ["2025-12", "2025-Q4", "2025"]
    assert periods_due(datetime.date(2026, 10, 7)) == []  # 国庆节
    assert [p.code for p in periods_due(datetime.date(2026, 10, 8))] == ["2026-09", "2026-Q3"]


@needs_font
def test_the_worker_makes_last_months_reports_once_on_the_first_working_day_and_tells_the_staff(
    story, regions, personas, make_user
):
    from lianxin.accounts.roles import Role

    second_clerk = make_user("county_clerk_2", Role.COUNTY_STAFF, regions.deqing, phone="13900000002")
    with at(2025, 12, 1, 8):  # a Monday
        assert reports_make_due() == 3  # 德清县, 武康街道, 乾元镇: each had November cases
    made = {(r.region.code, r.kind, r.period_start) for r in Report.objects.select_related("region")}
    assert made == {
        (region.code, "month", datetime.date(2025, 11, 1))
        for region in (regions.deqing, regions.wukang, regions.qianyuan)
    }
    assert all(r.created_by is None for r in Report.objects.all())
    sent = Notification.objects.filter(kind="insight.report_ready")
    by_user = {n.user.username: n for n in sent.select_related("user")}
    # The staff granted over each region itself: the county's for the county, each township's for its township.
    assert set(by_user) == {"county_staff", "county_clerk_2", "township_staff", "outsider"}
    assert by_user["county_clerk_2"].recipient == second_clerk.phone
    notice = by_user["county_staff"]
    assert notice.subject == "德清县2025年11月意见建议办理月报已生成"
    assert "收到4件" in notice.body and "/office/reports/" in notice.body and notice.region_path == regions.deqing.path
    assert "武康街道" in by_user["township_staff"].subject
    # Again the same day, and on a later day of the month: nothing is made or sent twice.
    with at(2025, 12, 1, 9):
        assert reports_make_due() == 0
    with at(2025, 12, 2):
        assert reports_make_due() == 0
    assert Report.objects.count() == 3 and sent.count() == 4


def test_the_worker_does_nothing_on_a_weekend_or_holiday_first_day(story, regions):
    with at(2025, 11, 1):  # a Saturday: October's reports wait for Monday
        assert reports_make_due() == 0
    with at(2026, 1, 1):  # 元旦
        assert reports_make_due() == 0
    assert not Report.objects.exists() and not Notification.objects.filter(kind="insight.report_ready").exists()


@needs_font
def test_on_the_first_working_day_of_a_year_the_month_quarter_and_year_are_made(story, regions):
    with at(2026, 1, 4, 8):
        # December 2025 had no case: no monthly report; the quarter and the year had some.
        made = reports_make_due()
    kinds = sorted({(r.kind, r.period_start) for r in Report.objects.all()})
    assert kinds == [("quarter", datetime.date(2025, 10, 1)), ("year", datetime.date(2025, 1, 1))]
    assert made == 6  # 德清县, 武康街道, 乾元镇 for each


# --- the command ---------------------------------------------------------------------------------------------------


@needs_font
def test_the_command_writes_the_pdf_and_the_workbook_and_says_where(story, regions, tmp_path, capsys):
    out, xlsx = tmp_path / "德清.pdf", tmp_path / "德清.xlsx"
    with at(2025, 12, 10):
        call_command(
            "monthly_report", "2025-11", "--region", regions.deqing.code, "--out", str(out), "--xlsx", str(xlsx)
        )
    printed = capsys.readouterr().out
    assert f"已写入 {out}：德清县2025年11月意见建议办理月报" in printed and f"已写入 {xlsx}" in printed
    assert "德清县2025年11月意见建议办理月报" in page_text(out.read_bytes())
    assert "总体情况" in openpyxl.load_workbook(xlsx).sheetnames
    with at(2026, 1, 10):
        call_command("monthly_report", "2025-Q4", "--region", regions.wukang.code, "--out", str(out))
    assert "武康街道2025年第四季度意见建议办理季报" in page_text(out.read_bytes())
    assert not Report.objects.exists()  # the command stores nothing


def test_the_command_refuses_a_bad_period_region_or_file_name(story, regions, tmp_path):
    out = str(tmp_path / "r.pdf")
    with at(2025, 12, 10):
        with pytest.raises(CommandError, match="统计期间: 月份应为 1–12，实为 13"):
            call_command("monthly_report", "2025-13", "--region", regions.deqing.code, "--out", out)
        with pytest.raises(CommandError, match="2025年12月尚未结束"):
            call_command("monthly_report", "2025-12", "--region", regions.deqing.code, "--out", out)
        with pytest.raises(CommandError, match="--region: 区划 999999999999 不存在"):
            call_command("monthly_report", "2025-11", "--region", "999999999999", "--out", out)
        with pytest.raises(CommandError, match=r"--out: 输出文件须以 \.pdf 结尾"):
            call_command("monthly_report", "2025-11", "--region", regions.deqing.code, "--out", "r.docx")
        with pytest.raises(CommandError, match=r"--xlsx: 输出文件须以 \.xlsx 结尾"):
            call_command("monthly_report", "2025-11", "--region", regions.deqing.code, "--out", out, "--xlsx", "r.csv")


@needs_font
def test_a_bar_chart_shows_twelve_bars_largest_on_top_and_sums_the_rest():
    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    from lianxin.insight.charts import MAX_BARS, bar_chart

    items = [(f"类别{n}", n) for n in range(1, 16)]  # 15 categories of 1 … 15 cases
    [chart] = [
        shape for shape in bar_chart(items, width=400, title="各类别").contents if isinstance(shape, HorizontalBarChart)
    ]
    names = chart.categoryAxis.categoryNames
    assert len(names) == MAX_BARS and names[-1] == "类别15" and names[0] == "其余类别"
    assert chart.data[0][0] == 1 + 2 + 3 + 4 and chart.data[0][-1] == 15  # the four smallest summed
