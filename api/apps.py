from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = gettext_lazy("数据接口")

    def ready(self):
        from api import schema, tombstones  # noqa: F401 - the schema's token extension registers itself

        tombstones.connect()
