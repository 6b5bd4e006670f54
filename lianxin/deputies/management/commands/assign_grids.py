import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lianxin.core.tabular import terminal_progress
from lianxin.deputies.assignment import CoverageReport, assign_grids, coverage_report
from lianxin.deputies.models import AssignmentBasis
from lianxin.regions.models import Region


class Command(BaseCommand):
    help = "按选区、就近就便、专业特长把未进网格的在任代表编入网格，补足无代表的网格，并打印覆盖报告。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="只处理该区划（12位代码）及其下级")
        parser.add_argument("--no-fill", action="store_true", help="不为空白网格补充代表")
        parser.add_argument("--dry-run", action="store_true", help="只计算并打印，不写入")
        parser.add_argument("--report-only", action="store_true", help="不编入，只打印覆盖报告")
        parser.add_argument("--json", action="store_true", help="以一行 JSON 输出")

    def handle(self, *args, **options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划 {options['region']} 不存在")
        by_basis = {}
        if not options["report_only"]:
            with transaction.atomic():
                outcome = assign_grids(
                    actor=None,
                    region=region,
                    fill_empty=not options["no_fill"],
                    progress=terminal_progress(self.stderr),
                )
                report = coverage_report(region=region)
                if options["dry_run"]:
                    transaction.set_rollback(True)
            by_basis = {AssignmentBasis(k).label: v for k, v in outcome.by_basis.items()}
        else:
            report = coverage_report(region=region)
        if options["json"]:
            self.stdout.write(json.dumps({"assigned": by_basis, **report.as_dict()}, ensure_ascii=False))
            return
        if not options["report_only"]:
            verb = "将编入" if options["dry_run"] else "已编入"
            detail = "，".join(f"{k} {v} 名" for k, v in by_basis.items()) or "无需编入"
            self.stdout.write(f"{verb}：{detail}")
        self._print_report(report, region)

    def _print_report(self, report: CoverageReport, region: Region | None) -> None:
        out = self.stdout.write
        data = report.as_dict()
        covered = report.grids_total - len(report.grids_without_deputy)
        share = f"{covered / report.grids_total:.1%}" if report.grids_total else "—"
        out(f"网格覆盖报告（{region or '全部区划'}）")
        out(
            f"  网格 {report.grids_total} 个，有代表 {covered} 个（{share}），无代表 {len(report.grids_without_deputy)} 个"
        )
        out(
            f"  在任代表 {report.deputies_total} 名，已进网格 {report.deputies_total - len(report.deputies_without_grid)}"
            f" 名，未进网格 {len(report.deputies_without_grid)} 名"
        )
        out(
            f"  网格员 {data['grid_workers_total']} 名，平均结对代表 {data['deputies_per_worker_mean']} 名，"
            f"最多 {data['deputies_per_worker_max']} 名；未结对 {len(report.workers_without_deputy)} 名；"
            f"无网格员的网格 {len(report.grids_without_worker)} 个"
        )
        if report.grids_without_deputy:
            out("无代表的网格：")
            for grid in report.grids_without_deputy:
                out(f"  {grid.code} {grid.name}（{grid.region}）")
        if report.deputies_without_grid:
            out("未进网格的代表：")
            for deputy in report.deputies_without_grid:
                out(f"  {deputy.pk} {deputy.name}")
        if report.workers:
            out("网格员负荷（结对代表最多的前10名）：")
            for load in report.workers[:10]:
                out(f"  {load.worker.name}（{load.worker.grid.name}）结对代表 {load.deputies} 名")
