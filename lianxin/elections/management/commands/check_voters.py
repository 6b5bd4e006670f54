import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError, ImportRejected
from lianxin.elections.checks import DUPLICATE_LABELS, ERROR_LABELS, OMISSION_LABELS
from lianxin.elections.imports import events_read, findings_export_xlsx, register_read
from lianxin.elections.models import Election, FindingKind
from lianxin.elections.selectors import findings_of
from lianxin.elections.services import Registers, voters_check

LABELS = {**ERROR_LABELS, **DUPLICATE_LABELS, **OMISSION_LABELS}


class Command(BaseCommand):
    help = (
        "核查一次选举的全部选民名册（错登、重登、漏登），打印汇总并把核查问题写入 .xlsx。"
        "漏登核查需要户籍人口名单（--register），迁出、死亡名单可选。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--election", type=int, required=True, help="选举编号")
        parser.add_argument("--register", type=Path, help="户籍人口名单（身份证号、姓名、性别、出生日期、户籍地址）")
        parser.add_argument("--moved-out", type=Path, help="迁出人员名单（身份证号、日期）")
        parser.add_argument("--deceased", type=Path, help="死亡人员名单（身份证号、日期）")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="核查基准日（默认今天），YYYY-MM-DD")
        parser.add_argument("--output", type=Path, help="核查问题 .xlsx 的路径（默认 选民名册核查-<选举编号>.xlsx）")

    def handle(self, *args: Any, **options: Any) -> None:
        election = Election.objects.select_related("region").filter(pk=options["election"]).first()
        if election is None:
            raise CommandError(f"选举不存在：{options['election']}")
        try:
            registers = Registers(
                register=_read(options["register"], register_read),
                moved_out=_read(options["moved_out"], events_read),
                deceased=_read(options["deceased"], events_read),
            )
            run = voters_check(actor=None, election=election, as_of=options["as_of"], registers=registers)
        except ImportRejected as exc:
            raise CommandError("\n".join(["名单文件有误：", *(str(e) for e in exc.errors)])) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        summary = run.summary
        self.stdout.write(f"{election}：核查 {run.voters} 名选民，用时 {run.seconds:.1f} 秒")
        kinds = {
            "error": FindingKind.ERROR.label,
            "duplicate": FindingKind.DUPLICATE.label,
            "omission": FindingKind.OMISSION.label,
        }
        for kind, label in kinds.items():
            self.stdout.write(f"  {label}：{summary[kind + 's']} 项")
            for key, count in sorted(summary["by_code"].items()):
                if key.startswith(kind + ":"):
                    self.stdout.write(f"    {LABELS.get(key.split(':', 1)[1], key)}：{count}")
        if not summary["register_given"]:
            self.stdout.write("  （未提供户籍人口名单，未核查漏登）")
        self.stdout.write(f"  新发现 {summary['new']} 项，已不存在而撤销的未处理问题 {summary['dropped']} 项")
        output = options["output"] or Path(f"选民名册核查-{election.pk}.xlsx")
        output.write_bytes(findings_export_xlsx(findings_of(election=election)))
        self.stdout.write(f"核查问题已写入 {output}")


def _read(path: Path | None, reader: Any) -> Any:
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            return reader(file=handle, filename=path.name)
    except FileNotFoundError as exc:
        raise CommandError(f"找不到文件：{path}") from exc
