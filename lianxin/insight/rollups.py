"""The rollups behind the dashboards' figures (docs/decisions/0003-insight-rollups.md): fact → delta → upsert.

1. **Fact.** `facts_compute` turns a case row into a `Fact`: the keys it is counted under (registration day and
   month, its region's township, county, city and province, category, unit, channel) and its measures, each exactly
   as lianxin.cases.reports counts it (0 or 1; `handling_days` its working days). A fact depends on the case row
   and the working-day calendar only, never on the clock.
2. **Delta.** `facts_refresh(case_ids)` compares each case's new fact with the stored one (CaseFact); where they
   differ, the old fact is subtracted from every rollup row it was counted in and the new one added (`Deltas`).
3. **Upsert.** `Deltas.apply` adds the sums to MonthlyCube, PeriodSlice and DailyTotal with one
   `INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n` per chunk (SQLite and PostgreSQL alike), then deletes
   the rows left empty.

The worker's step, `rollups_update`, refreshes the cases named by the case events past the watermark
(RollupState.last_event_id), one transaction per batch that also moves the watermark: a crash loses or repeats
nothing, and refreshing a case twice is a no-op (its fact is already the new one). A change that writes no case
event calls `facts_refresh` itself. `rollups_rebuild` recomputes everything from the cases: the facts in batches,
the three tables with `INSERT … SELECT … GROUP BY`.

Every writer holds the RollupState row's lock (one writer at a time; SQLite serialises writers anyway).
"""

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from lianxin.cases.models import RESOLVED_STATUSES, Case, CaseEvent, Channel, Handling, Rating, Status
from lianxin.cases.reports import WorkdayCounter
from lianxin.insight.rollup_models import (
    COUNTY_CUBE_KEY,
    CUBE_KEY,
    DAILY_KEY,
    MEASURES,
    SLICE_KEY,
    TOWNSHIP_DIMS,
    UNIT_CATEGORY_KEY,
    UNIT_CHANNEL_KEY,
    CaseFact,
    CountyCube,
    DailyTotal,
    MonthlyCube,
    PeriodSlice,
    RollupState,
    SliceDim,
    Span,
    UnitCategoryCube,
    UnitChannelCube,
)
from lianxin.regions.models import Region, RegionLevel
from lianxin.workdays.calendar import CHINA

SATISFIED = frozenset({Rating.SATISFIED, Rating.BASICALLY})

# Events per transaction of the worker's step, and batches per step (the rest waits for the next round, which
# starts at once: the step reports work done).
EVENT_BATCH = 500
MAX_BATCHES = 20
# Event ids are handed out at INSERT and committed in any order: an event with an id below the watermark can
# become visible after the watermark passed it (two transitions committing out of order). Each step looks again
# at the cases of the events of the last LOOKBACK, which costs a few no-op refreshes; a transaction holding case
# events uncommitted longer than this is caught only by a rebuild.
LOOKBACK = datetime.timedelta(minutes=2)
# Cases per batch of the rebuild and per chunk of a refresh.
CASE_BATCH = 5000
UPSERT_CHUNK = 500

_CASE_FIELDS = (
    "pk",
    "registered_at",
    "region_id",
    "category_id",
    "unit_id",
    "deputy_id",
    "place_id",
    "channel",
    "status",
    "handling",
    "is_overdue",
    "rating",
    "fed_back_at",
)


