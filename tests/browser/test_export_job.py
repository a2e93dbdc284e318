"""Issue 19, acceptance 2: the bureau presses 导出Excel, the page answers at once with the job, follows its progress
to 100 % (htmx polling), and the file downloads and opens (openpyxl) — on the embedded backend (django-tasks-db),
with its worker running beside the live server."""

import io
import threading

import pytest
from django.db import connections
from openpyxl import load_workbook

from documents.models import ExportJob
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def embedded_queue(settings, monkeypatch):
    """The database backend, and a django-tasks-db worker in a thread of this process (sharing the test database
    as the live server does). On SQLite's in-memory test database both threads use one connection, whose
    transactions must not interleave: the worker's rounds and the server's requests take turns on one lock (a
    worker in a process of its own is tests/documents/test_worker.py)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_DRILL_PAUSE_SECONDS = 0.4  # slow enough to be seen moving
    shared = connections["default"]
    in_memory = shared.vendor == "sqlite" and shared.is_in_memory_db()
    turns = threading.RLock()
    if in_memory:
        shared.inc_thread_sharing()
        serve = WSGIHandler.__call__

        def one_at_a_time(handler, environ, start_response):
            with turns:
                return serve(handler, environ, start_response)

        monkeypatch.setattr(WSGIHandler, "__call__", one_at_a_time)
    worker = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=True,  # one round: every task ready, then back to the loop below
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    stop = threading.Event()

    def run():
        if in_memory:
            connections["default"] = shared  # the in-memory test database, as the live server thread uses it
        while not stop.is_set():
            with turns:
                worker.run()
            stop.wait(0.2)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield worker
    stop.set()
    thread.join(timeout=30)
    if in_memory:
        shared.dec_thread_sharing()


def test_bureau_exports_through_the_queue_and_downloads_the_workbook(
    page, portal, embedded_queue, screenshot_dir
):
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="导出Excel").click()
    assert "/exports/jobs/" in page.url
    page.screenshot(path=str(screenshot_dir / "export-job-started.png"), full_page=True)
    progress = page.locator("#job-progress")
    # Updated in place until the file is ready.
    page.wait_for_function(
        "() => document.querySelector('#job-progress progress')?.value === 100", timeout=120_000
    )
    assert "已完成" in progress.inner_text()
    page.screenshot(path=str(screenshot_dir / "export-job-done.png"), full_page=True)
    with page.expect_download() as download:
        progress.get_by_role("link", name="下载").click()
    content = download.value.path().read_bytes()
    book = load_workbook(io.BytesIO(content))
    assert "社工站" in "".join(book.sheetnames) or len(book.sheetnames) >= 5
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.requested_by.username == "bureau"
    # The same file is in 我的导出.
    page.goto(f"{portal.url}/exports/jobs/")
    assert page.get_by_role("link", name="下载").first.is_visible()
