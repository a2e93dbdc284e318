"""A deterministic synthetic population for measuring the portal at the size of a city or a province.

Each station gets what a real one has after a year and a half: a procurement awarded to a contractor, a project
cycle from 2025-07-01, two contract years with their budget lines and funding, the first renewed after a graded and
signed year-end evaluation, three resident workers (two qualified), a monthly brief for each month of service, a
mid-term and a final report, a site log, two volunteers with hours. Rows are written with bulk_create in batches:
no history rows, no signals (the population is a measurement fixture, not business events).
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from contracts.models import (
    BudgetLine,
    Contractor,
    ContractYear,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)
from core.crypto import digest
from core.validators import id_check_digit
from evaluations.models import Evaluation, Renewal
from reports.models import Report
from staffing.models import Posting, Qualification, SocialWorker, Volunteer, VolunteerHours
from stations.models import District, SiteConditionLog, Station, Street

D = datetime.date
BATCH = 5000
# Stations written per transaction (several districts at a time when districts are small).
CHUNK_STATIONS = 2000
CYCLE_START = D(2025, 7, 1)
AMOUNT = Decimal("250000.00")
LINES = [
    ("staff_pay", Decimal("150000.00")),
    ("supervision_training", Decimal("25000.00")),
    ("service_activities", Decimal("50000.00")),
    ("project_management", Decimal("15000.00")),
    ("evaluation", Decimal("10000.00")),
]
SOURCES = [("elderly", Decimal("125000.00")), ("community_building", Decimal("125000.00"))]
STATIONS_PER_CONTRACTOR = 20


@dataclass
class ScaleResult:
    districts: int
    stations: int
    rows: int


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def add_month(day: datetime.date) -> datetime.date:
    return D(day.year + day.month // 12, day.month % 12 + 1, 1)


def generate(
    districts: int, streets_per_district: int, seed: int = 1, today: datetime.date | None = None
) -> ScaleResult:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    password = make_password("scale-Demo-2026")
    rows = 0

    def bulk(model, objects):
        nonlocal rows
        created = model.objects.bulk_create(objects, batch_size=BATCH)
        rows += len(created)
        return created

    start = District.objects.filter(code__startswith="9").count()
    with transaction.atomic():
        district_rows = bulk(
            District,
            [
                District(
                    code=f"9{start + d:05d}",
                    name=f"合成{start + d}区",
                    city="合成市",
                    bureau_name=f"合成{start + d}区民政局",
                )
                for d in range(districts)
            ],
        )
        bureaus = bulk(
            User,
            [
                User(
                    username=f"scale-bureau-{d.code}",
                    role=Role.BUREAU,
                    password=password,
                    password_changed_at=timezone.now(),
                )
                for d in district_rows
            ],
        )
        District.staff.through.objects.bulk_create(
            [
                District.staff.through(district_id=d.pk, user_id=u.pk)
                for d, u in zip(district_rows, bureaus, strict=True)
            ],
            batch_size=BATCH,
        )
    bureau_of = dict(zip((d.pk for d in district_rows), bureaus, strict=True))
    # Districts in chunks of about CHUNK_STATIONS stations: large batches, one transaction each.
    per_chunk = max(1, CHUNK_STATIONS // max(1, streets_per_district))
    for first in range(0, len(district_rows), per_chunk):
        _districts(
            district_rows[first : first + per_chunk], streets_per_district, rng, today, bulk, bureau_of
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load, or the planner guesses row counts
    return ScaleResult(districts, districts * streets_per_district, rows)


def _districts(districts, count, rng, today, bulk, bureau_of) -> None:
    with transaction.atomic():
        streets = bulk(
            Street,
            [
                Street(
                    district=district,
                    name=f"{district.name}第{n + 1}街道",
                    office_name=f"{district.name}第{n + 1}街道办事处",
                    planned_year=2021 + n % 3,
                )
                for district in districts
                for n in range(count)
            ],
        )
        stations = bulk(Station, [Station(street=s, name=f"{s.name}社会工作服务站") for s in streets])
        per_district = (count + STATIONS_PER_CONTRACTOR - 1) // STATIONS_PER_CONTRACTOR
        contractors = bulk(
            Contractor,
            [
                Contractor(
                    name=f"{district.name}合成社会工作服务中心{n + 1}",
                    short_name=f"合成{n + 1}",
                    credit_code=f"52{district.code}{n:08d}"[:18].ljust(18, "0"),
                    legal_representative="合成",
                    registered_on=D(2018, 1, 1),
                    address="合成路1号",
                    contact_person="联系人",
                    contact_phone="022-24000000",
                )
                for district in districts
                for n in range(per_district)
            ],
        )
        # The stations of each district (count of them, in order) are held by that district's contractors.
        holder = {
            s.pk: contractors[(i // count) * per_district + (i % count) // STATIONS_PER_CONTRACTOR]
            for i, s in enumerate(stations)
        }
        procurements = bulk(
            Procurement,
            [
                Procurement(
                    station=s,
                    purchaser="bureau",
                    title=f"{s.name}社会工作服务项目",
                    project_no=f"SC-{s.street.district.code}-{s.pk}",
                    method="public_tender",
                    budget_amount=AMOUNT * 3,
                    notice_date=D(2025, 4, 1),
                    status="awarded",
                    award_date=D(2025, 6, 1),
                    awarded_to=holder[s.pk],
                )
                for s in stations
            ],
        )
        cycles = bulk(
            ProjectCycle,
            [
                ProjectCycle(
                    station=p.station,
                    contractor=p.awarded_to,
                    procurement=p,
                    start_date=CYCLE_START,
                    planned_end_date=D(2028, 6, 30),
                    end_date=D(2028, 6, 30),
                )
                for p in procurements
            ],
        )
        first = bulk(
            ContractYear,
            [
                ContractYear(
                    cycle=c,
                    station=c.station,
                    year_no=1,
                    start_date=CYCLE_START,
                    end_date=D(2026, 6, 30),
                    planned_end_date=D(2026, 6, 30),
                    amount=AMOUNT,
                    signed_on=CYCLE_START,
                    agreement_no=f"HT-{c.pk}-1",
                )
                for c in cycles
            ],
        )
        second = bulk(
            ContractYear,
            [
                ContractYear(
                    cycle=c,
                    station=c.station,
                    year_no=2,
                    start_date=D(2026, 7, 1),
                    end_date=D(2027, 6, 30),
                    planned_end_date=D(2027, 6, 30),
                    amount=AMOUNT,
                    signed_on=D(2026, 7, 1),
                    agreement_no=f"HT-{c.pk}-2",
                )
                for c in cycles
                if today >= D(2026, 7, 1)
            ],
        )
        years = first + second
        bulk(
            BudgetLine,
            [BudgetLine(contract_year=y, line=line, amount=amount) for y in years for line, amount in LINES],
        )
        bulk(
            FundingAllocation,
            [
                FundingAllocation(contract_year=y, source=source, amount=amount)
                for y in years
                for source, amount in SOURCES
            ],
        )
        evaluations = bulk(
            Evaluation,
            [
                Evaluation(
                    contract_year=y,
                    kind=kind,
                    due_date=due,
                    held_on=due,
                    evaluator="合成评估机构",
                    total_score=Decimal(80 + rng.randrange(15)),
                    grade=rng.choice(["excellent", "good", "good", "pass"]),
                    street_signed_by=bureau_of[y.station.street.district_id],
                    street_signed_at=at(due),
                    bureau_signed_by=bureau_of[y.station.street.district_id],
                    bureau_signed_at=at(due),
                )
                for y in first
                for kind, due in (("midterm", D(2026, 1, 10)), ("final", D(2026, 6, 20)))
            ],
        )
        finals = {e.contract_year_id: e for e in evaluations if e.kind == "final"}
        next_year = {y.cycle_id: y for y in second}
        bulk(
            Renewal,
            [
                Renewal(
                    contract_year=y,
                    evaluation=finals[y.pk],
                    decision="renew",
                    decided_on=D(2026, 6, 25),
                    decided_by=bureau_of[y.station.street.district_id],
                    next_year=next_year.get(y.cycle_id),
                )
                for y in first
                if y.cycle_id in next_year
            ],
        )
        workers = bulk(
            SocialWorker,
            [
                _worker(
                    holder[s.pk],
                    s.street.district_id,
                    f"{s.street.district.code[1:]}{n:02d}{s.pk % 10**6:06d}",
                    rng,
                )
                for s in stations
                for n in range(3)
            ],
        )
        bulk(
            Posting,
            [
                Posting(worker=w, cycle=cycles[i // 3], start_date=D(2025, 7, 5))
                for i, w in enumerate(workers)
            ],
        )
        bulk(
            Qualification,
            [
                Qualification(
                    worker=w, level="assistant", certificate_no=f"SC{w.pk}", obtained_on=D(2024, 6, 20)
                )
                for i, w in enumerate(workers)
                if i % 3 != 2
            ],
        )
        reports = []
        for y in years:
            month = y.start_date
            while month <= min(y.end_date, today) and add_month(month) <= today:
                due = D(add_month(month).year, add_month(month).month, 5)
                late = rng.random() < 0.05
                submitted = at(due + datetime.timedelta(days=3 if late else -2))
                reports.append(
                    Report(
                        contract_year=y,
                        kind="monthly",
                        period=month,
                        due_date=due,
                        status="accepted",
                        submitted_at=submitted,
                        people_served=rng.randrange(50, 300),
                    )
                )
                month = add_month(month)
        for y in first:
            reports.append(
                Report(
                    contract_year=y,
                    kind="midterm",
                    due_date=D(2026, 1, 15),
                    status="accepted",
                    submitted_at=at(D(2026, 1, 10)),
                )
            )
            reports.append(
                Report(
                    contract_year=y,
                    kind="final",
                    due_date=D(2026, 6, 30),
                    status="accepted",
                    submitted_at=at(D(2026, 6, 25)),
                )
            )
        bulk(Report, reports)
        bulk(
            SiteConditionLog,
            [
                SiteConditionLog(
                    station=s,
                    logged_on=D(2026, 6, 10),
                    has_office_room=True,
                    has_desks_chairs=True,
                    has_computer=True,
                    has_printer=True,
                    has_archive_cabinet=True,
                    sign_installed=True,
                    catalogue_posted=True,
                    system_staff=True,
                    system_project=True,
                    system_supervision=True,
                    system_volunteer=True,
                    system_venue=True,
                    system_archive=True,
                )
                for s in stations
            ],
        )
        volunteers = bulk(
            Volunteer,
            [
                Volunteer(
                    station=s,
                    name=f"志愿者{n}",
                    phone=f"139{rng.randrange(10**7, 10**8)}",
                    registered_on=D(2025, 3, 1),
                )
                for s in stations
                for n in range(2)
            ],
        )
        bulk(
            VolunteerHours,
            [
                VolunteerHours(
                    volunteer=v,
                    served_on=D(2026, 10, 4),
                    start_time=datetime.time(9),
                    end_time=datetime.time(11),
                    hours=Decimal(2),
                    activity="社区服务",
                    entered_via="station",
                    status="verified",
                    verified_by=bureau_of[v.station.street.district_id],
                    verified_at=at(D(2026, 10, 6)),
                )
                for v in volunteers
            ],
        )


def _worker(contractor, district_id: int, serial: str, rng) -> SocialWorker:
    body = (
        f"120110{1985 + rng.randrange(15)}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}{serial[-3:]}"
    )
    number = body + id_check_digit(body)
    return SocialWorker(
        contractor=contractor, district_id=district_id, name=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["静", "伟", "芳", "敏", "磊", "洋"]),
        gender=rng.choice("FM"), id_number=number, id_digest=digest(f"{number}-{serial}"),
        phone=f"138{rng.randrange(10**7, 10**8)}", employed_on=D(2025, 6, 1),
    )  # fmt: skip
