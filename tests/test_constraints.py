"""Every database constraint refuses a bad row with IntegrityError, whatever path writes it.

The list below names each constraint the models declare (and the cross-table ones kept by
triggers or exclusion constraints); a constraint added without a case here fails
test_every_constraint_has_a_case.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from accounts.models import AccountRequest, User
from contracts.models import (
    BudgetLine,
    ContractorStaff,
    ContractYear,
    EligibilityEvidence,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)
from core.models import ParameterKey, PolicyParameter
from evaluations.models import Evaluation, EvaluationScore, Renewal, ScoringItem
from reports.models import ReminderSent, Report, ReportFigure, ReportReview, ServiceRecord
from staffing.models import (
    Posting,
    Qualification,
    SocialWorker,
    SupervisionSession,
    Training,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
    VolunteerInsurance,
)
from stations.models import AnnualPlan, Donation, Station, Street
from tests.factories import ContractYearFactory, PostingFactory, ProjectCycleFactory, SocialWorkerFactory

D = datetime.date
NOW = timezone.now()


def _user(username: str = "reminded"):
    from tests.factories import UserFactory

    return UserFactory(username=username)


@pytest.fixture
def world(db):
    """A station with a cycle (2024-07-01..2027-06-30) and its first contract year, a worker posted there."""
    year = ContractYearFactory()
    posting = PostingFactory(cycle=year.cycle)
    volunteer = Volunteer.objects.create(
        station=year.station, name="志愿者", phone="13900000000", registered_on=D(2024, 8, 1)
    )
    return {
        "year": year,
        "cycle": year.cycle,
        "station": year.station,
        "street": year.station.street,
        "worker": posting.worker,
        "posting": posting,
        "volunteer": volunteer,
    }


def _evaluation(w, **kw):
    return Evaluation.objects.create(
        contract_year=w["year"], kind=kw.pop("kind", "midterm"), due_date=D(2025, 1, 31), **kw
    )


def _report(w, **kw):
    defaults = {
        "contract_year": w["year"],
        "kind": "monthly",
        "period": D(2024, 7, 1),
        "due_date": D(2024, 8, 5),
    }
    return Report.objects.create(**{**defaults, **kw})


BAD_ROWS = {
    # accounts
    "accounts_user_role_valid": lambda w: User.objects.create(username="x", role="king"),
    "accounts_policyparameter_one_value_per_day": lambda w: PolicyParameter.objects.create(
        key=ParameterKey.CYCLE_YEARS, value=3, valid_from=D(2021, 1, 1)
    ),
    "accounts_policyparameter_value_positive": lambda w: PolicyParameter.objects.create(
        key=ParameterKey.CYCLE_YEARS, value=0, valid_from=D(2030, 1, 1)
    ),
    "accounts_policyparameter_key_known": lambda w: PolicyParameter.objects.create(
        key="unknown", value=1, valid_from=D(2030, 1, 1)
    ),
    # stations
    "stations_street_unique_name_in_district": lambda w: Street.objects.create(
        district=w["street"].district, name=w["street"].name, office_name="x", planned_year=2024
    ),
    "stations_street_planned_year_range": lambda w: Street.objects.create(
        district=w["street"].district, name="新街道", office_name="x", planned_year=1999
    ),
    "stations_station_one_per_street": lambda w: Station.objects.create(street=w["street"], name="第二个站"),
    "stations_annualplan_one_per_district_year": lambda w: [
        AnnualPlan.objects.create(
            district=w["street"].district, year=2030, title="t", goals="g", measures="m", timeline="t"
        )
        for _ in range(2)
    ],
    "stations_annualplan_year_range": lambda w: AnnualPlan.objects.create(
        district=w["street"].district, year=0, title="t", goals="g", measures="m", timeline="t"
    ),
    "stations_annualplan_submitted_has_time": lambda w: AnnualPlan.objects.create(
        district=w["street"].district,
        year=2031,
        title="t",
        goals="g",
        measures="m",
        timeline="t",
        status="submitted",
    ),
    "stations_donation_value_not_negative": lambda w: Donation.objects.create(
        station=w["station"],
        donor="d",
        kind="equipment",
        description="x",
        value=Decimal("-1"),
        donated_on=D(2025, 1, 1),
    ),
    # contracts
    "contracts_eligibilityevidence_valid_after_verified": lambda w: EligibilityEvidence.objects.create(
        contractor=w["cycle"].contractor,
        condition="finance",
        evidence="e",
        verified_on=D(2024, 1, 2),
        valid_until=D(2024, 1, 1),
    ),
    "contracts_procurement_budget_positive": lambda w: Procurement.objects.create(
        station=w["station"],
        purchaser="bureau",
        title="t",
        project_no="P-0",
        method="inquiry",
        budget_amount=0,
        notice_date=D(2024, 1, 1),
    ),
    "contracts_procurement_awarded_has_winner": lambda w: Procurement.objects.create(
        station=w["station"],
        purchaser="bureau",
        title="t",
        project_no="P-1",
        method="inquiry",
        budget_amount=1,
        notice_date=D(2024, 1, 1),
        status="awarded",
    ),
    "contracts_procurement_award_after_notice": lambda w: Procurement.objects.create(
        station=w["station"],
        purchaser="bureau",
        title="t",
        project_no="P-2",
        method="inquiry",
        budget_amount=1,
        notice_date=D(2024, 1, 10),
        award_date=D(2024, 1, 1),
    ),
    "contracts_projectcycle_planned_end_after_start": lambda w: ProjectCycleFactory(
        start_date=D(2024, 7, 1), planned_end_date=D(2024, 7, 1), end_date=D(2024, 7, 1)
    ),
    "contracts_projectcycle_end_within_plan": lambda w: ProjectCycleFactory(
        start_date=D(2024, 7, 1),
        planned_end_date=D(2027, 6, 30),
        end_date=D(2027, 7, 1),
        end_reason="terminated",
    ),
    "contracts_projectcycle_early_end_has_reason": lambda w: ProjectCycleFactory(
        start_date=D(2024, 7, 1), planned_end_date=D(2027, 6, 30), end_date=D(2025, 6, 30)
    ),
    "contracts_projectcycle_no_overlap": lambda w: ProjectCycleFactory(
        procurement__station=w["station"],
        start_date=D(2026, 7, 1),
        planned_end_date=D(2029, 6, 30),
        end_date=D(2029, 6, 30),
    ),
    "contracts_projectcycle_keeps_years": lambda w: ProjectCycle.objects.filter(pk=w["cycle"].pk).update(
        start_date=D(2024, 8, 1)
    ),
    "contracts_contractyear_one_per_station_period": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=2,
        start_date=D(2024, 7, 1),
        end_date=D(2024, 7, 2),
        planned_end_date=D(2024, 7, 2),
        amount=1,
        signed_on=D(2024, 7, 1),
    ),
    "contracts_contractyear_one_per_cycle_year": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=1,
        start_date=D(2025, 7, 1),
        end_date=D(2026, 6, 30),
        planned_end_date=D(2026, 6, 30),
        amount=1,
        signed_on=D(2025, 7, 1),
    ),
    "contracts_contractyear_year_no_positive": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=0,
        start_date=D(2025, 7, 1),
        end_date=D(2026, 6, 30),
        planned_end_date=D(2026, 6, 30),
        amount=1,
        signed_on=D(2025, 7, 1),
    ),
    "contracts_contractyear_amount_positive": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=2,
        start_date=D(2025, 7, 1),
        end_date=D(2026, 6, 30),
        planned_end_date=D(2026, 6, 30),
        amount=0,
        signed_on=D(2025, 7, 1),
    ),
    "contracts_contractyear_headcount_positive": lambda w: ContractYear.objects.filter(
        pk=w["year"].pk
    ).update(headcount=0),
    "contracts_contractyear_actual_end_within_plan": lambda w: ContractYear.objects.filter(
        pk=w["year"].pk
    ).update(end_date=D(2025, 7, 31)),
    "contracts_projectcycle_at_least_one_year": lambda w: ProjectCycleFactory(
        procurement__project_no="P-ZERO", planned_years=0
    ),
    "evaluations_scoringitem_one_name_per_sheet": lambda w: [
        ScoringItem.objects.create(sheet_year=2030, position=n, name="服务成效", max_score=50) for n in (1, 2)
    ],
    "evaluations_scoringitem_max_score_range": lambda w: ScoringItem.objects.create(
        sheet_year=2030, position=1, name="服务成效", max_score=120
    ),
    "staffing_posting_one_station_per_person": lambda w: PostingFactory(
        worker=SocialWorkerFactory(id_number=w["worker"].id_number, district=w["worker"].district),
        cycle=ProjectCycleFactory(
            procurement__project_no="P-TWIN",
            start_date=D(2024, 7, 1),
            planned_end_date=D(2027, 6, 30),
            end_date=D(2027, 6, 30),
        ),
        start_date=w["posting"].start_date,
    ),
    "contracts_contractyear_end_after_start": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=2,
        start_date=D(2025, 7, 1),
        end_date=D(2025, 7, 1),
        planned_end_date=D(2025, 7, 1),
        amount=1,
        signed_on=D(2025, 7, 1),
    ),
    "contracts_contractyear_within_cycle": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=3,
        start_date=D(2027, 7, 1),
        end_date=D(2028, 6, 30),
        planned_end_date=D(2028, 6, 30),
        amount=1,
        signed_on=D(2027, 7, 1),
    ),
    "contracts_contractyear_no_overlap": lambda w: ContractYear.objects.create(
        cycle=w["cycle"],
        station=w["station"],
        year_no=2,
        start_date=D(2025, 6, 1),
        end_date=D(2026, 5, 31),
        planned_end_date=D(2026, 5, 31),
        amount=1,
        signed_on=D(2025, 6, 1),
    ),
    "accounts_accountrequest_one_pending_per_kind": lambda w: [
        AccountRequest.objects.create(
            user=_user("asked"), kind="grant", role="bureau", requested_by=_user("admin2")
        )
        for _ in range(2)
    ],
    "accounts_accountrequest_decided_by_another": lambda w: AccountRequest.objects.create(
        user=_user("asked"),
        kind="grant",
        role="bureau",
        requested_by=(asker := _user("admin2")),
        status="approved",
        decided_by=asker,
        decided_at=NOW,
    ),
    "contracts_contractorstaff_once_per_district": lambda w: [
        ContractorStaff.objects.create(
            contractor=w["cycle"].contractor, district=w["street"].district, user=_user("twice-linked")
        )
        for _ in range(2)
    ],
    "contracts_budgetline_one_per_line": lambda w: [
        BudgetLine.objects.create(contract_year=w["year"], line="staff_pay", amount=1) for _ in range(2)
    ],
    "contracts_budgetline_amount_not_negative": lambda w: BudgetLine.objects.create(
        contract_year=w["year"], line="evaluation", amount=Decimal("-0.01")
    ),
    "contracts_fundingallocation_one_per_source": lambda w: [
        FundingAllocation.objects.create(contract_year=w["year"], source="elderly", amount=1)
        for _ in range(2)
    ],
    "contracts_fundingallocation_amount_not_negative": lambda w: FundingAllocation.objects.create(
        contract_year=w["year"], source="elderly", amount=Decimal("-1")
    ),
    # staffing
    "reports_remindersent_once_a_day": lambda w: [
        ReminderSent.objects.create(user=_user(), sent_on=D(2025, 1, 6), subject=s) for s in ("a", "b")
    ],
    "staffing_socialworker_one_record_per_person": lambda w: SocialWorker.objects.create(
        contractor=w["worker"].contractor,
        district=w["worker"].district,
        name="同一人",
        gender="F",
        id_number=w["worker"].id_number,
        phone="1",
        employed_on=D(2024, 1, 1),
    ),
    "staffing_socialworker_left_after_employed": lambda w: SocialWorkerFactory(
        employed_on=D(2024, 1, 2), left_on=D(2024, 1, 1)
    ),
    "staffing_qualification_certificate_no_key": lambda w: [
        Qualification.objects.create(
            worker=w["worker"], level="assistant", certificate_no="SAME", obtained_on=D(2024, 1, 1)
        )
        for _ in range(2)
    ],
    "staffing_posting_end_after_start": lambda w: Posting.objects.create(
        worker=w["worker"], cycle=w["cycle"], start_date=D(2024, 7, 2), end_date=D(2024, 7, 1)
    ),
    "staffing_training_hours_positive": lambda w: Training.objects.create(
        district=w["street"].district, title="t", kind="special", held_on=D(2024, 1, 1), hours=0
    ),
    "staffing_trainingrecord_once_per_worker": lambda w: (
        lambda t: [TrainingRecord.objects.create(training=t, worker=w["worker"]) for _ in range(2)]
    )(
        Training.objects.create(
            district=w["street"].district, title="t", kind="special", held_on=D(2024, 1, 1), hours=1
        )
    ),
    "staffing_supervisionsession_hours_positive": lambda w: SupervisionSession.objects.create(
        station=w["station"], held_on=D(2024, 1, 1), supervisor="s", topic="t", hours=0
    ),
    "staffing_volunteerhours_end_after_start": lambda w: VolunteerHours.objects.create(
        volunteer=w["volunteer"],
        served_on=D(2024, 9, 1),
        start_time=datetime.time(10),
        end_time=datetime.time(9),
        hours=1,
        activity="a",
        entered_via="station",
    ),
    "staffing_volunteerhours_hours_possible": lambda w: VolunteerHours.objects.create(
        volunteer=w["volunteer"],
        served_on=D(2024, 9, 1),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        hours=25,
        activity="a",
        entered_via="station",
    ),
    "staffing_volunteerhours_verified_has_verifier": lambda w: VolunteerHours.objects.create(
        volunteer=w["volunteer"],
        served_on=D(2024, 9, 1),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        hours=1,
        activity="a",
        entered_via="station",
        status="verified",
    ),
    "staffing_volunteerinsurance_end_after_start": lambda w: VolunteerInsurance.objects.create(
        volunteer=w["volunteer"], insurer="i", policy_no="p", start_date=D(2024, 2, 1), end_date=D(2024, 1, 1)
    ),
    # evaluations
    "evaluations_evaluation_one_per_year_and_kind": lambda w: [_evaluation(w) for _ in range(2)],
    "evaluations_evaluation_score_range": lambda w: _evaluation(w, total_score=Decimal("100.1")),
    "evaluations_evaluation_street_signature_complete": lambda w: _evaluation(
        w, grade="good", street_signed_at=NOW
    ),
    "evaluations_evaluation_bureau_signature_complete": lambda w: _evaluation(
        w, grade="good", bureau_signed_by=User.objects.get(username="bureau")
    ),
    "evaluations_evaluation_signed_has_grade": lambda w: _evaluation(
        w, street_signed_by=User.objects.get(username="bureau"), street_signed_at=NOW
    ),
    "evaluations_evaluationscore_one_per_item": lambda w: (
        lambda e: [
            EvaluationScore.objects.create(evaluation=e, item="服务成效", max_score=40, score=30)
            for _ in range(2)
        ]
    )(_evaluation(w)),
    "evaluations_evaluationscore_score_within_max": lambda w: EvaluationScore.objects.create(
        evaluation=_evaluation(w), item="服务成效", max_score=40, score=41
    ),
    "evaluations_renewal_end_has_no_next_year": lambda w: Renewal.objects.create(
        contract_year=w["year"],
        decision="end",
        decided_on=D(2025, 7, 10),
        next_year=ContractYearFactory(
            cycle=w["cycle"], year_no=2, start_date=D(2025, 7, 1), end_date=D(2026, 6, 30)
        ),
    ),
    # reports
    "reports_report_one_brief_per_month": lambda w: [_report(w) for _ in range(2)],
    "reports_report_one_per_kind": lambda w: [_report(w, kind="midterm", period=None) for _ in range(2)],
    "reports_report_period_only_for_briefs": lambda w: _report(w, kind="final"),
    "reports_report_submitted_has_time": lambda w: _report(w, status="submitted"),
    "reports_report_volunteer_hours_not_negative": lambda w: _report(w, volunteer_hours=Decimal("-1")),
    "reports_reportfigure_one_per_area_kind": lambda w: (
        lambda r: [ReportFigure.objects.create(report=r, area="elderly", kind="group") for _ in range(2)]
    )(_report(w)),
    "reports_reportreview_return_has_comment": lambda w: ReportReview.objects.create(
        report=_report(w), decision="returned", comment="", reviewed_at=NOW
    ),
    "reports_servicerecord_participants_positive": lambda w: ServiceRecord.objects.create(
        station=w["station"],
        contract_year=w["year"],
        kind="group",
        area="elderly",
        method="care",
        held_on=D(2024, 9, 1),
        title="t",
        participants=0,
    ),
}

# Limits kept by a column's own unique=True rather than a named constraint.
FIELD_UNIQUE_CASES = {"staffing_qualification_certificate_no_key"}
# Cross-table limits kept by triggers (SQLite) or exclusion constraints (PostgreSQL).
CROSS_TABLE_CASES = {
    "staffing_posting_one_station_per_person",
    "contracts_projectcycle_no_overlap",
    "contracts_projectcycle_keeps_years",
    "contracts_contractyear_within_cycle",
    "contracts_contractyear_no_overlap",
}


UNIQUE_CASES = {
    constraint.name % {"app_label": model._meta.app_label, "class": model._meta.model_name}
    for model in apps.get_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, UniqueConstraint)
} | FIELD_UNIQUE_CASES


@pytest.mark.parametrize("constraint", sorted(BAD_ROWS))
def test_constraint_refuses_bad_row(world, constraint):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        BAD_ROWS[constraint](world)
    if not (constraint in UNIQUE_CASES and connection.vendor == "sqlite"):
        # The refusal comes from this constraint, not from another one the bad row happens to break.
        # (SQLite names the columns of a unique index instead of the index.)
        assert constraint in str(refused.value)


def test_every_constraint_has_a_case():
    declared = {
        constraint.name % {"app_label": model._meta.app_label, "class": model._meta.model_name}
        for model in apps.get_models()
        if model._meta.app_label
        in {"core", "accounts", "stations", "contracts", "staffing", "evaluations", "reports"}
        for constraint in model._meta.constraints
    }
    assert declared - set(BAD_ROWS) == set()
    assert set(BAD_ROWS) - declared == FIELD_UNIQUE_CASES | CROSS_TABLE_CASES


def test_constraints_have_chinese_messages():
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if model._meta.app_label in {
                "core",
                "accounts",
                "stations",
                "contracts",
                "staffing",
                "evaluations",
                "reports",
            }:
                message = str(constraint.violation_error_message)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in message), constraint.name


@pytest.mark.django_db
def test_a_good_world_is_accepted(world):
    """The factories build rows every constraint accepts: the refusals above are about the bad field alone."""
    year2 = ContractYearFactory(
        cycle=world["cycle"], year_no=2, start_date=D(2025, 7, 1), end_date=D(2026, 6, 30)
    )
    year3 = ContractYearFactory(
        cycle=world["cycle"], year_no=3, start_date=D(2026, 7, 1), end_date=D(2027, 6, 30)
    )
    assert {year2.year_no, year3.year_no} == {2, 3}
