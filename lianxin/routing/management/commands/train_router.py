"""`lianxin train_router --input FILE.csv --out DIR` or `lianxin train_router --from-cases`."""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.routing.classifier import DEFAULT_THRESHOLD, TextRouter
from lianxin.routing.datasets import read_messages


class Command(BaseCommand):
    help = "训练分办模型：从 CSV（留言主题、留言详情、一级标签）保存到目录，或用平台已办结的意见建议训练新版本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, help="训练数据 CSV（留言主题、留言详情、一级标签）")
        parser.add_argument("--out", type=Path, help="模型保存目录")
        parser.add_argument("--from-cases", action="store_true", help="用平台的意见建议（最终类别）训练并启用新版本")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="低于此置信度转人工分办")
        parser.add_argument("--min-samples", type=int, default=None, help="--from-cases 时至少需要的样本数")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_cases"]:
            from lianxin.routing.services import router_train_from_cases

            kwargs = {} if options["min_samples"] is None else {"min_samples": options["min_samples"]}
            try:
                version = router_train_from_cases(actor=None, threshold=options["threshold"], **kwargs)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(json.dumps(version.summary(), ensure_ascii=False))
            return
        if not options["input"] or not options["out"]:
            raise CommandError("请给出 --input 与 --out，或使用 --from-cases")
        try:
            rows = read_messages(options["input"], labelled=True)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        started = time.perf_counter()
        router = TextRouter(threshold=options["threshold"]).fit(
            [r.title for r in rows], [r.body for r in rows], [r.label for r in rows]
        )
        path = router.save(options["out"])
        report = {
            **router.meta,
            "training_seconds": round(time.perf_counter() - started, 1),
            "model_bytes": path.stat().st_size,
            "out": str(options["out"]),
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))
