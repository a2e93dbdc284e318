"""Issue 19: long exports as jobs — asking answers at once with a job page; the file is built by the task, whole
or not at all; the same export asked twice is one job; only the asker downloads it; a failure says why in Chinese
and can be run again; a job whose worker died runs again. (tests/documents/test_worker.py runs a real worker
process and kills it.)"""

import errno
import io
from unittest import mock

import pytest
from django.db import OperationalError
from openpyxl import load_workbook

from documents import jobs
from documents.models import ExportJob
from documents.rollout import write_rollout_workbook
from stations.models import Station

pytestmark = pytest.mark.usefixtures("story_day")


def cells(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows(min_row=3)] for sheet in book}


def start(client, kind="rollout-xlsx", capture=None):
    with capture(execute=True):
        return client.post("/exports/jobs/new/", {"kind": kind})


def test_asking_answers_with_the_job_page_and_the_file_is_the_commands(
    client_as, demo_users, django_capture_on_commit_callbacks
):
    client = client_as("bureau")
    response = start(client, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.percent == 100 and job.done == job.total
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f"/exports/jobs/{job.pk}/file/" in page
    download = client.get(f"/exports/jobs/{job.pk}/file/")
    content = b"".join(download.streaming_content)
    direct = io.BytesIO()
    write_rollout_workbook(Station.objects.visible_to(demo_users["bureau"]), direct)
    assert cells(content) == cells(direct.getvalue())
    assert "我的导出" in client.get("/exports/jobs/").content.decode()


def test_the_same_export_asked_twice_while_running_is_one_job(demo_users):
    first, joined_first = jobs.export_start(user=demo_users["bureau"], kind="rollout-xlsx")
    second, joined_second = jobs.export_start(user=demo_users["bureau"], kind="rollout-xlsx")
    assert (joined_first, joined_second) == (False, True) and first.pk == second.pk
    assert ExportJob.objects.count() == 1
    other, joined = jobs.export_start(user=demo_users["municipal"], kind="rollout-xlsx")
    assert not joined and other.pk != first.pk  # another person's export is their own job


def test_only_the_asker_sees_and_downloads_the_job(client_as, django_capture_on_commit_callbacks):
    start(client_as("bureau"), capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert client_as("municipal").get(f"/exports/jobs/{job.pk}/").status_code == 404
    assert client_as("municipal").get(f"/exports/jobs/{job.pk}/file/").status_code == 404
    assert client_as("org-a").get(f"/exports/jobs/{job.pk}/").status_code == 403


def test_a_full_disk_fails_the_job_in_chinese_leaves_no_file_and_it_can_run_again(
    client_as, settings, django_capture_on_commit_callbacks
):
    def full(job, path):
        path.write_bytes(b"half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    client = client_as("bureau")
    with mock.patch("documents.jobs.build", side_effect=full):
        start(client, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and "磁盘空间不足" in job.error
    assert list(settings.EXPORT_ROOT.iterdir()) == []  # no partial file left behind
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "磁盘空间不足" in page and "重新导出" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/exports/jobs/{job.pk}/retry/")
    retried = ExportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == f"/exports/jobs/{retried.pk}/" and retried.status == ExportJob.Status.DONE


def test_an_unreachable_database_is_retried(client_as, django_capture_on_commit_callbacks):
    real = jobs.build
    calls = []

    def flaky(job, path):
        calls.append(job.pk)
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return real(job, path)

    with mock.patch("documents.jobs.build", side_effect=flaky):
        start(client_as("bureau"), capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert len(calls) == 2 and job.status == ExportJob.Status.DONE and job.attempts == 2


def test_a_job_whose_worker_died_runs_again(demo_users, settings):
    import datetime

    from django.utils import timezone

    job = ExportJob.objects.create(
        kind="rollout-xlsx",
        requested_by=demo_users["bureau"],
        as_of=datetime.date(2026, 11, 28),
        key="stale",
        status=ExportJob.Status.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS + 1),
    )
    assert jobs.recover_stale() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and (settings.EXPORT_ROOT / job.file).exists()


def test_progress_is_reported_while_the_workbook_is_written(demo_users, monkeypatch):
    seen = []
    monkeypatch.setattr("core.workbook.PROGRESS_EVERY", 10)
    original = jobs.Progress.__call__

    def spy(self, done, force=False):
        seen.append((done, self.total))
        return original(self, done, force=True)

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    job, _joined = jobs.export_start(user=demo_users["bureau"], kind="rollout-xlsx")
    jobs.run_export(job.pk)
    assert len(seen) > 5 and seen[-1][0] >= seen[0][0]
    assert all(total >= 1 for _done, total in seen)


def test_the_pdf_is_a_job_too(client_as, django_capture_on_commit_callbacks):
    client = client_as("municipal")
    start(client, kind="rollout-pdf", capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    content = b"".join(client.get(f"/exports/jobs/{job.pk}/file/").streaming_content)
    assert content.startswith(b"%PDF")


def test_the_dashboard_buttons_start_jobs(client_as):
    page = client_as("bureau").get("/").content.decode()
    assert 'data-post="kind=rollout-xlsx"' in page and 'data-post="kind=rollout-pdf"' in page
