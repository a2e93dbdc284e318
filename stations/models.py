"""Districts, streets and their stations, the rollout plan, site conditions and donations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile, TracksUpdates
from core.scoping import ChildScopedQuerySet, ScopedQuerySet


class DistrictQuerySet(ScopedQuerySet):
    def for_bureau(self, user):
        return self.filter(staff=user)

    def for_street(self, user):
        return self.filter(pk__in=Street.objects.filter(staff=user).values("district"))

    def for_municipal(self, user):
        return self.all()


class District(TracksUpdates):
    """A district (区) whose civil-affairs bureau buys and supervises the stations of its streets."""

    name = models.CharField(_("区名称"), max_length=50)
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    city = models.CharField(_("所属市"), max_length=50)
    bureau_name = models.CharField(_("民政局名称"), max_length=80)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("区民政局工作人员"),
        blank=True,
        related_name="bureau_districts",
    )

    # Raised by every change to data the compliance engine reads about this district's stations
    # (reports/findings_cache.py): the district's cached findings are then computed afresh, other districts' stay.
    data_version = models.PositiveBigIntegerField(_("数据版本"), default=0, editable=False)

    objects = DistrictQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[staff], excluded_fields=["data_version"])

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RolloutPlanQuerySet(ChildScopedQuerySet):
    parent_field = "district"


class RolloutPlan(models.Model):
    """The district's plan for building its stations (实施方案 and its annex 建设计划): pilot and coverage goals."""

    district = models.OneToOneField(
        District, verbose_name=_("区"), on_delete=models.CASCADE, related_name="plan"
    )
    title = models.CharField(_("方案名称"), max_length=120)
    pilot_year = models.PositiveSmallIntegerField(_("试点年度"))
    pilot_station_count = models.PositiveSmallIntegerField(_("试点社工站数量"))
    full_coverage_by = models.DateField(_("全覆盖期限"))
    annual_plan_first_due = models.DateField(_("首个年度计划报送期限"))

    objects = RolloutPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("建设计划")
        verbose_name_plural = _("建设计划")

    def __str__(self) -> str:
        return self.title


class StreetQuerySet(ScopedQuerySet):
    def for_bureau(self, user):
        return self.filter(district__staff=user)

    def for_street(self, user):
        return self.filter(staff=user)

    def for_municipal(self, user):
        return self.all()


