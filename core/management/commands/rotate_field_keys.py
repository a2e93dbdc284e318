"""python manage.py rotate_field_keys: re-encrypt every ID number and phone under the first key of DJANGO_FIELD_KEYS.

Rotation: put the new key first in DJANGO_FIELD_KEYS and keep the old one after it (both decrypt), restart the app,
run this command (it may be interrupted and run again: it goes on where it stopped), and when it reports 0 values
left under an old key, remove the old key. The digests (DJANGO_FIELD_DIGEST_KEY) are not touched.
"""

from django.core.management.base import BaseCommand, CommandError

from core.crypto import rotate


class Command(BaseCommand):
    help = "用DJANGO_FIELD_KEYS的第一个密钥重新加密全部个人信息（可中断后重跑），最后核对数量。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批处理的行数（每批一个事务）")

    def handle(self, *args, batch, **options):
        def report(table, column, rotated, left):
            self.stdout.write(f"{table}.{column}：重新加密{rotated}个，仍未使用新密钥{left}个")

        remaining = rotate(batch=max(1, batch), report=report)
        left = sum(remaining.values())
        if left:
            raise CommandError(f"仍有{left}个值未使用新密钥加密，请重新运行本命令。")
        self.stdout.write(
            self.style.SUCCESS("全部个人信息已使用新密钥加密；确认后可从DJANGO_FIELD_KEYS中删除旧密钥。")
        )
