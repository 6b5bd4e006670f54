"""`lianxin purge_personal_data [--dry-run]`: apply the retention rules now (the worker does it daily)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianxin.privacy.retention import personal_data_purge


class Command(BaseCommand):
    help = "按保存期限清除到期的个人信息（联系方式、接口提交内容、已发通知、登录日志）；--dry-run 只统计不清除"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将清除多少，不做任何修改")

    def handle(self, *args: Any, **options: Any) -> None:
        report = personal_data_purge(dry_run=options["dry_run"])
        self.stdout.write(report.line())
