"""Every rule of the policy, by its ID: refused by a service (block), reported by a check (error, warn),
or recorded (track). Each test is named after its rule and fails if the rule's code is removed."""

import datetime
import re
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from contracts import services as contract_services
from contracts.models import ContractYear, EligibilityCondition, EligibilityEvidence, Procurement
from core.models import ParameterKey, PolicyParameter
from core.parameters import parameter
from core.policy import RULES
from core.services import parameter_change
from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from reports import selectors as report_selectors
from reports import services as report_services
from reports.compliance import due_items, findings
from reports.models import Report, ReportReview, ServiceRecord
from staffing import services as staffing_services
from staffing.models import Posting, Training, TrainingRecord, Volunteer, VolunteerHours
from stations.models import AnnualPlan, Donation, SiteConditionLog, Street
from tests.factories import ContractorFactory, UserFactory, scan
from tests.policy.conftest import STANDARD, budget, funding, post_on_the_day, set_parameter, sheet

D = datetime.date


def rule_findings(pw, rule_id: str, day: datetime.date):
    return [f for f in findings(pw.stations, day) if f.rule_id == rule_id]


@contextmanager
def refused_by(rule_id: str):
    """pytest.raises for a ValidationError that carries this rule ID as its code and quotes the clause."""
    with pytest.raises(ValidationError) as info:
        yield info
    error = info.value
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
    else:
        codes = {e.code for e in error.error_list}
    assert rule_id in codes, (rule_id, codes, error)
    assert RULES[rule_id].clause[:10] in str(error)


def operating(pw, *, workers=2, qualified=1, start=D(2024, 7, 1), signed_on=D(2024, 7, 1), amount=STANDARD):
    """A station operating from `start`, with its first contract year and `workers` posted on signing day."""
    cycle = pw.award(cycle_start=start)
    year = pw.sign(cycle, amount=amount, signed_on=signed_on)
    team = []
    for n in range(workers):
        worker = pw.worker()
        post_on_the_day(
            cycle=cycle,
            worker=worker,
            start_date=signed_on,
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
        if n < qualified:
            staffing_services.qualification_record(
                worker=worker,
                level="assistant",
                certificate_no=f"Q{worker.pk}",
                obtained_on=D(2024, 1, 1),
                actor=pw.contractor_user,
            )
        team.append(worker)
    return cycle, year, team


def graded_and_signed(pw, year, grade):
    """The year-end evaluation held, graded and signed by both on the year's last day (as that day)."""
    day = year.end_date
    with time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 1, tzinfo=datetime.UTC), tick=False
    ):
        evaluation = evaluation_services.evaluation_record(
            contract_year=year,
            kind=Evaluation.Kind.FINAL,
            held_on=day,
            grade=grade,
            scores=sheet(grade),
            actor=pw.bureau,
        )
        evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.street_officer)
        return evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.bureau)


# --- every rule has a test -----------------------------------------------------------------------------------


def test_every_rule_of_the_catalogue_has_a_test_named_after_it():
    names = set()
    for path in Path(__file__).resolve().parents[1].rglob("test_*.py"):
        names.update(re.findall(r"def (test_R_[A-Z]+_\d+)", path.read_text(encoding="utf-8")))
    for rule_id in RULES:
        prefix = "test_" + rule_id.replace("-", "_")
        assert any(name == prefix or name.startswith(prefix + "_") for name in names), rule_id


def test_every_registered_check_cites_catalogue_rules():
    from core.findings import CHECKS

    cited = {rule_id for check in CHECKS.values() for rule_id in check.rule_ids}
    assert cited <= set(RULES)
    # Every rule that is checked (error or warn) has a check.
    checked = {rule.id for rule in RULES.values() if rule.severity in ("error", "warn")}
    assert checked <= cited


# --- rollout plan ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_PLAN_2_street_behind_its_year_is_warned_until_built(pw):
    behind = rule_findings(pw, "R-PLAN-2", D(2025, 1, 1))
    assert [f.severity for f in behind] == ["warn"]
    assert behind[0].due == D(2024, 12, 31)
    assert rule_findings(pw, "R-PLAN-2", D(2024, 12, 31)) == []  # still its planned year
    operating(pw, start=D(2025, 7, 1), signed_on=D(2025, 7, 1))
    assert rule_findings(pw, "R-PLAN-2", D(2025, 8, 1)) == []


@pytest.mark.django_db
def test_R_PLAN_3_unsubmitted_annual_plan_is_tracked(pw):
    district = pw.station.street.district
    AnnualPlan.objects.create(
        district=district,
        year=2025,
        title="2025年度计划",
        goals="g",
        measures="m",
        timeline="t",
        due_date=D(2025, 1, 15),
    )
    assert rule_findings(pw, "R-PLAN-3", D(2025, 1, 15)) == []
    late = rule_findings(pw, "R-PLAN-3", D(2025, 1, 16))
    assert late and late[0].district_id == district.pk and late[0].severity == "track"
    AnnualPlan.objects.filter(district=district).update(
        status="submitted", submitted_at=datetime.datetime(2025, 1, 16, tzinfo=datetime.UTC)
    )
    assert rule_findings(pw, "R-PLAN-3", D(2025, 1, 17)) == []


