from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianxin.elections.imports import published_list_xlsx, roll_export_xlsx
from lianxin.elections.models import District, Election
from lianxin.elections.selectors import election_voters


class Command(BaseCommand):
    help = "导出选民名册（可再导入），或 --published 导出公告名单（仅姓名、选区，身份证号打码）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("output", type=Path, help=".xlsx 路径")
        parser.add_argument("--election", type=int, required=True, help="选举编号")
        parser.add_argument("--district", help="只导出该选区")
        parser.add_argument("--published", action="store_true", help="公告名单：姓名、选区，身份证号打码")

    def handle(self, *args: Any, **options: Any) -> None:
        election = Election.objects.filter(pk=options["election"]).first()
        if election is None:
            raise CommandError(f"选举不存在：{options['election']}")
        voters = election_voters(election=election)
        if options["district"]:
            district = District.objects.filter(election=election, code=options["district"]).first()
            if district is None:
                raise CommandError(f"选区不存在：{options['district']}")
            voters = voters.filter(district=district)
        exporter = published_list_xlsx if options["published"] else roll_export_xlsx
        options["output"].write_bytes(exporter(voters.iterator(chunk_size=5000)))
        self.stdout.write(f"已导出 {voters.count()} 名选民到 {options['output']}")
