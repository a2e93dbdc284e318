"""Who may act: the checks services make before they change anything.

A service first asks whether the actor's role may take the action (PermissionDenied, 403) and
then whether the record is in the actor's scope (Http404 in views; here ObjectDoesNotExist-like
PermissionDenied, since a service is also called from commands and the admin).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require_role(actor, *roles) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active or actor.role not in roles:
        raise PermissionDenied(_("当前账号的角色不能进行此操作。"))


def require_visible(actor, instance, action: str = "view") -> None:
    """The record must be one the actor may take `action` on: the one way in is visible_to."""
    if not type(instance).objects.visible_to(actor, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("该记录不在当前账号的管理范围内。"))
