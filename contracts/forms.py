"""Form pieces shared by the admin and the portal: a contract year's money."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from contracts.models import BudgetLine, FundingAllocation
from core.forms import PortalForm


class _MoneyMethods(PortalForm):
    def budget_lines(self) -> dict:
        return {value: self.cleaned_data.get(f"line_{value}") for value in BudgetLine.Line.values}

    def funding(self) -> dict:
        return {
            value: self.cleaned_data[f"source_{value}"]
            for value in FundingAllocation.Source.values
            if self.cleaned_data.get(f"source_{value}")
        }


def _money_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for value, label in BudgetLine.Line.choices:
        fields[f"line_{value}"] = forms.DecimalField(
            label=format_lazy(gettext_lazy("经费科目：{label}"), label=label),
            min_value=0,
            decimal_places=2,
            max_digits=12,
        )
    for value, label in FundingAllocation.Source.choices:
        fields[f"source_{value}"] = forms.DecimalField(
            label=format_lazy(gettext_lazy("资金来源：{label}"), label=label),
            min_value=0,
            decimal_places=2,
            max_digits=12,
            required=False,
        )
    return fields


# Declared (not added in __init__) so that ModelForms and the admin's fieldsets know them: one field per
# budget line (R-FUND-2) and per funding source (R-FUND-3). Combine with forms.ModelForm or use alone.
ContractMoneyFields = type(
    "ContractMoneyFields",
    (_MoneyMethods,),
    {
        "__module__": __name__,
        "__doc__": "The budget lines and funding sources of a contract year's amount.",
        **_money_fields(),
    },
)
MONEY_FIELD_NAMES = list(_money_fields())
