"""The contractor's reports: draft, fill from service records, attach files, submit; downloads behind permission."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from contracts.models import ContractYear
from core.access import may, role_required, visible_or_404
from core.concurrency import VersionField, version_of
from core.forms import (
    PortalForm,
    PortalModelForm,
    form_page,
    multiple_file_field,
    post_action,
)
from core.lists import choice_filter, id_filter, list_page, month_filter
from core.text import phrase
from core.workbook import Column
from reports import selectors, services
from reports.compliance import owed_reports
from reports.models import Report, ReportReview, ServiceArea, ServiceKind
from reports.selectors import is_late
from stations.models import Station

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
        self.fields["people_served"].required = False
        self.fields["people_served"].help_text = gettext_lazy("等于下表各项人次之和；留空则自动按合计填写。")

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
    """Briefs and reports in the user's scope, filtered by station, kind, month and status (the review queue)."""
    reports = (
        Report.objects.visible_to(request.user)
        .select_related("contract_year__station", "contract_year__cycle__contractor")
        .order_by("-due_date", "contract_year__station_id")
    )

    def export(rows):
        return (
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
                for r in rows.iterator(2000)
            ),
        )

    def context(page):
        return {
            "is_author": may(request.user, "create", Report),
            "reviewable": set(
                Report.objects.visible_to(request.user, "review")
                .filter(pk__in=[r.pk for r in page])
                .values_list("pk", flat=True)
            ),
            "statuses": Report.Status.choices,
            "kinds": Report.Kind.choices,
            "stations": Station.objects.visible_to(request.user).order_by("name"),
            "owed": owed_rows(request),
        }

    return list_page(
        request,
        reports,
        template="reports/report_list.html",
        filters=[
            id_filter("station", "contract_year__station"),
            choice_filter("kind", "kind", Report.Kind.choices),
            choice_filter("status", "status", Report.Status.choices),
            month_filter("month", "period"),
        ],
        export=export,
        context=context,
    )


OWED_SHOWN = 20


def owed_rows(request) -> dict | None:
    """The report list's rows of reports owed and not started (未提交, 已逾期), narrowed by the same station, kind
    and month filters as the list; none when the status filter asks for reports that exist."""
    if request.GET.get("status", "") not in ("", "owed"):
        return None
    owed = owed_reports(request.user, Station.objects.visible_to(request.user))
    station, kind, month = (request.GET.get(name, "") for name in ("station", "kind", "month"))
    rows = [
        o
        for o in owed
        if (not station or str(o.station_id) == station)
        and (not kind or o.query["kind"] == kind)
        and (not month or o.query.get("period") == month)
    ]
    return {"rows": rows[:OWED_SHOWN], "count": len(rows)}


class MonthInput(forms.DateInput):
    """A month picker (yyyy-MM): a brief is for a month, not for a day of it."""

    input_type = "month"

    def __init__(self):
        super().__init__(format="%Y-%m")


