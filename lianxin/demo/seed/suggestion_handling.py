"""The demo suggestions' machinery: the county as they see it, steps run at a simulated time, and a suggestion's
handling from its assignment to closing (contact, co-opinions, replies A/B/C, ratings, re-handling, extension,
re-assignment, key supervision). What happens to which suggestion is planned in lianxin.demo.seed.suggestions."""

import datetime
import functools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from lianxin.accounts.models import User
from lianxin.cases.models import ResponsibleUnit
from lianxin.demo import names
from lianxin.demo.seed import suggestion_texts as texts
from lianxin.demo.seed.case_clock import Clock, _moment, after_workdays, office_time, person_time
from lianxin.demo.seed.case_setting import DEMO_UNIT_HANDLED, town_unit_name
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DeputyGroup, GroupKind, Mandate, MandateLevel
from lianxin.regions.models import Region, RegionLevel
from lianxin.suggestions import rules
from lianxin.suggestions.jobs import suggestions_mark_overdue
from lianxin.suggestions.models import (
    Kind,
    Proposer,
    Rating,
    ReplyClass,
    Session,
    SessionKind,
    SourceKind,
    Suggestion,
    UnitRole,
)
from lianxin.suggestions.rules import add_months, months_due
from lianxin.suggestions.services import chinese_number, suggestion_draft_create, suggestion_source_add
from lianxin.suggestions.workflow import suggestion_transition
from lianxin.workdays.calendar import CHINA, add_workdays, is_workday

COUNTY_CODE = "330521000000"
TERM = 17
FIRST_SESSION_YEAR = 2022  # 十七届人大一次会议, January 2022 (the county congress elected at the end of 2021)
CLIENT_KEY_PREFIX = "demo:s"
REASSIGNED_TO = "县自然资源和规划局"  # where the one re-assigned suggestion goes
LEADER_TITLES = ("县委副书记、县长", "常务副县长", "副县长", "副县长", "县人大常委会主任", "县人大常委会副主任")


@dataclass
class Fate:
    """What happens to a suggestion after it is assigned."""

    reply_class: str = ReplyClass.A
    ratings: tuple[str, ...] = (Rating.SATISFIED,)  # the first rating, and the second after re-handling
    contact: bool = True
    late: bool = False
    extend: bool = False
    reassign: bool = False  # its lead unit (县住建局) asks to be re-assigned, and staff agree
    reply: bool = True
    rate: bool = True
    close: bool = True
    key: bool = False
    publish: bool = False


@dataclass
class Plan:
    key: str
    session: str  # SessionKind
    title: str
    reasons: str
    content: str
    area: str  # lianxin.suggestions.models.Field
    creator: User
    lead: Deputy | None = None
    town: Region | None = None
    theme: texts.Theme | None = None
    slots: dict[str, str] = field(default_factory=dict)
    kind: str = Kind.SUGGESTION
    draft_resolution: str = ""
    proposer: str = Proposer.DEPUTY
    delegation: DeputyGroup | None = None
    case_ids: list[int] = field(default_factory=list)
    consent: bool = False
    # Merged into another (并案): the workflow also changes it through its master, so it is read again before a step.
    follows: bool = False
    suggestion: Suggestion | None = None


@dataclass
class Step:
    at: datetime.datetime
    order: int
    run: Callable[[], Any]


