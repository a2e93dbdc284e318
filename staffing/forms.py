from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import PortalForm, PortalModelForm, date_input
from staffing.models import (
    Qualification,
    SocialWorker,
    SupervisionSession,
    Training,
    Volunteer,
    VolunteerHours,
    VolunteerIncentive,
    VolunteerInsurance,
)
from stations.models import District


class PostingForm(PortalForm):
    """Posting a resident social worker to the station (R-STAFF-4, R-STAFF-5)."""

    worker = forms.ModelChoiceField(label=gettext_lazy("社工"), queryset=SocialWorker.objects.none())
    start_date = forms.DateField(
        label=gettext_lazy("到岗日期"), initial=timezone.localdate, widget=date_input()
    )
    is_full_time = forms.BooleanField(label=gettext_lazy("专职"), required=False, initial=True)
    has_labour_contract = forms.BooleanField(
        label=gettext_lazy("已与本机构签订劳动合同"), required=False, initial=True
    )
    late_reason = forms.CharField(
        label=gettext_lazy("例外派驻原因（仅区民政局登记逾期派驻或期限后到岗的未取得资质社工时填写）"),
        required=False,
    )

    def __init__(self, *args, workers, show_late_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        if not show_late_reason:
            del self.fields["late_reason"]


class ServiceValidated:
    """A model form whose fields and labels come from the model, while the record is checked and saved by the
    service (which knows the rules and cites them); the form does not build or validate an instance itself."""

    def _post_clean(self):
        pass


def time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WorkerForm(ServiceValidated, PortalModelForm):
    """Registering a social worker of the organisation; the ID number and phone are checked by the service."""

    class Meta:
        model = SocialWorker
        fields = ["name", "gender", "id_number", "phone", "education", "major", "employed_on"]
        widgets = {"employed_on": date_input()}
        help_texts = {"id_number": gettext_lazy("18位居民身份证号码，屏幕上只显示前6位和后4位。")}

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(districts) > 1:
            # The organisation's account works in several districts: the worker joins one district's roster.
            self.fields["district"] = forms.ModelChoiceField(
                label=gettext_lazy("所在区"),
                queryset=District.objects.filter(pk__in=[d.pk for d in districts]),
            )


class QualificationForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = Qualification
        fields = ["level", "certificate_no", "obtained_on"]
        widgets = {"obtained_on": date_input()}


class PostingEndForm(PortalForm):
    end_date = forms.DateField(
        label=gettext_lazy("离岗日期"), initial=timezone.localdate, widget=date_input()
    )


class WorkerLeaveForm(PortalForm):
    left_on = forms.DateField(label=gettext_lazy("离职日期"), initial=timezone.localdate, widget=date_input())


class SupervisionForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = SupervisionSession
        fields = ["held_on", "supervisor", "topic", "hours", "workers"]
        widgets = {"held_on": date_input(), "workers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = workers
        self.fields["supervisor"].initial = _("东丽区社会工作指导中心 督导组")


class VolunteerForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = Volunteer
        fields = ["station", "name", "phone", "team", "skills", "registered_on"]
        widgets = {"registered_on": date_input()}

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"] = forms.ModelChoiceField(label=_("社工站"), queryset=stations)
        self.fields["registered_on"].initial = timezone.localdate


class VolunteerHoursForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = VolunteerHours
        fields = ["served_on", "start_time", "end_time", "activity"]
        widgets = {"served_on": date_input(), "start_time": time_input(), "end_time": time_input()}
        help_texts = {"end_time": gettext_lazy("服务时长按开始和结束时间计算；同一志愿者的时间段不能重叠。")}


class VolunteerIncentiveForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = VolunteerIncentive
        fields = ["kind", "awarded_on", "description"]
        widgets = {"awarded_on": date_input()}


class VolunteerInsuranceForm(ServiceValidated, PortalModelForm):
    class Meta:
        model = VolunteerInsurance
        fields = ["insurer", "policy_no", "start_date", "end_date"]
        widgets = {"start_date": date_input(), "end_date": date_input()}


class TrainingForm(PortalForm):
    title = forms.CharField(label=gettext_lazy("培训名称"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("培训类别"), choices=Training.Kind.choices)
    held_on = forms.DateField(label=gettext_lazy("培训日期"), widget=date_input())
    hours = forms.DecimalField(
        label=gettext_lazy("学时"), min_value=Decimal("0.5"), max_digits=5, decimal_places=1
    )
    provider = forms.CharField(label=gettext_lazy("组织单位"), max_length=100, required=False)
    passed = forms.ModelMultipleChoiceField(
        label=gettext_lazy("考核合格的社工"),
        queryset=SocialWorker.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    failed = forms.ModelMultipleChoiceField(
        label=gettext_lazy("参加但未合格的社工"),
        queryset=SocialWorker.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passed"].queryset = workers
        self.fields["failed"].queryset = workers
        self.fields["provider"].initial = Training._meta.get_field("provider").get_default()
