"""Personal identifiers encrypted at rest: resident ID numbers and phone numbers.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`), keys from the environment (DJANGO_FIELD_KEYS: one or
more comma-separated keys, the first encrypts, all decrypt — so keys can be rotated). The column holds only the
token; the model attribute is the plain value. Equality on an encrypted value is through a keyed digest
(`digest()`), kept in its own column where a uniqueness rule needs it. The digest has its own key
(DJANGO_FIELD_DIGEST_KEY), apart from the encryption keys: rotating an encryption key leaves every digest — and so
"one record per person" — as it was. `rotate()` re-encrypts every stored value under the first key
(`python manage.py rotate_field_keys`).
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
    """A keyed SHA-256 of a normalised value: equal values, equal digests; no way back to the value. Keyed by
    FIELD_DIGEST_KEY alone, so that a new encryption key changes no digest."""
    key = hashlib.sha256(("digest:" + settings.FIELD_DIGEST_KEY).encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, primary-key column, column) of every encrypted field, the history tables' copies included."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                found.append((model._meta.db_table, model._meta.pk.column, field.column))
    return sorted(found)


def under_primary_key(token: str) -> bool:
    """Whether a stored token is encrypted with the first (current) key."""
    if not token.startswith(TOKEN_PREFIX):
        return False
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(batch: int = 500, report=None) -> dict[str, int]:
    """Re-encrypt every stored value that is not yet under the first key (a plain value left from before encryption
    is encrypted too), table by table in primary-key order, one transaction per batch. Resumable: a value already
    under the first key is skipped, so an interrupted run is simply started again. Returns, per table and column,
    how many values are still not under the first key afterwards (all zero when done)."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    remaining = {}
    for table, pk, column in encrypted_columns():
        last, rotated = None, 0
        while True:
            where = f"WHERE {quote(pk)} > %s " if last is not None else ""
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} {where}"  # noqa: S608 - names quoted
                    f"ORDER BY {quote(pk)} LIMIT {int(batch)}",
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                for key, token in rows:
                    if token in (None, "") or under_primary_key(token):
                        continue
                    fresh = (
                        fernet().rotate(token.encode()).decode()
                        if token.startswith(TOKEN_PREFIX)
                        else encrypt(token)
                    )
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
                        [fresh, key],
                    )
                    rotated += 1
            last = rows[-1][0]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608 - names quoted
            left = sum(
                1
                for (token,) in cursor.fetchall()
                if token not in (None, "") and not under_primary_key(token)
            )
        remaining[f"{table}.{column}"] = left
        if report is not None:
            report(table, column, rotated, left)
    return remaining


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
