"""A year of the county deputies' duty performance (履职) in the demo county, written through the duties services.

What it models, after 德清 and Lanzhou (DOMAIN.md, "Duty performance"):

- the county congress's session in January (出席人代会, every county deputy invited) on the day the suggestions'
  session opened (lianxin.demo.seed.suggestions), two trainings (履职培训, 6 and 4 hours), classes of the county
  congress's training plan of their year, in which every county deputy is enrolled;
- each town's grassroots activity every month, rotating through the kinds (网格议事日, 走访群众, 居民恳谈会, 调研,
  矛盾调解, 走访企业), with the county deputies elected there; county-wide inspections (视察), law-enforcement
  checks, a hearing, 专题协商会 and 代表知情议政会 with points raised, answered on the spot or transferred as
  deputies' suggestions; 述职 meetings in six towns, each evaluated by voters through its QR form;
- attendance: most deputies sign in (the demo deputy by QR from the phone, the others from the paper sign-in sheet,
  entered by staff with a reason), some ask for leave beforehand and are excused (a few refused), and the rest are
  absent when the activity is marked held; three activities are still to come, one with the demo deputy's leave
  request waiting for the organiser;
- the default frequency rules, the county congress's scoring of Lanzhou's 11 items (SCORE_ITEMS) for this year and
  the last, pledges made in January and assessed, self-assessments (联系选民) confirmed or corrected by staff,
  and the duty funds (2,000 yuan for a city deputy, 1,000 for a county deputy) with spending entries.

How the past is written: as for the cases and suggestions, `django.utils.timezone.now` is a clock the generator sets
before each step (`simulated_time`), so every timestamp, audit row and check (a sign-in's window, "not in the
future") is the product's own. Two things have no service because the product takes them from the deputy's own
phone — a leave request and a pledge or self-assessment — and demo deputies other than the demo account have no
phone account: those rows are written as the service writes them (with the same audit action), as a clerk would
enter a paper form. The sign-in codes come from the seeded generator. Deterministic for a seed and a day.
"""

import datetime
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

from django.db.models import Model, Q

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record
from lianxin.demo.seed.case_clock import Clock, _moment, office_time
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate, MandateLevel
from lianxin.duties import services, trainings
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    DutyReminder,
    FrequencyRule,
    FundAllocation,
    FundEntry,
    Honour,
    MeetingPoint,
    Pledge,
    PointHandling,
    RecordPublication,
    RulePeriod,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
    TrainingEnrolment,
    TrainingPlan,
    VoterEvaluation,
)
from lianxin.regions.models import Region, RegionLevel
from lianxin.suggestions.models import Session, SessionKind, Suggestion
from lianxin.workdays.calendar import CHINA, is_workday

