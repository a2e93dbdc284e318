"""Every error of the API in one JSON shape, with a Chinese and an English message:

{"error": {"status": 401, "code": "token_revoked", "message": "令牌已被吊销。", "message_en": "..."}}
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler

MESSAGES = {
    # code: (Chinese, English)
    "not_authenticated": (
        "缺少接口令牌：请在请求头中提供 Authorization: Bearer <令牌>。",
        "No token: send Authorization: Bearer <token>.",
    ),
    "token_invalid": ("接口令牌无效。", "The token is not valid."),
    "token_revoked": ("接口令牌已被吊销。", "The token has been revoked."),
    "token_expired": (
        "接口令牌已过期，请联系区民政局系统管理员重新签发。",
        "The token has expired; ask the bureau's administrator for a new one.",
    ),
    "permission_denied": ("该令牌无权读取此资源。", "This token may not read this resource."),
    "not_found": (
        "没有找到该记录，或该记录不在令牌的读取范围内。",
        "Not found, or outside the token's scope.",
    ),
    "throttled": (
        "请求过于频繁，请在 Retry-After 所示秒数后重试。",
        "Too many requests; retry after the seconds in Retry-After.",
    ),
    "invalid": ("请求参数有误。", "A parameter of the request is not valid."),
    "method_not_allowed": (
        "接口只读，不支持该请求方法。",
        "The API is read-only; this method is not allowed.",
    ),
    "not_acceptable": ("无法提供所请求的格式，接口返回 JSON。", "Only JSON can be returned."),
    "error": ("请求未能完成。", "The request could not be completed."),
}


def handle(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = "error"
    details = None
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
        else:
            code, details = "invalid", exc.detail
    if isinstance(exc, exceptions.NotAuthenticated):
        code = "not_authenticated"
    elif isinstance(exc, exceptions.ValidationError):
        code, details = "invalid", exc.detail
    chinese, english = MESSAGES.get(code, MESSAGES["error"])
    body = {"status": response.status_code, "code": code, "message": chinese, "message_en": english}
    if details is not None:
        body["details"] = details
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait) + 1
    response.data = {"error": body}
    return response