# --- procurement -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_PROC_1_only_the_bureau_or_the_station_street_buys(pw):
    with refused_by("R-PROC-1"):
        contract_services.procurement_start(
            station=pw.station,
            purchaser="contractor",
            title="t",
            project_no="X-1",
            method="inquiry",
            budget_amount=Decimal(1),
            notice_date=D(2024, 1, 1),
            actor=pw.bureau,
        )
    # A street office may buy on its own for its own station, as purchaser "street".
    pw.procurement.status = Procurement.Status.CANCELLED
    pw.procurement.save()
    own = contract_services.procurement_start(
        station=pw.station,
        purchaser="street",
        title="街道自行购买",
        project_no="X-2",
        method="inquiry",
        budget_amount=Decimal(1),
        notice_date=D(2024, 1, 1),
        actor=pw.street_officer,
    )
    assert own.purchaser == "street"
    with refused_by("R-PROC-1"):
        contract_services.procurement_start(
            station=pw.station,
            purchaser="bureau",
            title="t",
            project_no="X-3",
            method="inquiry",
            budget_amount=Decimal(1),
            notice_date=D(2024, 1, 1),
            actor=pw.street_officer,
        )
    with pytest.raises(PermissionDenied):
        contract_services.procurement_start(
            station=pw.station,
            purchaser="bureau",
            title="t",
            project_no="X-4",
            method="inquiry",
            budget_amount=Decimal(1),
            notice_date=D(2024, 1, 1),
            actor=pw.contractor_user,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("condition", EligibilityCondition.values)
def test_R_PROC_2_award_refused_to_a_contractor_missing_one_condition(pw, condition):
    other = ContractorFactory()
    for held in EligibilityCondition.values:
        if held != condition:
            contract_services.eligibility_verify(
                contractor=other,
                condition=held,
                evidence="e",
                verified_on=D(2024, 5, 1),
                actor=pw.bureau,
                documents=[scan()],
            )
    with refused_by("R-PROC-2"):
        pw.award(contractor=other)
    assert pw.station.cycles.count() == 0
    assert Procurement.objects.get(pk=pw.procurement.pk).status == "open"  # nothing saved


@pytest.mark.django_db
def test_R_PROC_2_expired_evidence_counts_as_missing_and_is_reported(pw):
    cycle, _year, _team = operating(pw)
    EligibilityEvidence.objects.filter(contractor=pw.contractor, condition="standing").update(
        valid_until=D(2025, 1, 1)
    )
    assert rule_findings(pw, "R-PROC-2", D(2025, 1, 1)) == []
    assert [f.severity for f in rule_findings(pw, "R-PROC-2", D(2025, 1, 2))] == ["error"]
    assert cycle.contractor == pw.contractor


@pytest.mark.django_db
def test_R_PROC_3_award_records_method_dates_and_the_agreement(pw):
    cycle = pw.award()
    procurement = Procurement.objects.get(pk=pw.procurement.pk)
    assert (procurement.status, procurement.awarded_to, procurement.award_date) == (
        "awarded",
        pw.contractor,
        D(2024, 6, 10),
    )
    assert cycle.planned_end_date == D(2027, 6, 30)
    with refused_by("R-PROC-3"):
        pw.award()  # an awarded procurement is not awarded again
    Procurement.objects.filter(pk=procurement.pk).update(agreement_signed_on=None)
    pw.sign(cycle)
    assert [f.severity for f in rule_findings(pw, "R-PROC-3", D(2024, 8, 1))] == ["track"]


# --- funding -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_FUND_1_the_cap_accepts_250000_00_and_refuses_250000_01(pw):
    cycle = pw.award()
    with refused_by("R-FUND-1"):
        pw.sign(cycle, amount=Decimal("250000.01"))
    assert not ContractYear.objects.filter(cycle=cycle).exists()
    year = pw.sign(cycle, amount=Decimal("250000.00"))
    assert year.amount == Decimal("250000.00")


@pytest.mark.django_db
def test_R_FUND_1_the_cap_in_force_on_the_signing_day_applies(pw):
    set_parameter(pw, ParameterKey.ANNUAL_AMOUNT_CAP, "300000", D(2024, 7, 1))
    cycle = pw.award()
    assert pw.sign(cycle, amount=Decimal("280000.00"), signed_on=D(2024, 7, 1)).amount == Decimal("280000.00")


@pytest.mark.django_db
def test_R_FUND_1_below_the_standard_is_warned(pw):
    operating(pw, amount=Decimal("220000.00"))
    found = rule_findings(pw, "R-FUND-1", D(2024, 8, 1))
    assert [f.severity for f in found] == ["warn"]
    assert "220,000.00" in found[0].message


@pytest.mark.django_db
def test_R_FUND_2_budget_lines_that_do_not_add_up_are_refused(pw):
    cycle = pw.award()
    lines = budget()
    lines["evaluation"] += Decimal("0.01")
    with refused_by("R-FUND-2"):
        pw.sign(cycle, lines=lines)
    missing_one = budget()
    del missing_one["evaluation"]
    with refused_by("R-FUND-2"):
        pw.sign(cycle, lines=missing_one)
    assert not ContractYear.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
def test_R_FUND_2_and_R_FUND_3_a_year_whose_money_no_longer_adds_up_is_reported(pw):
    _cycle, year, _team = operating(pw)
    year.budget_lines.filter(line="evaluation").update(amount=0)
    year.funding.filter(source="social_assistance").update(amount=0)
    assert {f.rule_id for f in findings(pw.stations, D(2024, 8, 1))} >= {"R-FUND-2", "R-FUND-3"}


@pytest.mark.django_db
def test_R_FUND_3_funding_sources_must_add_up_to_the_amount(pw):
    cycle = pw.award()
    sources = funding()
    sources["municipal_subsidy"] -= Decimal("1")
    with refused_by("R-FUND-3"):
        pw.sign(cycle, sources=sources)
    with refused_by("R-FUND-3"):
        pw.sign(cycle, sources={})


@pytest.mark.django_db
def test_R_FUND_4_donations_are_recorded_with_donor_value_and_date(pw):
    donation = Donation.objects.create(
        station=pw.station,
        donor="区慈善协会",
        kind="equipment",
        description="档案柜2组",
        value=Decimal("3600.00"),
        donated_on=D(2024, 9, 1),
    )
    assert Donation.objects.visible_to(pw.bureau).get() == donation
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.create(
            station=pw.station,
            donor="x",
            kind="room",
            description="x",
            value=Decimal("-1"),
            donated_on=D(2024, 9, 1),
        )


# --- cycles and renewal -----------------------------------------------------------------------------------------


def _renew(pw, year, signed_on=None):
    return evaluation_services.contract_year_renew(
        contract_year=year,
        amount=STANDARD,
        signed_on=signed_on or year.end_date + datetime.timedelta(days=1),
        budget_lines=budget(),
        funding=funding(),
        actor=pw.bureau,
    )


@pytest.mark.django_db
def test_R_CYCLE_1_a_fourth_contract_year_is_refused(pw):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, "good")
    year2 = _renew(pw, year1)
    graded_and_signed(pw, year2, "excellent")
    year3 = _renew(pw, year2)
    assert [y.year_no for y in (year1, year2, year3)] == [1, 2, 3]
    assert (year3.start_date, year3.end_date) == (D(2026, 7, 1), D(2027, 6, 30))
    with time_machine.travel(datetime.datetime(2027, 7, 10, 9, tzinfo=datetime.UTC), tick=False):
        graded_and_signed(pw, year3, "pass")
        with refused_by("R-CYCLE-1"):
            _renew(pw, year3)
    assert ContractYear.objects.filter(cycle=year1.cycle).count() == 3


