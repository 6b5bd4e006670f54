"""Dashboard figures at the scale of a province (issue 18, "Scale"): the rollups against the naive GROUP BY.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_stats" postgres
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_stats .venv/bin/python bench/stats.py [--cases N]
        [--reset | --reuse] [--naive auto|all|subset]

PostgreSQL only. It migrates DATABASE_URL's database and refuses one that already holds regions unless --reset (which
drops and recreates its `public` schema: everything in that database is lost) or --reuse (measure what an earlier
run built: no generation). Then:

1. **Generate** a synthetic province — 10 cities × 10 counties × 12 townships × 10–20 villages (≈ 18,000 villages; no
   grids), 36 categories (the migrations' 11 and 25 more), 50 responsible units per county — and --cases cases
   (10,000,000 by default) with COPY, `registered_at` in time order over the 48 months before this one and up to now.
   Counties differ in size (log-normal weights), so do categories and units (Zipf-like); 6 % of the cases are
   registered at a township, 1 % at a county. States depend on age like a working system's: of cases older than two
   months ≈ 89 % resolved (fed back, most rated, some closed or published; `fed_back_at` 1–30 days after
   registration), 4 % declined, 6 % still in handling, 1 % never accepted; the last two months hold most of the
   pending and in-handling cases. ≈ 40 % online. Every open case past its step's deadline is flagged overdue, as the
   deadline worker leaves them every round (data generated before that rule: --reuse --settle runs the worker's
   steps on it).
   The non-unique indexes of `cases_case` are dropped for the COPY and created again after it (same definitions), and
   the load skips the foreign-key triggers (`session_replication_role = replica`: the generator only writes ids it
   created).
2. `VACUUM ANALYZE` (a bulk load leaves the planner without statistics).
3. **Rebuild** the rollups, timed: `lianxin.insight.rollups.rollups_rebuild` (what `lianxin rebuild_rollups` runs).
4. **A fixed mix of --queries (200) dashboard queries**, seeded: a random level (province, city, county, township),
   a random region of that level, a random period of whole months (a month, a calendar quarter or a calendar year
   inside the 48 months), and 1 in 4 filtered by a category, a channel or a unit (of the region). Each is run
   (a) through `lianxin.insight.figures.figures(user=SYSTEM, …)` and
   (b) through the naive path, `lianxin.cases.reports.case_statistics(user=SYSTEM, region, start, end)`: the GROUP
       BY over `cases_case` for the same region and dates. It has no filters, so a filtered query's naive run is
       unfiltered (at least as much work), and it also reads the year before (year on year) and the people
       received, which `figures` does not (a dashboard's year on year is a second `figures` call).
   `--naive auto` runs (b) for every query up to 1,000,000 cases and above that for a fixed subset of 20 (every
   10th query), and says so; the speedup is always naive p95 ÷ rollup p95 on the queries both ran. Unfiltered
   queries that both ran are also compared (every total but people received): a mismatch is printed.

It prints per-level figures, EXPLAIN ANALYZE of the slowest statement of the slowest rollup query, and ends with
one JSON line: cases, p50_ms, p95_ms, naive_p95_ms, speedup, rollup_rows (the township and coarse cubes, slices
and daily totals; the per-case facts separately), generate_seconds, rebuild_seconds. Targets (issue 18): p95 <
200 ms at 10 M cases and a speedup of at least 20. Nothing here asserts a time.
"""

import argparse
import datetime
import itertools
import json
import math
import os
import random
import time
from typing import Any

