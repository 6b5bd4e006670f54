"""`lianxin evaluate_router --model DIR --input FILE.csv`: one JSON line of figures."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.routing.classifier import TextRouter, evaluate
from lianxin.routing.datasets import read_messages


class Command(BaseCommand):
    help = "评估分办模型：宏平均 F1、准确率、各类别精确率/召回率/F1、每秒条数、阈值下的覆盖率与准确率"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", type=Path, required=True, help="train_router 保存的模型目录")
        parser.add_argument("--input", type=Path, required=True, help="评估数据 CSV（留言主题、留言详情、一级标签）")
        parser.add_argument("--threshold", type=float, default=None, help="覆盖率所用的置信度阈值（默认模型自带）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            router = TextRouter.load(options["model"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取模型 {options['model']}: {exc}") from exc
        if options["threshold"] is not None:
            router.threshold = options["threshold"]
        try:
            rows = read_messages(options["input"], labelled=True)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        report = evaluate(router, [r.title for r in rows], [r.body for r in rows], [r.label for r in rows])
        self.stdout.write(json.dumps(report, ensure_ascii=False))
