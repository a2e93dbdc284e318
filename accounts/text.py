"""Joining words and sentences in the active language: 甲、乙 and 甲；乙 in Chinese, "a, b" and "a; b" in English.
Items may be lazy translations (choice labels), which str.join refuses."""

from django.utils.translation import gettext as _


def listing(items) -> str:
    return _("、").join(str(item) for item in items)


def sentences(items) -> str:
    return _("；").join(str(item) for item in items)


def phrase(first, second) -> str:
    """Two parts of a name side by side: 2026—2027年度月度工作简报, “2026–2027 Monthly brief” in English."""
    return _("{first}{second}").format(first=first, second=second)
