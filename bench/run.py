"""Measure the portal at N stations, each figure beside a floor measured in the same run.

    python bench/run.py --stations N [--streets-per-district S] [--database postgres://...] [--repeat 20]

It builds a fresh database (SQLite under var/bench/ unless --database), loads the demo story (11 stations) and
measures every page's query count there; then generate_scale adds N stations in N/S districts of S streets (one
deployment for a city or a province; S = N puts them all in one district) and the same pages are measured again:
the bureau of one district (its dashboard, lists, a station, a contractor's home), the municipal overview of every
district, and the station list of a user who sees all N stations. Floors: a view that reads one row (pages), the
Django admin's change list of the same stations (the station lists' peer), openpyxl write-only with the same rows
(the workbook). The last line is `RESULT key=value ...`. Not a test: the figures depend on the machine.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(url: str | None, reuse: bool = False) -> None:
    if url and reuse:
        os.environ["DATABASE_URL"] = url
    elif url:
        name = urllib.parse.urlparse(url).path.lstrip("/")
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        os.environ["DATABASE_URL"] = url
    else:
        path = ROOT / "var" / "bench" / "bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.update(DJANGO_ENV="development", DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.setdefault("FINDINGS_CACHE_SECONDS", "0")  # measure the work, not the cache


def plain_value(value):
    """What the floor writes: the value itself, with lazy labels as text and datetimes without a zone."""
    from django.utils.functional import Promise

    if isinstance(value, Promise):
        return str(value)
    if getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--database")
    parser.add_argument("--streets-per-district", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the database a previous run built (PostgreSQL)"
    )
    parser.add_argument(
        "--skip-export", action="store_true", help="pages only (the workbook takes minutes at 40,000)"
    )
    args = parser.parse_args()
    setup_database(args.database, reuse=args.reuse)

    import django
    from django.utils import timezone

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from contracts.models import ContractorStaff
    from demo.scale import generate
    from documents.reports import rollout_pdf
    from documents.rollout import rollout_sheets
    from reports.compliance import findings
    from stations.models import District, Station

    reused = (
        args.reuse and Station.objects.filter(street__district__code__startswith="9").count() >= args.stations
    )
    if not reused:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())

    def pages(bureau, station, contractor, municipal, everyone):
        return {
            "dashboard": (bureau, "/"),
            "list": (bureau, "/stations/"),
            "list_filtered": (bureau, "/stations/?status=operating&year=2022"),
            "detail": (bureau, f"/stations/{station.pk}/"),
            "contractor_home": (contractor, "/"),
            "admin_list": (bureau, "/admin/stations/station/"),
            "municipal": (municipal, "/"),
            "list_all": (municipal, "/stations/"),
            "list_all_filtered": (municipal, "/stations/?status=operating&year=2022"),
            "admin_list_all": (everyone, "/admin/stations/station/"),
            # The read API (issue 20): a page of 100 stations, as a district's token and as the municipal token.
            "api_list": (machine_for(bureau), "/api/v1/stations/?page_size=100"),
            "api_list_all": (machine_for(municipal), "/api/v1/stations/?page_size=100"),
            "floor": (bureau, "/healthz"),
        }

    clients, keys = {}, {}

    def machine_for(person):
        """The machine account of a token with `person`'s scope (their district, or every district)."""
        from api.services import issue_token

        if person.pk not in person_token:
            admin, _created = User.objects.get_or_create(
                username="bench-admin", defaults={"role": "admin", "password_changed_at": timezone.now()}
            )
            token, key = issue_token(
                system=f"bench-{person.username}",
                district=District.objects.filter(staff=person).first() if person.role == "bureau" else None,
                days=1,
                by=admin,
            )
            keys[token.account_id] = key
            person_token[person.pk] = token.account
        return person_token[person.pk]

    person_token = {}

    def client_for(user):
        if user.pk not in clients:
            if user.pk in keys:  # a token's account: the key in the header, no session
                clients[user.pk] = Client(headers={"Authorization": f"Bearer {keys[user.pk]}"})
            else:
                client = Client()
                client.force_login(user)
                clients[user.pk] = client
        return clients[user.pk]

    def queries(user, path) -> int:
        client = client_for(user)
        client.get(path)  # not counted: a session renewed (once a minute) or a cache filled on a first visit
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(
                f"{path} answered {response.status_code} {response.get('Location', '')} as {user.username}"
            )
        return len(captured)

    def timing(user, path) -> float:
        client = client_for(user)
        client.get(path)
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            reset_queries()
        return p95(samples)

    demo_bureau, org = User.objects.get(username="bureau"), User.objects.get(username="org-a")
    municipal = User.objects.get(username="municipal")
    demo_station = Station.objects.get(street__name="张贵庄街道")
    # The municipal bureau lists every station; the admin (not open to it) is measured for a bureau account of
    # every district, which sees the same stations there.
    everyone, _created = User.objects.get_or_create(
        username="bench-all", defaults={"role": "bureau", "password_changed_at": timezone.now()}
    )

    def see_every_district():
        District.staff.through.objects.bulk_create(
            [
                District.staff.through(district_id=pk, user_id=everyone.pk)
                for pk in District.objects.values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )

    see_every_district()
    small = {
        name: queries(user, path)
        for name, (user, path) in pages(demo_bureau, demo_station, org, municipal, everyone).items()
    }
    started = time.perf_counter()
    pdf_11 = time.perf_counter()
    rollout_pdf(Station.objects.visible_to(demo_bureau))
    pdf_11 = time.perf_counter() - pdf_11

    started = time.perf_counter()
    per_district = min(args.streets_per_district, args.stations)
    if not reused:
        generate(args.stations // per_district, per_district, seed=1)
    generate_s = time.perf_counter() - started
    see_every_district()
    district = District.objects.filter(code__startswith="9").earliest("pk")
    bureau = district.staff.exclude(pk=everyone.pk).filter(is_machine=False).get()
    stations = Station.objects.visible_to(bureau)
    station = stations.first()
    contractor, _created = User.objects.get_or_create(
        username="bench-org", defaults={"role": "contractor", "password_changed_at": timezone.now()}
    )
    ContractorStaff.objects.get_or_create(
        contractor=station.cycles.first().contractor, district=district, user=contractor
    )
    measured = pages(bureau, station, contractor, municipal, everyone)
    big = {name: queries(user, path) for name, (user, path) in measured.items()}
    times = {name: timing(user, path) for name, (user, path) in measured.items()}
    # As deployed: the compliance engine's results cached until the data changes (reports/findings_cache.py).
    from django.conf import settings

    settings.FINDINGS_CACHE_SECONDS = 600
    for name in ("dashboard", "contractor_home", "detail"):
        user, path = measured[name]
        times[f"{name}_cached"] = timing(user, path)
        small[f"{name}_cached"], big[f"{name}_cached"] = small[name], big[name]
    settings.FINDINGS_CACHE_SECONDS = 0

    started = time.perf_counter()
    engine = len(findings(stations))
    engine_s = time.perf_counter() - started
    all_stations = Station.objects.visible_to(everyone)
    started = time.perf_counter()
    engine_all = len(findings(all_stations))
    engine_all_s = time.perf_counter() - started
    stations = all_stations  # the workbook: every station (the municipal bureau's export)
    if args.skip_export:
        report(args, connection, generate_s, small, big, times, engine_s, engine, engine_all_s, engine_all)
        return

    # The workbook, as the export command writes it, in a process of its own: its time, and the process's peak
    # resident memory (everything: Python, Django, the rows in flight) - one run, no tracing overhead.
    export = workbook_in_child()

    # The floor: the same rows of every sheet, already in memory, written plainly with openpyxl write-only.
    from openpyxl import Workbook

    sheets = [(sheet.title, [list(row) for row in sheet.rows]) for sheet in rollout_sheets(stations)]
    started = time.perf_counter()
    book = Workbook(write_only=True)
    for title, rows in sheets:
        plain = book.create_sheet(title)
        for row in rows:
            plain.append([plain_value(v) for v in row])
    book.save(io.BytesIO())
    floor_s = time.perf_counter() - started

    started = time.perf_counter()
    rollout_pdf(Station.objects.filter(pk__in=list(stations.values_list("pk", flat=True)[:250])))
    pdf_250 = time.perf_counter() - started

    job = export_job(export)

    report(
        args,
        connection,
        generate_s,
        small,
        big,
        times,
        engine_s,
        engine,
        engine_all_s,
        engine_all,
        export={**export, "floor_s": floor_s, **job},
        pdf=(pdf_11, pdf_250),
    )


# The process's own peak: VmHWM of its memory map. Not ru_maxrss, which Linux carries across exec from the parent
# (here the bench process, large after running the engine over every station).
PEAK_MB = (
    "def peak_mb():\n"
    "    try:\n"
    "        with open('/proc/self/status') as status:\n"
    "            return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:')) / 1024\n"
    "    except OSError:\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
)


def in_child(code: str, env: dict) -> tuple[float, float]:
    """Run Django code in a process of its own: (its seconds, its peak resident MB, read from the OS)."""
    setup = (
        f"import io, resource, sys, time, django; sys.path.insert(0, {str(ROOT)!r}); django.setup()\n"
        f"{PEAK_MB}"
        "from stations.models import Station; from accounts.models import User;"
        "everyone = Station.objects.visible_to(User.objects.get(username='municipal'));"
        "started = time.perf_counter();"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            setup + code + ";print(time.perf_counter() - started, peak_mb())",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    seconds, peak = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(peak)


WRITE_WORKBOOK = (
    "from documents.rollout import write_rollout_workbook; write_rollout_workbook(everyone, io.BytesIO())"
)
DAILY_CHECK = (
    "from django.core.management import call_command; call_command('check_compliance', stdout=io.StringIO())"
)


def export_job(export: dict) -> dict[str, float]:
    """The province's workbook as the municipal bureau asks for it on the page (issue 19): the request that starts
    the job (it must answer at once), the first progress a worker reports, and the job's whole time in a worker
    process beside the command's time for the same file, in the same environment (the shared findings cache when
    Redis is here, as export_s)."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from documents.models import ExportJob

    ExportJob.objects.all().delete()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="municipal"))
    started = time.perf_counter()
    response = client.post("/exports/jobs/new/", {"kind": "rollout-xlsx"})
    start_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise SystemExit(f"starting the export job answered {response.status_code}")
    job = ExportJob.objects.latest("pk")
    env = {**os.environ, "TASKS_BACKEND": "database"}
    if "export_s" in export:
        env.update(
            REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            FINDINGS_CACHE_SECONDS="86400",
        )
    else:
        env["FINDINGS_CACHE_SECONDS"] = "0"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "export_worker", "--batch", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    first = None  # from the moment the worker took the job (a worker is normally running already)
    while worker.poll() is None:
        if first is None:
            row = ExportJob.objects.filter(pk=job.pk, done__gt=0).values_list("started_at", flat=True).first()
            if row is not None:
                first = (timezone.now() - row).total_seconds()
        time.sleep(0.05)
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"the export job did not finish: {job.error}")
    job_s = (job.finished_at - job.started_at).total_seconds()
    command_s = export.get("export_s", export["export_cold_s"])
    # The file is the command's: export_rollout for the same scope (every district, no names, as the municipal
    # bureau's), compared cell by cell below the title rows (which name the moment of export).
    from django.conf import settings

    command_file = ROOT / "var" / "bench" / "command.xlsx"
    command_file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "export_rollout",
            "--format",
            "xlsx",
            "-o",
            str(command_file),
            "--without-names",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    identical = same_cells(Path(settings.EXPORT_ROOT) / job.file, command_file)
    return {
        "job_start_ms": start_ms,
        "job_first_progress_s": first if first is not None else float("nan"),
        "job_s": job_s,
        "job_vs_command": job_s / command_s,
        "job_file_identical": identical,
    }


def same_cells(first: Path, second: Path) -> bool:
    """Two workbooks with the same sheets and the same cells below their two title rows, read as streams."""
    from itertools import zip_longest

    from openpyxl import load_workbook

    one, two = load_workbook(first, read_only=True), load_workbook(second, read_only=True)
    if one.sheetnames != two.sheetnames:
        return False
    for name in one.sheetnames:
        rows = zip_longest(
            one[name].iter_rows(min_row=3, values_only=True), two[name].iter_rows(min_row=3, values_only=True)
        )
        if any(a != b for a, b in rows):
            return False
    return True


def workbook_in_child() -> dict[str, float]:
    """The rollout workbook of every station, written by a process of its own (one run, no tracing): cold (the
    engine runs for every district) and as deployed (after the daily check_compliance, which leaves each district's
    findings in the shared Redis cache until that district's data changes)."""
    cold_s, cold_mb = in_child(WRITE_WORKBOOK, {"FINDINGS_CACHE_SECONDS": "0"})
    result = {"export_cold_s": cold_s, "export_cold_peak_mb": cold_mb}
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    except Exception as error:  # no Redis here: the cold figures only
        print(f"no Redis at {redis} ({error}): the workbook is measured cold only")
        return result
    shared = {"REDIS_URL": redis, "FINDINGS_CACHE_SECONDS": "86400"}
    result["daily_check_s"], _peak = in_child(DAILY_CHECK, shared)
    result["export_s"], result["export_peak_mb"] = in_child(WRITE_WORKBOOK, shared)
    return result


def report(
    args,
    connection,
    generate_s,
    small,
    big,
    times,
    engine_s,
    engine,
    engine_all_s,
    engine_all,
    export=None,
    pdf=None,
):
    districts = max(1, args.stations // min(args.streets_per_district, args.stations))
    print(
        f"N = {args.stations} stations in {districts} districts, {connection.vendor}, {os.cpu_count()} cores; "
        f"generate_scale {generate_s:.1f} s"
    )
    print(f"{'page':<20}{'queries@11':>12}{'queries@N':>12}{'p95 ms':>10}{'vs floor':>10}")
    for name in times:
        print(
            f"{name:<20}{small[name]:>12}{big[name]:>12}{times[name]:>10.1f}{times[name] / times['floor']:>10.1f}"
        )
    print(f"compliance engine, one district: {engine_s:.2f} s ({engine} findings)")
    print(f"compliance engine, all N stations: {engine_all_s:.2f} s ({engine_all} findings)")
    peers = ("admin_list", "admin_list_all", "floor")
    same = all(small[name] == big[name] for name in small if name not in peers)
    api_same = all(small[name] == big[name] for name in ("api_list", "api_list_all"))
    print(
        f"read API, a page of 100 stations: {times['api_list']:.1f} ms p95 for a district's token "
        f"({times['api_list'] / times['list']:.2f}x the portal's list), {times['api_list_all']:.1f} ms for the "
        f"municipal token ({times['api_list_all'] / times['list_all']:.2f}x its list); queries "
        f"{small['api_list']} at 11 and {big['api_list']} at N"
    )
    result = (
        f"RESULT stations={args.stations} districts={districts} queries_11={sum(small.values())} "
        f"queries_N={sum(big.values())} queries_equal={same} dashboard_p95_ms={times['dashboard']:.1f} "
        f"dashboard_vs_floor={times['dashboard'] / times['floor']:.1f} "
        f"dashboard_cached_p95_ms={times['dashboard_cached']:.1f} "
        f"dashboard_cached_vs_floor={times['dashboard_cached'] / times['floor']:.1f} list_p95_ms={times['list']:.1f} "
        f"list_vs_admin={times['list'] / times['admin_list']:.2f} municipal_p95_ms={times['municipal']:.1f} "
        f"list_all_p95_ms={times['list_all']:.1f} list_all_vs_admin={times['list_all'] / times['admin_list_all']:.2f} "
        f"api_list_p95_ms={times['api_list']:.1f} api_list_vs_list={times['api_list'] / times['list']:.2f} "
        f"api_list_all_p95_ms={times['api_list_all']:.1f} api_queries_11={small['api_list']} "
        f"api_queries_N={big['api_list']} api_queries_equal={api_same} "
    )
    if export:
        floor_s = export["floor_s"]
        cold_s = export["export_cold_s"]
        print(
            f"rollout workbook (all N), cold: {cold_s:.2f} s ({cold_s / floor_s:.2f}x the floor), "
            f"peak {export['export_cold_peak_mb']:.0f} MB; openpyxl write-only floor {floor_s:.2f} s"
        )
        if "export_s" in export:
            print(
                f"daily check_compliance (every district's findings into the cache): {export['daily_check_s']:.1f} s; "
                f"rollout workbook after it: {export['export_s']:.2f} s "
                f"({export['export_s'] / floor_s:.2f}x the floor), peak {export['export_peak_mb']:.0f} MB"
            )
        print(f"rollout PDF: 11 stations {pdf[0]:.2f} s, 250 stations {pdf[1]:.2f} s")
        print(
            f"export job: the request that starts it {export['job_start_ms']:.0f} ms; first progress after "
            f"{export['job_first_progress_s']:.2f} s; the job {export['job_s']:.2f} s "
            f"({export['job_vs_command']:.2f}x the command's time for the same file); "
            f"the file is {'identical to' if export['job_file_identical'] else 'DIFFERENT from'} export_rollout's"
        )
        deployed_s = export.get("export_s", cold_s)
        result += (
            f"export_s={deployed_s:.2f} export_vs_floor={deployed_s / floor_s:.2f} "
            f"export_peak_mb={export.get('export_peak_mb', export['export_cold_peak_mb']):.0f} "
            f"export_cold_s={cold_s:.2f} export_cold_vs_floor={cold_s / floor_s:.2f} "
            f"export_cold_peak_mb={export['export_cold_peak_mb']:.0f} pdf_250_s={pdf[1]:.2f} "
            f"export_job_start_ms={export['job_start_ms']:.0f} export_first_progress_s={export['job_first_progress_s']:.2f} "
            f"export_job_vs_command={export['job_vs_command']:.2f} "
            f"export_job_file_identical={export['job_file_identical']} "
        )
    print(result + f"engine_s={engine_s:.2f} engine_all_s={engine_all_s:.2f} generate_s={generate_s:.1f}")


if __name__ == "__main__":
    main()