@pytest.mark.django_db
def test_R_CYCLE_1_the_database_refuses_a_fourth_year_and_an_overlap(pw):
    cycle, _year1, _team = operating(pw)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractYear.objects.create(
            cycle=cycle,
            station=pw.station,
            year_no=4,
            start_date=D(2025, 7, 1),
            end_date=D(2026, 6, 30),
            planned_end_date=D(2026, 6, 30),
            amount=1,
            signed_on=D(2025, 7, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractYear.objects.create(
            cycle=cycle,
            station=pw.station,
            year_no=2,
            start_date=D(2025, 6, 30),
            end_date=D(2026, 6, 29),
            planned_end_date=D(2026, 6, 29),
            amount=1,
            signed_on=D(2025, 7, 1),
        )


@pytest.mark.django_db
def test_R_CYCLE_1_a_new_cycle_cannot_overlap_the_current_one(pw):
    operating(pw)
    next_procurement = Procurement.objects.create(
        station=pw.station,
        purchaser="bureau",
        title="t",
        project_no="PW-NEXT",
        method="inquiry",
        budget_amount=Decimal(1),
        notice_date=D(2025, 1, 1),
    )
    with refused_by("R-CYCLE-1"):
        contract_services.procurement_award(
            procurement=next_procurement,
            contractor=pw.contractor,
            award_date=D(2025, 2, 1),
            cycle_start=D(2026, 7, 1),
            actor=pw.bureau,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("grade", ["excellent", "good", "pass"])
def test_R_CYCLE_2_renewal_allowed_after_a_passing_grade(pw, grade):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, grade)
    year2 = _renew(pw, year1)
    assert year2.year_no == 2 and year1.renewal.decision == "renew" and year1.renewal.next_year == year2


@pytest.mark.django_db
def test_R_CYCLE_2_renewal_refused_after_a_failed_evaluation(pw):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, "fail")
    with refused_by("R-CYCLE-2"):
        _renew(pw, year1)
    assert ContractYear.objects.filter(cycle=year1.cycle).count() == 1
    # After 不合格 the cycle ends and the station goes back to procurement.
    cycle = evaluation_services.cycle_end_after_evaluation(contract_year=year1, actor=pw.bureau)
    assert (cycle.end_date, cycle.end_reason) == (D(2025, 6, 30), "failed_evaluation")
    again = contract_services.procurement_start(
        station=pw.station,
        purchaser="bureau",
        title="重新采购",
        project_no="PW-2025-2",
        method="public_tender",
        budget_amount=Decimal("750000"),
        notice_date=D(2025, 7, 5),
        actor=pw.bureau,
    )
    other = ContractorFactory()
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=other,
            condition=condition,
            evidence="e",
            verified_on=D(2025, 7, 1),
            actor=pw.bureau,
            documents=[scan()],
        )
    new_cycle = contract_services.procurement_award(
        procurement=again,
        contractor=other,
        award_date=D(2025, 8, 1),
        cycle_start=D(2025, 8, 1),
        actor=pw.bureau,
    )
    assert new_cycle.contractor == other


