"""backup, wipe, restore: every row and every file comes back (SQLite here; CI runs it on PostgreSQL too)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backups import _row_counts
from reports.models import Report, ReportAttachment
from staffing.models import SocialWorker


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_brings_back_every_row_and_file(tmp_path, uploads_in_tmp):
    from tests.conftest import seed_demo_once

    seed_demo_once()
    report = Report.objects.first()
    attachment = ReportAttachment.objects.create(
        report=report,
        file=ContentFile(b"%PDF-1.4 backup", name="b.pdf"),
        original_name="备份.pdf",
        content_type="application/pdf",
        size=15,
        sha256=ReportAttachment.checksum(b"%PDF-1.4 backup"),
    )
    worker = SocialWorker.objects.first()
    rows, number = _row_counts(), worker.id_number
    target = tmp_path / "backup"
    call_command("backup", "-o", str(target), stdout=io.StringIO())

    # Wipe: data and files gone.
    ReportAttachment.objects.all().delete()
    for model in (SocialWorker,):
        model.objects.filter(pk=worker.pk).update(name="被改动")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_reportfigure")
    for path in uploads_in_tmp.rglob("*"):
        if path.is_file():
            path.unlink()

    call_command("restore", str(target), stdout=io.StringIO())
    assert _row_counts() == rows
    restored = ReportAttachment.objects.get(pk=attachment.pk)
    assert restored.file.read() == b"%PDF-1.4 backup"
    worker = SocialWorker.objects.get(pk=worker.pk)
    assert worker.id_number == number and worker.name != "被改动"


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_is_touched(tmp_path, uploads_in_tmp):
    from tests.conftest import seed_demo_once

    seed_demo_once()
    target = tmp_path / "backup"
    call_command("backup", "-o", str(target), stdout=io.StringIO())
    database = next(p for p in target.iterdir() if p.name.startswith("database"))
    database.write_bytes(database.read_bytes() + b"tampered")
    rows = _row_counts()
    with pytest.raises(CommandError, match="校验值不符"):
        call_command("restore", str(target), stdout=io.StringIO())
    assert _row_counts() == rows
