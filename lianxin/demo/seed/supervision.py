"""The demo county's 监督事项与监督组、约见与直通车 (issue 19). Written through the app's services, as staff, the deputies
and the departments would, on a patched clock (as the duties seed does) so that each step has its day:

- 城镇老旧小区改造工作监督 (县住建局, the demo `unit` account's): the whole record — plan, an inspection held with
  its attendance, findings, opinions, the report in time, the evaluation (the demo deputy on the phone, the others
  on paper) counted: 已测评.
- 《中华人民共和国食品安全法》执法检查 (县市场监管局): a law check held, findings, opinions, the report sent after
  its deadline (迟交), awaiting evaluation.
- the year's drinking-water project (民生实事项目, 县水利局): planned, an inspection coming up.
- 约见: one held with the organ's follow-up, one the demo deputy asked for, awaiting arrangement.
- 直通车: the demo deputy's urgent interval suggestion, sent to 县交通运输局 three working days ago.
"""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.db.models import F, Max

from lianxin.accounts.models import User
from lianxin.cases.models import ResponsibleUnit
from lianxin.demo.seed.suggestions import CLIENT_KEY_PREFIX
from lianxin.deputies.models import Deputy, DeputyGroup, GroupKind
from lianxin.duties.models import Activity
from lianxin.duties.services import activity_mark_held, attendance_sign_in_by_hand
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.projects.models import Project
from lianxin.regions.models import Region
from lianxin.suggestions.models import Session, SessionKind
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.supervision import services
from lianxin.supervision.models import (
    DirectLine,
    ItemGroup,
    ItemRecord,
    ItemVote,
    Meeting,
    SupervisionEvent,
    SupervisionItem,
)
from lianxin.workdays.calendar import CHINA, add_workdays, is_workday

COUNTY_CODE = "330521000000"


class Clock:
    def __init__(self) -> None:
        self.at = datetime.datetime(2000, 1, 1, tzinfo=CHINA)

    def __call__(self) -> datetime.datetime:
        return self.at

    def on(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        """Move the clock to `hour` on the working day `day` (or the one before)."""
        self.at = moment(day, hour)
        return self.at


def moment(day: datetime.date, hour: int) -> datetime.datetime:
    """A moment on the working day `day` (or the one before), without moving the clock."""
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CHINA)


@contextmanager
def _simulated_time(rng: random.Random) -> Iterator[Clock]:
    clock = Clock()
    field = Activity._meta.get_field("signin_code")

    def code() -> str:
        return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))

    with mock.patch("django.utils.timezone.now", clock), mock.patch.object(field, "_get_default", code):
        yield clock


def _held(staff: User, activity: Activity, rng: random.Random, clock: Clock, outcome: str) -> None:
    """Most invited deputies came (staff signed in those who did not scan); the others are absent."""
    clock.at = activity.starts_at + datetime.timedelta(minutes=30)
    for attendance in activity.attendances.select_related("deputy").order_by("deputy_id"):
        if rng.random() < 0.8:
            attendance_sign_in_by_hand(
                actor=staff, activity=activity, deputy=attendance.deputy, reason="现场签到表补录"
            )
    clock.at = activity.ends_at + datetime.timedelta(minutes=30)
    activity_mark_held(actor=staff, activity=activity, outcome=outcome)


def write_supervision(rng: random.Random, *, today: datetime.date) -> None:
    before = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    _write(rng, today=today)
    # The messages of that history (the 直通车's from the suggestions workflow too) were delivered at the time; nothing
    # of it is left for the worker to send.
    Notification.objects.filter(id__gt=before).update(
        status=NotificationStatus.SENT, sent_at=F("created_at"), attempts=1
    )


