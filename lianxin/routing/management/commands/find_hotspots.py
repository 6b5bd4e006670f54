"""`lianxin find_hotspots --input FILE.csv --top N`: candidate common problems as JSON lines, hottest first."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.routing.datasets import read_messages
from lianxin.routing.hotspots import Item, find_hotspots, parse_time


class Command(BaseCommand):
    help = "发现普遍问题（热点）：同一地点、同一时期反映同一问题的留言，按热度输出前 N 个（每行一个 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--input", type=Path, required=True, help="CSV：留言编号、留言用户、留言主题、留言时间、留言详情、点赞数"
        )
        parser.add_argument("--top", type=int, default=10, help="输出前 N 个（默认 10）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top 应为正整数")
        try:
            rows = read_messages(options["input"], labelled=False)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        items = [Item(r.id, r.title, r.body, r.user, parse_time(r.time), r.likes) for r in rows]
        for hotspot in find_hotspots(items, top=options["top"]):
            self.stdout.write(json.dumps(hotspot.as_json(), ensure_ascii=False))