class Handler:
    """The county as the suggestions see it, the steps that write a suggestion's life, and its handling from
    the assignment on. The plan of the year is lianxin.demo.seed.suggestions.Writer."""

    def __init__(self, rng: random.Random, *, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.until = datetime.datetime.combine(today, datetime.time(), tzinfo=CHINA)
        # The last session that opened at least half a year ago: this January from July on.
        self.year = today.year if today >= datetime.date(today.year, 7, 1) else today.year - 1
        self.number = max(1, self.year - FIRST_SESSION_YEAR + 1)
        self.county = Region.objects.get(code=COUNTY_CODE)
        users = {u.username: u for u in User.objects.filter(username__in=["county", "deputy", "unit"])}
        self.staff, self.deputy_user, self.unit_user = users["county"], users["deputy"], users["unit"]
        self.me = Deputy.objects.get(user=self.deputy_user)
        self.steps: list[Step] = []
        self.sessions: dict[str, Session] = {}
        self.plans: list[Plan] = []
        self._load_county()
        opens = datetime.date(self.year, 1, 1) + datetime.timedelta(days=rng.randint(6, 10))
        self.opens_on = add_workdays(opens, 0)
        self.closes_on = add_workdays(self.opens_on, 2)
        self.assign_day = add_workdays(self.closes_on, 22)  # the 交办会, after the Spring Festival
        self.signers: dict[str, str] = {}  # unit → who signs its reply letters
        self.key_count = 0
        self.parts: dict[tuple[str, int], int] = {}  # (plan, unit) → the unit's active part

    # -- the county as the suggestions see it

    def _load_county(self) -> None:
        mandates = (
            Mandate.objects.filter(
                level=MandateLevel.COUNTY, congress_region=self.county, term=TERM, status__in=SERVING_STATUSES
            )
            .select_related("deputy", "district_region__parent")
            .order_by("deputy__public_code")
        )
        self.by_town: dict[int, list[Deputy]] = {}
        self.town_of: dict[int, Region] = {}
        for m in mandates:
            district = m.district_region
            town = district.parent if district is not None and district.level == RegionLevel.VILLAGE else district
            if town is None:
                continue
            self.by_town.setdefault(town.pk, []).append(m.deputy)
            self.town_of[m.deputy.pk] = town
        self.towns = list(Region.objects.filter(pk__in=self.by_town).order_by("code"))
        self.villages: dict[int, list[str]] = {}
        for t in self.towns:  # the villages of a town (its communities where it has none)
            short = [names.short_region_name(v.name) for v in Region.objects.filter(parent=t).order_by("code")]
            self.villages[t.pk] = [v for v in short if v.endswith("村")] or short
        units = ResponsibleUnit.objects.filter(region__path__startswith=self.county.path).select_related("region")
        self.units = {u.name: u for u in units.order_by("name")}
        self.delegations = {g.region_id: g for g in DeputyGroup.objects.filter(kind=GroupKind.LOCAL).order_by("name")}

    def unit_for(self, name: str, town: Region | None) -> ResponsibleUnit:
        if name == "town":
            assert town is not None
            return self.units[town_unit_name(town.name)]
        return self.units[name]

    def actor_of(self, unit: ResponsibleUnit) -> User:
        """A unit with a demo account acts itself; the others' letters come on paper and staff record them."""
        return self.unit_user if unit.name == DEMO_UNIT_HANDLED else self.staff

    def signer(self, unit: ResponsibleUnit) -> str:
        if unit.name not in self.signers:
            sex = self.rng.choice(("male", "female", "male"))
            self.signers[unit.name] = names.person_name(self.rng, sex=sex, birth_year=self.rng.randint(1966, 1980))
        return self.signers[unit.name]

    # -- steps

    def add(self, at: datetime.datetime, run: Callable[[], Any]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def create(self, plan: Plan, at: datetime.datetime, *, source: bool = False) -> None:
        def run() -> None:
            plan.suggestion = suggestion_draft_create(
                actor=plan.creator,
                session=self.sessions[plan.session],
                title=plan.title,
                reasons=plan.reasons,
                content=plan.content,
                kind=plan.kind,
                field=plan.area,
                draft_resolution=plan.draft_resolution,
                lead_deputy=plan.lead,
                proposer=plan.proposer,
                delegation=plan.delegation,
                case_ids=plan.case_ids,
                public_consent=plan.consent,
                client_key=plan.key,
            )
            if source and plan.town is not None:
                suggestion_source_add(
                    actor=plan.creator,
                    suggestion=plan.suggestion,
                    kind=SourceKind.RESEARCH,
                    title=f"{plan.town.name}{plan.title.removeprefix('关于').removesuffix('的建议')}专题调研",
                    happened_on=at.date() - datetime.timedelta(days=40 + len(plan.title)),
                    note="走访群众和相关部门，召开座谈会听取意见",
                )

        self.plans.append(plan)
        self.add(at, run)

    def act(self, plan: Plan, at: datetime.datetime, action: str, actor: User, note: str = "", **params: Any) -> None:
        def run() -> None:
            suggestion = self.current(plan)
            values = {k: v() if callable(v) else v for k, v in params.items()}
            suggestion_transition(suggestion=suggestion, action=action, actor=actor, note=note, params=values)

        self.add(at, run)

    def unit_act(
        self,
        plan: Plan,
        at: datetime.datetime,
        action: str,
        owner: ResponsibleUnit,
        *,
        actor: User | None = None,
        note: str = "",
        **params: Any,
    ) -> None:
        """An action on the part of the unit `owner`."""

        def run() -> None:
            suggestion = self.current(plan)
            key = (plan.key, owner.pk)
            if key not in self.parts:  # a part keeps its id (re-handling too); a re-assignment makes another unit's
                self.parts[key] = suggestion.units.get(unit=owner, is_active=True).pk
            suggestion_transition(
                suggestion=suggestion,
                action=action,
                actor=actor or self.actor_of(owner),
                note=note,
                params={"assignment": self.parts[key], **params},
            )

        self.add(at, run)

    def current(self, plan: Plan) -> Suggestion:
        """The suggestion as the plan's last step left it (transitions update the instance they are given)."""
        assert plan.suggestion is not None
        if plan.follows:
            plan.suggestion.refresh_from_db()
        return plan.suggestion

    def rater(self, plan: Plan) -> User:
        return self.deputy_user if plan.lead == self.me else self.staff

    # -- what a suggestion says

    def themed(self, key: str, session: str, theme: texts.Theme, lead: Deputy, *, village: str = "") -> Plan:
        rng = self.rng
        town = self.town_of[lead.pk]
        roads = names.TOWN_ROADS.get(town.name, ("中心路",))
        slots = {
            "town": town.name,
            "place": town.name.removesuffix("街道").removesuffix("镇"),
            "village": village or rng.choice(self.villages[town.pk]),
            "road": rng.choice(roads),
        }
        creator = self.deputy_user if lead == self.me else self.staff
        return Plan(
            key=f"{CLIENT_KEY_PREFIX}{key}",
            session=session,
            title=theme.title.format(**slots),
            reasons=theme.reasons.format(**slots),
            content=theme.content.format(**slots),
            area=theme.field,
            creator=creator,
            lead=lead,
            town=town,
            theme=theme,
            slots=slots,
            consent=rng.random() < 0.45,
        )

    def reply_text(self, plan: Plan, unit: ResponsibleUnit, reply_class: str, promised: datetime.date | None) -> str:
        rng, theme = self.rng, plan.theme
        assert theme is not None
        body = {"A": theme.a, "B": theme.b, "C": theme.c}[reply_class].format(**plan.slots)
        if reply_class == ReplyClass.B and promised is not None:
            body = body.replace("明年", "今年" if promised.year == self.year else "明年")
            body += f"，预计于{promised.year}年{promised.month}月底前完成"
        acks = texts.ACKS if plan.session == SessionKind.MEETING else texts.ACKS[::2]  # [1] names the session
        ack = rng.choice(acks).format(title=plan.title, session=chinese_number(self.number))
        addressee = f"{plan.lead.name}代表" if plan.lead else "各位代表"
        return (
            f"{addressee}：\n{ack}。{rng.choice(texts.OPENINGS)}\n{body}。\n{rng.choice(texts.CLOSINGS)}\n{unit.name}\n"
        )

    def _units(self, plan: Plan, fate: Fate) -> list[tuple[ResponsibleUnit, str]]:
        rng, theme = self.rng, plan.theme
        assert theme is not None
        lead = self.unit_for(theme.leads[0] if fate.reassign else rng.choice(theme.leads), plan.town)
        units: list[tuple[ResponsibleUnit, str]] = [(lead, UnitRole.LEAD)]
        plain = len(fate.ratings) == 1 and not (fate.reassign or fate.extend or fate.late)
        if len(theme.leads) > 1 and plain and rng.random() < 0.3:  # 分办: both departments lead
            other = next(n for n in theme.leads if self.unit_for(n, plan.town) != lead)
            units.append((self.unit_for(other, plan.town), UnitRole.LEAD))
        taken = {u for u, _ in units} | {self.units[REASSIGNED_TO]}
        co = [u for u in (self.unit_for(n, plan.town) for n in theme.co) if u not in taken]
        for unit in rng.sample(co, min(len(co), rng.choice((0, 0, 1, 1, 1, 2)))):
            units.append((unit, UnitRole.CO))
        return units

    def _handling(self, plan: Plan, fate: Fate, *, assign_at: datetime.datetime | None = None) -> None:
        """From the assignment (the 交办会 for the session's suggestions) to closing."""
        rng, staff = self.rng, self.staff
        units = self._units(plan, fate)
        t = assign_at or _moment(self.assign_day, 9 * 60 + 30 + len(self.steps) % 240)
        self.act(plan, t, "assign", staff, units=[{"unit": u.pk, "role": r} for u, r in units])
        begin = t.astimezone(CHINA).date()
        if fate.key:
            self._key(plan, begin)
        if fate.reassign:
            lead, new = units[0][0], self.units[REASSIGNED_TO]
            at = office_time(rng, add_workdays(begin, 3))
            self.unit_act(
                plan, at, "request_reassign", lead, reason="所提事项涉及用地规划调整，主要职责在自然资源和规划部门"
            )
            begin = add_workdays(begin, 5)
            self.unit_act(
                plan, office_time(rng, begin), "reassign", lead, actor=staff, note="同意调整承办单位", unit=new.pk
            )
            units = [(new, UnitRole.LEAD), *units[1:]]
        for unit, role in units:
            if role == UnitRole.CO:
                at = office_time(rng, add_workdays(begin, rng.randint(6, 18)))
                opinion = f"{unit.name}协办意见：同意主办单位的办理方案，将按职责做好配合。"
                self.unit_act(plan, at, "co_opinion", unit, opinion=opinion)
        leads = [unit for unit, role in units if role == UnitRole.LEAD]
        replied = max(self._lead_part(plan, unit, begin, fate) for unit in leads)
        if not (fate.reply and fate.rate):
            return
        # The deputy rates once every lead unit replied (分办: the status is 已答复 only then).
        rated = max(self._ratings(plan, unit, replied, fate) for unit in leads)
        if fate.close:
            closed = after_workdays(rng, rated, rng.randint(3, 15))
            self.act(plan, closed, "close", staff)
            if plan.consent and (fate.publish or rng.random() < 0.25):
                self.act(plan, after_workdays(rng, closed, rng.randint(1, 5)), "publish", staff)

    def _merged_parts(self, plan: Plan, start: datetime.datetime) -> None:
        """A merged suggestion gets its parts when its master is assigned (the workflow assigns it with the
        master); its units answer it with the master, and the deputy is satisfied. The parts are read when the
        steps run."""
        rng = self.rng
        at = office_time(rng, add_workdays(start.astimezone(CHINA).date(), rng.randint(45, 55)))

        def reply_all() -> None:
            assert plan.suggestion is not None
            plan.suggestion.refresh_from_db()
            for part in plan.suggestion.units.filter(is_active=True).select_related("unit"):
                actor, base = self.actor_of(part.unit), {"assignment": part.pk}
                if part.role == UnitRole.CO:
                    opinion = "同意主办单位意见，并案一并办理。"
                    suggestion_transition(
                        suggestion=plan.suggestion,
                        action="co_opinion",
                        actor=actor,
                        params={**base, "opinion": opinion},
                    )
                    continue
                contacted = part.assigned_at.astimezone(CHINA).date() + datetime.timedelta(days=20)
                contact = {"contacted_on": contacted, "way": "phone", "person": self.signer(part.unit)}
                suggestion_transition(
                    suggestion=plan.suggestion, action="contact", actor=actor, note="电话告知并案办理情况",
                    params={**base, **contact},
                )  # fmt: skip
                text = "本件与同类建议并案办理。" + self.reply_text(plan, part.unit, "A", None)
                reply = {"reply_class": ReplyClass.A, "signed_by": self.signer(part.unit), "reply_text": text}
                suggestion_transition(suggestion=plan.suggestion, action="reply", actor=actor, params={**base, **reply})

        self.add(at, reply_all)
        rated = person_time(rng, at, (3, 12))

        def rate_all() -> None:
            assert plan.suggestion is not None
            plan.suggestion.refresh_from_db()
            for part in plan.suggestion.units.filter(is_active=True, role=UnitRole.LEAD):
                suggestion_transition(
                    suggestion=plan.suggestion, action="rate", actor=self.staff, note="代表电话反馈评价意见",
                    params={"assignment": part.pk, "rating": Rating.SATISFIED},
                )  # fmt: skip

        self.add(rated, rate_all)
        self.act(plan, after_workdays(rng, rated, rng.randint(3, 10)), "close", self.staff)

    def _lead_part(self, plan: Plan, unit: ResponsibleUnit, begin: datetime.date, fate: Fate) -> datetime.datetime:
        """A lead unit's part: contact and reply (on time, late or after an extension). Returns the time of the
        reply (or of the assignment when there is none yet)."""
        rng, staff = self.rng, self.staff
        due = months_due(begin, 3)
        at = office_time(rng, begin)
        if fate.contact and rng.random() < 0.93:
            day = add_workdays(begin, rng.randint(5, 25))
            way = names.weighted_choice(
                rng, [("phone", 45), ("visit", 20), ("meeting", 15), ("site", 15), ("message", 5)]
            )
            person = names.person_name(rng, sex=rng.choice(("male", "female")), birth_year=rng.randint(1975, 1995))
            note = rng.choice(texts.CONTACT_NOTES)
            self.unit_act(
                plan, office_time(rng, day), "contact", unit, contacted_on=day, way=way, person=person, note=note
            )
        if (fate.late or not fate.reply) and not fate.extend:
            # The worker's morning round after the deadline flags the part (超期) and tells the unit.
            self.add(_moment(add_workdays(due, 1), 7 * 60), suggestions_mark_overdue)
        if not fate.reply:
            return at
        if fate.extend:
            until = months_due(begin, 5)
            extend_at = office_time(rng, add_workdays(due, -rng.randint(8, 15)))
            reason = "涉及项目立项和资金安排，需延期答复"
            self.unit_act(plan, extend_at, "extend", unit, actor=staff, due_date=until, reason=reason)
            reply_day = add_workdays(until, -rng.randint(5, 20))
        elif fate.late:
            reply_day = add_workdays(due, rng.randint(3, 15))
        else:
            reply_day = add_workdays(due, -rng.randint(3, 30))
        at = office_time(rng, reply_day)
        self._reply(plan, unit, at, fate.reply_class, keep_promise=len(fate.ratings) == 1)
        return at

    def _ratings(self, plan: Plan, unit: ResponsibleUnit, replied: datetime.datetime, fate: Fate) -> datetime.datetime:
        """The deputy's rating of a lead unit's reply; unsatisfied at first, the unit handles it again and replies a
        second time. Returns the time of the last rating."""
        rng, at = self.rng, replied
        for n, rating in enumerate(fate.ratings):
            at = person_time(rng, at, (3, 15))
            comment = rng.choice(texts.DECLINE_COMMENTS) if rating == Rating.UNSATISFIED else ""
            note = "" if plan.lead == self.me else "代表电话反馈评价意见"
            self.unit_act(plan, at, "rate", unit, actor=self.rater(plan), note=note, rating=rating, comment=comment)
            if rating == Rating.UNSATISFIED and n == 0:
                at = office_time(rng, add_workdays(at.astimezone(CHINA).date(), rng.randint(8, 18)))
                again = ReplyClass.A if fate.reply_class == ReplyClass.A else ReplyClass.B
                self._reply(plan, unit, at, again, again=True)
        return at

    def _reply(
        self,
        plan: Plan,
        unit: ResponsibleUnit,
        at: datetime.datetime,
        reply_class: str,
        *,
        again: bool = False,
        keep_promise: bool = True,
    ) -> None:
        rng = self.rng
        promised = None
        if reply_class == ReplyClass.B:
            promised = add_months(at.astimezone(CHINA).date(), rng.randint(3, 11))
            promised = promised.replace(day=28)
        text = self.reply_text(plan, unit, reply_class, promised)
        if again:
            text = "经重新研究办理，" + text
        self.unit_act(
            plan, at, "reply", unit, reply_class=reply_class, reply_text=text, signed_by=self.signer(unit),
            promised_on=promised.isoformat() if promised else None,
        )  # fmt: skip
        if promised is not None and promised < self.today and keep_promise and rng.random() < 0.8:
            kept = office_time(rng, add_workdays(promised, -rng.randint(0, 20)))
            if kept > at:
                self.unit_act(plan, kept, "fulfil", unit, note="承诺事项已完成，已向代表反馈")

    def _key(self, plan: Plan, begin: datetime.date) -> None:
        """重点督办: the chairmen's meeting picks it a week after the assignment; its leader holds two meetings."""
        rng, staff = self.rng, self.staff
        title = LEADER_TITLES[self.key_count % len(LEADER_TITLES)]
        self.key_count += 1
        leader = names.person_name(rng, sex=rng.choice(("male", "male", "female")), birth_year=rng.randint(1966, 1975))
        at = office_time(rng, add_workdays(begin, 5))
        self.act(plan, at, "mark_key", staff, note="主任会议确定为年度重点督办建议", leader_name=f"{leader}（{title}）")
        for n, days in enumerate((25, 55)):
            met = add_workdays(begin, days + rng.randint(0, 6))
            self.act(plan, office_time(rng, met), "key_note", staff, text=texts.KEY_NOTES[n], met_on=met)

    # -- writing

    def write(self, clock: Clock) -> None:
        for step in sorted(self.steps, key=lambda s: (s.at, s.order)):
            if step.at >= self.until:
                continue
            clock.at = step.at
            step.run()


def workday_on_or_before(day: datetime.date) -> datetime.date:
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


@contextmanager
def simulated_time() -> Iterator[Clock]:
    """timezone.now is the clock (see lianxin.demo.seed.cases); a congress's rules, which do not change while the
    seed runs, are read once instead of at every step."""
    clock = Clock()
    rules_once = functools.cache(rules.rules_of)
    with (
        mock.patch("django.utils.timezone.now", clock),
        mock.patch("lianxin.suggestions.rules.rules_of", rules_once),
    ):
        yield clock
