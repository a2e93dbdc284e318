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
    assert client_as("org-a").get(f"/exports/jobs/{job.pk}/").status_code == 404  # has jobs, not this one
    assert client_as("org-a").post("/exports/jobs/new/", {"kind": "rollout-xlsx"}).status_code == 403


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


def test_a_job_the_queue_lost_is_queued_again_while_someone_watches_it(client_as, demo_users, settings):
    """A Redis restarted without its data forgets what waited in it; the database still has the job. Its page, polled
    by the person who asked, queues it again once it has waited LOST_AFTER_SECONDS (the worker's start does the same
    for every job: tests/documents/test_worker.py)."""
    import datetime

    from django.utils import timezone

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}
    }  # a queue that keeps its tasks
    job = ExportJob.objects.create(
        kind="rollout-xlsx",
        requested_by=demo_users["bureau"],
        as_of=timezone.localdate(),
        key="k",
        task_id="forgotten-by-the-queue",
    )
    client = client_as("bureau")
    client.get(f"/exports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    job.refresh_from_db()
    assert job.task_id == "forgotten-by-the-queue"  # it has not waited long enough to be checked
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=jobs.LOST_AFTER_SECONDS + 1)
    )
    client.get(f"/exports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.task_id != "forgotten-by-the-queue"
    assert not jobs.task_is_lost(job)  # the queue holds it now
    assert jobs.recover_lost() == 0  # and nobody queues it twice


def workbook_rows(content: bytes) -> list:
    """A list's sheet without its first line (the title, which names the moment of export)."""
    book = load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]


@pytest.mark.parametrize(
    ("account", "address"),
    [
        ("org-a", "/staffing/workers/?export=xlsx"),
        ("bureau", "/reports/?export=xlsx&status=accepted"),
        ("zhangguizhuang", "/reports/?export=xlsx"),
        ("auditor", "/audit/?export=xlsx&action=login"),
    ],
)
def test_a_list_export_above_the_size_is_a_job_that_makes_the_same_file(
    client_as, settings, django_capture_on_commit_callbacks, account, address
):
    client = client_as(account)
    direct = client.get(address)
    assert direct.status_code == 200 and direct["Content-Disposition"].startswith("attachment")
    rows = workbook_rows(b"".join(direct.streaming_content))
    assert len(rows) >= 2, "the list needs rows for this test"  # its header and a row at least

    settings.LIST_EXPORT_JOB_ROWS = 0  # every list with a row is "big" now
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(address)
    job = ExportJob.objects.get(requested_by__username=account)
    assert asked.status_code == 302 and asked["Location"] == f"/exports/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.kind == "list-xlsx" and job.status == ExportJob.Status.DONE, job.error
    assert job.done == job.total >= len(rows) - 1  # the progress counted the list's rows
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "已转为后台生成" in page and job.title in page
    made = client.get(f"/exports/jobs/{job.pk}/file/")
    assert made.status_code == 200 and made["Content-Disposition"].startswith("attachment")
    assert workbook_rows(b"".join(made.streaming_content)) == rows  # the same scope, filters and columns
    # The file is the asker's alone.
    for other in ("bureau", "org-b", "zhangguizhuang"):
        if other != account:
            assert client_as(other).get(f"/exports/jobs/{job.pk}/file/").status_code in (403, 404)


def test_the_ocds_package_is_a_job_too(client_as, django_capture_on_commit_callbacks):
    import json

    client = client_as("bureau")
    direct = json.loads(b"".join(client.get("/exports/ocds.json").streaming_content))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exports/jobs/new/", {"kind": "ocds-json"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/jobs/{job.pk}/" and job.title == "开放合同数据（OCDS发布包）"
    download = client.get(f"/exports/jobs/{job.pk}/file/")
    assert download["Content-Type"] == "application/json" and job.filename.endswith(".json")
    made = json.loads(b"".join(download.streaming_content))
    assert made["releases"] == direct["releases"]
    # The municipal bureau has no OCDS export of its own (as on its pages).
    assert client_as("municipal").post("/exports/jobs/new/", {"kind": "ocds-json"}).status_code == 404


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("/exports/rollout.xlsx", "rollout-xlsx"),
        ("/exports/rollout.pdf", "rollout-pdf"),
        ("/exports/ocds.json", "ocds-json"),
    ],
)
def test_a_direct_download_over_many_stations_goes_to_the_job_page(client_as, settings, address, kind):
    settings.ROLLOUT_EXPORT_JOB_STATIONS = 3
    client = client_as("bureau")
    response = client.get(address)
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/new/?kind={kind}&big=1"
    page = client.get(response["Location"]).content.decode()
    assert "数据量较大，文件将在后台生成" in page and f'value="{kind}"' in page
    assert not ExportJob.objects.exists()  # a GET starts nothing: the button on that page does
