from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = gettext_lazy("安全审计")

    def ready(self):
        from audit import receivers  # noqa: F401 - connects the signal receivers
