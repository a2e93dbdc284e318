"""The pages that read across apps: home pages per role, the station list and the station's whole story,
findings and the rule catalogue. Every queryset starts from visible_to(request.user)."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role, sees_people
from contracts.models import Contractor, ContractYear, Procurement, ProjectCycle
from core.access import can, may, role_required, visible_or_404
from core.crypto import EncryptedCharField
from core.exports import list_export, wants_export
from core.findings import findings_rows_sheet
from core.forms import PortalForm, apply_errors
from core.masking import masked
from core.pages import PAGE_SIZES, filter_query, paginate
from core.policy import PLAN_TITLE, RULES
from core.text import listing
from core.workbook import Column
from evaluations.models import Evaluation
from reports import charts, selectors
from reports import services as report_services
from reports.compliance import due_items, findings, for_viewer
from reports.findings_cache import cached
from reports.models import Report, ReportFigure, ReportReview
from reports.selectors import StationStatus
from staffing.models import Posting
from staffing.selectors import in_force, qualification_rows, team_counts
from stations.models import AnnualPlan, District, SiteConditionLog, Station
from stations.selectors import pinned

BUSINESS_ROLES = (Role.BUREAU, Role.STREET, Role.CONTRACTOR, Role.MUNICIPAL)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    match request.user.role:
        case Role.BUREAU:
            return bureau_dashboard(request)
        case Role.STREET:
            station = Station.objects.visible_to(request.user).first()
            if station is not None:
                return redirect("station-detail", pk=station.pk)
        case Role.MUNICIPAL:
            return municipal_overview(request)
        case Role.CONTRACTOR:
            return contractor_home(request)
    return render(request, "home.html", {"stations": None})


def bureau_dashboard(request: HttpRequest) -> HttpResponse:
    """The rollout dashboard. Its body is the same for everyone of the same scope on the same data and day, so it
    is rendered once per data fingerprint (reports/findings_cache.py) and served from the cache until data changes."""
    today = timezone.localdate()
    stations = Station.objects.visible_to(request.user)

    def render_body() -> str:
        return render_to_string(
            "reports/dashboard_body.html", _dashboard_context(request, stations, today), request=request
        )

    body = cached("dashboard", stations, today, render_body)
    return render(request, "reports/dashboard.html", {"body": mark_safe(body)})  # noqa: S308 - our own rendering


def _dashboard_context(request, stations, today) -> dict:
    found = findings(stations, today)
    due = due_items(stations, today, days=31)
    scope = pinned(stations)
    plan_years = selectors.plan_against_reality(scope, today)
    rows, first, last = selectors.timeline_rows(scope, today)
    built = sum(y.built for y in plan_years)
    total = sum(y.planned for y in plan_years)
    district = District.objects.visible_to(request.user).select_related("plan").first()
    district_totals = selectors.monthly_service_totals(
        ReportFigure.objects.visible_to(request.user), months=6
    )
    mine = [f for f in found if f.responsible == Role.BUREAU and f.severity in ("error", "warn")]
    context = {
        "today": today,
        "plan_years": plan_years,
        "built": built,
        "total": total,
        "coverage_percent": round(100 * built / total) if total else 0,
        "plan_chart": charts.plan_vs_built([(y.year, y.planned, y.built) for y in plan_years]),
        "timeline": charts.timeline(rows, first, last, today),
        "summary": selectors.findings_summary(found),
        "findings": found,
        "my_findings": mine,
        "due": due,
        "month_due": [item for item in due if item.due.month == today.month and item.due.year == today.year],
        "district": district,
        "service_totals": district_totals,
        "plan": getattr(district, "plan", None) if district else None,
    }
    return context


def contractor_home(request: HttpRequest) -> HttpResponse:
    """The contractor's stations, what it owes this month and overdue, findings against it, reports to fix."""
    today = timezone.localdate()
    user = request.user
    stations = Station.objects.visible_to(user)
    org_ids = set(user.contractor_memberships.values_list("contractor", flat=True))
    held = {s.pk for s in stations}

    def ours(item) -> bool:
        return (item.contractor_id in org_ids) or (item.contractor_id is None and item.station_id in held)

    found = [f for f in findings(stations, today) if f.responsible == Role.CONTRACTOR and ours(f)]
    due = [d for d in due_items(stations, today, days=31) if d.responsible == Role.CONTRACTOR and ours(d)]
    returned = (
        Report.objects.visible_to(user)
        .filter(status=Report.Status.RETURNED)
        .select_related("contract_year__station")
        .prefetch_related("reviews")
    )
    return render(
        request,
        "reports/contractor_home.html",
        {
            "rows": selectors.station_rows(stations, today),
            "findings": found,
            "due": due,
            "returned": returned,
            "today": today,
            "status_labels": StationStatus.LABELS,
            "status_tags": StationStatus.TAGS,
        },
    )


