"""Joining words and sentences in the active language: 甲、乙 and 甲；乙 in Chinese, "a, b" and "a; b" in English.
Items may be lazy translations (choice labels), which str.join refuses."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext as django_gettext

_translated: ContextVar[dict[str, str] | None] = ContextVar("translated", default=None)


@contextmanager
def translations_cached() -> Iterator[None]:
    """Within this block each message is translated once: the compliance engine writes the same few messages
    into hundreds of thousands of findings, and a translation lookup costs as much as the rest of a finding.
    The language must not change inside the block (one request, one language)."""
    if _translated.get() is not None:
        yield
        return
    token = _translated.set({})
    try:
        yield
    finally:
        _translated.reset(token)


def gettext(message: str) -> str:
    """Django's gettext, remembered inside `translations_cached()`."""
    memo = _translated.get()
    if memo is None:
        return django_gettext(message)
    found = memo.get(message)
    if found is None:
        found = memo[message] = django_gettext(message)
    return found


def label(lazy) -> str:
    """A lazy translation (a choice's label) as text, remembered inside `translations_cached()` (labels are
    module-level objects, so their identity is stable for the block)."""
    memo = _translated.get()
    if memo is None:
        return str(lazy)
    key = f"lazy:{id(lazy)}"
    found = memo.get(key)
    if found is None:
        found = memo[key] = str(lazy)
    return found


_ = gettext


def listing(items) -> str:
    return _("、").join(str(item) for item in items)


def sentences(items) -> str:
    return _("；").join(str(item) for item in items)


def phrase(first, second) -> str:
    """Two parts of a name side by side: 2026—2027年度月度工作简报, “2026–2027 Monthly brief” in English."""
    return _("{first}{second}").format(first=first, second=second)


def plain(number) -> str:
    """A decimal as people write it: 90, 89.5, 250000 — never 9E+1 (Decimal.normalize's form)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
