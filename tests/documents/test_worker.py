"""Issue 19, acceptance 3: a real worker process on the embedded backend (django-tasks-db, a SQLite file), killed
with SIGKILL in the middle of a job; after a restart the job runs again and completes, and its file is whole and
the same as export_rollout's. The same export asked twice while it waits is one job."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker


def cells(path: Path) -> dict:
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows(min_row=3)] for sheet in book}


@pytest.fixture
def portal_env(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"sqlite:///{database}",
        "TASKS_BACKEND": "database",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DJANGO_EXPORT_ROOT": str(tmp_path / "exports"),
        "EXPORT_STALE_SECONDS": "2",
        "EXPORT_DRILL_PAUSE_SECONDS": "0.6",  # each progress step takes a while: time to kill the worker mid-job
    }
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env, database, tmp_path


def manage(env, *args, timeout=300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def job_row(database: Path, job_id: int) -> tuple:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT status, done, total, file, attempts FROM documents_exportjob WHERE id = ?", (job_id,)
        ).fetchone()


START = (
    "from accounts.models import User; from documents.jobs import export_start; "
    "bureau = User.objects.get(username='bureau'); "
    "first, _ = export_start(user=bureau, kind='rollout-xlsx'); second, joined = export_start(user=bureau, "
    "kind='rollout-xlsx'); print(first.pk, second.pk, joined)"
)


def test_a_worker_killed_mid_job_and_restarted_completes_the_job_whole(portal_env):
    env, database, folder = portal_env
    first, second, joined = manage(env, "shell", "-c", START).strip().splitlines()[-1].split()
    assert first == second and joined == "True"  # asked twice: one job
    job_id = int(first)

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "export_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, done, total, *_ = job_row(database, job_id)
            if status == "running" and done > 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker never started the job")
        os.kill(worker.pid, signal.SIGKILL)  # mid-job
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    status, done, total, file, attempts = job_row(database, job_id)
    assert worker.returncode == -signal.SIGKILL
    assert status == "running" and 0 < done < total and file == "" and attempts == 1, (status, done, total)
    assert not list((folder / "exports").glob("*.xlsx"))  # nothing but a partial file beside its name

    time.sleep(2.5)  # silent longer than EXPORT_STALE_SECONDS: its worker is dead
    assert job_row(database, job_id)[:2] == (status, done)  # nobody is working on it
    log = manage(env, "export_worker", "--batch", "--interval", "0.2")
    status, done, total, file, attempts = job_row(database, job_id)
    assert status == "done" and attempts == 2 and done == total, log
    assert not list((folder / "exports").glob("*.part"))
    produced = folder / "exports" / file
    manage(
        env, "export_rollout", "--format", "xlsx", "-o", str(folder / "command.xlsx"), "--district", "东丽区"
    )
    assert cells(produced) == cells(folder / "command.xlsx")