COUNTY_CODE = "330521000000"
S = ScoreSource
K = ActivityKind
# Lanzhou's 11 items (记工分), 100 points in all: (name, how counted, kinds, points each, maximum).
SCORE_ITEMS: tuple[tuple[str, str, list[str], str, str], ...] = (
    ("出席人代会", S.ACTIVITIES, [K.SESSION], "10", "10"),
    (
        "参加闭会期间活动",
        S.ACTIVITIES,
        [
            K.VISIT,
            K.ENTERPRISE_VISIT,
            K.GRID_DAY,
            K.RESIDENTS_TALK,
            K.MEDIATION,
            K.LAW_CHECK,
            K.HEARING,
            K.CONSULTATION,
            K.BRIEFING,
            K.REPORT,
        ],
        "1",
        "15",
    ),
    ("视察调研", S.ACTIVITIES, [K.INSPECTION, K.RESEARCH], "2", "10"),
    ("联系选民", S.SELF, [], "1", "10"),
    ("接待选民", S.RECEPTIONS, [], "2", "10"),
    ("提出建议", S.SUGGESTIONS, [], "2", "10"),
    ("建议办理满意", S.SUGGESTION_SATISFIED, [], "1", "5"),
    ("办理群众意见", S.CASES, [], "0.5", "10"),
    ("群众满意", S.CASE_SATISFIED, [], "0.5", "5"),
    ("参加培训", S.ACTIVITIES, [K.TRAINING], "5", "10"),
    ("兑现承诺", S.PLEDGES_KEPT, [], "5", "5"),
)
TOWN_KINDS = (K.GRID_DAY, K.VISIT, K.RESIDENTS_TALK, K.RESEARCH, K.MEDIATION, K.ENTERPRISE_VISIT)
TOWN_TITLES = {
    K.GRID_DAY: "{village}网格议事日",
    K.VISIT: "走访{village}困难家庭和独居老人",
    K.RESIDENTS_TALK: "{village}居民恳谈会",
    K.RESEARCH: "{town}农村生活污水治理调研",
    K.MEDIATION: "{village}邻里纠纷联合调解",
    K.ENTERPRISE_VISIT: "走访{town}规上企业听取发展诉求",
}
COUNTY_MEETINGS = (
    (2, K.INSPECTION, "视察全县农村公路提档升级工作"),
    (3, K.BRIEFING, "代表知情议政会：县政府上半年重点工作通报"),
    (4, K.LAW_CHECK, "《浙江省生活垃圾管理条例》执法检查"),
    (5, K.CONSULTATION, "养老服务体系建设专题协商会"),
    (6, K.RESEARCH, "县域医共体建设专题调研"),
    (7, K.HEARING, "县城区停车收费标准调整听证会"),
    (8, K.INSPECTION, "视察城乡供水一体化工程"),
    (9, K.LAW_CHECK, "《中华人民共和国安全生产法》执法检查"),
    (10, K.BRIEFING, "代表知情议政会：县级财政预算执行情况通报"),
    (11, K.CONSULTATION, "莫干山景区交通组织专题协商会"),
)
TRAININGS = ((3, "县人大代表履职能力提升培训班", "6"), (9, "代表建议撰写与办理专题培训", "4"))
PLAN_DESCRIPTION = "宪法和代表法、人大监督工作、代表建议撰写与办理、联系群众工作方法，全年安排4期。"
ORGANISER = "德清县人大常委会代表工作委员会"
POINTS = (
    ("建议在主要路口增设公交港湾，减少公交停靠占道。", "县交通运输局"),
    ("部分村养老服务中心只开放半天，建议延长开放时间。", "县民政局"),
    ("农村生活污水终端设施运维经费不足，建议纳入县级财政保障。", "县治水办"),
    ("建议加大对小微企业的贷款贴息力度。", "县经信局"),
    ("学校周边上下学时段交通拥堵，建议错峰放学并增派协管员。", "县教育局"),
    ("老旧小区加装电梯审批环节多，建议简化流程。", "县住建局"),
)
PLEDGES = (
    "每月至少进站接待选民一次，所提意见件件有回音。",
    "走访联系户每季度一次，帮助解决实际困难。",
    "围绕村级集体经济发展提出一件高质量建议。",
    "参加全部代表培训和闭会期间活动。",
)
COMMENTS = ("经常来村里走访，反映的问题都有回音。", "希望多听听年轻人的意见。", "办实事，讲实话。", "")
LEAVE_REASONS = ("外出学习", "单位工作冲突", "身体不适", "家中有事")


@dataclass(frozen=True)
class DutySummary:
    seconds: float
    activities: int
    attendances: int
    present: int
    on_leave: int
    absent: int
    points: int
    transferred: int
    evaluations: int
    allocations: int

    def line(self) -> str:
        return (
            f"履职活动：{self.activities} 次，出席记录 {self.attendances} 条（签到 {self.present}、请假 {self.on_leave}、"
            f"缺席 {self.absent}），会议意见 {self.points} 条（转为代表建议 {self.transferred} 条），"
            f"选民评议 {self.evaluations} 份，履职经费 {self.allocations} 人（用时 {self.seconds:.1f} 秒）"
        )


@contextmanager
def simulated_time(rng: random.Random) -> Iterator[Clock]:
    """timezone.now is the clock (see lianxin.demo.seed.cases); sign-in codes come from the seeded generator."""
    clock = Clock()
    field = Activity._meta.get_field("signin_code")

    def code() -> str:
        return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))

    with mock.patch("django.utils.timezone.now", clock), mock.patch.object(field, "_get_default", code):
        yield clock


