"""Compliance checks of resident workers and volunteers (R-STAFF-1..6, R-SVC-2)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Min, OuterRef, Subquery

from contracts.models import ContractYear, ProjectCycle
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import listing
from staffing.models import VolunteerHours
from staffing.selectors import QualificationFacts, posting_deadline, resident_postings


@register("R-STAFF-1", "R-STAFF-2", "R-STAFF-3", "R-STAFF-4", "R-STAFF-6")
def resident_workers(stations, today: datetime.date):
    """Today's resident workers of every operating station: how many, qualified, within their deadline,
    full-time with a labour contract, trained."""
    # Plain rows, not model instances: at a province's scale this check reads hundreds of thousands of postings.
    postings = list(
        resident_postings(stations, today)
        .order_by("cycle_id", "start_date", "pk")
        .values_list("worker_id", "worker__name", "cycle__station_id", "is_full_time", "has_labour_contract")
    )
    facts = QualificationFacts(sorted({worker_id for worker_id, *_rest in postings}), stations.values("pk"))
    operating = (
        ProjectCycle.objects.filter(
            station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
        )
        .order_by()
        .values_list("pk", "station_id", "station__name", "contractor_id")
    )
    low, high = (
        timeline(ParameterKey.RESIDENT_WORKERS_MIN),
        timeline(ParameterKey.RESIDENT_WORKERS_MAX),
    )
    minimum, maximum = low.int_on(today), high.int_on(today)
    by_station = defaultdict(list)
    for posting in postings:
        by_station[posting[2]].append(posting)
    # The texts, translated once for the run (a province has hundreds of thousands of findings).
    count_subject, count_message = (
        _("驻站社工人数"),
        _("现有驻站社工{n_team}名，一般应为{minimum}-{maximum}名。"),
    )
    unqualified_subject = _("专业资质")
    unqualified_message = _("驻站社工中没有取得社会工作专业资质的人员（应不少于1名）。")
    overdue_message = _("{name}应于{deadline:%Y-%m-%d}前取得社会工作专业资质，已逾期。")
    warning_message = _("{name}须于{deadline:%Y-%m-%d}前取得社会工作专业资质，还剩{days}天。")
    full_time, labour_contract = _("专职"), _("劳动合同")
    lacking_message = _("{name}不符合驻站社工条件：缺少{lacking}。")
    untrained_message = _("{name}尚无培训合格记录。")
    contractor = Responsible.CONTRACTOR

    for cycle_id, station_id, station_name, contractor_id in operating:
        team = by_station.get(station_id, [])
        common = {"station_id": station_id, "station": station_name, "contractor_id": contractor_id}
        if not (minimum <= len(team) <= maximum):
            yield Finding(
                "R-STAFF-1",
                Severity.WARN,
                subject=count_subject,
                message=count_message.format(n_team=len(team), minimum=minimum, maximum=maximum),
                responsible=contractor,
                **common,
            )
        if team and not any(facts.qualified(worker_id, today) for worker_id, *_r in team):
            yield Finding(
                "R-STAFF-2",
                Severity.ERROR,
                subject=unqualified_subject,
                message=unqualified_message,
                responsible=contractor,
                **common,
            )
        for worker_id, name, _station, is_full_time, has_labour_contract in team:
            facts_now = facts.row(worker_id, cycle_id, station_id, today)
            deadline = facts_now["deadline"]
            if deadline is not None and today > deadline:
                yield Finding(
                    "R-STAFF-3",
                    Severity.ERROR,
                    subject=name,
                    person=name,
                    due=deadline,
                    message=overdue_message.format(name=name, deadline=deadline),
                    responsible=contractor,
                    **common,
                )
            elif facts_now["warning"]:
                yield Finding(
                    "R-STAFF-3",
                    Severity.WARN,
                    subject=name,
                    person=name,
                    due=deadline,
                    message=warning_message.format(name=name, deadline=deadline, days=facts_now["days_left"]),
                    responsible=contractor,
                    **common,
                )
            if not (is_full_time and has_labour_contract):
                lacking = listing(
                    text
                    for ok, text in ((is_full_time, full_time), (has_labour_contract, labour_contract))
                    if not ok
                )
                yield Finding(
                    "R-STAFF-4",
                    Severity.ERROR,
                    subject=name,
                    person=name,
                    message=lacking_message.format(name=name, lacking=lacking),
                    responsible=contractor,
                    **common,
                )
            if not facts_now["trained"]:
                yield Finding(
                    "R-STAFF-6",
                    Severity.TRACK,
                    subject=name,
                    person=name,
                    message=untrained_message.format(name=name),
                    responsible=contractor,
                    **common,
                )


def _cycles_with_posting_dates(stations):
    first_signed = (
        ContractYear.objects.filter(cycle=OuterRef("pk")).order_by("year_no").values("signed_on")[:1]
    )
    return (
        ProjectCycle.objects.filter(station__in=stations.values("pk"))
        .annotate(first_signed=Subquery(first_signed), first_posted=Min("postings__start_date"))
        .filter(first_signed__isnull=False)
        .select_related("station")
    )


@register("R-STAFF-5")
def posted_within_deadline(stations, today: datetime.date):
    """Every cycle's first workers were posted within 15 days (param) of signing its first contract."""
    for cycle in _cycles_with_posting_dates(stations):
        deadline = posting_deadline(cycle.first_signed)
        posted = cycle.first_posted
        if posted is not None and posted <= deadline:
            continue
        if posted is None and today <= deadline:
            continue  # still within the time allowed: a due item, not a finding
        day = (posted - cycle.first_signed).days if posted else (today - cycle.first_signed).days
        text = (
            _("于合同签订后第{day}天派驻社工").format(day=day)
            if posted
            else _("合同签订已{day}天，尚未派驻社工").format(day=day)
        )
        yield Finding(
            "R-STAFF-5",
            Severity.ERROR,
            cycle.station_id,
            cycle.station.name,
            subject=_("{start_date:%Y}—{planned_end_date:%Y}周期派驻").format(
                start_date=cycle.start_date, planned_end_date=cycle.planned_end_date
            ),
            message=_("合同{first_signed:%Y-%m-%d}签订，应于{deadline:%Y-%m-%d}前派驻社工，{text}。").format(
                first_signed=cycle.first_signed, deadline=deadline, text=text
            ),
            due=deadline,
            responsible=Responsible.CONTRACTOR,
            contractor_id=cycle.contractor_id,
        )


