"""python manage.py backup -o DIR: the database, every uploaded file and a manifest of checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和全部上传文件（含校验值清单）到一个新目录。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份目录（新建或空目录）")

    def handle(self, *args, output, **options):
        try:
            manifest = backup(Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"已备份：{len(manifest['rows'])}张表{rows}行，{len(manifest['files'])}个文件 → {output}"
        )