def _write(rng: random.Random, *, today: datetime.date) -> None:
    county = Region.objects.get(code=COUNTY_CODE)
    staff = User.objects.get(username="county")
    me = Deputy.objects.filter(user__username="deputy").select_related("user").first()
    units = {u.name: u for u in ResponsibleUnit.objects.filter(region=county)}
    groups = list(
        DeputyGroup.objects.filter(kind=GroupKind.SUPERVISION, region__path__startswith=county.path).order_by("id")
    )
    if not groups or "县住建局" not in units:
        return
    mine = [g for g in groups if me is not None and g.members.filter(pk=me.pk).exists()]
    year = today.year
    start = today - datetime.timedelta(days=150)

    def day(days_after_start: int) -> datetime.date:
        return start + datetime.timedelta(days=days_after_start)

    with _simulated_time(random.Random(rng.random())) as clock:
        clock.on(day(0), 9)
        # 1. The whole record, evaluated.
        lead = mine[0] if mine else groups[0]
        housing_groups = [lead, *[g for g in groups[1:3] if g != lead]]
        housing = services.item_create(
            actor=staff,
            region=county,
            year=year,
            title="城镇老旧小区改造工作监督",
            subject_kind="department",
            unit=units["县住建局"],
            plan="一、听取县住建局专项工作汇报；二、分组实地视察武康、乾元、新市老旧小区改造项目；"
            "三、常委会审议并提出审议意见；四、跟踪整改，组织满意度测评。",
            starts_on=day(0),
            ends_on=day(200),
            groups=housing_groups,
            lead_group=lead,
        )
        clock.on(day(20), 9)
        record = services.item_inspection_schedule(
            actor=staff,
            item=housing,
            kind="inspection",
            title="视察城镇老旧小区改造项目",
            starts_at=moment(day(30), 9),
            ends_at=moment(day(30), 12),
            location="武康街道永安街小区",
        )
        assert record.activity is not None
        _held(staff, record.activity, rng, clock, "实地察看 3 个小区，座谈听取居民意见 12 条。")
        clock.on(day(31), 15)
        services.item_record_add(
            actor=staff,
            item=housing,
            kind="finding",
            text="部分小区加装电梯推进缓慢；雨污分流改造后路面恢复不及时；长效管理机制尚未建立。",
        )
        clock.on(day(45), 10)
        services.item_opinions_send(
            actor=staff,
            item=housing,
            opinions="一、加快加装电梯审批与资金补助；二、施工后路面限期恢复；三、建立物业长效管理机制。",
            report_due=add_workdays(day(45), 40),
        )
        clock.on(day(80), 16)
        services.item_report_submit(
            actor=User.objects.filter(username="unit").first() or staff,
            item=housing,
            report="已完成加装电梯 26 台，路面恢复 4.2 公里，出台《老旧小区物业长效管理办法》。",
        )
        clock.on(day(90), 9)
        services.item_evaluation_open(actor=staff, item=housing)
        if me is not None and me.user is not None and me.pk in services.item_member_ids(housing):
            services.item_vote(actor=me.user, item=housing, verdict="satisfied")
        members = len(services.item_member_ids(housing))
        housing.refresh_from_db()
        left = members - housing.votes_total
        unsatisfied = min(left, max(1, left // 12))
        basic = min(left - unsatisfied, max(1, left // 4))
        clock.on(day(90), 11)
        if left > 0:
            services.item_paper_votes_add(
                actor=staff, item=housing, satisfied=left - basic - unsatisfied, basic=basic, unsatisfied=unsatisfied
            )
        services.item_evaluation_close(actor=staff, item=housing)

        # 2. A law check whose report came late.
        law_groups = groups[3:5] or groups[:1]
        market = units.get("县市场监管局") or units["县住建局"]
        clock.on(day(10), 9)
        food = services.item_create(
            actor=staff,
            region=county,
            year=year,
            title="《中华人民共和国食品安全法》执法检查",
            subject_kind="law",
            law_name="中华人民共和国食品安全法",
            unit=market,
            plan="检查校园及周边、农村集体聚餐、网络订餐的食品安全监管情况。",
            starts_on=day(10),
            ends_on=day(180),
            groups=law_groups,
        )
        clock.on(day(50), 9)
        check = services.item_inspection_schedule(
            actor=staff,
            item=food,
            kind="law_check",
            title="食品安全法执法检查（校园及周边）",
            starts_at=moment(day(55), 14),
            ends_at=moment(day(55), 17),
            location="县实验小学及周边",
        )
        assert check.activity is not None
        _held(staff, check.activity, rng, clock, "检查学校食堂 4 家、周边小餐饮 11 家。")
        clock.on(day(56), 10)
        services.item_record_add(
            actor=staff, item=food, kind="finding", text="部分周边小餐饮证照不全，农村集体聚餐备案率偏低。"
        )
        clock.on(day(60), 10)
        due = add_workdays(day(60), 30)
        services.item_opinions_send(
            actor=staff,
            item=food,
            opinions="一、开展校园周边食品安全专项整治；二、健全农村集体聚餐备案和指导制度。",
            report_due=due,
        )
        clock.on(due + datetime.timedelta(days=9), 15)
        services.item_report_submit(
            actor=staff, item=food, report="专项整治取缔无证摊点 9 个，农村集体聚餐备案率提升至 92%。"
        )

        # 3. A livelihood project, under way with an inspection to come.
        project = Project.objects.filter(region=county, year=year).order_by("number").first()
        water_groups = groups[5:7] or groups[:1]
        clock.on(today - datetime.timedelta(days=10), 10)
        water = services.item_create(
            actor=staff,
            region=county,
            year=year,
            title=f"{project.title if project else '农村饮用水达标提标'}项目监督",
            subject_kind="project" if project else "department",
            project=project,
            unit=(project.unit if project is not None and project.unit_id else None) or units.get("县水利局"),
            plan="跟踪项目进度，年中视察供水点，年底听取完成情况报告。",
            starts_on=today - datetime.timedelta(days=10),
            ends_on=today + datetime.timedelta(days=120),
            groups=water_groups,
        )
        services.item_inspection_schedule(
            actor=staff,
            item=water,
            kind="inspection",
            title="视察农村供水点改造",
            starts_at=datetime.datetime.combine(today + datetime.timedelta(days=12), datetime.time(9), tzinfo=CHINA),
            ends_at=datetime.datetime.combine(today + datetime.timedelta(days=12), datetime.time(11, 30), tzinfo=CHINA),
            location="乾元镇城东村供水站",
        )

        # 约见: one held and followed up, one awaiting arrangement (the demo deputy's).
        transport = units.get("县交通运输局") or units["县住建局"]
        asking = list(lead.members.order_by("id")[:3])
        clock.on(day(60), 10)
        held = services.meeting_request(
            actor=staff,
            organ=transport,
            organ_head="县交通运输局局长",
            subject="农村客运班线停运、群众出行难",
            detail="部分山区村客运班线停运，老人孩子出行困难。",
            proposed_at=moment(day(70), 9),
            deputies=asking,
        )
        clock.on(day(61), 10)
        services.meeting_arrange(
            actor=staff,
            meeting=held,
            scheduled_at=moment(day(70), 9),
            place="县人大常委会第二会议室",
            attendees="县交通运输局局长、运管科科长",
        )
        assert held.scheduled_at is not None
        clock.at = held.scheduled_at + datetime.timedelta(hours=2)
        services.meeting_record(
            actor=staff,
            meeting=held,
            record="局长答复：一个月内恢复 3 条班线，试点预约响应式公交。",
            followup_due=add_workdays(day(70), 15),
        )
        clock.on(day(85), 16)
        services.meeting_followup(
            actor=staff, meeting=held, text="已恢复 3 条农村客运班线，预约公交在莫干山镇试点运行。"
        )
        if me is not None and me.user is not None:
            clock.on(today - datetime.timedelta(days=2), 20)
            services.meeting_request(
                actor=me.user,
                organ=units.get("县教育局") or transport,
                organ_head="县教育局局长",
                subject="城区学校放学时段交通拥堵与接送安全",
                proposed_at=moment(today + datetime.timedelta(days=10), 15),
            )

            # 直通车: the demo deputy's urgent interval suggestion.
            interval = (
                Session.objects.filter(congress_region=county, kind=SessionKind.INTERVAL, is_open=True)
                .order_by("-opens_on")
                .first()
            )
            if interval is not None:
                clock.on(today - datetime.timedelta(days=5), 19)
                suggestion = suggestion_draft_create(
                    actor=me.user,
                    session=interval,
                    title="关于尽快修复武康大桥受损护栏的建议",
                    reasons="武康大桥东侧护栏被车辆撞断约 20 米，夜间照明不足，存在坠落风险。",
                    content="建议县交通运输局立即设置临时防护和警示标志，并在两周内修复护栏。",
                    client_key=f"{CLIENT_KEY_PREFIX}direct-line",  # removed with the demo's suggestions
                )
                clock.on(today - datetime.timedelta(days=4), 9)
                services.direct_line_send(
                    actor=staff, suggestion=suggestion, unit=transport, urgency="护栏断裂，危及通行安全"
                )


def clear_supervision() -> None:
    """Delete what write_supervision wrote (before the duty activities and suggestions they point at)."""
    for model in (SupervisionEvent, ItemVote, ItemRecord, ItemGroup, DirectLine):
        model._default_manager.all().delete()
    SupervisionItem.objects.all().delete()
    Meeting.objects.all().delete()
    Notification.objects.filter(kind__startswith="supervision.").delete()
