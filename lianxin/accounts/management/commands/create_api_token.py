from django.core.management.base import BaseCommand, CommandError

from lianxin.accounts.models import User
from lianxin.accounts.services import api_token_create


class Command(BaseCommand):
    help = "为指定账号生成新的接口令牌并打印（令牌只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途说明")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认 API_TOKEN_DAYS，90 天）")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"账号“{options['username']}”不存在或已停用") from exc
        self.stdout.write(api_token_create(actor=None, user=user, name=options["name"], days=options["days"]))
