"""`lianxin vote_verify <vote id>`: recount a vote from its stored ballots and check the digest of a closed vote."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.projects.models import Choice, Vote
from lianxin.projects.voting import vote_verify


class Command(BaseCommand):
    help = "按存储的选票重新计票，并核对结束投票时记录的选票摘要（哈希链）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("vote_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        vote = Vote.objects.filter(pk=options["vote_id"]).first()
        if vote is None:
            raise CommandError("没有这个票决")
        check = vote_verify(vote)
        self.stdout.write(f"{vote}：选票{check.ballots}张，已投票代表{check.voted}人，摘要 {check.digest}")
        for number, counts in sorted(check.counts.items(), key=lambda item: int(item[0])):
            line = "，".join(f"{Choice(c).label}{counts[c]}" for c in Choice.values)
            self.stdout.write(f"  第{number}号：{line}")
        if check.problems:
            raise CommandError("；".join(check.problems))
        self.stdout.write("核对无误。")