# --- 1. the fact of a case ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """What the rollups count for one case. The measures are the fields after `channel`, in MEASURES' order."""

    case_id: int
    day: datetime.date
    month: datetime.date
    region_id: int
    province_id: int
    city_id: int
    county_id: int
    township_id: int
    category_id: int
    unit_id: int
    deputy_id: int
    place_id: int
    channel: str
    received: int
    pending: int
    declined: int
    accepted: int
    resolved: int
    timed: int
    handling_days: int
    flagged: int
    online: int
    rated: int
    satisfied: int
    on_time: int

    def measures(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in MEASURES)

    def cube_key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in CUBE_KEY)

    def coarse_keys(self) -> dict[type[Model], list[tuple[Any, ...]]]:
        """The fact's rows in each coarse cube, one a period: its chain down to the county (the township only if no
        county)."""
        chain = (self.province_id, self.city_id, self.county_id, 0 if self.county_id else self.township_id)
        periods = self.periods()
        return {
            CountyCube: [(*period, *chain, self.category_id, self.channel) for period in periods],
            UnitCategoryCube: [(*period, *chain, self.unit_id, self.category_id) for period in periods],
            UnitChannelCube: [(*period, *chain, self.unit_id, self.channel) for period in periods],
        }

    def nodes(self) -> list[tuple[int, str]]:
        """The county, city and province this case counts in, each with its child region the case lies in ("" when
        registered at the node itself). A missing level (a county directly under a province) is skipped."""
        chain = [self.province_id, self.city_id, self.county_id, self.township_id]
        out = []
        for depth, node in enumerate(chain[:3]):
            if node:
                below = next((region for region in chain[depth + 1 :] if region), 0)
                out.append((node, _key(below)))
        return out

    def periods(self) -> list[tuple[datetime.date, int]]:
        """The month, calendar quarter and calendar year the case was registered in: (first month, span)."""
        quarter = self.month.replace(month=(self.month.month - 1) // 3 * 3 + 1)
        return [(self.month, Span.MONTH), (quarter, Span.QUARTER), (self.month.replace(month=1), Span.YEAR)]

    def township_node(self) -> tuple[int, str] | None:
        """The township this case counts in, with its village ("" when registered at the township itself); None
        for a case registered above township level."""
        if not self.township_id:
            return None
        return self.township_id, "" if self.region_id == self.township_id else _key(self.region_id)

    def slice_keys(self) -> list[tuple[Any, ...]]:
        """Every slice row the case counts in: each dimension at the county, city and province; at the township
        its totals and its villages, deputies and places (TOWNSHIP_DIMS)."""
        by_dim = {
            SliceDim.ALL: "",
            SliceDim.CATEGORY: _key(self.category_id),
            SliceDim.UNIT: _key(self.unit_id),
            SliceDim.CHANNEL: self.channel,
            SliceDim.DEPUTY: _key(self.deputy_id),
            SliceDim.PLACE: _key(self.place_id),
        }
        nodes = [(node, child, tuple(SliceDim)) for node, child in self.nodes()]
        township = self.township_node()
        if township is not None:
            nodes.append((*township, TOWNSHIP_DIMS))
        keys = []
        for node, child, dims in nodes:
            for month, span in self.periods():
                keys += [
                    (month, span, node, dim.value, child if dim == SliceDim.CHILD else by_dim[dim]) for dim in dims
                ]
        return keys

    def daily_keys(self) -> list[tuple[Any, ...]]:
        township = self.township_node()
        return [(node, self.day) for node, _ in self.nodes()] + ([(township[0], self.day)] if township else [])

    @classmethod
    def from_model(cls, row: CaseFact) -> "Fact":
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

    def to_model(self) -> CaseFact:
        return CaseFact(**{field.name: getattr(self, field.name) for field in fields(self)})


def _key(region_or_id: int) -> str:
    """A slice key: the id as text, "" for none."""
    return str(region_or_id) if region_or_id else ""


@dataclass(frozen=True)
class Chain:
    province_id: int = 0
    city_id: int = 0
    county_id: int = 0
    township_id: int = 0


_LEVEL_FIELD: dict[str, str] = {
    RegionLevel.PROVINCE: "province_id",
    RegionLevel.PREFECTURE: "city_id",
    RegionLevel.COUNTY: "county_id",
    RegionLevel.TOWNSHIP: "township_id",
}


def region_chains(region_ids: Iterable[int]) -> dict[int, Chain]:
    """Each region's province, city, county and township (itself included; 0 where the path has none), read from
    the region paths in two queries."""
    paths = dict(Region.objects.filter(pk__in=set(region_ids)).values_list("pk", "path"))
    codes = {code for path in paths.values() for code in path.split("/") if code}
    found = {
        code: (pk, level)
        for pk, code, level in Region.objects.filter(code__in=codes).values_list("pk", "code", "level")
    }
    chains = {}
    for pk, path in paths.items():
        levels: dict[str, int] = {}
        for code in path.split("/"):
            if code in found and found[code][1] in _LEVEL_FIELD:
                levels[_LEVEL_FIELD[found[code][1]]] = found[code][0]
        chains[pk] = Chain(**levels)
    return chains


def fact_of(row: dict[str, Any], chain: Chain, days: WorkdayCounter) -> Fact:
    """The fact of one case row (values() of _CASE_FIELDS). The measures are cases.reports' (its docstring)."""
    local = row["registered_at"].astimezone(CHINA).date()
    pending = row["status"] == Status.REGISTERED
    declined = row["handling"] == Handling.DECLINED
    accepted = not pending and not declined
    resolved = accepted and row["status"] in RESOLVED_STATUSES
    timed = resolved and row["fed_back_at"] is not None
    return Fact(
        case_id=row["pk"],
        day=local,
        month=local.replace(day=1),
        region_id=row["region_id"],
        province_id=chain.province_id,
        city_id=chain.city_id,
        county_id=chain.county_id,
        township_id=chain.township_id,
        category_id=row["category_id"] or 0,
        unit_id=row["unit_id"] or 0,
        deputy_id=row["deputy_id"] or 0,
        place_id=row["place_id"] or 0,
        channel=row["channel"],
        received=1,
        pending=int(pending),
        declined=int(declined),
        accepted=int(accepted),
        resolved=int(resolved),
        timed=int(timed),
        handling_days=days(row["registered_at"], row["fed_back_at"]) if timed else 0,
        flagged=int(row["is_overdue"]),
        online=int(row["channel"] == Channel.ONLINE),
        rated=int(row["rating"] != ""),
        satisfied=int(row["rating"] in SATISFIED),
        on_time=int(resolved and not row["is_overdue"]),
    )


def facts_compute(rows: list[dict[str, Any]], days: WorkdayCounter | None = None) -> list[Fact]:
    chains = region_chains(row["region_id"] for row in rows)
    days = days or WorkdayCounter()
    return [fact_of(row, chains[row["region_id"]], days) for row in rows]


# --- 2. deltas ---------------------------------------------------------------------------------------------------


class Deltas:
    """Sums to add to the three tables, per row key: a fact added (+1) or taken away (−1) everywhere it counts."""

    def __init__(self) -> None:
        width = len(MEASURES)
        self.tables: dict[type[Model], tuple[tuple[str, ...], dict[tuple[Any, ...], list[int]]]] = {
            MonthlyCube: (CUBE_KEY, defaultdict(lambda: [0] * width)),
            CountyCube: (COUNTY_CUBE_KEY, defaultdict(lambda: [0] * width)),
            UnitCategoryCube: (UNIT_CATEGORY_KEY, defaultdict(lambda: [0] * width)),
            UnitChannelCube: (UNIT_CHANNEL_KEY, defaultdict(lambda: [0] * width)),
            PeriodSlice: (SLICE_KEY, defaultdict(lambda: [0] * width)),
            DailyTotal: (DAILY_KEY, defaultdict(lambda: [0] * width)),
        }

    def add(self, fact: Fact, sign: int) -> None:
        measures = fact.measures()
        keys: dict[type[Model], list[tuple[Any, ...]]] = {
            MonthlyCube: [fact.cube_key()],
            PeriodSlice: fact.slice_keys(),
            DailyTotal: fact.daily_keys(),
        }
        keys.update(fact.coarse_keys())
        for model, table_keys in keys.items():
            sums = self.tables[model][1]
            for key in table_keys:
                row = sums[key]
                for i, value in enumerate(measures):
                    row[i] += sign * value

    def apply(self) -> None:
        for model, (key_fields, sums) in self.tables.items():
            rows = [(*key, *values) for key, values in sums.items() if any(values)]
            for start in range(0, len(rows), UPSERT_CHUNK):
                _upsert_add(model, key_fields, rows[start : start + UPSERT_CHUNK])
            if rows:
                # A row whose cases all moved elsewhere (another unit, category) is all zeros: gone, as in a rebuild.
                model._default_manager.filter(received=0).delete()


def _upsert_add(model: type[Model], key_fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """INSERT the rows, or add their measures to the rows already there (cf. lianxin.core.ratelimit._sql_counts)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(name) for name in (*key_fields, *MEASURES))
    values = ", ".join(["(" + ", ".join(["%s"] * (len(key_fields) + len(MEASURES))) + ")"] * len(rows))
    sums = ", ".join(f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in MEASURES)
    conflict = ", ".join(quote(name) for name in key_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {sums}",
            [value for row in rows for value in row],
        )


# --- 3. refresh: facts and their deltas, under the lock ---------------------------------------------------------


def _state_locked(*, skip_locked: bool = False) -> RollupState | None:
    """The one RollupState row, locked (None: another writer holds it and skip_locked). Made on first use."""
    rows = RollupState.objects.select_for_update(skip_locked=skip_locked).order_by("pk")
    state = rows.first()
    if state is None:
        RollupState.objects.bulk_create([RollupState(pk=1)], ignore_conflicts=True)
        state = rows.first()
    return state


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _refresh(case_ids: Iterable[int]) -> int:
    """Recompute the facts of these cases and apply their differences. Inside a transaction holding the lock."""
    changed = 0
    for chunk in _chunks(sorted(set(case_ids)), CASE_BATCH):
        old = {row.case_id: Fact.from_model(row) for row in CaseFact.objects.filter(case_id__in=chunk)}
        new = {
            fact.case_id: fact for fact in facts_compute(list(Case.objects.filter(pk__in=chunk).values(*_CASE_FIELDS)))
        }
        deltas = Deltas()
        stale = [pk for pk in chunk if old.get(pk) != new.get(pk)]
        for pk in stale:
            if pk in old:
                deltas.add(old[pk], -1)
            if pk in new:
                deltas.add(new[pk], +1)
        if stale:
            deltas.apply()
            CaseFact.objects.filter(case_id__in=stale).delete()
            CaseFact.objects.bulk_create([new[pk].to_model() for pk in stale if pk in new])
        changed += len(stale)
    return changed


def facts_refresh(case_ids: Iterable[int]) -> int:
    """Bring these cases' facts and the rollups up to date with the cases now; returns how many facts changed.
    For a change that writes no case event (a bulk import, a repair); the worker's step calls it for the rest."""
    with transaction.atomic():
        _state_locked()
        return _refresh(case_ids)


def rollups_update(*, now: datetime.datetime | None = None) -> int:
    """The worker's step: apply the case events past the watermark, a batch a transaction, then look again at the
    cases of the last LOOKBACK's events. Returns how many facts changed (0: nothing to do). Idempotent."""
    now = now or timezone.now()
    changed = 0
    for _ in range(MAX_BATCHES):
        with transaction.atomic():
            state = _state_locked(skip_locked=True)
            if state is None:
                return changed  # a rebuild (or another worker) holds the lock
            events = list(
                CaseEvent.objects.filter(pk__gt=state.last_event_id)
                .order_by("pk")
                .values_list("pk", "case_id")[:EVENT_BATCH]
            )
            if not events:
                break
            changed += _refresh(case_id for _, case_id in events)
            RollupState.objects.filter(pk=state.pk).update(last_event_id=events[-1][0])
    with transaction.atomic():
        state = _state_locked(skip_locked=True)
        if state is not None:
            recent = CaseEvent.objects.filter(created_at__gte=now - LOOKBACK, pk__lte=state.last_event_id)
            changed += _refresh(recent.values_list("case_id", flat=True))
    return changed


# --- the rebuild -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildReport:
    facts: int
    cube_rows: int
    slice_rows: int
    daily_rows: int
    last_event_id: int
    coarse_rows: int = 0

    def __str__(self) -> str:
        return (
            f"{self.facts} 件意见建议的统计事实，月度立方 {self.cube_rows} 行，县级立方 {self.coarse_rows} 行，"
            f"月度切片 {self.slice_rows} 行，每日统计 {self.daily_rows} 行；办理记录处理到 #{self.last_event_id}"
        )


# Every table the rebuild writes, in the order it writes them.
REBUILT = (CaseFact, MonthlyCube, CountyCube, UnitCategoryCube, UnitChannelCube, PeriodSlice, DailyTotal)
SHADOW = "_rebuilt"
Tables = dict[type[Model], str]  # the suffix of the tables a rebuild on PostgreSQL fills before swapping them in


def rollups_rebuild(*, batch: int = CASE_BATCH, progress: Any = None) -> RebuildReport:
    """Recompute the facts from the cases (in batches of `batch` cases, by id) and the other tables from the facts
    (`INSERT … SELECT … GROUP BY`); the watermark is then the last event read before the cases were (a later one is
    applied again by the worker, harmlessly).

    On PostgreSQL the tables are rebuilt as new tables beside the live ones (`…_rebuilt`, no index while they are
    filled, the live ones' indexes made after), and swapped in at the end under the lock: the dashboards read the
    old rollups and the worker keeps them up to date while the rebuild runs, and wait only for the swap (dropping
    and renaming, milliseconds). The worker's changes to the old tables during the rebuild are not lost: the
    watermark goes back to the rebuild's, so the worker applies those events again to the new tables. Elsewhere
    (SQLite, the demo) the live tables are emptied and filled in one transaction holding the lock."""
    swap = connection.vendor == "postgresql"
    with transaction.atomic():
        if not swap:
            _state_locked()
        last_event_id = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        tables: Tables = {model: _shadow(model) if swap else _table(model) for model in REBUILT}
        if not swap:
            _empty(*REBUILT)
        facts = 0
        after = 0
        days = WorkdayCounter()
        while True:
            rows = list(Case.objects.filter(pk__gt=after).order_by("pk").values(*_CASE_FIELDS)[:batch])
            if not rows:
                break
            _insert_facts(facts_compute(rows, days), tables[CaseFact])
            facts += len(rows)
            after = rows[-1]["pk"]
            if progress is not None:
                progress(facts)
        _cube_from_facts(tables)
        _coarse_from_cube(tables)
        _slices_from_cube(tables)
        _daily_from_facts(tables)
        if swap:
            for model in REBUILT:
                _index_like(model)
            _state_locked()  # waits for a worker's step in progress; the next one waits for the swap
            for model in REBUILT:
                _swap_in(model)
        RollupState.objects.filter(pk=1).update(last_event_id=last_event_id, rebuilt_at=timezone.now())
        return RebuildReport(
            facts=facts,
            cube_rows=MonthlyCube.objects.count(),
            slice_rows=PeriodSlice.objects.count(),
            daily_rows=DailyTotal.objects.count(),
            last_event_id=last_event_id,
            coarse_rows=sum(model.objects.count() for model in (CountyCube, UnitCategoryCube, UnitChannelCube)),
        )


def _table(model: type[Model]) -> str:
    return model._meta.db_table


def _shadow(model: type[Model]) -> str:
    """A new, empty table like the model's (its columns, defaults, identity and CHECK constraints; no index yet)."""
    table, shadow = connection.ops.quote_name(_table(model)), connection.ops.quote_name(_table(model) + SHADOW)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {shadow}")  # left by a crash? a rollback leaves none
        cursor.execute(
            f"CREATE TABLE {shadow} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )
    return _table(model) + SHADOW


def _index_like(model: type[Model]) -> None:
    """Give the filled shadow table the live table's indexes and its primary and unique constraints, each under
    its name plus SHADOW (renamed when swapped in), then ANALYZE it."""
    table = _table(model)
    shadow = table + SHADOW
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef, c.contype FROM pg_indexes i LEFT JOIN pg_constraint c "
            "ON c.conname = i.indexname AND c.conrelid = %s::regclass WHERE i.tablename = %s AND i.schemaname = "
            "current_schema() ORDER BY i.indexname",
            [table, table],
        )
        for name, definition, contype in cursor.fetchall():
            head, _, using = definition.partition(" USING ")
            unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
            cursor.execute(f'CREATE {unique}INDEX "{name}{SHADOW}" ON "{shadow}" USING {using}')
            if contype in ("p", "u"):
                kind = "PRIMARY KEY" if contype == "p" else "UNIQUE"
                cursor.execute(
                    f'ALTER TABLE "{shadow}" ADD CONSTRAINT "{name}{SHADOW}" {kind} USING INDEX "{name}{SHADOW}"'
                )
        cursor.execute(f'ANALYZE "{shadow}"')


def _swap_in(model: type[Model]) -> None:
    """Drop the live table and rename the shadow table, its indexes, constraints and sequence to the live names."""
    table = _table(model)
    shadow = table + SHADOW
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, c.contype IS NOT NULL FROM pg_indexes i LEFT JOIN pg_constraint c "
            "ON c.conname = i.indexname AND c.conrelid = %s::regclass WHERE i.tablename = %s AND i.schemaname = "
            "current_schema()",
            [shadow, shadow],
        )
        names = cursor.fetchall()
        sequence = None
        if _has_id(model):
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [shadow])
            sequence = cursor.fetchone()[0]
        cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(f'ALTER TABLE "{shadow}" RENAME TO "{table}"')
        for name, is_constraint in names:
            live = name.removesuffix(SHADOW)
            if is_constraint:
                cursor.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{live}"')
            else:
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{live}"')
        if sequence:
            cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{table}_id_seq"')


