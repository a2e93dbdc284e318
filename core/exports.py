"""Documents handed to the browser: a generated file as a download (recorded in the audit log), and the one way a
list page exports what it shows as a workbook (its rows, its filters, the user's scope)."""

import io
from collections.abc import Callable
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field

from core.signals import announce
from core.workbook import Sheet, write_workbook

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, filename: str, content_type: str, request=None) -> FileResponse:
    """A generated document as a download; with the request, the export goes into the audit log."""
    if request is not None:
        announce("export", request=request, object_type=filename[:100], summary=request.get_full_path())
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# How a list export too big for the web request becomes a background job: set by the documents app when it is
# ready (documents.jobs.list_export_start; the kernel does not import the floors above it). Called with the request
# and the list's title, it answers the job page's address.
background_export: Callable[[Any, str], str] | None = None


def wants_export(request) -> bool:
    return request.GET.get("export") == "xlsx"


class TypedValue(widgets.Widget):
    """A value exported as it is (a date stays a date, money a Decimal): the workbook writer types the cells."""

    def render(self, value, obj=None, **kwargs):
        return value


class ListResource(resources.Resource):
    """A list page's sheet as a django-import-export Resource: one field per column of the page's export, read
    from the rows the page computes (the user's scope and filters already applied). The Dataset it exports is
    written by core.workbook, which types the cells and sets the sheet up for printing."""

    def __init__(self, columns):
        super().__init__()
        for index, column in enumerate(columns):
            self.fields[f"c{index}"] = Field(
                attribute=f"c{index}", column_name=str(column.title), widget=TypedValue()
            )

    def dataset(self, rows):
        return self.export(queryset=({f"c{i}": value for i, value in enumerate(row)} for row in rows))


def list_export(request, title: str, columns=None, rows=None, sheet=None) -> FileResponse:
    """A list page's rows, as filtered on screen and within the user's scope, as a workbook (columns and rows, or
    a ready Sheet), through the page's Resource."""
    buffer = io.BytesIO()
    note = _("{title}（导出时间{localtime:%Y-%m-%d %H:%M}，{value}）").format(
        title=title,
        localtime=timezone.localtime(),
        value=request.user.get_full_name() or request.user.username,
    )
    if sheet is None:
        sheet = Sheet(title, columns, rows)
    sheet.rows = ListResource(sheet.columns).dataset(sheet.rows)
    sheet.note = note
    write_workbook([sheet], buffer, progress=getattr(request, "export_job", None))
    return attachment(buffer.getvalue(), f"{title}-{timezone.localdate():%Y%m%d}.xlsx", XLSX, request=request)
