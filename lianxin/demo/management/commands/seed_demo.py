"""`lianxin seed_demo`: see lianxin.demo.seed. This command only checks the state of the database and prints."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError
from lianxin.demo.names import table
from lianxin.demo.seed import DEFAULT_SEED, DemoState, SeedReport, clear_registry, demo_state, seed_demo
from lianxin.demo.seed.cases import CASE_COUNT
from lianxin.demo.seed.users import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = (
        "生成德清县演示数据：13个镇（街道）、177个村（社区）、148个网格、约900名四级人大代表、代表小组、"
        "家站室、网格员结对、四周接待排班、每种角色的演示账号，承办单位和近两年的意见建议（近一年约3300件）、据此训练的分流模型、"
        "民生实事项目、县人大本年会议的代表建议与议案（交办、答复、评价、督办），以及一次换届选举的选区、选民名册和核查结果。"
        "同一 --seed 生成的数据完全相同。"
        "数据库已有数据时拒绝执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="演示数据已存在时什么也不做（只重新打印登录账号）并正常退出；数据库中有其他数据时拒绝。供 make demo 使用。",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="数据库已有数据时仍然执行：先清空演示代表建议、意见建议、代表、代表资格、网格、家站室、代表小组、接待排班、各类结对、联系户和演示账号"
            "（保留行政区划、其他账号和操作日志），再重新生成。",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机数种子（默认 {DEFAULT_SEED}）")
        parser.add_argument(
            "--cases", type=int, default=CASE_COUNT, help=f"生成的意见建议件数（默认 {CASE_COUNT}，0 表示不生成）"
        )

    def handle(self, *args, **options):
        state = demo_state()
        if state is DemoState.DEMO and options["if_empty"] and not options["force"]:
            self.stdout.write("演示数据已存在，未作改动。")
            self._print_logins()
            return
        if state is DemoState.DEMO and not options["force"]:
            raise CommandError("演示数据已存在，未作改动。如需清空后重新生成，请加 --force。")
        if state is DemoState.OTHER and not options["force"]:
            raise CommandError(
                "数据库中已有其他数据（代表、网格、家站室、账号或演示以外的区划），为免覆盖真实数据，未生成演示数据。"
                "如确需清空代表、网格、家站室等登记数据并重新生成，请加 --force。"
            )
        try:
            if state is not DemoState.EMPTY:
                clear_registry()
                self.stdout.write("已清空原有代表、网格、家站室、代表小组、排班、结对和演示账号。")
            if options["cases"] < 0:
                raise CommandError("--cases 不能为负数")
            report = seed_demo(seed=options["seed"], case_count=options["cases"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._print_report(report)
        self._print_logins()

    def _print_report(self, report: SeedReport) -> None:
        c = report.counts
        levels = "、".join(f"{label} {n}" for label, n in report.deputies_by_level.items())
        groups = "、".join(f"{label} {n}" for label, n in report.groups_by_kind.items())
        places = "、".join(f"{label} {n}" for label, n in report.places_by_kind.items())
        lines = [
            f"已生成德清县演示数据（用时 {report.seconds:.1f} 秒）：",
            f"  区划：{c['towns']} 个镇（街道），{c['villages']} 个村（社区）",
            f"  网格：{c['grids']} 个，无代表网格 {c['grids_without_deputy']} 个，代表进网格 {c['grid_assignments']} 人次",
            f"  代表：{c['deputies']} 人（在任 {c['serving_deputies']} 人，兼任两级及以上 {c['dual_mandates']} 人）",
            f"  在任代表资格：{levels}",
            f"  代表小组：{groups}",
            f"  家站室：{places}",
            f"  网格员：{c['grid_workers']} 人，代表+网格员结对 {c['worker_pairings']} 对",
            f"  上下级代表结对 {c['mentor_pairings']} 对，专业小组结对网格 {c['group_grid_pairings']} 个，"
            f"联系户 {c['households']} 户，常委会组成人员联系 {c['standing_links']} 项",
            f"  接待排班：{c['shifts']} 班次（{report.roster_from} 至 {report.roster_to}）",
        ]
        if report.case_summary is not None:
            lines.append(f"  {report.case_summary.line()}")
        if report.suggestion_summary is not None:
            lines.append(f"  {report.suggestion_summary.line()}")
        if report.duty_summary is not None:
            lines.append(f"  {report.duty_summary.line()}")
        self.stdout.write("\n".join(lines))

    def _print_logins(self) -> None:
        rows = demo_logins()
        if not rows:
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，切勿用于正式环境）：")
        for line in table([("用户名", "密码", "角色", "管辖区划"), *rows]):
            self.stdout.write("  " + line)
        # SITE_URL is the address the demo is served at (make demo sets it from LAN_IP and PORT).
        self.stdout.write(f"公众门户：{settings.SITE_URL}/home/   管理后台：{settings.SITE_URL}/admin/")
