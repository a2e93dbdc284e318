"""Forms of the reports app's own pages (the rules page's parameter change)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, date_input
from core.models import ParameterKey


class ParameterChangeForm(PortalForm):
    """The bureau sets a policy parameter's value from a day on, naming the document that decides it."""

    key = forms.ChoiceField(label=_("参数"), choices=ParameterKey.choices)
    value = forms.DecimalField(label=_("新的参数值"), max_digits=14, decimal_places=2, min_value=0)
    valid_from = forms.DateField(
        label=_("生效日期"), widget=date_input(), help_text=_("今天或以后；已经过去的日期不能生效。")
    )
    document_no = forms.CharField(
        label=_("依据文件（文号）"), max_length=100, help_text=_("例如：东民发〔2026〕12号")
    )
    note = forms.CharField(label=_("调整说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()
