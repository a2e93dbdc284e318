"""python manage.py purge_audit [--dry-run]: delete audit rows older than the retention period (never younger
than 183 days, whatever the setting says)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent

MINIMUM_DAYS = 183


class Command(BaseCommand):
    help = "删除超过保存期限（至少183天）的审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        days = max(MINIMUM_DAYS, settings.AUDIT_RETENTION_DAYS)
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        count = old.count()
        if not dry_run and count:
            # The one deletion the log allows; the database trigger refuses anything younger than 183 days.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE at < %s", [cutoff])  # noqa: S608
        self.stdout.write(
            f"保存期限{days}天；{'将删除' if dry_run else '已删除'}{count}条{cutoff:%Y-%m-%d}之前的审计日志。"
        )
