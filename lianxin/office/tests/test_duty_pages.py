# ruff: noqa: F811  (the `duty` fixture is imported from the duties app's conftest and named by each test)
"""The office's 代表履职 pages (issue 17): who may open them (a permission table: staff inside and outside the
activity's region, place staff, a deputy), and what each form does (the rows and audit rows it leaves)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianxin.cases.models import Case
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import DeputyGroup, GroupKind
from lianxin.duties import services
from lianxin.duties.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FrequencyRule,
    FundAllocation,
    FundEntry,
    Honour,
    HonourStatus,
    MeetingPoint,
    PointHandling,
    ScoreItem,
    ScoreSource,
    SignInMethod,
)
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.portal.tests.test_qr_and_posters import page_text
from lianxin.suggestions.models import Session, Suggestion
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db

BASE = "/office/duties/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=f"duties.{action}").count()


def act(client, activity, action, **data):
    """Posts a step of the activity's page and follows to the page, which shows what was said."""
    return client.post(f"{BASE}activities/{activity.pk}/{action}/", data, follow=True)


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def started(duty, **fields):
    """An activity that began half an hour ago (so it can be signed in, marked held)."""
    return duty.activity(starts_in=datetime.timedelta(minutes=-30), **fields)


# --- who may open what ---------------------------------------------------------------------------------------------

PAGES = ["", "activities/", "activities/new/", "board/", "scores/", "funds/"]


@pytest.mark.parametrize("who", ["county_staff", "township_staff", "place_staff", "outsider"])
def test_staff_holding_manage_duties_open_every_page(client, personas, duty, who):
    client.force_login(getattr(personas, who))
    for page in PAGES:
        response = client.get(BASE + page, follow=True)
        assert response.status_code == 200, page


