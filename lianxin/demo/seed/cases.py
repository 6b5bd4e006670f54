"""A year of cases (意见建议) in the demo county, driven through the real closed loop.

What it models, after 德清 2022 (DOMAIN.md): about 3,300 opinions in twelve months, two thirds of them online,
the rest from receptions at stations and on the move (with more people received than opinions), the hotline,
grid workers, deputies' visits and deliberation meetings; every category; every serving deputy and every grid.
Most cases are transferred to a responsible unit the day they arrive, replied to within the limit (a week on
average), fed back, rated (about nine in ten satisfied or basically satisfied), closed and some published; others
are answered on the spot, coordinated locally, converted into deputies' suggestions, merged into a few common
problems, or declined. A few replies come late and are supervised (督办); a few unsatisfied people get their case
handled again. What would still be happening today is left open: about 2 % of the cases.

How the past is written. Every case goes through `case_register` and `case_transition`, so that the rows,
deadlines, events and notifications are exactly what the product writes. Those services stamp the time with
`django.utils.timezone.now()`; while the cases are written, that function is replaced (`unittest.mock.patch`,
for the duration of `write_cases` only) by a clock that the generator sets before each step. So an event's
`created_at`, the milestones (`accepted_at` …), the working-day deadlines (from lianxin.workdays.calendar) and
the overdue flags all follow from the simulated moment, computed by the same code as in production; nothing is
rewritten afterwards. (Rewriting times with bulk updates would have to reproduce every deadline rule by hand and
would touch the append-only events; time_machine is a dev dependency, and the seed runs in production installs.)
The patch is process-wide, which is fine in a management command. Receipt codes are drawn from the seeded
generator in the same way, so that two runs give the same cases.

Deterministic: the plan depends only on the seed, the demo county and `today`; the year ends at the start of
`today` (Beijing time), so the time of day a seed runs at changes nothing. The notifications of that year are
history: they are marked as sent, so a worker never texts the demo's invented phone numbers.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from lianxin.accounts.actors import Actor
from lianxin.accounts.models import User
from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import (
    Case,
    Category,
    Channel,
    Rating,
    ReceptionKind,
    ReceptionSession,
    ReplyVia,
    ResponsibleUnit,
)
from lianxin.cases.services import case_register, reception_close, reception_start
from lianxin.cases.workflow import Action, case_transition
from lianxin.demo import names
from lianxin.demo.seed import case_texts as texts
from lianxin.demo.seed.case_clock import (
    Clock,
    _moment,
    after_workdays,
    office_time,
    person_time,
    same_working_day,
    simulated_time,
)
from lianxin.demo.seed.case_setting import DEMO_UNIT_HANDLED, Actors, Village, load_villages, write_units
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place, PlaceKind
from lianxin.workdays.calendar import CHINA, add_workdays, is_workday

CASE_COUNT = 3300
IDEMPOTENCY_PREFIX = "demo:"
PREVIOUS_PREFIX = "demo:p"  # the year before
DAYS = 365
# The year before: fewer opinions, fewer of them online (德清 2022: online +67 % year on year), so that the
# statistics compare with a believable year.
PREVIOUS_SHARE = 2 / 3
# Open reports of one problem in one place from the last days, not merged yet: the hotspot candidates a clerk
# merges into a common problem (lianxin.routing.selectors.hotspot_candidates). (category, problem number, size)
RECENT_CLUSTERS = (("urban-construction", 0, 4), ("environment", 3, 5), ("transport", 2, 3))

CHANNEL_WEIGHTS = {
    Channel.ONLINE: 68.0,
    Channel.STATION: 10.0,
    Channel.MOBILE: 8.0,
    Channel.HOTLINE: 5.0,
    Channel.GRID_WORKER: 4.5,
    Channel.VISIT: 3.0,
    Channel.MEETING: 1.5,
    Channel.PHONE: 2.0,  # calls to a station's desk (接待登记台)
}
PREVIOUS_CHANNEL_WEIGHTS = {**CHANNEL_WEIGHTS, Channel.ONLINE: 47.0}
CATEGORY_WEIGHTS = {
    "urban-construction": 24,
    "transport": 13,
    "environment": 12,
    "agriculture": 9,
    "labour": 8,
    "education": 7,
    "health": 6,
    "civil-affairs": 7,
    "commerce": 5,
    "public-safety": 6,
    "other": 3,
}


@dataclass
class Step:
    at: datetime.datetime
    run: Callable[[], Any]
    action: str = ""


@dataclass
class CasePlan:
    index: int
    channel: str
    category: Category
    village: Village
    title: str
    body: str
    registered_at: datetime.datetime
    deputy: Deputy | None = None
    place: Place | None = None
    grid_worker: GridWorker | None = None
    session_key: int | None = None
    problem_key: tuple[str, int] = ("", 0)
    slots: dict[str, str] = field(default_factory=dict)  # the places and numbers its texts name
    person_name: str = ""
    person_phone: str = ""
    is_anonymous: bool = False
    reply_via: str = ReplyVia.ONLINE
    lat: float | None = None
    lng: float | None = None
    common: bool = False  # the master of a common problem
    follows_master: bool = False  # merged: its master's feedback changes it through another instance
    case: Case | None = None


@dataclass
class SessionPlan:
    key: int
    kind: str
    deputy: Deputy
    village: Village
    place: Place | None
    started_at: datetime.datetime
    cases: list[CasePlan] = field(default_factory=list)
    people: int = 0
    session: ReceptionSession | None = None


class Generator:
    """Plans the year (pure, from the seeded generator) and writes it through the services, step by step."""

    def __init__(
        self,
        rng: random.Random,
        *,
        today: datetime.date,
        actors: Actors,
        villages: list[Village],
        count: int,
        previous_year: bool = False,
    ) -> None:
        self.count = count
        self.rng = rng
        # The year before ends a year before today, but its cases are written until today: all of them finished.
        self.previous_year = previous_year
        self.today = today - datetime.timedelta(days=DAYS) if previous_year else today
        self.end = datetime.datetime.combine(self.today, datetime.time(), tzinfo=CHINA)
        self.until = datetime.datetime.combine(today, datetime.time(), tzinfo=CHINA)
        self.channel_weights = PREVIOUS_CHANNEL_WEIGHTS if previous_year else CHANNEL_WEIGHTS
        self.key_prefix = PREVIOUS_PREFIX if previous_year else IDEMPOTENCY_PREFIX
        self.actors = actors
        self.villages = villages
        self.categories = {c.code: c for c in Category.objects.all()}
        units = list(ResponsibleUnit.objects.prefetch_related("categories").select_related("region"))
        self.county_units: dict[str, ResponsibleUnit] = {}
        self.town_units: dict[int, ResponsibleUnit] = {}
        for unit in units:
            if unit.region.level == RegionLevel.TOWNSHIP:
                self.town_units[unit.region_id] = unit
            else:
                self.county_units[unit.name] = unit
        self.homes = {pl.region_id: pl for pl in Place.objects.filter(kind=PlaceKind.HOME).order_by("pk")}
        self.phones: set[str] = set()
        self.suggestion_number = 0
        self.family_children = 0

    # -- planning

    def plan(self) -> tuple[list[list[Step]], int]:
        """Units of work (each a list of steps, run in time order) and the number of sessions."""
        rng = self.rng
        with_deputies = [v for v in self.villages if v.deputies]
        deputy_queue = [(d, v) for v in with_deputies for d in v.deputies]
        rng.shuffle(deputy_queue)
        workers = [(w, v) for v in self.villages for w in v.workers]
        rng.shuffle(workers)
        # Always draw the twelve families, so that the full demo does not depend on `count`; a smaller demo keeps
        # its share of them.
        families = self._family_sizes()[: self.count * 12 // CASE_COUNT]
        base = max(self.count - sum(families), 0)

        plans: list[CasePlan] = []
        sessions: list[SessionPlan] = []
        open_session: SessionPlan | None = None
        for index in range(base):
            channel = names.weighted_choice(rng, list(self.channel_weights.items()))
            if channel in (Channel.STATION, Channel.MOBILE):
                if (
                    open_session is None
                    or open_session.kind != channel
                    or len(open_session.cases) >= rng.choice((1, 2, 3))
                ):
                    deputy, village = deputy_queue[len(sessions) % len(deputy_queue)]
                    open_session = self._session(len(sessions), channel, deputy, village)
                    sessions.append(open_session)
                plan = self._case(index, channel, open_session.village, open_session.deputy, open_session)
                open_session.cases.append(plan)
            elif channel in (Channel.ONLINE, Channel.VISIT, Channel.MEETING) and rng.random() < 0.75:
                deputy, village = deputy_queue[(len(sessions) + index * 7) % len(deputy_queue)]
                plan = self._case(index, channel, village, deputy, None)
            elif channel == Channel.GRID_WORKER:
                worker, village = workers[index % len(workers)]
                plan = self._case(index, channel, village, None, None, worker=worker)
            else:
                plan = self._case(index, channel, rng.choice(self.villages), None, None)
            plans.append(plan)
        # Sessions where people came but nobody left an opinion to register also count their people.
        for extra in range(len(sessions) // 2):
            deputy, village = deputy_queue[(extra * 13) % len(deputy_queue)]
            kind = rng.choice((Channel.STATION, Channel.MOBILE))
            sessions.append(self._session(len(sessions), kind, deputy, village))

        works: list[list[Step]] = []
        in_session = {id(plan) for s in sessions for plan in s.cases}
        candidates = [
            pl
            for pl in plans
            if id(pl) not in in_session
            and pl.channel in (Channel.ONLINE, Channel.HOTLINE)
            and pl.category.code in ("urban-construction", "environment", "transport", "agriculture")
            and pl.registered_at < self.end - datetime.timedelta(days=60)
        ]
        masters = rng.sample(candidates, len(families))
        master_ids = {id(m) for m in masters}
        for master, size in zip(masters, families, strict=True):
            works.append(self._family(master, size, base))
        if not self.previous_year:
            works += self._recent_clusters(base + sum(families) + 1)
        for session in sessions:
            works.append(self._session_steps(session))
        for plan in plans:
            if id(plan) not in in_session and id(plan) not in master_ids:
                works.append(self._lifecycle(plan, self._register_step(plan)))
        return works, len(sessions)

    def _family_sizes(self) -> list[int]:
        return [self.rng.randint(2, 6) for _ in range(12)]

    def _day(self, channel: str) -> datetime.datetime:
        rng = self.rng
        day = self.today - datetime.timedelta(days=rng.randint(1, DAYS))
        if channel in (Channel.ONLINE, Channel.HOTLINE):
            hour = names.weighted_choice(rng, [(str(h), w) for h, w in zip(range(7, 24), HOUR_WEIGHTS, strict=True)])
            return _moment(day, int(hour) * 60 + rng.randint(0, 59))
        if not is_workday(day):
            following = add_workdays(day, 0)
            day = following if following < self.today else add_workdays(day, -1)
        return office_time(rng, day)

    def _session(self, key: int, channel: str, deputy: Deputy, village: Village) -> SessionPlan:
        rng = self.rng
        kind = ReceptionKind.STATION if channel == Channel.STATION else ReceptionKind.MOBILE
        place = None
        if kind == ReceptionKind.STATION:
            place = (
                village.station
                if rng.random() < 0.8 or village.town.pk not in self.homes
                else self.homes[village.town.pk]
            )
            if place is None:
                place = self.homes[village.town.pk]
        day = self._day(Channel.STATION).date()
        started = _moment(day, rng.choice((8 * 60 + 30, 9 * 60, 14 * 60, 14 * 60 + 30)))
        return SessionPlan(key, kind, deputy, village, place, started, people=rng.randint(6, 34))

    def _person(self, plan: CasePlan) -> None:
        rng = self.rng
        if plan.channel == Channel.ONLINE and rng.random() < 0.12:
            plan.is_anonymous, plan.reply_via = True, ReplyVia.ONLINE
            return
        sex = rng.choice(("male", "female"))
        plan.person_name = names.person_name(rng, sex=sex, birth_year=rng.randint(1945, 2000))
        plan.person_phone = names.mobile(rng, self.phones)
        plan.reply_via = names.weighted_choice(
            rng,
            [
                (ReplyVia.SMS, 40),
                (ReplyVia.PHONE, 30),
                (ReplyVia.WECHAT, 12),
                (ReplyVia.ONLINE, 13),
                (ReplyVia.NONE, 5),
            ],
        )

    def _case(
        self,
        index: int,
        channel: str,
        village: Village,
        deputy: Deputy | None,
        session: SessionPlan | None,
        *,
        worker: GridWorker | None = None,
        problem: tuple[str, int] | None = None,
        registered_at: datetime.datetime | None = None,
        slots: dict[str, str] | None = None,
    ) -> CasePlan:
        rng = self.rng
        code, number = problem or (names.weighted_choice(rng, list(CATEGORY_WEIGHTS.items())), -1)
        choices = texts.PROBLEMS[code]
        number = number if number >= 0 else rng.randrange(len(choices))
        chosen = choices[number]
        # Another report of a known problem names the same road, estate and crop (slots given).
        slots = slots or {
            "village": village.short,
            "town": village.town.name,
            "road": rng.choice(village.roads),
            "estate": rng.choice(village.estates),
            "n": rng.choice(("两", "三", "四", "五", "六")),
            "crop": rng.choice(texts.CROPS),
        }
        title = texts.fill(chosen.title, slots)
        body = texts.compose_body(rng, chosen, channel, slots)
        if session is not None:
            at = session.started_at + datetime.timedelta(minutes=12 * len(session.cases) + rng.randint(3, 10))
        else:
            at = registered_at or self._day(channel)
        place = None
        if channel == Channel.MEETING:
            place = self.homes.get(village.town.pk)
        elif channel == Channel.ONLINE and deputy is None and rng.random() < 0.5:
            place = village.station  # scanned the station's code rather than a deputy's
        plan = CasePlan(
            index=index,
            channel=channel,
            category=self.categories[code],
            village=village,
            title=title,
            body=body,
            registered_at=at,
            deputy=deputy,
            place=place if session is None else session.place,
            grid_worker=worker,
            session_key=session.key if session is not None else None,
            problem_key=(code, number),
            slots=slots,
        )
        # A location only with the village's own grid: a point is checked against the grid it falls in.
        lat, lng = village.region.centroid_lat, village.region.centroid_lng
        if village.grid is not None and lat is not None and lng is not None and rng.random() < 0.6:
            plan.lat = round(lat + rng.uniform(-0.002, 0.002), 6)
            plan.lng = round(lng + rng.uniform(-0.002, 0.002), 6)
        self._person(plan)
        return plan

    # -- steps

    def _register_step(self, plan: CasePlan, session: SessionPlan | None = None) -> Step:
        def run() -> None:
            actor: Actor = p.CITIZEN
            if plan.channel in (Channel.STATION, Channel.MOBILE, Channel.VISIT, Channel.MEETING):
                actor = self.actors.deputy if plan.deputy and plan.deputy.user_id else self.actors.county
            elif plan.grid_worker is not None and plan.grid_worker.user_id:
                actor = self.actors.gridworker
            plan.case = case_register(
                actor=actor,
                draft=CaseDraft(
                    channel=plan.channel,
                    title=plan.title,
                    body=plan.body,
                    region=plan.village.region,
                    place=plan.place,
                    deputy=plan.deputy,
                    grid=plan.village.grid,
                    grid_worker=plan.grid_worker,
                    session=session.session if session is not None else None,
                    lat=plan.lat,
                    lng=plan.lng,
                    person_name=plan.person_name,
                    person_phone=plan.person_phone,
                    is_anonymous=plan.is_anonymous,
                    reply_via=plan.reply_via,
                    external_id=f"DQ12345-{plan.registered_at:%y%m%d}{plan.index:04d}"
                    if plan.channel == Channel.HOTLINE
                    else "",
                    registered_at=plan.registered_at,
                    idempotency_key=f"{self.key_prefix}{plan.index}",
                ),
            ).case

        return Step(plan.registered_at, run)

    def _act(
        self, plan: CasePlan, at: datetime.datetime, action: str, actor: Actor, note: str = "", **params: Any
    ) -> Step:
        def run() -> None:
            assert plan.case is not None
            if plan.follows_master:
                plan.case.refresh_from_db()
            # A callable parameter is read when the step runs (a master case exists only by then).
            values = {name: value() if callable(value) else value for name, value in params.items()}
            case_transition(case=plan.case, action=action, actor=actor, note=note, params=values)

        return Step(at, run, action)

    def _session_steps(self, session: SessionPlan) -> list[Step]:
        rng = self.rng
        ended = session.started_at + datetime.timedelta(hours=rng.choice((2, 3)))
        session.people = max(session.people, len(session.cases) + rng.randint(1, 6))
        where = (
            ""
            if session.place
            else f"{session.village.short}{rng.choice(('文化礼堂前', '村口广场', '农贸市场旁', '小区门口'))}"
        )

        def start() -> None:
            session.session = reception_start(
                actor=self.actors.county,
                deputy=session.deputy,
                kind=session.kind,
                place=session.place,
                region=session.village.region,
                location=where,
            )

        def close() -> None:
            assert session.session is not None
            reception_close(
                actor=self.actors.county,
                session=session.session,
                people_received=session.people,
                note=f"接待群众{session.people}人次，登记意见建议{len(session.cases)}件",
            )

        steps = [Step(session.started_at, start), Step(ended, close)]
        for plan in session.cases:
            steps += self._lifecycle(plan, self._register_step(plan, session))
        return steps

    def _handling(self, plan: CasePlan) -> str:
        spot = 0.30 if plan.channel in (Channel.STATION, Channel.MOBILE, Channel.VISIT, Channel.MEETING) else 0.08
        converted = 0.10 if plan.channel in (Channel.MEETING, Channel.VISIT) else 0.025
        return names.weighted_choice(
            self.rng,
            [
                (Action.ANSWER, spot),
                (Action.COORDINATE, 0.10),
                (Action.CONVERT, converted),
                (Action.DECLINE, 0.025),
                (Action.TRANSFER, 1 - spot - 0.10 - converted - 0.025),
            ],
        )

    def _problem(self, plan: CasePlan) -> texts.Problem:
        code, number = plan.problem_key
        return texts.PROBLEMS[code][number]

    def _unit_for(self, plan: CasePlan) -> ResponsibleUnit:
        """A department that handles this problem, or the town government where the town can solve it (属地)."""
        problem = self._problem(plan)
        town = self.town_units.get(plan.village.town.pk)
        if town is not None and problem.local and self.rng.random() < 0.45:
            return town
        return self.county_units[self.rng.choice(problem.units)]

    def _reply(self, plan: CasePlan, unit: ResponsibleUnit) -> str:
        return texts.unit_reply(self.rng, self._problem(plan), plan.slots, title=plan.title, unit=unit.name)

    def _lifecycle(
        self, plan: CasePlan, register: Step, *, handling: str | None = None, reply_days: int | None = None
    ) -> list[Step]:
        """The steps of one case after its registration; later steps may lie beyond the end (still open)."""
        rng, a = self.rng, self.actors
        region = plan.village.region
        staff, supervisor = a.staff(region), a.supervisor(region)
        if plan.deputy is not None and plan.deputy.user_id == a.deputy.pk:
            staff = a.deputy
        steps = [register]
        t = register.at
        if handling is None and rng.random() < 0.01:  # refused at once: not a matter for the congress
            t = same_working_day(rng, t)
            steps.append(
                self._act(plan, t, Action.DECLINE, a.supervisor(region), reason=rng.choice(texts.DECLINE_REASONS))
            )
            return steps + self._feedback(plan, same_working_day(rng, t, minutes=(5, 30)), staff, declined=True)
        t = same_working_day(rng, t) if plan.session_key is None else t + datetime.timedelta(minutes=rng.randint(2, 20))
        urgent = rng.random() < 0.08
        steps.append(
            self._act(
                plan, t, Action.ACCEPT, staff, category=plan.category.code, urgency="urgent" if urgent else "normal"
            )
        )
        handling = handling or self._handling(plan)
        code = plan.category.code
        if handling == Action.ANSWER:
            answer = texts.SPOT_ANSWERS.get(code, texts.SPOT_DEFAULT)
            t += datetime.timedelta(minutes=rng.randint(3, 30))
            steps.append(
                self._act(
                    plan, t, Action.ANSWER, staff, reply=rng.choice(texts.ANSWERS_ON_THE_SPOT).format(answer=answer)
                )
            )
            return steps + self._rating(plan, t, staff, supervisor)
        if handling == Action.DECLINE:
            t += datetime.timedelta(minutes=rng.randint(10, 120))
            steps.append(self._act(plan, t, Action.DECLINE, supervisor, reason=rng.choice(texts.DECLINE_REASONS)))
            return steps + self._feedback(plan, same_working_day(rng, t, minutes=(5, 60)), staff, declined=True)
        if handling == Action.CONVERT:
            self.suggestion_number += 1
            t += datetime.timedelta(minutes=rng.randint(10, 120))
            ref = f"德清县十七届人大{rng.choice(('二', '三', '四'))}次会议第{self.suggestion_number:03d}号建议"
            steps.append(
                self._act(plan, t, Action.CONVERT, staff, note="问题涉及面广，转为代表建议", suggestion_ref=ref)
            )
            steps.append(
                self._act(
                    plan,
                    after_workdays(rng, t, rng.randint(2, 10)),
                    Action.CLOSE,
                    supervisor,
                    note=f"已转为代表建议（{ref}）办理",
                )
            )
            return steps
        if handling == Action.COORDINATE:
            t += datetime.timedelta(minutes=rng.randint(10, 60))
            steps.append(self._act(plan, t, Action.COORDINATE, staff))
            t = after_workdays(rng, t, rng.choice((0, 1, 1, 2, 2, 3, 4, 5)))
            what = rng.choice(texts.COORDINATED_WHAT)
            steps.append(
                self._act(plan, t, Action.REPLY, staff, reply=rng.choice(texts.COORDINATED_REPLIES).format(what=what))
            )
            return steps + self._feedback(plan, after_workdays(rng, t, rng.choice((0, 0, 1))), staff)
        return steps + self._transferred(plan, t, urgent=urgent, reply_days=reply_days)

    def _transferred(self, plan: CasePlan, t: datetime.datetime, *, urgent: bool, reply_days: int | None) -> list[Step]:
        rng, a = self.rng, self.actors
        region = plan.village.region
        staff, supervisor = a.staff(region), a.supervisor(region)
        unit = self._unit_for(plan)
        replier = a.unit if unit.name == DEMO_UNIT_HANDLED else supervisor
        t = t + datetime.timedelta(minutes=rng.randint(5, 60))
        steps = [self._act(plan, t, Action.TRANSFER, supervisor, unit=unit)]
        limit = 5 if urgent else 15
        # Still unanswered, long past the limit (none of the year before: they were all answered by now).
        stuck = reply_days is None and rng.random() < 0.004 and not self.previous_year
        late = reply_days is None and not stuck and rng.random() < 0.04
        if reply_days is not None:
            days = reply_days
        elif stuck:
            days = 200
        elif late:
            days = limit + rng.randint(2, 6)  # the escalation on day limit + 1 comes first
        elif urgent:
            days = rng.choice((0, 1, 1, 2, 2, 3, 4))
        else:
            days = int(names.weighted_choice(rng, REPLY_DAY_WEIGHTS))
        if stuck or (late and rng.random() < 0.5):
            due = add_workdays(t.astimezone(CHINA).date(), limit + 1)
            steps.append(
                self._act(plan, office_time(rng, due), Action.ESCALATE, p.SYSTEM, note="超过答复时限未答复，自动转督办")
            )
        if stuck:  # no reply yet: the plan stops here (and needs no calendar of years not yet published)
            return steps
        t = after_workdays(rng, t, days)
        reply = self._reply(plan, unit)
        steps.append(self._act(plan, t, Action.REPLY, replier, reply=reply))
        return steps + self._feedback(
            plan, after_workdays(rng, t, rng.choice((0, 0, 0, 1))), staff, unit=unit, replier=replier
        )

    def _feedback(self, plan: CasePlan, t: datetime.datetime, staff: User, **reopen: Any) -> list[Step]:
        steps = [
            self._act(
                plan, t, Action.FEED_BACK, staff, note="已电话告知答复内容" if plan.reply_via == ReplyVia.PHONE else ""
            )
        ]
        return steps + self._rating(plan, t, staff, self.actors.supervisor(plan.village.region), **reopen)

    def _rating(
        self,
        plan: CasePlan,
        t: datetime.datetime,
        staff: User,
        supervisor: User,
        *,
        unit: ResponsibleUnit | None = None,
        replier: User | None = None,
        again: bool = False,
        declined: bool = False,
    ) -> list[Step]:
        """After feedback: the person rates (or never does), then the case is closed and sometimes published."""
        rng = self.rng
        steps: list[Step] = []
        if declined:  # told why it is not a matter for the congress: closed, not supervised as if it were one
            t = after_workdays(rng, t, rng.randint(1, 3))
            return [self._act(plan, t, Action.CLOSE, supervisor, note="已向反映人说明不予受理的理由，按规定销号")]
        if plan.reply_via == ReplyVia.NONE or (plan.is_anonymous and rng.random() < 0.5) or rng.random() < 0.08:
            t = after_workdays(rng, t, rng.randint(2, 6))
            steps.append(self._act(plan, t, Action.CLOSE, supervisor, note="多次联系未评价，按规定销号"))
            return steps + self._publish(plan, t, supervisor)
        rating = names.weighted_choice(
            rng,
            [(Rating.SATISFIED, 66), (Rating.BASICALLY, 21), (Rating.UNSATISFIED, 13)]
            if not again
            else [(Rating.SATISFIED, 25), (Rating.BASICALLY, 30), (Rating.UNSATISFIED, 45)],
        )
        t = person_time(rng, t, (0, 3))
        if rating != Rating.UNSATISFIED:
            steps.append(self._act(plan, t, Action.RATE, p.CITIZEN, rating=rating))
            t = after_workdays(rng, t, rng.randint(1, 3))
            steps.append(self._act(plan, t, Action.CLOSE, supervisor))
            return steps + self._publish(plan, t, supervisor)
        comment = rng.choice(("问题没有解决", "答复不具体，现场没有变化", "说是处理了，其实还是老样子"))
        if unit is not None and not again:  # once back to the same unit
            steps.append(
                self._act(
                    plan,
                    t,
                    Action.REOPEN,
                    p.CITIZEN,
                    note="群众不满意，退回原承办单位重新办理",
                    comment=comment,
                    rating=rating,
                )
            )
            t = after_workdays(rng, t, rng.randint(2, 8))
            reply = "经重新核查，" + self._reply(plan, unit)
            steps.append(self._act(plan, t, Action.REPLY, replier or supervisor, reply=reply))
            return steps + self._feedback_again(
                plan, after_workdays(rng, t, rng.choice((0, 1))), staff, unit=unit, replier=replier
            )
        # Unsatisfied again, or nothing to send back: supervision (督办) by the congress.
        steps.append(self._act(plan, t, Action.ESCALATE, p.CITIZEN, note="群众不满意，转督办", comment=comment))
        t = after_workdays(rng, t, rng.randint(1, 2))
        handler = unit or self._unit_for(plan)
        steps.append(
            self._act(plan, t, Action.TRANSFER, supervisor, note="人大督办，限期办理", unit=handler, reply_days=10)
        )
        t = after_workdays(rng, t, rng.randint(3, 9))
        reply = "经人大督办，" + self._reply(plan, handler)
        replier = self.actors.unit if handler.name == DEMO_UNIT_HANDLED else supervisor
        steps.append(self._act(plan, t, Action.REPLY, replier, reply=reply))
        t = after_workdays(rng, t, rng.choice((0, 1)))
        steps.append(self._act(plan, t, Action.FEED_BACK, staff))
        t = person_time(rng, t, (0, 3))
        if rng.random() < 0.5:
            steps.append(self._act(plan, t, Action.RATE, p.CITIZEN, rating=Rating.BASICALLY))
            t = after_workdays(rng, t, 1)
            steps.append(self._act(plan, t, Action.CLOSE, supervisor))
        else:
            t = after_workdays(rng, t, rng.randint(2, 5))
            steps.append(self._act(plan, t, Action.CLOSE, supervisor, note="经督办已答复，群众未再评价，按规定销号"))
        return steps

    def _feedback_again(self, plan: CasePlan, t: datetime.datetime, staff: User, **reopen: Any) -> list[Step]:
        steps = [self._act(plan, t, Action.FEED_BACK, staff)]
        return steps + self._rating(plan, t, staff, self.actors.supervisor(plan.village.region), again=True, **reopen)

    def _publish(self, plan: CasePlan, t: datetime.datetime, supervisor: User) -> list[Step]:
        if self.rng.random() < (0.9 if plan.common else 0.25) and not plan.is_anonymous:
            return [self._act(plan, after_workdays(self.rng, t, self.rng.randint(1, 5)), Action.PUBLISH, supervisor)]
        return []

    def _family(self, master: CasePlan, size: int, first_index: int) -> list[Step]:
        """A common problem: a master transferred to a unit, and people reporting the same thing meanwhile,
        merged into it; all hear back when the master is answered (随主件反馈)."""
        rng, a = self.rng, self.actors
        master.common = True
        steps = self._lifecycle(
            master, self._register_step(master), handling=Action.TRANSFER, reply_days=rng.randint(10, 14)
        )
        accepted = next(s.at for s in steps if s.action == Action.TRANSFER)
        replied = next(s.at for s in steps if s.action == Action.REPLY)
        fed_back = next(s.at for s in steps if s.action == Action.FEED_BACK)
        region = master.village.region
        hours = int((replied - accepted).total_seconds() // 3600)
        for _ in range(size):
            at = accepted + datetime.timedelta(hours=rng.randint(2, max(3, hours - 30)))
            channel = rng.choice((Channel.ONLINE, Channel.ONLINE, Channel.HOTLINE, Channel.GRID_WORKER))
            worker = master.village.workers[0] if master.village.workers else None
            if channel == Channel.GRID_WORKER and worker is None:
                channel = Channel.ONLINE
            self.family_children += 1
            child = self._case(
                first_index + self.family_children,
                channel,
                master.village,
                None,
                None,
                problem=master.problem_key,
                registered_at=at,
                worker=worker if channel == Channel.GRID_WORKER else None,
                slots=master.slots,
            )
            child.follows_master = True
            accept_at = same_working_day(rng, at)
            if accept_at + datetime.timedelta(minutes=5) >= replied:
                continue
            steps.append(self._register_step(child))
            steps.append(self._act(child, accept_at, Action.ACCEPT, a.staff(region), category=master.category.code))
            steps.append(
                self._act(
                    child,
                    accept_at + datetime.timedelta(minutes=5),
                    Action.MERGE,
                    a.supervisor(region),
                    note="与主件反映同一问题，并入普遍问题办理",
                    master=lambda: master.case,
                )
            )
            # The child is fed back with its master (follow_master); then its person rates it.
            steps += self._rating(child, fed_back, a.staff(region), a.supervisor(region))
        return steps

    def _recent_clusters(self, first_index: int) -> list[list[Step]]:
        """A few problems reported by several people of one village in the last days, registered (some accepted)
        and not yet merged: what the hotspot page offers to merge into a common problem."""
        rng, works = self.rng, []
        index = first_index
        villages = [v for v in self.villages if v.grid is not None and v.workers]
        for code, number, size in RECENT_CLUSTERS[: self.count * len(RECENT_CLUSTERS) // CASE_COUNT]:
            village = rng.choice(villages)
            first: CasePlan | None = None
            steps: list[Step] = []
            for n in range(size):
                day = self.today - datetime.timedelta(days=rng.randint(1, 9))
                at = _moment(day, rng.randint(7 * 60, 22 * 60))
                channel = rng.choice((Channel.ONLINE, Channel.ONLINE, Channel.HOTLINE, Channel.GRID_WORKER))
                worker = village.workers[0] if channel == Channel.GRID_WORKER else None
                plan = self._case(
                    index + n,
                    channel,
                    village,
                    None,
                    None,
                    worker=worker,
                    problem=(code, number),
                    registered_at=at,
                    slots=first.slots if first is not None else None,
                )
                first = first or plan
                steps.append(self._register_step(plan))
                accept_at = same_working_day(rng, at)
                if n % 2 == 0 and accept_at < self.end:
                    steps.append(
                        self._act(plan, accept_at, Action.ACCEPT, self.actors.staff(village.region), category=code)
                    )
            index += size
            works.append(steps)
        return works

    # -- writing

    def write(self, works: list[list[Step]], clock: Clock) -> None:
        for work in works:
            for step in sorted(work, key=lambda s: s.at):
                if step.at >= self.until:
                    break
                clock.at = step.at
                step.run()


# Hours 7..23 of online and hotline messages: most in the morning and the evening.
HOUR_WEIGHTS = (3, 6, 9, 10, 9, 7, 6, 8, 8, 7, 6, 5, 6, 8, 9, 7, 4)
# Working days a unit takes to reply (normal urgency, within the 15-day limit).
REPLY_DAY_WEIGHTS = [
    (str(d), w)
    for d, w in (
        (1, 10), (2, 14), (3, 15), (4, 13), (5, 10), (6, 8), (7, 6), (8, 5),
        (9, 4), (10, 3), (11, 2), (12, 2), (13, 1), (14, 1), (15, 1),
    )
]  # fmt: skip


def write_cases(rng: random.Random, *, today: datetime.date, count: int = CASE_COUNT) -> None:
    county = Region.objects.get(code="330521000000")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["county", "township", "station", "deputy", "gridworker", "unit"])
    }
    wukang = Region.objects.get(code="330521001000")
    jueren = Region.objects.get(code="330521001001")
    actors = Actors(
        county=users["county"],
        township=users["township"],
        station=users["station"],
        deputy=users["deputy"],
        gridworker=users["gridworker"],
        unit=users["unit"],
        wukang_path=wukang.path,
        jueren_id=jueren.pk,
    )
    towns = list(Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code"))
    write_units(rng, county=county, towns=towns, handler=actors.unit)
    villages = load_villages(rng)
    before = Generator(
        rng, today=today, actors=actors, villages=villages, count=int(count * PREVIOUS_SHARE), previous_year=True
    )
    works = before.plan()[0]
    generator = Generator(rng, today=today, actors=actors, villages=villages, count=count)
    generator.suggestion_number = before.suggestion_number  # one numbering of the session's suggestions
    works += generator.plan()[0]
    with simulated_time(random.Random(rng.random())) as clock:
        before.write(works, clock)
    # The years' messages were delivered at the time; nothing of it is left for the worker to send.
    Notification.objects.filter(case__idempotency_key__startswith=IDEMPOTENCY_PREFIX).update(
        status=NotificationStatus.SENT, sent_at=F("created_at"), attempts=1
    )