def _workday(day: datetime.date) -> datetime.date:
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


class Writer:
    def __init__(self, rng: random.Random, *, today: datetime.date) -> None:
        self.rng, self.today = rng, today
        self.start = today - datetime.timedelta(days=365)
        self.county = Region.objects.get(code=COUNTY_CODE)
        self.staff = User.objects.get(username="county")
        self.me = Deputy.objects.filter(user__username="deputy").first()
        mandates = (
            Mandate.objects.filter(congress_region=self.county, level=MandateLevel.COUNTY, status__in=SERVING_STATUSES)
            .select_related("deputy", "district_region__parent")
            .order_by("deputy_id")
        )
        self.deputies: list[Deputy] = []
        self.by_town: dict[int, list[Deputy]] = {}
        for m in mandates:
            if m.deputy in self.deputies:
                continue
            self.deputies.append(m.deputy)
            district = m.district_region
            town = district.parent if district is not None and district.level == RegionLevel.VILLAGE else district
            if town is not None:
                self.by_town.setdefault(town.pk, []).append(m.deputy)
        self.towns = list(Region.objects.filter(parent=self.county, level=RegionLevel.TOWNSHIP).order_by("code"))
        self.villages = {
            t.pk: list(Region.objects.filter(parent=t, level=RegionLevel.VILLAGE).order_by("code")) for t in self.towns
        }
        meeting = Session.objects.filter(congress_region=self.county, kind=SessionKind.MEETING).order_by("-opens_on")
        self.session = meeting.first()
        self.interval = (
            Session.objects.filter(congress_region=self.county, kind=SessionKind.INTERVAL).order_by("-opens_on").first()
        )

    def my_user(self) -> User:
        """The demo deputy's account: what they do, they do from their phone."""
        assert self.me is not None and self.me.user is not None
        return self.me.user

    # -- one activity, from its planning to its outcome

    def activity(
        self,
        clock: Clock,
        *,
        kind: str,
        title: str,
        day: datetime.date,
        region: Region,
        invited: list[Deputy],
        hours: str | None = None,
        minutes: int = 14 * 60 + 30,
        plan: TrainingPlan | None = None,
    ) -> Activity:
        """`plan`: a class of the training plan, which invites the deputies enrolled in it (`invited`)."""
        rng = self.rng
        starts = _moment(day, minutes)
        planned = day - datetime.timedelta(days=rng.randint(7, 14))
        clock.at = office_time(rng, min(max(self.start, planned), self.today - datetime.timedelta(days=1)))
        ends = starts + datetime.timedelta(hours=2 if kind != K.SESSION else 8)
        if plan is not None:
            activity = trainings.training_class_create(
                actor=self.staff,
                plan=plan,
                title=title,
                starts_at=starts,
                ends_at=ends,
                hours=Decimal(hours or "2"),
                location=region.name,
                organiser_name=ORGANISER,
            )
        else:
            activity = services.activity_create(
                actor=self.staff,
                kind=kind,
                title=title,
                region=region,
                starts_at=starts,
                ends_at=ends,
                organiser_name=ORGANISER,
                location=f"{region.name}",
                hours=Decimal(hours) if hours else None,
                invited=invited,
            )
        if starts.date() >= self.today:
            return activity
        rows = {a.deputy_id: a for a in Attendance.objects.filter(activity=activity)}
        leave, stay_away = [], []
        for deputy in invited:
            roll = rng.random()
            if roll < 0.07:
                leave.append(deputy)
            elif roll < 0.13:
                stay_away.append(deputy)
        for deputy in leave:  # asked two days before; the organiser excuses most the next day
            clock.at = _moment(day - datetime.timedelta(days=2), rng.randint(8 * 60, 21 * 60))
            reason = rng.choice(LEAVE_REASONS)
            if deputy == self.me:
                services.leave_request(actor=self.my_user(), activity=activity, reason=reason)
            else:
                Attendance.objects.filter(pk=rows[deputy.pk].pk).update(
                    status=AttendanceStatus.LEAVE_REQUESTED, reason=reason
                )
                audit_record(
                    actor=None,
                    action="duties.leave_request",
                    obj=rows[deputy.pk],
                    region_path=region.path,
                    changes={"reason": reason},
                    note="代表电话请假，工作人员代为登记",
                )
            clock.at = office_time(rng, day - datetime.timedelta(days=1))
            services.leave_decide(actor=self.staff, attendance=rows[deputy.pk], approve=rng.random() < 0.85)
        for deputy in invited:
            if deputy in leave or deputy in stay_away:
                continue
            clock.at = starts + datetime.timedelta(minutes=rng.randint(-25, 10))
            if deputy == self.me:
                services.attendance_sign_in(actor=self.my_user(), code=activity.signin_code)
            else:
                services.attendance_sign_in_by_hand(
                    actor=self.staff, activity=activity, deputy=deputy, reason="现场纸质签到表补录"
                )
        clock.at = starts + datetime.timedelta(hours=3)
        if kind in (K.BRIEFING, K.CONSULTATION, K.GRID_DAY) and invited:
            self._points(activity, invited)
        services.activity_mark_held(actor=self.staff, activity=activity, outcome=self._outcome(kind, len(invited)))
        return activity

    def _outcome(self, kind: str, invited: int) -> str:
        if kind == K.TRAINING:
            return "授课两讲，交流研讨一次，学员提交学习体会。"
        if kind == K.SESSION:
            return "审议通过政府工作报告等各项报告，选举产生有关人员。"
        return f"应到代表{invited}人，形成意见建议{self.rng.randint(2, 8)}条。"

    def _points(self, activity: Activity, invited: list[Deputy]) -> None:
        rng = self.rng
        for text, counterpart in rng.sample(POINTS, 2):
            raised_by = rng.choice(invited)
            answered = rng.random() < 0.5
            point = services.meeting_point_add(
                actor=self.staff,
                activity=activity,
                text=text,
                raised_by=raised_by,
                counterpart=counterpart,
                answer=f"{counterpart}负责人当场答复：已列入今年工作计划，近期组织落实。" if answered else "",
            )
            # The demo deputy's own drafts are the suggestions demo's (lianxin.demo.seed.suggestions): not added to.
            if not answered and self.interval is not None and raised_by != self.me and rng.random() < 0.6:
                services.meeting_point_to_suggestion(actor=self.staff, point=point, session=self.interval)

    # -- the year

    def write(self, clock: Clock) -> None:
        rng = self.rng
        if self.session is not None and self.start <= self.session.opens_on < self.today:
            self.activity(
                clock,
                kind=K.SESSION,
                title=f"出席{self.session.name}",
                day=self.session.opens_on,
                region=self.county,
                invited=self.deputies,
                minutes=8 * 60 + 30,
            )
        self._trainings(clock)
        for month, kind, title in COUNTY_MEETINGS:
            day = self._day_in(month, 15)
            if day is not None:
                invited = rng.sample(self.deputies, min(len(self.deputies), rng.randint(12, 20)))
                if self.me is not None and month % 3 == 0 and self.me not in invited:
                    invited.append(self.me)
                self.activity(clock, kind=kind, title=title, day=day, region=self.county, invited=invited)
        self._towns(clock)
        self._reports(clock)
        self._upcoming(clock)

    def _trainings(self, clock: Clock) -> None:
        """The county congress's training plan of the year (4 classes planned), every county deputy enrolled at
        its start; the two trainings are its classes. A year before today that spans two calendar years holds the
        end of one year's plan and the start of the next: a plan for each."""
        by_year: dict[int, list[tuple[datetime.date, str, str]]] = {}
        for month, title, hours in TRAININGS:
            day = self._day_in(month, 10)
            if day is not None:
                by_year.setdefault(day.year, []).append((day, title, hours))
        for year, classes in sorted(by_year.items()):
            clock.at = office_time(self.rng, max(self.start, _workday(datetime.date(year, 1, 6))))
            plan = trainings.training_plan_create(
                actor=self.staff,
                region=self.county,
                level=MandateLevel.COUNTY,
                year=year,
                title=f"{year}年县人大代表履职培训计划",
                planned_classes=4,
                description=PLAN_DESCRIPTION,
            )
            trainings.training_enrol(actor=self.staff, plan=plan, deputies=self.deputies)
            for day, title, hours in classes:
                self.activity(
                    clock,
                    kind=K.TRAINING,
                    title=title,
                    day=day,
                    region=self.county,
                    invited=self.deputies,
                    hours=hours,
                    plan=plan,
                )

    def _day_in(self, month: int, around: int) -> datetime.date | None:
        """A workday near `around` of `month` within the year before today (this year's, or last year's)."""
        for year in (self.today.year, self.today.year - 1):
            day = _workday(datetime.date(year, month, around))
            if self.start <= day < self.today:
                return day
        return None

    def _towns(self, clock: Clock) -> None:
        rng = self.rng
        month = self.start.replace(day=1)
        n = 0
        while month < self.today:
            for index, town in enumerate(self.towns):
                deputies = self.by_town.get(town.pk, [])
                villages = self.villages.get(town.pk) or [town]
                if not deputies:
                    continue
                kind = TOWN_KINDS[(n + index) % len(TOWN_KINDS)]
                village = rng.choice(villages)
                day = _workday(month + datetime.timedelta(days=rng.randint(3, 24)))
                if not self.start <= day < self.today:
                    continue
                invited = rng.sample(deputies, min(len(deputies), rng.randint(4, 8)))
                if self.me is not None and self.me in deputies and self.me not in invited:
                    invited.append(self.me)
                title = TOWN_TITLES[kind].format(town=town.name, village=village.name.removesuffix("委会"))
                self.activity(clock, kind=kind, title=title, day=day, region=village, invited=invited)
            n += 1
            month = (month + datetime.timedelta(days=32)).replace(day=1)

    def _reports(self, clock: Clock) -> None:
        """述职: in six towns two or three deputies report to their voters, who evaluate them through the QR form."""
        rng = self.rng
        towns = [t for t in self.towns if len(self.by_town.get(t.pk, [])) >= 3][:6]
        for i, town in enumerate(towns):
            day = self._day_in(4 + i, 20)
            if day is None:
                continue
            deputies = rng.sample(self.by_town[town.pk], 3 if i % 2 else 2)
            if i == 0 and self.me is not None and self.me in self.by_town[town.pk] and self.me not in deputies:
                deputies[0] = self.me
            title = f"{town.name}县人大代表向选民述职会"
            activity = self.activity(clock, kind=K.REPORT, title=title, day=day, region=town, invited=deputies)
            present = list(
                Attendance.objects.filter(activity=activity, status=AttendanceStatus.PRESENT).values_list(
                    "deputy_id", flat=True
                )
            )
            for deputy_id in present:
                for _ in range(rng.randint(12, 30)):
                    clock.at = activity.ends_at + datetime.timedelta(minutes=rng.randint(1, 40))
                    roll = rng.random()
                    rating = "satisfied" if roll < 0.78 else "basic" if roll < 0.95 else "unsatisfied"
                    services.voter_evaluation_submit(
                        code=activity.signin_code, deputy_id=deputy_id, rating=rating, comment=rng.choice(COMMENTS)
                    )

    def _upcoming(self, clock: Clock) -> None:
        """Three activities in the coming two weeks; the demo deputy has asked for leave from one of them."""
        rng = self.rng
        clock.at = _moment(self.today - datetime.timedelta(days=1), 16 * 60)
        upcoming = []
        for offset, kind, title in (
            (3, K.GRID_DAY, "居仁社区网格议事日"),
            (7, K.INSPECTION, "视察全县冬季安全生产工作"),
            (12, K.RESIDENTS_TALK, "武康街道居民恳谈会"),
        ):
            day = _workday(self.today + datetime.timedelta(days=offset))
            invited = rng.sample(self.deputies, min(len(self.deputies), 8))
            if self.me is not None and self.me not in invited:
                invited.append(self.me)
            region = Region.objects.filter(code="330521001001").first() or self.county
            upcoming.append(self.activity(clock, kind=kind, title=title, day=day, region=region, invited=invited))
        if self.me is not None:
            clock.at = _moment(self.today - datetime.timedelta(days=1), 20 * 60)
            services.leave_request(actor=self.my_user(), activity=upcoming[1], reason="当天在省里参加培训")


