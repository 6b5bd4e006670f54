import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from lianxin.core.errors import DomainError, ImportRejected, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.testing import xlsx_bytes
from lianxin.workdays.calendar import add_workdays, is_known, is_workday
from lianxin.workdays.models import CalendarDay, CalendarYear
from lianxin.workdays.services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_import,
    calendar_year_set,
)

pytestmark = pytest.mark.django_db

HEADERS = ["日期", "类型", "名称"]
# A made-up 2027 arrangement (the real one is not published yet).
ROWS_2027 = [
    ["2027-01-01", "放假", "元旦"],
    ["2027-10-01", "放假", "国庆节"],
    ["2027-10-02", "放假", "国庆节"],  # a Saturday: redundant but allowed
    ["2027-10-04", "放假", "国庆节"],
    ["2027-10-05", "放假", "国庆节"],
    ["2027-10-06", "放假", "国庆节"],
    ["2027-10-07", "放假", "国庆节"],
    ["2027-10-09", "调休上班", "国庆节调休上班"],
]


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in [HEADERS, *rows]).encode()


def test_an_imported_2027_calendar_changes_the_answer():
    assert add_workdays(date(2027, 9, 30), 1) == date(2027, 10, 4)  # unknown: weekends and 1–3 October only
    result = calendar_year_import(actor=None, year=2027, file=xlsx_bytes(HEADERS, ROWS_2027), filename="2027.xlsx")
    assert (result.created, result.updated, result.unchanged, result.removed) == (7, 0, 0, 0)
    assert is_known(2027)
    assert add_workdays(date(2027, 9, 30), 1) == date(2027, 10, 8)
    assert add_workdays(date(2027, 9, 30), 2) == date(2027, 10, 9)
    assert not CalendarDay.objects.filter(date=date(2027, 10, 2)).exists()
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.is_complete) == ("import", True)
    assert AuditEvent.objects.filter(action="calendar_day.create").count() == 7
    assert AuditEvent.objects.filter(action="calendar_year.import", object_id=str(year.pk)).count() == 1


def test_a_second_import_replaces_the_year_and_counts_what_changed():
    calendar_year_import(actor=None, year=2027, file=xlsx_bytes(HEADERS, ROWS_2027), filename="a.xlsx")
    rows = [row for row in ROWS_2027 if row[0] != "2027-01-01"]
    rows[-1] = ["2027-10-09", "调休上班", "国庆调休"]
    result = calendar_year_import(actor=None, year=2027, file=csv_bytes(rows), filename="b.csv")
    assert (result.created, result.updated, result.unchanged, result.removed) == (0, 1, 5, 1)
    assert str(result) == "新增 0 条，更新 1 条，未变 5 条，删除 1 条"
    assert is_workday(date(2027, 1, 1))  # no longer a holiday
    assert CalendarDay.objects.get(date=date(2027, 10, 9)).name == "国庆调休"
    assert AuditEvent.objects.filter(action="calendar_day.delete").count() == 1


def test_a_bad_import_lists_every_bad_row_and_writes_nothing():
    rows = [
        ["2027-01-01", "放假", "元旦"],
        ["2026-12-31", "放假", "元旦"],  # another year
        ["2027-01-01", "放假", "元旦"],  # duplicate
        ["2027-03-03", "调休上班", ""],  # a Wednesday is a working day anyway
        ["2027-02-30", "放假", "春节"],  # no such date
        ["2027-02-06", "休假", "春节"],  # unknown kind
    ]
    with pytest.raises(ImportRejected) as caught:
        calendar_year_import(actor=None, year=2027, file=xlsx_bytes(HEADERS, rows), filename="2027.xlsx")
    assert [str(e) for e in caught.value.errors] == [
        "第3行 日期: 2026-12-31 不在 2027 年内",
        "第4行 日期: 2027-01-01 与第2行重复",
        "第5行 类型: 2027-03-03 是周三，本就是工作日，不能登记为调休上班",
        "第6行 日期: 日期不存在：“2027-02-30”",
        "第7行 类型: 应为 放假/调休上班 之一，实为“休假”",
    ]
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEvent.objects.exists()


