"""The year's scores (记工分) of a congress as an .xlsx: rank, deputy, the points of every item, the total, and the
self-assessed items still waiting for the organisation. Written by lianxin.core.tabular.write_xlsx, which makes any
text starting with = + - @ inert (a deputy's name is never run as a formula); the items' names are headers, which it
writes as given, so they are escaped here."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Column, Integer, Number, Progress, Text, escape_formula, write_xlsx
from lianxin.deputies.models import MandateLevel
from lianxin.duties.models import ScoreItem
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
