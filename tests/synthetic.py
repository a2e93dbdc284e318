"""Many stations in bulk, the same shape as the demo's, to show a page's queries do not grow with them."""

import datetime
from decimal import Decimal

from contracts.models import BudgetLine, ContractYear, FundingAllocation, Procurement, ProjectCycle
from core.crypto import digest
from reports.findings_cache import touch_districts
from reports.models import Report, ServiceRecord
from staffing.models import (
    Posting,
    Qualification,
    SocialWorker,
    SupervisionSession,
    Training,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
)
from stations.models import SiteConditionLog, Station, Street
from tests.factories import ContractorFactory, DistrictFactory

D = datetime.date


def synthetic_stations(count: int, district=None) -> None:
    """`count` more operating stations (in `district`, or a new one), each with a cycle, a contract year and
    its money, two posted workers (one qualified, trained and supervised), a site log, a submitted brief,
    two volunteers with hours and two service records."""
    district = district or DistrictFactory()
    contractor = ContractorFactory()
    start = Street.objects.count()
    streets = Street.objects.bulk_create(
        Street(district=district, name=f"合成{start + n}街道", office_name="x", planned_year=2022)
        for n in range(count)
    )
    stations = Station.objects.bulk_create(Station(street=s, name=f"{s.name}社会工作服务站") for s in streets)
    procurements = Procurement.objects.bulk_create(
        Procurement(
            station=s,
            purchaser="bureau",
            title="t",
            project_no=f"SYN-{s.pk}",
            method="inquiry",
            budget_amount=Decimal(1),
            notice_date=D(2025, 5, 1),
            status="awarded",
            award_date=D(2025, 6, 1),
            awarded_to=contractor,
        )
        for s in stations
    )
    cycles = ProjectCycle.objects.bulk_create(
        ProjectCycle(
            station=p.station,
            contractor=contractor,
            procurement=p,
            start_date=D(2025, 7, 1),
            planned_end_date=D(2028, 6, 30),
            end_date=D(2028, 6, 30),
        )
        for p in procurements
    )
    years = ContractYear.objects.bulk_create(
        ContractYear(
            cycle=c,
            station=c.station,
            year_no=1,
            start_date=D(2026, 7, 1),
            end_date=D(2027, 6, 30),
            planned_end_date=D(2027, 6, 30),
            amount=Decimal("200000"),
            signed_on=D(2026, 7, 1),
        )
        for c in cycles
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(contract_year=y, line="staff_pay", amount=Decimal("1")) for y in years
    )
    FundingAllocation.objects.bulk_create(
        FundingAllocation(contract_year=y, source="elderly", amount=Decimal("1")) for y in years
    )
    offset = SocialWorker.objects.count()
    workers = SocialWorker.objects.bulk_create(
        SocialWorker(
            contractor=contractor,
            district=district,
            name=f"合成社工{n}",
            gender="F",
            id_number=f"9{offset + n:017d}",
            id_digest=digest(f"9{offset + n:017d}"),
            phone="1",
            employed_on=D(2025, 6, 1),
        )
        for n in range(2 * count)
    )
    Posting.objects.bulk_create(
        Posting(worker=w, cycle=cycles[n // 2], start_date=D(2026, 7, 3)) for n, w in enumerate(workers)
    )
    Qualification.objects.bulk_create(
        Qualification(worker=w, level="assistant", certificate_no=f"SYN{w.pk}", obtained_on=D(2020, 1, 1))
        for w in workers[::2]
    )
    SiteConditionLog.objects.bulk_create(
        SiteConditionLog(station=s, logged_on=D(2026, 6, 1), has_office_room=True) for s in stations
    )
    Report.objects.bulk_create(
        Report(
            contract_year=y,
            kind="monthly",
            period=D(2026, 7, 1),
            due_date=D(2026, 8, 5),
            status="submitted",
            submitted_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
        for y in years
    )
    training = Training.objects.create(
        district=district, title="合成培训", kind="continuing", held_on=D(2026, 8, 1), hours=Decimal(8)
    )
    TrainingRecord.objects.bulk_create(
        TrainingRecord(training=training, worker=w, passed=True) for w in workers
    )
    sessions = SupervisionSession.objects.bulk_create(
        SupervisionSession(station=s, held_on=D(2026, 9, 1), supervisor="s", topic="t", hours=Decimal(2))
        for s in stations
    )
    SupervisionSession.workers.through.objects.bulk_create(
        SupervisionSession.workers.through(supervisionsession=sessions[n // 2], socialworker=w)
        for n, w in enumerate(workers)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(station=s, name=f"志愿者{s.pk}-{n}", phone="13900000000", registered_on=D(2025, 1, 1))
        for s in stations
        for n in range(2)
    )
    VolunteerHours.objects.bulk_create(
        VolunteerHours(
            volunteer=v,
            served_on=D(2026, 10, 4),
            start_time=datetime.time(9),
            end_time=datetime.time(11),
            hours=Decimal(2),
            activity="a",
            entered_via="station",
        )
        for v in volunteers
    )
    ServiceRecord.objects.bulk_create(
        ServiceRecord(
            station=y.station,
            contract_year=y,
            kind=kind,
            area="elderly",
            method="care",
            held_on=D(2026, 10, 10),
            title="合成服务",
            participants=5,
        )
        for y in years
        for kind in ("group", "community")
    )
    touch_districts([district.pk])  # written in bulk, past the findings cache's receivers
