"""The deputy's duty pages on the phone (履职): my activities and rules, 请假, QR sign-in, diary → case, pledges and
the score with its self-assessment; another deputy's rows are a 404, every write leaves its row."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lianxin.cases.models import Case, Channel
from lianxin.cases.services import reception_start
from lianxin.core.models import AuditEvent
from lianxin.duties.models import (
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FrequencyRule,
    Pledge,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
    SignInMethod,
)
from lianxin.duties.services import activity_cancel, pledge_assess, score_confirm
from lianxin.duties.tests.conftest import duty  # noqa: F401  two county deputies and an activity helper
from lianxin.workbench.models import DiaryEntry

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def started(duty, **fields):  # noqa: F811
    """An activity that began half an hour ago: open for sign-in."""
    return duty.activity(starts_in=datetime.timedelta(minutes=-30), **fields)


# --- 我的履职 ------------------------------------------------------------------------------------------------------


def test_my_duties_lists_the_years_activities_receptions_and_the_rules_i_am_behind_on(
    client,
    duty,  # noqa: F811
    personas,
    regions,
):
    FrequencyRule.objects.create(name="县级代表每月至少三次基层活动", level="county", period="month", minimum=3)
    FrequencyRule.objects.create(name="乡镇代表每月一次", level="township", period="month", minimum=1)
    upcoming = duty.activity(starts_in=datetime.timedelta(days=2), title="城东社区居民恳谈会", kind="residents_talk")
    done = started(duty, title="走访居仁社区困难家庭")
    Attendance.objects.filter(activity=done, deputy=duty.first).update(status=AttendanceStatus.PRESENT)
    reception_start(actor=personas.county_staff, deputy=duty.first, kind="mobile", region=regions.jueren)
    duty.activity(title="别人的活动", invited=[duty.second])
    client.force_login(personas.deputy)

    html = page(client.get("/w/duties/"))

    assert "城东社区居民恳谈会" in html and f"/w/duties/activities/{upcoming.pk}#leave" in html
    assert "走访居仁社区困难家庭" in html and "流动巡诊" in html
    assert "别人的活动" not in html
    assert "出席 <strong>1</strong> 次" in html and "接待选民 <strong>1</strong> 次" in html
    # one activity and one reception this month: the county rule asks for three, the township rule is not mine
    assert "县级代表每月至少三次基层活动" in html and "已 2 次，还差 <strong>1</strong> 次" in html
    assert "乡镇代表每月一次" not in html


def test_the_workbench_home_and_menu_lead_to_the_duty_pages(client, duty, personas):  # noqa: F811
    client.force_login(personas.deputy)
    html = page(client.get("/w/"))
    assert 'href="/w/duties/"' in html and 'href="/w/duties/score"' in html


def test_staff_and_visitors_do_not_get_a_deputys_duty_pages(client, duty, personas):  # noqa: F811
    assert client.get("/w/duties/").status_code == 302  # to the login
    client.force_login(personas.county_staff)
    for url in ("/w/duties/", "/w/duties/score", "/w/duties/pledges"):
        assert client.get(url).status_code == 403


# --- an activity and 请假 --------------------------------------------------------------------------------------------


def test_an_invited_deputy_asks_for_leave_before_the_start_with_a_reason(client, duty, personas):  # noqa: F811
    activity = duty.activity(starts_in=datetime.timedelta(days=1))
    client.force_login(personas.deputy)
    url = f"/w/duties/activities/{activity.pk}"
    assert "提交请假" in page(client.get(url))

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and "请假理由" in page(empty)
    response = client.post(url, {"reason": "当天在杭州出差"})

    assert response.status_code == 302
    attendance = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert (attendance.status, attendance.reason) == (AttendanceStatus.LEAVE_REQUESTED, "当天在杭州出差")
    assert AuditEvent.objects.filter(action="duties.leave_request", object_id=str(attendance.pk)).count() == 1
    html = page(client.get(url))
    assert "请假待批" in html and "提交请假" not in html


def test_leave_after_the_start_is_refused_in_chinese_and_nothing_changes(client, duty, personas):  # noqa: F811
    activity = started(duty)
    client.force_login(personas.deputy)
    response = client.post(f"/w/duties/activities/{activity.pk}", {"reason": "临时有事"})
    assert response.status_code == 400 and "须在活动开始前提出" in page(response)
    assert Attendance.objects.get(activity=activity, deputy=duty.first).status == AttendanceStatus.INVITED
    assert not AuditEvent.objects.filter(action="duties.leave_request").exists()


def test_another_deputys_activity_and_leave_are_a_404(client, duty, personas):  # noqa: F811
    theirs = duty.activity(starts_in=datetime.timedelta(days=1), invited=[duty.second])
    client.force_login(personas.deputy)
    assert client.get(f"/w/duties/activities/{theirs.pk}").status_code == 404
    assert client.post(f"/w/duties/activities/{theirs.pk}", {"reason": "代请假"}).status_code == 404
    assert client.get("/w/duties/activities/999999").status_code == 404
    assert Attendance.objects.get(activity=theirs, deputy=duty.second).status == AttendanceStatus.INVITED
    assert not Attendance.objects.filter(activity=theirs, deputy=duty.first).exists()


# --- QR sign-in ------------------------------------------------------------------------------------------------------


def test_the_qr_page_shows_the_activity_and_signs_the_deputy_in_with_the_location(client, duty, personas):  # noqa: F811
    activity = started(duty, title="居仁社区网格议事日", kind="grid_day")
    client.force_login(personas.deputy)
    url = f"/w/signin/{activity.signin_code}/"
    html = page(client.get(url))
    assert "居仁社区网格议事日" in html and ">签到</button>" in html

    response = client.post(url, {"lat": "30.545", "lng": "119.96"})

    assert response.status_code == 200 and "已签到" in page(response)
    attendance = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert (attendance.status, attendance.method, attendance.lat, attendance.lng) == (
        AttendanceStatus.PRESENT,
        SignInMethod.QR,
        30.545,
        119.96,
    )
    assert timezone.localtime(attendance.signed_in_at).strftime("%H:%M") in page(response)
    assert AuditEvent.objects.filter(action="duties.sign_in", object_id=str(attendance.pk)).count() == 1


def test_a_second_sign_in_says_when_the_first_was_and_writes_nothing(client, duty, personas):  # noqa: F811
    activity = started(duty)
    client.force_login(personas.deputy)
    url = f"/w/signin/{activity.signin_code}/"
    client.post(url)

    again = page(client.get(url))
    twice = client.post(url)

    assert "您已于" in again and ">签到</button>" not in again
    assert twice.status_code == 400 and "您已于" in page(twice)
    assert AuditEvent.objects.filter(action="duties.sign_in").count() == 1


def test_a_deputy_not_invited_is_signed_in_and_told_so(client, duty, personas):  # noqa: F811
    activity = started(duty, invited=[duty.second])
    client.force_login(personas.deputy)
    response = client.post(f"/w/signin/{activity.signin_code}/")
    assert "已签到" in page(response) and "不在本次活动的邀请名单中" in page(response)
    attendance = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert (attendance.invited, attendance.status) == (False, AttendanceStatus.PRESENT)


def test_an_expired_cancelled_or_unknown_code_and_a_user_who_is_no_deputy_get_chinese_errors(
    client,
    duty,  # noqa: F811
    personas,
):
    old = duty.activity(starts_in=datetime.timedelta(days=-2))
    cancelled = started(duty)
    activity_cancel(actor=personas.county_staff, activity=cancelled, reason="暴雨")
    client.force_login(personas.deputy)

    expired = client.post(f"/w/signin/{old.signin_code}/")
    assert expired.status_code == 400 and "现在不在签到时间内" in page(expired)
    assert "已取消" in page(client.post(f"/w/signin/{cancelled.signin_code}/"))
    unknown = client.get("/w/signin/no-such-code/")
    assert unknown.status_code == 404 and "签到码无效" in page(unknown)

    client.force_login(personas.county_staff)
    staff = client.post(f"/w/signin/{started(duty).signin_code}/")
    assert staff.status_code == 403 and "只有代表本人可以扫码签到" in page(staff)
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_the_qr_link_sends_a_visitor_to_the_login_and_back(client, duty, personas):  # noqa: F811
    activity = started(duty)
    url = f"/w/signin/{activity.signin_code}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/w/login/?next=/w/signin/")
    login = client.post(response["Location"], {"username": "deputy", "password": "pw-for-tests-only", "next": url})
    assert login.status_code == 302 and login["Location"] == url


# --- 民情日记 → 群众意见 --------------------------------------------------------------------------------------------


def test_a_diary_entry_becomes_a_case_of_the_visit_channel_once(client, duty, personas):  # noqa: F811
    entry = DiaryEntry.objects.create(deputy=duty.first, date=timezone.localdate(), text="居仁社区老人反映缺少休息座椅")
    client.force_login(personas.deputy)
    assert "转为群众意见</button>" in page(client.get("/w/diary"))

    response = client.post(f"/w/diary/{entry.pk}/to-case")
    second = client.post(f"/w/diary/{entry.pk}/to-case")

    case = Case.objects.get()
    assert response["Location"] == f"/w/cases/{case.pk}" and second["Location"] == f"/w/cases/{case.pk}"
    assert (case.channel, case.deputy, case.body) == (Channel.VISIT, duty.first, "居仁社区老人反映缺少休息座椅")
    assert case.events.filter(action="register").count() == 1
    assert AuditEvent.objects.filter(action="diary.to_case", object_id=str(entry.pk)).count() == 1
    assert f'href="/w/cases/{case.pk}">已转为群众意见' in page(client.get("/w/diary"))
    assert client.get(f"/w/cases/{case.pk}").status_code == 200


def test_another_deputys_diary_entry_cannot_be_turned_into_a_case(client, duty, personas):  # noqa: F811
    entry = DiaryEntry.objects.create(deputy=duty.second, date=timezone.localdate(), text="别人的日记")
    client.force_login(personas.deputy)
    assert client.post(f"/w/diary/{entry.pk}/to-case").status_code == 404
    assert client.get(f"/w/diary/{entry.pk}/to-case").status_code == 405
    assert not Case.objects.exists()


# --- 履职承诺 ----------------------------------------------------------------------------------------------------------


def test_a_deputy_pledges_for_the_year_and_sees_the_year_end_result(client, duty, personas):  # noqa: F811
    client.force_login(personas.deputy)
    assert client.post("/w/duties/pledges", {"text": ""}).status_code == 400
    response = client.post("/w/duties/pledges", {"text": "每月进站接待选民不少于1次"})
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.deputy, pledge.year) == (duty.first, timezone.localdate().year)
    assert AuditEvent.objects.filter(action="duties.pledge_make", object_id=str(pledge.pk)).count() == 1

    pledge_assess(actor=personas.county_staff, pledge=pledge, result="全年进站接待14次", kept=True)
    html = page(client.get("/w/duties/pledges"))
    assert "每月进站接待选民不少于1次" in html and "已兑现" in html and "全年进站接待14次" in html


# --- 我的积分 ----------------------------------------------------------------------------------------------------------


def score_items(regions):
    year = timezone.localdate().year
    visits = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="走访群众",
        source=ScoreSource.ACTIVITIES, kinds=["visit"], points_each=Decimal("2"), max_points=Decimal("10"),
    )  # fmt: skip
    own = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=2, name="参加培训自评",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip
    return visits, own


def test_my_score_shows_the_items_and_a_claim_above_the_maximum_is_refused_beside_the_field(
    client,
    duty,  # noqa: F811
    personas,
    regions,
):
    _visits, own = score_items(regions)
    activity = started(duty)
    Attendance.objects.filter(activity=activity, deputy=duty.first).update(status=AttendanceStatus.PRESENT)
    client.force_login(personas.deputy)
    html = page(client.get("/w/duties/score"))
    assert "走访群众" in html and "2.0" in html and "参加培训自评" in html

    field = f"item{own.pk}"
    high = client.post("/w/duties/score", {"item": own.pk, f"{field}-points": "8", f"{field}-evidence": "参加三期培训"})

    assert high.status_code == 400
    assert f'<p class="error" id="id_{field}-points-error">参加培训自评: 分值应在 0 到 5.0 分之间' in page(high)
    assert not ScoreEntry.objects.exists()

    ok = client.post("/w/duties/score", {"item": own.pk, f"{field}-points": "4", f"{field}-evidence": "参加三期培训"})
    assert ok.status_code == 302
    entry = ScoreEntry.objects.get()
    assert (entry.deputy, entry.claimed, entry.status) == (duty.first, Decimal("4.0"), EntryStatus.CLAIMED)
    assert AuditEvent.objects.filter(action="duties.score_claim", object_id=str(entry.pk)).count() == 1


def test_after_confirmation_my_score_shows_the_confirmed_points_and_the_note_and_no_form(
    client,
    duty,  # noqa: F811
    personas,
    regions,
):
    visits, own = score_items(regions)
    client.force_login(personas.deputy)
    field = f"item{own.pk}"
    client.post("/w/duties/score", {"item": own.pk, f"{field}-points": "5", f"{field}-evidence": "三期培训"})
    score_confirm(actor=personas.county_staff, entry=ScoreEntry.objects.get(), points="3", note="只有两期有签到记录")

    html = page(client.get("/w/duties/score"))

    assert "组织评定 <strong>3.0</strong> 分：只有两期有签到记录" in html
    assert f'name="{field}-points"' not in html
    assert client.post("/w/duties/score", {"item": own.pk, f"{field}-points": "5"}).status_code == 404
    assert client.post("/w/duties/score", {"item": visits.pk, f"item{visits.pk}-points": "5"}).status_code == 404
