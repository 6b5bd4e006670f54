import re

import pytest

from lianxin.accounts.models import SavedView
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import CaseEvent, Status
from lianxin.core.models import AuditEvent
from lianxin.office.tests import case_world

world, at_now = case_world.world, case_world.at_now  # fixtures

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<td class="code">(\w+)</td>', response.content.decode())


def test_the_list_shows_the_township_clerks_cases_only(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    shown = codes(client.get("/office/cases/"))
    assert len(shown) == 6
    assert world.outside.receipt_code not in shown
    client.force_login(personas.outsider)
    assert codes(client.get("/office/cases/")) == [world.outside.receipt_code]


def test_a_row_reads_in_chinese_with_its_deadline_and_unit(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    html = client.get("/office/cases/").content.decode()
    row = html.split(world.overdue.receipt_code, 1)[1].split("</tr>", 1)[0]
    assert f'<a href="/office/cases/{world.overdue.pk}/">{world.overdue.title}</a>' in row  # the case page
    assert "居仁社区居委会" in row and "交通运输" in row and "已交办" in row and "县交通运输局" in row
    assert "2026-02-25" in row and "已超期" in row
    assert (
        f'<tr class="overdue">\n      <td class="pick"><input type="checkbox" name="ids" value="{world.overdue.pk}"'
        in html
    )


def test_a_region_outside_the_scope_filters_nothing_and_says_so(client, personas, world, at_now, regions):
    client.force_login(personas.township_staff)
    response = client.get("/office/cases/", {"region": regions.qianyuan.code})
    assert codes(response) == []
    assert "选择一个有效的选项" in response.content.decode()  # not among the offered regions: nothing leaks


def test_filters_narrow_the_list(client, personas, world, at_now, regions):
    client.force_login(personas.county_staff)
    get = lambda **params: set(codes(client.get("/office/cases/", params)))  # noqa: E731
    assert get(region=regions.qianyuan.code) == {world.outside.receipt_code}
    assert get(status=Status.SUPERVISING) == {world.supervising.receipt_code}
    assert get(unit=world.unit.pk) == {
        c.receipt_code for c in (world.due_soon, world.overdue, world.supervising, world.to_feed_back)
    }
    assert get(q="斑马线") == {world.to_transfer.receipt_code}
    assert get(q=world.to_accept.receipt_code.lower()) == {world.to_accept.receipt_code}
    assert get(category="transport", status=Status.ACCEPTED) == {world.to_transfer.receipt_code}
    assert get(date_from="2026-02-01", date_to="2026-02-28") == {world.overdue.receipt_code}
    assert get(channel="hotline") == set()
    assert get(bucket="overdue", region=regions.wukang.code) == {world.overdue.receipt_code}
    response = client.get("/office/cases/", {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert codes(response) == [] and "结束日期不能早于开始日期" in response.content.decode()


def test_the_deadline_queues_open_with_the_soonest_deadline_first(client, personas, world, at_now):
    client.force_login(personas.county_staff)
    assert 'href="/office/cases/?bucket=overdue&amp;sort=due"' in client.get("/office/").content.decode()
    shown = codes(client.get("/office/cases/", {"sort": "due"}))
    assert shown[0] == world.overdue.receipt_code  # due 25 February
    assert set(shown[1:3]) == {world.to_accept.receipt_code, world.outside.receipt_code}  # acceptance due tonight
    assert set(shown[3:5]) == {world.due_soon.receipt_code, world.to_feed_back.receipt_code}  # due tomorrow
    assert shown[5:] == [world.supervising.receipt_code, world.to_transfer.receipt_code]  # 31 March, then none


def test_the_list_pages_by_fifty(client, personas, world, at_now):
    for i in range(50):  # the township has 6 already
        case_world.case_register(
            actor=None,
            draft=CaseDraft(channel="online", title=f"测试意见{i}", body="内容", region=world.to_accept.region),
        )
    client.force_login(personas.township_staff)
    first = client.get("/office/cases/")
    assert len(codes(first)) == 50 and "第 1 / 2 页" in first.content.decode()
    assert len(codes(client.get("/office/cases/", {"page": 2}))) == 6


def test_the_list_costs_the_same_few_queries_at_any_size(
    client, personas, world, at_now, django_assert_max_num_queries
):
    client.force_login(personas.county_staff)
    client.get("/office/cases/")
    with django_assert_max_num_queries(14):
        assert len(codes(client.get("/office/cases/"))) == 7


def test_a_saved_view_round_trip(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    response = client.post("/office/cases/views/", {"name": "我的超期件", "query": "bucket=overdue&page=3&q="})
    assert response.status_code == 302 and response["Location"] == "/office/cases/?bucket=overdue"
    view = SavedView.objects.get(owner=personas.township_staff)
    assert (view.page, view.name, view.query) == ("cases", "我的超期件", "bucket=overdue")
    audit = AuditEvent.objects.get(action="saved_view.save", object_id=str(view.pk))
    assert audit.actor == personas.township_staff
    html = client.get("/office/cases/").content.decode()
    assert '<a href="/office/cases/?bucket=overdue">我的超期件</a>' in html
    assert codes(client.get("/office/cases/?bucket=overdue")) == [world.overdue.receipt_code]
    # The same name again replaces the filters.
    client.post("/office/cases/views/", {"name": "我的超期件", "query": "status=supervising"})
    assert SavedView.objects.get(pk=view.pk).query == "status=supervising"
    client.get("/office/cases/")  # shows (and so consumes) the "saved" notice
    # Private: another person neither sees it nor deletes it.
    client.force_login(personas.outsider)
    assert "我的超期件" not in client.get("/office/cases/").content.decode()
    client.post(f"/office/cases/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()
    client.force_login(personas.township_staff)
    client.post(f"/office/cases/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert AuditEvent.objects.filter(action="saved_view.delete", object_id=str(view.pk)).count() == 1


def test_a_saved_view_needs_a_name(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    response = client.post("/office/cases/views/", {"name": " ", "query": "bucket=overdue"}, follow=True)
    assert "视图名称: 不能为空" in response.content.decode()
    assert not SavedView.objects.exists()


def test_bulk_accept_goes_through_the_workflow_case_by_case(client, personas, world, at_now, make_user):
    second = case_world.case_register(
        actor=None,
        draft=CaseDraft(channel="online", title="小区门口垃圾桶满了", body="没人清运", region=world.to_accept.region),
    ).case
    client.force_login(personas.township_staff)
    ids = [world.to_accept.pk, second.pk, world.to_transfer.pk, world.outside.pk, 999999]
    response = client.post(
        "/office/cases/bulk/",
        {"action": "accept", "ids": ids, "category": "transport", "note": "批量受理", "back": "bucket=to_accept"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "批量受理：成功 2 件，未执行 3 件" in html
    assert "当前状态“已受理”下不能“受理”" in html
    assert html.count("未找到该对象，或不在您的管辖范围内") == 2  # the other township's case and a missing id alike
    assert world.outside.title not in html and world.outside.receipt_code not in html
    assert 'href="/office/cases/?bucket=to_accept"' in html
    for case in (world.to_accept, second):
        case.refresh_from_db()
        assert case.status == Status.ACCEPTED and case.category.code == "transport"
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.action, event.actor, event.note) == ("accept", personas.township_staff, "批量受理")
    world.outside.refresh_from_db()
    assert world.outside.status == Status.REGISTERED
    assert not CaseEvent.objects.filter(case=world.outside, action="accept").exists()


def test_bulk_transfer_needs_a_unit_and_sets_it(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    response = client.post("/office/cases/bulk/", {"action": "transfer", "ids": [world.to_transfer.pk]}, follow=True)
    assert "交办须选择承办单位" in response.content.decode()
    world.to_transfer.refresh_from_db()
    assert world.to_transfer.status == Status.ACCEPTED
    response = client.post(
        "/office/cases/bulk/", {"action": "transfer", "ids": [world.to_transfer.pk], "unit": world.unit.pk}
    )
    assert "批量交办：成功 1 件" in response.content.decode()
    world.to_transfer.refresh_from_db()
    assert (world.to_transfer.status, world.to_transfer.unit) == (Status.TRANSFERRED, world.unit)
    assert CaseEvent.objects.filter(case=world.to_transfer, action="transfer").count() == 1


def test_a_unit_handler_gets_no_bulk_form_and_cannot_bulk_accept(client, personas, world, at_now):
    client.force_login(personas.unit_handler)
    html = client.get("/office/cases/").content.decode()
    assert world.due_soon.receipt_code in html and 'id="bulk"' not in html and 'name="ids"' not in html
    response = client.post("/office/cases/bulk/", {"action": "accept", "ids": [world.to_accept.pk]})
    assert "成功 0 件，未执行 1 件" in response.content.decode()
    world.to_accept.refresh_from_db()
    assert world.to_accept.status == Status.REGISTERED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("no_role", 403),
        ("deputy", 403),
        ("grid_worker", 403),
        ("place_staff", 200),
        ("unit_handler", 200),
        ("township_staff", 200),
        ("county_staff", 200),
    ],
)
@pytest.mark.parametrize("url", ["/office/", "/office/cases/", "/office/cases/?bucket=overdue&sort=due"])
def test_who_may_open_the_home_and_the_list(client, personas, persona, status, url):
    client.force_login(getattr(personas, persona))
    assert client.get(url).status_code == status


def test_the_writes_refuse_get_and_anonymous_visitors(client, personas, world):
    assert client.post("/office/cases/bulk/", {"action": "accept", "ids": [world.to_accept.pk]}).status_code == 302
    world.to_accept.refresh_from_db()
    assert world.to_accept.status == Status.REGISTERED
    client.force_login(personas.township_staff)
    assert client.get("/office/cases/bulk/").status_code == 405
    assert client.get("/office/cases/views/").status_code == 405
