"""Compliance checks of resident workers and volunteers (R-STAFF-1..6, R-SVC-2)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from accounts.findings import DueItem, Finding, Responsible, register, register_upcoming
from accounts.models import ParameterKey
from accounts.parameters import timeline
from accounts.policy import Severity
from accounts.text import listing
from contracts.models import ContractYear, ProjectCycle
from staffing.deadlines import posting_deadline, qualification_deadline, qualification_warning_starts
from staffing.models import Posting, Qualification, TrainingRecord, VolunteerHours


def took_over_on(cycles: list[ProjectCycle]) -> dict[int, datetime.date]:
    """For each cycle, the day its contractor took the station: the start of the run of consecutive cycles
    the same contractor has held there (a renewed cycle continues the same takeover)."""
    result = {}
    by_station = defaultdict(list)
    for cycle in cycles:
        by_station[cycle.station_id].append(cycle)
    for station_cycles in by_station.values():
        station_cycles.sort(key=lambda c: c.start_date)
        run_start, previous = None, None
        for cycle in station_cycles:
            continues = (
                previous is not None
                and previous.contractor_id == cycle.contractor_id
                and previous.end_date + datetime.timedelta(days=1) >= cycle.start_date
            )
            run_start = run_start if continues else cycle.start_date
            result[cycle.pk] = run_start
            previous = cycle
    return result


def resident_postings(stations, today: datetime.date):
    """The postings in force today at the given stations, under the cycle holding each station now."""
    return (
        Posting.objects.filter(
            cycle__station__in=stations.values("pk"),
            cycle__start_date__lte=today,
            cycle__end_date__gte=today,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("worker", "cycle__station")
        # Not the encrypted ID and phone numbers: no check reads them, and decrypting is most of a row's cost.
        .defer("worker__id_number", "worker__phone", "worker__id_digest")
    )


@register("R-STAFF-1", "R-STAFF-2", "R-STAFF-3", "R-STAFF-4", "R-STAFF-6")
def resident_workers(stations, today: datetime.date):
    """Today's resident workers of every operating station: how many, qualified, within their deadline,
    full-time with a labour contract, trained."""
    postings = list(resident_postings(stations, today))
    worker_ids = {p.worker_id for p in postings}
    qualified_on = {
        row["worker"]: row["first"]
        for row in Qualification.objects.filter(worker__in=worker_ids)
        .values("worker")
        .annotate(first=Min("obtained_on"))
    }
    trained = set(
        TrainingRecord.objects.filter(worker__in=worker_ids, passed=True).values_list("worker", flat=True)
    )
    cycles = list(
        ProjectCycle.objects.filter(station__in=stations.values("pk")).only(
            "pk", "station_id", "contractor_id", "start_date", "end_date"
        )
    )
    takeover = took_over_on(cycles)
    first_posted = {
        (row["worker"], row["cycle__station"]): row["first"]
        for row in Posting.objects.filter(worker__in=worker_ids)
        .values("worker", "cycle__station")
        .annotate(first=Min("start_date"))
    }
    operating = ProjectCycle.objects.filter(
        station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
    ).select_related("station")
    low, high = (
        timeline(ParameterKey.RESIDENT_WORKERS_MIN),
        timeline(ParameterKey.RESIDENT_WORKERS_MAX),
    )
    by_station = defaultdict(list)
    for posting in postings:
        by_station[posting.cycle.station_id].append(posting)

    for cycle in operating:
        station, team = cycle.station, by_station.get(cycle.station_id, [])
        common = {"station_id": station.pk, "station": station.name, "contractor_id": cycle.contractor_id}
        minimum, maximum = low.int_on(today), high.int_on(today)
        if not (minimum <= len(team) <= maximum):
            yield Finding(
                "R-STAFF-1",
                Severity.WARN,
                subject=_("驻站社工人数"),
                message=_("现有驻站社工{n_team}名，一般应为{minimum}-{maximum}名。").format(
                    n_team=len(team), minimum=minimum, maximum=maximum
                ),
                responsible=Responsible.CONTRACTOR,
                **common,
            )
        if team and not any(qualified_on.get(p.worker_id, datetime.date.max) <= today for p in team):
            yield Finding(
                "R-STAFF-2",
                Severity.ERROR,
                subject=_("专业资质"),
                message=_("驻站社工中没有取得社会工作专业资质的人员（应不少于1名）。"),
                responsible=Responsible.CONTRACTOR,
                **common,
            )
        for posting in team:
            worker = posting.worker
            qualified = qualified_on.get(worker.pk)
            if qualified is None or qualified > today:
                deadline = qualification_deadline(takeover[cycle.pk], first_posted[(worker.pk, station.pk)])
                if today > deadline:
                    yield Finding(
                        "R-STAFF-3",
                        Severity.ERROR,
                        subject=worker.name,
                        due=deadline,
                        message=_("{name}应于{deadline:%Y-%m-%d}前取得社会工作专业资质，已逾期。").format(
                            name=worker.name, deadline=deadline
                        ),
                        responsible=Responsible.CONTRACTOR,
                        **common,
                    )
                elif today >= qualification_warning_starts(deadline):
                    yield Finding(
                        "R-STAFF-3",
                        Severity.WARN,
                        subject=worker.name,
                        due=deadline,
                        message=_(
                            "{name}须于{deadline:%Y-%m-%d}前取得社会工作专业资质，还剩{days}天。"
                        ).format(name=worker.name, deadline=deadline, days=(deadline - today).days),
                        responsible=Responsible.CONTRACTOR,
                        **common,
                    )
            if not (posting.is_full_time and posting.has_labour_contract):
                lacking = listing(
                    text
                    for ok, text in (
                        (posting.is_full_time, _("专职")),
                        (posting.has_labour_contract, _("劳动合同")),
                    )
                    if not ok
                )
                yield Finding(
                    "R-STAFF-4",
                    Severity.ERROR,
                    subject=worker.name,
                    message=_("{name}不符合驻站社工条件：缺少{lacking}。").format(
                        name=worker.name, lacking=lacking
                    ),
                    responsible=Responsible.CONTRACTOR,
                    **common,
                )
            if worker.pk not in trained:
                yield Finding(
                    "R-STAFF-6",
                    Severity.TRACK,
                    subject=worker.name,
                    message=_("{name}尚无培训合格记录。").format(name=worker.name),
                    responsible=Responsible.CONTRACTOR,
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