def municipal_overview(request: HttpRequest) -> HttpResponse:
    """Every district's totals, aggregated by district in the database: a fixed number of queries for a city of
    11 stations or a province of 40,000 (one page of districts at a time, plus the totals)."""
    today = timezone.localdate()
    page = paginate(request, District.objects.visible_to(request.user).order_by("code"))
    everywhere = Station.objects.visible_to(request.user)
    # A province's totals read every station: kept until the data changes (reports/findings_cache.py).
    totals = cached("coverage", everywhere, today, lambda: selectors.coverage_by_district(everywhere, today))
    on_page = selectors.coverage_by_district(
        Station.objects.visible_to(request.user).filter(street__district__in=[d.pk for d in page]),
        today,
        by_district=True,
    )
    grades = selectors.grades_by_district(
        Evaluation.objects.visible_to(request.user).filter(
            contract_year__station__street__district__in=[d.pk for d in page]
        )
    )
    districts = [
        {"district": d, **on_page.get(d.pk, selectors.EMPTY_COVERAGE), "grades": grades.get(d.pk, {})}
        for d in page
    ]
    evaluations = (
        Evaluation.objects.visible_to(request.user)
        # Results reach the municipal bureau once both the street and the bureau have signed (R-EVAL-1, -2).
        .filter(kind=Evaluation.Kind.FINAL, street_signed_at__isnull=False, bureau_signed_at__isnull=False)
        .exclude(grade="")
        .select_related("contract_year__station", "contract_year__cycle__contractor")
        .order_by("-contract_year__start_date", "-contract_year_id")[:60]
    )
    plans = AnnualPlan.objects.visible_to(request.user).select_related("district").order_by("-year")[:60]
    return render(
        request,
        "reports/municipal.html",
        {
            "districts": districts,
            "page": page,
            "page_sizes": PAGE_SIZES,
            "query": filter_query(request),
            "totals": totals,
            "grade_choices": [c for c in Evaluation.Grade.choices if c[0]],
            "evaluations": evaluations,
            "plans": plans,
            "today": today,
        },
    )


CONTRACTOR_CHOICES_MAX = 100


class StationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("名称"), method="search")
    year = django_filters.NumberFilter(
        label=gettext_lazy("计划年度"), field_name="street__planned_year", min_value=2000, max_value=2100
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"), choices=StationStatus.CHOICES, method="by_status"
    )
    contractor = django_filters.ModelChoiceFilter(
        label=gettext_lazy("承接主体"), queryset=Contractor.objects.none(), method="by_contractor"
    )
    contractor_name = django_filters.CharFilter(label=gettext_lazy("承接主体"), method="by_contractor_name")
    rule = django_filters.ChoiceFilter(
        label=gettext_lazy("整改问题"),
        choices=[(r, format_lazy("{} {}", r, RULES[r].title)) for r in RULES],
        method="by_rule",
    )

    class Meta:
        form = PortalForm

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today
        self.filters["contractor"].queryset = Contractor.objects.visible_to(user)
        # A city or a province has thousands of contractors: then a name search instead of a list of all of them.
        # One query either way: the first CONTRACTOR_CHOICES_MAX + 1 are read and become the dropdown's options.
        shown = list(Contractor.objects.visible_to(user).order_by("name")[: CONTRACTOR_CHOICES_MAX + 1])
        self.many_contractors = len(shown) > CONTRACTOR_CHOICES_MAX
        for name in ("status", "contractor", "rule"):
            field = self.form.fields[name]
            field.widget.attrs["class"] = "form-select form-select-sm"
            field.empty_label = _("全部")
            if name == "contractor":
                field.widget.choices = [("", _("全部")), *[(c.pk, str(c)) for c in shown]]
            elif hasattr(field, "choices"):
                field.choices = [("", _("全部")), *[c for c in field.choices if c[0] != ""]]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(street__name__icontains=value))

    def by_status(self, queryset, name, value):
        return queryset.filter(selectors.status_filter(value, self.today))

    def by_contractor(self, queryset, name, value):
        return queryset.filter(contractor_id=value.pk)

    def by_contractor_name(self, queryset, name, value):
        return queryset.filter(contractor_name__icontains=value.strip())

    def by_rule(self, queryset, name, value):
        ids = {
            f.station_id
            for f in findings(Station.objects.visible_to(self.user), self.today)
            if f.rule_id == value
        }
        return queryset.filter(pk__in=ids)


