# ruff: noqa: F811  (the `duty` fixture is imported from the duties app's conftest and named by each test)
"""履职档案公开 (issue 17): a congress publishes its deputies' duty records of a past year, and only then does the
year appear on a deputy's public page, in the public form (counts, no personal data). Publishing is idempotent and
audited, refused for a year not yet ended and for staff outside the congress's region; the office's scores page
publishes and withdraws."""

import datetime
import re

import pytest
import time_machine

from lianxin.cases.services import reception_start
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.duties import services
from lianxin.duties.models import RecordPublication
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def at(moment: str):
    return time_machine.travel(datetime.datetime.fromisoformat(moment).replace(tzinfo=CHINA), tick=False)


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=f"duties.{action}").count()


def publish(actor, region, year, level="county"):
    return services.record_publish(actor=actor, region=region, level=level, year=year, today=TODAY)


# --- the services --------------------------------------------------------------------------------------------------


def test_a_past_year_is_published_once_and_withdrawn_once_each_audited(duty, personas, regions):
    first = publish(personas.county_staff, regions.deqing, 2025)
    again = publish(personas.county_staff, regions.deqing, 2025)
    assert again.pk == first.pk and RecordPublication.objects.count() == 1
    assert (first.region, first.level, first.year, first.published_by) == (
        regions.deqing,
        "county",
        2025,
        personas.county_staff,
    )
    [event] = AuditEvent.objects.filter(action="duties.record_publish")  # the second publish wrote nothing
    assert event.actor == personas.county_staff and event.changes == {"level": "county", "year": 2025}
    assert event.region_path == regions.deqing.path

    assert services.record_unpublish(actor=personas.county_staff, region=regions.deqing, level="county", year=2025)
    assert not services.record_unpublish(actor=personas.county_staff, region=regions.deqing, level="county", year=2025)
    assert not RecordPublication.objects.exists() and audits("record_unpublish") == 1


def test_a_year_that_has_not_ended_cannot_be_published(duty, personas, regions):
    for year in (2026, 2027):
        with pytest.raises(DomainError) as refused:
            publish(personas.county_staff, regions.deqing, year)
        assert refused.value.code == "record_year_open" and refused.value.field == "year"
        assert f"{year}年度尚未结束" in refused.value.message
    with at("2026-12-31T23:30:00"), pytest.raises(DomainError, match="尚未结束"):
        services.record_publish(actor=personas.county_staff, region=regions.deqing, level="county", year=2026)
    assert not RecordPublication.objects.exists() and audits("record_publish") == 0


def test_a_township_clerk_cannot_publish_a_county_congresss_records_but_may_publish_their_townships(
    duty, personas, regions
):
    for actor in (personas.township_staff, personas.outsider, personas.deputy, personas.place_staff):
        with pytest.raises(PermissionDenied, match="只有德清县人大的工作人员"):
            publish(actor, regions.deqing, 2025)
    with pytest.raises(PermissionDenied):
        services.record_unpublish(actor=personas.township_staff, region=regions.deqing, level="county", year=2025)
    assert not RecordPublication.objects.exists() and audits("record_publish") == 0

    own = publish(personas.township_staff, regions.wukang, 2025, level="township")
    assert (own.region, own.level) == (regions.wukang, "township")
    with pytest.raises(DomainError, match="不是可选的层级"):
        publish(personas.county_staff, regions.deqing, 2025, level="galaxy")


# --- the deputy's public page --------------------------------------------------------------------------------------


@pytest.fixture
def two_years(duty, personas, regions):
    """沈建国 (a county deputy of 德清 with a phone, an ID number and an address on file) visited in 2024 and in 2025,
    missed a hearing in 2025 and received voters once in 2025. The page is read on 2026-03-01."""
    deputy = duty.first
    deputy.phone, deputy.id_number, deputy.address = "13905721234", "330521198001011234", "武康街道英溪南路88号"
    deputy.save(update_fields=["phone", "id_number", "address"])
    for year in (2024, 2025):
        with at(f"{year}-06-10T10:00:00"):
            visit = duty.activity(starts_in=datetime.timedelta(minutes=-30), title=f"{year}年走访困难家庭")
            services.attendance_sign_in(actor=personas.deputy, code=visit.signin_code)
    with at("2025-09-10T10:00:00"):
        hearing = duty.activity(kind="hearing", starts_in=datetime.timedelta(minutes=-30), title="物业条例听证会")
        services.activity_mark_held(actor=personas.county_staff, activity=hearing)  # absent
        reception_start(actor=personas.county_staff, deputy=deputy, kind="mobile", region=regions.jueren)
    return deputy


