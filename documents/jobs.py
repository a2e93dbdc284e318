"""Long exports leave the web request (issue 19): asking answers at once with a job; a worker of the task queue
(django.tasks, the database backend by default) builds the file, reporting its progress; the file is kept for
EXPORT_KEEP_DAYS and served only to the person who asked.

The file is written beside its final name and renamed into place when whole, so a worker that dies, a full disk or
an error never leaves a partial file behind; a job whose worker died (no progress for STALE_SECONDS) is queued
again when a worker starts (`python manage.py export_worker`) and runs from the start. EXPORT_STALE_SECONDS says
how long is "no progress" (60 s: progress is written at least every PROGRESS_SECONDS while a job runs).
EXPORT_DRILL_PAUSE_SECONDS (0 in production) slows each progress step, for fault drills: kill a worker mid-job."""

import datetime
import errno
import hashlib
import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, sees_people
from core.signals import announce
from documents.models import ExportJob

try:  # the RQ engine (django-tasks-rq) answers with the django-tasks backport's exception, not Django's own
    from django_tasks.exceptions import TaskResultDoesNotExist as _BackportDoesNotExist
except ImportError:  # pragma: no cover - the backport comes with the RQ engine
    _BackportDoesNotExist = LookupError
from django.tasks.exceptions import TaskResultDoesNotExist

LOST = (TaskResultDoesNotExist, _BackportDoesNotExist)
PROGRESS_SECONDS = 0.5  # at most two progress writes a second
RETRY_DELAY_SECONDS = 15  # the database was unreachable: try again after this long
MAX_ATTEMPTS = 5
IMPORT_STALE_SECONDS = 1800  # a running import is silent until it commits
LOST_AFTER_SECONDS = 20  # a job still waiting this long is checked against the queue


def export_root() -> Path:
    """Finished files: outside the web root, beside the uploads."""
    return Path(settings.EXPORT_ROOT)


# Who may ask for which export: the district workbook and PDF are the bureaus', the OCDS package the district
# bureau's (as their pages); a list export is anyone's who sees the list (the list's own view decides, replayed).
ASKERS = {
    ExportJob.Kind.ROLLOUT_XLSX: (Role.BUREAU, Role.MUNICIPAL),
    ExportJob.Kind.ROLLOUT_PDF: (Role.BUREAU, Role.MUNICIPAL),
    ExportJob.Kind.OCDS: (Role.BUREAU,),
    ExportJob.Kind.LIST_XLSX: (Role.BUREAU, Role.MUNICIPAL, Role.STREET, Role.CONTRACTOR, Role.AUDITOR),
    # An import's own family says who may import it (documents.imports); the job runs it as the uploader.
    ExportJob.Kind.IMPORT: (Role.BUREAU, Role.STREET, Role.CONTRACTOR),
}
SUFFIX = {ExportJob.Kind.ROLLOUT_PDF: ".pdf", ExportJob.Kind.OCDS: ".json"}


def job_key(user, kind: str, as_of: datetime.date, params: dict | None = None) -> str:
    what = json.dumps(params or {}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{kind}|{user.pk}|{as_of.isoformat()}|{what}".encode()).hexdigest()


def export_start(*, user, kind: str, params: dict | None = None) -> tuple[ExportJob, bool]:
    """Ask for an export: a new job queued for a worker, or the same export already running for this person
    (joined: True). Answers at once: nothing is built here."""
    if kind not in ExportJob.Kind.values:
        raise PermissionDenied(_("没有这类导出。"))
    if user.role not in ASKERS[kind]:
        raise PermissionDenied(_("当前账号的角色不能使用此导出。"))
    params = params or {}
    as_of = timezone.localdate()
    key = job_key(user, kind, as_of, params)
    running = ExportJob.objects.filter(
        key=key, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    )
    existing = running.first()
    if existing is not None:
        return existing, True
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                kind=kind, requested_by=user, people=sees_people(user), as_of=as_of, key=key, params=params
            )
    except IntegrityError:  # asked twice at the same moment: the other request's job
        return running.get(), True
    if kind != ExportJob.Kind.IMPORT:
        announce("export", user=user, object_type="documents.exportjob", summary=f"{job.title}：申请导出")
    transaction.on_commit(lambda: enqueue(job))
    return job, False


