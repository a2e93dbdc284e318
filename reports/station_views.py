"""The station list (filters, export) and a station's whole story on one page."""

import django_filters
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import sees_people
from contracts.models import Contractor, ContractYear, Procurement, ProjectCycle
from core.access import can, may, role_required, visible_or_404
from core.forms import PortalForm
from core.lists import list_page
from core.policy import RULES
from core.workbook import Column
from evaluations.models import Evaluation
from reports import selectors
from reports.compliance import findings, for_viewer
from reports.history_views import HISTORY_READERS
from reports.models import Report, ReportFigure, ReportReview
from reports.navigation import BUSINESS_ROLES
from reports.selectors import StationStatus
from staffing.models import Posting
from staffing.selectors import in_force, qualification_rows, team_counts
from stations.models import SiteConditionLog, Station

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
    # The station list's filters are a django-filter FilterSet (its form renders the search panel); the list page
    # around them is the kernel's.
    station_filter = StationFilter(request.GET, queryset=rows, user=request.user, today=today)

    def export(stations):
        return (
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
                for s in stations.iterator(2000)
            ),
        )

    return list_page(
        request,
        station_filter.qs,
        template="reports/station_list.html",
        export=export,
        context={
            "filter": station_filter,
            # A street (or a contractor) with one station has nothing to filter: no search panel.
            "one_station": Station.objects.visible_to(request.user)[:2].count() < 2,
            "can_import_sites": may(request.user, "log_site", Station),
            "status_labels": StationStatus.LABELS,
            "status_tags": StationStatus.TAGS,
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
        .select_related("cycle__contractor", "renewal")
        .prefetch_related("budget_lines", "funding", "evaluations")
        .order_by("start_date")
    )
    decidable = set(
        ContractYear.objects.visible_to(user, "decide").filter(station=station).values_list("pk", flat=True)
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
        # R-REP-3: who reviewed (the bureau or the street office) is shown beside each report.
        .prefetch_related(
            Prefetch("reviews", ReportReview.objects.select_related("reviewed_by").order_by("-reviewed_at"))
        )
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
        .order_by("-logged_on", "-pk")[
            : SITE_HISTORY + 1
        ]  # one more than shown: what the oldest shown changed
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
            "logs": logs[:SITE_HISTORY],
            "site_history": _site_history(logs),
            "site_total": len(SITE_ITEMS),
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
            and not any(c.start_date > today for c in cycles)  # awarded, starting later: nothing to procure
            and can(user, "procure", station),
            "can_dossier": may(user, "dossier", Station),
            "can_decide": may(user, "decide", ContractYear),
            "decidable": decidable,
            "post_cycle": current_cycle if current_cycle and can(user, "post", current_cycle) else None,
            "terminate_cycle": current_cycle
            if current_cycle and can(user, "terminate", current_cycle)
            else None,
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


SITE_HISTORY = 10  # past site checks listed on a station's page
SITE_ITEMS = (
    *SiteConditionLog.REQUIRED_EQUIPMENT,
    "has_case_room",
    "has_group_room",
    "sign_installed",
    "catalogue_posted",
    *SiteConditionLog.SYSTEMS,
)


def _site_history(logs: list[SiteConditionLog]) -> list[dict]:
    """The station's past checks, newest first, each with what it found changed since the check before it:
    items now in place (gained) and items gone (lost). The oldest ever check is marked first."""
    history = []
    for index, log in enumerate(logs[:SITE_HISTORY]):
        before = logs[index + 1] if index + 1 < len(logs) else None
        label = {name: str(SiteConditionLog._meta.get_field(name).verbose_name) for name in SITE_ITEMS}
        history.append(
            {
                "log": log,
                "first": before is None,
                "gained": [
                    label[n] for n in SITE_ITEMS if before and getattr(log, n) and not getattr(before, n)
                ],
                "lost": [
                    label[n] for n in SITE_ITEMS if before and getattr(before, n) and not getattr(log, n)
                ],
                "present": sum(1 for n in SITE_ITEMS if getattr(log, n)),
            }
        )
    return history


def _site_items(log: SiteConditionLog) -> list[tuple[str, bool, bool]]:
    """The conditions checklist of a log: (label, present, required)."""
    items = []
    for name in SITE_ITEMS:
        field = SiteConditionLog._meta.get_field(name)
        items.append(
            (str(field.verbose_name), getattr(log, name), name not in ("has_case_room", "has_group_room"))
        )
    return items
