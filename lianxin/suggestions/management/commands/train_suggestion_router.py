"""`lianxin train_suggestion_router`: train the suggestions' unit router on the assigned suggestions and print its
evaluation (held-out accuracy, top-3 accuracy, samples per unit)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.suggestions.routing import MIN_SAMPLES, PROPOSALS, suggestion_router_train


class Command(BaseCommand):
    help = "训练建议分办模型：用已交办的代表建议（标题、案由、建议内容 → 主办单位）训练并启用，输出评估结果"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-samples", type=int, default=MIN_SAMPLES, help="至少需要的已交办建议数")
        parser.add_argument("--json", action="store_true", help="以一行 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = suggestion_router_train(actor=None, min_samples=options["min_samples"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        metrics = model.metrics
        if options["json"]:
            report = {"samples": model.samples, "units": len(model.units), "seconds": model.training_seconds}
            self.stdout.write(json.dumps({**report, **metrics}, ensure_ascii=False))
            return
        self.stdout.write(f"已训练并启用建议分办模型：{model.samples} 件建议，{len(model.units)} 个主办单位，"
                          f"用时 {model.training_seconds} 秒")  # fmt: skip
        if "accuracy" in metrics:
            self.stdout.write(
                f"留出测试集 {metrics['test_samples']} 件：首选准确率 {metrics['accuracy']:.1%}，"
                f"前 {PROPOSALS} 名命中率 {metrics[f'top{PROPOSALS}_accuracy']:.1%}，宏平均 F1 {metrics['macro_f1']:.3f}"
            )
        else:
            self.stdout.write(metrics.get("note", "未评估"))
        for name, count in metrics.get("units", {}).items():
            self.stdout.write(f"  {name}：{count} 件")
