"""The public side of duty performance: the deputy's page shows a public form of the duty record (counts of past
years only), and voters evaluate a 述职 through the form its QR code opens, with the opinion form's protections."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.cases.services import reception_start
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.models import VoterEvaluation
from lianxin.duties.record import duty_record_collect
from lianxin.portal.tests.conftest import solve_captcha
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db


def activity(personas, regions, kind, title, invited, starts_in=datetime.timedelta(minutes=-30)):
    starts = timezone.now() + starts_in
    return services.activity_create(
        actor=personas.county_staff,
        kind=kind,
        title=title,
        region=regions.jueren,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        invited=invited,
    )


def test_the_deputys_page_shows_past_years_counts_without_absences_or_scores(client, world, personas, regions):
    last_year = timezone.localdate().year - 1
    with time_machine.travel(datetime.datetime(last_year, 6, 10, 10, 0, tzinfo=CHINA), tick=False):
        for kind, title in (("visit", "走访困难家庭"), ("visit", "走访独居老人"), ("research", "调研农村养老")):
            done = activity(personas, regions, kind, title, [world.deputy])
            services.attendance_sign_in(actor=personas.deputy, code=done.signin_code)
        missed = activity(personas, regions, "hearing", "物业条例听证会", [world.deputy])
        services.activity_mark_held(actor=personas.county_staff, activity=missed)  # absent: not shown
        reception_start(actor=personas.county_staff, deputy=world.deputy, kind="mobile", region=regions.jueren)
    this_year = activity(personas, regions, "inspection", "视察河道整治", [world.deputy])
    services.attendance_sign_in(actor=personas.deputy, code=this_year.signin_code)
    # Shown once the congress has published the year (lianxin/duties/tests/test_publication.py).
    services.record_publish(actor=personas.county_staff, region=regions.deqing, level="county", year=last_year)

    page = client.get(f"/d/{world.deputy.public_code}").content.decode()
    assert "历年履职情况" in page and f"{last_year}年" in page
    assert re.search(r"参加履职活动</dt><dd>3 次", page) and re.search(r"接待选民</dt><dd>1 次", page)
    assert "走访群众 2 次" in page and "调研 1 次" in page
    assert "听证会" not in page and "缺席" not in page and "视察" not in page  # no absences, not the open year
    assert "积分" not in page and "13800001111" not in page


def test_a_deputy_with_no_past_years_shows_no_duty_history(client, world):
    assert "历年履职情况" not in client.get(f"/d/{world.deputy.public_code}").content.decode()


@pytest.fixture
def report(world, personas, regions, make_user):
    """A 述职 meeting where 沈建国 and 钱立新 reported (signed in) and 杨小梅 was invited but did not come."""
    others = []
    for name, username in (("钱立新", "deputy2"), ("杨小梅", "deputy3")):
        user = make_user(username, Role.DEPUTY, regions.deqing)
        deputy = Deputy.objects.create(name=name, gender="male", user=user)
        Mandate.objects.create(
            deputy=deputy,
            level=MandateLevel.COUNTY,
            congress_region=regions.deqing,
            term=17,
            district_region=regions.jueren,
        )
        others.append((deputy, user))
    meeting = activity(personas, regions, "report", "向居仁社区选民述职", [world.deputy] + [d for d, _ in others])
    services.attendance_sign_in(actor=personas.deputy, code=meeting.signin_code)
    services.attendance_sign_in(actor=others[0][1], code=meeting.signin_code)
    meeting.second, meeting.absent = others[0][0], others[1][0]
    return meeting


def evaluation_form(client, url, deputy, **fields):
    token, captcha_token, answer = solve_captcha(client.get(url).content.decode())
    data = {
        "deputy": str(deputy.pk),
        "rating": "satisfied",
        "comment": "走访多，办实事。",
        "captcha": answer,
        "captcha_token": captcha_token,
        "form_token": token,
        "website": "",
    }
    data.update(fields)
    return data


def test_a_voter_evaluates_a_deputy_who_reported_and_the_result_is_on_the_record(client, world, report):
    url = f"/duties/evaluate/{report.signin_code}/"
    page = client.get(url).content.decode()
    assert "向居仁社区选民述职" in page and "沈建国" in page and "钱立新" in page
    assert "杨小梅" not in page  # invited, but did not report
    response = client.post(url, evaluation_form(client, url, world.deputy, rating="basic"))
    assert response.status_code == 200 and "评议已提交" in response.content.decode()
    assert "钱立新" in response.content.decode()  # the other deputy may still be evaluated
    evaluation = VoterEvaluation.objects.get()
    assert (evaluation.deputy, evaluation.rating, evaluation.comment) == (world.deputy, "basic", "走访多，办实事。")
    record = duty_record_collect(deputy=world.deputy, year=timezone.localdate().year)
    assert record.evaluations == {"basic": 1}


def test_a_double_tap_is_one_evaluation_and_the_same_browser_cannot_evaluate_the_same_deputy_twice(
    client, world, report
):
    url = f"/duties/evaluate/{report.signin_code}/"
    data = evaluation_form(client, url, world.deputy)
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 200  # the same form again: thanked, not counted
    assert VoterEvaluation.objects.count() == 1
    again = client.post(url, evaluation_form(client, url, world.deputy))
    assert again.status_code == 400 and "您已评议过这位代表的本次述职" in again.content.decode()
    assert client.post(url, evaluation_form(client, url, report.second)).status_code == 200
    assert VoterEvaluation.objects.count() == 2


def test_bots_wrong_answers_and_absent_deputies_are_refused_without_a_row(client, world, report):
    url = f"/duties/evaluate/{report.signin_code}/"
    assert client.post(url, evaluation_form(client, url, world.deputy, website="http://spam")).status_code == 400
    wrong = evaluation_form(client, url, world.deputy)
    wrong["captcha"] = str(int(wrong["captcha"]) + 1)
    response = client.post(url, wrong)
    assert response.status_code == 400 and "答案不对" in response.content.decode()
    assert client.post(url, evaluation_form(client, url, report.absent)).status_code == 400
    assert client.post(url, evaluation_form(client, url, world.deputy, rating="great")).status_code == 400
    assert not VoterEvaluation.objects.exists()


def test_evaluations_are_rate_limited_per_address(client, world, report, settings):
    settings.PORTAL_RATE_EVALUATE_IP = (1, 3600)
    url = f"/duties/evaluate/{report.signin_code}/"
    assert client.post(url, evaluation_form(client, url, world.deputy)).status_code == 200
    response = client.post(url, evaluation_form(client, url, report.second))
    assert response.status_code == 429 and "提交太频繁" in response.content.decode()
    assert VoterEvaluation.objects.count() == 1


def test_only_a_report_meetings_current_code_opens_the_form(client, world, personas, regions, report):
    visit = activity(personas, regions, "visit", "走访", [world.deputy])
    assert client.get(f"/duties/evaluate/{visit.signin_code}/").status_code == 404
    assert client.get("/duties/evaluate/nosuchcode/").status_code == 404
    old = report.signin_code
    services.activity_signin_code_renew(actor=personas.county_staff, activity=report)
    assert client.get(f"/duties/evaluate/{old}/").status_code == 404
    cancelled = activity(personas, regions, "report", "述职会", [world.deputy], starts_in=datetime.timedelta(days=3))
    services.activity_cancel(actor=personas.county_staff, activity=cancelled, reason="改期")
    assert client.get(f"/duties/evaluate/{cancelled.signin_code}/").status_code == 404