class NewReportForm(PortalForm):
    contract_year = forms.ModelChoiceField(
        label=gettext_lazy("合同年度"), queryset=ContractYear.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("报告类别"), choices=Report.Kind.choices)
    period = forms.DateField(
        label=gettext_lazy("简报月份"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=MonthInput(),
        help_text=gettext_lazy("仅月度工作简报填写。"),
    )

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_year"].queryset = selectors.years_to_report(user, today)
        self.fields["contract_year"].label_from_instance = lambda y: f"{y.station.name} {y.label}"


@role_required(Role.CONTRACTOR)
def report_new(request: HttpRequest) -> HttpResponse:
    """A new report starts from what is owed: the station and year held now, the month's brief first. Opened for a
    report that exists already (from a reminder or the home page), it goes to that report."""
    today = timezone.localdate()
    user = request.user
    asked = request.GET if request.method == "GET" else {}
    existing = selectors.existing_report(user, asked)
    if existing is not None:
        return redirect("report-edit", pk=existing.pk)
    owed = owed_reports(user, Station.objects.visible_to(user), today)
    initial = dict(owed[0].query) if owed else {"kind": Report.Kind.MONTHLY}
    for name in ("year", "kind", "period"):
        if asked.get(name):
            initial[name] = asked[name]
    if "year" in initial:
        initial["contract_year"] = initial.pop("year")
    if "period" in initial:
        initial["period"] = initial["period"][:7]
    return form_page(
        request,
        NewReportForm(request.POST or None, user=user, today=today, initial=initial),
        lambda data: services.report_draft(
            contract_year=data["contract_year"], kind=data["kind"], period=data["period"], actor=user
        ),
        done=lambda report: (_("草稿已创建，请填写后提交。"), reverse("report-edit", args=[report.pk])),
        title=_("新建报告"),
        submit_label=_("创建草稿"),
        intro=_("月度工作简报于次月5日前提交（五（三），R-REP-1）。已按最早应交的报告预先选好，可以修改。"),
    )


@role_required(Role.CONTRACTOR)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(Report.objects.select_related("contract_year__station"), request.user, pk=pk)
    editable = report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
    current = {(f.area, f.kind): (f.sessions, f.people) for f in report.figures.all()}
    initial = {"version": version_of(report)}
    if request.method == "GET" and request.GET.get("fill") == "records":
        current = services.figures_from_records(report) or current
        initial["people_served"] = sum(people for _sessions, people in current.values())  # R-SVC-1: the total
        messages.info(request, _("已按本月服务记录填入服务数据，请核对后保存。"))
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        instance=report,
        figures=current,
        initial=initial,
    )
    submitting = request.POST.get("action") == "submit"

    def save(data):
        services.report_update(
            report=report,
            figures=form.figures(),
            attachments=data["attachments"],
            seen_version=data["version"],
            actor=request.user,
            **{k: v for k, v in data.items() if k in ReportForm.Meta.fields},
        )
        if submitting:
            services.report_submit(report=report, actor=request.user)
        return report

    return form_page(
        request,
        form,
        save,
        done=lambda saved: (
            _("报告已提交，区民政局和街道即可查看。") if submitting else _("草稿已保存。"),
            reverse("report-edit", args=[report.pk]),
        ),
        title=str(report),
        template="reports/report_edit.html",
        station=report.contract_year.station,
        context={
            "report": report,
            "editable": editable,
            "attachments": report.attachments.all(),
            "reviews": report.reviews.select_related("reviewed_by"),
            "late": is_late(report),
        },
    )


@require_POST
@role_required(Role.CONTRACTOR)
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(Report, request.user, pk=pk)
    return post_action(
        request,
        lambda: services.report_submit(report=report, actor=request.user),
        done=lambda submitted: _("报告已提交。"),
        back=reverse("report-edit", args=[report.pk]),
    )


class ReviewForm(PortalForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"), choices=ReportReview.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("退回修改时必须填写。"),
    )


@role_required(Role.BUREAU, Role.STREET)
def report_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """R-REP-3: the bureau or the station's street office reads a report — and, while it waits, accepts it or returns
    it with comments; after a review the next report waiting for this reviewer opens."""
    report = visible_or_404(
        Report.objects.select_related(
            "contract_year__station__street", "contract_year__cycle__contractor"
        ).prefetch_related("figures", "attachments", "reviews__reviewed_by"),
        request.user,
        pk=pk,
    )
    waiting = Report.objects.visible_to(request.user, "review")
    if not waiting.filter(pk=report.pk).exists():
        # Read-only once reviewed (or not yet submitted): the report, its figures and who reviewed it.
        return render(
            request,
            "reports/review.html",
            {
                "report": report,
                "title": str(report),
                "station": report.contract_year.station,
                "read_only": True,
            },
        )

    def next_waiting(review) -> tuple[str, str]:
        following = waiting.exclude(pk=report.pk).order_by("due_date", "pk").first()
        decided = _("审核结果已保存。")
        if following is None:
            return decided + _("没有其他待审核的报告了。"), reverse("report-list")
        return decided + _("下一份待审核：{report}。").format(report=following), reverse(
            "report-review", args=[following.pk]
        )

    return form_page(
        request,
        ReviewForm(request.POST or None),
        lambda data: services.report_review(
            report=report, decision=data["decision"], comment=data["comment"], actor=request.user
        ),
        done=next_waiting,
        title=_("审核：{report}").format(report=report),
        submit_label=_("提交审核结果"),
        station=report.contract_year.station,
        template="reports/review.html",
        context={"report": report, "waiting_count": waiting.count()},
    )