@pytest.mark.django_db
def test_R_CYCLE_2_a_second_year_needs_a_renewal_decision(pw):
    cycle, _year1, _team = operating(pw)
    with refused_by("R-CYCLE-2"):
        pw.sign(cycle, signed_on=D(2025, 7, 1))


@pytest.mark.django_db
def test_R_CYCLE_2_failed_but_not_ended_is_reported(pw):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, "fail")
    assert [f.severity for f in rule_findings(pw, "R-CYCLE-2", D(2025, 7, 10))] == ["error"]


# --- site ----------------------------------------------------------------------------------------------------------


def _log(pw, **missing):
    values = dict.fromkeys(SiteConditionLog.REQUIRED_EQUIPMENT + SiteConditionLog.SYSTEMS, True)
    values.update(sign_installed=True, catalogue_posted=True)
    values.update(missing)
    return SiteConditionLog.objects.create(station=pw.station, logged_on=D(2024, 7, 5), **values)


@pytest.mark.django_db
def test_R_SITE_1_no_log_or_a_missing_required_item_is_an_error_but_optional_rooms_are_not(pw):
    operating(pw)
    assert [f.severity for f in rule_findings(pw, "R-SITE-1", D(2024, 8, 1))] == ["error"]  # never checked
    _log(pw, has_printer=False, has_group_room=False, has_case_room=False)
    found = rule_findings(pw, "R-SITE-1", D(2024, 8, 1))
    assert len(found) == 1 and "打印机" in found[0].message and "小组活动室" not in found[0].message


@pytest.mark.django_db
def test_R_SITE_1_site_check_due_every_six_months(pw):
    operating(pw)
    _log(pw)
    items = [i for i in due_items(pw.stations, D(2024, 12, 25)) if i.rule_id == "R-SITE-1"]
    assert items and items[0].due == D(2025, 1, 5) and items[0].responsible == "street"


@pytest.mark.django_db
def test_R_SITE_2_missing_sign_is_an_error(pw):
    operating(pw)
    _log(pw, sign_installed=False)
    assert [f.severity for f in rule_findings(pw, "R-SITE-2", D(2024, 8, 1))] == ["error"]


@pytest.mark.django_db
def test_R_SITE_3_catalogue_not_posted_is_an_error(pw):
    operating(pw)
    _log(pw, catalogue_posted=False)
    assert [f.severity for f in rule_findings(pw, "R-SITE-3", D(2024, 8, 1))] == ["error"]


@pytest.mark.django_db
def test_R_SITE_4_one_error_per_missing_management_system(pw):
    operating(pw)
    _log(pw, system_volunteer=False, system_archive=False)
    found = rule_findings(pw, "R-SITE-4", D(2024, 8, 1))
    assert len(found) == 2 and {
        "志愿者管理制度" in f.message or "文书档案管理制度" in f.message for f in found
    } == {True}