@require_GET
@role_required(*BUSINESS_ROLES)
def station_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.station_rows(Station.objects.visible_to(request.user), today)
    station_filter = StationFilter(request.GET, queryset=rows, user=request.user, today=today)
    if wants_export(request):
        return list_export(
            request,
            _("社工站"),
            [
                Column(_("社工站"), 30),
                Column(_("街道"), 14),
                Column(_("计划年度"), 10, "int"),
                Column(_("状态"), 14),
                Column(_("建成日期"), 12, "date"),
                Column(_("承接主体"), 30),
                Column(_("合同年度起"), 12, "date"),
                Column(_("合同年度止"), 12, "date"),
                Column(_("合同金额（元）"), 14, "money"),
            ],
            (
                [
                    s.name,
                    s.street.name,
                    s.street.planned_year,
                    StationStatus.LABELS[s.status],
                    s.built_on,
                    s.contractor_name,
                    s.year_start,
                    s.year_end,
                    s.year_amount,
                ]
                for s in station_filter.qs.iterator(2000)
            ),
        )
    page = paginate(request, station_filter.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/station_list.html",
        {
            "filter": station_filter,
            "page": page,
            "can_import_sites": may(request.user, "log_site", Station),
            "status_labels": StationStatus.LABELS,
            "status_tags": StationStatus.TAGS,
            "query": query.urlencode(),
            "page_sizes": PAGE_SIZES,
        },
    )


@require_GET
@role_required(*BUSINESS_ROLES)
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    station = visible_or_404(Station.objects.select_related("street__district"), user, pk=pk)
    row = selectors.station_rows(Station.objects.filter(pk=station.pk), today).get()
    cycles = list(
        ProjectCycle.objects.visible_to(user)
        .filter(station=station)
        .select_related("contractor", "procurement")
        .order_by("start_date")
    )
    years = list(
        ContractYear.objects.visible_to(user)
        .filter(station=station)
        .select_related("cycle__contractor")
        .prefetch_related("budget_lines", "funding", "evaluations")
        .order_by("start_date")
    )
    evaluations = list(
        Evaluation.objects.visible_to(user)
        .filter(contract_year__station=station)
        .select_related("contract_year", "street_signed_by", "bureau_signed_by")
        .order_by("-contract_year__start_date", "kind")
    )
    reports = list(
        Report.objects.visible_to(user)
        .filter(contract_year__station=station)
        .select_related("contract_year")
        .order_by("-due_date")[:24]  # the last two years here; the report list has them all
    )
    postings = list(
        Posting.objects.visible_to(user)
        .filter(cycle__station=station)
        .select_related("worker", "cycle__contractor")
        .order_by("end_date", "start_date")
    )
    workers = qualification_rows(in_force(postings, today), today)
    logs = list(
        SiteConditionLog.objects.visible_to(user)
        .filter(station=station)
        .select_related("logged_by")
        .prefetch_related("photos")
        .order_by("-logged_on")[:5]
    )
    procurements = list(
        Procurement.objects.visible_to(user)
        .filter(station=station)
        .select_related("awarded_to")
        .order_by("-notice_date")
    )
    station_findings = for_viewer(findings(Station.objects.filter(pk=station.pk), today), user)
    # What the user may do here, decided by visible_to(user, action): the template shows what it is given.
    signable = set(
        Evaluation.objects.visible_to(user, "sign")
        .filter(contract_year__station=station)
        .values_list("pk", flat=True)
    )
    pending_signature = [e for e in evaluations if e.pk in signable]
    current_cycle = next((c for c in cycles if c.start_date <= today <= c.end_date), None)
    first_years_to_sign = set(
        ProjectCycle.objects.visible_to(user, "sign").filter(station=station).values_list("pk", flat=True)
    )
    sign_cycle = next((c for c in reversed(cycles) if c.pk in first_years_to_sign), None)
    open_procurement = next((p for p in procurements if p.status == Procurement.Status.OPEN), None)
    awardable = set(
        Procurement.objects.visible_to(user, "award").filter(station=station).values_list("pk", flat=True)
    )
    reviewable = set(
        Report.objects.visible_to(user, "review")
        .filter(pk__in=[r.pk for r in reports])
        .values_list("pk", flat=True)
    )
    can_history = user.role in HISTORY_READERS
    history = (
        station.history.select_related("history_user").order_by("-history_date")[:20] if can_history else []
    )
    return render(
        request,
        "reports/station_detail.html",
        {
            "station": station,
            "row": row,
            "status_labels": StationStatus.LABELS,
            "status_tags": StationStatus.TAGS,
            "cycles": cycles,
            "years": years,
            "evaluations": evaluations,
            "reports": reports,
            "workers": workers,
            "logs": logs,
            "latest_log": logs[0] if logs else None,
            "procurements": procurements,
            "open_procurement": open_procurement
            if open_procurement and open_procurement.pk in awardable
            else None,
            "awardable": awardable,
            "reviewable": reviewable,
            "can_history": can_history,
            "can_log_site": can(user, "log_site", station),
            "can_procure": current_cycle is None
            and open_procurement is None
            and can(user, "procure", station),
            "can_dossier": may(user, "dossier", Station),
            "can_decide": may(user, "decide", ContractYear),
            "post_cycle": current_cycle if current_cycle and can(user, "post", current_cycle) else None,
            "findings": station_findings,
            "pending_signature": pending_signature,
            "history": history,
            "today": today,
            "sign_cycle": sign_cycle,
            "current_cycle": current_cycle,
            "service_totals": selectors.monthly_service_totals(
                ReportFigure.objects.visible_to(user).filter(report__contract_year__station=station)
            ),
            "site_items": _site_items(logs[0]) if logs else [],
            "can_see_people": sees_people(user),
            "team": team_counts(Station.objects.filter(pk=station.pk), today).get(station.pk)
            if not sees_people(user)
            else None,
        },
    )


