# ruff: noqa: F811  (the `world` and `handled` fixtures are imported from the suggestions app's tests and named by each test)
"""建议办理统计 (/office/suggestions/stats/): the figures of a small known world per unit, level and session, the
filters, the target mark, who may open it, and the export as a long job."""

import re

import pytest

from lianxin.core.models import AuditEvent
from lianxin.ops.models import JobStatus, LongJob
from lianxin.suggestions.tests.conftest import world  # noqa: F401  (fixture)
from lianxin.suggestions.tests.test_reports import handled  # noqa: F401  (fixture: four suggestions handled)

pytestmark = pytest.mark.django_db

URL = "/office/suggestions/stats/"


def table(response) -> dict[str, list[str]]:
    """{row label: its cells} of the statistics table, the total included."""
    html = response.content.decode()
    body = html.split('id="stats"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]:
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)).strip()
        rows[label] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


def test_staff_see_the_figures_per_unit_with_rates_and_the_target_marked(client, personas, world, handled):
    client.force_login(personas.county_staff)
    response = client.get(URL)
    assert response.status_code == 200
    # 交办, 已答复, 按期答复率, A, B, C, 办前联系率, 已评价, 满意率, 重新办理
    assert table(response) == {
        "县交通运输局": ["2", "1", "100.0%", "100.0%", "0.0%", "0.0%", "100.0%", "1", "100.0%", "0"],
        "县住建局": ["1", "1", "0.0%", "0.0%", "100.0%", "0.0%", "0.0%", "1", "0.0%（未达95%）", "1"],
        "合计": ["3", "2", "50.0%", "50.0%", "50.0%", "0.0%", "50.0%", "2", "50.0%（未达95%）", "1"],
    }
    html = response.content.decode()
    assert html.count('class="below-target"') == 2
    assert f"<strong>{world.session.pk}</strong> {world.session.name}" in html


def test_the_tabs_group_by_level_and_session_and_keep_the_filters(client, personas, world, handled):
    client.force_login(personas.county_staff)
    by_level = client.get(URL, {"by": "level", "year": 2026})
    assert list(table(by_level)) == ["县级", "合计"]
    assert 'href="?year=2026&amp;by=session"' in by_level.content.decode()
    by_session = client.get(URL, {"by": "session", "session": world.session.pk})
    assert table(by_session)[world.session.name][0] == "3"
    empty = client.get(URL, {"year": 2025})
    assert 'id="no-stats"' in empty.content.decode() and 'id="stats"' not in empty.content.decode()


def test_only_congress_staff_open_it_and_a_session_outside_their_scope_is_not_found(client, personas, world, handled):
    assert client.get(URL).status_code == 302  # to the staff login
    for user in (personas.unit_handler, personas.deputy):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.force_login(personas.outsider)  # township staff of 乾元镇: the county's session is not theirs
    response = client.get(URL)
    assert response.status_code == 200 and 'id="no-stats"' in response.content.decode()
    assert world.session.name not in response.content.decode()
    assert client.get(URL, {"session": world.session.pk}).status_code == 404
    assert client.post(URL + "export/", {"session": world.session.pk}).status_code == 404
    assert not LongJob.objects.exists()


def test_the_export_button_starts_the_statistics_job_with_the_filters_and_opens_its_page(
    client, personas, world, handled
):
    client.force_login(personas.county_staff)
    page = client.get(URL, {"session": world.session.pk, "year": 2026}).content.decode()
    assert f'<input type="hidden" name="session" value="{world.session.pk}">' in page
    response = client.post(URL + "export/", {"session": world.session.pk, "year": 2026})
    job = LongJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/jobs/{job.pk}/"
    assert job.kind == "suggestions_stats_export" and job.status == JobStatus.QUEUED
    assert job.params == {"session": world.session.pk, "region": world.session.congress_region.code, "year": 2026}
    assert job.owner == personas.county_staff
    assert AuditEvent.objects.filter(action="longjob.start", object_id=str(job.pk)).exists()


def test_the_suggestions_list_links_to_the_statistics_for_staff_only(client, personas, world, handled):
    client.force_login(personas.county_staff)
    assert 'id="stats-link"' in client.get("/office/suggestions/").content.decode()
    client.force_login(personas.unit_handler)
    assert 'id="stats-link"' not in client.get("/office/suggestions/").content.decode()
