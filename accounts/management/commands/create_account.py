"""python manage.py create_account USERNAME --role ROLE [--name 张三]: an account made on the server itself.

For the first accounts of a new deployment (the first administrator, auditor and bureau officer), when no one is
there yet to approve a privileged role in the portal: whoever can run commands on the server is the second person
(a second channel, 三权分立). Prints a temporary password, which the owner must change at the first login.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from accounts.services import temporary_password


class Command(BaseCommand):
    help = "在服务器上直接建立账号（用于新部署的首批账号），输出临时密码，本人首次登录须修改。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="姓名（姓在前）")

    @transaction.atomic
    def handle(self, *args, username, role, name, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"账号{username}已存在。")
        user = User(username=username, role=role, last_name=name[:1], first_name=name[1:])
        password = temporary_password()
        user.set_password(password)
        user.must_change_password = True
        user.full_clean()
        user.save()
        from core.signals import announce

        announce("create", user=None, obj=user, summary=f"服务器命令建立账号{username}（{Role(role).label}）")
        self.stdout.write(
            f"已建立账号{username}（{Role(role).label}）。临时密码：{password}（首次登录须修改）"
        )
