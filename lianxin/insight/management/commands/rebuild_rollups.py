"""`lianxin rebuild_rollups [--batch 5000]`: recompute the dashboards' rollups from the cases — the per-case facts in
batches, the monthly cube, the monthly slices and the daily totals with set-based SQL — and set the worker's
watermark (lianxin.insight.rollups). Safe while the site runs: the worker waits for it; the dashboards read the old
rollups until it commits (on PostgreSQL they wait for it: TRUNCATE). Run it after installing the rollups on a
database that already has cases, after a change of the working-day calendar of past years, or to repair."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.insight.rollups import CASE_BATCH, rollups_rebuild


class Command(BaseCommand):
    help = "从意见建议重建统计汇总（逐件事实、月度立方、月度切片、每日统计），并设置后台任务的处理进度"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=CASE_BATCH, help=f"每批计算的件数（默认 {CASE_BATCH}）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch: 须为正整数")
        started = time.monotonic()
        verbose = options["verbosity"] > 1

        def progress(done: int) -> None:
            if verbose:
                self.stdout.write(f"已计算 {done} 件")

        report = rollups_rebuild(batch=options["batch"], progress=progress)
        self.stdout.write(f"统计汇总已重建：{report}（用时 {time.monotonic() - started:.1f} 秒）")
