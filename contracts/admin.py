from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from contracts import services
from contracts.forms import ContractMoneyFields
from contracts.models import (
    BudgetLine,
    Contractor,
    ContractorStaff,
    ContractYear,
    EligibilityDocument,
    EligibilityEvidence,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)
from core.admin_base import (
    PortalInline,
    PortalModelAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceWriteAdmin,
    placeable_accounts,
)
from core.forms import PortalModelForm, multiple_file_field


class EligibilityEvidenceInline(ReadOnlyInline):
    model = EligibilityEvidence
    fields = ["condition", "evidence", "reference", "verified_on", "valid_until", "verified_by"]


class ContractorStaffInline(PortalInline):
    """The contractor's accounts in the bureau's own district: a district's bureau links accounts for its district
    only (the register of contractors is shared; its staff lists are per district)."""

    model = ContractorStaff
    fields = ["district", "user"]
    user_pickers = ("user",)
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Not an account of another organisation, nor one linked for another district (its name is not the
            # bureau's to know): an organisation working in two districts has an account in each.
            elsewhere = ContractorStaff.objects.exclude(
                pk__in=ContractorStaff.objects.visible_to(request.user).values("pk")
            ).values("user")
            kwargs["queryset"] = placeable_accounts(
                Role.CONTRACTOR, ContractorStaff, "contractor", request
            ).exclude(pk__in=elsewhere)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Contractor)
class ContractorAdmin(PortalModelAdmin):
    # Registered through contracts.services.contractor_register (the portal's 登记承接主体); the credit code decides
    # condition 1 of R-PROC-2 and the name identifies it in every award. Contacts stay editable; the staff list
    # (access) is edited here.
    governed_fields = ("name", "credit_code", "registered_on")
    list_display = ["name", "credit_code", "legal_representative", "contact_person", "contact_phone"]
    search_fields = ["name", "short_name", "credit_code"]
    inlines = [EligibilityEvidenceInline, ContractorStaffInline]


class EligibilityDocumentInline(ReadOnlyInline):
    """The scans behind a verification: stored outside the web root, opened on the portal's contractor page."""

    model = EligibilityDocument
    fields = ["original_name", "content_type", "size", "uploaded_at"]


class EligibilityEvidenceAdminForm(PortalModelForm):
    documents = multiple_file_field(required=False, label=_("证明文件"))

    class Meta:
        model = EligibilityEvidence
        fields = ["contractor", "condition", "evidence", "reference", "verified_on", "valid_until"]


@admin.register(EligibilityEvidence)
class EligibilityEvidenceAdmin(ServiceWriteAdmin):
    """R-PROC-2: evidence of a condition and its document, recorded through contracts.services.eligibility_verify."""

    form = EligibilityEvidenceAdminForm
    inlines = [EligibilityDocumentInline]

    list_display = ["contractor", "condition", "evidence", "verified_on", "valid_until", "verified_by"]
    list_filter = ["condition"]
    search_fields = ["contractor__name", "evidence", "reference"]
    list_select_related = ["contractor", "verified_by"]

    def perform(self, request, form, obj):
        if obj is not None:
            return obj
        data = form.cleaned_data
        return services.eligibility_verify(
            contractor=data["contractor"],
            condition=data["condition"],
            evidence=data["evidence"],
            reference=data.get("reference", ""),
            verified_on=data["verified_on"],
            valid_until=data.get("valid_until"),
            documents=data.get("documents") or [],
            actor=request.user,
        )


class ProcurementAdminForm(PortalModelForm):
    cycle_start = forms.DateField(label="项目周期开始日期", required=False, help_text="确定承接主体时填写")

    class Meta:
        model = Procurement
        fields = [
            "station",
            "purchaser",
            "title",
            "project_no",
            "method",
            "budget_amount",
            "notice_date",
            "status",
            "award_date",
            "awarded_to",
            "agreement_signed_on",
            "note",
        ]


