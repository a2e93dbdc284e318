"""Issue 19, acceptance 3: a real worker process on each engine — the embedded backend (django-tasks-db, a SQLite
file) and Redis (RQ through django-tasks-rq, a redis-server of the test's own) — killed with SIGKILL in the middle of
a job; after a restart the job runs again and completes, and its file is whole and the same as export_rollout's. The
same export asked twice while it waits is one job. Redis restarted (without its data) while a job waits: the job is
not lost."""

import io
import os
import shutil
import signal
import socket
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


class RedisServer:
    """A redis-server of the test's own on a free port, keeping nothing on disk (as CI's): restarting it loses every
    job that was waiting in it."""

    def __init__(self, folder: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder, self.process = folder, None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as ping:
                    ping.sendall(b"PING\r\n")
                    if ping.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def waiting(self) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as client:
            client.sendall(b"LLEN rq:queue:default\r\n")
            return int(client.recv(64).strip().lstrip(b":"))


@pytest.fixture(params=["database", "redis"])
def portal_env(request, tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"sqlite:///{database}",
        "TASKS_BACKEND": request.param,
        "DJANGO_VAR_DIR": str(tmp_path),
        "DJANGO_EXPORT_ROOT": str(tmp_path / "exports"),
        "EXPORT_STALE_SECONDS": "2",
        "EXPORT_DRILL_PAUSE_SECONDS": "0.6",  # each progress step takes a while: time to kill the worker mid-job
    }
    redis = None
    if request.param == "redis":
        if shutil.which("redis-server") is None:
            pytest.fail(
                "redis-server is not installed: the Redis engine cannot be tested (CI machines have it)"
            )
        redis = RedisServer(tmp_path)
        env["TASKS_REDIS_URL"] = redis.url
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    yield env, database, tmp_path, redis
    if redis is not None:
        redis.kill()


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


def descendants(pid: int) -> list[int]:
    """The processes a worker started (from /proc: each process's parent)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


START = (
    "from accounts.models import User; from documents.jobs import export_start; "
    "bureau = User.objects.get(username='bureau'); "
    "first, _ = export_start(user=bureau, kind='rollout-xlsx'); second, joined = export_start(user=bureau, "
    "kind='rollout-xlsx'); print(first.pk, second.pk, joined)"
)


def test_a_worker_killed_mid_job_and_restarted_completes_the_job_whole(portal_env):
    env, database, folder, _redis = portal_env
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
        # The machine dies: the worker and what it forked (RQ runs each job in a work horse of its own session).
        family = descendants(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)  # mid-job
        for pid in family:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    status, done, total, file, attempts = job_row(database, job_id)
    assert worker.returncode == -signal.SIGKILL
    time.sleep(0.3)  # the work horse is gone too
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


@pytest.mark.parametrize("portal_env", ["redis"], indirect=True)  # the embedded queue is the database itself
def test_a_redis_restarted_while_a_job_waits_loses_no_job(portal_env):
    env, database, folder, redis = portal_env
    job_id = int(manage(env, "shell", "-c", START).strip().splitlines()[-1].split()[0])
    assert redis.waiting() == 1  # the job waits in Redis
    redis.kill()
    redis.start()  # empty: it kept nothing on disk
    assert redis.waiting() == 0
    log = manage(env, "export_worker", "--batch")
    assert "重新排队丢失的任务：1" in log
    status, done, total, file, attempts = job_row(database, job_id)
    assert status == "done" and attempts == 1 and done == total, log
    manage(
        env, "export_rollout", "--format", "xlsx", "-o", str(folder / "command.xlsx"), "--district", "东丽区"
    )
    assert cells(folder / "exports" / file) == cells(folder / "command.xlsx")