def _has_id(model: type[Model]) -> bool:
    return model._meta.pk is not None and model._meta.pk.column == "id"


def _insert_facts(facts: list[Fact], table_name: str | None = None) -> None:
    """COPY on PostgreSQL, elsewhere one INSERT run for many rows: the ORM's bulk_create costs several times as
    much at ten million facts."""
    quote = connection.ops.quote_name
    names = [field.name for field in fields(Fact)]
    table, columns = quote(table_name or _table(CaseFact)), ", ".join(quote(name) for name in names)
    values = operator.attrgetter(*names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for fact in facts:
                    copy.write_row(values(fact))
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", [values(fact) for fact in facts]
            )


def _empty(*models: type[Model]) -> None:
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def _insert_select(target: str, keys: dict[str, str], source: str, where: str = "", params: Any = ()) -> None:
    """INSERT INTO target (keys…, measures…) SELECT key expressions, SUM(measure)… FROM source GROUP BY the keys."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in (*keys, *MEASURES))
    selected = ", ".join([*keys.values(), *(f"SUM({quote(name)})" for name in MEASURES)])
    group = ", ".join(str(position) for position in range(1, len(keys) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(target)} ({columns}) SELECT {selected} FROM {quote(source)} {where} GROUP BY {group}",
            list(params),
        )


def _as_key(column: str) -> str:
    """The SQL of Fact's `_key`: the id as text, '' for 0."""
    return f"CASE WHEN {column} = 0 THEN '' ELSE CAST({column} AS VARCHAR(20)) END"


