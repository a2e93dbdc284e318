from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required, visible_or_404
from accounts.forms_util import apply_errors, date_input
from accounts.models import ParameterKey, Role
from accounts.parameters import parameter
from contracts.forms import ContractMoneyFields
from contracts.models import ProjectCycle
from contracts.services import contract_year_sign


class ContractYearForm(ContractMoneyFields):
    """Signing a contract year: the amount, its five budget lines and its funding sources (R-FUND-1..3)."""

    amount = forms.DecimalField(
        label="合同金额（元）", min_value=Decimal("0.01"), decimal_places=2, max_digits=12
    )
    signed_on = forms.DateField(label="签订日期", initial=timezone.localdate, widget=date_input())
    agreement_no = forms.CharField(label="合同编号", required=False, max_length=50)

    field_order = ["amount", "signed_on", "agreement_no"]


@role_required(Role.BUREAU)
def contract_year_sign_view(request, pk: int):
    """Sign the first contract year of a cycle (a later year is a renewal, decided after the evaluation)."""
    cycle = visible_or_404(
        ProjectCycle.objects.select_related("station__street", "contractor"), request.user, pk=pk
    )
    form = ContractYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            year = contract_year_sign(
                cycle=cycle,
                amount=data["amount"],
                signed_on=data["signed_on"],
                budget_lines=form.budget_lines(),
                funding=form.funding(),
                agreement_no=data["agreement_no"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已签订{year.label}合同，金额¥{year.amount:,.2f}。")
            return redirect("station-detail", pk=cycle.station_id)
    cap = parameter(ParameterKey.ANNUAL_AMOUNT_CAP, timezone.localdate())
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "station": cycle.station,
            "title": f"签订合同年度 · {cycle.contractor.name}",
            "intro": f"项目周期{cycle.start_date:%Y-%m-%d}至{cycle.planned_end_date:%Y-%m-%d}。年度资金标准¥{cap:,.2f}"
            "（R-FUND-1）；五类经费科目合计和资金来源合计须等于合同金额（R-FUND-2、R-FUND-3）。",
            "submit_label": "签订",
        },
    )