def test_an_import_without_the_required_columns_is_refused_on_the_header_row():
    with pytest.raises(ImportRejected) as caught:
        calendar_year_import(
            actor=None, year=2027, file=xlsx_bytes(["日期", "名称"], [["2027-01-01", "元旦"]]), filename="x.xlsx"
        )
    assert [str(e) for e in caught.value.errors] == ["第1行 类型: 缺少该列"]


def test_an_import_for_an_absurd_year_is_refused():
    with pytest.raises(DomainError):
        calendar_year_import(actor=None, year=1900, file=csv_bytes(ROWS_2027), filename="x.csv")


def test_setting_a_day_is_audited_and_seen_by_the_next_deadline():
    assert add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 3)  # loads the snapshot
    calendar_day_set(actor=None, day=date(2026, 11, 3), is_workday=False, name="临时放假")
    assert add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 4)
    event = AuditEvent.objects.get(action="calendar_day.create")
    assert event.changes["name"] == [None, "临时放假"]

    calendar_day_set(actor=None, day=date(2026, 11, 3), is_workday=False, name="临时休假")
    assert AuditEvent.objects.get(action="calendar_day.update").changes == {"name": ["临时放假", "临时休假"]}

    calendar_day_delete(actor=None, day=date(2026, 11, 3))
    assert add_workdays(date(2026, 11, 2), 1) == date(2026, 11, 3)
    assert AuditEvent.objects.filter(action="calendar_day.delete").count() == 1


def test_setting_a_day_to_what_the_weekday_rule_says_is_refused():
    with pytest.raises(DomainError) as caught:
        calendar_day_set(actor=None, day=date(2026, 11, 7), is_workday=False, name="")
    assert caught.value.message == "2026-11-07 是周六，本就休息，无需登记为放假"
    with pytest.raises(DomainError):
        calendar_day_set(actor=None, day=date(2026, 11, 4), is_workday=True, name="")


def test_marking_a_year_complete_by_hand_makes_it_known():
    calendar_year_set(actor=None, year=2027, is_complete=True)
    assert is_known(2027)
    calendar_year_set(actor=None, year=2027, is_complete=False)
    assert not is_known(2027)
    assert AuditEvent.objects.filter(object_type="workdays.calendaryear").count() == 2


def test_only_system_administrators_may_change_the_calendar(personas):
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=personas.county_staff, day=date(2026, 11, 3), is_workday=False, name="x")
    with pytest.raises(PermissionDenied):
        calendar_year_import(actor=personas.county_staff, year=2027, file=csv_bytes(ROWS_2027), filename="2027.csv")
    calendar_day_set(actor=personas.admin, day=date(2026, 11, 3), is_workday=False, name="x")
    assert AuditEvent.objects.get(action="calendar_day.create").actor == personas.admin


def test_the_import_calendar_command_imports_a_file(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_bytes(csv_bytes(ROWS_2027))
    call_command("import_calendar", "2027", str(path))
    assert capsys.readouterr().out == "2027 年安排已导入：新增 7 条，更新 0 条，未变 0 条，删除 0 条\n"
    assert is_known(2027)


def test_the_import_calendar_command_reports_row_errors(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_bytes(csv_bytes([["2028-01-01", "放假", "元旦"]]))
    with pytest.raises(CommandError) as caught:
        call_command("import_calendar", "2027", str(path))
    assert str(caught.value) == "文件未导入，共1处错误：\n第2行 日期: 2028-01-01 不在 2027 年内"


def test_a_gb18030_csv_from_excel_is_read():
    data = "\n".join(",".join(row) for row in [HEADERS, *ROWS_2027]).encode("gb18030")
    calendar_year_import(actor=None, year=2027, file=io.BytesIO(data), filename="2027.csv")
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦"