def write_rules_and_items(*, county: Region, years: list[int]) -> list[ScoreItem]:
    """The default frequency rules (DOMAIN.md) and Lanzhou's 11 items for the county congress."""
    if not FrequencyRule.objects.exists():
        FrequencyRule.objects.bulk_create(
            [
                FrequencyRule(name="省、市代表每季度至少参加一次基层活动", level="province", period=RulePeriod.QUARTER),
                FrequencyRule(name="市级代表每季度至少参加一次基层活动", level="city", period=RulePeriod.QUARTER),
                FrequencyRule(name="县级代表每月至少参加一次基层活动", level="county", period=RulePeriod.MONTH),
                FrequencyRule(name="乡镇代表每月至少参加一次基层活动", level="township", period=RulePeriod.MONTH),
                FrequencyRule(
                    name="每位代表每年至少进站接待选民两次", kinds=[K.RECEPTION], period=RulePeriod.YEAR, minimum=2
                ),
                FrequencyRule(
                    name="直接选举的代表每届至少向选民述职一次",
                    kinds=[K.REPORT],
                    period=RulePeriod.TERM,
                    directly_elected_only=True,
                ),
            ]
        )
    items = []
    for year in years:
        for position, (name, source, kinds, each, maximum) in enumerate(SCORE_ITEMS, start=1):
            items.append(
                ScoreItem(
                    region=county, level=MandateLevel.COUNTY, year=year, position=position, name=name,
                    source=source, kinds=[str(k) for k in kinds], points_each=Decimal(each),
                    max_points=Decimal(maximum),
                )
            )  # fmt: skip
    return ScoreItem.objects.bulk_create(items)


