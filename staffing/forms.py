from django import forms
from django.utils import timezone

from accounts.forms_util import date_input
from staffing.models import SocialWorker


class PostingForm(forms.Form):
    """Posting a resident social worker to the station (R-STAFF-4, R-STAFF-5)."""

    worker = forms.ModelChoiceField(label="社工", queryset=SocialWorker.objects.none())
    start_date = forms.DateField(label="到岗日期", initial=timezone.localdate, widget=date_input())
    is_full_time = forms.BooleanField(label="专职", required=False, initial=True)
    has_labour_contract = forms.BooleanField(label="已与本机构签订劳动合同", required=False, initial=True)
    late_reason = forms.CharField(label="逾期派驻原因（仅区民政局登记逾期派驻时填写）", required=False)

    def __init__(self, *args, workers, show_late_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        if not show_late_reason:
            del self.fields["late_reason"]
