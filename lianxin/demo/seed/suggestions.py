"""The demo county congress's suggestions and bills (代表建议与议案), driven through the real workflow.

What it models, after 德清: the county congress's session in January (十七届人大第 N 次会议) takes about 140
suggestions, most entered by staff from the deputies' paper forms with the co-signers who signed them (纸质联名),
and two bills, one from a delegation that the presidium puts on the agenda and one awaiting its decision. Staff
pre-review them (a few are returned and come back as a second version, a few similar ones are handled together,
并案, two are not accepted), accept and number them, and assign them at the 交办会 a few weeks later to the county's
departments and town governments, a lead unit with co-units or two lead units (分办). Ten are key suggestions
(重点督办) led by county leaders, with progress notes. Units contact the deputy before replying (about nine in ten
replies), co-units send their opinion, most lead units reply within three months (a few late, two after an
extension), in class A, B (with a promised date, kept or still open) or C; deputies rate the replies (about 95 %
satisfied or basically satisfied); an unsatisfied deputy's suggestion is handled again; staff close them, publish
some with the deputy's consent, two units report to the standing committee (评议) and the best are nominated for
awards. Between sessions (闭会期间) the deputies keep writing: what is still under way today is there in every state.

The demo accounts take their parts: `deputy` drafts, co-signs, revises, withdraws and rates on their phone and has
a reply awaiting their rating and an invitation to co-sign; `unit` (县住建局) asks for a re-assignment once,
contacts the deputies and replies to its own parts; `county` does the staff's work and records the paper replies
and ratings of everybody without an account.

How the past is written: as for the cases (lianxin.demo.seed.cases), every row comes from
`suggestion_draft_create` and `suggestion_transition` (and the services for sessions, evaluations and awards)
while `django.utils.timezone.now` is a clock the generator sets before each step; steps run in time order across
all suggestions, so numbers follow the order of acceptance. Nothing is rewritten afterwards except the
notifications of that past, which are marked as sent. Deterministic for a seed and a day.
"""

import datetime
import random
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q

from lianxin.accounts.models import User
from lianxin.cases.models import Case, Handling, ResponsibleUnit
from lianxin.demo import names
from lianxin.demo.seed import suggestion_texts as texts
from lianxin.demo.seed.case_clock import _moment, office_time, person_time
from lianxin.demo.seed.case_setting import COUNTY_UNITS, DEMO_UNIT_HANDLED
from lianxin.demo.seed.suggestion_handling import (
    CLIENT_KEY_PREFIX,
    COUNTY_CODE,
    TERM,
    Fate,
    Handler,
    Plan,
    simulated_time,
    workday_on_or_before,
)
from lianxin.deputies.models import Deputy, MandateLevel
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.regions.models import Region, RegionLevel
from lianxin.suggestions.models import (
    Award,
    AwardKind,
    Field,
    Kind,
    Proposer,
    Rating,
    ReplyClass,
    Session,
    SessionKind,
    Status,
    Suggestion,
    UnitEvaluation,
    UnitRole,
)
from lianxin.suggestions.services import award_nominate, chinese_number, evaluation_record, session_create
from lianxin.workdays.calendar import CHINA, add_workdays

MEETING_COUNT = 132  # the session's suggestions (besides its bills)
MERGED = 3  # 并案: similar suggestions handled with another one
REHANDLED = 8  # unsatisfied at first; of these, FINALLY_UNSATISFIED stay unsatisfied after the second reply
FINALLY_UNSATISFIED = 5
KEY_COUNT = 10


@dataclass(frozen=True)
class SuggestionSummary:
    seconds: float
    suggestions: int
    bills: int
    assigned: int
    replied: int
    satisfaction: float | None
    key: int

    def line(self) -> str:
        rate = f"{self.satisfaction:.1%}" if self.satisfaction is not None else "—"
        return (
            f"代表建议：{self.suggestions} 件，议案 {self.bills} 件，交办 {self.assigned} 件，已答复 {self.replied} 件，"
            f"满意率 {rate}，重点督办 {self.key} 件（用时 {self.seconds:.1f} 秒）"
        )


