"""Issue 19, point 4: the daily check and the reminders are scheduled by the project (a shipped cron file in
Asia/Shanghai time) and run on the queue; a failed run is tried again and stays visible in the queue."""

import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command

from documents.tasks import DAILY_ATTEMPTS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("story_day")


def test_the_shipped_schedule_names_the_hours_in_shanghai_time():
    cron = (ROOT / "deploy" / "shegongzhan.cron").read_text()
    assert "CRON_TZ=Asia/Shanghai" in cron
    assert "30 1 * * *" in cron and "schedule_daily check" in cron
    assert "0 8 * * *" in cron and "schedule_daily reminders" in cron


def test_schedule_daily_puts_the_check_on_the_queue_and_a_worker_runs_it(db):
    with mock.patch("django.core.management.call_command", wraps=call_command) as run:
        out = io.StringIO()
        call_command("schedule_daily", "check", stdout=out)  # the immediate backend runs it at once
    assert "已加入任务队列" in out.getvalue()
    assert any(c.args[0] == "check_compliance" for c in run.call_args_list)


def test_a_failed_daily_run_is_tried_again_then_recorded_failed(db):
    calls = []

    def broken(name, **kwargs):
        calls.append(name)
        raise RuntimeError("mail server down")

    from django.tasks.exceptions import TaskResultDoesNotExist  # noqa: F401 - the tasks API is Django's

    with mock.patch("django.core.management.call_command", side_effect=broken):
        call_command("schedule_daily", "reminders", stdout=io.StringIO())
    assert calls == ["send_reminders"] * DAILY_ATTEMPTS
    # Each attempt is in the audit log, which the administrator and the auditor read on either engine.
    from audit.models import AuditEvent

    failed = AuditEvent.objects.filter(action="scheduled", outcome="failure")
    assert failed.count() == DAILY_ATTEMPTS
    assert "send_reminders：第3次运行失败（RuntimeError: mail server down）" in failed.values_list(
        "summary", flat=True
    )


def test_a_daily_run_that_succeeds_is_in_the_audit_log(db):
    from audit.models import AuditEvent

    call_command("schedule_daily", "check", stdout=io.StringIO())
    assert AuditEvent.objects.filter(
        action="scheduled", outcome="success", summary="check_compliance：第1次运行完成"
    ).exists()
