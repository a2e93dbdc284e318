"""The contractor's reports: draft, fill from service records, attach files, submit; downloads behind permission."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from contracts.models import ContractYear
from core.access import may, role_required, visible_or_404
from core.concurrency import VersionField, version_of
from core.exports import list_export, wants_export
from core.forms import PortalForm, PortalModelForm, apply_errors, date_input, multiple_file_field
from core.pages import paginate
from core.text import phrase, sentences
from core.workbook import Column
from reports import services
from reports.models import Report, ServiceArea, ServiceKind
from reports.selectors import is_late

AREAS, KINDS = ServiceArea.choices, ServiceKind.choices


class ReportForm(PortalModelForm):
    version = VersionField()
    attachments = multiple_file_field(
        label=gettext_lazy("附件"),
        required=False,
        help_text=gettext_lazy("PDF、Word、Excel或图片，可多选，每个不超过20MB。"),
    )

    class Meta:
        model = Report
        fields = [
            "people_served",
            "volunteer_hours",
            "news_posts",
            "highlights",
            "problems",
            "next_plan",
            "experience_summary",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("highlights", "problems", "next_plan", "experience_summary")
        }

    def __init__(self, *args, figures=None, **kwargs):
        super().__init__(*args, **kwargs)
        figures = figures or {}
        for area, _label in AREAS:
            for kind, _kind_label in KINDS:
                sessions, people = figures.get((area, kind), (0, 0))
                self.fields[f"fig_{area}_{kind}_sessions"] = forms.IntegerField(min_value=0, initial=sessions)
                self.fields[f"fig_{area}_{kind}_people"] = forms.IntegerField(min_value=0, initial=people)
        if self.instance.kind != Report.Kind.FINAL:
            del self.fields["experience_summary"]

    def figures(self):
        return {
            (area, kind): (
                self.cleaned_data[f"fig_{area}_{kind}_sessions"],
                self.cleaned_data[f"fig_{area}_{kind}_people"],
            )
            for area, _ in AREAS
            for kind, _ in KINDS
        }

    def figure_rows(self):
        return [
            (
                label,
                [
                    (self[f"fig_{area}_{kind}_sessions"], self[f"fig_{area}_{kind}_people"])
                    for kind, _ in KINDS
                ],
            )
            for area, label in AREAS
        ]


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = (
        Report.objects.visible_to(request.user)
        .select_related("contract_year__station", "contract_year__cycle__contractor")
        .order_by("-due_date", "contract_year__station_id")
    )
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        reports = reports.filter(status=status)
    if wants_export(request):
        return list_export(
            request,
            _("报告"),
            [
                Column(_("社工站"), 30),
                Column(_("承接主体"), 30),
                Column(_("报告"), 24),
                Column(_("月份"), 10),
                Column(_("提交期限"), 12, "date"),
                Column(_("状态"), 10),
                Column(_("提交时间"), 16, "datetime"),
            ],
            (
                [
                    r.contract_year.station.name,
                    r.contract_year.cycle.contractor.name,
                    phrase(r.contract_year.label, r.get_kind_display()),
                    f"{r.period:%Y-%m}" if r.period else "",
                    r.due_date,
                    r.get_status_display(),
                    r.submitted_at,
                ]
                for r in reports.iterator(2000)
            ),
        )
    years = (
        ContractYear.objects.visible_to(request.user).select_related("station").order_by("-start_date")[:20]
        if request.user.role == Role.CONTRACTOR
        else []
    )
    query = request.GET.copy()
    query.pop("page", None)
    page = paginate(request, reports)
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "is_author": may(request.user, "create", Report),
            "reviewable": set(
                Report.objects.visible_to(request.user, "review")
                .filter(pk__in=[r.pk for r in page])
                .values_list("pk", flat=True)
            ),
            "status": status,
            "statuses": Report.Status.choices,
            "years": years,
            "kinds": Report.Kind.choices,
            "query": query.urlencode(),
            "page_sizes": (10, 20, 50, 100),
        },
    )


class NewReportForm(PortalForm):
    contract_year = forms.ModelChoiceField(
        label=gettext_lazy("合同年度"), queryset=ContractYear.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("报告类别"), choices=Report.Kind.choices)
    period = forms.DateField(
        label=gettext_lazy("简报月份（月度工作简报填写，取该月任一天）"), required=False, widget=date_input()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_year"].queryset = ContractYear.objects.visible_to(user).select_related(
            "station"
        )
        self.fields["contract_year"].label_from_instance = lambda y: f"{y.station.name} {y.label}"


@role_required(Role.CONTRACTOR)
def report_new(request: HttpRequest) -> HttpResponse:
    form = NewReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_draft(
                contract_year=data["contract_year"],
                kind=data["kind"],
                period=data["period"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            return redirect("report-edit", pk=report.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("新建报告"),
            "submit_label": _("创建草稿"),
            "intro": _("月度工作简报于次月5日前提交（五（三），R-REP-1）。"),
        },
    )


@role_required(Role.CONTRACTOR)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(Report.objects.select_related("contract_year__station"), request.user, pk=pk)
    editable = report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
    current = {(f.area, f.kind): (f.sessions, f.people) for f in report.figures.all()}
    if request.method == "GET" and request.GET.get("fill") == "records":
        current = services.figures_from_records(report) or current
        messages.info(request, _("已按本月服务记录填入服务数据，请核对后保存。"))
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        instance=report,
        figures=current,
        initial={"version": version_of(report)},
    )
    if request.method == "POST" and editable and form.is_valid():
        content = {k: v for k, v in form.cleaned_data.items() if k in ReportForm.Meta.fields}
        try:
            services.report_update(
                report=report,
                figures=form.figures(),
                attachments=form.cleaned_data["attachments"],
                seen_version=form.cleaned_data["version"],
                actor=request.user,
                **content,
            )
            if request.POST.get("action") == "submit":
                services.report_submit(report=report, actor=request.user)
                messages.success(request, _("报告已提交，区民政局和街道即可查看。"))
            else:
                messages.success(request, _("草稿已保存。"))
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            return redirect("report-edit", pk=report.pk)
    return render(
        request,
        "reports/report_edit.html",
        {
            "form": form,
            "report": report,
            "editable": editable,
            "station": report.contract_year.station,
            "attachments": report.attachments.all(),
            "reviews": report.reviews.all(),
            "late": is_late(report),
        },
    )


@require_POST
@role_required(Role.CONTRACTOR)
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(Report, request.user, pk=pk)
    try:
        services.report_submit(report=report, actor=request.user)
    except ValidationError as error:
        messages.error(request, sentences(error.messages))
    else:
        messages.success(request, _("报告已提交。"))
    return redirect("report-edit", pk=report.pk)
