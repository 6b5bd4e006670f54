"""`lianxin seed_demo`: a realistic demo county on the real divisions of 德清县, built deterministically.

The model of the county (see each module for its part):

- geography: 浙江省 → 湖州市 → 德清县 → 13 towns (5 街道, 8 镇) → 177 villages and communities, from
  lianxin/demo/data/deqing_regions.csv. Every town and village gets an outline and a centre; 148 grids
  cover the county without overlapping. 29 small villages share a grid with a neighbour (联村网格), registered
  under the lead village: geography.py.
- people: about 900 deputies of four levels (province, city, county, township), some holding two mandates,
  a few resigned and by-elected, 12 on the county standing committee; grid workers: people.py.
- places: a home per town, a station per village and community, rooms of every kind, windows and posts,
  and a four-week duty roster: places.py.
- groups and pairings: professional, local and 36 supervision groups; mentor pairings; standing-committee
  links; grid workers with deputies; households: links.py.
- deputies are embedded in grids by `lianxin.deputies.assignment.assign_grids`, the same rule staff use.
- one account per role: users.py.
- responsible units and two years of cases (意见建议) through the real closed loop, with reception sessions, common
  problems merged and a few fresh ones still to merge (hotspot candidates): cases.py.
- the router trained on those cases, and its proposals for the cases still waiting: lianxin.routing.services.
- livelihood projects chosen by the deputies' vote, split into sites with monthly reports: projects.py.
- the next general election: districts, voter rolls and the check's findings: elections.py.
- the county congress's session this year with its deputies' suggestions and bills, assigned, replied, rated and
  supervised, and what the deputies wrote since: suggestions.py.
- a year of the county deputies' activities with attendance, leave and absences, meeting points, 述职 evaluated
  by voters, pledges, Lanzhou's 11 scoring items with self-assessments, and duty funds: duties.py.

Every random choice comes from `random.Random` seeded with the `--seed` (one stream per part, so that a
change in one part does not reshuffle the others); public codes are drawn from it too. Two runs on empty
databases give the same data except timestamps, primary keys and the dates of the duty roster, which
start tomorrow, of the cases, which cover the two years before today, and of the election, six weeks ahead.

The demo is marked loaded by an AuditEvent with action "demo.seed" (no model of its own).
"""

import csv
import datetime
import enum
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError
from lianxin.core.models import AuditEvent
from lianxin.demo.seed import (
    case_summary,
    cases,
    circle,
    duties,
    elections,
    geography,
    integrity,
    legislation,
    links,
    people,
    places,
    projects,
    suggestions,
    supervision,
    users,
)
from lianxin.deputies.assignment import assign_grids
from lianxin.deputies.models import (
    SERVING_STATUSES,
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupGridPairing,
    Household,
    Mandate,
    MentorPairing,
    StandingMemberLink,
)
from lianxin.elections.models import Election
from lianxin.insight.rollups import rollups_rebuild
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.services import grid_save, region_import_csv
from lianxin.venues.models import Place

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "deqing_regions.csv"
COUNTY_CODE = "330521000000"
DEFAULT_SEED = 20221213
MARKER_ACTION = "demo.seed"
ROUTER_MIN_CASES = 500  # a smaller demo (the tests' few dozen cases) trains no router


class DemoState(enum.Enum):
    EMPTY = "empty"  # nothing but (some of) the demo's own regions
    DEMO = "demo"  # the demo is loaded
    OTHER = "other"  # holds data that the demo did not make


def _demo_region_codes() -> set[str]:
    with open(REGIONS_CSV, encoding="utf-8-sig", newline="") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def demo_state() -> DemoState:
    if AuditEvent.objects.filter(action=MARKER_ACTION).exists() and users.demo_users_queryset().exists():
        return DemoState.DEMO
    registry = (Deputy, Grid, Place, DeputyGroup, GridWorker, DutyShift, Household, User)
    if any(model.objects.exists() for model in registry):
        return DemoState.OTHER
    if Region.objects.exclude(code__in=_demo_region_codes()).exists():
        return DemoState.OTHER
    return DemoState.EMPTY


