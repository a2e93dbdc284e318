"""What every app of the portal stands on: the policy parameters in force, and the base of every stored file."""

import datetime
import hashlib
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ParameterKey(models.TextChoices):
    """Every number rules.md marks *(param)*: changeable by the bureau, each change kept with who and when."""

    ANNUAL_AMOUNT_STANDARD = "annual_amount_standard", _("社工站项目年度资金标准（元，力争达到）")
    ANNUAL_AMOUNT_CAP = "annual_amount_cap", _("区民政局购买的合同年度预算上限（元）")
    CYCLE_YEARS = "cycle_years", _("项目周期（年）")
    RESIDENT_WORKERS_MIN = "resident_workers_min", _("驻站社工最少人数")
    RESIDENT_WORKERS_MAX = "resident_workers_max", _("驻站社工最多人数")
    QUALIFY_WITHIN_YEARS = "qualify_within_years", _("全部驻站社工取得资质期限（年）")
    QUALIFY_WARN_DAYS = "qualify_warn_days", _("资质期限提前预警天数")
    POSTING_WITHIN_DAYS = "posting_within_days", _("合同签订后派驻社工期限（天）")
    BRIEF_DUE_DAY = "brief_due_day", _("月度工作简报提交截止日（次月几日）")
    SERVICE_PLAN_WITHIN_MONTHS = "service_plan_within_months", _("合同年度开始后提交服务计划期限（月）")
    SHORT_STAFFED_DAYS = "short_staffed_days", _("驻站社工少于合同人数的容许天数")
    EVAL_EXCELLENT_MIN = "eval_excellent_min", _("评估“优秀”最低分")
    EVAL_GOOD_MIN = "eval_good_min", _("评估“良好”最低分")
    EVAL_PASS_MIN = "eval_pass_min", _("评估“合格”最低分")
    EVAL_REPORT_WITHIN_DAYS = "eval_report_within_days", _("评估结果签字后报市民政局期限（天）")


# Defaults from the policy, the rule each one serves, and the day from which they hold
# (the plan took effect for the 2021 pilot).
PARAMETER_DEFAULTS: dict[str, tuple[Decimal, str]] = {
    ParameterKey.ANNUAL_AMOUNT_STANDARD: (Decimal("250000.00"), "R-FUND-1"),
    ParameterKey.ANNUAL_AMOUNT_CAP: (Decimal("250000.00"), "R-FUND-1"),
    ParameterKey.CYCLE_YEARS: (Decimal("3"), "R-CYCLE-1"),
    ParameterKey.RESIDENT_WORKERS_MIN: (Decimal("2"), "R-STAFF-1"),
    ParameterKey.RESIDENT_WORKERS_MAX: (Decimal("3"), "R-STAFF-1"),
    ParameterKey.QUALIFY_WITHIN_YEARS: (Decimal("2"), "R-STAFF-3"),
    ParameterKey.QUALIFY_WARN_DAYS: (Decimal("90"), "R-STAFF-3"),
    ParameterKey.POSTING_WITHIN_DAYS: (Decimal("15"), "R-STAFF-5"),
    ParameterKey.BRIEF_DUE_DAY: (Decimal("5"), "R-REP-1"),
    ParameterKey.SERVICE_PLAN_WITHIN_MONTHS: (Decimal("1"), "R-REP-4"),
    ParameterKey.SHORT_STAFFED_DAYS: (Decimal("30"), "R-STAFF-7"),
    ParameterKey.EVAL_EXCELLENT_MIN: (Decimal("90"), "R-EVAL-3"),
    ParameterKey.EVAL_GOOD_MIN: (Decimal("80"), "R-EVAL-3"),
    ParameterKey.EVAL_PASS_MIN: (Decimal("60"), "R-EVAL-3"),
    ParameterKey.EVAL_REPORT_WITHIN_DAYS: (Decimal("30"), "R-EVAL-1"),
}
# Parameters that count whole things (years, days, people, points): a fraction is refused.
WHOLE_NUMBER_PARAMETERS = frozenset(
    set(ParameterKey.values) - {"annual_amount_standard", "annual_amount_cap"}
)
# The document the defaults rest on: the plan itself (the bureau's own bands and cap are its reading of it).
DEFAULTS_DOCUMENT = _("《东丽区街道社会工作服务站建设实施方案（试行）》")
PARAMETERS_VALID_FROM = datetime.date(2021, 1, 1)


class PolicyParameterQuerySet(models.QuerySet):
    def in_force(self, key: str, on: datetime.date) -> "PolicyParameter | None":
        return self.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()


class PolicyParameter(models.Model):
    """A value of one policy parameter, holding from a given day until a later value replaces it."""

    key = models.CharField(_("参数"), max_length=40, choices=ParameterKey.choices)
    value = models.DecimalField(_("参数值"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("生效日期"))
    # The document that decides the value (文号): a change without one is refused (rules.md, parameters).
    document_no = models.CharField(_("依据文件（文号）"), max_length=100, blank=True)
    note = models.CharField(_("调整说明"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True, blank=True, on_delete=models.PROTECT
    )
    changed_at = models.DateTimeField(_("调整时间"), default=timezone.now)

    objects = PolicyParameterQuerySet.as_manager()
    history = HistoricalRecords(table_name="accounts_historicalpolicyparameter")

    class Meta:
        # The table keeps the name it had when the parameters lived in accounts/ (no data migration).
        db_table = "accounts_policyparameter"
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                name="accounts_policyparameter_one_value_per_day",
                violation_error_message=_("同一参数在同一生效日期只能有一个值。"),
            ),
            models.CheckConstraint(
                condition=models.Q(value__gt=0),
                name="accounts_policyparameter_value_positive",
                violation_error_message=_("参数值必须大于0。"),
            ),
            models.CheckConstraint(
                condition=models.Q(key__in=ParameterKey.values),
                name="accounts_policyparameter_key_known",
                violation_error_message=_("未知的政策参数。"),
            ),
        ]

    def __str__(self) -> str:
        return gettext("{key} = {value}（自{valid_from:%Y-%m-%d}起）").format(
            key=self.get_key_display(), value=self.value, valid_from=self.valid_from
        )

    @property
    def rule_id(self) -> str:
        return PARAMETER_DEFAULTS[self.key][1]

    @property
    def is_money(self) -> bool:
        return self.key not in WHOLE_NUMBER_PARAMETERS


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    """A random server-side name under the model's folder; the user's file name is kept only as data."""
    suffix = PurePath(filename).suffix.lower()[:10]
    today = timezone.localdate()
    return f"{instance._meta.app_label}/{instance._meta.model_name}/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """Base of every uploaded file: stored outside the web root under a random name, with its checksum."""

    file = models.FileField(_("文件"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def checksum(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class TracksUpdates(models.Model):
    """A record that says when it last changed (`updated_at`), for the read API's incremental sync
    (`?updated_since=`): set on every save, also a save of some fields only."""

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = {*update_fields, "updated_at"}
        super().save(*args, update_fields=update_fields, **kwargs)
