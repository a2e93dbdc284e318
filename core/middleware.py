"""Requests too large to read: refused from their Content-Length, before anything reads the body (a 30 MB "sheet"
is not received in full only to be refused)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

IMPORT_PATHS = ("/exports/imports/",)


def request_limit(path: str) -> int:
    """The largest body a request to `path` may carry, in bytes: an import's file limit (with room for the form),
    else the limit of a page with several uploads."""
    if path.startswith(IMPORT_PATHS):
        return (settings.IMPORT_MAX_MB + 1) * 1024 * 1024
    return settings.REQUEST_MAX_MB * 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_limit(request.path)
        if length > limit:
            message = _(
                "提交的内容有{value:.1f}MB，超过{limit}MB的上限，未予接收。请缩小文件后重试。"
            ).format(value=length / 1048576, limit=limit // 1048576)
            page = f'<!DOCTYPE html><html lang="zh-hans"><meta charset="utf-8"><title>413</title><p>{escape(message)}</p></html>'
            return HttpResponse(page, status=413)
        return self.get_response(request)
