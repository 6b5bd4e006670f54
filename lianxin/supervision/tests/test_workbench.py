"""The deputies' phone pages (/w/supervision/): their groups' items and the secret vote once, their own 约见
(requested on the phone, a time in the past refused), their 直通车; another deputy's 约见 or item is a 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lianxin.supervision import services
from lianxin.supervision.models import ItemVote, Meeting

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def open_evaluation(sv, personas):
    services.item_opinions_send(
        actor=personas.county_staff,
        item=sv.item,
        opinions="意见",
        report_due=timezone.localdate() + datetime.timedelta(days=9),
    )
    services.item_report_submit(actor=personas.county_staff, item=sv.item, report="整改报告")
    services.item_evaluation_open(actor=personas.county_staff, item=sv.item)


def test_a_member_sees_the_groups_item_and_votes_once(sv, personas, client):
    open_evaluation(sv, personas)
    login(client, personas.deputy)
    home = client.get(reverse("workbench:supervision")).content.decode()
    assert "农村公路养护工作监督" in home and "待测评" in home
    assert "乾元镇集镇改造监督" not in home
    url = reverse("workbench:supervision_vote", args=[sv.item.pk])
    page = client.post(url, {"verdict": "basic"}, follow=True).content.decode()
    assert "已投票" in page and 'id="voted"' in page
    page = client.post(url, {"verdict": "satisfied"}, follow=True).content.decode()
    assert "您已经投过票，每人只能投一次" in page
    sv.item.refresh_from_db()
    assert (sv.item.votes_basic, sv.item.votes_satisfied, ItemVote.objects.count()) == (1, 0, 1)


def test_an_item_of_another_group_is_404_and_staff_without_a_deputy_get_403(sv, personas, client):
    login(client, sv.stranger_user)
    assert client.get(reverse("workbench:supervision_item", args=[sv.item.pk])).status_code == 404
    assert (
        client.post(reverse("workbench:supervision_vote", args=[sv.item.pk]), {"verdict": "basic"}).status_code == 404
    )
    login(client, personas.county_staff)
    assert client.get(reverse("workbench:supervision")).status_code == 403


def test_a_deputy_requests_a_meeting_on_the_phone_and_a_past_time_is_refused(sv, personas, client):
    login(client, personas.deputy)
    url = reverse("workbench:supervision_meeting_new")
    form = client.get(url).content.decode()
    assert "县交通运输局" in form and "乾元镇城建办" not in form  # a county deputy meets county organs
    past = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(url, {"organ": sv.transport.pk, "subject": "道路积水", "proposed_at": past}, follow=True)
    assert "建议时间: 不能早于现在" in page.content.decode()
    assert not Meeting.objects.exists()
    later = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT09:30")
    response = client.post(url, {"organ": sv.transport.pk, "subject": "道路积水", "proposed_at": later})
    meeting = Meeting.objects.get()
    assert response.url == reverse("workbench:supervision_meeting", args=[meeting.pk])
    assert list(meeting.deputies.all()) == [sv.lead]
    assert "道路积水" in client.get(reverse("workbench:supervision")).content.decode()
    login(client, sv.member_user)
    assert client.get(reverse("workbench:supervision_meeting", args=[meeting.pk])).status_code == 404
