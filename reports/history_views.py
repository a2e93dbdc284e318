"""Who changed what and when, for one record (django-simple-history), personal identifiers masked."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.access import role_required, visible_or_404
from core.crypto import EncryptedCharField
from core.masking import masked
from core.text import listing


def _shown(field, value):
    """A historical value as a person reads it: the label of a choice, the name of a related record, the names of
    related records (a staff list), a personal identifier masked."""
    if value in (None, "", []):
        return value
    if isinstance(field, EncryptedCharField):
        return masked(field.name, value)
    if field.many_to_many:
        key = field.m2m_reverse_field_name()
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        names = field.related_model._base_manager.filter(pk__in=[i for i in ids if i is not None])
        return listing(sorted(str(related) for related in names)) or "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value


# Who reads a record's change history (who changed what and when): the bureau, which supervises the district.
HISTORY_READERS = frozenset({Role.BUREAU})


@require_GET
@role_required(*HISTORY_READERS)
def record_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Who changed what and when, for one record the bureau may see (django-simple-history)."""
    from django.apps import apps
    from django.http import Http404

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404(_("没有这类记录。")) from None
    if not hasattr(model, "history") or not hasattr(model.objects, "visible_to"):
        raise Http404(_("这类记录没有变更历史。"))
    record = visible_or_404(model, request.user, pk=pk)
    entries = list(record.history.select_related("history_user").order_by("history_id"))
    rows = []
    for previous, entry in zip([None, *entries[:-1]], entries, strict=True):
        changes = []
        if previous is not None:
            for change in entry.diff_against(previous).changes:
                field = model._meta.get_field(change.field)
                changes.append((field.verbose_name, _shown(field, change.old), _shown(field, change.new)))
        rows.append({"entry": entry, "changes": changes})
    rows.reverse()
    return render(
        request,
        "reports/history.html",
        {"record": record, "rows": rows, "model_name": model._meta.verbose_name},
    )