def _cube_from_facts(tables: Tables) -> None:
    keys = {name: connection.ops.quote_name(name) for name in CUBE_KEY}
    _insert_select(tables[MonthlyCube], keys, tables[CaseFact])


def _coarse_from_cube(tables: Tables) -> None:
    """The coarse cubes' months from the fine cube: the township dropped (kept where there is no county, as
    Fact.coarse_keys); their quarters and years from their months."""
    for model, key in (
        (CountyCube, COUNTY_CUBE_KEY),
        (UnitCategoryCube, UNIT_CATEGORY_KEY),
        (UnitChannelCube, UNIT_CHANNEL_KEY),
    ):
        keys = {name: name for name in key}
        keys["span"] = str(Span.MONTH.value)
        keys["township_id"] = "CASE WHEN county_id = 0 THEN township_id ELSE 0 END"
        _insert_select(tables[model], keys, tables[MonthlyCube])
        _periods_from_months(tables[model], key)


# Per node column: the child the case lies in (the first level below the node it has), as in Fact.nodes().
_NODE_CHILD = {
    "province_id": "CASE WHEN city_id <> 0 THEN city_id WHEN county_id <> 0 THEN county_id ELSE township_id END",
    "city_id": "CASE WHEN county_id <> 0 THEN county_id ELSE township_id END",
    "county_id": "township_id",
}


