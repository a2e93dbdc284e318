from django import forms
from django.contrib import admin

from core.admin_base import PortalModelAdmin, ReadOnlyInline, ServiceWriteAdmin
from core.forms import PortalModelForm
from staffing import services
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


class QualificationInline(ReadOnlyInline):
    model = Qualification


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ["cycle", "start_date", "end_date", "is_full_time", "has_labour_contract"]


@admin.register(SocialWorker)
class SocialWorkerAdmin(PortalModelAdmin):
    # Employer, district and dates decide who is on post (R-STAFF-4, -7): registered and left through the portal's
    # services. Education and major stay editable.
    governed_fields = ("contractor", "district", "employed_on", "left_on", "name", "gender")
    list_display = ["name", "contractor", "gender", "education", "employed_on", "left_on"]
    list_filter = ["contractor", "gender"]
    search_fields = ["name"]
    list_select_related = ["contractor"]
    inlines = [QualificationInline, PostingInline]


@admin.register(Qualification)
class QualificationAdmin(ServiceWriteAdmin):
    """R-STAFF-2, R-STAFF-3: recorded through staffing.services.qualification_record."""

    list_display = ["worker", "level", "certificate_no", "obtained_on"]
    list_filter = ["level"]
    search_fields = ["worker__name", "certificate_no"]
    list_select_related = ["worker"]

    def perform(self, request, form, obj):
        if obj is not None:
            return obj
        data = form.cleaned_data
        return services.qualification_record(
            worker=data["worker"],
            level=data["level"],
            certificate_no=data["certificate_no"],
            obtained_on=data["obtained_on"],
            actor=request.user,
        )


class PostingAdminForm(PortalModelForm):
    late_reason = forms.CharField(label="逾期派驻原因（仅区民政局，R-STAFF-5）", required=False)

    class Meta:
        model = Posting
        fields = ["worker", "cycle", "start_date", "end_date", "is_full_time", "has_labour_contract"]


@admin.register(Posting)
class PostingAdmin(ServiceWriteAdmin):
    """R-STAFF-4, R-STAFF-5: postings through staffing.services.worker_post; the end date through posting_end."""

    form = PostingAdminForm
    list_display = ["worker", "cycle", "start_date", "end_date", "is_full_time", "has_labour_contract"]
    list_filter = ["is_full_time", "has_labour_contract"]
    search_fields = ["worker__name", "cycle__station__name"]
    list_select_related = ["worker", "cycle__station", "cycle__contractor"]
    editable_on_change = ("end_date",)

    def perform(self, request, form, obj):
        data = form.cleaned_data
        if obj is not None:
            if data.get("end_date") and data["end_date"] != obj.end_date:
                return services.posting_end(posting=obj, end_date=data["end_date"], actor=request.user)
            return obj
        return services.worker_post(
            cycle=data["cycle"],
            worker=data["worker"],
            start_date=data["start_date"],
            is_full_time=data["is_full_time"],
            has_labour_contract=data["has_labour_contract"],
            late_reason=data.get("late_reason", ""),
            actor=request.user,
        )


class TrainingRecordInline(ReadOnlyInline):
    model = TrainingRecord
    fields = ["worker", "passed"]


@admin.register(Training)
class TrainingAdmin(PortalModelAdmin):
    governed_fields = (
        "__all__"  # R-STAFF-6: recorded with its results through staffing.services.training_record
    )
    list_display = ["title", "kind", "held_on", "hours", "provider"]
    list_filter = ["kind"]
    search_fields = ["title"]
    inlines = [TrainingRecordInline]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # R-STAFF-6: staffing.services.supervision_record
    list_display = ["station", "held_on", "supervisor", "topic", "hours"]
    search_fields = ["station__name", "topic", "supervisor"]
    list_select_related = ["station"]
    filter_horizontal = ["workers"]


class VolunteerHoursInline(ReadOnlyInline):
    model = VolunteerHours
    fields = ["served_on", "start_time", "end_time", "hours", "activity", "entered_via", "status"]


class VolunteerIncentiveInline(ReadOnlyInline):
    model = VolunteerIncentive


class VolunteerInsuranceInline(ReadOnlyInline):
    model = VolunteerInsurance


@admin.register(Volunteer)
class VolunteerAdmin(PortalModelAdmin):
    # R-SVC-2: registered at a station and taken off the register (which ends the self-report link) through
    # staffing.services; hours, incentives and insurance are recorded and verified there too.
    governed_fields = ("station", "registered_on", "active")
    list_display = ["name", "station", "team", "registered_on", "active"]
    list_filter = ["active"]
    search_fields = ["name", "team", "station__name"]
    list_select_related = ["station"]
    inlines = [VolunteerHoursInline, VolunteerIncentiveInline, VolunteerInsuranceInline]


@admin.register(VolunteerHours)
class VolunteerHoursAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # R-SVC-2: entered and verified through staffing.services
    list_display = ["volunteer", "served_on", "start_time", "end_time", "hours", "entered_via", "status"]
    list_filter = ["status", "entered_via"]
    search_fields = ["volunteer__name", "activity"]
    date_hierarchy = "served_on"
    list_select_related = ["volunteer"]
