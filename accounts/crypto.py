"""Personal identifiers encrypted at rest: resident ID numbers and phone numbers.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`), keys from the environment (DJANGO_FIELD_KEYS: one or
more comma-separated keys, the first encrypts, all decrypt — so keys can be rotated). The column holds only the
token; the model attribute is the plain value. Equality on an encrypted value is through a keyed digest
(`digest()`), kept in its own column where a uniqueness rule needs it.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - every Fernet token starts so (version byte 0x80 and a timestamp)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"DJANGO_FIELD_KEYS holds an invalid Fernet key: {error}") from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(TOKEN_PREFIX):
        return token  # a value written before encryption was introduced (the migration encrypts them all)
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            _("无法解密个人信息：DJANGO_FIELD_KEYS 中没有加密时使用的密钥。")
        ) from None


def digest(value: str) -> str:
    """A keyed SHA-256 of a normalised value: equal values, equal digests; no way back to the value."""
    key = hashlib.sha256(("digest:" + settings.FIELD_ENCRYPTION_KEYS[0]).encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A short text kept encrypted in the database; `max_length` bounds the plain value."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(
            **{
                "form_class": forms.CharField,
                "max_length": self.plain_max_length,
                "widget": forms.TextInput,
                **kwargs,
            }
        )

    def run_validators(self, value):
        super().run_validators(value)
        if self.plain_max_length and value and len(value) > self.plain_max_length:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                _("最多{plain_max_length}个字符。").format(plain_max_length=self.plain_max_length)
            )

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # an encrypted value cannot be searched in the database; use its digest


class EmptyOnlyExact(Exact):
    """`field=""` still works (an empty value is stored empty); comparing with a value cannot, and says so."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(_("加密字段不能按值查询，请使用其摘要字段。"))
        return self.rhs