# The keys of the slices summed from the facts; a township's child is its village (the case's own region), "" for
# a case registered at the township itself (as Fact.township_node).
_FACT_DIMS = {
    SliceDim.ALL: "''",
    SliceDim.CHILD: _as_key("(CASE WHEN region_id = township_id THEN 0 ELSE region_id END)"),
    SliceDim.DEPUTY: _as_key("deputy_id"),
    SliceDim.PLACE: _as_key("place_id"),
}


def _slices_from_cube(tables: Tables) -> None:
    """The months' slices are coarser than the cube (which keeps every key they need but the deputy and the place):
    summed from it, the deputies' and places' from the facts; the quarters' and years' from the months'."""
    for node, child in _NODE_CHILD.items():
        for dim, key in (
            (SliceDim.ALL, "''"),
            (SliceDim.CATEGORY, _as_key("category_id")),
            (SliceDim.UNIT, _as_key("unit_id")),
            (SliceDim.CHANNEL, "channel"),
            (SliceDim.CHILD, _as_key(f"({child})")),
        ):
            keys = {"month": "month", "span": str(Span.MONTH.value), "node_id": node, "dim": "%s", "key": key}
            _insert_select(tables[PeriodSlice], keys, tables[MonthlyCube], f"WHERE {node} <> 0", [dim.value])
    # From the facts, what the cube has not: every node's deputies and places; a township's totals and villages.
    from_facts = [(node, dim, _FACT_DIMS[dim]) for node in _NODE_CHILD for dim in (SliceDim.DEPUTY, SliceDim.PLACE)]
    from_facts += [("township_id", dim, _FACT_DIMS[dim]) for dim in TOWNSHIP_DIMS]
    for node, dim, key in from_facts:
        keys = {"month": "month", "span": str(Span.MONTH.value), "node_id": node, "dim": "%s", "key": key}
        _insert_select(tables[PeriodSlice], keys, tables[CaseFact], f"WHERE {node} <> 0", [dim.value])
    _periods_from_months(tables[PeriodSlice])