def _site_items(log: SiteConditionLog) -> list[tuple[str, bool, bool]]:
    """The conditions checklist of a log: (label, present, required)."""
    items = []
    for name in (
        *SiteConditionLog.REQUIRED_EQUIPMENT,
        "has_case_room",
        "has_group_room",
        "sign_installed",
        "catalogue_posted",
        *SiteConditionLog.SYSTEMS,
    ):
        field = SiteConditionLog._meta.get_field(name)
        items.append(
            (str(field.verbose_name), getattr(log, name), name not in ("has_case_room", "has_group_room"))
        )
    return items


@require_GET
def rule_catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/rules.html", {"rules": RULES.values(), "plan_title": PLAN_TITLE})


@require_GET
@role_required(Role.BUREAU, Role.STREET, Role.CONTRACTOR, Role.MUNICIPAL)
def finding_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = for_viewer(findings(Station.objects.visible_to(request.user), today), request.user)
    rule, severity = request.GET.get("rule", ""), request.GET.get("severity", "")
    if rule:
        found = [f for f in found if f.rule_id == rule]
    if severity:
        found = [f for f in found if f.severity == severity]
    if wants_export(request):
        return list_export(request, _("整改问题"), sheet=findings_rows_sheet(found))
    return render(
        request,
        "reports/findings.html",
        {
            "findings": found,
            "rules": RULES.values(),
            "rule": rule,
            "severity": severity,
            "today": today,
            "severities": [("error", _("问题")), ("warn", _("风险")), ("track", _("记录"))],
        },
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


@role_required(Role.BUREAU)
def report_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """R-REP-3: the bureau accepts a submitted report or returns it with comments."""
    report = visible_or_404(
        Report.objects.select_related(
            "contract_year__station__street", "contract_year__cycle__contractor"
        ).prefetch_related("figures", "attachments", "reviews"),
        request.user,
        pk=pk,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.report_review(
                report=report,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("审核结果已保存。"))
            return redirect("station-detail", pk=report.contract_year.station_id)
    return render(
        request,
        "reports/review.html",
        {
            "form": form,
            "report": report,
            "station": report.contract_year.station,
            "title": _("审核：{report}").format(report=report),
            "submit_label": _("提交审核结果"),
        },
    )


def _shown(field, value):
    """A historical value as a person reads it: the label of a choice, the name of a related record, the names of
    related records (a staff list), a personal identifier masked."""
    if value in (None, "", []):
        return value
    if isinstance(field, EncryptedCharField):
        return masked(field.name, value)
    if field.many_to_many:
        key = field.m2m_reverse_field_name()
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        names = field.related_model._base_manager.filter(pk__in=[i for i in ids if i is not None])
        return listing(sorted(str(related) for related in names)) or "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value


# Who reads a record's change history (who changed what and when): the bureau, which supervises the district.
HISTORY_READERS = frozenset({Role.BUREAU})


@require_GET
@role_required(*HISTORY_READERS)
def record_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Who changed what and when, for one record the bureau may see (django-simple-history)."""
    from django.apps import apps
    from django.http import Http404

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404(_("没有这类记录。")) from None
    if not hasattr(model, "history") or not hasattr(model.objects, "visible_to"):
        raise Http404(_("这类记录没有变更历史。"))
    record = visible_or_404(model, request.user, pk=pk)
    entries = list(record.history.select_related("history_user").order_by("history_id"))
    rows = []
    for previous, entry in zip([None, *entries[:-1]], entries, strict=True):
        changes = []
        if previous is not None:
            for change in entry.diff_against(previous).changes:
                field = model._meta.get_field(change.field)
                changes.append((field.verbose_name, _shown(field, change.old), _shown(field, change.new)))
        rows.append({"entry": entry, "changes": changes})
    rows.reverse()
    return render(
        request,
        "reports/history.html",
        {"record": record, "rows": rows, "model_name": model._meta.verbose_name},
    )