# --- staff ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_STAFF_1_fewer_than_two_or_more_than_three_residents_is_warned(pw):
    cycle, _year, _team = operating(pw, workers=1)
    assert [f.severity for f in rule_findings(pw, "R-STAFF-1", D(2024, 8, 1))] == ["warn"]
    for _ in range(2):
        post_on_the_day(
            cycle=cycle,
            worker=pw.worker(),
            start_date=D(2024, 8, 1),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
    assert rule_findings(pw, "R-STAFF-1", D(2024, 8, 2)) == []
    post_on_the_day(
        cycle=cycle,
        worker=pw.worker(),
        start_date=D(2024, 8, 2),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.contractor_user,
    )
    assert [f.severity for f in rule_findings(pw, "R-STAFF-1", D(2024, 8, 3))] == ["warn"]


@pytest.mark.django_db
def test_R_STAFF_2_no_qualified_resident_is_an_error(pw):
    operating(pw, workers=2, qualified=0)
    assert [f.severity for f in rule_findings(pw, "R-STAFF-2", D(2024, 8, 1))] == ["error"]


@pytest.mark.django_db
def test_R_STAFF_2_a_qualification_needs_a_known_level_and_a_certificate(pw):
    worker = pw.worker()
    with refused_by("R-STAFF-2"):
        staffing_services.qualification_record(
            worker=worker,
            level="doctor",
            certificate_no="C1",
            obtained_on=D(2024, 1, 1),
            actor=pw.contractor_user,
        )
    with refused_by("R-STAFF-2"):
        staffing_services.qualification_record(
            worker=worker,
            level="assistant",
            certificate_no=" ",
            obtained_on=D(2024, 1, 1),
            actor=pw.contractor_user,
        )


@pytest.mark.django_db
def test_R_STAFF_3_deadline_day_is_a_warning_and_the_day_after_an_error(pw):
    operating(pw, workers=2, qualified=1)  # taken over 2024-07-01: deadline 2026-07-01
    assert rule_findings(pw, "R-STAFF-3", D(2026, 4, 1)) == []  # 91 days before
    warned = rule_findings(pw, "R-STAFF-3", D(2026, 4, 2))  # 90 days before
    assert [f.severity for f in warned] == ["warn"] and warned[0].due == D(2026, 7, 1)
    assert [f.severity for f in rule_findings(pw, "R-STAFF-3", D(2026, 7, 1))] == ["warn"]  # the deadline day
    assert [f.severity for f in rule_findings(pw, "R-STAFF-3", D(2026, 7, 2))] == ["error"]


@pytest.mark.django_db
def test_R_STAFF_3_a_later_recruit_shares_the_cycles_one_deadline(pw):
    cycle, _year, _team = operating(pw, workers=2, qualified=2)
    recruit = pw.worker()
    post_on_the_day(
        cycle=cycle,
        worker=recruit,
        start_date=D(2025, 3, 1),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.contractor_user,
    )
    # No fresh two-year clock for a recruit: the cycle's deadline (takeover 2024-07-01 + 2 years) is theirs too.
    assert rule_findings(pw, "R-STAFF-3", D(2026, 7, 1)) == [] or all(
        f.severity == "warn" for f in rule_findings(pw, "R-STAFF-3", D(2026, 7, 1))
    )
    assert [f.due for f in rule_findings(pw, "R-STAFF-3", D(2026, 7, 2))] == [D(2026, 7, 1)]


@pytest.mark.django_db
def test_R_STAFF_4_only_full_time_workers_with_a_labour_contract_are_posted(pw):
    cycle = pw.award()
    pw.sign(cycle)
    with refused_by("R-STAFF-4"):
        post_on_the_day(
            cycle=cycle,
            worker=pw.worker(),
            start_date=D(2024, 7, 2),
            is_full_time=False,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
    with refused_by("R-STAFF-4"):
        post_on_the_day(
            cycle=cycle,
            worker=pw.worker(),
            start_date=D(2024, 7, 2),
            is_full_time=True,
            has_labour_contract=False,
            actor=pw.contractor_user,
        )
    with refused_by("R-STAFF-4"):
        post_on_the_day(
            cycle=cycle,
            worker=ContractorFactory().workers.create(
                district=pw.station.street.district,
                name="他人社工",
                gender="F",
                id_number="120110199001011234",
                phone="1",
                employed_on=D(2024, 1, 1),
            ),
            start_date=D(2024, 7, 2),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
    assert not Posting.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
def test_R_STAFF_4_a_posting_changed_to_part_time_is_reported(pw):
    cycle, _year, _team = operating(pw)
    Posting.objects.filter(cycle=cycle).update(is_full_time=False)
    assert {f.severity for f in rule_findings(pw, "R-STAFF-4", D(2024, 8, 1))} == {"error"}


@pytest.mark.django_db
def test_R_STAFF_5_posting_on_day_15_accepted_and_day_16_refused(pw):
    cycle = pw.award()
    pw.sign(cycle, signed_on=D(2024, 7, 1))
    with refused_by("R-STAFF-5"):
        post_on_the_day(
            cycle=cycle,
            worker=pw.worker(),
            start_date=D(2024, 7, 17),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
    assert not Posting.objects.filter(cycle=cycle).exists()
    posting = post_on_the_day(
        cycle=cycle,
        worker=pw.worker(),
        start_date=D(2024, 7, 16),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.contractor_user,
    )
    assert posting.start_date == D(2024, 7, 16)
    assert rule_findings(pw, "R-STAFF-5", D(2024, 8, 1)) == []


@pytest.mark.django_db
def test_R_STAFF_5_a_late_posting_recorded_by_the_bureau_stays_a_finding(pw):
    cycle = pw.award()
    pw.sign(cycle, signed_on=D(2024, 7, 1))
    assert [i.due for i in due_items(pw.stations, D(2024, 7, 10)) if i.rule_id == "R-STAFF-5"] == [
        D(2024, 7, 16)
    ]
    post_on_the_day(
        cycle=cycle,
        worker=pw.worker(),
        start_date=D(2024, 7, 17),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.bureau,
        late_reason="办公用房装修延期",
    )
    found = rule_findings(pw, "R-STAFF-5", D(2024, 8, 1))
    assert len(found) == 1 and "第16天" in found[0].message


@pytest.mark.django_db
def test_R_STAFF_6_resident_without_a_passed_training_is_tracked(pw):
    _cycle, _year, team = operating(pw, workers=2, qualified=2)
    assert len(rule_findings(pw, "R-STAFF-6", D(2024, 8, 1))) == 2
    training = Training.objects.create(
        district=pw.station.street.district,
        title="岗前培训",
        kind="pre_service",
        held_on=D(2024, 7, 20),
        hours=Decimal("16"),
    )
    TrainingRecord.objects.create(training=training, worker=team[0], passed=True)
    TrainingRecord.objects.create(training=training, worker=team[1], passed=False)
    assert [f.subject for f in rule_findings(pw, "R-STAFF-6", D(2024, 8, 1))] == [team[1].name]


# --- services, volunteers, reports ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_SVC_1_a_month_without_service_records_is_tracked(pw):
    _cycle, year, _team = operating(pw)
    assert len(rule_findings(pw, "R-SVC-1", D(2024, 9, 1))) == 1
    ServiceRecord.objects.create(
        station=pw.station,
        contract_year=year,
        kind="group",
        area="elderly",
        method="care",
        held_on=D(2024, 8, 20),
        title="老年人小组",
        participants=8,
    )
    assert rule_findings(pw, "R-SVC-1", D(2024, 9, 1)) == []


@pytest.mark.django_db
def test_R_SVC_2_volunteer_hours_unverified_after_a_week_are_tracked(pw):
    operating(pw)
    volunteer = Volunteer.objects.create(
        station=pw.station, name="志愿者", phone="1", registered_on=D(2024, 7, 1)
    )
    VolunteerHours.objects.create(
        volunteer=volunteer,
        served_on=D(2024, 8, 1),
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        hours=Decimal("2"),
        activity="敬老",
        entered_via="volunteer",
    )
    assert rule_findings(pw, "R-SVC-2", D(2024, 8, 8)) == []
    assert len(rule_findings(pw, "R-SVC-2", D(2024, 8, 9))) == 1


def _brief(pw, year, month=D(2024, 7, 1)):
    return report_services.report_draft(
        contract_year=year, kind=Report.Kind.MONTHLY, period=month, actor=pw.contractor_user
    )


@pytest.mark.django_db
def test_R_REP_1_brief_due_on_the_5th_of_the_next_month(pw):
    _cycle, year, _team = operating(pw)
    july = [f for f in rule_findings(pw, "R-REP-1", D(2024, 8, 5)) if "7月" in f.subject]
    assert july == []  # the due day itself
    late = [f for f in rule_findings(pw, "R-REP-1", D(2024, 8, 6)) if "7月" in f.subject]
    assert len(late) == 1 and late[0].due == D(2024, 8, 5)
    brief = _brief(pw, year)
    assert brief.due_date == D(2024, 8, 5)
    with time_machine.travel(datetime.datetime(2024, 8, 6, 9, tzinfo=datetime.UTC), tick=False):
        report_services.report_submit(report=brief, actor=pw.contractor_user)
        assert report_selectors.is_late(Report.objects.get(pk=brief.pk))
    assert [f for f in rule_findings(pw, "R-REP-1", D(2024, 8, 7)) if "7月" in f.subject] == []


@pytest.mark.django_db
def test_R_REP_1_the_due_day_follows_the_parameter(pw):
    set_parameter(pw, ParameterKey.BRIEF_DUE_DAY, "10", D(2024, 8, 1))
    _cycle, year, _team = operating(pw)
    assert _brief(pw, year).due_date == D(2024, 8, 10)


@pytest.mark.django_db
def test_R_REP_2_mid_term_and_final_reports_are_due(pw):
    _cycle, year, _team = operating(pw)
    assert report_selectors.report_due(year, Report.Kind.MIDTERM, None) == D(2024, 12, 31)
    assert report_selectors.report_due(year, Report.Kind.FINAL, None) == D(2025, 6, 30)
    assert list(rule_findings(pw, "R-REP-2", D(2024, 12, 31))) == []
    assert len(rule_findings(pw, "R-REP-2", D(2025, 1, 1))) == 1
    assert len(rule_findings(pw, "R-REP-2", D(2025, 7, 1))) == 2


@pytest.mark.django_db
def test_R_REP_3_bureau_returns_with_comments_and_accepts_the_resubmission(pw):
    _cycle, year, _team = operating(pw)
    brief = _brief(pw, year)
    report_services.report_submit(report=brief, actor=pw.contractor_user)
    assert Report.objects.visible_to(pw.street_officer).filter(pk=brief.pk).exists()  # seen once submitted
    with refused_by("R-REP-3"):
        report_services.report_review(report=brief, decision="returned", comment="", actor=pw.bureau)
    report_services.report_review(
        report=brief, decision="returned", comment="请补充个案记录", actor=pw.bureau
    )
    assert Report.objects.get(pk=brief.pk).status == "returned"
    assert any(f.rule_id == "R-REP-3" for f in findings(pw.stations, D(2024, 8, 20)))
    with pytest.raises(PermissionDenied):
        report_services.report_review(report=brief, decision="accepted", actor=pw.contractor_user)
    report_services.report_submit(report=brief, actor=pw.contractor_user)
    report_services.report_review(report=brief, decision="accepted", actor=pw.bureau)
    assert Report.objects.get(pk=brief.pk).status == "accepted"
    assert list(ReportReview.objects.filter(report=brief).values_list("decision", flat=True)) == [
        "returned",
        "accepted",
    ]
    with refused_by("R-REP-3"):
        report_services.report_submit(report=brief, actor=pw.contractor_user)


@pytest.mark.django_db
def test_R_REP_4_service_plan_missing_a_month_into_the_year_is_warned(pw):
    operating(pw)
    assert rule_findings(pw, "R-REP-4", D(2024, 7, 31)) == []
    assert [f.severity for f in rule_findings(pw, "R-REP-4", D(2024, 8, 1))] == ["warn"]


@pytest.mark.django_db
def test_R_REP_5_final_report_needs_its_experience_summary(pw):
    _cycle, year, _team = operating(pw)
    final = report_services.report_draft(contract_year=year, kind=Report.Kind.FINAL, actor=pw.contractor_user)
    with refused_by("R-REP-5"):
        report_services.report_submit(report=final, actor=pw.contractor_user)
    Report.objects.filter(pk=final.pk).update(experience_summary="形成社工+志愿者联动模式")
    report_services.report_submit(report=final, actor=pw.contractor_user)
    report_services.report_review(report=final, decision="accepted", actor=pw.bureau)
    assert "动态推送" in rule_findings(pw, "R-REP-5", D(2025, 7, 1))[0].message


# --- evaluation ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R_EVAL_1_evaluation_missing_after_its_due_date_is_an_error(pw):
    _cycle, year, _team = operating(pw)
    assert list(rule_findings(pw, "R-EVAL-1", D(2025, 1, 31))) == []
    assert [f.subject for f in rule_findings(pw, "R-EVAL-1", D(2025, 2, 1))] == ["2024—2025年度中期评估"]
    evaluation_services.evaluation_record(
        contract_year=year,
        kind="midterm",
        held_on=D(2025, 2, 3),
        grade="good",
        scores=sheet("good"),
        actor=pw.bureau,
    )
    assert rule_findings(pw, "R-EVAL-1", D(2025, 2, 4)) == []


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2025, 7, 2, 1, tzinfo=datetime.UTC), tick=False)
def test_R_EVAL_2_only_an_evaluation_signed_by_street_and_bureau_counts_for_renewal(pw):
    _cycle, year, _team = operating(pw)
    evaluation = evaluation_services.evaluation_record(
        contract_year=year,
        kind="final",
        held_on=D(2025, 6, 25),
        grade="good",
        scores=sheet("good"),
        actor=pw.bureau,
    )
    evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.street_officer)
    with refused_by("R-EVAL-2"):
        _renew(pw, year)
    assert [f.responsible for f in rule_findings(pw, "R-EVAL-2", D(2025, 8, 1))] == ["bureau"]
    with refused_by("R-EVAL-2"):
        evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.street_officer)  # signs once
    outsider = UserFactory(username="other-street", role=Role.STREET)
    Street.objects.exclude(pk=pw.station.street_id).first().staff.add(outsider)
    with pytest.raises(PermissionDenied):
        evaluation_services.evaluation_sign(evaluation=evaluation, actor=outsider)
    evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.bureau)
    assert _renew(pw, year, signed_on=D(2025, 7, 2)).year_no == 2  # not before the signature


