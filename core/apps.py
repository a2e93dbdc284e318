from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The policy kernel: the rule catalogue and findings registry, the parameters, scoping, text and dates, files,
    personal-data protection, the admin's and the pages' bases. Every app stands on it; it imports none of them."""

    name = "core"
    verbose_name = _("政策与基础")

    def ready(self):
        from core import lookups

        lookups.register()