def clear_registry() -> None:
    """Delete the demo's election, cases and units, deputies, grids, places, groups, roster, pairings and the
    demo accounts (not the regions, not other accounts, not the audit log, not the router's versions). Raises DomainError when other data
    still points at them."""
    try:
        with transaction.atomic():
            Election.objects.filter(name=elections.ELECTION_NAME).delete()
            circle.clear_circle()
            legislation.clear_legislation()
            integrity.clear_integrity()
            supervision.clear_supervision()
            duties.clear_duties()
            suggestions.clear_suggestions()
            projects.clear_projects()
            case_summary.clear_cases()
            for model in (
                DutyShift,
                StandingMemberLink,
                Household,
                GroupGridPairing,
                MentorPairing,
                GridWorkerPairing,
                GridAssignment,
                DeputyGroup,
                GridWorker,
                Mandate,
                Deputy,
            ):
                model.objects.all().delete()
            Place.objects.exclude(hub=None).delete()
            Place.objects.all().delete()
            Grid.objects.all().delete()
            users.delete_demo_users()
    except ProtectedError as exc:
        blocking = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise DomainError(
            "demo_clear_blocked", f"无法清空：以下数据仍引用代表、网格或家站室：{'、'.join(map(str, blocking))}"
        ) from exc


@dataclass
class SeedReport:
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    deputies_by_level: dict[str, int] = field(default_factory=dict)
    groups_by_kind: dict[str, int] = field(default_factory=dict)
    places_by_kind: dict[str, int] = field(default_factory=dict)
    roster_from: str = ""
    roster_to: str = ""
    case_summary: "case_summary.CaseSummary | None" = None
    suggestion_summary: "suggestions.SuggestionSummary | None" = None
    duty_summary: "duties.DutySummary | None" = None


def seed_demo(*, seed: int = DEFAULT_SEED, today=None, case_count: int = cases.CASE_COUNT) -> SeedReport:
    """Build the demo county into a database that holds none of it yet (callers check `demo_state`)."""
    started = time.monotonic()
    today = today or timezone.localdate()

    def stream(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    with transaction.atomic():
        region_import_csv(path=REGIONS_CSV)
        regions = {r.code: r for r in Region.objects.filter(code__in=_demo_region_codes())}
        county_plan = _plan_geography(stream("geography"), regions)
        grids = _write_geography(county_plan, regions)

        codes = people.PublicCodes(stream("public-codes"))
        factory = people.plan_deputies(stream("deputies"), county_plan, codes)
        deputies = people.write_deputies(factory.people, regions)
        place_plans = places.plan_places(stream("places"), county_plan, factory.people, codes)
        place_rows = places.write_places(place_plans, regions)
        links.GroupWriter(stream("groups"), county_plan, factory, deputies, regions).write(
            place_plans, place_rows, grids
        )
        links.write_mentor_pairings(stream("mentors"), county_plan, factory, deputies)
        links.write_standing_links(stream("standing"), county_plan, factory, deputies, place_plans, place_rows)

        assign_grids(actor=None, region=regions[COUNTY_CODE])

        people.write_grid_workers(people.plan_grid_workers(stream("grid-workers"), county_plan, factory), grids)
        links.write_worker_pairings()
        links.write_households(stream("households"), county_plan, factory, deputies)
        places.write_roster(place_plans, place_rows, today)
        users.write_demo_users()
        cases.write_cases(stream("cases"), today=today, count=case_count)
        _train_router(case_count, today=today)
        projects.write_projects(stream("projects"), today=today)
        elections.write_election(stream("elections"), today=today)
        suggestion_summary = suggestions.write_suggestions(stream("suggestions"), today=today)
        duty_summary = duties.write_duties(stream("duties"), today=today)
        supervision.write_supervision(stream("supervision"), today=today)
        legislation.write_legislation(stream("legislation"), today=today)
        integrity.write_integrity(stream("integrity"), today=today)
        circle.write_circle(stream("circle"), today=today)
        # The dashboards' rollups from the seeded cases (the worker keeps them up to date from here on).
        rollups_rebuild()
        audit_record(
            actor=None,
            action=MARKER_ACTION,
            obj=regions[COUNTY_CODE],
            region_path=regions[COUNTY_CODE].path,
            changes={"seed": seed},
            note="生成演示数据（德清县）",
        )
    report = demo_counts()
    report.suggestion_summary = suggestion_summary
    report.duty_summary = duty_summary
    report.seconds = time.monotonic() - started
    return report


def _train_router(case_count: int, *, today: datetime.date) -> None:
    """The router learns from the demo's settled cases of the last year, and proposes a category and unit for the
    cases still waiting (the triage queue). Too few cases (a small test demo): none. The last year only: the two
    years' 5,400 cases took 53 s of CPU to train (most of seed_demo's router step), the last year's ~3,200 teach
    the same categories and units; a clerk's training job from the office still uses the whole history."""
    from lianxin.routing.services import cases_propose_pending, router_train_from_cases

    if case_count < ROUTER_MIN_CASES:
        return
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time.min))
    router_train_from_cases(actor=None, source="演示数据：近一年的意见建议", since=since)
    while cases_propose_pending():
        pass


