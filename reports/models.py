"""What flows upward from the stations: reports with service figures and attachments, and service records."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models import ContractYear, staffed_by
from core.crypto import EncryptedCharField
from core.models import StoredFile, TracksUpdates
from core.scoping import ChildScopedQuerySet
from core.text import gettext, label
from stations.models import Station


class ServiceArea(models.TextChoices):
    """The four areas of service of 三（二） (R-SVC-1)."""

    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助")
    ELDERLY = "elderly", _("养老服务")
    CHILDREN = "children", _("儿童关爱保护")
    COMMUNITY_GOVERNANCE = "community_governance", _("社区治理")


class ServiceKind(models.TextChoices):
    """The three forms of professional service (R-SVC-1)."""

    CASE = "case", _("个案")
    GROUP = "group", _("小组")
    COMMUNITY = "community", _("社区活动")


class ServiceMethod(models.TextChoices):
    """The professional methods named by 三（二）."""

    MEDIATION = "mediation", _("矛盾调处")
    CARE = "care", _("人文关怀")
    COUNSELLING = "counselling", _("心理疏导")
    CORRECTION = "correction", _("行为矫治")
    RELATIONSHIP = "relationship", _("关系调适")
    RESOURCES = "resources", _("资源协调")
    FUNCTION_RESTORATION = "function_restoration", _("社会功能修复")
    SUPPORT_NETWORK = "support_network", _("社会支持体系建设")


class ReportQuerySet(ChildScopedQuerySet):
    parent_field = "contract_year"
    actions = {
        "create": frozenset({"contractor"}),
        "change": frozenset({"contractor"}),
        "submit": frozenset({"contractor"}),
        # R-REP-3: the bureau or the station's street office (both supervise and give feedback).
        "review": frozenset({"bureau", "street"}),
    }

    def when_change(self, user):
        return self.filter(status__in=[Report.Status.DRAFT, Report.Status.RETURNED])

    when_submit = when_change

    def when_review(self, user):
        return self.filter(status=Report.Status.SUBMITTED)

    def _submitted_via_parent(self, user):
        # The bureau and the street see a report as soon as it is submitted, never a draft.
        return self._via_parent(user).exclude(status=Report.Status.DRAFT)

    def for_bureau(self, user):
        return self._submitted_via_parent(user)

    def for_street(self, user):
        return self._submitted_via_parent(user)

    def for_contractor(self, user):
        # Its own reports, those of stations it no longer holds included; never the new holder's.
        return self.filter(
            staffed_by(user, "contract_year__cycle__contractor", "contract_year__station__street__district")
        )

    def for_municipal(self, user):
        return self.none()


class Report(TracksUpdates):
    """A report a contractor owes for a contract year: service plan, monthly brief, mid-term or final report."""

    class Kind(models.TextChoices):
        SERVICE_PLAN = "service_plan", _("需求调研与服务计划")
        MONTHLY = "monthly", _("月度工作简报")
        MIDTERM = "midterm", _("中期工作报告")
        FINAL = "final", _("期末工作报告")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已通过")

    contract_year = models.ForeignKey(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("报告类别"), max_length=16, choices=Kind.choices)
    # The month a monthly brief covers (its first day); empty for the other kinds.
    period = models.DateField(_("报告月份"), null=True, blank=True)
    due_date = models.DateField(_("提交期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    people_served = models.PositiveIntegerField(_("服务人次"), default=0)
    volunteer_hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=8, decimal_places=1, default=0
    )
    news_posts = models.PositiveIntegerField(_("动态推送（篇）"), default=0)
    highlights = models.TextField(_("工作亮点"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_plan = models.TextField(_("下一步计划"), blank=True)
    experience_summary = models.TextField(_("经验总结"), blank=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["contract_year", "due_date"]
        indexes = [
            # Overdue and due-soon lists scan reports by kind and due date.
            models.Index(fields=["kind", "due_date"], name="reports_kind_due_idx"),
            models.Index(fields=["contract_year", "kind", "period"], name="reports_year_kind_period_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_year", "period"],
                condition=Q(kind="monthly"),
                name="%(app_label)s_%(class)s_one_brief_per_month",
                violation_error_message=_("同一合同年度每月只能有一份月度工作简报。"),
            ),
            models.UniqueConstraint(
                fields=["contract_year", "kind"],
                condition=~Q(kind="monthly"),
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message=_("同一合同年度的服务计划、中期报告和期末报告各只能有一份。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="monthly") & Q(period__isnull=False))
                | (~Q(kind="monthly") & Q(period__isnull=True)),
                name="%(app_label)s_%(class)s_period_only_for_briefs",
                violation_error_message=_("月度工作简报必须填写报告月份，其他报告不填。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_time",
                violation_error_message=_("已提交的报告必须有提交时间。"),
            ),
            models.CheckConstraint(
                condition=Q(volunteer_hours__gte=0),
                name="%(app_label)s_%(class)s_volunteer_hours_not_negative",
                violation_error_message=_("志愿服务时长不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.MONTHLY and self.period:
            return gettext("{station} {period:%Y年%m月}月度工作简报").format(
                station=self.contract_year.station, period=self.period
            )
        return f"{self.contract_year} {label(self.Kind(self.kind).label)}"


class _KindManager(models.Manager.from_queryset(ReportQuerySet)):
    kind = ""

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class MonthlyBriefManager(_KindManager):
    kind = Report.Kind.MONTHLY


class MidTermReportManager(_KindManager):
    kind = Report.Kind.MIDTERM


class FinalReportManager(_KindManager):
    kind = Report.Kind.FINAL


class MonthlyBrief(Report):
    """A monthly work brief (月度工作简报), due by the 5th of the next month (R-REP-1)."""

    objects = MonthlyBriefManager()

    class Meta:
        proxy = True
        verbose_name = _("月度工作简报")
        verbose_name_plural = _("月度工作简报")


class MidTermReport(Report):
    """A mid-term work report (中期工作报告) of a contract year (R-REP-2)."""

    objects = MidTermReportManager()

    class Meta:
        proxy = True
        verbose_name = _("中期工作报告")
        verbose_name_plural = _("中期工作报告")


class FinalReport(Report):
    """A final work report (期末工作报告) of a contract year, with the experience summary (R-REP-2, R-REP-5)."""

    objects = FinalReportManager()

    class Meta:
        proxy = True
        verbose_name = _("期末工作报告")
        verbose_name_plural = _("期末工作报告")


class ReportChildQuerySet(ChildScopedQuerySet):
    parent_field = "report"


class ReportFigure(TracksUpdates):
    """The service figures of a report for one area and one kind of service (R-SVC-1)."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="figures"
    )
    area = models.CharField(_("服务领域"), max_length=24, choices=ServiceArea.choices)
    kind = models.CharField(_("服务形式"), max_length=16, choices=ServiceKind.choices)
    sessions = models.PositiveIntegerField(_("开展次数"), default=0)
    people = models.PositiveIntegerField(_("服务人次"), default=0)

    objects = ReportChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务数据")
        verbose_name_plural = _("服务数据")
        ordering = ["report", "area", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "area", "kind"],
                name="%(app_label)s_%(class)s_one_per_area_kind",
                violation_error_message=_("同一报告中每个服务领域和服务形式只能填写一行。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}·{self.get_kind_display()}"


class ReportReview(models.Model):
    """The bureau's review of a submitted report: accepted, or returned with comments (R-REP-3)."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("通过")
        RETURNED = "returned", _("退回修改")

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="reviews"
    )
    decision = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"))

    objects = ReportChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报告审核")
        verbose_name_plural = _("报告审核")
        ordering = ["report", "reviewed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="accepted") | ~Q(comment=""),
                name="%(app_label)s_%(class)s_return_has_comment",
                violation_error_message=_("退回修改时必须填写审核意见。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_decision_display()}"


class ReportAttachment(StoredFile):
    """A file attached to a report: PDF, Word, Excel or an image."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告附件")
        verbose_name_plural = _("报告附件")


