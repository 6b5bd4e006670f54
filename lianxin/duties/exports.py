"""The year's scores (记工分) of a congress as an .xlsx: rank, deputy, the points of every item, the total, and the
self-assessed items still waiting for the organisation; and a region's duty funds (履职经费) of a year: a sheet with
each deputy's allocation, spending, balance and number of entries, a sheet with the entries. Written by lianxin.core.tabular.write_xlsx, which makes any
text starting with = + - @ inert (a deputy's name is never run as a formula); the items' names are headers, which it
writes as given, so they are escaped here."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import (
    Boolean,
    Column,
    Date,
    Integer,
    Number,
    Progress,
    Text,
    escape_formula,
    write_xlsx,
    write_xlsx_sheets,
)
from lianxin.deputies.models import SERVING_STATUSES, Deputy, GridAssignment, Mandate, MandateLevel
from lianxin.duties.models import FundAllocation, FundEntry, ScoreItem
from lianxin.duties.selectors import ScoreLine, scores
from lianxin.regions.models import Region


@dataclass
class ScoreTable:
    region: Region
    level: str
    year: int
    items: list[ScoreItem]
    lines: list[ScoreLine]

    @property
    def congress(self) -> str:
        return f"{self.region.name}{MandateLevel(self.level).label}人大"


def scores_collect(
    *, actor: Any, region: Region, level: str, year: int, progress: Progress | None = None
) -> ScoreTable:
    """The congress's items and ranked lines for the year; staff who manage duties over its region only."""
    if not may(actor, Perm.MANAGE_DUTIES, region.path):
        raise PermissionDenied(f"只有{region.name}人大的工作人员可以导出履职积分")
    items = list(ScoreItem.objects.filter(region=region, level=level, year=year).order_by("position", "id"))
    if not items:
        label = MandateLevel(level).label
        raise DomainError("no_score_items", f"年度: {region.name}{label}人大{year}年尚未设置计分项目", field="year")
    if progress is not None:
        progress(0, 2, "正在计算积分")
    lines = scores(region_id=region.pk, level=level, year=year)
    return ScoreTable(region=region, level=level, year=year, items=items, lines=lines)


def _columns(table: ScoreTable) -> list[Column]:
    return [
        Column("名次", "rank", parse=Integer()),
        Column("代表", "name", parse=Text()),
        Column("代表编号", "deputy_id", parse=Integer()),
        *(
            Column(
                escape_formula(f"{item.name}（满分{item.max_points.normalize():f}）"), f"item_{item.pk}", parse=Number()
            )
            for item in table.items
        ),
        Column("总分", "total", parse=Number()),
        Column("待评定的自评项目", "pending", parse=Text(), width=30),
    ]


def scores_xlsx(table: ScoreTable) -> bytes:
    names = {item.pk: item.name for item in table.items}
    rows = []
    for line in table.lines:
        row: dict[str, Any] = {
            "rank": line.rank,
            "name": line.name,
            "deputy_id": line.deputy_id,
            "total": float(line.total),
            "pending": "、".join(names[pk] for pk in sorted(line.pending) if pk in names),
        }
        for item in table.items:
            row[f"item_{item.pk}"] = float(line.items.get(item.pk, Decimal("0")))
        rows.append(row)
    return write_xlsx(_columns(table), rows, title=f"{table.year}年履职积分")


def scores_filename(table: ScoreTable) -> str:
    return f"{table.congress}{table.year}年代表履职积分.xlsx"


# --- duty funds (履职经费) ------------------------------------------------------------------------------------------


class Money(Number):
    number_format = "#,##0.00"


@dataclass
class FundLine:
    deputy_id: int
    name: str
    allocated: Decimal | None  # None: no allocation set for the year
    spent: Decimal
    entries: int

    @property
    def balance(self) -> Decimal:
        return (self.allocated or Decimal("0")) - self.spent


@dataclass
class FundsTable:
    region: Region
    year: int
    lines: list[FundLine]
    entries: list[FundEntry]


