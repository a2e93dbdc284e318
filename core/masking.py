"""Personal identifiers as people may see them: ID numbers and phone numbers masked (ui.md), short values too.

The full value is shown only through the audited 显示完整号码 of a worker's page; lists, exports, the admin and every
history view show the masked form. A value too short for the usual pattern is masked almost entirely: showing the
usual six leading and four trailing characters of an eight-character value would show all of it.
"""

from core.crypto import EncryptedCharField


def mask_id(value) -> str:
    """120110********1234: the region and the last four digits of an 18-digit number."""
    if not value:
        return ""
    value = str(value)
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return _mask_short(value)


def mask_phone(value) -> str:
    """138****1234, 022****1234."""
    if not value:
        return ""
    value = str(value)
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return _mask_short(value)


def _mask_short(value: str) -> str:
    """At most a quarter of a short value shown: its first and last character from eight characters up."""
    if len(value) >= 8:
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return "*" * len(value)


def personal_fields(model) -> list[str]:
    """The fields of a model that hold personal identifiers (kept encrypted: ID numbers, phones)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def masked(field_name: str, value) -> str:
    """A personal field's value masked by its kind (an ID number, or else a phone)."""
    return mask_id(value) if "id_number" in field_name else mask_phone(value)