class ServiceRecordQuerySet(ChildScopedQuerySet):
    parent_field = "station"
    actions = {"create": frozenset({"contractor"})}

    def for_contractor(self, user):
        # Records of the contract years it ran, at stations it holds now or held before.
        return self.filter(
            staffed_by(user, "contract_year__cycle__contractor", "contract_year__station__street__district")
        )

    def for_municipal(self, user):
        return self.none()


class ServiceRecord(models.Model):
    """A service delivered by a station: a case, a group or a community activity (R-SVC-1)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="service_records"
    )
    contract_year = models.ForeignKey(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.PROTECT, related_name="service_records"
    )
    kind = models.CharField(_("服务形式"), max_length=16, choices=ServiceKind.choices)
    area = models.CharField(_("服务领域"), max_length=24, choices=ServiceArea.choices)
    method = models.CharField(_("服务方法"), max_length=24, choices=ServiceMethod.choices)
    held_on = models.DateField(_("服务日期"))
    title = models.CharField(_("服务主题"), max_length=150)
    participants = models.PositiveIntegerField(_("服务人次"))
    # For a case (个案) only: who was served. The full ID number is never shown on screen.
    client_name = models.CharField(_("服务对象"), max_length=50, blank=True)
    client_id_number = EncryptedCharField(_("服务对象身份证号"), max_length=18, blank=True)
    description = models.TextField(_("服务内容"), blank=True)

    objects = ServiceRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["station", "-held_on"]
        indexes = [
            # A brief's figures are filled from one station's records of one month.
            models.Index(fields=["station", "held_on"], name="reports_record_month_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1),
                name="%(app_label)s_%(class)s_participants_positive",
                violation_error_message=_("服务人次至少为1。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ServiceRecordPhoto(StoredFile):
    """A photo of a service activity."""

    record = models.ForeignKey(
        ServiceRecord, verbose_name=_("服务记录"), on_delete=models.CASCADE, related_name="photos"
    )

    class PhotoQuerySet(ChildScopedQuerySet):
        parent_field = "record"

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务照片")
        verbose_name_plural = _("服务照片")


class ReminderSent(models.Model):
    """A reminder mail that reached the mail server: one per person per day. Written only after the server took
    the mail, so that a failed send is tried again by the next run."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("提醒日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    subject = models.CharField(_("主题"), max_length=200)

    class Meta:
        verbose_name = _("已发送提醒")
        verbose_name_plural = _("已发送提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"],
                name="%(app_label)s_%(class)s_once_a_day",
                violation_error_message=_("该收件人当天已发送过提醒。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on:%Y-%m-%d}"
