"""Faults: the mail server down during send_reminders, storage that cannot be written during an upload, and the
database restarted while users work (PostgreSQL only)."""

import io
import smtplib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from reports.models import ReminderSent, ReportAttachment
from tests.portal.test_reports import PDF, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


def test_mail_server_down_nothing_is_marked_sent_and_the_next_run_sends(monkeypatch):
    def refused(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refused)
    with pytest.raises(CommandError, match="未记为已发送"):
        call_command("send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ReminderSent.objects.exists() and not mail.outbox
    monkeypatch.undo()
    call_command("send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    sent = len(mail.outbox)
    assert sent > 0 and ReminderSent.objects.count() == sent
    call_command("send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == sent  # the same day: nobody is reminded twice


def test_storage_that_cannot_be_written_gives_a_clear_error_and_no_record(
    client_as, uploads_in_tmp, monkeypatch
):
    def disk_full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", disk_full)
    brief = __import__("reports.models", fromlist=["Report"]).Report.objects.get(
        contract_year__station__street__name="丰年村街道", status="returned"
    )
    before = (ReportAttachment.objects.count(), brief.highlights)
    response = client_as("org-b").post(
        reverse("report-edit", args=[brief.pk]),
        form_data(brief, action="save", highlights="新内容", attachments=[SimpleUploadedFile("a.pdf", PDF)]),
    )
    assert response.status_code == 200 and "文件未能保存" in response.content.decode()
    brief.refresh_from_db()
    assert (ReportAttachment.objects.count(), brief.highlights) == before


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database restart is tested on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_requests_fail_cleanly_and_the_app_recovers(live_server):
    """A restart kills the application's connection: the request using it gets the clean error page, and the
    next request gets a fresh connection (CONN_HEALTH_CHECKS) without restarting the application. Through the live
    server, whose requests manage their connections as in production (the test client keeps its own)."""
    import urllib.error
    import urllib.request

    import psycopg
    from django.conf import settings
    from django.core.signals import request_started
    from django.db import connections
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="restart-officer", role="bureau"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    db = settings.DATABASES["default"]

    def get(path: str) -> tuple[int, str]:
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local live server
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def restart(**kwargs):
        connections["default"].ensure_connection()  # the connection this request is about to use
        pid = connections["default"].connection.info.backend_pid
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
            dbname=db["NAME"], autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert get(reverse("rules"))[0] == 200
    request_started.connect(restart)  # after Django's own check of old connections: the request is in flight
    try:
        status, page = get(reverse("rules"))
    finally:
        request_started.disconnect(restart)
    assert status == 500 and "没有保存" in page
    assert get(reverse("rules"))[0] == 200  # recovered by itself, no restart of the application
