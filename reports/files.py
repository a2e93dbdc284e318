"""Serving stored files: only through the scope of the record they belong to, as attachments the browser must not
sniff, and only when the bytes on disk still match the SHA-256 taken at upload."""

import hashlib
import io

from django.apps import apps
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps

from accounts.models import Role
from core.access import role_required, visible_or_404

# URL kind -> the StoredFile model it names.
KINDS = {
    "report": "reports.ReportAttachment",
    "eligibility": "contracts.EligibilityDocument",
    "service-photo": "reports.ServiceRecordPhoto",
    "site-photo": "stations.SiteConditionPhoto",
}
# Kinds whose files are pictures (checked by content at upload): they may open in the browser and have thumbnails.
PICTURES = {"service-photo", "site-photo"}
THUMBNAIL_PX = 320
THUMBNAIL_MAX_PIXELS = 60_000_000  # a camera gives 50 MP at most; anything larger is not decoded


class TamperedFile(Exception):
    """The stored bytes no longer match the checksum recorded at upload."""


def verified_open(stored):
    """Open a stored file after checking its SHA-256 against the one recorded at upload."""
    digest = hashlib.sha256()
    with stored.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    if digest.hexdigest() != stored.sha256:
        raise TamperedFile(stored.pk)
    return stored.file.open("rb")


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def file_download(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    if kind not in KINDS:
        raise Http404(_("没有这类文件。"))
    stored = visible_or_404(apps.get_model(KINDS[kind]), request.user, pk=pk)
    from audit.log import record
    from audit.models import AuditEvent

    try:
        handle = verified_open(stored)
    except (TamperedFile, FileNotFoundError):
        record(AuditEvent.Action.DOWNLOAD, request=request, obj=stored, summary="校验值不符或文件丢失",
               outcome=AuditEvent.Outcome.FAILURE)  # fmt: skip
        raise Http404(_("文件已损坏或丢失（校验值不符），请联系系统管理员。")) from None
    view = request.GET.get("view", "") if kind in PICTURES else ""
    if view == "thumb":
        # A small JPEG for the page; the full picture is a separate, audited request.
        try:
            response = HttpResponse(thumbnail(handle), content_type="image/jpeg")
        except (OSError, ValueError, Image.DecompressionBombError):
            raise Http404(_("这张照片无法生成缩略图，请点开原图查看。")) from None
        response["Cache-Control"] = "private, max-age=3600"
    else:
        record(AuditEvent.Action.DOWNLOAD, request=request, obj=stored, summary=stored.original_name)
        response = FileResponse(
            handle,
            as_attachment=view != "full",
            filename=stored.original_name,
            content_type=stored.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def thumbnail(handle) -> bytes:
    """The picture scaled to fit THUMBNAIL_PX, turned the way the camera held it, as JPEG."""
    with handle, Image.open(handle) as picture:
        width, height = picture.size
        if width * height > THUMBNAIL_MAX_PIXELS:
            raise Image.DecompressionBombError(f"{width}×{height}")
        picture.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # JPEG: decode at the reduced size directly
        picture = ImageOps.exif_transpose(picture)
        picture.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        out = io.BytesIO()
        picture.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
