"""Two people editing the same record: the second save is refused instead of silently overwriting the first.

A form carries the version of the record it was drawn from — the id of the record's latest history entry
(simple-history writes one on every change) — and the service compares it with the record's version now.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def version_of(record) -> str:
    latest = (
        record.history.order_by("-history_id")
        .values_list("history_id", "history_user__username", "history_date")
        .first()
    )
    return str(latest[0]) if latest else "0"


def check_version(record, seen: str | None) -> None:
    """Refuse when the record changed since the form was drawn (seen is the version the form carried)."""
    if not seen:
        return
    latest = (
        record.history.order_by("-history_id")
        .values_list(
            "history_id",
            "history_user__last_name",
            "history_user__first_name",
            "history_user__username",
            "history_date",
        )
        .first()
    )
    if latest and str(latest[0]) != seen:
        from django.utils import timezone

        who = f"{latest[1]}{latest[2]}" or latest[3] or _("他人")
        raise ValidationError(
            _(
                "在您编辑期间，{who}已于{localtime:%H:%M}修改了这条记录。为避免覆盖对方的修改，本次未保存：请刷新页面，在最新内容上重新修改。"
            ).format(who=who, localtime=timezone.localtime(latest[4])),
            code="stale",
        )


class VersionField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)
