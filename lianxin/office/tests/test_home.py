import re

import pytest

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import CaseEvent
from lianxin.cases.queues import QUEUES, queue_cases, queue_counts
from lianxin.office.tests import case_world

world, at_now = case_world.world, case_world.at_now  # fixtures

pytestmark = pytest.mark.django_db


def cards(response) -> dict[str, int]:
    """{bucket: count} as the home shows them."""
    html = response.content.decode()
    found = re.findall(
        r'data-bucket="(\w+)">\s*<span class="todo-label">[^<]*</span>\s*<strong class="todo-count">(\d+)', html
    )
    return {key: int(count) for key, count in found}


def listed(client, bucket: str) -> set[str]:
    """The receipt codes the case list shows for a bucket (all on one page here)."""
    response = client.get("/office/cases/", {"bucket": bucket})
    assert response.status_code == 200
    return set(re.findall(r'<td class="code">(\w+)</td>', response.content.decode()))


def test_township_staff_see_the_counts_of_their_township(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    counts = cards(client.get("/office/"))
    assert counts == {
        "to_accept": 1,
        "to_transfer": 1,
        "due_soon": 3,  # the acceptance due tonight, a reply due tomorrow, a feedback due tomorrow
        "overdue": 1,
        "supervising": 1,
        "to_feed_back": 1,
        "triage": 1,
        "hotspot": 0,
    }


def test_each_count_is_the_length_of_the_list_it_opens(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    counts = cards(client.get("/office/"))
    assert counts
    for bucket, count in counts.items():
        assert len(listed(client, bucket)) == count, bucket
    assert listed(client, "overdue") == {world.overdue.receipt_code}
    assert listed(client, "due_soon") == {
        world.to_accept.receipt_code,
        world.due_soon.receipt_code,
        world.to_feed_back.receipt_code,
    }
    assert listed(client, "triage") == {world.to_accept.receipt_code}


def test_a_township_clerk_does_not_count_another_townships_cases(client, personas, world, at_now):
    client.force_login(personas.outsider)
    counts = cards(client.get("/office/"))
    assert counts["to_accept"] == 1
    assert listed(client, "to_accept") == {world.outside.receipt_code}
    assert sum(counts.values()) == 2  # the same case is due tonight too
    assert listed(client, "due_soon") == {world.outside.receipt_code}


def test_a_unit_handler_sees_the_queues_of_their_unit_only(client, personas, world, at_now):
    client.force_login(personas.unit_handler)
    counts = cards(client.get("/office/"))
    assert counts == {"to_reply": 2 + 1, "due_soon": 2, "overdue": 1, "supervising": 1}
    assert listed(client, "to_reply") == {
        world.due_soon.receipt_code,
        world.overdue.receipt_code,
        world.supervising.receipt_code,
    }
    # No triage to do: the bucket is not offered, and asking for it lists nothing.
    assert listed(client, "triage") == set()
    assert "待办: " in client.get("/office/cases/", {"bucket": "triage"}).content.decode()
    assert world.to_accept.receipt_code not in listed(client, "")


def test_recent_activity_names_the_steps_in_chinese_within_scope(client, personas, world, at_now):
    client.force_login(personas.township_staff)
    html = client.get("/office/").content.decode()
    activity = html.split('id="activity-title"', 1)[1]
    assert "登记" in activity and "交办" in activity and "答复" in activity
    assert "follow_master" not in activity and ">register<" not in activity
    assert world.outside.title not in activity
    client.force_login(personas.outsider)
    activity = client.get("/office/").content.decode().split('id="activity-title"', 1)[1]
    assert world.outside.title in activity
    assert world.to_accept.title not in activity
    assert CaseEvent.objects.filter(case=world.outside).count() == 1


def test_the_home_costs_the_same_few_queries_however_many_cases(
    client, personas, world, at_now, django_assert_max_num_queries
):
    client.force_login(personas.township_staff)
    client.get("/office/")  # sessions, the calendar's cache
    with django_assert_max_num_queries(16):
        client.get("/office/")


def test_common_problem_candidates_are_counted_and_listed_alike_and_leave_both_when_merged(
    client, personas, world, at_now
):
    from lianxin.routing.services import hotspot_merge

    texts = [
        ("居仁社区三号楼门口停车难", "居仁社区三号楼门口车辆乱停，消防通道被堵，停车非常困难。"),
        ("反映居仁社区三号楼停车难", "居仁社区三号楼门口每天晚上车辆乱停乱放，消防通道堵死，停车难。"),
        ("居仁社区三号楼门口停车难问题", "居仁社区三号楼门口停车难，车辆乱停，消防通道被占。"),
    ]
    parked = [
        case_world.case_register(
            actor=None,
            draft=CaseDraft(channel="online", title=t, body=b, region=world.to_accept.region, category=world.category),
        ).case
        for t, b in texts
    ]
    client.force_login(personas.township_staff)
    assert cards(client.get("/office/"))["hotspot"] == 3
    assert listed(client, "hotspot") == {c.receipt_code for c in parked}
    client.force_login(personas.outsider)
    assert cards(client.get("/office/"))["hotspot"] == 0

    hotspot_merge(actor=personas.township_staff, master=parked[0], cases=parked)
    client.force_login(personas.township_staff)
    # Still within the minutes the candidates are kept: the merged cases have left the count and the list.
    assert cards(client.get("/office/"))["hotspot"] == 1
    assert listed(client, "hotspot") == {parked[0].receipt_code}


@pytest.mark.parametrize("persona", ["county_staff", "township_staff", "outsider", "unit_handler", "admin"])
def test_the_one_query_counts_are_each_queues_own_count(personas, world, at_now, persona):
    user = getattr(personas, persona)
    counts = queue_counts(user=user)
    assert counts
    for key, count in counts.items():
        assert count == queue_cases(user=user, key=key).count(), key
    assert set(QUEUES) >= set(counts)
