from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from contracts.forms import ContractMoneyFields
from contracts.models import ContractYear
from core.access import role_required, visible_or_404
from core.concurrency import VersionField, version_of
from core.forms import PortalForm, date_input, form_page, post_action
from core.text import listing, phrase
from evaluations import services
from evaluations.models import Evaluation, Renewal

SCORE_ITEMS = [
    (gettext_lazy("项目管理"), Decimal("20")),
    (gettext_lazy("人员配备"), Decimal("20")),
    (gettext_lazy("服务成效"), Decimal("40")),
    (gettext_lazy("资金使用"), Decimal("10")),
    (gettext_lazy("满意度"), Decimal("10")),
]


@role_required(Role.BUREAU, Role.STREET, Role.MUNICIPAL)
def evaluation_detail(request, pk: int):
    evaluation = visible_or_404(
        Evaluation.objects.select_related(
            "contract_year__station__street",
            "contract_year__cycle__contractor",
            "street_signed_by",
            "bureau_signed_by",
        ).prefetch_related("scores"),
        request.user,
        pk=pk,
    )
    can_sign = bool(evaluation.grade) and (
        (request.user.role == Role.STREET and evaluation.street_signed_at is None)
        or (request.user.role == Role.BUREAU and evaluation.bureau_signed_at is None)
    )
    return render(
        request,
        "evaluations/detail.html",
        {"evaluation": evaluation, "can_sign": can_sign, "station": evaluation.contract_year.station},
    )


@require_POST
@role_required(Role.BUREAU, Role.STREET)
def evaluation_sign_view(request, pk: int):
    """R-EVAL-2: the street office and the bureau each sign the graded evaluation."""
    evaluation = visible_or_404(Evaluation, request.user, pk=pk)
    return post_action(
        request,
        lambda: services.evaluation_sign(evaluation=evaluation, actor=request.user),
        done=lambda signed: _("已签字。"),
        back=reverse("evaluation-detail", args=[evaluation.pk]),
    )


class EvaluationForm(PortalForm):
    version = VersionField()
    held_on = forms.DateField(label=gettext_lazy("评估日期"), initial=timezone.localdate, widget=date_input())
    evaluator = forms.CharField(
        label=gettext_lazy("评估机构"), initial=gettext_lazy("区级社会工作指导中心"), max_length=100
    )
    grade = forms.ChoiceField(label=gettext_lazy("评估等次"), choices=Evaluation.Grade.choices)
    summary = forms.CharField(
        label=gettext_lazy("评估意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, (item, maximum) in enumerate(SCORE_ITEMS):
            self.fields[f"score_{index}"] = forms.DecimalField(
                label=_("{item}（满分{maximum}）").format(item=item, maximum=maximum),
                min_value=0,
                max_value=maximum,
                decimal_places=1,
                max_digits=5,
            )

    def scores(self):
        return [
            (item, maximum, self.cleaned_data[f"score_{index}"])
            for index, (item, maximum) in enumerate(SCORE_ITEMS)
        ]


@role_required(Role.BUREAU)
def evaluation_new(request, pk: int, kind: str):
    """R-EVAL-1: the bureau records a mid-term or year-end evaluation with its scores and grade."""
    year = visible_or_404(
        ContractYear.objects.select_related("station__street", "cycle__contractor"), request.user, pk=pk
    )
    if kind not in Evaluation.Kind.values:
        raise PermissionDenied(_("未知的评估类别。"))
    existing = Evaluation.objects.filter(contract_year=year, kind=kind).first()
    form = EvaluationForm(request.POST or None, initial={"version": version_of(existing) if existing else ""})
    return form_page(
        request,
        form,
        lambda data: services.evaluation_record(
            contract_year=year,
            kind=kind,
            held_on=data["held_on"],
            grade=data["grade"],
            scores=form.scores(),
            evaluator=data["evaluator"],
            summary=data["summary"],
            seen_version=data["version"],
            actor=request.user,
        ),
        done=lambda evaluation: (
            _("评估结果已保存，请街道办事处和区民政局签字。"),
            reverse("evaluation-detail", args=[evaluation.pk]),
        ),
        title=phrase(year.label, Evaluation.Kind(kind).label),
        intro=_(
            "区民政局会同街道评估（六（三））；年度评估须街道和区民政局双方签字后方可作为续签依据（R-EVAL-2）。"
        ),
        submit_label=_("保存评估结果"),
        station=year.station,
    )


class DecisionForm(ContractMoneyFields):
    decision = forms.ChoiceField(
        label=gettext_lazy("决定"), choices=Renewal.Decision.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=gettext_lazy("续签合同金额（元）"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=12,
    )
    signed_on = forms.DateField(label=gettext_lazy("续签合同签订日期"), required=False, widget=date_input())
    agreement_no = forms.CharField(label=gettext_lazy("续签合同编号"), required=False)
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["decision", "amount", "signed_on", "agreement_no"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.startswith("line_"):
                field.required = False  # required only for a renewal, checked by the service

    def clean(self):
        data = super().clean()
        if data.get("decision") == Renewal.Decision.RENEW:
            missing = [self.fields[n].label for n in ("amount", "signed_on") if not data.get(n)]
            missing += [
                self.fields[n].label for n in self.fields if n.startswith("line_") and data.get(n) is None
            ]
            if missing:
                raise forms.ValidationError(
                    _("续签须填写：{value}。").format(value=listing(str(m) for m in missing))
                )
        return data


@role_required(Role.BUREAU)
def contract_year_decide(request, pk: int):
    """R-CYCLE-2: after the signed year-end evaluation, renew into the next year or end the cycle."""
    year = visible_or_404(
        ContractYear.objects.select_related("station__street", "cycle__contractor"), request.user, pk=pk
    )
    final = year.evaluations.filter(kind=Evaluation.Kind.FINAL).first()
    form = DecisionForm(request.POST or None)

    def decide(data) -> str:
        if data["decision"] == Renewal.Decision.RENEW:
            next_year = services.contract_year_renew(
                contract_year=year,
                amount=data["amount"],
                signed_on=data["signed_on"],
                budget_lines=form.budget_lines(),
                funding=form.funding(),
                agreement_no=data["agreement_no"],
                actor=request.user,
            )
            return _("已续签{label}。").format(label=next_year.label)
        services.cycle_end_after_evaluation(contract_year=year, actor=request.user, note=data["note"])
        return _("项目周期已结束，请按政府购买服务程序重新确定承接主体。")

    grade = (
        _("年度评估：{grade}").format(grade=final.get_grade_display())
        if final and final.grade
        else _("尚无年度评估结果")
    )
    signed = _("（街道、区民政局均已签字）") if final and final.is_signed else _("（尚未双方签字）")
    return form_page(
        request,
        form,
        decide,
        done=lambda message: (message, reverse("station-detail", args=[year.station_id])),
        title=_("{label}续签或结束周期 · {name}").format(label=year.label, name=year.cycle.contractor.name),
        intro=_(
            "{grade}{signed}。年度评估结果为良好或合格的续签合同，不合格的不再续签（三（五），R-CYCLE-2）。"
        ).format(grade=grade, signed=signed),
        submit_label=_("提交决定"),
        station=year.station,
    )
