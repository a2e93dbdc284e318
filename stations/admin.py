from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.admin_base import PortalInline, PortalModelAdmin, placeable_accounts
from stations.models import (
    AnnualPlan,
    District,
    Donation,
    RolloutPlan,
    SiteConditionLog,
    SiteConditionPhoto,
    Station,
    Street,
)


@admin.register(District)
class DistrictAdmin(PortalModelAdmin):
    governed_fields = ("code",)  # the district's code keys its scope and its exports
    list_display = ["name", "code", "city", "bureau_name"]
    search_fields = ["name", "code"]
    filter_horizontal = ["staff"]

    def has_add_permission(self, request):
        return False  # districts are set up by seed_plan (a deployment), not by a district's bureau

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            kwargs["queryset"] = placeable_accounts(Role.BUREAU, District.staff.through, "district", request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(RolloutPlan)
class RolloutPlanAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # the plan's annex (R-PLAN-1, -2), loaded by seed_plan
    list_display = ["title", "district", "pilot_year", "pilot_station_count", "full_coverage_by"]


@admin.register(Street)
class StreetAdmin(PortalModelAdmin):
    # The annex schedules each street's year (R-PLAN-1): changed by a new plan (seed_plan), not here. The street's
    # staff list (access) and its office's name stay editable.
    governed_fields = ("name", "district", "planned_year")
    list_display = ["name", "district", "planned_year", "office_name"]
    list_filter = ["planned_year", "district"]
    search_fields = ["name", "office_name"]
    filter_horizontal = ["staff"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            kwargs["queryset"] = placeable_accounts(Role.STREET, Street.staff.through, "street", request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Station)
class StationAdmin(PortalModelAdmin):
    governed_fields = ("street",)  # one station per street (R-PLAN-1); its name and address stay editable
    list_display = ["name", "street", "planned_year", "address"]
    list_filter = ["street__planned_year", "street__district"]
    search_fields = ["name", "street__name", "address"]
    list_select_related = ["street"]

    @admin.display(description=_("计划建站年度"), ordering="street__planned_year")
    def planned_year(self, station):
        return station.street.planned_year


@admin.register(AnnualPlan)
class AnnualPlanAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # R-PLAN-3: written, submitted and reviewed through stations.services
    list_display = ["title", "district", "year", "status", "due_date", "submitted_at", "reviewed_at"]
    list_filter = ["status", "year"]
    search_fields = ["title"]


class SiteConditionPhotoInline(PortalInline):
    model = SiteConditionPhoto
    fields = ["file", "caption", "original_name", "size", "sha256"]
    readonly_fields = ["original_name", "size", "sha256"]


@admin.register(SiteConditionLog)
class SiteConditionLogAdmin(PortalModelAdmin):
    governed_fields = "__all__"  # R-SITE-1..4: logged through stations.services.site_log_record

    list_display = [
        "station",
        "logged_on",
        "has_office_room",
        "sign_installed",
        "catalogue_posted",
        "systems_count",
        "logged_by",
    ]
    list_filter = ["has_office_room", "sign_installed", "catalogue_posted", "logged_on"]
    search_fields = ["station__name"]
    date_hierarchy = "logged_on"
    list_select_related = ["station", "logged_by"]
    inlines = [SiteConditionPhotoInline]

    @admin.display(description=_("管理制度（项）"))
    def systems_count(self, log):
        return sum(getattr(log, name) for name in SiteConditionLog.SYSTEMS)


@admin.register(Donation)
class DonationAdmin(PortalModelAdmin):
    list_display = ["station", "donor", "kind", "description", "value", "donated_on"]
    list_filter = ["kind"]
    search_fields = ["donor", "description", "station__name"]
    list_select_related = ["station"]