def _pledges_and_claims(writer: Writer, clock: Clock, year: int) -> None:
    """Pledges made in January (the demo deputy from the phone, the others on paper) and assessed at the year's
    end when it is over; self-assessments of 联系选民 for this year, most confirmed, some corrected."""
    rng, staff = writer.rng, writer.staff
    contact = ScoreItem.objects.get(region=writer.county, level=MandateLevel.COUNTY, year=year, name="联系选民")
    for deputy in writer.deputies:
        if rng.random() < 0.4 and deputy != writer.me:
            continue
        clock.at = office_time(rng, _workday(datetime.date(year, 1, 20)))
        text = rng.choice(PLEDGES)
        if deputy == writer.me:
            pledge = services.pledge_make(actor=writer.my_user(), year=year, text=text)
        else:
            pledge = Pledge.objects.create(deputy=deputy, year=year, text=text)
            audit_record(actor=None, action="duties.pledge_make", obj=pledge, note="纸质承诺书，工作人员代为登记")
        if year < writer.today.year:
            clock.at = office_time(rng, _workday(datetime.date(year, 12, 20)))
            kept = rng.random() < 0.85
            result = "已按承诺完成。" if kept else "因工作调动，部分事项未完成。"
            services.pledge_assess(actor=staff, pledge=pledge, result=result, kept=kept)
    if year != writer.today.year:
        return
    for deputy in writer.deputies:
        if rng.random() < 0.5 and deputy != writer.me:
            continue
        clock.at = office_time(rng, writer.today - datetime.timedelta(days=rng.randint(10, 40)))
        claimed = Decimal(rng.randint(5, 10))
        evidence = f"联系选民{int(claimed) * 3}人次，有走访记录和微信群记录。"
        if deputy == writer.me:
            entry = services.score_claim(actor=writer.my_user(), item=contact, points=claimed, evidence=evidence)
        else:
            entry = ScoreEntry.objects.create(deputy=deputy, item=contact, claimed=claimed, evidence=evidence)
            audit_record(
                actor=None,
                action="duties.score_claim",
                obj=entry,
                region_path=writer.county.path,
                changes={"claimed": [None, str(claimed)]},
                note="纸质自评表，工作人员代为登记",
            )
        if deputy == writer.me or rng.random() < 0.3:
            continue  # still waiting for the organisation's assessment
        clock.at = office_time(rng, writer.today - datetime.timedelta(days=rng.randint(1, 9)))
        if rng.random() < 0.8:
            services.score_confirm(actor=staff, entry=entry, points=claimed)
        else:
            services.score_confirm(
                actor=staff, entry=entry, points=claimed - 2, note="佐证材料只能证明部分联系次数，按实核减2分"
            )


