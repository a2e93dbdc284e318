from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = gettext_lazy("文档")

    def ready(self):
        from core import exports
        from documents.jobs import list_export_url

        # A list export above LIST_EXPORT_JOB_ROWS rows leaves the web request for the task queue.
        exports.background_export = list_export_url
