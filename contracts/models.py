"""Contractors and their eligibility, procurements, project cycles, contract years and their money."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile, TracksUpdates
from core.scoping import ChildScopedQuerySet, ScopedQuerySet
from core.text import gettext
from stations.models import Station


class ContractorQuerySet(ScopedQuerySet):
    actions = {"create": frozenset({"bureau"}), "verify": frozenset({"bureau"})}

    def for_bureau(self, user):
        # Contractors are registered organisations the bureau may award to: all are listed.
        return self.all()

    def for_street(self, user):
        return self.filter(
            pk__in=ProjectCycle.objects.filter(station__street__staff=user).values("contractor")
        )

    def for_contractor(self, user):
        return self.filter(memberships__user=user).distinct()

    def for_municipal(self, user):
        return self.all()


def staffed_by(user, contractor: str, district: str) -> Q:
    """Rows whose contractor (the path `contractor`) counts `user` among its staff in the row's own district (the
    path `district`): a contractor's account opens the contractor's work in the districts that linked it, never in
    another. Use it inside one filter() call so that it joins the same contractor as the rest of the filter."""
    return Q(
        **{f"{contractor}__memberships__user": user, f"{contractor}__memberships__district": F(district)}
    )


class Contractor(models.Model):
    """A social-work organisation (承接主体) that may win and run a station project."""

    # The first character of a unified social credit code names the registering authority: 5 is civil affairs
    # (a social organisation), 9 industry and commerce (a company). R-PROC-2, condition 1.
    CIVIL_AFFAIRS_PREFIX = "5"

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    registered_on = models.DateField(_("登记日期"))
    address = models.CharField(_("办公地址"), max_length=200)
    contact_person = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)

    objects = ContractorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承接主体")
        verbose_name_plural = _("承接主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_social_organisation(self) -> bool:
        return self.credit_code.startswith(self.CIVIL_AFFAIRS_PREFIX)


class ContractorStaffQuerySet(ScopedQuerySet):
    def for_bureau(self, user):
        # A district's bureau sees and edits the links of its own district only.
        return self.filter(district__staff=user)

    def for_contractor(self, user):
        return self.filter(user=user)


class ContractorStaff(models.Model):
    """An account of a contractor's staff, for the contractor's work in one district.

    The register of contractors is shared by every district (one organisation, one unified social credit code),
    but who works for it is listed district by district: the bureau of a district links an account to a contractor
    for that district only, and the account then opens the contractor's stations, workers and reports in that
    district and in no other (README, Security).
    """

    contractor = models.ForeignKey(
        Contractor, verbose_name=_("承接主体"), on_delete=models.CASCADE, related_name="memberships"
    )
    district = models.ForeignKey(
        "stations.District", verbose_name=_("区"), on_delete=models.PROTECT, related_name="contractor_staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="contractor_memberships",
    )

    objects = ContractorStaffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承接主体工作人员")
        verbose_name_plural = _("承接主体工作人员")
        ordering = ["contractor", "district", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["contractor", "district", "user"],
                name="%(app_label)s_%(class)s_once_per_district",
                violation_error_message=_("该账号已是该承接主体在本区的工作人员。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contractor} · {self.district} · {self.user}"


class EligibilityCondition(models.TextChoices):
    """The three conditions of 三（一） a contractor must meet (R-PROC-2)."""

    REGISTRATION = "registration", _("依法注册登记的社会工作类社会组织，章程明确社会工作宗旨、范围和方式")
    FINANCE = "finance", _("规范的财务和纳税资质，固定办公场所和专业队伍")
    STANDING = "standing", _("无违法违规记录，社会信誉良好")


# The conditions' short names, for tables where the full clause does not fit (never cut mid-word).
CONDITION_SHORT = {
    EligibilityCondition.REGISTRATION: _("条件1：社会组织登记"),
    EligibilityCondition.FINANCE: _("条件2：财务纳税、场所队伍"),
    EligibilityCondition.STANDING: _("条件3：无违法违规"),
}


class EligibilityEvidenceQuerySet(ChildScopedQuerySet):
    parent_field = "contractor"


class EligibilityEvidence(models.Model):
    """Evidence that a contractor meets one eligibility condition, and the day the bureau verified it."""

    contractor = models.ForeignKey(
        Contractor, verbose_name=_("承接主体"), on_delete=models.CASCADE, related_name="evidence"
    )
    condition = models.CharField(_("承接条件"), max_length=16, choices=EligibilityCondition.choices)
    evidence = models.CharField(_("证明材料"), max_length=200)
    reference = models.CharField(_("证照或文书编号"), max_length=60, blank=True)
    verified_on = models.DateField(_("核验日期"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    objects = EligibilityEvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承接条件证明")
        verbose_name_plural = _("承接条件证明")
        ordering = ["contractor", "condition", "-verified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("verified_on")),
                name="%(app_label)s_%(class)s_valid_after_verified",
                violation_error_message=_("有效期不能早于核验日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contractor}：{self.get_condition_display()}"

    @property
    def condition_short(self) -> str:
        return str(CONDITION_SHORT[self.condition])


class EligibilityDocumentQuerySet(ChildScopedQuerySet):
    parent_field = "evidence"

    def for_street(self, user):
        return (
            self.none()
        )  # the bureau verifies; a street office sees whether a condition is met, not the papers

    def for_municipal(self, user):
        return self.none()


class EligibilityDocument(StoredFile):
    """The document behind a verification (R-PROC-2): a scan of the certificate, the charter, the audit report, the
    credit record — checked by content, stored outside the web root, served only to the bureau."""

    evidence = models.ForeignKey(
        EligibilityEvidence,
        verbose_name=_("承接条件证明"),
        on_delete=models.CASCADE,
        related_name="documents",
    )

    objects = EligibilityDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("承接条件证明文件")
        verbose_name_plural = _("承接条件证明文件")


class StationChildQuerySet(ChildScopedQuerySet):
    parent_field = "station"


class ProcurementQuerySet(StationChildQuerySet):
    actions = {"award": frozenset({"bureau", "street"})}

    def when_award(self, user):
        return self.filter(status=Procurement.Status.OPEN)

    def for_contractor(self, user):
        # A contractor sees the procurements it won in its districts, not the station's other tenders.
        return self.filter(staffed_by(user, "awarded_to", "station__street__district"))


class Procurement(TracksUpdates):
    """A government procurement (政府采购) of one station's service project (R-PROC-1, R-PROC-3)."""

    class Purchaser(models.TextChoices):
        BUREAU = "bureau", _("区民政局")
        STREET = "street", _("街道办事处")

    class Method(models.TextChoices):
        PUBLIC_TENDER = "public_tender", _("公开招标")
        INVITED_TENDER = "invited_tender", _("邀请招标")
        COMPETITIVE_CONSULTATION = "consultation", _("竞争性磋商")
        COMPETITIVE_NEGOTIATION = "negotiation", _("竞争性谈判")
        SINGLE_SOURCE = "single_source", _("单一来源采购")
        INQUIRY = "inquiry", _("询价")

    class Status(models.TextChoices):
        OPEN = "open", _("采购中")
        AWARDED = "awarded", _("已确定承接主体")
        FAILED = "failed", _("流标")
        CANCELLED = "cancelled", _("已取消")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="procurements"
    )
    purchaser = models.CharField(_("购买主体"), max_length=16, choices=Purchaser.choices)
    title = models.CharField(_("采购项目名称"), max_length=150)
    project_no = models.CharField(_("采购项目编号"), max_length=50, unique=True)
    method = models.CharField(_("采购方式"), max_length=16, choices=Method.choices)
    budget_amount = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2)
    notice_date = models.DateField(_("公告日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    award_date = models.DateField(_("中标（成交）日期"), null=True, blank=True)
    awarded_to = models.ForeignKey(
        Contractor,
        verbose_name=_("中标承接主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procurements_won",
    )
    agreement_signed_on = models.DateField(_("服务协议签订日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = ProcurementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政府采购")
        verbose_name_plural = _("政府采购")
        ordering = ["station", "-notice_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__gt=0),
                name="%(app_label)s_%(class)s_budget_positive",
                violation_error_message=_("预算金额必须大于0。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="awarded") | Q(awarded_to__isnull=False, award_date__isnull=False),
                name="%(app_label)s_%(class)s_awarded_has_winner",
                violation_error_message=_("已确定承接主体的采购必须填写中标承接主体和中标日期。"),
            ),
            models.CheckConstraint(
                condition=Q(award_date__isnull=True) | Q(award_date__gte=F("notice_date")),
                name="%(app_label)s_%(class)s_award_after_notice",
                violation_error_message=_("中标日期不能早于公告日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectCycleQuerySet(StationChildQuerySet):
    actions = {
        "post": frozenset({"bureau", "contractor"}),
        "sign": frozenset({"bureau"}),
        "terminate": frozenset({"bureau"}),
    }

    def when_terminate(self, user):
        # R-CYCLE-3: a cycle running today and not already ended early.
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(start_date__lte=today, end_date__gte=today, end_date=F("planned_end_date"))

    def when_post(self, user):
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(start_date__lte=today, end_date__gte=today)

    def when_sign(self, user):
        # A cycle's first contract year is signed once the cycle is awarded, until the cycle ends (later years are
        # renewals, R-CYCLE-2).
        from django.utils import timezone

        return self.filter(years__isnull=True, end_date__gte=timezone.localdate())

    def for_contractor(self, user):
        # A contractor sees its own cycles, past ones included, and never another holder's.
        return self.filter(staffed_by(user, "contractor", "station__street__district"))


class ProjectCycle(TracksUpdates):
    """A project cycle (项目周期): one contractor runs a station for up to three years, signed yearly (R-CYCLE-1)."""

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("周期届满")
        FAILED_EVALUATION = "failed_evaluation", _("年度评估不合格，不再续签")
        TERMINATED = "terminated", _("提前终止")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="cycles"
    )
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("承接主体"), on_delete=models.PROTECT, related_name="cycles"
    )
    procurement = models.OneToOneField(
        Procurement, verbose_name=_("政府采购"), on_delete=models.PROTECT, related_name="cycle"
    )
    start_date = models.DateField(_("周期开始日期"))
    # R-CYCLE-1: the number of contract years, from the cycle_years parameter on the award day; a longer cycle
    # (“原则上”三年) is an exception the bureau records with its reason.
    planned_years = models.PositiveSmallIntegerField(_("周期年数"), default=3)
    longer_reason = models.TextField(_("周期长于原则年限的原因"), blank=True)
    planned_end_date = models.DateField(_("周期计划结束日期"))
    # The last day the contractor holds the station: the planned end, or earlier when the cycle ends early.
    end_date = models.DateField(_("周期实际结束日期"))
    end_reason = models.CharField(_("结束原因"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("结束说明"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = ProjectCycleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目周期")
        verbose_name_plural = _("项目周期")
        ordering = ["station", "start_date"]
        indexes = [
            # "Who holds this station today" is asked on every page a contractor opens.
            models.Index(fields=["station", "start_date", "end_date"], name="contracts_cycle_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=F("start_date")),
                name="%(app_label)s_%(class)s_planned_end_after_start",
                violation_error_message=_("周期计划结束日期必须晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date"), end_date__lte=F("planned_end_date")),
                name="%(app_label)s_%(class)s_end_within_plan",
                violation_error_message=_("周期实际结束日期必须在开始日期与计划结束日期之间。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date=F("planned_end_date")) | ~Q(end_reason=""),
                name="%(app_label)s_%(class)s_early_end_has_reason",
                violation_error_message=_("项目周期提前结束时必须说明结束原因。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_years__gte=1),
                name="%(app_label)s_%(class)s_at_least_one_year",
                violation_error_message=_("R-CYCLE-1：项目周期至少一年。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.contractor}（{self.start_date:%Y}—{self.planned_end_date:%Y}）"


class ContractYearQuerySet(StationChildQuerySet):
    actions = {"decide": frozenset({"bureau"}), "evaluate": frozenset({"bureau"})}

    def when_decide(self, user):
        # R-CYCLE-2: the latest year of a cycle still running its course, not yet decided (a past year shows the
        # decision taken instead of a form).
        later = ContractYear.objects.filter(cycle=OuterRef("cycle"), year_no__gt=OuterRef("year_no"))
        return self.filter(renewal__isnull=True, cycle__end_date=F("cycle__planned_end_date")).exclude(
            Exists(later)
        )

    def for_contractor(self, user):
        # Its own contract years, past cycles included (it signed them); never another holder's.
        return self.filter(staffed_by(user, "cycle__contractor", "station__street__district"))


class ContractYear(TracksUpdates):
    """A contract year (购买合同，一年一签): the yearly contract of a cycle, with its amount and money lines."""

    cycle = models.ForeignKey(
        ProjectCycle, verbose_name=_("项目周期"), on_delete=models.PROTECT, related_name="years"
    )
    # Kept beside the cycle so that "one contract year per station and period" is one unique index;
    # a database trigger keeps it equal to the cycle's station.
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="contract_years"
    )
    year_no = models.PositiveSmallIntegerField(_("周期内第几年"))
    start_date = models.DateField(_("合同开始日期"))
    # R-CYCLE-3: the year's last day as signed, and the day it actually ended — the same unless the cycle ended
    # early, when the year in force closes with it. Everything that reads "the year's end" (what is owed, overlap
    # of years in the database) reads end_date, the actual end.
    planned_end_date = models.DateField(_("合同计划结束日期"))
    end_date = models.DateField(_("合同实际结束日期"))
    amount = models.DecimalField(_("合同金额（元）"), max_digits=12, decimal_places=2)
    # R-STAFF-7: the number of resident workers the contract provides for (足额).
    headcount = models.PositiveSmallIntegerField(_("合同约定驻站社工人数"), default=2)
    signed_on = models.DateField(_("签订日期"))
    agreement_no = models.CharField(_("合同编号"), max_length=50, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ContractYearQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合同年度")
        verbose_name_plural = _("合同年度")
        ordering = ["station", "start_date"]
        indexes = [
            # Dashboards look up the contract year in force on a day for every station.
            models.Index(fields=["start_date", "end_date"], name="contracts_year_period_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "start_date"],
                name="%(app_label)s_%(class)s_one_per_station_period",
                violation_error_message=_("同一社工站同一期间只能签订一份合同。"),
            ),
            models.UniqueConstraint(
                fields=["cycle", "year_no"],
                name="%(app_label)s_%(class)s_one_per_cycle_year",
                violation_error_message=_("项目周期内每一年只能签订一份合同。"),
            ),
            # R-CYCLE-1: how many years a cycle holds follows the cycle's planned_years (set from the parameter);
            # the database trigger contracts_contractyear_within_cycle keeps year_no within it.
            models.CheckConstraint(
                condition=Q(year_no__gte=1),
                name="%(app_label)s_%(class)s_year_no_positive",
                violation_error_message=_("R-CYCLE-1：合同年度从周期第1年起算。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("合同金额必须大于0。"),
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="%(app_label)s_%(class)s_headcount_positive",
                violation_error_message=_("R-STAFF-7：合同约定的驻站社工人数至少为1名。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("合同结束日期必须晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date"), end_date__lte=F("planned_end_date")),
                name="%(app_label)s_%(class)s_actual_end_within_plan",
                violation_error_message=_("R-CYCLE-3：合同实际结束日期必须在开始日期与计划结束日期之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.label}"

    @property
    def label(self) -> str:
        return year_label(self.start_date, self.planned_end_date)

    @property
    def ended_early(self) -> bool:
        return self.end_date < self.planned_end_date


def year_label(start_date: datetime.date, end_date: datetime.date) -> str:
    """A contract year's name from its dates (2026—2027年度; 2027年度 when it lies within one calendar year), for checks
    that read years as plain rows."""
    if start_date.year == end_date.year:
        return gettext("{start_date:%Y}年度").format(start_date=start_date)
    return gettext("{start_date:%Y}—{end_date:%Y}年度").format(start_date=start_date, end_date=end_date)


class ContractYearChildQuerySet(ChildScopedQuerySet):
    parent_field = "contract_year"


class BudgetLine(TracksUpdates):
    """One of the five budget lines of a contract year's amount (R-FUND-2)."""

    class Line(models.TextChoices):
        STAFF_PAY = "staff_pay", _("人员薪酬和福利经费")
        SUPERVISION_TRAINING = "supervision_training", _("专业督导及人员培训经费")
        SERVICE_ACTIVITIES = "service_activities", _("服务活动经费")
        PROJECT_MANAGEMENT = "project_management", _("项目管理经费")
        EVALUATION = "evaluation", _("项目评估经费")

    contract_year = models.ForeignKey(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    line = models.CharField(_("经费科目"), max_length=24, choices=Line.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)

    objects = ContractYearChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费科目")
        verbose_name_plural = _("经费科目")
        ordering = ["contract_year", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_year", "line"],
                name="%(app_label)s_%(class)s_one_per_line",
                violation_error_message=_("同一合同年度的每个经费科目只能填写一次。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("经费科目金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()} {self.amount}"


class FundingAllocation(TracksUpdates):
    """How much of a contract year's amount comes from one funding source (R-FUND-3)."""

    class Source(models.TextChoices):
        SOCIAL_ASSISTANCE = "social_assistance", _("社会救助领域政府购买服务资金")
        ELDERLY = "elderly", _("养老服务领域政府购买服务资金")
        CHILD_WELFARE = "child_welfare", _("儿童福利领域政府购买服务资金")
        COMMUNITY_BUILDING = "community_building", _("社区建设领域政府购买服务资金")
        SOCIAL_AFFAIRS = "social_affairs", _("社会事务领域政府购买服务资金")
        OPERATING_FUNDS = "operating_funds", _("相关业务工作经费")
        MUNICIPAL_SUBSIDY = "municipal_subsidy", _("市级社区公益事业专项补助资金")
        SOCIAL_CHARITY = "social_charity", _("社会资金（慈善资金）")

    contract_year = models.ForeignKey(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.CharField(_("资金来源"), max_length=24, choices=Source.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)

    objects = ContractYearChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["contract_year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_year", "source"],
                name="%(app_label)s_%(class)s_one_per_source",
                violation_error_message=_("同一合同年度的每个资金来源只能填写一次。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("资金来源金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"