class Writer(Handler):
    """Plans the session's suggestions and bills and those written since, then writes them step by step."""

    # -- the plan

    def plan(self) -> None:
        rng, staff = self.rng, self.staff
        name = f"{self.county.name}第{chinese_number(TERM)}届人民代表大会第{chinese_number(self.number)}次会议"

        def open_session(kind: str, opens: datetime.date, closes: datetime.date | None, at: datetime.datetime) -> None:
            def run() -> None:
                self.sessions[kind] = session_create(
                    actor=staff,
                    congress_region=self.county,
                    level=MandateLevel.COUNTY,
                    term=TERM,
                    number=self.number,
                    kind=kind,
                    opens_on=opens,
                    closes_on=closes,
                    name=name + ("闭会期间" if kind == SessionKind.INTERVAL else ""),
                )

            self.add(at, run)

        open_session(
            SessionKind.MEETING, self.opens_on, self.closes_on, office_time(rng, self.opens_on - datetime.timedelta(20))
        )
        open_session(
            SessionKind.INTERVAL, self.closes_on + datetime.timedelta(days=1), None, office_time(rng, self.closes_on)
        )
        self._meeting()
        self._bills()
        self._interval()
        self._evaluations_and_awards()

    def _leads(self, count: int) -> list[Deputy]:
        """Lead deputies: most serving county deputies lead one, some two; the demo deputy leads theirs apart."""
        everyone = [d for town in self.towns for d in self.by_town[town.pk] if d != self.me]
        self.rng.shuffle(everyone)
        chosen = everyone[: int(count * 0.8)]
        chosen += self.rng.sample(chosen, count - len(chosen))
        return chosen

    def _meeting(self) -> None:
        rng = self.rng
        grown = self._from_cases()
        leads = self._leads(MEETING_COUNT - len(grown) - 3)
        plans: list[Plan] = []
        for index, (lead, theme, village, case_id) in enumerate(grown):
            plan = self.themed(f"c{index}", SessionKind.MEETING, theme, lead, village=village)
            plan.case_ids = [case_id]
            plans.append(plan)
        themes = list(texts.THEMES)
        for index, lead in enumerate(leads):
            plans.append(self.themed(f"m{index}", SessionKind.MEETING, themes[index % len(themes)], lead))
        rng.shuffle(plans)
        fates = self._fates(len(plans))
        ordinary = [p for p, f in zip(plans, fates, strict=True) if f is not None and f == Fate(ratings=f.ratings)]
        masters = ordinary[:MERGED]
        for plan, fate in zip(plans, fates, strict=True):
            if fate is None:
                continue
            if fate.reassign:  # about something 县住建局 thinks is another department's
                assert plan.lead is not None
                theme = rng.choice([th for th in themes if th.leads[0] == DEMO_UNIT_HANDLED])
                plans[plans.index(plan)] = plan = self.themed(
                    plan.key.removeprefix(CLIENT_KEY_PREFIX), plan.session, theme, plan.lead
                )
            self._session_suggestion(plan, fate)
        children = [p for p, f in zip(plans, fates, strict=True) if f is None]
        for master, child in zip(masters, children, strict=True):
            child.theme, child.slots, child.area = master.theme, master.slots, master.area
            child.title, child.reasons, child.content = _similar(master)
            child.follows = True
            self._session_suggestion(child, Fate(), merge_into=master)
        mine = [self.themed(f"me{i}", SessionKind.MEETING, themes[i * 7 % len(themes)], self.me) for i in range(3)]
        mine[0].consent = True
        self._session_suggestion(mine[0], Fate(publish=True))
        self._session_suggestion(mine[1], Fate(reply_class=ReplyClass.B), returned=True)
        self._session_suggestion(mine[2], Fate(close=False, key=True))
        for n, (title, reasons, content) in enumerate(texts.REJECTED):
            lead = leads[-1 - n]
            town = self.town_of[lead.pk]
            slots = {"town": town.name, "village": rng.choice(self.villages[town.pk])}
            plan = Plan(
                key=f"{CLIENT_KEY_PREFIX}r{n}", session=SessionKind.MEETING, title=title.format(**slots),
                reasons=reasons.format(**slots), content=content, area=Field.OTHER, creator=self.staff, lead=lead,
            )  # fmt: skip
            at = office_time(rng, add_workdays(self.opens_on, 1))
            self.create(plan, at)
            self.act(plan, at + datetime.timedelta(minutes=20), "submit", self.staff)
            at = office_time(rng, add_workdays(self.closes_on, 3))
            self.act(plan, at, "reject", self.staff, reason=texts.REJECT_REASONS[n])

    def _fates(self, count: int) -> list[Fate | None]:
        """None marks a suggestion merged into another (并案). Special cases placed, the rest with drawn classes
        and ratings; KEY_COUNT - 1 ordinary ones are key suggestions (the demo deputy leads the last)."""
        rng = self.rng
        specials: list[Fate | None] = [None] * MERGED
        specials += [Fate(reply_class=ReplyClass.B, extend=True), Fate(reassign=True)]
        specials += [Fate(late=True, reply_class=rng.choice("ABB")) for _ in range(5)]
        for n in range(REHANDLED):
            second = Rating.UNSATISFIED if n < FINALLY_UNSATISFIED else Rating.BASIC
            specials.append(Fate(reply_class=rng.choice("BBC"), ratings=(Rating.UNSATISFIED, second), close=n % 2 == 0))
        specials += [Fate(close=False) for _ in range(3)]
        ordinary: list[Fate | None] = []
        while len(specials) + len(ordinary) < count:
            rating = Rating.SATISFIED if rng.random() < 0.74 else Rating.BASIC
            reply_class = names.weighted_choice(rng, [("A", 58), ("B", 32), ("C", 10)])
            ordinary.append(Fate(reply_class=reply_class, ratings=(rating,)))
        for fate in ordinary[: KEY_COUNT - 1]:
            assert fate is not None
            fate.key = True
        fates = specials + ordinary
        order = list(range(len(fates)))
        rng.shuffle(order)
        return [fates[i] for i in order]

    def _from_cases(self) -> list[tuple[Deputy, texts.Theme, str, int]]:
        """Citizens' cases converted into suggestions in the year before the session grow into some of them."""
        start = datetime.datetime.combine(self.opens_on, datetime.time(), tzinfo=CHINA)
        cases = (
            Case.objects.filter(
                handling=Handling.CONVERTED,
                registered_at__gte=start - datetime.timedelta(days=365),
                registered_at__lt=start,
                region__path__startswith=self.county.path,
            )
            .select_related("category", "region__parent", "deputy")
            .order_by("registered_at", "receipt_code")
        )
        by_cat: dict[str, list[texts.Theme]] = {}
        for theme in texts.THEMES:
            by_cat.setdefault(theme.cat, []).append(theme)
        grown = []
        for case in cases[:60]:
            themes = by_cat.get(case.category.code if case.category else "", [])
            town = case.region.parent if case.region.level == RegionLevel.VILLAGE else case.region
            if not themes or town is None or town.pk not in self.by_town:
                continue
            lead = case.deputy if case.deputy is not None and case.deputy_id in self.town_of else None
            lead = lead or self.rng.choice(self.by_town[town.pk])
            if lead == self.me or self.town_of[lead.pk] != town:
                continue
            grown.append((lead, self.rng.choice(themes), names.short_region_name(case.region.name), case.pk))
            if len(grown) == 8:
                break
        return grown

    def _session_suggestion(
        self, plan: Plan, fate: Fate, *, merge_into: Plan | None = None, returned: bool = False
    ) -> None:
        """Written at the session (the demo deputy's own the week before), reviewed, assigned at the 交办会."""
        rng, staff = self.rng, self.staff
        if plan.lead == self.me:
            day = self.opens_on - datetime.timedelta(days=rng.randint(3, 9))
        else:
            day = add_workdays(self.opens_on, rng.randint(0, 2))
        t = office_time(rng, day)
        self.create(plan, t, source=rng.random() < 0.15)
        t += datetime.timedelta(minutes=rng.randint(3, 30))
        signers = self._co_signers(plan, rng.choice((0, 0, 0, 1, 1, 2, 3, 4)))
        if signers:  # the co-signers signed the paper form; staff record them
            self.act(plan, t, "invite", staff, deputies=[d.pk for d in signers], signed_on_paper=True)
        t += datetime.timedelta(minutes=rng.randint(1, 20))
        submitter = self.rater(plan)
        self.act(plan, t, "submit", submitter)
        t = office_time(rng, add_workdays(self.closes_on, rng.randint(1, 6)))
        if returned:
            self.act(plan, t, "return", staff, reason=rng.choice(texts.RETURN_REASONS))
            t = person_time(rng, t, (1, 4))
            self.act(
                plan,
                t,
                "edit",
                submitter,
                content=plan.content + "四、建议县有关部门会同属地镇（街道）制定具体实施方案，明确时间表和责任人。",
                reasons=plan.reasons + f"据调研，{plan.slots.get('town', '')}相关问题涉及群众三千余人。",
            )
            t += datetime.timedelta(minutes=rng.randint(5, 60))
            self.act(plan, t, "resubmit", submitter)
            t = office_time(rng, add_workdays(t.astimezone(CHINA).date(), rng.randint(1, 3)))
        if merge_into is not None:

            def master_id(master: Plan = merge_into) -> int:  # known once the master is written
                assert master.suggestion is not None
                return master.suggestion.pk

            t = office_time(rng, add_workdays(self.closes_on, 8))
            self.act(plan, t, "pass", staff, note="与同类建议并案办理", merge_with=master_id)
            self.act(plan, t + datetime.timedelta(minutes=30), "accept", staff)
            self._merged_parts(plan, _moment(self.assign_day, 11 * 60))
            return
        self.act(plan, t, "pass", staff)
        t = office_time(rng, add_workdays(t.astimezone(CHINA).date(), rng.randint(1, 4)), after=t)
        self.act(plan, t, "accept", staff)
        self._handling(plan, fate)

    def _co_signers(self, plan: Plan, count: int) -> list[Deputy]:
        if count == 0 or plan.lead is None or plan.lead == self.me:
            return []
        town = self.town_of[plan.lead.pk]
        pool = [d for d in self.by_town[town.pk] if d != plan.lead and d != self.me]
        chosen = self.rng.sample(pool, min(count, len(pool)))
        if town == self.town_of[self.me.pk] and self.rng.random() < 0.6:
            chosen.append(self.me)
        return chosen

    # -- bills

    def _bills(self) -> None:
        rng, staff = self.rng, self.staff
        xinshi = next(t for t in self.towns if t.name == "新市镇")
        title, reasons, content, draft, field_ = texts.BILLS[0]
        bill = Plan(
            key=f"{CLIENT_KEY_PREFIX}b0", session=SessionKind.MEETING, title=title, reasons=reasons, content=content,
            area=field_, creator=staff, kind=Kind.BILL, draft_resolution=draft, proposer=Proposer.DELEGATION,
            delegation=self.delegations.get(xinshi.pk), consent=True,
        )  # fmt: skip
        t = office_time(rng, self.opens_on)
        self.create(bill, t)
        self.act(bill, t + datetime.timedelta(minutes=20), "submit", staff)
        t = office_time(rng, add_workdays(self.opens_on, 1))
        self.act(bill, t, "pass", staff)
        self.act(bill, t + datetime.timedelta(hours=1), "to_presidium", staff)
        self.act(bill, office_time(rng, self.closes_on), "agenda", staff, note="主席团第二次会议决定列入会议议程")

        title, reasons, content, draft, field_ = texts.BILLS[1]
        lead = rng.choice([d for d in self.by_town[next(t for t in self.towns if t.name == "莫干山镇").pk]])
        bill = Plan(
            key=f"{CLIENT_KEY_PREFIX}b1", session=SessionKind.MEETING, title=title, reasons=reasons, content=content,
            area=field_, creator=staff, lead=lead, kind=Kind.BILL, draft_resolution=draft,
        )  # fmt: skip
        t = office_time(rng, add_workdays(self.opens_on, 1))
        self.create(bill, t)
        others = [d for town in self.towns for d in self.by_town[town.pk] if d not in (lead, self.me)]
        signers = rng.sample(others, 11)
        self.act(
            bill,
            t + datetime.timedelta(minutes=5),
            "invite",
            staff,
            deputies=[d.pk for d in signers],
            signed_on_paper=True,
        )
        self.act(bill, t + datetime.timedelta(minutes=15), "submit", staff)
        t = office_time(rng, add_workdays(self.opens_on, 2))
        self.act(bill, t, "pass", staff)
        self.act(bill, t + datetime.timedelta(minutes=40), "to_presidium", staff)

        # A bill with too few co-signers becomes a suggestion, with its lead deputy's consent.
        theme = next(th for th in texts.THEMES if th.leads[0] == "县卫生健康局")
        converted = self.themed("b3", SessionKind.MEETING, theme, rng.choice(others))
        converted.kind = Kind.BILL
        converted.title = converted.title.replace("的建议", "的议案")
        converted.draft_resolution = "德清县人民代表大会关于提升基层医疗服务能力的决议（草案）"
        t = office_time(rng, add_workdays(self.opens_on, 1))
        self.create(converted, t)
        self.act(
            converted, t + datetime.timedelta(minutes=30), "convert", staff,
            note="联名代表不足十人，经领衔代表同意转为建议", deputy_consent=True,
        )  # fmt: skip
        suggestion_title = converted.title.replace("的议案", "的建议")
        self.act(converted, t + datetime.timedelta(minutes=32), "edit", staff, title=suggestion_title)
        self.act(converted, t + datetime.timedelta(minutes=35), "submit", staff)
        t = office_time(rng, add_workdays(self.closes_on, 3))
        self.act(converted, t, "pass", staff)
        self.act(converted, t + datetime.timedelta(hours=2), "accept", staff)
        self._handling(converted, Fate(reply_class=ReplyClass.B))

    # -- between sessions

    def _interval(self) -> None:
        """What the deputies wrote since the session, counted back from today: every state still under way."""
        rng, staff, me, me_user = self.rng, self.staff, self.me, self.deputy_user
        themes = list(texts.THEMES)
        leads = self._leads(12)
        housing = [th for th in themes if th.leads[0] == DEMO_UNIT_HANDLED]
        neighbours = [d for d in self.by_town[self.town_of[me.pk].pk] if d != me]

        def day(days_ago: int) -> datetime.datetime:
            return office_time(rng, workday_on_or_before(self.today - datetime.timedelta(days=days_ago)))

        def later(at: datetime.datetime, workdays: int) -> datetime.datetime:
            return office_time(rng, add_workdays(at.astimezone(CHINA).date(), workdays), after=at)

        def plan_of(key: str, theme: texts.Theme, lead: Deputy) -> Plan:
            return self.themed(key, SessionKind.INTERVAL, theme, lead)

        def submitted(plan: Plan, at: datetime.datetime) -> datetime.datetime:
            self.create(plan, at)
            at += datetime.timedelta(minutes=rng.randint(10, 90))
            self.act(plan, at, "submit", self.rater(plan))
            return at

        def accepted(plan: Plan, at: datetime.datetime) -> datetime.datetime:
            """Submitted, pre-reviewed and accepted; returns when it is assigned."""
            at = later(submitted(plan, at), 2)
            self.act(plan, at, "pass", staff)
            at = later(at, 2)
            self.act(plan, at, "accept", staff)
            return later(at, 3)

        # The demo deputy's own: a draft, a withdrawn draft, one returned to revise, a bill collecting co-signers,
        # and one whose reply (after an extension) awaits their rating.
        self.create(plan_of("i-me-draft", themes[3], me), day(2))
        withdrawn = plan_of("i-me-withdrawn", themes[11], me)
        at = day(41)
        self.create(withdrawn, at)
        self.act(withdrawn, later(at, 2), "withdraw", me_user, note="与其他代表的建议重复，撤回")
        returned = plan_of("i-me-returned", themes[21], me)
        at = submitted(returned, day(13))
        self.act(returned, later(at, 3), "return", staff, reason=texts.RETURN_REASONS[0])
        title, reasons, content, draft, field_ = texts.BILLS[2]
        bill = Plan(
            key=f"{CLIENT_KEY_PREFIX}b2", session=SessionKind.INTERVAL, title=title, reasons=reasons, content=content,
            area=field_, creator=me_user, lead=me, kind=Kind.BILL, draft_resolution=draft,
        )  # fmt: skip
        at = day(7)
        self.create(bill, at)
        self.act(bill, later(at, 1), "invite", me_user, deputies=[d.pk for d in neighbours[:9]])
        awaiting = plan_of("i-me-awaiting", housing[0], me)
        self._handling(awaiting, Fate(extend=True, rate=False), assign_at=accepted(awaiting, day(170)))

        # Others': a draft; one collecting with the demo deputy invited and one they signed on their phone; two
        # awaiting pre-review, one pre-reviewed, one accepted, one whose unit asks to be re-assigned, three
        # overdue, one replied awaiting its rating, one rated, two closed.
        self.create(plan_of("i-draft", themes[5], leads[0]), day(3))
        inviting = plan_of("i-collecting", themes[9], neighbours[1])
        at = day(5)
        self.create(inviting, at)
        self.act(inviting, at + datetime.timedelta(minutes=30), "invite", staff, deputies=[me.pk, neighbours[2].pk])
        signed = plan_of("i-signed", themes[15], neighbours[3])
        at = day(33)
        self.create(signed, at)
        at += datetime.timedelta(minutes=20)
        self.act(signed, at, "invite", staff, deputies=[me.pk])
        at = person_time(rng, at, (0, 1))
        self.act(signed, at, "sign", me_user)
        for action in ("submit", "pass", "accept"):
            at = later(at, 2)
            self.act(signed, at, action, staff)
        self._handling(signed, Fate(reply=False), assign_at=later(at, 3))
        submitted(plan_of("i-submitted-1", themes[17], leads[1]), day(4))
        submitted(plan_of("i-submitted-2", themes[27], leads[2]), day(3))
        pre = plan_of("i-pre", themes[31], leads[3])
        at = submitted(pre, day(11))
        self.act(pre, later(at, 3), "pass", staff)
        accepted(plan_of("i-accepted", themes[33], leads[4]), day(14))
        request = plan_of("i-reassign", housing[1], leads[5])
        at = accepted(request, day(20))
        housing_bureau = self.units[DEMO_UNIT_HANDLED]
        self.act(request, at, "assign", staff, units=[{"unit": housing_bureau.pk, "role": "lead"}])
        reason = "所提事项主要涉及规划调整，建议调整由县自然资源和规划局主办"
        self.unit_act(request, later(at, 2), "request_reassign", housing_bureau, reason=reason)
        for n in range(3):
            overdue = plan_of(f"i-overdue-{n}", themes[(n * 13 + 4) % len(themes)], leads[6 + n])
            self._handling(overdue, Fate(reply=False), assign_at=accepted(overdue, day(150 - n * 6)))
        fates = (Fate(rate=False), Fate(close=False), Fate(), Fate(reply_class=ReplyClass.B, publish=True))
        for n, fate in enumerate(fates):
            done = plan_of(f"i-done-{n}", themes[(n * 11 + 2) % len(themes)], leads[9 + n % 3])
            done.consent = done.consent or fate.publish
            self._handling(done, fate, assign_at=accepted(done, day(175 - n * 4)))

    # -- the year's end

    def _evaluations_and_awards(self) -> None:
        rng, staff = self.rng, self.staff
        # The standing committee hears the units in October (or a few weeks ago, early in the autumn).
        held = min(add_workdays(datetime.date(self.year, 10, 20), 0), self.today - datetime.timedelta(days=21))
        held = workday_on_or_before(held)
        for name, votes in (("县住建局", (23, 6, 1)), ("县交通运输局", (21, 8, 1))):
            unit = self.units[name]

            def evaluate(unit: ResponsibleUnit = unit, votes: tuple[int, int, int] = votes) -> None:
                evaluation_record(
                    actor=staff, region=self.county, year=self.year, unit=unit, reported_on=held,
                    report=f"{unit.name}关于县十七届人大{chinese_number(self.number)}次会议代表建议办理情况的报告",
                    satisfied=votes[0], basic=votes[1], unsatisfied=votes[2],
                    note="县人大常委会会议听取报告并进行满意度测评",
                )  # fmt: skip

            self.add(office_time(rng, held), evaluate)
        nominated = office_time(rng, add_workdays(self.today - datetime.timedelta(days=10), 0))

        def nominate() -> None:
            best = (
                Suggestion.objects.filter(
                    client_key__startswith=CLIENT_KEY_PREFIX, status=Status.CLOSED,
                    units__rating=Rating.SATISFIED, units__role=UnitRole.LEAD,
                )
                .order_by("-is_key", "number")
                .distinct()[:5]
            )  # fmt: skip
            for s in best:
                award_nominate(
                    actor=staff, region=self.county, year=self.year, kind=AwardKind.BEST_SUGGESTION, suggestion=s,
                    reason="问题抓得准、建议可操作，办理成效明显",
                )  # fmt: skip
            for name in ("县住建局", "县教育局"):
                award_nominate(
                    actor=staff, region=self.county, year=self.year, kind=AwardKind.BEST_UNIT, unit=self.units[name],
                    reason="办前联系到位、答复及时，代表满意率高",
                )  # fmt: skip

        self.add(nominated, nominate)


