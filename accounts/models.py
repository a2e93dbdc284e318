"""Users and their roles, the policy parameters, and the base of every stored file."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    BUREAU = "bureau", _("区民政局")
    STREET = "street", _("街道办事处")
    CONTRACTOR = "contractor", _("承接主体")
    MUNICIPAL = "municipal", _("市民政局")
    AUDITOR = "auditor", _("安全审计员")
    ADMIN = "admin", _("系统管理员")


# Roles that may enter the Django admin: administrators for accounts and settings,
# bureau staff for the business records of their district.
ADMIN_SITE_ROLES = frozenset({Role.ADMIN, Role.BUREAU})

# Roles that see people: the names of resident workers, volunteers and clients (never their full ID or phone numbers
# without the audited 显示完整号码). The municipal bureau sees counts and qualifications instead.
PEOPLE_ROLES = frozenset({Role.BUREAU, Role.STREET, Role.CONTRACTOR})

# 三权分立: the administrator manages accounts, but an account that can read a whole district or more, or the audit
# log, or manage accounts itself, is granted only with a second person's approval (AccountRequest), and the role of
# that second person is set here: an auditor approves the bureau, the municipal bureau and administrators; a bureau
# officer approves auditors.
APPROVER_ROLE = {
    Role.BUREAU: Role.AUDITOR,
    Role.MUNICIPAL: Role.AUDITOR,
    Role.ADMIN: Role.AUDITOR,
    Role.AUDITOR: Role.BUREAU,
}
PRIVILEGED_ROLES = frozenset(APPROVER_ROLE)


def sees_people(user) -> bool:
    return getattr(user, "role", None) in PEOPLE_ROLES


class User(AbstractUser):
    """A person who signs in: bureau, street-office, contractor or municipal staff, an auditor or an admin.

    Which district, street or contractor a user belongs to is kept on the domain side
    (District.staff, Street.staff, ContractorStaff), so that this app imports no domain app.
    """

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    # A machine account: the scope of a read-API token (api.ApiToken), never signed in by a person (no password),
    # never reminded.
    is_machine = models.BooleanField(_("系统接口账号"), default=False, editable=False)
    # Raised when the user logs out or the account is disabled: every session opened before is dead.
    session_epoch = models.PositiveIntegerField(_("会话代次"), default=0, editable=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    # Set when the administrator resets the password: the owner must choose a new one before anything else, so
    # the password the administrator handed over does not stay in use.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False, editable=False)

    objects = UserManager()
    history = HistoricalRecords(
        excluded_fields=[
            "password",
            "last_login",
            "session_epoch",
            "password_changed_at",
            "must_change_password",
        ]
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="%(app_label)s_%(class)s_role_valid",
                violation_error_message=_(
                    "角色必须是区民政局、街道办事处、承接主体、市民政局、安全审计员或系统管理员之一。"
                ),
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full}（{self.username}）" if full else self.username

    def get_full_name(self) -> str:
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False  # a reset sets it again after choosing the temporary password

    def end_all_sessions(self) -> None:
        """Every session of this user, on every browser, ends at its next request."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    @property
    def may_use_admin_site(self) -> bool:
        return self.is_active and self.role in ADMIN_SITE_ROLES


class AccountRequest(models.Model):
    """A change to an account that needs a second person (三权分立): granting a privileged role (a new account, a role
    change or re-activating an account of such a role) or resetting the password of such an account. Asked by the
    administrator, decided by a person of the role APPROVER_ROLE names; never by the asker or the account itself."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("授予角色")
        ACTIVATE = "activate", _("启用账号")
        RESET_PASSWORD = "reset_password", _("重置密码")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="requests_about",
    )
    kind = models.CharField(_("事项"), max_length=16, choices=Kind.choices)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("账号审批")
        verbose_name_plural = _("账号审批")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(status="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_kind",
                violation_error_message=_("该账号已有一项同类申请在等待审批。"),
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | (models.Q(decided_by__isnull=False) & ~models.Q(decided_by=models.F("requested_by"))),
                name="%(app_label)s_%(class)s_decided_by_another",
                violation_error_message=_("审批须由申请人以外的另一人作出。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} {self.get_kind_display()} {self.get_role_display()}"


class EnrolmentCode(models.Model):
    """A one-time code the administrator issues for a person's first two-factor enrolment: the password alone does
    not let anyone put their own authenticator on an account. Kept as a SHA-256 digest; valid for a few days."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
    )
    digest = models.CharField(_("摘要"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("两步验证启用码")
        verbose_name_plural = _("两步验证启用码")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.user.username} {self.issued_at:%Y-%m-%d}"
