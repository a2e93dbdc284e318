"""A small world for the policy tests, beside the demo data: one district, one street and its station,
one eligible contractor with its staff, and the bureau and street officers, all acting through services."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Role
from contracts import services as contract_services
from contracts.models import BudgetLine, ContractorStaff, EligibilityCondition, FundingAllocation, Procurement
from stations.models import Station
from tests.factories import (
    ContractorFactory,
    DistrictFactory,
    SocialWorkerFactory,
    StationFactory,
    StreetFactory,
    UserFactory,
    scan,
)

D = datetime.date
STANDARD = Decimal("250000.00")


def budget(amount: Decimal = STANDARD) -> dict[str, Decimal]:
    """Five budget lines adding up to the amount (the remainder on staff pay)."""
    parts = {
        BudgetLine.Line.SUPERVISION_TRAINING: (amount * Decimal("0.08")).quantize(Decimal("0.01")),
        BudgetLine.Line.SERVICE_ACTIVITIES: (amount * Decimal("0.16")).quantize(Decimal("0.01")),
        BudgetLine.Line.PROJECT_MANAGEMENT: (amount * Decimal("0.04")).quantize(Decimal("0.01")),
        BudgetLine.Line.EVALUATION: (amount * Decimal("0.02")).quantize(Decimal("0.01")),
    }
    return {BudgetLine.Line.STAFF_PAY: amount - sum(parts.values()), **parts}


def funding(amount: Decimal = STANDARD) -> dict[str, Decimal]:
    subsidy = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
    return {
        FundingAllocation.Source.MUNICIPAL_SUBSIDY: subsidy,
        FundingAllocation.Source.SOCIAL_ASSISTANCE: amount - subsidy,
    }


@dataclass
class PolicyWorld:
    station: Station
    contractor: object
    bureau: object
    street_officer: object
    contractor_user: object
    procurement: Procurement

    @property
    def stations(self):
        return Station.objects.filter(pk=self.station.pk)

    def award(self, cycle_start=D(2024, 7, 1), award_date=D(2024, 6, 10), contractor=None):
        return contract_services.procurement_award(
            procurement=self.procurement,
            contractor=contractor or self.contractor,
            award_date=award_date,
            cycle_start=cycle_start,
            actor=self.bureau,
            agreement_signed_on=award_date,
        )

    def sign(self, cycle, amount=STANDARD, signed_on=D(2024, 7, 1), lines=None, sources=None):
        return contract_services.contract_year_sign(
            cycle=cycle,
            amount=Decimal(amount),
            signed_on=signed_on,
            budget_lines=budget(Decimal(amount)) if lines is None else lines,
            funding=funding(Decimal(amount)) if sources is None else sources,
            actor=self.bureau,
        )

    def worker(self, **kwargs):
        kwargs.setdefault("district", self.station.street.district)
        return SocialWorkerFactory(contractor=self.contractor, **kwargs)


@pytest.fixture
def pw(db) -> PolicyWorld:
    district = DistrictFactory()
    street = StreetFactory(district=district, planned_year=2024)
    station = StationFactory(street=street)
    contractor = ContractorFactory()
    bureau = UserFactory(username="pw-bureau", role=Role.BUREAU)
    district.staff.add(bureau)
    street_officer = UserFactory(username="pw-street", role=Role.STREET)
    street.staff.add(street_officer)
    contractor_user = UserFactory(username="pw-org", role=Role.CONTRACTOR)
    ContractorStaff.objects.create(contractor=contractor, district=district, user=contractor_user)
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
        station=station,
        purchaser=Procurement.Purchaser.BUREAU,
        title="测试项目",
        project_no="PW-2024-1",
        method=Procurement.Method.PUBLIC_TENDER,
        budget_amount=Decimal("750000"),
        notice_date=D(2024, 5, 10),
        actor=bureau,
    )
    return PolicyWorld(station, contractor, bureau, street_officer, contractor_user, procurement)


GRADE_TOTAL = {
    "excellent": Decimal("93"),
    "good": Decimal("85"),
    "pass": Decimal("72"),
    "fail": Decimal("54"),
}


def sheet(grade_or_total) -> list[tuple[str, Decimal, Decimal]]:
    """Scores on the default scoring sheet adding up to a total (or to a total in a grade's default band)."""
    from evaluations.selectors import DEFAULT_SHEET

    total = GRADE_TOTAL.get(grade_or_total) or Decimal(grade_or_total)
    ratio = total / Decimal("100")
    scores = [(item, maximum, (maximum * ratio).quantize(Decimal("0.1"))) for item, maximum in DEFAULT_SHEET]
    remainder = total - sum(score for _item, _maximum, score in scores)
    item, maximum, score = scores[2]
    scores[2] = (item, maximum, score + remainder)
    return scores


def set_parameter(pw, key, value, valid_from, document_no="东民发〔2024〕1号"):
    """The bureau sets a parameter from a day on — on that day itself (a change is never back-dated)."""
    import time_machine

    from core.services import parameter_change

    with time_machine.travel(datetime.datetime.combine(valid_from, datetime.time(9)), tick=False):
        return parameter_change(
            key=key, value=Decimal(value), valid_from=valid_from, actor=pw.bureau, document_no=document_no
        )


def post_on_the_day(**kwargs):
    """staffing.services.worker_post as recorded on the day the worker takes post (a posting is recorded when it
    happens: one dated weeks back needs the bureau's reason)."""
    import time_machine

    from staffing import services as staffing_services

    day = kwargs["start_date"]
    with time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 1, tzinfo=datetime.UTC), tick=False
    ):
        return staffing_services.worker_post(**kwargs)
