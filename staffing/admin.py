from django.contrib import admin

from accounts.admin_base import PortalInline, PortalModelAdmin
from staffing.models import (
    Posting,
    Qualification,
    SocialWorker,
    SupervisionSession,
    Training,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
    VolunteerIncentive,
    VolunteerInsurance,
)


class QualificationInline(PortalInline):
    model = Qualification


class PostingInline(PortalInline):
    model = Posting
    fields = ["cycle", "start_date", "end_date", "is_full_time", "has_labour_contract"]


@admin.register(SocialWorker)
class SocialWorkerAdmin(PortalModelAdmin):
    list_display = ["name", "contractor", "gender", "education", "employed_on", "left_on"]
    list_filter = ["contractor", "gender"]
    search_fields = ["name"]
    list_select_related = ["contractor"]
    inlines = [QualificationInline, PostingInline]


@admin.register(Qualification)
class QualificationAdmin(PortalModelAdmin):
    list_display = ["worker", "level", "certificate_no", "obtained_on"]
    list_filter = ["level"]
    search_fields = ["worker__name", "certificate_no"]
    list_select_related = ["worker"]


@admin.register(Posting)
class PostingAdmin(PortalModelAdmin):
    list_display = ["worker", "cycle", "start_date", "end_date", "is_full_time", "has_labour_contract"]
    list_filter = ["is_full_time", "has_labour_contract"]
    search_fields = ["worker__name", "cycle__station__name"]
    list_select_related = ["worker", "cycle__station", "cycle__contractor"]


class TrainingRecordInline(PortalInline):
    model = TrainingRecord


@admin.register(Training)
class TrainingAdmin(PortalModelAdmin):
    list_display = ["title", "kind", "held_on", "hours", "provider"]
    list_filter = ["kind"]
    search_fields = ["title"]
    inlines = [TrainingRecordInline]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(PortalModelAdmin):
    list_display = ["station", "held_on", "supervisor", "topic", "hours"]
    search_fields = ["station__name", "topic", "supervisor"]
    list_select_related = ["station"]
    filter_horizontal = ["workers"]


class VolunteerHoursInline(PortalInline):
    model = VolunteerHours
    fields = ["served_on", "start_time", "end_time", "hours", "activity", "entered_via", "status"]


class VolunteerIncentiveInline(PortalInline):
    model = VolunteerIncentive


class VolunteerInsuranceInline(PortalInline):
    model = VolunteerInsurance


@admin.register(Volunteer)
class VolunteerAdmin(PortalModelAdmin):
    list_display = ["name", "station", "team", "registered_on", "active"]
    list_filter = ["active"]
    search_fields = ["name", "team", "station__name"]
    list_select_related = ["station"]
    inlines = [VolunteerHoursInline, VolunteerIncentiveInline, VolunteerInsuranceInline]


@admin.register(VolunteerHours)
class VolunteerHoursAdmin(PortalModelAdmin):
    list_display = ["volunteer", "served_on", "start_time", "end_time", "hours", "entered_via", "status"]
    list_filter = ["status", "entered_via"]
    search_fields = ["volunteer__name", "activity"]
    date_hierarchy = "served_on"
    list_select_related = ["volunteer"]