@pytest.mark.parametrize("who", ["deputy", "unit_handler", "grid_worker"])
def test_whoever_does_not_organise_duties_is_refused_every_page(client, personas, duty, who):
    activity = duty.activity()
    client.force_login(getattr(personas, who))
    for page in [*PAGES, f"activities/{activity.pk}/", f"activities/{activity.pk}/qr.svg"]:
        assert client.get(BASE + page).status_code == 403, page
    assert client.post(f"{BASE}activities/{activity.pk}/renew/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, duty):
    response = client.get(BASE + "activities/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# (who, activity region) → status of the activity's page, its QR code and its sign-in sheet; and of a write.
TABLE = [
    ("county_staff", "jueren", 200),
    ("county_staff", "chengdong", 200),
    ("township_staff", "jueren", 200),
    ("township_staff", "chengdong", 404),  # 乾元镇 is outside 武康街道
    ("place_staff", "jueren", 200),
    ("place_staff", "chengdong", 404),
    ("outsider", "jueren", 404),
    ("outsider", "chengdong", 200),
    ("deputy", "jueren", 403),
]


@pytest.mark.parametrize(("who", "where", "status"), TABLE)
def test_an_activitys_pages_answer_by_role_and_region(client, personas, regions, duty, who, where, status):
    activity = duty.activity(region=getattr(regions, where), invited=[])
    client.force_login(getattr(personas, who))
    assert client.get(f"{BASE}activities/{activity.pk}/").status_code == status
    assert client.get(f"{BASE}activities/{activity.pk}/qr.svg").status_code == status
    code = activity.signin_code
    response = client.post(f"{BASE}activities/{activity.pk}/renew/")
    activity.refresh_from_db()
    if status == 200:
        assert response.status_code == 302 and activity.signin_code != code and audits("signin_code_renew") == 1
    else:
        assert response.status_code == status and activity.signin_code == code and audits("signin_code_renew") == 0


def test_the_list_shows_only_the_activities_of_the_users_scope_with_counts_and_filters(client, personas, regions, duty):
    duty.activity(title="居仁走访")
    duty.activity(title="城东恳谈", kind="residents_talk", region=regions.chengdong)
    held = started(duty, title="居仁调研", kind="research")
    services.activity_mark_held(actor=personas.county_staff, activity=held)
    client.force_login(personas.township_staff)
    page = client.get(BASE + "activities/").content.decode()
    assert "居仁走访" in page and "居仁调研" in page and "城东恳谈" not in page
    client.force_login(personas.county_staff)
    page = client.get(BASE + "activities/").content.decode()
    assert "城东恳谈" in page
    filtered = client.get(BASE + "activities/", {"kind": "research"}).content.decode()
    assert "居仁调研" in filtered and "居仁走访" not in filtered
    by_region = client.get(BASE + "activities/", {"region": regions.qianyuan.code}).content.decode()
    assert "城东恳谈" in by_region and "居仁走访" not in by_region
    month = client.get(BASE + "activities/", {"month": f"{timezone.localdate():%Y-%m}", "status": "held"})
    assert "居仁调研" in month.content.decode() and "居仁走访" not in month.content.decode()
    assert month.context["total"] == 3
    assert {c["status"]: c["n"] for c in month.context["counts"]} == {"planned": 2, "held": 1, "cancelled": 0}
    bad = client.get(BASE + "activities/", {"month": "2026-13"})
    assert "月份: 应为年-月" in bad.content.decode()


# --- planning ------------------------------------------------------------------------------------------------------


def _when(delta: datetime.timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def test_planning_an_activity_invites_by_township_and_by_name_once_each(client, personas, regions, duty):
    client.force_login(personas.county_staff)
    response = client.post(
        BASE + "activities/new/",
        {
            "kind": "briefing",
            "title": "代表知情议政会：老旧小区改造",
            "starts_at": _when(datetime.timedelta(days=2)),
            "ends_at": _when(datetime.timedelta(days=2, hours=2)),
            "region": regions.wukang.code,
            "location": "武康街道会议室",
            "townships": [regions.qianyuan.pk],
            "deputies": [duty.first.pk, duty.second.pk],
        },
    )
    activity = Activity.objects.get(title="代表知情议政会：老旧小区改造")
    assert response.status_code == 302 and response["Location"] == f"{BASE}activities/{activity.pk}/"
    assert activity.organiser == personas.county_staff and activity.region == regions.wukang
    # 钱立新 was elected in 乾元镇 and also named: invited once.
    assert sorted(Attendance.objects.filter(activity=activity).values_list("deputy__name", flat=True)) == sorted(
        ["沈建国", "钱立新"]
    )
    assert audits("activity_create") == 1


def test_a_reception_or_an_end_before_the_start_is_refused_next_to_its_field(client, personas, regions, duty):
    client.force_login(personas.county_staff)
    data = {
        "kind": "visit",
        "title": "走访",
        "starts_at": _when(datetime.timedelta(days=2)),
        "ends_at": _when(datetime.timedelta(days=1)),
        "region": regions.jueren.code,
    }
    response = client.post(BASE + "activities/new/", data)
    assert response.status_code == 400 and "结束时间: 应晚于开始时间" in response.content.decode()
    data["kind"] = "reception"
    response = client.post(BASE + "activities/new/", data)
    assert "kind" in response.context["form"].errors
    assert not Activity.objects.exists() and audits("activity_create") == 0


def test_place_staff_plan_only_in_their_place_region(client, personas, regions, duty):
    client.force_login(personas.place_staff)
    form = client.get(BASE + "activities/new/").context["form"]
    assert list(form.fields["region"].queryset) == [regions.jueren]
    response = client.post(
        BASE + "activities/new/",
        {
            "kind": "visit",
            "title": "走访",
            "starts_at": _when(datetime.timedelta(days=1)),
            "ends_at": _when(datetime.timedelta(days=1, hours=1)),
            "region": regions.chengdong.code,
        },
    )
    assert "region" in response.context["form"].errors and not Activity.objects.exists()


# --- one activity's steps ------------------------------------------------------------------------------------------


def test_staff_sign_a_deputy_in_by_hand_with_a_reason(client, personas, duty):
    activity = started(duty)
    client.force_login(personas.county_staff)
    response = act(client, activity, "sign_in", deputy=duty.second.pk, reason="手机没有信号")
    assert said(response) == ["已为钱立新补签"]
    row = Attendance.objects.get(activity=activity, deputy=duty.second)
    assert (row.status, row.method, row.reason, row.decided_by) == (
        AttendanceStatus.PRESENT,
        SignInMethod.MANUAL,
        "手机没有信号",
        personas.county_staff,
    )
    assert audits("sign_in_by_hand") == 1
    again = act(client, activity, "sign_in", deputy=duty.second.pk, reason="重复")
    messages = said(again)
    assert messages == ["补签: 钱立新 已签到"] and audits("sign_in_by_hand") == 1


def test_a_sign_in_by_hand_without_a_reason_or_of_a_deputy_outside_the_scope_writes_nothing(
    client, personas, duty, make_user, regions
):
    from lianxin.deputies.models import Deputy, Mandate

    activity = started(duty, invited=[duty.first])
    stranger = Deputy.objects.create(name="安吉人", gender="male")
    Mandate.objects.create(deputy=stranger, level="county", congress_region=regions.anji, term=17)
    client.force_login(personas.township_staff)
    response = act(client, activity, "sign_in", deputy=duty.first.pk, reason="  ")
    assert said(response) == ["补签理由: 不能为空"]
    assert act(client, activity, "sign_in", deputy=stranger.pk, reason="补签").status_code == 404
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()
    assert audits("sign_in_by_hand") == 0


def test_staff_decide_a_leave_request_and_the_page_shows_it(client, personas, duty):
    activity = duty.activity(starts_in=datetime.timedelta(days=1))
    services.leave_request(actor=personas.deputy, activity=activity, reason="外出开会")
    row = Attendance.objects.get(activity=activity, deputy=duty.first)
    client.force_login(personas.county_staff)
    page = client.get(f"{BASE}activities/{activity.pk}/").content.decode()
    assert "请假待批" in page and "外出开会" in page and "准假" in page
    assert said(act(client, activity, "leave", attendance=row.pk, approve="1")) == ["已准假：沈建国"]
    row.refresh_from_db()
    assert row.status == AttendanceStatus.ON_LEAVE and row.decided_by == personas.county_staff
    assert audits("leave_decide") == 1
    again = act(client, activity, "leave", attendance=row.pk, approve="0")
    assert said(again) == ["审批请假: 该代表没有待批的请假"]


def test_marking_held_records_the_outcome_and_the_absent(client, personas, duty):
    activity = started(duty)
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    client.force_login(personas.county_staff)
    act(client, activity, "held", outcome="走访困难家庭5户，收集意见3条")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD and activity.outcome.startswith("走访困难家庭")
    statuses = dict(Attendance.objects.filter(activity=activity).values_list("deputy__name", "status"))
    assert statuses == {"沈建国": AttendanceStatus.PRESENT, "钱立新": AttendanceStatus.ABSENT}
    assert audits("activity_held") == 1


def test_an_activity_in_the_future_is_not_marked_held_and_a_cancelled_one_not_twice(client, personas, duty):
    activity = duty.activity(starts_in=datetime.timedelta(days=3))
    client.force_login(personas.county_staff)
    response = act(client, activity, "held")
    assert said(response) == ["已举行: 活动尚未开始，不能标记为已举行"]
    act(client, activity, "cancel", reason="台风预警")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED and audits("activity_cancel") == 1
    again = act(client, activity, "cancel", reason="再次")
    assert said(again) == ["取消: 活动已举行或已取消"]
    assert audits("activity_cancel") == 1


def test_staff_invite_more_deputies_of_their_scope(client, personas, duty):
    activity = duty.activity(invited=[duty.first])
    client.force_login(personas.county_staff)
    act(client, activity, "invite", deputies=[duty.second.pk, duty.township.pk])
    assert Attendance.objects.filter(activity=activity).count() == 3 and audits("activity_invite") == 1


def test_meeting_points_are_answered_or_transferred_to_a_case_and_a_suggestion_with_their_progress(
    client, personas, regions, duty
):
    activity = started(duty, kind="briefing", title="知情议政会")
    session = Session.objects.create(
        congress_region=regions.deqing, level="county", term=17, number=3, name="县十七届人大三次会议",
        opens_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    client.force_login(personas.county_staff)
    act(client, activity, "point_add", text="学校门口早高峰拥堵", raised_by=duty.first.pk, counterpart="县公安局")
    act(client, activity, "point_add", text="公交站台缺少遮阳棚", raised_by=duty.second.pk)
    act(client, activity, "point_add", text="菜场开放时间", raised_by_name="王大妈", answer="已延长到晚上七点")
    first, second, third = MeetingPoint.objects.filter(activity=activity).order_by("id")
    assert third.handling == PointHandling.ANSWERED and audits("point_add") == 3

    act(client, activity, "point_case", point=first.pk)
    first.refresh_from_db()
    assert first.handling == PointHandling.TRANSFERRED and first.case is not None
    assert Case.objects.filter(pk=first.case.pk).exists() and audits("point_to_case") == 1

    act(client, activity, "point_suggestion", point=second.pk, session=session.pk)
    second.refresh_from_db()
    assert second.suggestion == Suggestion.objects.get(lead_deputy=duty.second)
    assert audits("point_to_suggestion") == 1

    page = client.get(f"{BASE}activities/{activity.pk}/").content.decode()
    assert f"群众意见 {first.case.receipt_code}" in page and first.case.get_status_display() in page
    assert second.suggestion.get_status_display() in page and "当场答复" in page
    again = act(client, activity, "point_case", point=first.pk)
    assert said(again) == ["转办: 该意见已会后转办"]


def test_the_qr_code_encodes_the_workbench_sign_in_url_and_the_sheet_is_a_pdf(client, personas, duty):
    activity = duty.activity()
    client.force_login(personas.county_staff)
    svg = client.get(f"{BASE}activities/{activity.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    page = client.get(f"{BASE}activities/{activity.pk}/").content.decode()
    assert f"/w/signin/{activity.signin_code}/" in page
    sheet = client.get(f"{BASE}activities/{activity.pk}/sheet.pdf")
    if sheet.status_code == 503:
        pytest.skip("no CJK font on this machine")
    assert sheet["Content-Type"] == "application/pdf" and sheet.content.startswith(b"%PDF")
    text = page_text(sheet.content)  # the CJK font is embedded: the text reads back in Chinese
    assert "走访群众签到表" in text and "沈建国" in text and "钱立新" in text and "本人签名" in text


# --- board, scores, honours, funds --------------------------------------------------------------------------------


def test_the_board_counts_each_rule_and_lists_who_is_behind_by_township(client, personas, duty):
    FrequencyRule.objects.create(name="县级代表每月至少一次基层活动", level="county", period="month", minimum=1)
    FrequencyRule.objects.create(name="每季度至少一次", period="quarter", minimum=1)
    activity = started(duty)
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    client.force_login(personas.county_staff)
    response = client.get(BASE + "board/")
    summary = response.context["summary"]
    assert [(s["rule"].name, s["met"], s["behind"]) for s in summary] == [("县级代表每月至少一次基层活动", 1, 1)]
    behind = dict(response.context["townships"])
    assert [p["deputy"].name for p in behind["乾元镇"]] == ["钱立新"]
    quarter = client.get(BASE + "board/", {"period": "quarter"})
    assert [s["rule"].name for s in quarter.context["summary"]] == ["每季度至少一次"]


def test_the_board_shows_deputy_groups_and_the_places_behind_on_a_place_rule(client, personas, duty, regions):
    FrequencyRule.objects.create(name="县级代表每月至少一次基层活动", level="county", period="month", minimum=1)
    FrequencyRule.objects.create(
        name="每个站每月至少接待一次", subject="place", place_kind="station", period="month", minimum=1,
        kinds=["reception"],
    )  # fmt: skip
    Place.objects.create(kind=PlaceKind.STATION, name="城东村代表工作站", region=regions.chengdong)
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="居仁代表小组", region=regions.jueren)
    group.members.add(duty.first, duty.second)
    client.force_login(personas.county_staff)
    response = client.get(BASE + "board/")
    assert response.context["groups"] == [("居仁代表小组", 2, 2), ("未编入小组", 1, 0)]
    places = dict(response.context["places"])
    assert [p["place"].name for p in places["乾元镇"]] == ["城东村代表工作站"]
    html = response.content.decode()
    assert "按代表小组" in html and "未达到的家站室" in html and "每个站每月至少接待一次（0次）" in html


def _items(regions, year):
    visits = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=1, name="走访群众",
        source=ScoreSource.ACTIVITIES, kinds=["visit"], points_each=Decimal("2"), max_points=Decimal("10"),
    )  # fmt: skip
    own = ScoreItem.objects.create(
        region=regions.deqing, level="county", year=year, position=2, name="参加培训",
        source=ScoreSource.SELF, points_each=Decimal("1"), max_points=Decimal("5"),
    )  # fmt: skip
    return visits, own


def test_staff_confirm_a_claim_and_a_correction_needs_a_note(client, personas, regions, duty):
    year = timezone.localdate().year
    _visits, own = _items(regions, year)
    first = services.score_claim(actor=personas.deputy, item=own, points="4", evidence="参加培训4次")
    second = services.score_claim(actor=duty.second_user, item=own, points="5", evidence="参加培训5次")
    client.force_login(personas.county_staff)
    page = client.get(BASE + "scores/")
    assert {e.pk for e in page.context["claims"]} == {first.pk, second.pk}
    client.post(f"{BASE}scores/claims/{first.pk}/", {"points": "4"}, follow=True)
    first.refresh_from_db()
    assert (first.status, first.confirmed) == (EntryStatus.CONFIRMED, Decimal("4.0"))
    refused = client.post(f"{BASE}scores/claims/{second.pk}/", {"points": "3", "note": ""}, follow=True)
    assert said(refused) == ["钱立新“参加培训”未评定：评定说明: 不能为空"]
    second.refresh_from_db()
    assert second.status == EntryStatus.CLAIMED and audits("score_confirm") == 1
    client.post(f"{BASE}scores/claims/{second.pk}/", {"points": "3", "note": "只有3次培训签到"})
    second.refresh_from_db()
    assert (second.confirmed, second.note) == (Decimal("3.0"), "只有3次培训签到") and audits("score_confirm") == 2
    ranking = client.get(BASE + "scores/").context["rows"]
    assert [(r["line"].name, r["line"].total) for r in ranking] == [("沈建国", 4), ("钱立新", 3)]


def test_claims_outside_the_scope_are_not_shown_and_a_confirmation_is_a_404(client, personas, regions, duty):
    _visits, own = _items(regions, timezone.localdate().year)
    entry = services.score_claim(actor=personas.deputy, item=own, points="4", evidence="")
    client.force_login(personas.outsider)
    assert list(client.get(BASE + "scores/").context["claims"]) == []
    assert client.post(f"{BASE}scores/claims/{entry.pk}/", {"points": "4"}).status_code == 404
    client.force_login(personas.place_staff)
    assert client.post(f"{BASE}scores/claims/{entry.pk}/", {"points": "4"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CLAIMED and audits("score_confirm") == 0


def test_honours_are_proposed_from_the_ranking_and_decided(client, personas, regions, duty):
    year = timezone.localdate().year
    _items(regions, year)
    activity = started(duty)
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    client.force_login(personas.county_staff)
    congress = f"{regions.deqing.pk}-county"
    client.post(BASE + "scores/honours/", {"year": year, "congress": congress, "deputies": [duty.first.pk]})
    honour = Honour.objects.get()
    assert (honour.deputy, honour.rank, honour.score) == (duty.first, 1, Decimal("2.0"))
    assert audits("honour_propose") == 1
    client.post(f"{BASE}scores/honours/{honour.pk}/", {"award": "1"})
    honour.refresh_from_db()
    assert honour.status == HonourStatus.AWARDED and audits("honour_decide") == 1
    client.force_login(personas.outsider)
    assert client.post(f"{BASE}scores/honours/{honour.pk}/", {"award": "0"}).status_code == 404


def test_the_ranking_of_a_deputy_group_ranks_its_members_among_themselves(client, personas, regions, duty):
    year = timezone.localdate().year
    _items(regions, year)
    activity = started(duty)
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)  # 沈建国 leads the county
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="城东代表小组", region=regions.chengdong)
    group.members.add(duty.second)
    client.force_login(personas.county_staff)
    congress = f"{regions.deqing.pk}-county"
    whole = client.get(BASE + "scores/", {"year": year, "congress": congress})
    assert [(r["line"].name, r["line"].rank) for r in whole.context["rows"]] == [("沈建国", 1), ("钱立新", 2)]
    assert [g.name for g in whole.context["groups"]] == ["城东代表小组"]
    grouped = client.get(BASE + "scores/", {"year": year, "congress": congress, "group": group.pk})
    assert [(r["line"].name, r["line"].rank) for r in grouped.context["rows"]] == [("钱立新", 1)]
    assert "城东代表小组（组内排名）" in grouped.content.decode()
    client.force_login(personas.outsider)  # 乾元镇 staff: the group is theirs, the county congress is not
    page = client.get(BASE + "scores/", {"year": year, "congress": congress, "group": group.pk})
    assert page.status_code == 200 and page.context["congress"] is None and page.context["rows"] == []


def test_funds_allocation_spending_with_a_receipt_and_the_balance(client, personas, duty):
    year = timezone.localdate().year
    client.force_login(personas.county_staff)
    url = f"{BASE}funds/{duty.first.pk}/?year={year}"
    client.post(url, {"allocate-amount": "2000"})
    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    client.post(
        url,
        {"spend-spent_on": timezone.localdate().isoformat(), "spend-amount": "350.5", "spend-purpose": "调研交通费",
         "spend-receipt": receipt},
    )  # fmt: skip
    assert FundAllocation.objects.get(deputy=duty.first, year=year).amount == Decimal("2000.00")
    entry = FundEntry.objects.get(deputy=duty.first)
    assert entry.amount == Decimal("350.50") and entry.receipt and entry.recorded_by == personas.county_staff
    assert AuditEvent.objects.filter(action__in=["duties.fund_allocate", "duties.fund_spend"]).count() == 2
    listing = client.get(BASE + "funds/", {"year": year})
    row = next(r for r in listing.context["rows"] if r.deputy == duty.first)
    assert (row.allocated, row.spent, row.balance) == (Decimal("2000.00"), Decimal("350.50"), Decimal("1649.50"))
    assert "1649.50" in listing.content.decode()
    download = client.get(f"{BASE}funds/receipts/{entry.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 receipt"
    negative = client.post(
        url, {"spend-spent_on": timezone.localdate().isoformat(), "spend-amount": "-5", "spend-purpose": "退款"}
    )
    assert "金额: 应大于 0" in negative.content.decode() and FundEntry.objects.count() == 1


def test_funds_of_a_deputy_outside_the_scope_are_a_404(client, personas, duty):
    client.force_login(personas.outsider)
    url = f"{BASE}funds/{duty.first.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"allocate-amount": "2000"}).status_code == 404
    assert not FundAllocation.objects.exists()


def test_the_menu_shows_the_duties_entry_to_those_who_manage_duties_only(client, personas, duty):
    client.force_login(personas.place_staff)
    assert "代表履职" in client.get("/office/").content.decode()
    client.force_login(personas.unit_handler)
    assert "代表履职" not in client.get("/office/").content.decode()


def test_the_activity_list_needs_the_same_queries_for_more_rows_and_flags_pending_leave(client, personas, duty):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.county_staff)
    duty.activity(starts_in=datetime.timedelta(days=1))
    client.get(BASE + "activities/")  # warm the session and the menu
    with CaptureQueriesContext(connection) as few:
        client.get(BASE + "activities/")
    for _ in range(4):
        activity = duty.activity(starts_in=datetime.timedelta(days=1))
    services.leave_request(actor=personas.deputy, activity=activity, reason="出差")
    with CaptureQueriesContext(connection) as more:
        page = client.get(BASE + "activities/").content.decode()
    assert len(more) == len(few)
    assert page.count("请假待批 1") == 1


def test_honours_proposed_as_the_top_of_the_ranking_include_ties_and_skip_those_already_proposed(
    client, personas, regions, duty
):
    year = timezone.localdate().year
    _items(regions, year)
    for user in (personas.deputy, duty.second_user):
        activity = started(duty)
        services.attendance_sign_in(actor=user, code=activity.signin_code)
    client.force_login(personas.county_staff)
    congress = f"{regions.deqing.pk}-county"
    response = client.post(BASE + "scores/honours/", {"year": year, "congress": congress, "top": "1"}, follow=True)
    assert said(response) == ["已推荐 2 名优秀代表"]  # 沈建国 and 钱立新 share the first rank
    assert sorted(Honour.objects.values_list("deputy__name", "rank")) == [("沈建国", 1), ("钱立新", 1)]
    again = client.post(BASE + "scores/honours/", {"year": year, "congress": congress, "top": "1"}, follow=True)
    assert said(again) == ["推荐: 没有尚未推荐的代表"] and Honour.objects.count() == 2 and audits("honour_propose") == 2
    none = client.post(BASE + "scores/honours/", {"year": year, "congress": congress}, follow=True)
    assert said(none) == ["推荐: 请在排名中勾选代表，或填写推荐前几名"]
