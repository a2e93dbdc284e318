"""Changing a policy parameter, and changing accounts with duties kept apart (三权分立)."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import APPROVER_ROLE, PRIVILEGED_ROLES, AccountRequest, EnrolmentCode, Role, User
from core.permissions import require_role
from core.signals import announce
from core.text import listing

# --- Accounts: duties kept apart (三权分立) --------------------------------------------------------------------------

ENROLMENT_CODE_DAYS = 3


def temporary_password() -> str:
    """A password the owner uses once, to log in and choose their own (at least 3 classes of characters)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body}-{secrets.randbelow(90) + 10}"


def _issue_password(user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    user.end_all_sessions()
    return password


def _ask(*, user: User, kind: str, role: str, actor, reason: str = "", request=None) -> AccountRequest:
    if AccountRequest.objects.filter(user=user, kind=kind, status=AccountRequest.Status.PENDING).exists():
        raise ValidationError(_("{user}已有一项同类申请在等待审批。").format(user=user.username))
    asked = AccountRequest.objects.create(
        user=user, kind=kind, role=role, requested_by=actor, reason=reason[:200]
    )
    approver = Role(APPROVER_ROLE[role]).label
    announce(
        "account_request",
        request=request,
        user=actor,
        obj=user,
        summary=f"申请{asked.get_kind_display()}：{user.username}（{Role(role).label}），待{approver}审批",
    )
    return asked


@transaction.atomic
def account_create(*, username: str, role: str, actor, request=None, **names) -> tuple[User, str | None]:
    """The administrator opens an account. A street or contractor account is active at once with a temporary
    password (returned, shown once); an account of a privileged role waits, inactive and without a password, for
    the approval of a person of the role APPROVER_ROLE names, who then receives its temporary password."""
    require_role(actor, Role.ADMIN)
    user = User(username=username, role=role, **names)
    user.set_unusable_password()
    if role in PRIVILEGED_ROLES:
        user.is_active = False
        user.full_clean()
        user.save()
        _ask(user=user, kind=AccountRequest.Kind.GRANT, role=role, actor=actor, request=request)
        return user, None
    user.full_clean()
    user.save()
    return user, _issue_password(user)


@transaction.atomic
def account_change(*, user: User, role: str, is_active: bool, actor, request=None) -> str:
    """The administrator changes an account's role or status. Its own role and status it cannot change; a privileged
    role, or re-activating a privileged account, waits for approval. Returns what was done, in words."""
    require_role(actor, Role.ADMIN)
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.pk == actor.pk and (role != current.role or is_active != current.is_active):
        raise PermissionDenied(_("不能修改本人账号的角色或启用状态，须由另一名管理员办理。"))
    done = []
    if role != current.role:
        if role in PRIVILEGED_ROLES:
            _ask(user=current, kind=AccountRequest.Kind.GRANT, role=role, actor=actor, request=request)
            done.append(_("授予“{role}”角色已提交审批").format(role=Role(role).label))
        else:
            current.role = role
            current.save(update_fields=["role"])
            current.end_all_sessions()
            done.append(_("角色已改为“{role}”").format(role=Role(role).label))
    if is_active != current.is_active:
        if is_active and current.role in PRIVILEGED_ROLES:
            _ask(
                user=current,
                kind=AccountRequest.Kind.ACTIVATE,
                role=current.role,
                actor=actor,
                request=request,
            )
            done.append(_("启用账号已提交审批"))
        else:
            current.is_active = is_active
            current.save(update_fields=["is_active"])
            done.append(_("账号已启用") if is_active else _("账号已停用"))
    return listing(done)


@transaction.atomic
def password_reset(*, user: User, actor, request=None) -> str | None:
    """The administrator resets a forgotten password: the owner must choose a new one at the next login. For a
    street or contractor account the temporary password is returned (shown once); for a privileged account the
    reset waits for approval, and the approver receives it."""
    require_role(actor, Role.ADMIN)
    if user.pk == actor.pk:
        raise PermissionDenied(_("本人的密码请在“修改密码”中修改。"))
    if user.role in PRIVILEGED_ROLES:
        _ask(user=user, kind=AccountRequest.Kind.RESET_PASSWORD, role=user.role, actor=actor, request=request)
        return None
    password = _issue_password(user)
    announce("password_reset", request=request, user=actor, obj=user, summary=f"重置{user.username}的密码")
    return password


def may_decide(request_row: AccountRequest, actor) -> bool:
    return (
        actor.is_active
        and actor.role == APPROVER_ROLE.get(request_row.role)
        and actor.pk not in (request_row.requested_by_id, request_row.user_id)
    )


@transaction.atomic
def account_request_decide(*, request_row: AccountRequest, approve: bool, actor, request=None) -> str | None:
    """A second person approves or rejects a request; on approval the change is made. Returns the temporary password
    when the approval issues one (a new account, a reset), to be handed to the owner by the approver."""
    row = AccountRequest.objects.select_for_update().get(pk=request_row.pk)
    if row.status != AccountRequest.Status.PENDING:
        raise ValidationError(_("该申请已处理。"))
    if not may_decide(row, actor):
        raise PermissionDenied(
            _("该申请须由{role}审批，且不能由申请人或账号本人审批。").format(
                role=Role(APPROVER_ROLE[row.role]).label
            )
        )
    row.status = AccountRequest.Status.APPROVED if approve else AccountRequest.Status.REJECTED
    row.decided_by, row.decided_at = actor, timezone.now()
    row.full_clean()
    row.save()
    announce(
        "account_approve" if approve else "account_reject",
        request=request,
        user=actor,
        obj=row.user,
        summary=f"{row.get_status_display()}：{row}（申请人{row.requested_by.username}）",
    )
    if not approve:
        return None
    user = User.objects.select_for_update().get(pk=row.user_id)
    password = None
    if row.kind == AccountRequest.Kind.GRANT:
        # A privileged role always comes with fresh credentials from the approver: the administrator may know the
        # account's password (it may have reset it while the account was a street's) or have bound an
        # authenticator to it, and neither may follow the account into its new role.
        user.role = row.role
        user.is_active = True
        user.save(update_fields=["role", "is_active"])
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
        password = _issue_password(user)
    elif row.kind == AccountRequest.Kind.ACTIVATE:
        user.is_active = True
        user.save(update_fields=["is_active"])
    else:
        password = _issue_password(user)
    return password


@transaction.atomic
def enrolment_code_issue(*, user: User, actor, request=None) -> str:
    """A one-time code for the owner's first two-factor enrolment (handed over in person or by phone)."""
    require_role(actor, Role.ADMIN)
    code = "-".join(
        "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4)) for _ in range(3)
    )
    EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True
    ).delete()  # a new code replaces an unused one
    EnrolmentCode.objects.create(
        user=user,
        digest=hashlib.sha256(code.encode()).hexdigest(),
        issued_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=ENROLMENT_CODE_DAYS),
    )
    announce(
        "enrolment_code",
        request=request,
        user=actor,
        obj=user,
        summary=f"签发{user.username}的两步验证启用码",
    )
    return code


def enrolment_code_check(*, user: User, code: str) -> EnrolmentCode | None:
    """The unused, unexpired code of `user` that matches `code`, or None."""
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()
    return EnrolmentCode.objects.filter(
        user=user, digest=digest, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
