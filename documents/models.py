"""Long exports as jobs (issue 19): what is being made, for whom, how far it is, and the file when it is done."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from core.scoping import ScopedQuerySet


class ExportJobQuerySet(ScopedQuerySet):
    """A job and its file are the asker's alone, whatever the role (the auditor sees in the audit log that it
    happened): a list export above a size is a job for every role, the district workbook for the bureaus."""

    def _own(self, user):
        return self.filter(requested_by=user)

    for_bureau = for_municipal = for_street = for_contractor = for_auditor = _own


class ExportJob(models.Model):
    """One export asked for by one person: run by a worker from the task queue, its progress updated as it goes,
    its file kept for EXPORT_KEEP_DAYS and served only to the person who asked."""

    class Kind(models.TextChoices):
        ROLLOUT_XLSX = "rollout-xlsx", _("社工站建设进展（Excel）")
        ROLLOUT_PDF = "rollout-pdf", _("社工站建设进展（PDF）")
        OCDS = "ocds-json", _("开放合同数据（OCDS发布包）")
        LIST_XLSX = "list-xlsx", _("列表导出（Excel）")
        IMPORT = "import", _("导入")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导出内容"), max_length=24, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    # What the file covers: the stations the person may see (visible_to, read when the job runs), as of a day.
    people = models.BooleanField(_("含人员姓名"), default=True)
    as_of = models.DateField(_("数据日期"))
    key = models.CharField(_("去重键"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    file = models.CharField(_("文件"), max_length=255, blank=True)  # a path under EXPORT_ROOT
    filename = models.CharField(_("文件名"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    # A list export: the list's address and filters (path, query) and its title, replayed as the asker by the worker.
    # An import: its family, the waiting file's name, the column mapping confirmed, and what was saved.
    params = models.JSONField(_("导出参数"), default=dict, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        constraints = [
            # The same export asked twice while one runs joins the running one.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["queued", "running"]),
                name="documents_exportjob_one_running_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def title(self) -> str:
        """What is being made, as people read it: a list's own title, else the kind."""
        if self.kind == self.Kind.LIST_XLSX and self.params.get("title"):
            return str(_("{title}（Excel）")).format(title=self.params["title"])
        if self.kind == self.Kind.IMPORT and self.params.get("title"):
            return str(self.params["title"])
        return str(self.get_kind_display())

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class TaskRun(DBTaskResult):
    """A run of a background task as the administrator reads it in the admin (任务运行): django-tasks-db's own
    record, named in the portal's language."""

    class Meta:
        proxy = True
        verbose_name = _("任务运行")
        verbose_name_plural = _("任务运行")
