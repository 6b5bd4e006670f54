import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lianxin.cases.noticeboard import month_parse
from lianxin.cases.registers import registers_for
from lianxin.core.errors import DomainError
from lianxin.venues.models import Place


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期 {text} 应为 2026-11-01 的格式") from None


class Command(BaseCommand):
    help = "一个家站室一段时期的“三册两簿一记录”（代表名册、联系网格名册、接待排班册、接待登记簿、活动记录簿、意见建议办理记录），A4 横版 PDF"

    def add_arguments(self, parser):
        parser.add_argument("--place", required=True, help="家站室的公开码（海报二维码上的）或编号")
        parser.add_argument("--month", help="月份，如 2026-11（默认本月）")
        parser.add_argument("--from", dest="start", help="起始日期，如 2026-01-01（与 --to 一起代替 --month）")
        parser.add_argument("--to", dest="end", help="截止日期（含当天）")
        parser.add_argument("--with-contacts", action="store_true", help="印出群众姓名、电话和查询码（内部留存）")
        parser.add_argument("--out", required=True, help="输出的 PDF 文件")

    def handle(self, *args, place: str, month, start, end, with_contacts: bool, out: str, **options):
        lookup = {"pk": int(place)} if place.isdigit() else {"public_code": place}
        found = Place.objects.filter(**lookup).select_related("region").first()
        if found is None:
            raise CommandError(f"家站室 {place} 不存在")
        try:
            if start or end:
                if not (start and end):
                    raise CommandError("--from 与 --to 须同时给出")
                first, last = _date(start), _date(end)
            else:
                first = month_parse(month) if month else timezone.localdate().replace(day=1)
                last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
            if last < first:
                raise CommandError("截止日期不能早于起始日期")
            pdf = registers_for(user=None, place=found, start=first, end=last, with_contacts=with_contacts)
        except DomainError as error:
            raise CommandError(error.message) from error
        Path(out).write_bytes(pdf)
        self.stdout.write(f"{found.name} {first}～{last}: {out}（{len(pdf) // 1024} KB）")
