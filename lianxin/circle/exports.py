"""An analysis as an .xlsx workbook (core/tabular, formulas neutralised): summary with the travel model used,
coverage per grid, uncovered grids ranked, per place, and the proposals of both methods compared."""

from typing import Any

from lianxin.circle.analysis import Analysis, Proposal
from lianxin.core.tabular import Column, Integer, Number, Text, write_xlsx_sheets

METHOD_LABEL = {"greedy": "贪心法", "ilp": "整数规划（HiGHS）"}


def _pct(value: float) -> str:
    return f"{value:.1%}"


def summary_rows(analysis: Analysis) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("区划", f"{analysis.region.name}（{analysis.region.code}）"),
        ("步行时间算法", analysis.travel_label),
        ("人口来源", analysis.demand_source),
        ("需求点数", analysis.demand_points),
        ("家站室（有坐标、启用）", len(analysis.places)),
        ("人口", round(analysis.population)),
    ]
    for minutes in analysis.thresholds:
        covered = analysis.covered[minutes]
        rows.append((f"{minutes}分钟内覆盖人口", f"{round(covered)}（{_pct(analysis.share(minutes))}）"))
    if analysis.places_without_location:
        rows.append(("无坐标的家站室（未计入）", "、".join(p.name for p in analysis.places_without_location[:50])))
    if analysis.grids_without_location:
        people = sum(g.population for g in analysis.grids_without_location)
        rows.append(("无边界和中心点的网格（未计入）", f"{len(analysis.grids_without_location)}个，人口{people}"))
    for proposal in (analysis.greedy, analysis.ilp):
        if proposal is None:
            continue
        label = METHOD_LABEL[proposal.method]
        rows.append((f"{label}：新设{len(proposal.sites)}处新增覆盖", round(proposal.gain)))
        rows.append((f"{label}：用时（秒）", round(proposal.seconds, 2)))
        if proposal.method == "ilp":
            rows.append(("整数规划：状态", proposal.status))
            rows.append(("整数规划：最优性差距", "—" if proposal.gap is None else f"{proposal.gap:.2%}"))
            rows.append(("整数规划：上界", "—" if proposal.bound is None else round(proposal.bound)))
    if analysis.greedy is not None:
        rows.append(("候选点（去除被覆盖包含者后）", analysis.candidates))
        rows.append(("按候选覆盖特征合并后的需求组", analysis.groups))
        chosen = analysis.chosen
        if chosen is not None:
            after = analysis.covered[analysis.minutes] + chosen.gain
            rows.append(("采用方案", METHOD_LABEL[chosen.method]))
            rows.append(
                (
                    f"新设后{analysis.minutes}分钟内覆盖",
                    f"{round(after)}（{_pct(after / analysis.population)}）" if analysis.population else "—",
                )
            )
    return rows


def grid_columns(analysis: Analysis) -> list[Column]:
    return [
        Column("网格编码", "code", parse=Text()),
        Column("网格名称", "name"),
        Column("所属村/社区", "village"),
        Column("人口", "population", parse=Integer()),
        *(Column(f"{t}分钟内", f"c{t}", parse=Integer()) for t in analysis.thresholds),
        Column(f"{analysis.minutes}分钟外人口", "uncovered", parse=Integer()),
        Column(f"{analysis.minutes}分钟覆盖率", "share", parse=Number()),
    ]


def grid_rows(analysis: Analysis, rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": row.grid.code,
            "name": row.grid.name,
            "village": row.grid.region.name,
            "population": round(row.population),
            **{f"c{t}": round(row.covered[t]) for t in analysis.thresholds},
            "uncovered": round(row.uncovered(analysis.minutes)),
            "share": round(row.share(analysis.minutes), 4),
        }
        for row in rows
    ]


def _sites(proposal: Proposal | None) -> list[dict[str, Any]]:
    if proposal is None:
        return []
    return [
        {
            "method": METHOD_LABEL[proposal.method],
            "rank": site.rank,
            "lat": site.lat,
            "lng": site.lng,
            "gain": round(site.gain),
            "origin": site.origin,
            "grid": site.grid.name if site.grid else "",
            "village": site.grid.region.name if site.grid else "",
        }
        for site in proposal.sites
    ]


SITE_COLUMNS = [
    Column("方法", "method"),
    Column("序号", "rank", parse=Integer()),
    Column("纬度", "lat", parse=Number()),
    Column("经度", "lng", parse=Number()),
    Column("新增覆盖人口", "gain", parse=Integer()),
    Column("候选来源", "origin"),
    Column("所在网格", "grid"),
    Column("所属村/社区", "village"),
]


