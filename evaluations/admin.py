from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.forms import ContractMoneyFields
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ServiceWriteAdmin
from core.forms import PortalModelForm
from evaluations import services
from evaluations.models import Evaluation, EvaluationScore, Renewal, ScoringItem


class EvaluationScoreInline(ReadOnlyInline):
    model = EvaluationScore


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    """Evaluations are recorded and signed through evaluations.services (R-EVAL-1, R-EVAL-2)."""

    list_display = [
        "contract_year",
        "kind",
        "due_date",
        "held_on",
        "total_score",
        "grade",
        "street_signed_at",
        "bureau_signed_at",
    ]
    list_filter = ["kind", "grade"]
    search_fields = ["contract_year__station__name"]
    list_select_related = ["contract_year__station"]
    inlines = [EvaluationScoreInline]
    actions = ["sign_as_bureau"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(
            request, obj
        )  # for the action

    @admin.action(description="以区民政局身份签字（R-EVAL-2）")
    def sign_as_bureau(self, request, queryset):
        for evaluation in queryset:
            try:
                services.evaluation_sign(evaluation=evaluation, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    f"{evaluation}：{'；'.join(getattr(error, 'messages', [str(error)]))}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"{evaluation}：已签字。", messages.SUCCESS)


class RenewalAdminForm(ContractMoneyFields, PortalModelForm):
    """A renewal decision; for 续签, the next contract year's terms."""

    amount = forms.DecimalField(
        label="续签合同金额（元）", required=False, min_value=0, decimal_places=2, max_digits=12
    )
    signed_on = forms.DateField(label="续签合同签订日期", required=False)
    agreement_no = forms.CharField(label="续签合同编号", required=False)

    class Meta:
        model = Renewal
        fields = ["contract_year", "decision", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.startswith("line_"):
                field.required = False  # only a renewal needs the next year's money


@admin.register(Renewal)
class RenewalAdmin(ServiceWriteAdmin):
    """R-CYCLE-2: renew (contract_year_renew) or end the cycle (cycle_end_after_evaluation) after a signed
    year-end evaluation; refused after 不合格 or without both signatures."""

    form = RenewalAdminForm
    list_display = ["contract_year", "decision", "decided_on", "evaluation", "next_year"]
    list_filter = ["decision"]
    search_fields = ["contract_year__station__name"]
    list_select_related = [
        "contract_year__station",
        "next_year__station",
        "evaluation__contract_year__station",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(RenewalAdminForm().fields)
        return super().get_fields(request, obj)

    def perform(self, request, form, obj):
        if obj is not None:
            return obj
        data = form.cleaned_data
        year = data["contract_year"]
        if data["decision"] == Renewal.Decision.END:
            services.cycle_end_after_evaluation(
                contract_year=year, actor=request.user, note=data.get("note", "")
            )
            return Renewal.objects.get(contract_year=year)
        if data.get("amount") is None or data.get("signed_on") is None:
            raise ValidationError("续签须填写续签合同金额和签订日期，以及五类经费科目和资金来源。")
        lines = form.budget_lines()
        if any(value is None for value in lines.values()):
            raise ValidationError("续签须填写全部五类经费科目。")
        services.contract_year_renew(
            contract_year=year,
            amount=data["amount"],
            signed_on=data["signed_on"],
            budget_lines=lines,
            funding=form.funding(),
            agreement_no=data.get("agreement_no", ""),
            actor=request.user,
        )
        return Renewal.objects.get(contract_year=year)


@admin.register(ScoringItem)
class ScoringItemAdmin(ReadOnlyAdmin):
    """R-EVAL-3: the bureau sets the sheets on the portal (评分表), through evaluations.services.scoring_sheet_set."""

    list_display = ["sheet_year", "position", "name", "max_score", "set_by"]
    list_filter = ["sheet_year"]
