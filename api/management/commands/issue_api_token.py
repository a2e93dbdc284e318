"""python manage.py issue_api_token --system 市民政局平台 [--district 东丽区] [--days 365] --by admin

Issue a read-API token from the command line (the admin does the same): prints the key once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.services import issue_token
from stations.models import District


class Command(BaseCommand):
    help = "签发数据接口令牌（只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--system", required=True, help="使用令牌的系统名称")
        parser.add_argument("--district", help="可读取的区（默认全部区，市级）")
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--by", required=True, help="签发的系统管理员用户名")

    def handle(self, *args, system, district, days, by, **options):
        admin = get_user_model().objects.filter(username=by).first()
        if admin is None:
            raise CommandError(f"没有用户“{by}”。")
        scope = None
        if district:
            scope = District.objects.filter(name=district).first()
            if scope is None:
                raise CommandError(f"没有“{district}”。")
        try:
            token, key = issue_token(system=system, district=scope, days=days, by=admin)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{token.system}（{token.scope_label}）：{key}")
