"""A small persona world, built through the services as people would build it: one district with its bureau officer
(alice), two streets with their officers (bob at 一街, carol at 二街), two contractors with one account each (dave for
启明, erin for 同行), and a municipal viewer (frank). 一街's station is awarded to 启明, signed, staffed and reporting;
二街's to 同行, signed and staffed. Tests that are not about the demo story start here (`personas` fixture): what they
assert follows from what they built, not from a story told elsewhere.

Today is 2025-03-10 in this world (`persona_day`)."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Role
from contracts import services as contract_services
from contracts.models import ContractorStaff, EligibilityCondition, Procurement
from reports import services as report_services
from reports.models import Report
from staffing import services as staffing_services
from stations.models import District, Station, Street
from tests.factories import UserFactory, scan
from tests.policy.conftest import budget, funding, post_on_the_day

D = datetime.date
PERSONA_DAY = datetime.datetime(2025, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@dataclass
class Personas:
    district: District
    stations: dict[str, Station]
    contractors: dict[str, object]
    users: dict[str, object]
    cycles: dict[str, object]
    years: dict[str, object]
    workers: dict[str, list]
    brief: Report


def _worker(actor, contractor, name: str, serial: int, qualified: bool):
    from core.validators import id_check_digit
    from staffing.models import Qualification

    body = f"1201101990010{serial:04d}"
    number = body + id_check_digit(body)
    worker = staffing_services.worker_register(
        actor=actor,
        contractor=contractor,
        name=name,
        gender="M" if int(number[16]) % 2 else "F",  # as the ID number says (GB 11643)
        id_number=number,
        phone="13800000000",
        employed_on=D(2024, 6, 1),
    )
    if qualified:
        staffing_services.qualification_record(
            worker=worker,
            level=Qualification.Level.ASSISTANT,
            certificate_no=f"P-{number[-6:]}",
            obtained_on=D(2023, 6, 1),
            actor=actor,
        )
    return worker


def build() -> Personas:
    with time_machine.travel(PERSONA_DAY, tick=False):
        district = District.objects.create(
            name="测试区", code="990001", city="测试市", bureau_name="测试区民政局"
        )
        users = {
            "alice": UserFactory(username="alice", role=Role.BUREAU, last_name="区", first_name="局"),
            "bob": UserFactory(username="bob", role=Role.STREET),
            "carol": UserFactory(username="carol", role=Role.STREET),
            "dave": UserFactory(username="dave", role=Role.CONTRACTOR),
            "erin": UserFactory(username="erin", role=Role.CONTRACTOR),
            "frank": UserFactory(username="frank", role=Role.MUNICIPAL),
            "grace": UserFactory(username="grace", role=Role.AUDITOR),
            "heidi": UserFactory(username="heidi", role=Role.ADMIN),
        }
        district.staff.add(users["alice"])
        stations = {}
        for key, name, officer in (("one", "一街", "bob"), ("two", "二街", "carol")):
            street = Street.objects.create(
                district=district, name=name, office_name=f"{name}办事处", planned_year=2024
            )
            street.staff.add(users[officer])
            stations[key] = Station.objects.create(street=street, name=f"{name}社会工作服务站")
        bureau = users["alice"]
        contractors, cycles, years, workers = {}, {}, {}, {}
        for key, name, code, account in (
            ("one", "启明社会工作服务中心", "52990001MJ0000001A", "dave"),
            ("two", "同行社会工作服务社", "52990001MJ0000002B", "erin"),
        ):
            contractor = contract_services.contractor_register(
                actor=bureau,
                name=name,
                credit_code=code,
                legal_representative="法人",
                registered_on=D(2018, 1, 1),
                address="测试路1号",
                contact_person="联系人",
                contact_phone="022-00000000",
            )
            ContractorStaff.objects.create(contractor=contractor, district=district, user=users[account])
            for condition in EligibilityCondition.values:
                contract_services.eligibility_verify(
                    contractor=contractor,
                    condition=condition,
                    evidence="证明材料",
                    documents=[scan()],
                    verified_on=D(2024, 5, 1),
                    actor=bureau,
                )
            procurement = contract_services.procurement_start(
                station=stations[key],
                purchaser=Procurement.Purchaser.BUREAU,
                title=f"{name}项目",
                project_no=f"P-{key}",
                method=Procurement.Method.PUBLIC_TENDER,
                budget_amount=Decimal("750000"),
                notice_date=D(2024, 5, 10),
                actor=bureau,
            )
            cycle = contract_services.procurement_award(
                procurement=procurement,
                contractor=contractor,
                award_date=D(2024, 6, 10),
                cycle_start=D(2024, 7, 1),
                actor=bureau,
            )
            years[key] = contract_services.contract_year_sign(
                cycle=cycle,
                amount=Decimal("250000"),
                signed_on=D(2024, 7, 1),
                budget_lines=budget(),
                funding=funding(),
                actor=bureau,
            )
            serial = 10 if key == "one" else 20
            team = [
                _worker(users[account], contractor, f"{name[:2]}甲", serial, True),
                _worker(users[account], contractor, f"{name[:2]}乙", serial + 1, False),
            ]
            contractors[key], cycles[key], workers[key] = contractor, cycle, team
        for key in ("one", "two"):
            for worker in workers[key]:
                post_on_the_day(
                    cycle=cycles[key],
                    worker=worker,
                    start_date=D(2024, 7, 10),
                    is_full_time=True,
                    has_labour_contract=True,
                    actor=users["dave" if key == "one" else "erin"],
                )
        brief = report_services.report_draft(
            contract_year=years["one"], kind=Report.Kind.MONTHLY, period=D(2025, 1, 1), actor=users["dave"]
        )
        report_services.report_submit(report=brief, actor=users["dave"])
    return Personas(district, stations, contractors, users, cycles, years, workers, brief)


@pytest.fixture
def personas(db) -> Personas:
    return build()


@pytest.fixture
def persona_day():
    with time_machine.travel(PERSONA_DAY, tick=False) as traveller:
        yield traveller
