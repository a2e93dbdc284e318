from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("系统管理")

    def ready(self):
        from accounts import (  # noqa: F401 - connects the receivers, registers the checks
            checks,
            lookups,
            sessions,
            throttle,
        )

        lookups.register()
