"""Evaluations of contract years, their scores and grades, the two sign-offs, and renewal decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models import ContractYear
from core.models import TracksUpdates
from core.scoping import ChildScopedQuerySet


class EvaluationQuerySet(ChildScopedQuerySet):
    parent_field = "contract_year"
    actions = {"sign": frozenset({"bureau", "street"}), "report": frozenset({"bureau"})}

    def when_report(self, user):
        # R-EVAL-1: signed by both sides and not yet reported.
        return self.filter(
            street_signed_at__isnull=False, bureau_signed_at__isnull=False, reported_at__isnull=True
        )

    def for_municipal(self, user):
        # The municipal bureau sees the results reported to it (R-EVAL-1), not the district's drafts.
        return super().for_municipal(user).filter(reported_at__isnull=False)

    def when_sign(self, user):
        # Graded, and not yet signed by the signer's side (R-EVAL-2).
        graded = self.exclude(grade="")
        if user.role == "street":
            return graded.filter(street_signed_at__isnull=True)
        return graded.filter(bureau_signed_at__isnull=True)


class Evaluation(TracksUpdates):
    """An evaluation of a contract year by the bureau and the street: mid-term, or the year-end one (R-EVAL-1, -2)."""

    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("中期评估")
        FINAL = "final", _("末期评估（年度绩效评价）")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    PASSING_GRADES = (Grade.EXCELLENT, Grade.GOOD, Grade.PASS)

    contract_year = models.ForeignKey(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("评估类别"), max_length=16, choices=Kind.choices)
    due_date = models.DateField(_("评估期限"))
    held_on = models.DateField(_("评估日期"), null=True, blank=True)
    evaluator = models.CharField(_("评估机构"), max_length=100, blank=True)
    total_score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    # R-EVAL-3: the day the grade was recorded; the bands in force that day decide it (not the day the evaluation
    # says it was held, which a late entry could set before a change of the bands).
    graded_on = models.DateField(_("评定日期"), null=True, blank=True)
    grade = models.CharField(_("评估等次"), max_length=16, choices=Grade.choices, blank=True)
    summary = models.TextField(_("评估意见"), blank=True)
    street_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("街道签字人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street_signed_at = models.DateTimeField(_("街道签字时间"), null=True, blank=True)
    bureau_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("区民政局签字人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bureau_signed_at = models.DateTimeField(_("区民政局签字时间"), null=True, blank=True)
    # R-EVAL-1: the signed result is reported to the municipal bureau through the portal — who and when.
    reported_to_municipal_on = models.DateField(_("报市民政局日期"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估")
        verbose_name_plural = _("评估")
        ordering = ["contract_year", "due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_year", "kind"],
                name="%(app_label)s_%(class)s_one_per_year_and_kind",
                violation_error_message=_("同一合同年度的同类评估只能有一次。"),
            ),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100),
                name="%(app_label)s_%(class)s_score_range",
                violation_error_message=_("总分必须在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(street_signed_by__isnull=True, street_signed_at__isnull=True)
                | Q(street_signed_by__isnull=False, street_signed_at__isnull=False),
                name="%(app_label)s_%(class)s_street_signature_complete",
                violation_error_message=_("街道签字须同时记录签字人和签字时间。"),
            ),
            models.CheckConstraint(
                condition=Q(bureau_signed_by__isnull=True, bureau_signed_at__isnull=True)
                | Q(bureau_signed_by__isnull=False, bureau_signed_at__isnull=False),
                name="%(app_label)s_%(class)s_bureau_signature_complete",
                violation_error_message=_("区民政局签字须同时记录签字人和签字时间。"),
            ),
            # Nobody signs an evaluation that has no grade yet.
            models.CheckConstraint(
                condition=(Q(street_signed_at__isnull=True) & Q(bureau_signed_at__isnull=True))
                | ~Q(grade=""),
                name="%(app_label)s_%(class)s_signed_has_grade",
                violation_error_message=_("评估等次确定后才能签字。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_year} {self.get_kind_display()}"

    @property
    def is_signed(self) -> bool:
        """Signed by both the street and the bureau: only then does it count for renewal (R-EVAL-2)."""
        return self.street_signed_at is not None and self.bureau_signed_at is not None

    @property
    def signed_at(self):
        """When the second of the two signatures was given (None until both have signed)."""
        return max(self.street_signed_at, self.bureau_signed_at) if self.is_signed else None


class ScoringItem(models.Model):
    """One item of the bureau's scoring sheet for the evaluations of a year (R-EVAL-3): the sheet is data, set by
    the bureau for each year; the contract years that begin in that year are scored on it. A year with no sheet of
    its own uses the latest earlier one."""

    sheet_year = models.PositiveSmallIntegerField(_("评分表年度"))
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("评估指标"), max_length=80)
    max_score = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分表指标")
        verbose_name_plural = _("评分表指标")
        ordering = ["sheet_year", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet_year", "name"],
                name="%(app_label)s_%(class)s_one_name_per_sheet",
                violation_error_message=_("同一年度评分表的指标名称不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(max_score__gt=0, max_score__lte=100),
                name="%(app_label)s_%(class)s_max_score_range",
                violation_error_message=_("指标分值应在0到100分之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_year} {self.name} {self.max_score}"


class EvaluationScore(TracksUpdates):
    """The score of one item of an evaluation's scoring sheet."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.CharField(_("评估指标"), max_length=80)
    max_score = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)

    class ScoreQuerySet(ChildScopedQuerySet):
        parent_field = "evaluation"

    objects = ScoreQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估得分")
        verbose_name_plural = _("评估得分")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "item"],
                name="%(app_label)s_%(class)s_one_per_item",
                violation_error_message=_("同一评估指标只能打分一次。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=models.F("max_score")),
                name="%(app_label)s_%(class)s_score_within_max",
                violation_error_message=_("得分不能为负数，也不能超过该指标分值。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.score}/{self.max_score}"


class RenewalQuerySet(ChildScopedQuerySet):
    parent_field = "contract_year"


class Renewal(models.Model):
    """The decision after a year-end evaluation: renew into the next contract year, or end the cycle (R-CYCLE-2)."""

    class Decision(models.TextChoices):
        RENEW = "renew", _("续签")
        END = "end", _("不再续签，重新采购")

    contract_year = models.OneToOneField(
        ContractYear, verbose_name=_("合同年度"), on_delete=models.PROTECT, related_name="renewal"
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("依据的评估"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("决定"), max_length=16, choices=Decision.choices)
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_year = models.OneToOneField(
        ContractYear,
        verbose_name=_("续签的合同年度"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_from",
    )
    note = models.TextField(_("说明"), blank=True)

    objects = RenewalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("续签决定")
        verbose_name_plural = _("续签决定")
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="renew") | Q(next_year__isnull=True),
                name="%(app_label)s_%(class)s_end_has_no_next_year",
                violation_error_message=_("不再续签的决定不能关联续签合同年度。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_year} {self.get_decision_display()}"