LEVELS = ("province", "prefecture", "county", "township")
LEVEL_NAMES = {"province": "省", "prefecture": "市", "county": "县", "township": "乡镇"}
PERIODS = ("month", "quarter", "year")
MONTHS = 48
CATEGORY_NAMES = (
    "城乡建设", "交通运输", "环境保护", "教育", "医疗卫生", "社会保障", "农业农村", "水利", "市场监管", "治安",
    "民政", "住房", "劳动就业", "文化旅游", "体育", "应急管理", "自然资源", "林业", "供水供电", "燃气",
    "物业管理", "消费维权", "退役军人", "民族宗教", "司法", "信访", "财政", "税务", "通信", "其他",
)  # fmt: skip
CHANNELS = (
    ("online", 40), ("station", 18), ("mobile", 8), ("hotline", 14), ("grid_worker", 10), ("visit", 5),
    ("meeting", 2), ("phone", 3),
)  # fmt: skip
BODIES = tuple(
    "群众反映：" + "村里道路坑洼不平，雨天积水严重，老人孩子出行不便，希望尽快修缮。" * repeat
    for repeat in (1, 2, 3, 5, 8)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive", choices=("auto", "all", "subset"), default="auto")
    parser.add_argument("--reset", action="store_true", help="drop the database's public schema first")
    parser.add_argument("--reuse", action="store_true", help="measure what an earlier run built (no generation)")
    parser.add_argument("--no-rebuild", action="store_true", help="with --reuse: keep the rollups as they are")
    parser.add_argument(
        "--settle",
        action="store_true",
        help="with --reuse: run the deadline worker's step and the rollups' step first (data generated before the "
        "generator flagged every open case past its deadline)",
    )
    args = parser.parse_args()
    if args.reset and args.reuse:
        raise SystemExit("--reset and --reuse exclude each other")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/stats.py needs PostgreSQL: set DATABASE_URL")
    if args.reset:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    from lianxin.cases.models import Case
    from lianxin.regions.models import Region

    print(f"load average before: {_load()}")
    generate_seconds = None
    if args.reuse:
        cases = Case.objects.count()
        if not cases:
            raise SystemExit("--reuse: no cases here yet")
        print(f"reusing {cases:,} cases")
    else:
        if Region.objects.exists():
            raise SystemExit("the database holds regions: use an empty database, --reset or --reuse")
        started = time.perf_counter()
        cases = _generate(args.cases)
        generate_seconds = time.perf_counter() - started
        print(f"generated {cases:,} cases in {generate_seconds:.0f} s")

    if args.settle:
        _settle()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")

    from lianxin.insight.rollup_models import (
        CaseFact,
        CountyCube,
        DailyTotal,
        MonthlyCube,
        PeriodSlice,
        UnitCategoryCube,
        UnitChannelCube,
    )
    from lianxin.insight.rollups import rollups_rebuild

    tables = (CaseFact, MonthlyCube, CountyCube, UnitCategoryCube, UnitChannelCube, PeriodSlice, DailyTotal)
    rebuild_seconds = None
    if not (args.reuse and args.no_rebuild):
        step = max(500_000, cases // 10)
        marks = iter(range(step, cases + step, step))
        mark = [next(marks)]
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done >= mark[0]:
                print(f"  rebuild: {done:,} facts after {time.perf_counter() - started:.0f} s", flush=True)
                mark[0] = next(marks, math.inf)

        report = rollups_rebuild(progress=progress)
        rebuild_seconds = time.perf_counter() - started
        print(f"rebuild: {rebuild_seconds:.0f} s — {report}")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        print(f"ANALYZE of the rollups: {time.perf_counter() - started:.0f} s")
    rows = {model.__name__: model.objects.count() for model in tables}
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))

    queries = _queries(args.queries)
    naive_all = args.naive == "all" or (args.naive == "auto" and cases <= 1_000_000)
    naive_set = set(range(len(queries))) if naive_all else set(range(0, len(queries), max(1, len(queries) // 20)))
    results = _run(queries, naive_set)
    _report(queries, results, naive_set, cases)
    _explain_slowest(queries, results)

    fast = [r["ms"] for r in results]
    common = sorted(naive_set)
    naive_p95 = _pct([results[i]["naive_ms"] for i in common], 95)
    common_p95 = _pct([results[i]["ms"] for i in common], 95)
    print(f"load average after: {_load()}")
    print(
        json.dumps(
            {
                "cases": cases,
                "p50_ms": round(_pct(fast, 50), 1),
                "p95_ms": round(_pct(fast, 95), 1),
                "naive_p95_ms": round(naive_p95, 1),
                "speedup": round(naive_p95 / common_p95, 1),
                "rollup_rows": sum(count for name, count in rows.items() if name != "CaseFact"),
                "generate_seconds": None if generate_seconds is None else round(generate_seconds, 1),
                "rebuild_seconds": None if rebuild_seconds is None else round(rebuild_seconds, 1),
                "queries": len(queries),
                "naive_queries": len(common),
                "rollup_p95_on_naive_queries_ms": round(common_p95, 1),
                "max_ms": round(max(fast), 1),
                "mismatches": sum(1 for r in results if r.get("mismatch")),
                "facts": rows["CaseFact"],
                "cube_rows": rows["MonthlyCube"],
                "coarse_rows": rows["CountyCube"] + rows["UnitCategoryCube"] + rows["UnitChannelCube"],
                "slice_rows": rows["PeriodSlice"],
                "daily_rows": rows["DailyTotal"],
                "loadavg_after": _load(),
            }
        )
    )


def _settle() -> None:
    """What a working system's worker has done by now: every open case past its step's deadline flagged, with its
    event (cases_mark_overdue), and the rollups' step run until it has applied every event."""
    from lianxin.cases.deadline_jobs import cases_mark_overdue
    from lianxin.insight.rollups import rollups_update

    started = time.perf_counter()
    marked = cases_mark_overdue()
    print(f"settle: {marked:,} cases flagged overdue in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    from lianxin.cases.models import CaseEvent
    from lianxin.insight.rollup_models import RollupState

    total = 0
    while True:
        total += rollups_update()
        state = RollupState.objects.first()
        if state is None or not CaseEvent.objects.filter(pk__gt=state.last_event_id).exists():
            break
    print(f"settle: the rollups' step changed {total:,} facts in {time.perf_counter() - started:.0f} s", flush=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pct(values: list[float], p: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _first_month() -> datetime.date:
    from django.utils import timezone

    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - MONTHS
    return datetime.date(index // 12, index % 12 + 1, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# --- 1. generation -----------------------------------------------------------------------------------------------


def _generate(count: int) -> int:
    from django.db import connection

    rng = random.Random("bench:stats")
    started = time.perf_counter()
    regions, counties, townships = _regions(rng)
    print(f"  regions: {len(regions):,} in {time.perf_counter() - started:.1f} s", flush=True)
    categories, units = _references(counties, rng)
    print(f"  categories {len(categories)}, units {sum(len(u) for u in units.values()):,}", flush=True)

    # Where a case is registered: a village (93 %), a township (6 %) or a county (1 %), counties weighted.
    places: list[int] = []
    weights: list[float] = []
    county_of: dict[int, int] = {}
    for county_id, county_townships in counties.items():
        weight = rng.lognormvariate(0, 0.6)
        places.append(county_id)
        weights.append(weight * 0.01)
        county_of[county_id] = county_id
        for township_id in county_townships:
            villages = townships[township_id]
            places.append(township_id)
            weights.append(weight * 0.06 / len(county_townships))
            county_of[township_id] = county_id
            for village_id in villages:
                places.append(village_id)
                weights.append(weight * 0.93 / len(county_townships) / len(villages))
                county_of[village_id] = county_id
    place_cum = list(itertools.accumulate(weights))
    category_cum = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(categories))))
    unit_cum = list(itertools.accumulate(1 / (i + 1) ** 0.7 for i in range(50)))
    channel_names = [name for name, _ in CHANNELS]
    channel_cum = list(itertools.accumulate(share for _, share in CHANNELS))

    from django.utils import timezone

    now = timezone.now()
    first = datetime.datetime.combine(_first_month(), datetime.time.min, tzinfo=datetime.UTC) - datetime.timedelta(
        hours=8
    )  # Beijing midnight
    span = (now - first).total_seconds()
    recent = now - datetime.timedelta(days=60)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'cases_case'::regclass)"
        )
        indexes = cursor.fetchall()
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        columns = (
            "id, receipt_code, channel, status, version, address, title, body, external_id, person_name, "
            "person_phone, is_anonymous, reply_via, people_count, scope, urgency, handling, reply, decline_reason, "
            "suggestion_ref, rating, rating_comment, reopen_count, is_supervised, is_overdue, public_title, "
            "public_text, registered_at, accept_due, reply_due, feedback_due, accepted_at, transferred_at, "
            "replied_at, fed_back_at, rated_at, closed_at, published_at, routing, region_id, category_id, unit_id"
        )
        chunk = 100_000
        written = 0
        with cursor.cursor.copy(f"COPY cases_case ({columns}) FROM STDIN") as copy:
            for low in range(0, count, chunk):
                n = min(chunk, count - low)
                where = rng.choices(places, cum_weights=place_cum, k=n)
                what = rng.choices(range(len(categories)), cum_weights=category_cum, k=n)
                which = rng.choices(range(50), cum_weights=unit_cum, k=n)
                how = rng.choices(channel_names, cum_weights=channel_cum, k=n)
                lines = []
                for j in range(n):
                    i = low + j
                    registered = first + datetime.timedelta(seconds=(i + rng.random()) * span / count)
                    region_id = where[j]
                    category = "\\N" if rng.random() < 0.05 else str(categories[what[j]])
                    unit_id = units[county_of[region_id]][which[j]]
                    lines.append(_case_line(i + 1, registered, region_id, category, how[j], unit_id, now, recent, rng))
                copy.write("".join(lines))
                written += n
                if written % 1_000_000 == 0 or written == count:
                    print(f"  COPY: {written:,} cases after {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [count])
        index_started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes created again in {time.perf_counter() - index_started:.0f} s", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
    return count


def _ts(value: datetime.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _case_line(
    pk: int,
    registered: datetime.datetime,
    region_id: int,
    category: str,
    channel: str,
    unit_id: int,
    now: datetime.datetime,
    recent: datetime.datetime,
    rng: random.Random,
) -> str:
    """One COPY text line of cases_case (the columns of _generate's COPY)."""
    hour = datetime.timedelta(hours=1)
    day = datetime.timedelta(days=1)
    old = registered < recent
    r = rng.random()
    declined_share, pending_share, handling_share = (0.04, 0.05, 0.11) if old else (0.04, 0.19, 0.64)
    accept_due = registered + 3 * day
    reply_due = feedback_due = accepted_at = transferred_at = replied_at = None
    fed_back_at = rated_at = closed_at = published_at = None
    handling = rating = decline_reason = ""
    overdue = False
    unit = "\\N"
    if r < declined_share:
        status, handling, decline_reason = "declined", "declined", "不属于受理范围"
    elif r < pending_share:
        status = "registered"
        overdue = accept_due < now  # as the deadline worker leaves it (cases_mark_overdue, every round)
    else:
        accepted_at = registered + rng.uniform(1, 48) * hour
        reply_due = registered + 15 * day
        handling = rng.choices(("answered", "coordinated", "transferred"), (35, 20, 45))[0]
        if handling == "transferred":
            unit = str(unit_id)
            transferred_at = accepted_at + hour
        if r < handling_share:  # still in handling
            if handling == "answered":
                handling = "coordinated"
            status = "transferred" if handling == "transferred" else "coordinating"
            if rng.random() < 0.3:
                status, replied_at = "replied", registered + rng.uniform(3, 14) * day
                feedback_due = replied_at + 5 * day
            overdue = (feedback_due if status == "replied" else reply_due) < now  # as the deadline worker
        else:
            fed_back_at = registered + rng.uniform(1, 30) * day
            if fed_back_at > now:
                fed_back_at = now
            replied_at = fed_back_at - hour
            status = rng.choices(("fed_back", "rated", "closed", "published"), (25, 45, 20, 10))[0]
            if status != "fed_back" and rng.random() < 0.85:
                rating = rng.choices(("satisfied", "basically", "unsatisfied"), (75, 18, 7))[0]
                rated_at = fed_back_at + day
            if status == "rated" and not rating:
                status = "fed_back"
            if status in ("closed", "published"):
                closed_at = fed_back_at + 2 * day
            if status == "published":
                published_at = fed_back_at + 3 * day
            overdue = rng.random() < 0.06
    return (
        f"{pk}\tBS{pk:014d}\t{channel}\t{status}\t0\t\t关于道路维修的建议\t{BODIES[pk % len(BODIES)]}\t\t\t\t"
        f"{'t' if pk % 3 == 0 else 'f'}\tonline\t1\tindividual\tnormal\t{handling}\t\t{decline_reason}\t\t{rating}\t"
        f"\t0\tf\t{'t' if overdue else 'f'}\t\t\t{_ts(registered)}\t{_ts(accept_due)}\t{_ts(reply_due)}\t"
        f"{_ts(feedback_due)}\t{_ts(accepted_at)}\t{_ts(transferred_at)}\t{_ts(replied_at)}\t{_ts(fed_back_at)}\t"
        f"{_ts(rated_at)}\t{_ts(closed_at)}\t{_ts(published_at)}\t{{}}\t{region_id}\t{category}\t{unit}\n"
    )


def _regions(rng: random.Random) -> tuple[list[tuple], dict[int, list[int]], dict[int, list[int]]]:
    """The province's regions, written by COPY with ids from 1: (rows, county → townships, township → villages)."""
    from django.db import connection

    rows: list[tuple] = []

    def add(code: str, name: str, level: str, parent: tuple | None) -> tuple:
        row = (
            len(rows) + 1,
            code,
            name,
            level,
            (parent[4] if parent else "") + code + "/",
            parent[0] if parent else None,
        )
        rows.append(row)
        return row

    counties: dict[int, list[int]] = {}
    townships: dict[int, list[int]] = {}
    province = add("990000000000", "测试省", "province", None)
    for c in range(1, 11):
        city = add(f"99{c:02d}00000000", f"第{c}市", "prefecture", province)
        for k in range(1, 11):
            county = add(f"99{c:02d}{k:02d}000000", f"第{c}市第{k}县", "county", city)
            counties[county[0]] = []
            for t in range(1, 13):
                township = add(f"{county[1][:6]}{t:03d}000", f"{county[2]}第{t}镇", "township", county)
                counties[county[0]].append(township[0])
                townships[township[0]] = [
                    add(f"{township[1][:9]}{v:03d}", f"{township[2]}第{v}村", "village", township)[0]
                    for v in range(1, rng.randint(10, 20) + 1)
                ]
    with connection.cursor() as cursor:
        with cursor.cursor.copy("COPY regions_region (id, code, name, level, path, parent_id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('regions_region', 'id'), %s)", [len(rows)])
    return rows, counties, townships


def _references(counties: dict[int, list[int]], rng: random.Random) -> tuple[list[int], dict[int, list[int]]]:
    """30 categories and 50 units per county (the ORM: a few thousand rows)."""
    from lianxin.cases.models import Category, ResponsibleUnit

    # The migrations may have made some categories already: those are used, the rest made.
    have = set(Category.objects.values_list("name", flat=True))
    Category.objects.bulk_create(
        [
            Category(code=f"bench-{i:02d}", name=name, sort=i)
            for i, name in enumerate(CATEGORY_NAMES)
            if name not in have
        ]
    )
    categories = list(Category.objects.order_by("sort", "code"))
    units: dict[int, list[int]] = {}
    for county_id in counties:
        created = ResponsibleUnit.objects.bulk_create(
            [ResponsibleUnit(name=f"承办单位{u:02d}", region_id=county_id) for u in range(50)]
        )
        units[county_id] = [unit.pk for unit in created]
    return [category.pk for category in categories], units


# --- 4. the queries ----------------------------------------------------------------------------------------------


def _queries(count: int) -> list[dict[str, Any]]:
    """The fixed mix: seeded, so two runs on the same data ask the same questions."""
    from lianxin.cases.models import Category, ResponsibleUnit
    from lianxin.regions.models import Region

    rng = random.Random("bench:stats:queries")
    by_level = {
        level: list(Region.objects.filter(level=level, code__startswith="99").order_by("code")) for level in LEVELS
    }
    categories = list(Category.objects.order_by("pk"))
    first = _first_month()
    months = [_add_months(first, i) for i in range(MONTHS)]
    quarters = [m for m in months if m.month in (1, 4, 7, 10) and _add_months(m, 2) in months]
    years = [m for m in months if m.month == 1 and _add_months(m, 11) in months]
    queries = []
    for _ in range(count):
        level = rng.choice(LEVELS)
        region = rng.choice(by_level[level])
        period = rng.choice(PERIODS)
        start = rng.choice({"month": months, "quarter": quarters, "year": years}[period])
        end = _add_months(start, {"month": 1, "quarter": 3, "year": 12}[period]) - datetime.timedelta(days=1)
        query: dict[str, Any] = {"level": level, "region": region, "period": period, "start": start, "end": end}
        if rng.random() < 0.25:
            kind = rng.choice(("category", "channel", "unit"))
            if kind == "category":
                query["category"] = rng.choice(categories)
            elif kind == "channel":
                query["channel"] = rng.choice([name for name, _ in CHANNELS])
            else:
                county_path = "/".join(region.path.split("/")[:3]) + "/"  # province/city/ at least
                units = ResponsibleUnit.objects.filter(region__path__startswith=region.path)
                if level == "township":
                    units = ResponsibleUnit.objects.filter(region__path=region.path.rsplit("/", 2)[0] + "/")
                ids = list(units.values_list("pk", flat=True)) or list(
                    ResponsibleUnit.objects.filter(region__path__startswith=county_path).values_list("pk", flat=True)
                )
                query["unit_id"] = rng.choice(ids)
        queries.append(query)
    return queries


def _filters(query: dict[str, Any]) -> dict[str, Any]:
    return {key: query[key] for key in ("category", "channel", "unit_id") if key in query}


def _run(queries: list[dict[str, Any]], naive_set: set[int]) -> list[dict[str, Any]]:
    from lianxin.cases import permissions as p
    from lianxin.cases.reports import case_statistics
    from lianxin.insight.figures import figures

    for query in queries[:5]:  # warm-up: connections, imports, the calendar; not measured
        figures(user=p.SYSTEM, region=query["region"], start=query["start"], end=query["end"], **_filters(query))
    results = []
    started = time.perf_counter()
    for query in queries:
        t0 = time.perf_counter()
        result = figures(
            user=p.SYSTEM, region=query["region"], start=query["start"], end=query["end"], **_filters(query)
        )
        results.append({"ms": (time.perf_counter() - t0) * 1000, "figures": result})
    fast = [r["ms"] for r in results]
    print(
        f"rollup path: {len(queries)} queries in {time.perf_counter() - started:.1f} s, p50 {_pct(fast, 50):.1f} ms, "
        f"p95 {_pct(fast, 95):.1f} ms",
        flush=True,
    )
    started = time.perf_counter()
    for i in sorted(naive_set):
        query = queries[i]
        t0 = time.perf_counter()
        naive = case_statistics(user=p.SYSTEM, region=query["region"], start=query["start"], end=query["end"])
        results[i]["naive_ms"] = (time.perf_counter() - t0) * 1000
        if not _filters(query):
            results[i]["mismatch"] = _compare(results[i]["figures"].totals, naive.totals)
    print(f"naive path: {len(naive_set)} queries in {time.perf_counter() - started:.1f} s", flush=True)
    return results


def _compare(fast: Any, naive: Any) -> str:
    """The totals that differ ("" if none): every FigureTotals field against cases.reports' Totals."""
    from dataclasses import fields

    return ", ".join(
        f"{f.name} {getattr(fast, f.name)} ≠ {getattr(naive, f.name)}"
        for f in fields(fast)
        if hasattr(naive, f.name) and getattr(fast, f.name) != getattr(naive, f.name)
    )


def _report(queries: list[dict[str, Any]], results: list[dict[str, Any]], naive_set: set[int], cases: int) -> None:
    if len(naive_set) < len(queries):
        print(
            f"the naive path ran on a fixed subset of {len(naive_set)} of the {len(queries)} queries (every "
            f"{len(queries) // len(naive_set)}th) at {cases:,} cases; its speedup compares the same subset"
        )
    print(
        f"{'group':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} │ {'naive n':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'speedup':>8}"
    )
    groups: list[tuple[str, list[int]]] = [
        (LEVEL_NAMES[level], [i for i, q in enumerate(queries) if q["level"] == level]) for level in LEVELS
    ]
    groups += [(period, [i for i, q in enumerate(queries) if q["period"] == period]) for period in PERIODS]
    groups.append(("filtered", [i for i, q in enumerate(queries) if _filters(q)]))
    groups.append(("all", list(range(len(queries)))))
    for name, members in groups:
        if not members:
            continue
        fast = [results[i]["ms"] for i in members]
        both = [i for i in members if i in naive_set]
        line = f"{name:<12} {len(fast):>4} {_pct(fast, 50):>8.1f} {_pct(fast, 95):>8.1f} {max(fast):>8.1f} │"
        if both:
            naive = [results[i]["naive_ms"] for i in both]
            speedup = _pct(naive, 95) / _pct([results[i]["ms"] for i in both], 95)
            line += f" {len(both):>7} {_pct(naive, 50):>8.1f} {_pct(naive, 95):>8.1f} {speedup:>7.1f}×"
        print(line)
    for i, r in enumerate(results):
        if r.get("mismatch"):
            q = queries[i]
            print(f"MISMATCH query {i} ({q['region'].code} {q['start']}–{q['end']}): {r['mismatch']}")


def _explain_slowest(queries: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    """EXPLAIN ANALYZE of the slowest SQL statement of the slowest rollup query, run again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lianxin.cases import permissions as p
    from lianxin.insight.figures import figures

    i = max(range(len(results)), key=lambda k: results[k]["ms"])
    q = queries[i]
    with CaptureQueriesContext(connection) as captured:
        figures(user=p.SYSTEM, region=q["region"], start=q["start"], end=q["end"], **_filters(q))
    slowest = max(captured.captured_queries, key=lambda c: float(c["time"]))
    filters = {k: getattr(v, "code", v) for k, v in _filters(q).items()}
    print(
        f"slowest rollup query: #{i} {LEVEL_NAMES[q['level']]} {q['region'].code} {q['start']}–{q['end']} {filters} "
        f"{results[i]['ms']:.0f} ms; again {sum(float(c['time']) for c in captured.captured_queries) * 1000:.0f} ms "
        f"in {len(captured.captured_queries)} statements, the slowest {float(slowest['time']) * 1000:.0f} ms:"
    )
    print(f"  {slowest['sql']}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        for (line,) in cursor.fetchall():
            print(f"  {line}")


if __name__ == "__main__":
    main()