def _similar(master: Plan) -> tuple[str, str, str]:
    """Another deputy's suggestion on the same problem in other words: what pre-review merges (并案)."""
    title = master.title.replace("关于", "关于进一步", 1)
    return title, "群众多次向代表反映。" + master.reasons, master.content


def write_suggestions(rng: random.Random, *, today: datetime.date) -> SuggestionSummary:
    started = time.monotonic()
    writer = Writer(rng, today=today)
    writer.plan()
    with simulated_time() as clock:
        writer.write(clock)
    # That year's messages were delivered at the time; nothing of it is left for the worker to send.
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=CHINA)
    Notification.objects.filter(
        kind__startswith="suggestion.", region_path=writer.county.path, created_at__lt=midnight
    ).update(status=NotificationStatus.SENT, sent_at=F("created_at"), attempts=1)
    return summary(seconds=time.monotonic() - started)


def demo_suggestions() -> Any:
    return Suggestion.objects.filter(client_key__startswith=CLIENT_KEY_PREFIX)


def summary(*, seconds: float = 0.0) -> SuggestionSummary:
    from lianxin.suggestions.selectors import statistics_total
    from lianxin.suggestions.selectors import suggestion_statistics as stats

    rows = demo_suggestions()
    staff = User.objects.filter(username="county").first()
    total = statistics_total(stats(user=staff, by="session"))
    return SuggestionSummary(
        seconds=seconds,
        suggestions=rows.filter(kind=Kind.SUGGESTION).count(),
        bills=rows.filter(kind=Kind.BILL).count(),
        assigned=rows.filter(assigned_at__isnull=False).count(),
        replied=rows.filter(replied_at__isnull=False).count(),
        satisfaction=total.satisfaction_rate,
        key=rows.filter(is_key=True).count(),
    )


def clear_suggestions() -> None:
    """Remove the demo's suggestions with their history, its sessions, evaluations, awards and messages (before
    the cases, units and deputies they point at)."""
    rows = demo_suggestions()
    county = Region.objects.filter(code=COUNTY_CODE).first()
    Award.objects.filter(Q(suggestion__in=rows) | Q(unit__name__in=[n for n, _ in COUNTY_UNITS])).delete()
    if county is not None:
        UnitEvaluation.objects.filter(region=county).delete()
        Notification.objects.filter(kind__startswith="suggestion.", region_path=county.path).delete()
    rows.exclude(merged_into=None).delete()
    rows.delete()
    Session.objects.filter(congress_region__code=COUNTY_CODE, suggestions__isnull=True).delete()
