"""Deployment checks of the accounts: no demo or shared account may exist under production settings."""

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

from core.text import listing


@register("security", deploy=True)
def no_demo_accounts(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    from accounts.models import User
    from demo.management.commands.seed_demo import ACCOUNTS

    try:
        found = sorted(
            User.objects.filter(username__in=list(ACCOUNTS), is_active=True).values_list(
                "username", flat=True
            )
        )
    except DatabaseError:
        return []  # no database yet (a first deployment): nothing to check
    if not found:
        return []
    return [
        Error(
            _("生产环境中存在演示账号：{found}。").format(found=listing(found)),
            hint=_("停用或删除这些账号；每位工作人员使用本人的账号（不得共用账号）。"),
            id="accounts.E001",
        )
    ]