def _deputies_of_region(region: Region) -> QuerySet[Deputy]:
    """The deputies of a region as its staff see them (Deputy.visible_to): their congress, their electoral district
    or a grid they are embedded in lies in the region."""
    mandates = Mandate.objects.filter(
        Q(congress_region__path__startswith=region.path) | Q(district_region__path__startswith=region.path)
    )
    grids = GridAssignment.objects.filter(grid__region__path__startswith=region.path)
    return Deputy.objects.filter(Q(id__in=mandates.values("deputy_id")) | Q(id__in=grids.values("deputy_id")))


def funds_collect(*, actor: Any, region: Region, year: int) -> FundsTable:
    """The region's deputies with their allocation, spending and balance for the year — the serving ones and anyone
    with an allocation or a spending that year — and the year's spending entries; staff managing duties there."""
    if not may(actor, Perm.MANAGE_DUTIES, region.path):
        raise PermissionDenied(f"只有{region.name}的人大工作人员可以导出履职经费")
    deputies = _deputies_of_region(region)
    allocated = dict(
        FundAllocation.objects.filter(deputy__in=deputies, year=year).values_list("deputy_id", "amount").order_by()
    )
    entries = list(
        FundEntry.objects.filter(deputy__in=deputies, spent_on__year=year)
        .select_related("deputy")
        .order_by("spent_on", "id")
    )
    spent: dict[int, Decimal] = {}
    counted: dict[int, int] = {}
    for entry in entries:
        spent[entry.deputy_id] = spent.get(entry.deputy_id, Decimal("0")) + entry.amount
        counted[entry.deputy_id] = counted.get(entry.deputy_id, 0) + 1
    shown = deputies.filter(Q(mandates__status__in=SERVING_STATUSES) | Q(id__in=set(allocated) | set(spent))).distinct()
    lines = [
        FundLine(d.pk, d.name, allocated.get(d.pk), spent.get(d.pk, Decimal("0")), counted.get(d.pk, 0))
        for d in shown.order_by("name_stroke_key", "id")
    ]
    return FundsTable(region=region, year=year, lines=lines, entries=entries)


FUND_COLUMNS = [
    Column("代表", "name", parse=Text()),
    Column("代表编号", "deputy_id", parse=Integer()),
    Column("年度额度（元）", "allocated", parse=Money()),
    Column("已支出（元）", "spent", parse=Money()),
    Column("余额（元）", "balance", parse=Money()),
    Column("支出笔数", "entries", parse=Integer()),
]
FUND_ENTRY_COLUMNS = [
    Column("日期", "spent_on", parse=Date()),
    Column("代表", "name", parse=Text()),
    Column("代表编号", "deputy_id", parse=Integer()),
    Column("金额（元）", "amount", parse=Money()),
    Column("用途", "purpose", parse=Text(), width=40),
    Column("有票据", "receipt", parse=Boolean()),
]


def funds_xlsx(table: FundsTable) -> bytes:
    """Two sheets: one row per deputy (an allocation not set is a blank cell), then every spending entry."""
    lines = [
        {
            "name": line.name,
            "deputy_id": line.deputy_id,
            "allocated": float(line.allocated) if line.allocated is not None else None,
            "spent": float(line.spent),
            "balance": float(line.balance),
            "entries": line.entries,
        }
        for line in table.lines
    ]
    entries = [
        {
            "spent_on": entry.spent_on,
            "name": entry.deputy.name,
            "deputy_id": entry.deputy_id,
            "amount": float(entry.amount),
            "purpose": entry.purpose,
            "receipt": bool(entry.receipt),
        }
        for entry in table.entries
    ]
    return write_xlsx_sheets(
        [(f"{table.year}年履职经费", FUND_COLUMNS, lines), (f"{table.year}年支出明细", FUND_ENTRY_COLUMNS, entries)]
    )


def funds_filename(table: FundsTable) -> str:
    return f"{table.region.name}{table.year}年代表履职经费.xlsx"
