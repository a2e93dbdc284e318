"""Compliance checks of resident workers and volunteers (R-STAFF-1..6, R-SVC-2)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Min, OuterRef, Q, Subquery

from contracts.models import ContractYear, ProjectCycle
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import listing
from staffing.models import Posting, VolunteerHours
from staffing.selectors import QualificationFacts, posting_deadline, resident_postings


@register("R-STAFF-1", "R-STAFF-2", "R-STAFF-3", "R-STAFF-4", "R-STAFF-6", "R-STAFF-7")
def resident_workers(stations, today: datetime.date):
    """Today's resident workers of every operating station: how many, qualified, within their deadline,
    full-time with a labour contract, trained. A posting whose worker is no longer the cycle contractor's employee,
    or has left, is not on post (R-STAFF-7): it is a finding of its own and does not count for the others."""
    # Plain rows, not model instances: at a province's scale this check reads hundreds of thousands of postings.
    rows = list(
        resident_postings(stations, today)
        .order_by("cycle_id", "start_date", "pk")
        .values_list(
            "worker_id",
            "worker__name",
            "cycle__station_id",
            "is_full_time",
            "has_labour_contract",
            "worker__contractor_id",
            "cycle__contractor_id",
            "worker__left_on",
        )
    )
    postings, off_post = [], defaultdict(list)
    for worker_id, name, station_id, full_time_, contract_, employer, holder, left_on in rows:
        if employer != holder or (left_on is not None and left_on < today):
            off_post[station_id].append((name, employer != holder, left_on))
        else:
            postings.append((worker_id, name, station_id, full_time_, contract_))
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
    nobody_message = _(
        "社工站在运行，却没有驻站社工，也就没有具备社会工作专业资质的驻站社工（应不少于1名）。"
    )
    not_employed_message = _("{name}已不是本周期承接主体的员工，却仍登记为驻站社工，不算在岗。")
    left_message = _("{name}已于{left_on:%Y-%m-%d}离职，派驻记录仍未结束，不算在岗。")
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
        if not any(facts.qualified(worker_id, today) for worker_id, *_r in team):
            yield Finding(
                "R-STAFF-2",
                Severity.ERROR,
                subject=unqualified_subject,
                message=unqualified_message if team else nobody_message,
                responsible=contractor,
                **common,
            )
        for name, not_employed, left_on in off_post.get(station_id, []):
            yield Finding(
                "R-STAFF-7",
                Severity.ERROR,
                subject=name,
                person=name,
                message=not_employed_message.format(name=name)
                if not_employed
                else left_message.format(name=name, left_on=left_on),
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
                    Severity.WARN,
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
        if posted is None and cycle.end_date < deadline:
            continue  # ended early before the posting was due: nothing owed after it (R-CYCLE-3)
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
            target=("posting-new", (cycle.pk,)),
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
                target=("posting-new", (cycle.pk,)),
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
            target=("volunteer-list", (), (("station", station_id),)),
        )


@register("R-STAFF-7")
def one_station_per_person(stations, today: datetime.date):
    """One person (by ID number, whichever contractor's record) resident at two stations today: an error at each.
    The services and a database trigger refuse it; this finds what came in before them."""
    digests = (
        resident_postings(stations, today)
        .exclude(worker__id_digest="")
        .order_by()
        .values("worker__id_digest")
        .annotate(stations=Count("cycle__station", distinct=True))
        .filter(stations__gt=1)
        .values("worker__id_digest")
    )
    for name, station_id, station_name, contractor_id in (
        Posting.objects.filter(
            worker__id_digest__in=digests,
            cycle__start_date__lte=today,
            cycle__end_date__gte=today,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
        .values_list("worker__name", "cycle__station_id", "cycle__station__name", "cycle__contractor_id")
    ):
        yield Finding(
            "R-STAFF-7",
            Severity.ERROR,
            station_id,
            station_name,
            subject=name,
            person=name,
            message=_(
                "{name}（同一身份证号）同时登记为两个以上社工站的驻站社工；同一人同一时间只能驻一个站。"
            ).format(name=name),
            responsible=Responsible.CONTRACTOR,
            contractor_id=contractor_id,
        )


@register("R-STAFF-7")
def staffed_to_contract(stations, today: datetime.date):
    """足额: the contract year in force provides for a number of residents; fewer on post for longer than the days
    allowed (param) is an error. On post means posted, employed by the cycle's contractor and not left."""
    allowed = timeline(ParameterKey.SHORT_STAFFED_DAYS)
    years = list(
        ContractYear.objects.filter(
            station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
        )
        .order_by()
        .values_list(
            "cycle_id",
            "station_id",
            "station__name",
            "cycle__contractor_id",
            "cycle__start_date",
            "headcount",
        )
    )
    spans = defaultdict(list)
    for cycle_id, start, end, employer, holder, left_on in (
        Posting.objects.filter(cycle__any=[y[0] for y in years], start_date__lte=today)
        .order_by()
        .values_list(
            "cycle_id",
            "start_date",
            "end_date",
            "worker__contractor_id",
            "cycle__contractor_id",
            "worker__left_on",
        )
    ):
        if employer != holder:
            continue
        last = min(d for d in (end, left_on, today) if d is not None)
        if last >= start:
            spans[cycle_id].append((start, last))
    for cycle_id, station_id, station_name, contractor_id, cycle_start, headcount in years:
        # Counted across the cycle's years: a shortfall does not start again on a new contract year's first day.
        short_since = _short_since(spans[cycle_id], headcount, cycle_start, today)
        if short_since is None:
            continue
        days = (today - short_since).days + 1
        limit = allowed.int_on(today)
        if days > limit:
            on_post = sum(1 for start, last in spans[cycle_id] if start <= today <= last)
            yield Finding(
                "R-STAFF-7",
                Severity.ERROR,
                station_id,
                station_name,
                subject=_("足额配备"),
                due=short_since + datetime.timedelta(days=limit),
                message=_(
                    "合同约定驻站社工{headcount}名，现在岗{on_post}名，自{since:%Y-%m-%d}起不足额已{days}天"
                    "（容许{limit}天）。"
                ).format(headcount=headcount, on_post=on_post, since=short_since, days=days, limit=limit),
                responsible=Responsible.CONTRACTOR,
                contractor_id=contractor_id,
            )


def _short_since(
    spans, headcount: int, year_start: datetime.date, today: datetime.date
) -> datetime.date | None:
    """The first day of the run of days, ending today, on which fewer than `headcount` were on post (None when
    today is fully staffed). The run starts no earlier than the contract year."""

    def on_post(day: datetime.date) -> int:
        return sum(1 for start, last in spans if start <= day <= last)

    if on_post(today) >= headcount:
        return None
    # The count changes only the day a posting starts or the day after one ends: walk those days backwards.
    changes = sorted(
        {start for start, _last in spans} | {last + datetime.timedelta(days=1) for _start, last in spans},
        reverse=True,
    )
    since = year_start
    for day in changes:
        if day > today or day <= year_start:
            continue
        if on_post(day - datetime.timedelta(days=1)) >= headcount:
            since = day
            break
    return since
