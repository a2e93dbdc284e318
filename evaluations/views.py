import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from contracts.forms import ContractMoneyFields
from contracts.models import ContractYear, ProjectCycle
from contracts.selectors import brief_due
from core.access import can, role_required, visible_or_404
from core.concurrency import VersionField, version_of
from core.dates import months_between
from core.forms import PortalForm, date_input, form_page, post_action
from core.text import listing, phrase, plain
from evaluations import services
from evaluations.models import Evaluation, Renewal
from evaluations.selectors import Bands, scoring_sheet, sheet_year_of


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
    can_sign = can(request.user, "sign", evaluation)
    can_report = can(request.user, "report", evaluation)
    return render(
        request,
        "evaluations/detail.html",
        {
            "evaluation": evaluation,
            "can_sign": can_sign,
            "can_report": can_report,
            "station": evaluation.contract_year.station,
        },
    )


@require_POST
@role_required(Role.BUREAU)
def evaluation_report_view(request, pk: int):
    """R-EVAL-1: the bureau reports the signed result to the municipal bureau through the portal."""
    evaluation = visible_or_404(Evaluation, request.user, pk=pk)
    return post_action(
        request,
        lambda: services.evaluation_report(evaluation=evaluation, actor=request.user),
        done=lambda reported: _("已报市民政局。"),
        back=reverse("evaluation-detail", args=[evaluation.pk]),
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
    grade = forms.ChoiceField(
        label=gettext_lazy("评估等次"),
        choices=[("", gettext_lazy("按总分自动确定")), *Evaluation.Grade.choices],
        required=False,
        help_text=gettext_lazy("等次按总分所在分数段确定（R-EVAL-3）；选择的等次与分数段不符时不能保存。"),
    )
    summary = forms.CharField(
        label=gettext_lazy("评估意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for index, (item, maximum) in enumerate(sheet):
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
            for index, (item, maximum) in enumerate(self.sheet)
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
    sheet_year, sheet = scoring_sheet(sheet_year_of(year.start_date))
    form = EvaluationForm(
        request.POST or None, initial={"version": version_of(existing) if existing else ""}, sheet=sheet
    )
    bands = Bands.on(timezone.localdate())
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
            "评分表：{sheet}；等次分数段：优秀{excellent}，良好{good}，合格{passing}，不合格{fail}（R-EVAL-3）。"
        ).format(
            sheet=_("{year}年度评分表").format(year=sheet_year) if sheet_year else _("默认评分表"),
            excellent=bands.band_text(Evaluation.Grade.EXCELLENT),
            good=bands.band_text(Evaluation.Grade.GOOD),
            passing=bands.band_text(Evaluation.Grade.PASS),
            fail=bands.band_text(Evaluation.Grade.FAIL),
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
    headcount = forms.IntegerField(
        label=gettext_lazy("合同约定驻站社工人数"), min_value=1, max_value=20, required=False, initial=2
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["decision", "amount", "signed_on", "agreement_no", "headcount"]

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
    if (
        request.method == "GET"
        and not ContractYear.objects.visible_to(request.user, "decide").filter(pk=year.pk).exists()
    ):
        # A past year: say what was decided instead of offering a form that can only be refused. (A form posted
        # anyway goes to the service, whose conflict check answers two officers deciding at once.)
        renewal = Renewal.objects.filter(contract_year=year).first()
        messages.info(
            request,
            _("{label}已作出决定：{decision}（{day:%Y-%m-%d}）。").format(
                label=year.label, decision=renewal.get_decision_display(), day=renewal.decided_on
            )
            if renewal
            else _("{label}不是本周期最近的合同年度，或周期已结束，无需再作续签决定。").format(
                label=year.label
            ),
        )
        return redirect("station-detail", year.station_id)
    final = year.evaluations.filter(kind=Evaluation.Kind.FINAL).first()
    today = timezone.localdate()
    cycle_full = year.year_no >= year.cycle.planned_years
    signed = bool(final and final.is_signed)
    passing = signed and final.grade in Evaluation.PASSING_GRADES
    # Last year's contract as the starting point: the amount, its five lines, its sources and its headcount.
    initial = {
        "decision": Renewal.Decision.RENEW if passing and not cycle_full else Renewal.Decision.END,
        "amount": year.amount,
        "signed_on": today,
        "headcount": year.headcount,
        **{f"line_{line.line}": line.amount for line in year.budget_lines.all()},
        **{f"source_{source.source}": source.amount for source in year.funding.all()},
    }
    form = DecisionForm(request.POST or None, initial=initial)
    if signed and (cycle_full or not passing):
        # Only the end of the cycle is possible: say so before anything is typed, and offer nothing else — no
        # renewal amount, lines or sources to fill in for a renewal that cannot happen.
        form.fields["decision"].choices = [
            c for c in Renewal.Decision.choices if c[0] == Renewal.Decision.END
        ]
        for name in [n for n in form.fields if n not in ("decision", "note")]:
            del form.fields[name]

    def decide(data) -> str:
        if data["decision"] == Renewal.Decision.RENEW:
            next_year = services.contract_year_renew(
                contract_year=year,
                amount=data["amount"],
                signed_on=data["signed_on"],
                budget_lines=form.budget_lines(),
                funding=form.funding(),
                agreement_no=data["agreement_no"],
                headcount=data["headcount"],
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
    signatures = _("（街道、区民政局均已签字）") if signed else _("（尚未双方签字）")
    notes = []
    if cycle_full:
        notes.append(
            _("本周期的{n}个合同年度已全部签订，只能结束周期，下一周期须重新采购（R-CYCLE-1）。").format(
                n=year.cycle.planned_years
            )
        )
    elif not signed:
        notes.append(_("年度评估尚未完成或尚待双方签字：签字后才能决定续签或结束周期（R-EVAL-2）。"))
    elif not passing:
        notes.append(_("年度评估不合格，只能结束周期，按政府购买服务程序重新确定承接主体（R-CYCLE-2）。"))
    next_start = year.end_date + datetime.timedelta(days=1)
    if not cycle_full and passing and next_start < today:
        owed = [month for month in months_between(next_start, today) if brief_due(month) <= today]
        notes.append(
            _(
                "续签的合同年度自{start:%Y-%m-%d}起，已开始{days}天：签订后{months}的月度工作简报随即到期（R-REP-1）。"
            ).format(
                start=next_start,
                days=(today - next_start).days,
                months=listing(f"{m:%Y年%-m月}" for m in owed) if owed else _("尚无"),
            )
        )
    return form_page(
        request,
        form,
        decide,
        done=lambda message: (message, reverse("station-detail", args=[year.station_id])),
        title=_("{label}续签或结束周期 · {name}").format(label=year.label, name=year.cycle.contractor.name),
        intro=_(
            "{grade}{signed}。年度评估结果为良好或合格的续签合同，不合格的不再续签（三（五），R-CYCLE-2）。"
        ).format(grade=grade, signed=signatures)
        + "".join(str(note) for note in notes),
        submit_label=_("提交决定"),
        station=year.station,
        context={"read_only": not signed},  # nothing can be decided before both have signed
    )


class ScoringSheetForm(PortalForm):
    """R-EVAL-3: the bureau's scoring sheet for a year, one item per line: name and weight."""

    sheet_year = forms.IntegerField(label=gettext_lazy("评分表年度"), min_value=2021, max_value=2100)
    items = forms.CharField(
        label=gettext_lazy("评估指标及分值"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("每行一项：指标名称 分值，例如“服务成效 40”；分值合计100分。"),
    )

    def clean_items(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, _sep, weight = line.replace("，", " ").replace(",", " ").replace("\t", " ").rpartition(" ")
            try:
                maximum = Decimal(weight.strip())
            except ArithmeticError:
                maximum = None
            if not name.strip() or maximum is None or not maximum.is_finite():
                raise forms.ValidationError(
                    _("第{number}行应为“指标名称 分值”：{line}").format(number=number, line=line)
                )
            rows.append((name.strip(), maximum))
        return rows


@role_required(Role.BUREAU, Role.STREET, Role.MUNICIPAL)
def scoring_sheet_view(request):
    """The scoring sheets by year (everyone who evaluates or reads evaluations sees them); the bureau sets them."""
    from evaluations.models import ScoringItem

    sheets: dict[int, list] = {}
    for item in ScoringItem.objects.order_by("-sheet_year", "position"):
        sheets.setdefault(item.sheet_year, []).append(item)
    form = None
    if request.user.role == Role.BUREAU:
        this_year = timezone.localdate().year
        _year, current = scoring_sheet(this_year)
        form = ScoringSheetForm(
            request.POST or None,
            initial={
                "sheet_year": this_year,
                "items": "\n".join(f"{name} {plain(maximum)}" for name, maximum in current),
            },
        )
        if request.method == "POST":
            return form_page(
                request,
                form,
                lambda data: services.scoring_sheet_set(
                    sheet_year=data["sheet_year"], items=data["items"], actor=request.user
                ),
                done=lambda rows: (
                    _("{year}年度评分表已保存。").format(year=rows[0].sheet_year),
                    reverse("scoring-sheets"),
                ),
                title=_("设定评分表"),
                cancel_url=reverse("scoring-sheets"),
            )
    elif request.method == "POST":
        raise PermissionDenied(_("只有区民政局可以设定评分表。"))
    return render(
        request,
        "evaluations/sheets.html",
        {
            "sheets": sorted(sheets.items(), reverse=True),
            "form": form,
            "bands": Bands.on(timezone.localdate()),
        },
    )


class TerminationForm(PortalForm):
    end_date = forms.DateField(label=gettext_lazy("结束日期（最后一天）"), widget=date_input())
    reason = forms.ChoiceField(
        label=gettext_lazy("结束原因"),
        choices=[
            (ProjectCycle.EndReason.TERMINATED, gettext_lazy("提前终止（含承接主体退出）")),
            (ProjectCycle.EndReason.FAILED_EVALUATION, gettext_lazy("年度评估不合格，不再续签")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("原因说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("提前终止必须写明原因（依据的文件、会议或承接主体的申请）。"),
    )


@role_required(Role.BUREAU)
def cycle_terminate_view(request, pk: int):
    """R-CYCLE-3: end a cycle early; the year in force closes that day and the station can be procured again."""
    cycle = visible_or_404(
        ProjectCycle.objects.select_related("station__street", "contractor"), request.user, "terminate", pk=pk
    )
    return form_page(
        request,
        TerminationForm(request.POST or None, initial={"end_date": timezone.localdate()}),
        lambda data: services.cycle_terminate(
            cycle=cycle,
            end_date=data["end_date"],
            reason=data["reason"],
            note=data["note"],
            actor=request.user,
        ),
        done=lambda ended: (
            _("项目周期已于{day:%Y-%m-%d}结束；次日起可重新采购确定承接主体。").format(day=ended.end_date),
            reverse("station-detail", args=[cycle.station_id]),
        ),
        title=_("提前结束项目周期 · {name}").format(name=cycle.contractor.name),
        intro=_(
            "提前结束后，当日在履行的合同年度随之结束（保留原计划结束日期）；此后到期的月度简报、报告和评估不再要求提交，"
            "社工站自次日起可重新采购（R-CYCLE-3）。年度评估合格以上而不再续签的，须写明原因（R-CYCLE-2）。"
        ),
        submit_label=_("确认提前结束"),
        station=cycle.station,
    )
