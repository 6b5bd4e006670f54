import datetime
import json
import re
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError
from lianxin.deputies.models import MandateLevel
from lianxin.deputies.terms import new_term_apply, new_term_plan
from lianxin.regions.models import Region


def reelected_read(path: Path) -> list[str]:
    """ID numbers from a text or .csv file: every 15- or 18-character ID-like token, in order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"找不到文件：{path}") from exc
    return re.findall(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])", text)


class Command(BaseCommand):
    help = (
        "换届：一届人大（区划+层级）从第N届换到第N+1届。连任代表（已有第N+1届代表资格，或列在连任名单中）保留代表小组、"
        "进网格、结对、联系户、接待排班和公开二维码；其余第N届代表资格终止，不再任代表者移出小组、网格和结对。"
        "默认只预览，加 --apply 才写入；重复执行不会再有变化。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--congress", required=True, help="人大所在区划的12位代码")
        parser.add_argument("--level", required=True, choices=MandateLevel.values, help="人大层级")
        parser.add_argument("--from", dest="from_term", type=int, required=True, help="原届次，如 17")
        parser.add_argument("--to", dest="to_term", type=int, required=True, help="新届次，如 18")
        parser.add_argument("--day", help="换届日（新一届第一次会议，YYYY-MM-DD），默认今天")
        parser.add_argument("--reelected", metavar="FILE", help="连任代表名单：每行一个身份证号（.txt 或 .csv）")
        parser.add_argument("--apply", action="store_true", help="写入（默认只预览）")
        parser.add_argument("--json", action="store_true", help="以一行 JSON 输出汇总")
        parser.add_argument("--user", metavar="USERNAME", help="以该账号的身份和管辖范围执行（默认以系统身份）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"账号不存在：{options['user']}")
        congress = Region.objects.filter(code=options["congress"]).first()
        if congress is None:
            raise CommandError(f"区划 {options['congress']} 不存在")
        try:
            day = datetime.date.fromisoformat(options["day"]) if options["day"] else datetime.date.today()
        except ValueError as exc:
            raise CommandError("换届日: 日期格式应为 2026-01-31") from exc
        reelected = reelected_read(Path(options["reelected"])) if options["reelected"] else None
        run = new_term_apply if options["apply"] else new_term_plan
        try:
            plan = run(
                actor=actor,
                congress=congress,
                level=options["level"],
                from_term=options["from_term"],
                to_term=options["to_term"],
                day=day,
                reelected_ids=reelected,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps({"applied": plan.applied, **plan.summary()}, ensure_ascii=False))
            return
        for line in plan.lines():
            self.stdout.write(line)
        if not options["apply"]:
            self.stdout.write("以上为预览，未写入；确认无误后加 --apply 执行")
