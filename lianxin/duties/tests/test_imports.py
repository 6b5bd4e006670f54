"""Activities and attendance imported from .xlsx (all-or-nothing, errors by row and column in Chinese), and the
year's scores exported to .xlsx; each also as a long job."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from lianxin.core.errors import ImportRejected, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.duties import services
from lianxin.duties.exports import scores_collect, scores_filename, scores_xlsx
from lianxin.duties.imports import (
    ACTIVITY_COLUMNS,
    ATTENDANCE_COLUMNS,
    DateTime,
    activities_import,
    attendance_import,
)
from lianxin.duties.models import Activity, Attendance, AttendanceStatus, ScoreItem, ScoreSource, SignInMethod
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

ACTIVITY_HEADERS = ["类型", "名称", "开始时间", "结束时间", "地点", "区划代码", "组织单位", "学时", "受邀代表"]
ATTENDANCE_HEADERS = ["活动", "日期", "代表", "出席", "说明"]


def sheet(headers, *rows) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rejected(call) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        call()
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def test_the_columns_are_those_the_issue_names():
    assert [c.header for c in ACTIVITY_COLUMNS] == ACTIVITY_HEADERS
    assert [c.header for c in ATTENDANCE_COLUMNS] == ATTENDANCE_HEADERS


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-03-05 09:00", datetime.datetime(2026, 3, 5, 9, 0, tzinfo=CHINA)),
        ("2026/3/5 14:30", datetime.datetime(2026, 3, 5, 14, 30, tzinfo=CHINA)),
        ("2026年3月5日 9点", datetime.datetime(2026, 3, 5, 9, 0, tzinfo=CHINA)),
        ("２０２６-０３-０５ ０９：００", datetime.datetime(2026, 3, 5, 9, 0, tzinfo=CHINA)),
        (datetime.datetime(2026, 3, 5, 9, 0), datetime.datetime(2026, 3, 5, 9, 0, tzinfo=CHINA)),
    ],
)
def test_a_time_cell_is_read_in_the_ways_clerks_write_it(cell, expected):
    assert DateTime()(cell) == expected


def activity_rows(regions):
    return [
        ("走访群众", "走访居仁社区困难家庭", "2026-03-05 09:00", "2026-03-05 11:00", "居仁社区", regions.jueren.code,
         "武康街道人大工委", None, "沈建国、钱立新"),
        ("履职培训", "新任代表履职培训", "2026-04-10 09:00", "2026-04-10 17:00", "县人大会议室", regions.deqing.code,
         "县人大常委会", 6, ""),
    ]  # fmt: skip


def test_a_good_activities_file_becomes_planned_activities_with_their_invitations(duty, personas, regions):
    result = activities_import(
        actor=personas.county_staff, file=sheet(ACTIVITY_HEADERS, *activity_rows(regions)), filename="活动.xlsx"
    )

    assert result.created == 2
    visit = Activity.objects.get(title="走访居仁社区困难家庭")
    assert visit.kind == "visit" and visit.status == "planned" and visit.region == regions.jueren
    assert visit.starts_at == datetime.datetime(2026, 3, 5, 9, 0, tzinfo=CHINA)
    assert visit.organiser == personas.county_staff and visit.organiser_name == "武康街道人大工委"
    assert sorted(a.deputy.name for a in visit.attendances.all()) == ["沈建国", "钱立新"]
    training = Activity.objects.get(title="新任代表履职培训")
    assert training.kind == "training" and training.hours == Decimal("6.0")
    assert AuditEvent.objects.filter(action="duties.activity_create").count() == 2


def test_every_bad_activity_row_is_reported_and_nothing_is_written(duty, personas, regions):
    rows = [
        *activity_rows(regions),
        ("接待选民", "进站接待", "2026-03-06 09:00", "2026-03-06 11:00", "", regions.jueren.code, "", None, ""),
        ("开会", "未知类型", "2026-03-07 09:00", "2026-03-07 08:00", "", regions.anji.code, "", None, "张无名"),
        ("视察", "视察水厂", "2026-03-08", "明天", "", "999999999999", "", None, ""),
        ("走访群众", "走访居仁社区困难家庭", "2026-03-05 09:00", "2026-03-05 11:00", "", regions.jueren.code, "", None,
         ""),
    ]  # fmt: skip

    errors = rejected(
        lambda: activities_import(
            actor=personas.county_staff, file=sheet(ACTIVITY_HEADERS, *rows), filename="活动.xlsx"
        )
    )

    assert (4, "类型", "接待选民请在“接待登记”中记录，会自动计入履职，不必导入") in errors
    assert any(e[:2] == (5, "类型") and "走访群众" in e[2] for e in errors)
    assert (5, "结束时间", "应晚于开始时间") in errors
    assert (5, "区划代码", "安吉县不在您的管辖范围内") in errors
    assert (5, "受邀代表", "没有名为“张无名”的代表，或不在您的管辖范围内，请核对姓名") in errors
    assert (6, "开始时间", "时间格式应为 2026-03-05 09:00，实为“2026-03-08”") in errors
    assert (6, "结束时间", "时间格式应为 2026-03-05 09:00，实为“明天”") in errors
    assert (6, "区划代码", "区划代码“999999999999”不存在") in errors
    assert (7, "名称", "与第2行是同一活动（名称和开始时间相同）") in errors
    assert Activity.objects.count() == 0


def test_the_same_activities_imported_again_are_refused(duty, personas, regions):
    data = sheet(ACTIVITY_HEADERS, *activity_rows(regions))
    activities_import(actor=personas.county_staff, file=data, filename="活动.xlsx")

    errors = rejected(lambda: activities_import(actor=personas.county_staff, file=data, filename="活动.xlsx"))

    assert errors[0] == (2, "名称", "已有名称和开始时间相同的活动，请勿重复导入")
    assert Activity.objects.count() == 2


def test_place_staff_import_only_into_their_place_and_deputies_not_at_all(duty, personas, regions):
    errors = rejected(
        lambda: activities_import(
            actor=personas.place_staff, file=sheet(ACTIVITY_HEADERS, *activity_rows(regions)), filename="活动.xlsx"
        )
    )
    assert errors == [
        (2, "受邀代表", "没有名为“钱立新”的代表，或不在您的管辖范围内，请核对姓名"),  # elected in 乾元, not 居仁
        (3, "区划代码", "德清县不在您的管辖范围内"),
    ]
    with pytest.raises(PermissionDenied):
        activities_import(
            actor=personas.deputy, file=sheet(ACTIVITY_HEADERS, *activity_rows(regions)), filename="活动.xlsx"
        )
    assert Activity.objects.count() == 0


# Attendance -------------------------------------------------------------------------------------------------------


def held(duty, **fields):
    return duty.activity(starts_in=datetime.timedelta(hours=-3), **fields)


def test_an_attendance_sheet_records_present_leave_and_absent(duty, personas, regions):
    activity = held(duty)
    other = held(duty, title="视察城东水厂", kind="inspection", invited=[duty.first])
    day = timezone.localtime(activity.starts_at, CHINA).date()
    rows = [
        (activity.title, day, "沈建国", "已签到", ""),
        (activity.title, day, "钱立新", "请假", "外出开会"),
        (str(other.pk), None, "沈建国", "缺席", ""),
        (str(other.pk), None, "钱立新", "出席", ""),  # not invited: recorded, marked
    ]

    result = attendance_import(
        actor=personas.county_staff, file=sheet(ATTENDANCE_HEADERS, *rows), filename="签到表.xlsx"
    )

    assert (result.updated, result.unchanged) == (4, 0)
    first = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert first.status == AttendanceStatus.PRESENT and first.method == SignInMethod.MANUAL
    assert first.signed_in_at == activity.starts_at and first.decided_by == personas.county_staff
    assert first.reason == "按“签到表.xlsx”第2行登记"
    leave = Attendance.objects.get(activity=activity, deputy=duty.second)
    assert leave.status == AttendanceStatus.ON_LEAVE and leave.reason == "外出开会"
    assert Attendance.objects.get(activity=other, deputy=duty.first).status == AttendanceStatus.ABSENT
    walk_in = Attendance.objects.get(activity=other, deputy=duty.second)
    assert walk_in.status == AttendanceStatus.PRESENT and walk_in.invited is False
    events = AuditEvent.objects.filter(action="duties.attendance_import")
    assert events.count() == 4 and {e.actor for e in events} == {personas.county_staff}

    again = attendance_import(
        actor=personas.county_staff, file=sheet(ATTENDANCE_HEADERS, *rows), filename="签到表.xlsx"
    )
    assert (again.updated, again.unchanged) == (0, 4)
    assert AuditEvent.objects.filter(action="duties.attendance_import").count() == 4


def test_every_bad_attendance_row_is_reported_and_nothing_is_written(duty, personas, regions):
    activity = held(duty)
    future = duty.activity(title="下周走访", starts_in=datetime.timedelta(days=7))
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    day = timezone.localtime(activity.starts_at, CHINA).date()
    rows = [
        (activity.title, day, "钱立新", "已签到", ""),
        (activity.title, None, "钱立新", "已签到", ""),
        ("999999", None, "钱立新", "缺席", ""),
        (activity.title, day, "沈建国", "缺席", ""),  # signed in by QR
        (str(future.pk), None, "沈建国", "缺席", ""),
        (str(activity.pk), None, "张无名", "来了", ""),
        (str(activity.pk), None, "钱立新", "请假", ""),
    ]

    errors = rejected(
        lambda: attendance_import(
            actor=personas.county_staff, file=sheet(ATTENDANCE_HEADERS, *rows), filename="签到表.xlsx"
        )
    )

    assert (3, "日期", f"按名称“{activity.title}”查找活动时须填写活动日期") in errors
    assert (4, "活动", "没有编号为 999999 的活动，或不在您的管辖范围内") in errors
    assert any(e[:2] == (5, "出席") and "扫码签到，不能改为“缺席”" in e[2] for e in errors)
    assert (6, "出席", "“下周走访”尚未开始，只能登记请假") in errors
    assert (7, "代表", "没有名为“张无名”的代表，或不在您的管辖范围内，请核对姓名") in errors
    assert any(e[:2] == (7, "出席") and "已签到/请假/缺席" in e[2] for e in errors)
    assert (8, "代表", "与第2行是同一活动的同一代表") in errors
    assert Attendance.objects.get(activity=activity, deputy=duty.second).status == AttendanceStatus.INVITED
    assert not AuditEvent.objects.filter(action="duties.attendance_import").exists()


def test_attendance_outside_the_importers_scope_is_not_found(duty, personas, regions):
    activity = held(duty)
    errors = rejected(
        lambda: attendance_import(
            actor=personas.outsider,
            file=sheet(ATTENDANCE_HEADERS, (str(activity.pk), None, "钱立新", "缺席", "")),
            filename="签到表.xlsx",
        )
    )
    assert errors == [(2, "活动", f"没有编号为 {activity.pk} 的活动，或不在您的管辖范围内")]


# The scores' export ---------------------------------------------------------------------------------------------


def score_items(regions, year):
    ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="=走访群众",
        source=ScoreSource.ACTIVITIES, kinds=["visit"], points_each=Decimal("2"), max_points=Decimal("10"),
    )  # fmt: skip
    return ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=2, name="学习培训自评",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip


def test_the_years_scores_are_exported_with_their_breakdown_and_formulas_made_inert(duty, personas, regions):
    year = timezone.localdate().year
    own = score_items(regions, year)
    duty.first.name = '=HYPERLINK("http://x")'
    duty.first.save(update_fields=["name"])
    activity = held(duty)
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    services.score_claim(actor=duty.second_user, item=own, points="3", evidence="参加培训")

    table = scores_collect(actor=personas.county_staff, region=regions.deqing, level="county", year=year)
    book = openpyxl.load_workbook(io.BytesIO(scores_xlsx(table)))
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]

    assert rows[0] == [
        "名次",
        "代表",
        "代表编号",
        "'=走访群众（满分10）",
        "学习培训自评（满分5）",
        "总分",
        "待评定的自评项目",
    ]
    assert rows[1] == [1, '\'=HYPERLINK("http://x")', duty.first.pk, 2, 0, 2, None]
    assert rows[2] == [2, "钱立新", duty.second.pk, 0, 0, 0, "学习培训自评"]
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
    assert scores_filename(table) == f"德清县县级人大{year}年代表履职积分.xlsx"


def test_only_staff_of_the_congress_export_its_scores(duty, personas, regions):
    score_items(regions, 2026)
    for user in (personas.township_staff, personas.deputy):
        with pytest.raises(PermissionDenied):
            scores_collect(actor=user, region=regions.deqing, level="county", year=2026)


# As long jobs -----------------------------------------------------------------------------------------------------


def test_the_imports_and_the_export_run_as_long_jobs_with_templates(
    duty, personas, regions, settings, tmp_path, client
):
    from lianxin.ops.longjobs import job_start, longjobs_run
    from lianxin.ops.models import JobStatus

    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    bad = sheet(
        ACTIVITY_HEADERS, ("走访群众", "走访", "2026-03-05 09:00", "2026-03-05 11:00", "", "000000", "", None, "")
    )
    job = job_start(actor=personas.county_staff, kind="duties_activities_import", upload=("活动.xlsx", bad))
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == [{"row": 2, "column": "区划代码", "message": "区划代码“000000000000”不存在"}]

    good = sheet(ACTIVITY_HEADERS, *activity_rows(regions))
    job = job_start(actor=personas.county_staff, kind="duties_activities_import", upload=("活动.xlsx", good))
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.message == "导入完成：新增 2 项履职活动（计划），受邀代表已一并登记"

    visit = Activity.objects.get(title="走访居仁社区困难家庭")
    roster = sheet(ATTENDANCE_HEADERS, (str(visit.pk), None, "钱立新", "请假", "出差"))
    job = job_start(actor=personas.county_staff, kind="duties_attendance_import", upload=("签到表.xlsx", roster))
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.message == "导入完成：登记 1 人次，0 人次与原记录相同"

    score_items(regions, 2026)
    job = job_start(
        actor=personas.county_staff, kind="duties_scores_export", params={"region": regions.deqing.code, "year": "2026"}
    )
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_name == "德清县县级人大2026年代表履职积分.xlsx"
    assert job.message == "履职积分已生成：德清县县级人大2026年，2 名代表，2 个计分项目"

    client.force_login(personas.county_staff)
    for kind, headers in (
        ("duties_activities_import", ACTIVITY_HEADERS),
        ("duties_attendance_import", ATTENDANCE_HEADERS),
    ):
        response = client.get(f"/office/jobs/new/{kind}/template.xlsx")
        assert response.status_code == 200
        template = openpyxl.load_workbook(io.BytesIO(response.content))
        assert [c.value for c in template.active[1]] == headers


def test_the_export_job_refuses_a_region_outside_the_staffs_scope_on_the_form(duty, personas, regions):
    from lianxin.core.errors import DomainError
    from lianxin.ops.longjobs import job_start

    with pytest.raises(DomainError) as caught:
        job_start(actor=personas.township_staff, kind="duties_scores_export", params={"region": regions.deqing.code})
    assert caught.value.field == "region"