def _periods_from_months(table: str, key: tuple[str, ...] = SLICE_KEY) -> None:
    """The quarters' and years' rows of a table with periods (`key` holds month and span), summed from its months'."""
    for span, unit in ((Span.QUARTER, "quarter"), (Span.YEAR, "year")):
        start, params = connection.ops.date_trunc_sql(unit, "month", ())
        keys = {name: connection.ops.quote_name(name) for name in key}
        keys.update({"month": start, "span": str(span.value)})
        _insert_select(table, keys, table, f"WHERE span = {Span.MONTH.value}", params)


def _daily_from_facts(tables: Tables) -> None:
    for node in (*_NODE_CHILD, "township_id"):
        _insert_select(tables[DailyTotal], {"node_id": node, "day": "day"}, tables[CaseFact], f"WHERE {node} <> 0")


def rollup_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the four tables without ids, sorted (for tests and checks: the incremental rollups against a
    rebuild)."""
    out = {"facts": sorted(astuple(Fact.from_model(row)) for row in CaseFact.objects.all())}
    for model, key in (
        (MonthlyCube, CUBE_KEY),
        (CountyCube, COUNTY_CUBE_KEY),
        (UnitCategoryCube, UNIT_CATEGORY_KEY),
        (UnitChannelCube, UNIT_CHANNEL_KEY),
        (PeriodSlice, SLICE_KEY),
        (DailyTotal, DAILY_KEY),
    ):
        out[model.__name__] = sorted(model.objects.values_list(*key, *MEASURES))
    return out
