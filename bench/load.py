"""The load scenario: gunicorn + PostgreSQL on this machine, N users for a while — sign in, the dashboard, the
lists, and a contractor uploading a report attachment — printing p95 per page and the error rate.

    python bench/load.py [--users 20] [--seconds 120] [--workers 3] [--database postgres://postgres@127.0.0.1:5432/bench_load]

It creates (or re-creates) the database, migrates it, loads the demo story, starts gunicorn, runs the scenario,
and stops gunicorn. Not a test: the figures depend on the machine (README records them with the machine).
"""

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "dongli-demo-2021"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class User:
    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def login(self) -> int:
        self.request("/accounts/login/")
        body = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        status, _ = self.request(
            "/accounts/login/", body, {"Referer": self.base + "/accounts/login/", "X-CSRFToken": self.csrf()}
        )
        return status

    def upload(self, path: str, fields: dict, file_field: str, filename: str, content: bytes) -> int:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        status, _ = self.request(
            path,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path},
        )
        return status


def report_form(html: str) -> dict:
    """The report edit form's current values, to post back with an attachment."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    fields.update(dict(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html)))
    fields.pop("attachments", None)
    fields["action"] = "save"
    return fields


def scenario(
    base: str, username: str, until: float, timings, errors, lock, think: tuple[float, float] = (1.0, 3.0)
):
    user = User(base, username)
    started = time.perf_counter()
    status = user.login()
    record("登录", started, status in (200, 302), timings, errors, lock)
    pages = ["/", "/stations/", "/findings/"] + ([] if username == "municipal" else ["/reports/"])
    if username.startswith("org-"):
        pages += ["/staffing/workers/", "/staffing/volunteers/", "/service-records/"]
    while time.time() < until:
        time.sleep(
            random.uniform(*think)
        )  # a person reads the page before the next click (locust's wait_time)
        path = random.choice(pages)
        started = time.perf_counter()
        status, html = user.request(path)
        home = {"bureau": "区民政局总览", "municipal": "市民政局总览"}.get(username) or (
            "承接主体首页" if username.startswith("org-") else "街道首页"
        )
        label = {
            "/": home,
            "/stations/": "社工站列表",
            "/findings/": "整改问题",
            "/reports/": "报告列表",
        }.get(path, path)
        record(label, started, status == 200, timings, errors, lock)
        if username.startswith("org-") and random.random() < 0.1:
            drafts = re.findall(r'href="(/reports/\d+/)">修改</a>', html) if path == "/reports/" else []
            if drafts:
                target = random.choice(drafts)
                started = time.perf_counter()
                status, page = user.request(target)
                fields = report_form(page)
                code = user.upload(target, fields, "attachments", "活动记录.pdf", PDF)
                record("上传报告附件", started, code in (200, 302), timings, errors, lock)


def record(label, started, ok, timings, errors, lock):
    elapsed = (time.perf_counter() - started) * 1000
    with lock:
        timings[label].append(elapsed)
        if not ok:
            errors[label] += 1


def p95(values):
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--think", default="1-3", help="seconds between a user's clicks, min-max (0-0: none)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_load")
    args = parser.parse_args()

    python = sys.executable
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": args.database,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_VAR_DIR": str(ROOT / "var" / "bench"),
    }
    name = urllib.parse.urlparse(args.database).path.lstrip("/")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    for command in (["migrate", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        think = tuple(float(x) for x in args.think.split("-"))
        accounts = ["bureau", "zhangguizhuang", "fengniancun", "org-a", "org-b", "municipal"]
        timings, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
        until = time.time() + args.seconds
        threads = [
            threading.Thread(
                target=scenario, args=(base, accounts[i % len(accounts)], until, timings, errors, lock, think)
            )
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in timings.values())
    failed = sum(errors.values())
    print(
        f"{args.users} users, {args.seconds} s, think {args.think} s, gunicorn -w {args.workers}, PostgreSQL, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'page':<16}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for label, values in sorted(timings.items()):
        print(
            f"{label:<16}{len(values):>10}{errors[label]:>8}{statistics.median(values):>10.0f}{p95(values):>10.0f}"
        )
    print(
        f"RESULT requests={total} error_rate={failed / max(total, 1):.4f} "
        + " ".join(f"p95_{k}={p95(v):.0f}" for k, v in sorted(timings.items()) if not k.startswith("/"))
    )


if __name__ == "__main__":
    main()
