from django.contrib import admin

from accounts.admin_base import PortalInline, PortalModelAdmin
from contracts.models import (
    BudgetLine,
    Contractor,
    ContractYear,
    EligibilityEvidence,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)


class EligibilityEvidenceInline(PortalInline):
    model = EligibilityEvidence
    fields = ["condition", "evidence", "reference", "verified_on", "valid_until", "verified_by"]


@admin.register(Contractor)
class ContractorAdmin(PortalModelAdmin):
    list_display = ["name", "credit_code", "legal_representative", "contact_person", "contact_phone"]
    search_fields = ["name", "short_name", "credit_code"]
    filter_horizontal = ["staff"]
    inlines = [EligibilityEvidenceInline]


@admin.register(EligibilityEvidence)
class EligibilityEvidenceAdmin(PortalModelAdmin):
    list_display = ["contractor", "condition", "evidence", "verified_on", "valid_until"]
    list_filter = ["condition"]
    search_fields = ["contractor__name", "evidence", "reference"]
    list_select_related = ["contractor"]


@admin.register(Procurement)
class ProcurementAdmin(PortalModelAdmin):
    list_display = [
        "title",
        "station",
        "purchaser",
        "method",
        "status",
        "notice_date",
        "award_date",
        "awarded_to",
    ]
    list_filter = ["status", "method", "purchaser"]
    search_fields = ["title", "project_no", "station__name", "awarded_to__name"]
    date_hierarchy = "notice_date"
    list_select_related = ["station", "awarded_to"]


class ContractYearInline(PortalInline):
    model = ContractYear
    fields = ["year_no", "start_date", "end_date", "amount", "signed_on", "agreement_no"]
    show_change_link = True


@admin.register(ProjectCycle)
class ProjectCycleAdmin(PortalModelAdmin):
    list_display = ["station", "contractor", "start_date", "planned_end_date", "end_date", "end_reason"]
    list_filter = ["end_reason", "contractor"]
    search_fields = ["station__name", "contractor__name"]
    list_select_related = ["station", "contractor"]
    inlines = [ContractYearInline]


class BudgetLineInline(PortalInline):
    model = BudgetLine


class FundingAllocationInline(PortalInline):
    model = FundingAllocation


@admin.register(ContractYear)
class ContractYearAdmin(PortalModelAdmin):
    list_display = ["station", "cycle_contractor", "year_no", "start_date", "end_date", "amount", "signed_on"]
    list_filter = ["year_no", "start_date"]
    search_fields = ["station__name", "agreement_no", "cycle__contractor__name"]
    date_hierarchy = "start_date"
    list_select_related = ["station", "cycle__contractor"]
    inlines = [BudgetLineInline, FundingAllocationInline]

    @admin.display(description="承接主体", ordering="cycle__contractor__name")
    def cycle_contractor(self, year):
        return year.cycle.contractor