def _funds(writer: Writer, clock: Clock) -> int:
    """2,000 yuan a year for a city deputy the county elected, 1,000 for a county deputy, and what they spent."""
    rng, staff, year = writer.rng, writer.staff, writer.today.year
    city = list(
        Deputy.objects.visible_to(staff)
        .filter(
            mandates__level=MandateLevel.CITY,
            mandates__status__in=SERVING_STATUSES,
            mandates__district_name=writer.county.name,  # elected by the county congress (原选举单位)
        )
        .distinct()
        .order_by("id")
    )
    clock.at = office_time(rng, min(_workday(datetime.date(year, 1, 5)), writer.today - datetime.timedelta(days=1)))
    amounts = {d.pk: (d, Decimal("2000")) for d in city}
    for deputy in writer.deputies:
        amounts.setdefault(deputy.pk, (deputy, Decimal("1000")))
    for deputy, amount in amounts.values():
        services.fund_allocate(actor=staff, deputy=deputy, year=year, amount=amount)
    purposes = (("购买履职书籍资料", 80, 260), ("赴外地学习考察交通费", 200, 600), ("走访慰问困难群众", 150, 500))
    span = (writer.today - datetime.date(year, 1, 1)).days
    for deputy, _amount in amounts.values():
        if rng.random() < 0.4 or span < 2:
            continue
        for _ in range(rng.randint(1, 3)):
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(1, span - 1))
            purpose, low, high = rng.choice(purposes)
            clock.at = office_time(rng, day)
            services.fund_spend(
                actor=staff, deputy=deputy, spent_on=day, amount=rng.randint(low, high), purpose=purpose
            )
    return len(amounts)