@register_upcoming
def postings_due(stations, today: datetime.date, horizon: datetime.date):
    for cycle in _cycles_with_posting_dates(stations).filter(first_posted__isnull=True):
        deadline = posting_deadline(cycle.first_signed)
        if today <= deadline <= horizon:
            yield DueItem(
                "R-STAFF-5",
                cycle.station_id,
                cycle.station.name,
                _("派驻驻站社工"),
                deadline,
                Responsible.CONTRACTOR,
                cycle.contractor_id,
            )


# Hours entered more than a week ago and still not verified are flagged to the station's staff.
VERIFY_WITHIN_DAYS = 7


@register("R-SVC-2")
def volunteer_hours_unverified(stations, today: datetime.date):
    cutoff = today - datetime.timedelta(days=VERIFY_WITHIN_DAYS)
    pending = (
        VolunteerHours.objects.filter(
            volunteer__station__in=stations.values("pk"),
            status=VolunteerHours.Status.PENDING,
            served_on__lt=cutoff,
        )
        .values("volunteer__station", "volunteer__station__name")
        .annotate(first=Min("served_on"), entries=Count("pk"))
        .order_by("volunteer__station")
    )
    for row in pending:
        station_id = row["volunteer__station"]
        yield Finding(
            "R-SVC-2",
            Severity.TRACK,
            station_id,
            row["volunteer__station__name"],
            subject=_("志愿服务时长"),
            message=_("有{row}条志愿服务时长待核实（最早{row2:%Y-%m-%d}）。").format(
                row=row["entries"], row2=row["first"]
            ),
            responsible=Responsible.CONTRACTOR,
        )