def page(client, deputy) -> str:
    with at("2026-03-01T10:00:00"):
        response = client.get(f"/d/{deputy.public_code}")
    assert response.status_code == 200
    return response.content.decode()


def year_block(html: str, year: int) -> str:
    match = re.search(rf'<details[^>]*id="duty-year-{year}".*?</details>', html, re.S)
    return match.group(0) if match else ""


def test_only_the_years_the_deputys_congress_published_are_on_the_public_page(
    client, duty, personas, regions, two_years
):
    assert "历年履职情况" not in page(client, two_years)  # nothing published yet

    publish(personas.county_staff, regions.deqing, 2025)
    publish(personas.city_staff, regions.anji, 2024)  # a congress he never served in: not his record
    publish(personas.township_staff, regions.wukang, 2024, level="township")  # nor a township congress
    html = page(client, two_years)

    shown = year_block(html, 2025)
    assert shown and "德清县人大公开" in shown
    assert re.search(r"参加履职活动</dt><dd>1 次", shown) and re.search(r"接待选民</dt><dd>1 次", shown)
    assert "走访群众 1 次" in shown and "领衔建议</dt><dd>0 件" in shown
    assert year_block(html, 2024) == "" and "2024年走访" not in html
    # Counts only: no personal data, no absence, no activity titles, no scores.
    for private in ("13905721234", "330521198001011234", "英溪南路", "听证会", "缺席", "积分", "2025年走访困难家庭"):
        assert private not in html, private

    services.record_unpublish(actor=personas.county_staff, region=regions.deqing, level="county", year=2025)
    assert year_block(page(client, two_years), 2025) == ""


def test_a_published_year_before_the_deputys_mandate_is_not_shown(client, duty, personas, regions, two_years):
    two_years.mandates.update(started_on=datetime.date(2025, 1, 1))
    publish(personas.county_staff, regions.deqing, 2024)
    publish(personas.county_staff, regions.deqing, 2025)
    html = page(client, two_years)
    assert year_block(html, 2025) and not year_block(html, 2024)


# --- the office's scores page --------------------------------------------------------------------------------------


def test_staff_publish_and_withdraw_from_the_scores_page_which_shows_the_state(client, duty, personas, regions):
    client.force_login(personas.county_staff)
    url = "/office/duties/scores/"
    with at("2026-03-01T10:00:00"):
        html = client.get(url).content.decode()
        row = re.search(r'<tr data-congress="德清县人大（县级）">.*?</tr>', html, re.S).group(0)
        assert 'data-year="2025"' in row and "未公开" in row and "公开履职档案" in row
        assert 'data-year="2026"' not in row  # the year still open is not offered
        assert '<tr data-congress="武康街道人大（乡镇级）">' in html  # the township congress of its scope too

        congress = f"{regions.deqing.pk}-county"
        response = client.post(
            url + "publication/", {"congress": congress, "year": "2025", "publish": "1", "back": url}, follow=True
        )
        assert "已公开德清县人大（县级）代表的2025年度履职档案" in [str(m) for m in response.context["messages"]]
        assert RecordPublication.objects.filter(region=regions.deqing, level="county", year=2025).exists()
        row = re.search(r'<tr data-congress="德清县人大（县级）">.*?</tr>', response.content.decode(), re.S).group(0)
        assert "已公开" in row and "撤回公开" in row

        client.post(url + "publication/", {"congress": congress, "year": "2025", "publish": "0", "back": url})
        assert not RecordPublication.objects.exists()
        assert audits("record_publish") == audits("record_unpublish") == 1


def test_a_township_clerk_posting_for_the_county_congress_gets_a_404_and_nothing_is_written(
    client, duty, personas, regions
):
    client.force_login(personas.township_staff)
    with at("2026-03-01T10:00:00"):
        html = client.get("/office/duties/scores/").content.decode()
        assert "德清县人大（县级）" not in html and '<tr data-congress="武康街道人大（乡镇级）">' in html
        response = client.post(
            "/office/duties/scores/publication/",
            {"congress": f"{regions.deqing.pk}-county", "year": "2025", "publish": "1"},
        )
    assert response.status_code == 404
    assert not RecordPublication.objects.exists() and audits("record_publish") == 0


def test_publishing_the_current_year_from_the_page_says_why_and_writes_nothing(client, duty, personas, regions):
    client.force_login(personas.county_staff)
    with at("2026-03-01T10:00:00"):
        response = client.post(
            "/office/duties/scores/publication/",
            {"congress": f"{regions.deqing.pk}-county", "year": "2026", "publish": "1"},
            follow=True,
        )
    assert response.status_code == 200
    assert any("2026年度尚未结束" in str(m) for m in response.context["messages"])
    assert not RecordPublication.objects.exists()
