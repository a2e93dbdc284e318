from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Identity and access: accounts and roles, sessions, two-factor login, passwords, login failures."""

    name = "accounts"
    verbose_name = _("系统管理")

    def ready(self):
        from accounts import sessions, throttle  # noqa: F401 - connects the receivers