def _plan_geography(rng: random.Random, regions: dict[str, Region]) -> geography.CountyPlan:
    ordered = sorted(regions.values(), key=lambda r: r.code)
    towns = [(r.code, r.name) for r in ordered if r.level == RegionLevel.TOWNSHIP]
    villages = []
    for r in ordered:
        if r.level == RegionLevel.VILLAGE:
            assert r.parent is not None  # the demo county's villages all sit in one of its towns
            villages.append((r.code, r.name, r.parent.code))
    return geography.plan_county(rng, towns, villages)


def _write_geography(plan: geography.CountyPlan, regions: dict[str, Region]) -> dict[str, Grid]:
    """Outlines and centres on the county, towns and villages; the grids through grid_save."""
    outlines = {COUNTY_CODE: (plan.outline, plan.outline.centroid)}
    for town in plan.towns:
        centre = town.seat if town.area.contains(town.seat) else town.area.representative_point()
        outlines[town.code] = (town.area, centre)
    for village in plan.villages.values():
        outlines[village.code] = (village.cell, village.cell.centroid)
    changed = []
    for code, (outline, centre) in outlines.items():
        region = regions[code]
        region.boundary = geography.geojson(outline)
        region.centroid_lat, region.centroid_lng = round(centre.y, 6), round(centre.x, 6)
        changed.append(region)
    Region.objects.bulk_update(changed, ["boundary", "centroid_lat", "centroid_lng"])

    grids: dict[str, Grid] = {}
    for grid in plan.grids:
        grids[grid.code] = grid_save(
            actor=None,
            region=regions[grid.lead.code],
            code=grid.code,
            name=grid.name,
            kind=grid.kind,
            polygon=geography.geojson(grid.polygon),
            households=grid.households,
            population=grid.population,
        )
    return grids


def demo_counts() -> SeedReport:
    from lianxin.deputies.models import GroupKind, MandateLevel
    from lianxin.venues.models import PlaceKind

    county = Region.objects.get(code=COUNTY_CODE)
    serving = Deputy.objects.filter(mandates__status__in=SERVING_STATUSES).distinct()
    by_level = dict(
        Mandate.objects.filter(status__in=SERVING_STATUSES)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    groups = dict(DeputyGroup.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    place_kinds = dict(Place.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    shifts = DutyShift.objects.order_by("date")
    first, last = shifts.first(), shifts.last()
    return SeedReport(
        counts={
            "towns": Region.objects.subtree(county).filter(level=RegionLevel.TOWNSHIP).count(),
            "villages": Region.objects.subtree(county).filter(level=RegionLevel.VILLAGE).count(),
            "grids": Grid.objects.count(),
            "grids_without_deputy": Grid.objects.filter(deputy_assignments__isnull=True).count(),
            "deputies": Deputy.objects.count(),
            "serving_deputies": serving.count(),
            "dual_mandates": Deputy.objects.annotate(
                n=Count("mandates", filter=Q(mandates__status__in=SERVING_STATUSES))
            )
            .filter(n__gt=1)
            .count(),
            "grid_workers": GridWorker.objects.count(),
            "worker_pairings": GridWorkerPairing.objects.count(),
            "mentor_pairings": MentorPairing.objects.count(),
            "group_grid_pairings": GroupGridPairing.objects.count(),
            "households": Household.objects.count(),
            "standing_links": StandingMemberLink.objects.count(),
            "grid_assignments": GridAssignment.objects.count(),
            "shifts": shifts.count(),
        },
        deputies_by_level={MandateLevel(k).label: by_level.get(k, 0) for k in MandateLevel.values if k in by_level},
        groups_by_kind={GroupKind(k).label: groups.get(k, 0) for k in GroupKind.values},
        places_by_kind={PlaceKind(k).label: place_kinds.get(k, 0) for k in PlaceKind.values},
        roster_from=f"{first.date}" if first else "",
        roster_to=f"{last.date}" if last else "",
        case_summary=case_summary.case_summary(),
    )
