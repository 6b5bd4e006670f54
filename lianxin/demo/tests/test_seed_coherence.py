"""The demo makes sense when a clerk looks at it (issue 15): answers about the problem asked, by a unit that
handles it; merges of one problem; a believable year before; hotspots to merge; a trained router; an election
with its rolls and findings. Uses the package's one seed (conftest.py)."""

import datetime
import re
from collections import Counter

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.cases.models import RESOLVED_STATUSES, Case, CaseEvent, Channel, Handling, Status
from lianxin.cases.reports import MIN_BASE, case_statistics
from lianxin.demo.seed import case_texts as texts
from lianxin.demo.seed.case_setting import COUNTY_UNITS
from lianxin.demo.seed.case_summary import last_year_start
from lianxin.demo.seed.elections import ELECTION_NAME
from lianxin.elections.models import Election, Finding, Voter
from lianxin.regions.models import RegionLevel
from lianxin.routing.models import Proposal, RouterVersion
from lianxin.routing.selectors import hotspot_candidates


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression: its slots match any text."""
    parts = re.split(r"\{[a-z]+\}", template)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.S)


PROBLEMS = [(code, problem) for code, problems in texts.PROBLEMS.items() for problem in problems]
TITLES = [(re.compile(_pattern(problem.title).pattern + "$"), code, problem) for code, problem in PROBLEMS]
REPLIES = {id(problem): [_pattern(reply) for reply in problem.replies] for _, problem in PROBLEMS}


def _problem_of(case: Case) -> texts.Problem:
    matches = [problem for pattern, _, problem in TITLES if pattern.match(case.title)]
    assert matches, case.title
    return matches[0]


def test_every_problem_is_handled_by_departments_of_its_category():
    categories = dict(COUNTY_UNITS)
    for code, problem in PROBLEMS:
        assert problem.units and problem.replies, problem.title
        for unit in problem.units:
            assert code in categories[unit], (problem.title, unit)


def test_transferred_cases_go_to_a_unit_that_serves_their_category_and_the_reply_answers_their_problem(county):
    transferred = Case.objects.filter(handling=Handling.TRANSFERRED, unit__isnull=False).select_related(
        "unit__region", "category"
    )
    # The unit's reply: the case's latest, when it came after the (last) transfer. (A case coordinated locally,
    # rated unsatisfied and transferred under supervision keeps the local reply until the unit answers.)
    transfers = dict(
        CaseEvent.objects.filter(case__in=transferred, action="transfer")
        .values("case_id")
        .annotate(last=Max("created_at"))
        .values_list("case_id", "last")
    )
    replies = {
        pk: reply
        for pk, reply, replied_at in transferred.values_list("pk", "reply", "replied_at")
        if replied_at is not None and replied_at > transfers[pk]
    }
    checked = Counter()
    served = {u: set(c) for u, c in COUNTY_UNITS}
    for case in transferred:
        problem = _problem_of(case)
        assert case.category is not None
        if case.unit.region.level == RegionLevel.TOWNSHIP:
            assert problem.local, (case.title, case.unit.name)  # a town handles only what it can solve locally
            checked["town"] += 1
        else:
            assert case.unit.name in problem.units, (case.title, case.unit.name)
            assert case.category.code in served[case.unit.name]
            checked["county"] += 1
        reply = replies.get(case.pk)
        if reply:
            text = reply.removeprefix("经重新核查，").removeprefix("经人大督办，")
            assert any(p.match(text) for p in REPLIES[id(problem)]), (case.title, reply)
            assert case.unit.name in text
            checked["reply"] += 1
    assert checked["town"] > 200 and checked["county"] > 1000 and checked["reply"] > 1000, checked
    # A case declined as no matter for the congress is closed, not supervised and transferred afterwards.
    declined = Case.objects.filter(events__action="decline")
    assert declined.exists() and not declined.filter(events__action="transfer").exists()
    # The two findings of the issue: a truck-overload case answered about buses; a night patrol by the justice bureau.
    trucks = transferred.filter(title__endswith="货车超载超速")
    assert trucks.exists() and not any("公交" in (replies.get(c.pk) or "") for c in trucks)
    patrols = transferred.filter(title__endswith="夜间治安巡逻不足")
    assert patrols.exists() and set(patrols.values_list("unit__name", flat=True)) == {"县公安局"}


def test_merged_cases_report_the_same_problem_in_the_same_place_as_their_master(county):
    children = Case.objects.exclude(master=None).select_related("master")
    assert children.count() >= 20
    for child in children:
        master = child.master
        assert (child.category_id, child.region_id, child.title) == (master.category_id, master.region_id, master.title)
        assert _problem_of(child) is _problem_of(master)
        core = _pattern(_problem_of(child).core)
        assert core.search(child.body) and core.search(master.body)


def test_the_year_before_is_believable_and_finished(county):
    start = last_year_start()
    last, before = Case.objects.filter(registered_at__gte=start), Case.objects.filter(registered_at__lt=start)
    assert 0.55 <= before.count() / last.count() <= 0.8
    assert before.order_by("registered_at").first().registered_at >= start - datetime.timedelta(days=366)
    assert not before.exclude(status__in=RESOLVED_STATUSES).exists()
    share = {qs: qs.filter(channel=Channel.ONLINE).count() / qs.count() for qs in (last, before)}
    assert share[before] < share[last] - 0.05  # online grew faster (德清 2022: +67 %)
    # The statistics of this year compare with a year that had cases too.
    today = timezone.localdate()
    county_staff = User.objects.get(username="county")
    stats = case_statistics(user=county_staff, region=county, start=today.replace(month=1, day=1), end=today)
    assert stats.previous.received >= 10 * MIN_BASE
    assert stats.year_on_year.received is not None and 0.2 <= stats.year_on_year.received <= 1.0
    assert stats.year_on_year.online is not None and stats.year_on_year.online > stats.year_on_year.received


def test_fresh_reports_of_one_problem_are_hotspot_candidates_named_by_place_and_problem(county):
    fresh = Case.objects.filter(
        status__in=[Status.REGISTERED, Status.ACCEPTED], master=None, registered_at__gte=last_year_start()
    )
    clusters = Counter(fresh.values_list("title", "region_id"))
    planted = [key for key, n in clusters.items() if n >= 3]
    assert len(planted) >= 3, clusters.most_common(5)
    candidates = hotspot_candidates(user=User.objects.get(username="county"))
    for title, region_id in planted:
        ids = set(fresh.filter(title=title, region_id=region_id).values_list("pk", flat=True))
        found = [c for c in candidates if ids <= {case.pk for case in c.cases}]
        assert len(found) == 1, title
        assert found[0].hotspot.name == title  # the place most of them name, then the problem: nothing glued


def test_a_trained_router_has_proposed_for_every_case_still_waiting(county):
    version = RouterVersion.objects.get(is_active=True)
    assert version.source == "演示数据：近一年的意见建议"  # the last year's settled cases, ~3,250 of ~5,400
    assert version.samples >= 3000 and version.metrics["macro_f1"] > 0.8
    waiting = Case.objects.filter(status=Status.REGISTERED)
    assert waiting.exists()
    assert Proposal.objects.filter(case__in=waiting).count() == waiting.count()


def test_the_election_has_districts_rolls_and_the_findings_a_clerk_looks_for(county, client):
    election = Election.objects.get(name=ELECTION_NAME)
    assert election.election_day > timezone.localdate()
    districts = list(election.districts.select_related("region"))
    assert len(districts) == 6 and all(d.region.parent.name == "武康街道" for d in districts)
    assert 1500 <= Voter.objects.filter(district__election=election).count() <= 2800
    found = Counter(Finding.objects.filter(election=election).values_list("kind", "code"))
    assert found == {
        ("duplicate", "same_id"): 2,
        ("duplicate", "near"): 1,
        ("error", "id_checksum"): 2,  # the mistyped ID, and the transposed one
        ("error", "birth_mismatch"): 1,
        ("error", "sex_mismatch"): 1,
        ("error", "underage"): 1,
        # Three adults nobody registered, and the person whose ID was mistyped: the register's true ID is missing.
        ("omission", "unregistered"): 4,
        ("omission", "turning_18"): 2,
        ("omission", "moved_out"): 3,
        ("omission", "deceased"): 2,
    }
    client.force_login(User.objects.get(username="township"))
    page = client.get(reverse("admin:elections_finding_changelist"))
    assert page.status_code == 200
    assert "已迁出仍在名册" in page.content.decode()