def write_duties(rng: random.Random, *, today: datetime.date) -> DutySummary:
    started = time.monotonic()
    writer = Writer(rng, today=today)
    write_rules_and_items(county=writer.county, years=[today.year - 1, today.year])
    with simulated_time(random.Random(rng.random())) as clock:
        writer.write(clock)
        _pledges_and_claims(writer, clock, today.year - 1)
        if today > datetime.date(today.year, 1, 31):
            _pledges_and_claims(writer, clock, today.year)
        allocations = _funds(writer, clock)
        # The county publishes last year's duty records: the deputies' public pages show them (counts only).
        day = min(_workday(datetime.date(today.year, 1, 10)), today - datetime.timedelta(days=1))
        clock.at = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=CHINA)
        services.record_publish(
            actor=writer.staff, region=writer.county, level=MandateLevel.COUNTY, year=today.year - 1, today=today
        )
    return summary(seconds=time.monotonic() - started, allocations=allocations)


def summary(*, seconds: float = 0.0, allocations: int = 0) -> DutySummary:
    rows = Attendance.objects.all()
    return DutySummary(
        seconds=seconds,
        activities=Activity.objects.count(),
        attendances=rows.count(),
        present=rows.filter(status=AttendanceStatus.PRESENT).count(),
        on_leave=rows.filter(status=AttendanceStatus.ON_LEAVE).count(),
        absent=rows.filter(status=AttendanceStatus.ABSENT).count(),
        points=MeetingPoint.objects.count(),
        transferred=MeetingPoint.objects.filter(handling=PointHandling.TRANSFERRED).count(),
        evaluations=VoterEvaluation.objects.count(),
        allocations=allocations,
    )


def clear_duties() -> None:
    """Remove the duty records (before the suggestions, cases, deputies and accounts they point at), with the
    suggestions that meeting points became."""
    transferred = list(MeetingPoint.objects.exclude(suggestion=None).values_list("suggestion_id", flat=True))
    models: tuple[type[Model], ...] = (
        VoterEvaluation, MeetingPoint, DutyReminder, Attendance, Activity, TrainingEnrolment, TrainingPlan, Pledge,
        ScoreEntry, ScoreItem, Honour, FundEntry, FundAllocation, FrequencyRule, RecordPublication,
    )  # fmt: skip
    for model in models:
        model._default_manager.all().delete()
    Suggestion.objects.filter(Q(pk__in=transferred)).delete()