@pytest.mark.django_db
def test_R_EVAL_2_a_signed_evaluation_cannot_be_regraded(pw):
    _cycle, year, _team = operating(pw)
    graded_and_signed(pw, year, "good")
    with refused_by("R-EVAL-2"):
        evaluation_services.evaluation_record(
            contract_year=year,
            kind="final",
            held_on=D(2025, 6, 26),
            grade="excellent",
            scores=sheet("excellent"),
            actor=pw.bureau,
        )


# --- parameters --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_parameter_change_keeps_who_when_and_the_earlier_value(pw):
    set_parameter(pw, ParameterKey.POSTING_WITHIN_DAYS, "20", D(2025, 1, 1))
    assert parameter(ParameterKey.POSTING_WITHIN_DAYS, D(2024, 12, 31)) == Decimal("15")
    assert parameter(ParameterKey.POSTING_WITHIN_DAYS, D(2025, 1, 1)) == Decimal("20")
    changed = PolicyParameter.objects.get(key=ParameterKey.POSTING_WITHIN_DAYS, valid_from=D(2025, 1, 1))
    assert changed.changed_by == pw.bureau and changed.history.exists()
    with pytest.raises(PermissionDenied):
        parameter_change(
            key=ParameterKey.POSTING_WITHIN_DAYS,
            value=Decimal("30"),
            valid_from=D(2025, 2, 1),
            actor=pw.contractor_user,
            note="x",
        )