def list_export_start(request, title: str) -> ExportJob:
    """A list page's export that is too big for the request: a job that replays the list's address, with its
    filters, as the person who asked (core.lists hands it over above LIST_EXPORT_JOB_ROWS rows)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("size", None)
    params = {"path": request.path, "query": query.urlencode(), "title": str(title)}
    job, _joined = export_start(user=request.user, kind=ExportJob.Kind.LIST_XLSX, params=params)
    return job


def import_start(
    *, user, family: str, title: str, pending: Path, mapping: dict | None, rows: int
) -> ExportJob:
    """A confirmed import too big for the web request: its file moves to the job (under EXPORT_ROOT, a name of
    its own) and a worker imports it as the uploader, all or nothing, through the same Resource and services."""
    name = f"import-{secrets.token_hex(12)}"
    export_root().mkdir(parents=True, exist_ok=True)
    pending.replace(export_root() / name)
    params = {
        "family": family,
        "title": str(title),
        "file": name,
        "mapping": {str(k): v for k, v in (mapping or {}).items()},
        "rows": rows,
    }
    job, _joined = export_start(user=user, kind=ExportJob.Kind.IMPORT, params=params)
    return job


def run_import(job: ExportJob) -> str:
    """Import a confirmed file (called by the worker): one transaction, every row through its service; a refusal
    saves nothing and the job says which rows were wrong, in Chinese."""
    from core.text import sentences
    from documents.imports import IMPORTERS, ImportRefused, record_import

    source = export_root() / job.params["file"]
    importer = IMPORTERS[job.params["family"]]()
    mapping = {int(k): v for k, v in job.params.get("mapping", {}).items()} or None
    ExportJob.objects.filter(pk=job.pk).update(total=max(job.params.get("rows", 1), 1), done=0)
    try:
        content = source.read_bytes()
    except FileNotFoundError:
        fail(job, _("待导入的文件已不存在，请重新上传。"))
        return ExportJob.Status.FAILED
    with transaction.atomic():
        # The job's row stays locked while its rows are saved: the rows and "done" commit together, and a second
        # copy of the task waits here, then finds the job done.
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ExportJob.Status.RUNNING or locked.attempts != job.attempts:
            return locked.status
        try:
            result = importer.run(content, job.requested_by, commit=True, mapping=mapping)
            errors = result.errors
        except ImportRefused as refused:
            result, errors = None, refused.errors
        if not errors:
            record_import(importer, job.params["family"], result.saved, user=job.requested_by)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.DONE,
                params={**job.params, "saved": result.saved, "done_url": importer.done_url},
                done=result.saved,
                total=max(result.saved, 1),
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )
    source.unlink(missing_ok=True)
    if errors:
        shown = sentences(str(e) for e in errors[:10])
        more = _("（另有{count}处错误）").format(count=len(errors) - 10) if len(errors) > 10 else ""
        fail(job, _("导入未成功，未保存任何数据：") + shown + more)
        return ExportJob.Status.FAILED
    return ExportJob.Status.DONE


def list_export_url(request, title: str) -> str:
    """core.lists' hand-over: the job's page, with a word on why the file is not downloading at once."""
    from django.contrib import messages
    from django.urls import reverse

    job = list_export_start(request, title)
    messages.info(
        request,
        _("导出的行数超过{limit}行，已转为后台生成；可以离开本页，完成后在“我的导出”中下载。").format(
            limit=settings.LIST_EXPORT_JOB_ROWS
        ),
    )
    return reverse("export-job", kwargs={"pk": job.pk})


def enqueue(job: ExportJob, *, delay: int = 0) -> None:
    from documents.tasks import build_export

    later = delay and build_export.get_backend().supports_defer
    task = (
        build_export.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
        if later
        else build_export
    )
    result = task.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


class Progress:
    """The job's progress, written at most every PROGRESS_SECONDS (and its heartbeat with it)."""

    def __init__(self, job: ExportJob, total: int):
        self.job, self.total, self.last = job, max(total, 1), 0.0
        ExportJob.objects.filter(pk=job.pk).update(total=self.total, done=0, heartbeat_at=timezone.now())

    def __call__(self, done: int, force: bool = False) -> None:
        if settings.EXPORT_DRILL_PAUSE_SECONDS:
            time.sleep(settings.EXPORT_DRILL_PAUSE_SECONDS)
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        if done >= self.total:  # the estimate was short: the total grows with the work
            self.total = done + 1
        ExportJob.objects.filter(pk=self.job.pk).update(
            done=done, total=self.total, heartbeat_at=timezone.now()
        )


