"""The office pages of 监督与约见: who may open them (403 without manage_supervision, 404 outside the scope), and
each form reaching its service (an item created, opinions sent, a late report marked, a 约见 arranged, a 直通车)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lianxin.suggestions.services import suggestion_draft_create
from lianxin.supervision import services
from lianxin.supervision.models import DirectLine, ItemStatus, Meeting, MeetingStatus, SupervisionItem

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("county_staff", 200),
        ("township_staff", 200),
        ("deputy", 403),
        ("unit_handler", 403),
        ("place_staff", 403),
        ("grid_worker", 403),
    ],
)
def test_the_pages_open_for_supervision_staff_only(sv, personas, client, who, status):
    as_user(client, getattr(personas, who))
    for name in ("office:supervision", "office:supervision_meetings", "office:supervision_direct"):
        assert client.get(reverse(name)).status_code == status, name


def test_an_item_outside_the_scope_is_404(sv, personas, client):
    url = reverse("office:supervision_item", args=[sv.item.pk])
    assert as_user(client, personas.county_staff).get(url).status_code == 200
    assert as_user(client, personas.township_staff).get(url).status_code == 404
    assert as_user(client, personas.outsider).get(url).status_code == 404
    own = reverse("office:supervision_item", args=[sv.qy_item.pk])
    assert as_user(client, personas.outsider).get(own).status_code == 200
    response = as_user(client, personas.township_staff).post(
        reverse("office:supervision_item_act", args=[sv.item.pk, "record"]), {"kind": "finding", "text": "x"}
    )
    assert response.status_code == 404


def test_the_list_shows_the_years_items_of_the_scope(sv, personas, client):
    page = as_user(client, personas.outsider).get(reverse("office:supervision")).content.decode()
    assert "乾元镇集镇改造监督" in page and "农村公路养护工作监督" not in page


def test_staff_create_an_item_and_carry_it_to_a_late_report(sv, personas, regions, client):
    as_user(client, personas.county_staff)
    response = client.post(
        reverse("office:supervision_item_new"),
        {
            "region": regions.deqing.pk,
            "year": sv.year,
            "title": "义务教育法实施情况执法检查",
            "subject_kind": "law",
            "law_name": "义务教育法",
            "starts_on": f"{sv.year}-04-01",
            "ends_on": f"{sv.year}-11-30",
            "groups": [sv.group.pk],
            "plan": "检查方案",
        },
    )
    item = SupervisionItem.objects.get(title="义务教育法实施情况执法检查")
    assert response.status_code == 302 and response.url == reverse("office:supervision_item", args=[item.pk])
    act = lambda action, data: client.post(reverse("office:supervision_item_act", args=[item.pk, action]), data)  # noqa: E731
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    act("opinions", {"opinions": "加强师资配备", "report_due": due})
    item.refresh_from_db()
    assert item.status == ItemStatus.OPINIONS_SENT
    SupervisionItem.objects.filter(pk=item.pk).update(report_due=timezone.localdate() - datetime.timedelta(days=1))
    response = act("report", {"report": "已补充教师 40 名"})
    page = client.get(response.url).content.decode()
    assert "标记为迟交" in page
    item.refresh_from_db()
    assert (item.status, item.report_late) == (ItemStatus.REPORTED, True)


def test_a_bad_form_shows_the_chinese_message_and_writes_nothing(sv, personas, regions, client):
    as_user(client, personas.county_staff)
    response = client.post(
        reverse("office:supervision_item_new"),
        {
            "region": regions.deqing.pk,
            "year": sv.year,
            "title": "x",
            "subject_kind": "law",
            "starts_on": "2026-01-01",
            "ends_on": "2026-02-01",
            "groups": [sv.group.pk],
        },
    )
    assert response.status_code == 200
    assert "法律法规: 执法检查须填写法律法规名称" in response.content.decode()
    assert SupervisionItem.objects.count() == 2


def test_staff_enter_arrange_and_decline_meetings(sv, personas, client):
    as_user(client, personas.county_staff)
    when = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        reverse("office:supervision_meetings"),
        {
            "subject": "公交线路调整",
            "organ": sv.transport.pk,
            "proposed_at": when,
            "deputies": [sv.lead.pk, sv.member.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("office:supervision_meeting", args=[meeting.pk])
    client.post(
        reverse("office:supervision_meeting_act", args=[meeting.pk, "arrange"]),
        {"scheduled_at": when, "place": "县人大常委会会议室"},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ARRANGED and meeting.activity is not None
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        reverse("office:supervision_meetings"),
        {"subject": "过去的约见", "organ": sv.transport.pk, "proposed_at": past, "deputies": [sv.lead.pk]},
        follow=True,
    )
    assert "建议时间: 不能早于现在" in response.content.decode()


def test_staff_send_an_interval_suggestion_by_the_direct_line(sv, personas, client):
    suggestion = suggestion_draft_create(
        actor=personas.deputy, session=sv.interval, title="关于修复护栏的建议", reasons="理由", content="内容"
    )
    as_user(client, personas.county_staff)
    page = client.get(reverse("office:supervision_direct")).content.decode()
    assert "关于修复护栏的建议" in page
    client.post(
        reverse("office:supervision_direct"),
        {"suggestion": suggestion.pk, "unit": sv.transport.pk, "reply_days": 5, "urgency": "危及安全"},
    )
    line = DirectLine.objects.get()
    assert line.suggestion == suggestion
    page = client.get(reverse("office:supervision_direct")).content.decode()
    assert "危及安全" in page and "县交通运输局" in page


def test_the_item_page_shows_the_record_by_stage(sv, personas, client):
    services.item_record_add(actor=personas.county_staff, item=sv.item, kind="finding", text="护栏缺失十二处")
    page = as_user(client, personas.county_staff).get(reverse("office:supervision_item", args=[sv.item.pk])).content
    text = page.decode()
    assert text.index("事前") < text.index("听取汇报") < text.index("事中") < text.index("护栏缺失十二处")
    assert "新建监督事项（— → 计划中）" in text and "记录发现问题（计划中 → 监督中）" in text


def test_the_menu_shows_supervision_to_its_staff_only(sv, personas, client):
    assert "监督与约见" in as_user(client, personas.township_staff).get("/office/").content.decode()
    assert "监督与约见" not in as_user(client, personas.place_staff).get("/office/").content.decode()