class Street(TracksUpdates):
    """A street (街道), scheduled by the rollout plan to get its station in one year (R-PLAN-1)."""

    district = models.ForeignKey(
        District, verbose_name=_("区"), on_delete=models.PROTECT, related_name="streets"
    )
    name = models.CharField(_("街道名称"), max_length=50)
    office_name = models.CharField(_("街道办事处名称"), max_length=80)
    planned_year = models.PositiveSmallIntegerField(_("计划建站年度"), db_index=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("街道办事处工作人员"),
        blank=True,
        related_name="street_offices",
    )

    objects = StreetQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[staff])

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["district", "planned_year", "id"]
        # The station lists' order (plan year, then street), across every district and within one: a page of 20 is
        # read from the index instead of sorting every station in scope (bench/run.py at 40,000 stations).
        indexes = [
            models.Index(fields=["planned_year", "id"], name="stations_street_plan_idx"),
            models.Index(fields=["district", "planned_year", "id"], name="stations_street_dist_plan_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name_in_district",
                violation_error_message=_("同一区内街道名称不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_year__gte=2000, planned_year__lte=2100),
                name="%(app_label)s_%(class)s_planned_year_range",
                violation_error_message=_("计划建站年度必须在2000年至2100年之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StationQuerySet(ScopedQuerySet):
    actions = {
        "log_site": frozenset(
            {"street", "bureau"}
        ),  # R-SITE-1..4: the street (and the bureau) checks the room
        "procure": frozenset({"bureau", "street"}),  # R-PROC-1: the bureau or a street office buys
        "dossier": frozenset({"bureau", "street", "municipal"}),
        "supervise": frozenset({"bureau", "contractor"}),  # R-STAFF-6
    }

    def for_bureau(self, user):
        return self.filter(street__district__staff=user)

    def for_street(self, user):
        return self.filter(street__staff=user)

    def for_contractor(self, user):
        # Only the stations the user's organisation holds today. A station that has passed to
        # another organisation drops out; its old reports stay readable through the reports' own scope.
        # The link of the user to the contractor must be for the station's own district (ContractorStaff).
        today = timezone.localdate()
        return self.filter(
            cycles__contractor__memberships__user=user,
            cycles__contractor__memberships__district=models.F("street__district"),
            cycles__start_date__lte=today,
            cycles__end_date__gte=today,
        )

    def for_municipal(self, user):
        return self.all()


class Station(TracksUpdates):
    """A street social work service station (社工站): one per street, run by a contractor under contract."""

    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="stations"
    )
    name = models.CharField(_("社工站名称"), max_length=80)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    office_phone = models.CharField(_("办公电话"), max_length=30, blank=True)

    objects = StationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社工站")
        verbose_name_plural = _("社工站")
        ordering = ["street__planned_year", "street_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street"],
                name="%(app_label)s_%(class)s_one_per_street",
                violation_error_message=_("每个街道只能建立一个社工站。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualPlanQuerySet(ScopedQuerySet):
    actions = {
        "create": frozenset({"bureau"}),
        "change": frozenset({"bureau"}),
        "submit": frozenset({"bureau"}),
        "review": frozenset({"bureau"}),
    }

    def for_bureau(self, user):
        return self.filter(district__staff=user)

    def for_municipal(self, user):
        # The municipal bureau sees a plan once the district has submitted it.
        return self.exclude(status=AnnualPlan.Status.DRAFT)


class AnnualPlan(models.Model):
    """The bureau's annual implementation plan (年度实施计划), submitted to the municipal bureau (R-PLAN-3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        APPROVED = "approved", _("已审核通过")
        RETURNED = "returned", _("已退回")

    district = models.ForeignKey(
        District, verbose_name=_("区"), on_delete=models.PROTECT, related_name="annual_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=120)
    goals = models.TextField(_("目标任务"))
    measures = models.TextField(_("措施办法"))
    timeline = models.TextField(_("时间节点"))
    due_date = models.DateField(_("报送期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = AnnualPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度实施计划")
        verbose_name_plural = _("年度实施计划")
        ordering = ["district", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"],
                name="%(app_label)s_%(class)s_one_per_district_year",
                violation_error_message=_("每个区每年只能有一份年度实施计划。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=_("年度必须在2000年至2100年之间。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_time",
                violation_error_message=_("已报送的年度实施计划必须有报送时间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SiteConditionLogQuerySet(ChildScopedQuerySet):
    parent_field = "station"


class SiteConditionLog(models.Model):
    """A dated check of a station's room, equipment, sign, posted catalogue and management systems (R-SITE-1..4)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="condition_logs"
    )
    logged_on = models.DateField(_("检查日期"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # R-SITE-1: an independent office room with the required equipment; two optional rooms.
    has_office_room = models.BooleanField(_("独立办公用房"), default=False)
    has_desks_chairs = models.BooleanField(_("桌椅"), default=False)
    has_computer = models.BooleanField(_("电脑"), default=False)
    has_printer = models.BooleanField(_("打印机"), default=False)
    has_archive_cabinet = models.BooleanField(_("档案柜"), default=False)
    has_case_room = models.BooleanField(_("个案咨询室（可选）"), default=False)
    has_group_room = models.BooleanField(_("小组活动室（可选）"), default=False)
    # R-SITE-2: the unified sign.
    sign_installed = models.BooleanField(_("统一标识已设置"), default=False)
    # R-SITE-3: service content, catalogue and job duties posted at the office.
    catalogue_posted = models.BooleanField(_("服务目录和岗位职责已公示"), default=False)
    # R-SITE-4: the six management systems.
    system_staff = models.BooleanField(_("人员管理制度"), default=False)
    system_project = models.BooleanField(_("项目管理制度"), default=False)
    system_supervision = models.BooleanField(_("督导管理制度"), default=False)
    system_volunteer = models.BooleanField(_("志愿者管理制度"), default=False)
    system_venue = models.BooleanField(_("服务场所使用管理制度"), default=False)
    system_archive = models.BooleanField(_("文书档案管理制度"), default=False)
    notes = models.TextField(_("备注"), blank=True)

    objects = SiteConditionLogQuerySet.as_manager()
    history = HistoricalRecords()

    REQUIRED_EQUIPMENT = (
        "has_office_room",
        "has_desks_chairs",
        "has_computer",
        "has_printer",
        "has_archive_cabinet",
    )
    SYSTEMS = (
        "system_staff",
        "system_project",
        "system_supervision",
        "system_volunteer",
        "system_venue",
        "system_archive",
    )

    class Meta:
        verbose_name = _("场所设置检查记录")
        verbose_name_plural = _("场所设置检查记录")
        ordering = ["station", "-logged_on"]
        indexes = [
            # The latest log of each station is what the compliance checks read.
            models.Index(fields=["station", "-logged_on"], name="stations_log_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.logged_on:%Y-%m-%d}"


class SiteConditionPhotoQuerySet(ChildScopedQuerySet):
    parent_field = "log"


class SiteConditionPhoto(StoredFile):
    """A photo taken on site for a condition log."""

    log = models.ForeignKey(
        SiteConditionLog, verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="photos"
    )
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    objects = SiteConditionPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")


class DonationQuerySet(ChildScopedQuerySet):
    parent_field = "station"


class Donation(models.Model):
    """Equipment, a room or money that a charity gave to a station (R-FUND-4)."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("设施设备")
        ROOM = "room", _("活动场所")
        FUNDS = "funds", _("资金")
        OTHER = "other", _("其他")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="donations"
    )
    donor = models.CharField(_("捐赠方"), max_length=100)
    kind = models.CharField(_("捐赠类别"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("捐赠内容"), max_length=200)
    value = models.DecimalField(_("价值（元）"), max_digits=12, decimal_places=2)
    donated_on = models.DateField(_("捐赠日期"))

    objects = DonationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("慈善捐赠")
        verbose_name_plural = _("慈善捐赠")
        ordering = ["station", "-donated_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="%(app_label)s_%(class)s_value_not_negative",
                violation_error_message=_("捐赠价值不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}：{self.description}"