def analysis_xlsx(analysis: Analysis) -> bytes:
    summary_columns = [Column("项目", "item"), Column("数值", "value")]
    place_columns = [
        Column("家站室", "name"),
        Column("类型", "kind"),
        *(Column(f"{t}分钟内服务人口", f"s{t}", parse=Integer()) for t in analysis.thresholds),
    ]
    places = [
        {
            "name": row.place.name,
            "kind": row.place.get_kind_display(),
            **{f"s{t}": round(row.served[t]) for t in analysis.thresholds},
        }
        for row in analysis.places
    ]
    sheets: list[tuple[str, Any, Any]] = [
        ("概况", summary_columns, [{"item": k, "value": v} for k, v in summary_rows(analysis)]),
        ("未覆盖网格", grid_columns(analysis), grid_rows(analysis, analysis.uncovered_grids)),
        ("各网格覆盖", grid_columns(analysis), grid_rows(analysis, analysis.grids)),
        ("各家站室服务人口", place_columns, places),
    ]
    if analysis.greedy is not None:
        sheets.append(("拟新设点位", SITE_COLUMNS, _sites(analysis.greedy) + _sites(analysis.ilp)))
    return write_xlsx_sheets(sheets)


def plan_xlsx(plan: Any) -> bytes:
    """A saved plan's workbook, from the figures it keeps (the grids as they are now named)."""
    from lianxin.circle.models import TravelKind
    from lianxin.regions.models import Grid

    thresholds = list(plan.figures.get("thresholds") or [])
    covered = plan.figures.get("covered") or {}
    travel = TravelKind(plan.travel).label
    if plan.travel == TravelKind.STRAIGHT:
        travel += f"（绕行系数{plan.detour:g}，步速{plan.speed_kmh:g}公里/小时）"
    else:
        travel += f"（{plan.osm_name}，步速{plan.speed_kmh:g}公里/小时）"
    summary: list[tuple[str, Any]] = [
        ("区划", f"{plan.region.name}（{plan.region.code}）"),
        ("计算时间", plan.created_at.strftime("%Y-%m-%d %H:%M")),
        ("步行时间算法", travel),
        ("人口来源", plan.demand_source),
        ("人口", plan.population),
        *(
            (f"{t}分钟内覆盖人口", f"{covered.get(str(t), 0)}（{_pct(covered.get(str(t), 0) / plan.population)}）")
            for t in thresholds
            if plan.population
        ),
        ("贪心法新增覆盖", plan.greedy_gain),
        ("整数规划新增覆盖", plan.ilp_gain),
        ("整数规划状态", plan.ilp_status or "—"),
        ("整数规划最优性差距", "—" if plan.ilp_gap is None else f"{plan.ilp_gap:.2%}"),
        ("采用方案", METHOD_LABEL.get(plan.method, "—")),
    ]
    by_id = {
        str(g.pk): g
        for g in Grid.objects.filter(pk__in=[int(k) for k in plan.figures.get("grids") or {}]).select_related("region")
    }
    grid_table = []
    for key, values in (plan.figures.get("grids") or {}).items():
        grid = by_id.get(key)
        if grid is None:
            continue
        people = values[0]
        at = values[1 + thresholds.index(plan.minutes)] if plan.minutes in thresholds else 0
        grid_table.append(
            {
                "code": grid.code,
                "name": grid.name,
                "village": grid.region.name,
                "population": people,
                **{f"c{t}": values[1 + i] for i, t in enumerate(thresholds)},
                "uncovered": people - at,
                "share": round(at / people, 4) if people else 1.0,
            }
        )
    grid_table.sort(key=lambda r: (-r["uncovered"], r["code"]))
    columns = [
        Column("网格编码", "code", parse=Text()),
        Column("网格名称", "name"),
        Column("所属村/社区", "village"),
        Column("人口", "population", parse=Integer()),
        *(Column(f"{t}分钟内", f"c{t}", parse=Integer()) for t in thresholds),
        Column(f"{plan.minutes}分钟外人口", "uncovered", parse=Integer()),
        Column(f"{plan.minutes}分钟覆盖率", "share", parse=Number()),
    ]
    sites = [
        {
            "method": METHOD_LABEL.get(plan.method, ""),
            "rank": s.rank,
            "lat": s.lat,
            "lng": s.lng,
            "gain": s.gain,
            "origin": s.origin,
            "grid": s.grid.name if s.grid else "",
            "village": s.grid.region.name if s.grid else "",
        }
        for s in plan.sites.select_related("grid__region")
    ]
    return write_xlsx_sheets(
        [
            ("概况", [Column("项目", "item"), Column("数值", "value")], [{"item": k, "value": v} for k, v in summary]),
            ("各网格覆盖", columns, grid_table),
            ("拟新设点位", SITE_COLUMNS, sites),
        ]
    )
