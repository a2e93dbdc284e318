"""The task queue in the admin, for the administrator: every run of a background task (failures with their
exception), read-only. A run names its task and a job number, no case data."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from core.admin_base import PortalExportMixin, SafeChangelistMixin, _role_may
from documents.models import TaskRun


class QueueAdmin(SafeChangelistMixin, PortalExportMixin, admin.ModelAdmin):
    admin_roles = frozenset({"admin"})

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(
        DBTaskResult
    )  # django-tasks-db's own admin: replaced by the administrator's read-only one


@admin.register(TaskRun)
class TaskRunAdmin(QueueAdmin):
    list_display = ["task_path", "status", "enqueued_at", "started_at", "finished_at", "exception_class_path"]
    list_filter = ["status", "task_path"]
    ordering = ["-enqueued_at"]


# Export jobs are their askers' (我的导出); the administrator sees the queue's runs above, not who exported what.
