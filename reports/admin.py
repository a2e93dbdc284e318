from django.contrib import admin

from accounts.admin_base import PortalInline, PortalModelAdmin
from reports.models import (
    Report,
    ReportAttachment,
    ReportFigure,
    ReportReview,
    ServiceRecord,
    ServiceRecordPhoto,
)


class ReportFigureInline(PortalInline):
    model = ReportFigure


class ReportReviewInline(PortalInline):
    model = ReportReview


class ReportAttachmentInline(PortalInline):
    model = ReportAttachment
    fields = ["file", "original_name", "content_type", "size", "sha256"]
    readonly_fields = ["original_name", "content_type", "size", "sha256"]


@admin.register(Report)
class ReportAdmin(PortalModelAdmin):
    list_display = ["__str__", "kind", "period", "due_date", "status", "submitted_at"]
    list_filter = ["kind", "status"]
    search_fields = ["contract_year__station__name"]
    date_hierarchy = "due_date"
    list_select_related = ["contract_year__station"]
    inlines = [ReportFigureInline, ReportReviewInline, ReportAttachmentInline]


class ServiceRecordPhotoInline(PortalInline):
    model = ServiceRecordPhoto
    fields = ["file", "original_name", "size"]
    readonly_fields = ["original_name", "size"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(PortalModelAdmin):
    list_display = ["title", "station", "kind", "area", "method", "held_on", "participants"]
    list_filter = ["kind", "area", "method"]
    search_fields = ["title", "station__name"]
    date_hierarchy = "held_on"
    list_select_related = ["station"]
    exclude = ["client_id_number"]
    inlines = [ServiceRecordPhotoInline]
