from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district's story (seed_demo) and the synthetic province (generate_scale): on the top floor, since
    they write through every app. Its deployment check refuses the demo accounts in production."""

    name = "demo"
    verbose_name = _("演示数据")

    def ready(self):
        from demo import checks  # noqa: F401 - registers the deployment check
