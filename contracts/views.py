from decimal import Decimal

from django import forms
from django.db.models import Count, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role
from contracts.forms import ContractMoneyFields
from contracts.models import Contractor, EligibilityEvidence, Procurement, ProjectCycle
from contracts.selectors import eligibility_missing
from contracts.services import (
    contract_year_sign,
    contractor_register,
    eligibility_verify,
    procurement_award,
    procurement_start,
)
from core.access import role_required, visible_or_404
from core.forms import PortalForm, PortalModelForm, date_input, form_page, multiple_file_field
from core.lists import list_page, text_filter
from core.models import ParameterKey
from core.parameters import int_parameter, parameter
from stations.models import Station


class ContractYearForm(ContractMoneyFields):
    """Signing a contract year: the amount, its five budget lines and its funding sources (R-FUND-1..3)."""

    amount = forms.DecimalField(
        label=gettext_lazy("合同金额（元）"), min_value=Decimal("0.01"), decimal_places=2, max_digits=12
    )
    signed_on = forms.DateField(
        label=gettext_lazy("签订日期"), initial=timezone.localdate, widget=date_input()
    )
    agreement_no = forms.CharField(label=gettext_lazy("合同编号"), required=False, max_length=50)
    headcount = forms.IntegerField(
        label=gettext_lazy("合同约定驻站社工人数"),
        min_value=1,
        max_value=20,
        initial=2,
        required=False,
        help_text=gettext_lazy(
            "足额配备的人数（R-STAFF-7），不填按驻站社工最少人数参数；少于此数超过规定天数即为问题。"
        ),
    )

    field_order = ["amount", "signed_on", "agreement_no", "headcount"]


@role_required(Role.BUREAU)
def contract_year_sign_view(request, pk: int):
    """Sign the first contract year of a cycle (a later year is a renewal, decided after the evaluation)."""
    cycle = visible_or_404(
        ProjectCycle.objects.select_related("station__street", "contractor"), request.user, pk=pk
    )
    form = ContractYearForm(request.POST or None)
    today = timezone.localdate()
    cap = parameter(ParameterKey.ANNUAL_AMOUNT_CAP, today)
    standard = parameter(ParameterKey.ANNUAL_AMOUNT_STANDARD, today)
    return form_page(
        request,
        form,
        lambda data: contract_year_sign(
            cycle=cycle,
            amount=data["amount"],
            signed_on=data["signed_on"],
            budget_lines=form.budget_lines(),
            funding=form.funding(),
            agreement_no=data["agreement_no"],
            headcount=data["headcount"],
            actor=request.user,
        ),
        done=lambda year: (
            _("已签订{label}合同，金额¥{amount:,.2f}。").format(label=year.label, amount=year.amount),
            reverse("station-detail", args=[cycle.station_id]),
        ),
        title=_("签订合同年度 · {name}").format(name=cycle.contractor.name),
        intro=_(
            "项目周期{start_date:%Y-%m-%d}至{planned_end_date:%Y-%m-%d}。方案的年度资金标准为每年力争达到¥{standard:,.2f}；"
            "区民政局购买的合同不超过区民政局的预算上限¥{cap:,.2f}，街道购买的参照执行（R-FUND-1）。"
            "五类经费科目合计和资金来源合计须等于合同金额（R-FUND-2、R-FUND-3）。"
        ).format(
            start_date=cycle.start_date, planned_end_date=cycle.planned_end_date, cap=cap, standard=standard
        ),
        submit_label=_("签订"),
        station=cycle.station,
    )


class ProcurementForm(PortalModelForm):
    class Meta:
        model = Procurement
        fields = ["purchaser", "title", "project_no", "method", "budget_amount", "notice_date", "note"]
        widgets = {"notice_date": date_input(), "note": forms.Textarea(attrs={"rows": 2})}


@role_required(Role.BUREAU, Role.STREET)
def procurement_new(request, pk: int):
    """Open a government procurement for a station (R-PROC-1, R-PROC-3), e.g. after a failed evaluation."""
    station = visible_or_404(Station.objects.select_related("street"), request.user, pk=pk)
    initial = {
        "purchaser": "street" if request.user.role == Role.STREET else "bureau",
        "title": _("{name}社会工作服务项目").format(name=station.name),
        "notice_date": timezone.localdate(),
    }
    return form_page(
        request,
        ProcurementForm(request.POST or None, initial=initial),
        lambda data: procurement_start(
            station=station, actor=request.user, **{k: v for k, v in data.items() if k != "note"}
        ),
        done=lambda procurement: (_("采购已登记。"), reverse("station-detail", args=[station.pk])),
        title=_("发起政府采购"),
        intro=_("购买主体为区民政局或街道办事处（三（一））；通过政府采购招投标确定承接主体（六（二））。"),
        submit_label=_("登记采购"),
        station=station,
    )