def run_export(job_id: int) -> str:
    """Build a job's file (called by the worker). Returns the job's status."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return "gone" if job is None else job.status
        if job.status == ExportJob.Status.RUNNING and not is_stale(job):
            return job.status  # a second copy of the task: another worker is on it
        job.status, job.started_at, job.heartbeat_at = (
            ExportJob.Status.RUNNING,
            timezone.now(),
            timezone.now(),
        )
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "error"])
    if job.kind == ExportJob.Kind.IMPORT:
        return run_import(job)
    folder = export_root()
    suffix = SUFFIX.get(job.kind, ".xlsx")
    final = folder / f"{job.pk}-{secrets.token_hex(8)}{suffix}"
    partial = final.with_name(final.name + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        build(job, partial)
        partial.replace(final)  # whole, or not there at all
    except OperationalError:
        partial.unlink(missing_ok=True)
        if job.attempts < MAX_ATTEMPTS:  # the database was away: the job waits and runs again
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
            enqueue(job, delay=RETRY_DELAY_SECONDS)
            return ExportJob.Status.QUEUED
        fail(
            job, _("数据库暂时无法连接，已重试{count}次仍未成功，请稍后重新导出。").format(count=job.attempts)
        )
        return ExportJob.Status.FAILED
    except OSError as error:
        partial.unlink(missing_ok=True)
        reason = (
            _("服务器磁盘空间不足，文件未生成（未留下不完整的文件）。请联系系统管理员清理空间后重新导出。")
            if error.errno == errno.ENOSPC
            else _("写入文件失败：{error}").format(error=error.strerror or error)
        )
        fail(job, reason)
        return ExportJob.Status.FAILED
    except Exception as error:
        partial.unlink(missing_ok=True)
        fail(job, _("生成失败：{error}").format(error=error))
        return ExportJob.Status.FAILED
    total = ExportJob.objects.filter(pk=job.pk).values_list("total", flat=True).get() or 1
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=final.name,
        filename=filename_of(job, suffix),
        size=final.stat().st_size,
        done=total,
        total=total,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return ExportJob.Status.DONE


def build(job: ExportJob, path: Path) -> None:
    from documents.ocds import release_package
    from documents.reports import rollout_pdf
    from documents.rollout import rollout_rows_estimate, write_rollout_workbook
    from stations.models import Station

    if job.kind == ExportJob.Kind.LIST_XLSX:
        replay_list(job, path)
        return
    stations = Station.objects.visible_to(job.requested_by)
    if job.kind in (ExportJob.Kind.ROLLOUT_PDF, ExportJob.Kind.OCDS):
        progress = Progress(job, 2)
        if job.kind == ExportJob.Kind.OCDS:
            content = json.dumps(release_package(stations), ensure_ascii=False, indent=2).encode()
        else:
            content = rollout_pdf(stations, job.as_of, people=job.people)
        progress(1, force=True)
        path.write_bytes(content)
        return
    progress = Progress(job, rollout_rows_estimate(stations))
    with path.open("wb") as out:
        write_rollout_workbook(stations, out, job.as_of, people=job.people, progress=progress)
    progress(progress.total - 1, force=True)


class ListProgress(Progress):
    """The progress of a replayed list export: the list page says its total once it has counted its rows."""

    def __init__(self, job: ExportJob):
        super().__init__(job, 1)

    def start(self, total: int) -> None:
        self.total = max(total, 1)
        ExportJob.objects.filter(pk=self.job.pk).update(total=self.total, heartbeat_at=timezone.now())


def replay_list(job: ExportJob, path: Path) -> None:
    """The list page's own view, run as the person who asked, with the filters they had on screen: the same
    scope, rows and columns as the direct download, so one code path makes both."""
    from django.http import HttpRequest, QueryDict
    from django.urls import resolve
    from django_htmx.middleware import HtmxDetails

    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.params["path"]
    request.GET = QueryDict(job.params.get("query", ""))
    request.META = {"REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "export-worker", "SERVER_PORT": "80"}
    request.user = job.requested_by
    if not request.user.is_active:
        raise PermissionDenied(_("申请人的账号已停用，不再导出。"))
    request.htmx = HtmxDetails(request)
    request.export_job = ListProgress(job)
    match = resolve(request.path_info)
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200 or not response.get("Content-Disposition", "").startswith("attachment"):
        raise ValueError(_("列表已不能按原条件导出（{status}）。").format(status=response.status_code))
    with path.open("wb") as out:
        for chunk in response.streaming_content if response.streaming else [response.content]:
            out.write(chunk)


def fail(job: ExportJob, reason: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now()
    )


def filename_of(job: ExportJob, suffix: str) -> str:
    if job.kind == ExportJob.Kind.LIST_XLSX:
        return f"{job.params.get('title', '列表')}-{job.as_of:%Y%m%d}{suffix}"[:120]
    if job.kind == ExportJob.Kind.OCDS:
        return f"ocds-{job.as_of:%Y%m%d}{suffix}"
    return f"社工站建设进展-{job.as_of:%Y%m%d}{suffix}"


def export_retry(*, job: ExportJob, user) -> ExportJob:
    """A failed job run again, as the person who asked."""
    if job.requested_by_id != user.pk:
        raise PermissionDenied(_("只能重新运行自己的导出。"))
    if job.status != ExportJob.Status.FAILED:
        return job
    new, _joined = export_start(user=user, kind=job.kind, params=job.params)
    return new


def stale_cutoff(kind: str = "") -> datetime.datetime:
    """A running job silent since before this has lost its worker. An import saves its rows in one transaction,
    with no progress to show until it commits: it is given IMPORT_STALE_SECONDS."""
    seconds = IMPORT_STALE_SECONDS if kind == ExportJob.Kind.IMPORT else settings.EXPORT_STALE_SECONDS
    return timezone.now() - datetime.timedelta(seconds=seconds)


def is_stale(job: ExportJob) -> bool:
    return job.heartbeat_at is None or job.heartbeat_at < stale_cutoff(job.kind)


def recover_stale() -> int:
    """Jobs whose worker died (running, no progress for STALE_SECONDS) are queued again; they run from the start.
    Returns how many."""
    stale = list(
        ExportJob.objects.filter(status=ExportJob.Status.RUNNING, heartbeat_at__lt=stale_cutoff()).exclude(
            kind=ExportJob.Kind.IMPORT, heartbeat_at__gte=stale_cutoff(ExportJob.Kind.IMPORT)
        )
    )
    for job in stale:
        for partial in export_root().glob(f"{job.pk}-*.part"):  # what the dead worker was writing
            partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.QUEUED
        )
        enqueue(job)
    return len(stale)


def task_is_lost(job: ExportJob) -> bool:
    """The queue no longer holds the job's task: a Redis restarted without its data forgets what was waiting. The
    database keeps every job, so a lost task is queued again (recover_lost) and nothing is lost."""
    from documents.tasks import build_export

    if not build_export.get_backend().supports_get_result:
        return False  # the immediate engine: nothing ever waits
    if not job.task_id:
        return True
    try:
        build_export.get_result(job.task_id)
    except LOST:
        return True
    return False


def recover_lost(*, jobs=None, older_than: int = 0) -> int:
    """Queued jobs (of `jobs`, else all) whose task the queue lost, queued at least older_than seconds ago, are
    queued again; a claim on the job's task id lets only one caller do it. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
    waiting = (jobs if jobs is not None else ExportJob.objects.all()).filter(
        status=ExportJob.Status.QUEUED, created_at__lte=cutoff
    )
    count = 0
    for job in waiting:
        if not task_is_lost(job):
            continue
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED, task_id=job.task_id).update(
            task_id=""
        ):
            enqueue(job)
            count += 1
    return count


def look_after(job: ExportJob) -> None:
    """Called while someone watches a job: a job that waited LOST_AFTER_SECONDS and whose task the queue lost
    (a Redis restarted without its data) is queued again, without waiting for a worker to restart."""
    if job.status == ExportJob.Status.QUEUED:
        recover_lost(jobs=ExportJob.objects.filter(pk=job.pk), older_than=LOST_AFTER_SECONDS)


def forget_old_files() -> int:
    """Files kept longer than EXPORT_KEEP_DAYS are deleted (the job stays, saying the file has expired)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff).exclude(file="")
    count = 0
    for job in old:
        (export_root() / job.file).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def seconds_left(job: ExportJob) -> int | None:
    """An estimate of the time left, from the pace so far."""
    if job.status != ExportJob.Status.RUNNING or not job.started_at or not job.done or not job.total:
        return None
    elapsed = (timezone.now() - job.started_at).total_seconds()
    return max(0, round(elapsed / job.done * (job.total - job.done)))
