from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from core.admin_base import PortalInline, PortalModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from reports import services
from reports.models import (
    ReminderSent,
    Report,
    ReportAttachment,
    ReportFigure,
    ReportReview,
    ServiceRecord,
    ServiceRecordPhoto,
)


class ReportFigureInline(ReadOnlyInline):
    model = ReportFigure


class ReportReviewInline(ReadOnlyInline):
    model = ReportReview


class ReportAttachmentInline(ReadOnlyInline):
    model = ReportAttachment
    fields = ["file", "original_name", "content_type", "size", "sha256"]
    readonly_fields = ["original_name", "content_type", "size", "sha256"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports are written by contractors and reviewed by the bureau through reports.services (R-REP-1..5)."""

    actions = ["accept"]
    list_display = ["__str__", "kind", "period", "due_date", "status", "submitted_at"]
    list_filter = ["kind", "status"]
    search_fields = ["contract_year__station__name"]
    date_hierarchy = "due_date"
    list_select_related = ["contract_year__station"]
    inlines = [ReportFigureInline, ReportReviewInline, ReportAttachmentInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(
            request, obj
        )  # for the action

    @admin.action(description="审核通过（R-REP-3）")
    def accept(self, request, queryset):
        for report in queryset:
            try:
                services.report_review(report=report, decision="accepted", actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    f"{report}：{'；'.join(getattr(error, 'messages', [str(error)]))}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"{report}：已通过。", messages.SUCCESS)


class ServiceRecordPhotoInline(PortalInline):
    model = ServiceRecordPhoto
    fields = ["file", "original_name", "size"]
    readonly_fields = ["original_name", "size"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # R-SVC-1: recorded through reports.services.service_record_create
    list_display = ["title", "station", "kind", "area", "method", "held_on", "participants"]
    list_filter = ["kind", "area", "method"]
    search_fields = ["title", "station__name"]
    date_hierarchy = "held_on"
    list_select_related = ["station"]
    exclude = ["client_id_number"]
    inlines = [ServiceRecordPhotoInline]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    """Which reminder mails reached the mail server (send_reminders): for the administrator operating the mail."""

    admin_roles = frozenset({Role.ADMIN})
    list_display = ["sent_on", "user", "subject", "sent_at"]
    list_filter = ["sent_on"]
    date_hierarchy = "sent_on"