class AwardForm(PortalForm):
    contractor = forms.ModelChoiceField(
        label=gettext_lazy("中标承接主体"), queryset=Contractor.objects.none()
    )
    award_date = forms.DateField(label=gettext_lazy("中标（成交）日期"), widget=date_input())
    agreement_signed_on = forms.DateField(
        label=gettext_lazy("服务协议签订日期"), required=False, widget=date_input()
    )
    cycle_start = forms.DateField(label=gettext_lazy("项目周期开始日期"), widget=date_input())
    cycle_years = forms.IntegerField(
        label=gettext_lazy("周期年数"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=gettext_lazy("原则上按政策参数（三年）；更长的周期须由区民政局写明原因（R-CYCLE-1）。"),
    )
    longer_reason = forms.CharField(
        label=gettext_lazy("周期长于原则年限的原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, standard_years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = Contractor.objects.visible_to(user).order_by("name")
        self.fields["cycle_years"].initial = standard_years


@role_required(Role.BUREAU, Role.STREET)
def procurement_award_view(request, pk: int):
    """Award: the contractor must have verified evidence of all three conditions (R-PROC-2)."""
    procurement = visible_or_404(Procurement.objects.select_related("station__street"), request.user, pk=pk)
    today = timezone.localdate()
    contractors = Contractor.objects.visible_to(request.user).prefetch_related("evidence").order_by("name")
    eligibility = [(c, eligibility_missing(c, today), list(c.evidence.all())) for c in contractors]
    return form_page(
        request,
        AwardForm(
            request.POST or None,
            user=request.user,
            standard_years=int_parameter(ParameterKey.CYCLE_YEARS, today),
        ),
        lambda data: procurement_award(
            procurement=procurement,
            contractor=data["contractor"],
            award_date=data["award_date"],
            cycle_start=data["cycle_start"],
            agreement_signed_on=data["agreement_signed_on"],
            cycle_years=data["cycle_years"],
            longer_reason=data["longer_reason"],
            actor=request.user,
        ),
        done=lambda cycle: (
            _("已确定承接主体：{name}，项目周期已建立。").format(name=cycle.contractor.name),
            reverse("station-detail", args=[procurement.station_id]),
        ),
        title=_("确定承接主体：{title}").format(title=procurement.title),
        submit_label=_("确定承接主体"),
        station=procurement.station,
        template="contracts/award.html",
        context={"procurement": procurement, "eligibility": eligibility},
    )


class ContractorForm(PortalModelForm):
    class Meta:
        model = Contractor
        fields = [
            "name",
            "short_name",
            "credit_code",
            "legal_representative",
            "registered_on",
            "address",
            "contact_person",
            "contact_phone",
        ]
        widgets = {"registered_on": date_input()}


class EvidenceForm(PortalModelForm):
    documents = multiple_file_field(
        required=False,
        label=gettext_lazy("证明文件"),
        help_text=gettext_lazy("证书、章程、审计报告、信用记录等的扫描件或照片（PDF、图片或Office文件）。"),
    )

    class Meta:
        model = EligibilityEvidence
        fields = ["condition", "evidence", "reference", "verified_on", "valid_until"]
        widgets = {"verified_on": date_input(), "valid_until": date_input()}
        help_texts = {
            "evidence": gettext_lazy(
                "如：社会组织登记证书、章程；近三年财务审计报告和纳税证明；信用中国查询结果。"
            )
        }

    def _post_clean(self):
        """Checked and saved by the service, which cites R-PROC-2."""


@require_GET
@role_required(Role.BUREAU)
def contractor_list(request):
    """The organisations the bureau may award to, with whether each meets the three conditions today; searched
    by name or credit code, a page at a time (a province has thousands)."""
    today = timezone.localdate()
    contractors = (
        Contractor.objects.visible_to(request.user)
        .annotate(
            stations_held=Count(
                "cycles",
                # Stations held in the user's own scope: where else it works is another bureau's to see.
                filter=Q(
                    cycles__start_date__lte=today,
                    cycles__end_date__gte=today,
                    cycles__station__in=Station.objects.visible_to(request.user).values("pk"),
                ),
                distinct=True,
            )
        )
        .order_by("name")
    )

    def rows(page):
        # Their evidence for one page of organisations, in one query.
        prefetch_related_objects(page.object_list, "evidence")
        return {"rows": [(c, eligibility_missing(c, today)) for c in page]}

    return list_page(
        request,
        contractors,
        template="contracts/contractor_list.html",
        filters=[text_filter("q", "name__contains", "short_name__contains", "credit_code__contains")],
        context=rows,
    )


@role_required(Role.BUREAU)
def contractor_new(request):
    return form_page(
        request,
        ContractorForm(request.POST or None),
        lambda data: contractor_register(actor=request.user, **data),
        done=lambda c: (
            _("已登记{name}，请核验其承接条件。").format(name=c.name),
            reverse("contractor-detail", args=[c.pk]),
        ),
        title=_("登记承接主体"),
        submit_label=_("登记"),
        cancel_url=reverse("contractor-list"),
        context={"crumbs": [(_("承接主体"), reverse("contractor-list"))]},
    )


@role_required(Role.BUREAU)
def contractor_detail(request, pk: int):
    """One organisation: its conditions with their evidence (R-PROC-2), and a form to record a verification."""
    contractor = visible_or_404(Contractor, request.user, pk=pk)
    today = timezone.localdate()
    form = EvidenceForm(request.POST or None, request.FILES or None, initial={"verified_on": today})
    response = form_page(
        request,
        form,
        lambda data: eligibility_verify(contractor=contractor, actor=request.user, **data),
        done=lambda e: (
            _("已记录“{condition}”的核验。").format(condition=e.get_condition_display()),
            reverse("contractor-detail", args=[pk]),
        ),
        title=contractor.name,
        submit_label=_("记录核验"),
        template="contracts/contractor_detail.html",
        context={
            "contractor": contractor,
            "missing": eligibility_missing(contractor, today),
            "evidence": contractor.evidence.select_related("verified_by")
            .prefetch_related("documents")
            .order_by("condition", "-verified_on"),
            # Its cycles in the user's own district: where else it works is another bureau's to see.
            "cycles": ProjectCycle.objects.visible_to(request.user)
            .filter(contractor=contractor)
            .select_related("station")
            .order_by("-start_date"),
            "crumbs": [(_("承接主体"), reverse("contractor-list"))],
            "today": today,
        },
    )
    return response
