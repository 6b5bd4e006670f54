"""The demo's supervision (issue 19): three items of the county with their groups and a full record (one evaluated,
one reported late), two 约见 (one followed up), a 直通车; written through the services, so every step left its event
and audit row. Uses the package's one seed (conftest.py)."""

from lianxin.core.models import AuditEvent
from lianxin.duties.models import ActivityKind, ActivityStatus
from lianxin.supervision.models import (
    DirectLine,
    ItemStatus,
    Meeting,
    MeetingStatus,
    RecordKind,
    SupervisionEvent,
    SupervisionItem,
)
from lianxin.supervision.services import evaluation_result, item_member_ids


def test_three_items_with_groups_and_a_full_record(county):
    items = {i.title: i for i in SupervisionItem.objects.filter(region=county)}
    assert len(items) == 3
    housing = items["城镇老旧小区改造工作监督"]
    assert housing.status == ItemStatus.EVALUATED
    kinds = list(housing.records.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        RecordKind.PLAN,
        RecordKind.INSPECTION,
        RecordKind.FINDING,
        RecordKind.OPINIONS,
        RecordKind.REPORT,
        RecordKind.EVALUATION,
    ]
    inspection = housing.records.get(kind=RecordKind.INSPECTION).activity
    assert inspection.kind == ActivityKind.INSPECTION and inspection.status == ActivityStatus.HELD
    assert inspection.attendances.count() == len(item_member_ids(housing))
    result = evaluation_result(housing)
    assert result["total"] == len(item_member_ids(housing)) and result["passed"]
    assert housing.item_groups.filter(is_lead=True).count() == 1
    food = items["《中华人民共和国食品安全法》执法检查"]
    assert (food.status, food.report_late) == (ItemStatus.REPORTED, True)
    assert food.records.get(kind=RecordKind.LAW_CHECK).activity.kind == ActivityKind.LAW_CHECK
    water = next(
        i for t, i in items.items() if t not in ("城镇老旧小区改造工作监督", "《中华人民共和国食品安全法》执法检查")
    )
    assert water.status == ItemStatus.ONGOING
    assert SupervisionEvent.objects.filter(item=housing).count() >= 8
    assert AuditEvent.objects.filter(action="supervision.evaluation_close", object_id=str(housing.pk)).exists()


def test_two_meetings_and_a_direct_line(county):
    meetings = list(Meeting.objects.filter(region=county).order_by("id"))
    assert [m.status for m in meetings] == [MeetingStatus.FOLLOWED_UP, MeetingStatus.REQUESTED]
    assert meetings[0].activity is not None and meetings[0].activity.status == ActivityStatus.HELD
    assert meetings[1].deputies.filter(user__username="deputy").exists()
    line = DirectLine.objects.get()
    assert line.suggestion.status == "assigned" and line.suggestion.lead_deputy.user.username == "deputy"
