"""Issuing, revoking and checking the read API's tokens. A token reads through a machine account whose role is
the bureau of one district or the municipal bureau: the same visible_to that narrows the pages narrows the API."""

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from api.models import ApiToken
from audit.log import record
from audit.models import AuditEvent

KEY_PREFIX = "sgz"
MAX_DAYS = 730  # a token lives at most two years; a system asks for a new one before it expires
LAST_USED_EVERY = datetime.timedelta(minutes=1)  # last_used_at is written at most once a minute


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, system: str, district=None, days: int, by) -> tuple[ApiToken, str]:
    """A new token for `system`, reading one district (its bureau's scope) or every district (the municipal
    level). Returns the token and its key, which is shown once and never kept."""
    if by.role != Role.ADMIN:
        raise PermissionDenied(_("只有系统管理员可以签发接口令牌。"))
    system = (system or "").strip()
    if not system:
        raise ValidationError({"system": _("请填写使用令牌的系统名称。")})
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("有效期应为1至{max}天。").format(max=MAX_DAYS)})
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    with transaction.atomic():
        account = get_user_model().objects.create(
            username=f"api-{prefix}",
            first_name=system[:150],
            role=Role.BUREAU if district is not None else Role.MUNICIPAL,
            is_machine=True,
        )
        account.set_unusable_password()  # never signs in through the login page
        account.save(update_fields=["password"])
        if district is not None:
            district.staff.add(account)
        token = ApiToken.objects.create(
            system=system,
            account=account,
            district=district,
            prefix=prefix,
            key_hash=_digest(secret),
            issued_by=by,
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        record(
            AuditEvent.Action.API_TOKEN,
            user=by,
            obj=token,
            summary=f"签发接口令牌：{system}（{token.scope_label}，{days}天）",
        )
    return token, f"{KEY_PREFIX}_{prefix}_{secret}"


def revoke_token(token: ApiToken, *, by) -> None:
    if by.role != Role.ADMIN:
        raise PermissionDenied(_("只有系统管理员可以吊销接口令牌。"))
    if token.revoked_at:
        return
    with transaction.atomic():
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        token.account.is_active = False
        token.account.save(update_fields=["is_active"])
        record(AuditEvent.Action.API_TOKEN, user=by, obj=token, summary=f"吊销接口令牌：{token.system}")


class TokenRefused(Exception):
    """The key is unknown, revoked or expired: `code` says which (the error's code in the API's answer)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def token_for(key: str) -> ApiToken:
    """The token a key belongs to, if it may be used now (one query)."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise TokenRefused("token_invalid")
    token = ApiToken.objects.select_related("account", "district").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _digest(parts[2])):
        raise TokenRefused("token_invalid")
    if token.revoked_at is not None or not token.account.is_active:
        raise TokenRefused("token_revoked")
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused("token_expired")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