@pytest.mark.django_db
def test_parameters_only_the_bureau_sets_them_not_the_system_administrator(pw):
    admin = UserFactory(username="pw-admin", role=Role.ADMIN)
    with pytest.raises(PermissionDenied, match="三权分立"):
        parameter_change(
            key=ParameterKey.POSTING_WITHIN_DAYS,
            value=Decimal("20"),
            valid_from=timezone.localdate(),
            actor=admin,
            document_no="东民发〔2026〕9号",
        )


@pytest.mark.django_db
def test_parameters_a_back_dated_change_is_refused_citing_its_rule(pw):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        with refused_by("R-STAFF-5") as refused:
            parameter_change(
                key=ParameterKey.POSTING_WITHIN_DAYS,
                value=Decimal("20"),
                valid_from=D(2026, 11, 30),  # yesterday: findings already made would change
                actor=pw.bureau,
                document_no="东民发〔2026〕9号",
            )
        assert "生效日期" in str(refused.value)
        today = parameter_change(
            key=ParameterKey.POSTING_WITHIN_DAYS,
            value=Decimal("20"),
            valid_from=D(2026, 12, 1),
            actor=pw.bureau,
            document_no="东民发〔2026〕9号",
        )
        assert today.document_no == "东民发〔2026〕9号"


