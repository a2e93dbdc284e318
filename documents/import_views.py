"""Import pages: download the template, upload, preview every row (a dry run), confirm. The uploaded file waits
for the confirmation in the upload folder under a random name, known only to the uploader's session."""

import io
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.exports import XLSX, attachment
from core.forms import PortalForm
from core.text import sentences
from documents.imports import IMPORTERS, ImportRefused, limits, record_import


def pending_dir():
    """Files waiting for their import's confirmation: beside the uploads, outside the web root."""
    return settings.UPLOAD_ROOT / "imports"


SESSION_KEY = "pending_imports"
PENDING_HOURS = 24


def forget_stale_files() -> None:
    """Files previewed and never confirmed are deleted after PENDING_HOURS: a preview is not a store."""
    import time

    folder = pending_dir()
    if not folder.exists():
        return
    cutoff = time.time() - PENDING_HOURS * 3600
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _importer(request, kind: str):
    if kind not in IMPORTERS:
        raise Http404(_("没有这类导入。"))
    importer = IMPORTERS[kind]()
    if request.user.role not in importer.roles:
        raise PermissionDenied(_("当前账号的角色不能使用此导入。"))
    return importer


class UploadForm(PortalForm):
    file = forms.FileField(
        label=gettext_lazy("Excel（.xlsx）或CSV文件"),
        help_text=gettext_lazy("表头可在前几行的标题之下；文件大小、行数和列数有上限（见下方说明）。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        limit = limits()["bytes"]
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件大小{value:.1f}MB，超过{limit}MB的上限。").format(
                    value=upload.size / 1048576, limit=limit // 1048576
                )
            )
        return upload


def _run(importer, content: bytes, user, *, commit: bool, mapping=None):
    try:
        return importer.run(content, user, commit=commit, mapping=mapping)
    except ImportRefused as refused:
        from documents.imports import ImportResult

        return ImportResult(errors=refused.errors)


def _mapping(request) -> dict[int, str] | None:
    """The column mapping the user corrected on the preview: map_<position> = field key ("" not read)."""
    found = {
        int(name.removeprefix("map_")): value
        for name, value in request.POST.items()
        if name.startswith("map_")
        and name.removeprefix("map_").isascii()
        and name.removeprefix("map_").isdigit()
    }
    return found or None


def _keep(request, kind: str, content: bytes) -> str:
    """Keep the uploaded file for the confirmation (or a corrected mapping) under a random name in the session."""
    token = secrets.token_urlsafe(16)
    pending_dir().mkdir(parents=True, exist_ok=True)
    pending = request.session.get(SESSION_KEY, {})
    for earlier in [t for t, k in pending.items() if k == kind]:  # a new preview replaces the last one
        pending.pop(earlier)
        (pending_dir() / earlier).unlink(missing_ok=True)
    forget_stale_files()
    (pending_dir() / token).write_bytes(content)
    pending[token] = kind
    request.session[SESSION_KEY] = pending
    return token


def _pending(request, kind: str) -> tuple[str, bytes]:
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    if pending.get(token) != kind or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404(_("没有待确认的导入，请重新上传。"))
    try:
        return token, (pending_dir() / token).read_bytes()
    except FileNotFoundError:
        raise Http404(_("待确认的文件已不存在，请重新上传。")) from None


def import_page(request, kind: str):
    """Upload and preview (a dry run through the Resource); on the preview the column mapping can be corrected,
    which previews the same file again."""
    importer = _importer(request, kind)
    remapping = request.method == "POST" and "token" in request.POST
    form = UploadForm(
        None if remapping else (request.POST or None), None if remapping else (request.FILES or None)
    )
    result, token, mapping = None, "", None
    if remapping:
        token, content = _pending(request, kind)
        mapping = _mapping(request)
        result = _run(importer, content, request.user, commit=False, mapping=mapping)
    elif request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        result = _run(importer, content, request.user, commit=False)
        if result.layout:
            token = _keep(request, kind, content)
    columns = importer.get_columns()
    read = (
        {c.key for c in result.layout if c.key} | set(importer.derived_keys)
        if result and result.layout
        else None
    )
    return render(
        request,
        "documents/import.html",
        {
            "importer": importer,
            "form": form,
            "result": result,
            "token": token,
            "columns": columns,
            "preview_columns": [c for c in columns if read is None or c.key in read],
            "choices": [(c.key, c.label) for c in columns],
            "title": importer.title,
            "limits": {
                "mb": limits()["bytes"] // 1048576,
                "rows": limits()["rows"],
                "columns": limits()["columns"],
            },
        },
    )


def _row_count(importer, content: bytes, mapping) -> int:
    """How many rows of data the file has below its header (read again within bounds, not imported)."""
    try:
        _result, _dataset, numbers = importer.parse(content, "", mapping)
    except ImportRefused:
        return 0
    return len(numbers)


@require_POST
def import_confirm(request, kind: str):
    importer = _importer(request, kind)
    token, content = _pending(request, kind)
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    rows = _row_count(importer, content, _mapping(request))
    if rows > settings.IMPORT_JOB_ROWS:
        # A big file leaves the web request: a worker imports it, all or nothing, and the job page follows it.
        from documents.jobs import import_start

        job = import_start(
            user=request.user,
            family=kind,
            title=importer.title,
            pending=pending_dir() / token,
            mapping=_mapping(request),
            rows=rows,
        )
        messages.info(
            request,
            _("共{rows}行，已转为后台导入；可以离开本页，导入结果在“我的导出”中查看。").format(rows=rows),
        )
        return redirect("export-job", pk=job.pk)
    result = _run(importer, content, request.user, commit=True, mapping=_mapping(request))
    (pending_dir() / token).unlink(missing_ok=True)
    if not result.ok:
        messages.error(
            request, _("导入未成功，未保存任何数据：") + sentences(str(e) for e in result.errors[:5])
        )
        return redirect("import", kind=kind)
    record_import(importer, kind, result.saved, request=request)
    messages.success(request, _("已导入{saved}行。").format(saved=result.saved))
    return redirect(importer.done_url)


@require_GET
def import_template(request, kind: str):
    importer = _importer(request, kind)
    book = Workbook()
    sheet = book.active
    sheet.title = importer.title.removeprefix(_("导入"))
    columns = importer.get_columns()
    sheet.append([f"{column.label}{'*' if column.required else ''}" for column in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    sheet.append([column.example for column in columns])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(column.label) * 2 + 4)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("填写说明"))
    notes.append(
        [
            _(
                "带*的列必填。日期可写2021-07-01、2021年7月1日或2021.7.1；身份证号列请设为“文本”格式。第2行是示例，导入前请删除。"
            )
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return attachment(buffer.getvalue(), _("{title}模板.xlsx").format(title=importer.title), XLSX)
