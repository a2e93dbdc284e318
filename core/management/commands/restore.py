"""python manage.py restore DIR: verify the backup's checksums, then put back the database and the files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传文件（先核对校验值，损坏的备份不会恢复）。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="backup 命令生成的目录")

    def handle(self, *args, source, **options):
        try:
            manifest = restore(Path(source))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"已恢复{manifest['created_at'][:19]}的备份：{sum(manifest['rows'].values())}行，{len(manifest['files'])}个文件。"
        )