@pytest.mark.django_db
def test_parameters_a_change_names_its_document_and_keeps_bands_in_order(pw):
    with refused_by("R-STAFF-5"):
        parameter_change(
            key=ParameterKey.POSTING_WITHIN_DAYS,
            value=Decimal("20"),
            valid_from=timezone.localdate(),
            actor=pw.bureau,
            document_no="  ",
        )
    with refused_by("R-EVAL-3"):  # 良好 from 95 would sit above 优秀 from 90
        parameter_change(
            key=ParameterKey.EVAL_GOOD_MIN,
            value=Decimal("95"),
            valid_from=timezone.localdate(),
            actor=pw.bureau,
            document_no="东民发〔2026〕9号",
        )
    with refused_by("R-STAFF-3"):
        parameter_change(
            key=ParameterKey.QUALIFY_WITHIN_YEARS,
            value=Decimal("2.5"),
            valid_from=timezone.localdate(),
            actor=pw.bureau,
            document_no="东民发〔2026〕9号",
        )


@pytest.mark.django_db
def test_parameters_every_value_and_its_day_are_shown_on_the_rules_page(client, pw):
    set_parameter(pw, ParameterKey.BRIEF_DUE_DAY, "10", D(2025, 3, 1), document_no="东民发〔2025〕3号")
    client.force_login(pw.street_officer)
    before = client.get("/rules/", {"on": "2025-02-28"}).content.decode()
    after = client.get("/rules/", {"on": "2025-03-01"}).content.decode()
    assert "东民发〔2025〕3号" in before  # the change log shows every change
    row = '月度工作简报提交截止日（次月几日）</td><td class="text-end text-nowrap">'
    assert row + "5</td>" in before and row + "10</td>" in after


@pytest.mark.django_db
def test_parameters_the_bureau_changes_one_on_the_portal_and_others_cannot(client, pw):
    url = reverse("parameter-change")
    data = {
        "key": "posting_within_days",
        "value": "20",
        "valid_from": timezone.localdate().isoformat(),
        "document_no": "东民发〔2026〕9号",
    }
    client.force_login(pw.street_officer)
    assert client.post(url, data).status_code == 403
    client.force_login(pw.bureau)
    yesterday = {**data, "valid_from": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    refused = client.post(url, yesterday)
    assert refused.status_code == 200 and "R-STAFF-5" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    assert PolicyParameter.objects.filter(key="posting_within_days", document_no="东民发〔2026〕9号").exists()
