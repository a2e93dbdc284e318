"""Checking an uploaded file by its content, not its name: type from the first bytes, size, emptiness.

Stored files keep a random name, the original name as data, the detected type and a SHA-256.
"""

import hashlib
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import listing

MB = 1024 * 1024
DEFAULT_LIMIT = 20 * MB

IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
DOCUMENTS = {
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} | IMAGES

TYPE_NAMES = {
    "image/jpeg": gettext_lazy("JPEG图片"),
    "image/png": gettext_lazy("PNG图片"),
    "image/gif": gettext_lazy("GIF图片"),
    "image/webp": gettext_lazy("WebP图片"),
    "application/pdf": "PDF",
    "application/msword": gettext_lazy("Word文档"),
    "application/vnd.ms-excel": gettext_lazy("Excel表格"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy("Word文档"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy("Excel表格"),
}


# An Office file is a zip: refuse one that would unpack to far more than it weighs (a zip bomb), before anything
# (a preview, an indexer, a virus scanner) unpacks it. The sizes an archive declares are the attacker's to write, so
# every member is really decompressed, counting the bytes as they come out, and given up on at the limit.
ZIP_BOMB = "zip-bomb"
MAX_UNPACKED = 200 * MB
MAX_RATIO = 100
MAX_MEMBERS = 10_000
# XML that declares a document type can define entities (billion laughs) or reach outside files (XXE): an Office
# file never needs one, so a member that holds one is refused before any XML parser sees it.
XML_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


class ArchiveRefused(Exception):
    """Why an archive is refused: `kind` is "bomb" (too big once unpacked) or "xml" (a DTD or an entity)."""

    def __init__(self, kind: str, member: str = ""):
        super().__init__(kind, member)
        self.kind, self.member = kind, member


@dataclass(frozen=True)
class ElementLimit:
    """At most `maximum` occurrences of any of `markers` in the members whose names start with `prefix`: the
    elements a parser would build one object each for (a sheet's cells, its shared strings, its cell styles), so
    that a small file cannot make it build millions."""

    prefix: str
    markers: tuple[bytes, ...]
    maximum: int
    kind: str


def inspect_archive(
    archive: zipfile.ZipFile,
    *,
    limit: int = MAX_UNPACKED,
    packed: int | None = None,
    elements: tuple[ElementLimit, ...] = (),
) -> int:
    """Decompress every member, streaming, and return the real unpacked size; raise ArchiveRefused past `limit`
    bytes, past MAX_RATIO times the packed size (`packed`, when given, above 1 MB), past MAX_MEMBERS members, at an
    XML document type declaration, or past an element limit (its kind is the refusal's)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ArchiveRefused("bomb")
    unpacked = 0
    overlap = max(len(m) for m in XML_DECLARATIONS)
    counts = dict.fromkeys(elements, 0)
    for member in members:
        tail = b""
        watched = [e for e in elements if member.filename.startswith(e.prefix)]
        # Markers counted in the text since the last chunk's end, less one byte: none is counted twice.
        count_tail = b""
        keep = max((len(m) for e in watched for m in e.markers), default=1) - 1
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 16):
                    unpacked += len(chunk)
                    if unpacked > limit or (packed and unpacked > MB and unpacked > MAX_RATIO * packed):
                        raise ArchiveRefused("bomb", member.filename)
                    window = tail + chunk
                    if any(marker in window for marker in XML_DECLARATIONS):
                        raise ArchiveRefused("xml", member.filename)
                    tail = window[-overlap:]
                    if watched:
                        text = count_tail + chunk
                        for element in watched:
                            counts[element] += sum(text.count(m) for m in element.markers)
                            if counts[element] > element.maximum:
                                raise ArchiveRefused(element.kind, member.filename)
                        count_tail = text[-keep:] if keep else b""
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
                zlib.error):  # fmt: skip
            raise ArchiveRefused("broken", member.filename) from None
    return unpacked


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes, upload) -> str | None:
    """The type the bytes say, or None for anything not on the portal's list."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc or .xls
        name = (upload.name or "").lower()
        return "application/vnd.ms-excel" if name.endswith(".xls") else "application/msword"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = {m.filename for m in archive.infolist()}
                inspect_archive(archive, packed=upload.size)
        except zipfile.BadZipFile:
            return None
        except ArchiveRefused as refused:
            return ZIP_BOMB if refused.kind == "bomb" else None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def check_upload(
    upload, *, allowed: set[str], limit: int | None = None, field: str = "file"
) -> CheckedUpload:
    """Refuse an empty file, one over the limit (setting UPLOAD_MAX_MB, 20 MB), or one whose bytes are not an
    allowed type — in Chinese."""
    from django.conf import settings

    limit = limit or getattr(settings, "UPLOAD_MAX_MB", DEFAULT_LIMIT // MB) * MB
    name = upload.name or _("文件")
    if upload.size == 0:
        raise ValidationError({field: _("“{name}”是空文件。").format(name=name)})
    if upload.size > limit:
        raise ValidationError(
            {
                field: _("“{name}”大小为{value:.1f}MB，超过{value2}MB的上限。").format(
                    name=name, value=upload.size / MB, value2=limit // MB
                )
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, upload)
    if content_type == ZIP_BOMB:
        raise ValidationError(
            {field: _("“{name}”解压后异常庞大（疑似压缩炸弹），已拒绝。").format(name=name)}
        )
    if content_type not in allowed:
        kinds = listing(sorted({TYPE_NAMES[t] for t in allowed}))
        raise ValidationError(
            {field: _("“{name}”的文件内容不是允许的类型（{kinds}）。").format(name=name, kinds=kinds)}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type=content_type, size=upload.size, sha256=digest.hexdigest())


@contextmanager
def files_removed_on_failure():
    """Collect the files saved inside the block; if the block fails (its transaction rolls back), delete them,
    so that a failed write leaves neither a row nor an orphan file."""
    saved: list = []
    try:
        yield saved
    except Exception:
        for stored in saved:
            stored.storage.delete(stored.name)
        raise


def save_stored_file(model, upload, checked: CheckedUpload, *, actor, saved: list, **fields):
    """Store a checked upload as a row of `model` (a StoredFile) under a random name, noting the file in `saved`."""
    record = model(
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        **fields,
    )
    try:
        record.file.save(upload.name, upload, save=False)
    except OSError as error:  # disk full, permissions, an unreachable object store
        raise ValidationError(
            _(
                "文件未能保存（存储空间不足或不可写：{value}），本次提交未保存任何内容，请联系系统管理员。"
            ).format(value=error.strerror or error)
        ) from None
    saved.append(record.file)
    record.full_clean()
    record.save()
    return record
