"""The tasks of the queue (django.tasks): long work out of the web request. The management commands call the same
functions directly."""

from django.tasks import task


@task
def build_export(job_id: int) -> str:
    from documents.jobs import run_export

    return run_export(job_id)


DAILY = {
    # name: (the management command, what it is, in the audit of the queue)
    "check": "check_compliance",
    "reminders": "send_reminders",
}
DAILY_ATTEMPTS = 3
DAILY_RETRY_MINUTES = 10


@task
def run_daily(name: str, attempt: int = 1) -> str:
    """The daily compliance check or the reminders, run by a worker. A failed run is recorded as failed in the
    queue (the administrator sees it in the admin, with its exception) and tried again DAILY_RETRY_MINUTES later,
    DAILY_ATTEMPTS times in all."""
    import datetime
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from core.signals import announce

    try:
        out = io.StringIO()
        call_command(DAILY[name], stdout=out)
    except Exception as error:
        # Seen by the administrator and the auditor on either engine (the audit log), beside the queue's own record.
        announce(
            "scheduled",
            object_type="documents.daily",
            summary=f"{DAILY[name]}：第{attempt}次运行失败（{type(error).__name__}: {error}）"[:250],
            outcome="failure",
        )
        if attempt < DAILY_ATTEMPTS:
            later = run_daily
            if run_daily.get_backend().supports_defer:
                later = run_daily.using(
                    run_after=timezone.now() + datetime.timedelta(minutes=DAILY_RETRY_MINUTES)
                )
            later.enqueue(name, attempt + 1)
        raise
    announce("scheduled", object_type="documents.daily", summary=f"{DAILY[name]}：第{attempt}次运行完成")
    return out.getvalue()[-2000:]
