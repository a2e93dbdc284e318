"""View helpers: a record outside the user's scope answers 404, an action the role may not take 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def safe_next(request, target, fallback: str = "home") -> str:
    """Where to go after a form: `target` when it is a page of this site (url_has_allowed_host_and_scheme, which
    refuses //evil.example, /\\evil.example and other schemes), else the fallback page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback) if fallback and not fallback.startswith("/") else fallback


def role_required(*roles):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(_("当前账号的角色不能使用此功能。"))
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorate


def visible_or_404(model_or_queryset, user, action: str = "view", **lookup):
    """The one record matching `lookup` among those the user may take `action` on: 403 when the role may not take
    the action at all, 404 when the record is missing, outside the scope or not in a state for the action (the
    same answer for all three, so that a stranger learns nothing)."""
    queryset = model_or_queryset if hasattr(model_or_queryset, "visible_to") else model_or_queryset.objects
    if not queryset.all().may(user, action):
        raise PermissionDenied(_("当前账号的角色不能使用此功能。"))
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(_("没有找到该记录，或该记录不在您的管理范围内。")) from None


def can(user, action: str, obj) -> bool:
    """Whether `user` may take `action` on `obj` now: the flag a page passes to its template (one query)."""
    manager = type(obj).objects
    return manager.all().may(user, action) and manager.visible_to(user, action).filter(pk=obj.pk).exists()


def may(user, action: str, model) -> bool:
    """Whether `user`'s role may take `action` on records of `model` at all (no query): a page's toolbar flags."""
    return model.objects.all().may(user, action)
