"""The one shape of a list page: its rows start from visible_to(user) (the caller's queryset), its filters are read
from the address bar by the kernel's readers (a bad value is ignored, never a 500), the same rows export as a
workbook (`?export=xlsx`, what the screen shows, in the user's scope), and a page of them is shown with the page
sizes people pick (共 N 条). Filters are links that can be bookmarked and shared (ui.md)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.shortcuts import redirect, render

from core import exports
from core.exports import list_export, wants_export
from core.pages import PAGE_SIZES, filter_query, paginate
from core.querystring import query_choice, query_date, query_id, query_month, query_text


@dataclass(frozen=True)
class Filter:
    """One filter of a list: the query-string name, how its value is read (None or "" when absent or bad), and
    how the rows are narrowed by a value."""

    name: str
    read: Callable[[str | None], Any]
    apply: Callable[[Any, Any], Any]


def id_filter(name: str, lookup: str) -> Filter:
    return Filter(name, query_id, lambda rows, value: rows.filter(**{lookup: value}))


def text_filter(name: str, *lookups: str) -> Filter:
    from django.db.models import Q

    def apply(rows, value):
        condition = Q()
        for lookup in lookups:
            condition |= Q(**{lookup: value})
        return rows.filter(condition)

    return Filter(name, query_text, apply)


def choice_filter(name: str, lookup: str, choices) -> Filter:
    values = [value for value, _label in choices]
    return Filter(
        name, lambda raw: query_choice(raw or "", values), lambda rows, value: rows.filter(**{lookup: value})
    )


def month_filter(name: str, field: str) -> Filter:
    return Filter(
        name,
        query_month,
        lambda rows, month: rows.filter(**{f"{field}__year": month.year, f"{field}__month": month.month}),
    )


def date_filter(name: str, lookup: str) -> Filter:
    return Filter(name, query_date, lambda rows, value: rows.filter(**{lookup: value}))


def apply_filters(request, rows, filters: Iterable[Filter]) -> tuple[Any, dict]:
    """The rows narrowed by every filter the query string gives a good value for, and the values read."""
    values = {}
    for spec in filters:
        value = spec.read(request.GET.get(spec.name))
        values[spec.name] = value
        if value not in (None, ""):
            rows = spec.apply(rows, value)
    return rows, values


def list_page(
    request,
    rows,
    *,
    template: str,
    filters: Iterable[Filter] = (),
    export: Callable[[Any], tuple] | None = None,
    context: Callable[[Any], dict] | dict | None = None,
    default_size: int = 20,
):
    """Render `rows` (already narrowed to the user by visible_to) through `filters`: as a workbook when asked and
    `export(rows)` gives (title, columns, rows) or (title, sheet), else a page of them in `template` with
    `context(page)` (or a dict) beside `page`, `selected` (the filter values read), `query` and `page_sizes`."""
    background_export = exports.background_export
    rows, values = apply_filters(request, rows, filters)
    if export is not None and wants_export(request):
        job = getattr(request, "export_job", None)  # a worker replaying this list's export (documents.jobs)
        size = None
        if job is not None or background_export is not None:
            size = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
        if job is not None:
            job.start(size)
        title, *spec = export(rows)
        if job is None and background_export is not None and size > settings.LIST_EXPORT_JOB_ROWS:
            # Too big for the web request: a job builds it, and the person watches it on the job's page.
            return redirect(background_export(request, title))
        if len(spec) == 1:
            return list_export(request, title, sheet=spec[0])
        return list_export(request, title, spec[0], spec[1])
    page = paginate(request, rows, default=default_size)
    extra = context(page) if callable(context) else (context or {})
    return render(
        request,
        template,
        {"page": page, "selected": values, "query": filter_query(request), "page_sizes": PAGE_SIZES, **extra},
    )
