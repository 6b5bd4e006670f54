from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianxin.circle.analysis import MAX_PROPOSE, circle_analyse
from lianxin.circle.engine import TravelModel
from lianxin.circle.exports import analysis_xlsx, summary_rows
from lianxin.circle.selectors import region_for_code
from lianxin.circle.services import plan_save
from lianxin.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "代表服务圈：区划内居民步行5/10/15/20分钟可达家站室的人口覆盖（按网格、按家站室），"
        "并可选址拟新设家站室（贪心法与整数规划对比）。结果写入 .xlsx。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="区划代码（12位）")
        parser.add_argument("--minutes", type=int, default=15, help="步行分钟（默认15）")
        parser.add_argument("--osm", help="本地路网文件（.osm 或 .osm.pbf）；不提供则按直线距离×绕行系数")
        parser.add_argument("--propose", type=int, default=0, help=f"拟新设点位数（0到{MAX_PROPOSE}）")
        parser.add_argument("--time-limit", type=float, default=60.0, help="整数规划限时（秒，默认60）")
        parser.add_argument("--detour", type=float, default=1.3, help="绕行系数（直线模型，默认1.3）")
        parser.add_argument("--speed", type=float, default=5.0, help="步行速度（公里/小时，默认5）")
        parser.add_argument("--save", action="store_true", help="同时保存为方案（可在工作台查看并一键建点）")
        parser.add_argument("--out", required=True, help="输出 .xlsx 文件路径")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError("--out 应为 .xlsx 文件")
        if not (0.5 <= options["speed"] <= 10 and 1.0 <= options["detour"] <= 3.0):
            raise CommandError("步行速度应在0.5到10公里/小时之间，绕行系数应在1到3之间")
        try:
            region = region_for_code(user=None, code=options["region"])
            analysis = circle_analyse(
                region=region,
                minutes=options["minutes"],
                osm=options["osm"],
                propose=options["propose"],
                time_limit=options["time_limit"],
                model=TravelModel(detour=options["detour"], speed_kmh=options["speed"]),
            )
            data = analysis_xlsx(analysis)
            plan = plan_save(actor=None, analysis=analysis) if options["save"] else None
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out.write_bytes(data)
        for item, value in summary_rows(analysis):
            self.stdout.write(f"{item}：{value}")
        if plan is not None:
            self.stdout.write(f"已保存方案 {plan.pk}")
        self.stdout.write(f"已写入 {out}（用时{analysis.seconds:.1f}秒）")