@admin.register(Procurement)
class ProcurementAdmin(ServiceWriteAdmin):
    """R-PROC-1..3: opened through procurement_start; awarded (opening the cycle) through procurement_award."""

    form = ProcurementAdminForm
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
    editable_on_change = ("awarded_to", "award_date", "agreement_signed_on")

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "station",
                "purchaser",
                "title",
                "project_no",
                "method",
                "budget_amount",
                "notice_date",
                "note",
            ]
        return [*ProcurementAdminForm.Meta.fields, "cycle_start"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status != Procurement.Status.OPEN:
            readonly = [*readonly, *self.editable_on_change]
        return readonly

    def perform(self, request, form, obj):
        data = form.cleaned_data
        if obj is None:
            return services.procurement_start(
                station=data["station"],
                purchaser=data["purchaser"],
                title=data["title"],
                project_no=data["project_no"],
                method=data["method"],
                budget_amount=data["budget_amount"],
                notice_date=data["notice_date"],
                actor=request.user,
            )
        if obj.status == Procurement.Status.OPEN and data.get("awarded_to"):
            if not data.get("award_date") or not data.get("cycle_start"):
                raise forms.ValidationError("确定承接主体须同时填写中标日期和项目周期开始日期。")
            services.procurement_award(
                procurement=obj,
                contractor=data["awarded_to"],
                award_date=data["award_date"],
                cycle_start=data["cycle_start"],
                agreement_signed_on=data.get("agreement_signed_on"),
                actor=request.user,
            )
        return Procurement.objects.get(pk=obj.pk)


class ContractYearInline(ReadOnlyInline):
    model = ContractYear
    fields = ["year_no", "start_date", "end_date", "amount", "signed_on", "agreement_no"]
    show_change_link = True


@admin.register(ProjectCycle)
class ProjectCycleAdmin(ReadOnlyAdmin):
    """Opened by an award and ended by a decision after an evaluation (services), shown here."""

    list_display = ["station", "contractor", "start_date", "planned_end_date", "end_date", "end_reason"]
    list_filter = ["end_reason", "contractor"]
    search_fields = ["station__name", "contractor__name"]
    list_select_related = ["station", "contractor"]
    inlines = [ContractYearInline]


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine


class FundingAllocationInline(ReadOnlyInline):
    model = FundingAllocation


class ContractYearAdminForm(ContractMoneyFields, PortalModelForm):
    """Signing a cycle's first contract year: its amount, budget lines and funding sources."""

    class Meta:
        model = ContractYear
        fields = ["cycle", "amount", "signed_on", "agreement_no"]


@admin.register(ContractYear)
class ContractYearAdmin(ServiceWriteAdmin):
    """R-CYCLE-1, R-FUND-1..3: a cycle's first year is signed here through contract_year_sign. A later year
    is a renewal (R-CYCLE-2), decided under 续签决定 after a passing, signed evaluation."""

    list_display = ["station", "cycle_contractor", "year_no", "start_date", "end_date", "amount", "signed_on"]
    list_filter = ["year_no", "start_date"]
    search_fields = ["station__name", "agreement_no", "cycle__contractor__name"]
    date_hierarchy = "start_date"
    list_select_related = ["station", "cycle__contractor"]
    inlines = [BudgetLineInline, FundingAllocationInline]
    editable_on_change = ("agreement_no",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ContractYearAdminForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            form = ContractYearAdminForm()
            return list(form.fields)
        return super().get_fields(request, obj)

    @admin.display(description="承接主体", ordering="cycle__contractor__name")
    def cycle_contractor(self, year):
        return year.cycle.contractor

    def perform(self, request, form, obj):
        data = form.cleaned_data
        if obj is not None:
            obj.agreement_no = data.get("agreement_no", obj.agreement_no)
            obj.full_clean()
            obj.save(update_fields=["agreement_no"])
            return obj
        cycle = data["cycle"]
        if cycle.years.exists():
            raise forms.ValidationError(
                "该项目周期已有合同年度：续签须在“续签决定”中依据年度评估办理（R-CYCLE-2）。"
            )
        return services.contract_year_sign(
            cycle=cycle,
            amount=data["amount"],
            signed_on=data["signed_on"],
            budget_lines=form.budget_lines(),
            funding=form.funding(),
            agreement_no=data.get("agreement_no", ""),
            actor=request.user,
        )
