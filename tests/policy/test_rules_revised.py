"""The rows of rules.md revised on 2026-12-01, each through its service (and the engine), with frozen dates at the
boundaries: the deadline day and the day after, band edges, the termination day and the day after."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from contracts import services as contract_services
from contracts.models import ContractYear, EligibilityCondition, Procurement, ProjectCycle
from core.models import ParameterKey
from core.services import parameter_change
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, ScoringItem
from reports import services as report_services
from reports.models import Report, ReportReview
from staffing import services as staffing_services
from staffing.models import Posting, Training, TrainingRecord
from tests.factories import ContractorFactory, SocialWorkerFactory, StationFactory, UserFactory, scan
from tests.policy.conftest import STANDARD, budget, funding, post_on_the_day, set_parameter, sheet
from tests.policy.test_rules import _renew, graded_and_signed, operating, refused_by, rule_findings

D = datetime.date
pytestmark = pytest.mark.django_db


def on(day: datetime.date):
    """Travel to a day (09:00 Asia/Shanghai is 01:00 UTC)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 1, tzinfo=datetime.UTC), tick=False
    )


# --- R-FUND-1 ---------------------------------------------------------------------------------------------------


def test_R_FUND_1_above_the_bureaus_cap_is_refused_as_the_bureaus_cap_not_the_plans_aim(pw):
    cycle = pw.award()
    with refused_by("R-FUND-1") as refused:
        pw.sign(cycle, amount=Decimal("250000.01"))
    assert "区民政局的年度预算上限" in str(refused.value) and "力争达到" in str(refused.value)
    assert pw.sign(cycle, amount=STANDARD).amount == STANDARD  # the cap itself is allowed


def test_R_FUND_1_a_street_bought_project_above_the_cap_is_a_risk_not_refused(pw):
    Procurement.objects.filter(pk=pw.procurement.pk).update(purchaser=Procurement.Purchaser.STREET)
    cycle = pw.award()
    year = pw.sign(cycle, amount=Decimal("280000.00"))
    found = rule_findings(pw, "R-FUND-1", D(2024, 8, 1))
    assert [(f.severity, f.subject) for f in found] == [("warn", f"{year.label}合同金额")]
    assert "参照" in found[0].message


def test_R_FUND_1_every_year_is_checked_not_only_the_one_in_force(pw):
    _cycle, year1, _team = operating(pw, amount=Decimal("230000.00"))
    graded_and_signed(pw, year1, "good")
    _renew(pw, year1)  # the second year at the standard
    found = rule_findings(pw, "R-FUND-1", D(2025, 8, 1))
    assert [(f.severity, f.subject) for f in found] == [("warn", "2024—2025年度合同金额")]


def test_R_FUND_1_the_standard_and_the_cap_are_separate_parameters(pw):
    set_parameter(pw, ParameterKey.ANNUAL_AMOUNT_STANDARD, "240000", D(2024, 6, 1))
    _cycle, _year, _team = operating(pw, amount=Decimal("245000.00"))
    assert rule_findings(pw, "R-FUND-1", D(2024, 8, 1)) == []  # at or above the standard, below the cap


# --- R-CYCLE-1 --------------------------------------------------------------------------------------------------


def test_R_CYCLE_1_a_signing_day_in_the_future_or_after_the_year_ended_is_refused(pw):
    cycle = pw.award()
    with on(D(2024, 6, 30)), refused_by("R-CYCLE-1"):
        pw.sign(cycle, signed_on=D(2024, 7, 1))  # tomorrow
    with on(D(2025, 7, 1)), refused_by("R-CYCLE-1"):
        pw.sign(cycle, signed_on=D(2025, 7, 1))  # the day after the year (2024-07-01..2025-06-30) ended
    with on(D(2025, 7, 1)):
        year = pw.sign(cycle, signed_on=D(2025, 6, 30))  # its last day: late, but allowed
    assert (year.start_date, year.planned_end_date) == (D(2024, 7, 1), D(2025, 6, 30))


def test_R_CYCLE_1_the_number_of_years_follows_the_parameter_without_a_migration(pw):
    set_parameter(pw, ParameterKey.CYCLE_YEARS, "4", D(2024, 6, 1))
    cycle = pw.award()
    assert (cycle.planned_years, cycle.planned_end_date) == (4, D(2028, 6, 30))
    with transaction.atomic():  # the database lets a fourth year in, since the cycle was planned for four
        ContractYear.objects.create(
            cycle=cycle,
            station=pw.station,
            year_no=4,
            start_date=D(2027, 7, 1),
            end_date=D(2028, 6, 30),
            planned_end_date=D(2028, 6, 30),
            amount=1,
            signed_on=D(2027, 7, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractYear.objects.create(
            cycle=cycle,
            station=pw.station,
            year_no=5,
            start_date=D(2028, 7, 1),
            end_date=D(2029, 6, 30),
            planned_end_date=D(2029, 6, 30),
            amount=1,
            signed_on=D(2028, 7, 1),
        )


def test_R_CYCLE_1_a_longer_cycle_needs_the_bureaus_reason_and_is_a_risk(pw):
    with refused_by("R-CYCLE-1"):
        contract_services.procurement_award(
            procurement=pw.procurement,
            contractor=pw.contractor,
            award_date=D(2024, 6, 10),
            cycle_start=D(2024, 7, 1),
            cycle_years=5,
            actor=pw.bureau,
        )
    cycle = contract_services.procurement_award(
        procurement=pw.procurement,
        contractor=pw.contractor,
        award_date=D(2024, 6, 10),
        cycle_start=D(2024, 7, 1),
        cycle_years=5,
        longer_reason="区政府常务会议决定延长试点周期",
        actor=pw.bureau,
    )
    assert cycle.planned_end_date == D(2029, 6, 30)
    found = [f for f in rule_findings(pw, "R-CYCLE-1", D(2024, 8, 1)) if f.severity == "warn"]
    assert len(found) == 1 and "区政府常务会议" in found[0].message


def test_R_CYCLE_1_a_signed_contract_year_changed_afterwards_is_flagged(pw):
    _cycle, year, _team = operating(pw)
    assert not [f for f in rule_findings(pw, "R-CYCLE-1", D(2024, 8, 1)) if "签订后" in f.message]
    year.amount = Decimal("240000.00")
    year.save()  # a direct edit, around the service
    flagged = [f for f in rule_findings(pw, "R-CYCLE-1", D(2024, 8, 1)) if "签订后" in f.message]
    assert len(flagged) == 1 and "合同金额" in flagged[0].message


# --- R-CYCLE-2 --------------------------------------------------------------------------------------------------


def test_R_CYCLE_2_a_second_year_without_a_passing_signed_evaluation_is_found_years_later(pw):
    cycle, _year1, _team = operating(pw)
    ContractYear.objects.create(  # written around the services: no evaluation, no renewal
        cycle=cycle,
        station=pw.station,
        year_no=2,
        start_date=D(2025, 7, 1),
        end_date=D(2026, 6, 30),
        planned_end_date=D(2026, 6, 30),
        amount=STANDARD,
        signed_on=D(2025, 7, 1),
    )
    for day in (D(2025, 8, 1), D(2029, 8, 1)):  # long after: the whole history is checked
        found = [f for f in rule_findings(pw, "R-CYCLE-2", day) if "续签依据" in f.subject]
        assert len(found) == 1 and "没有续签决定" in found[0].message, day


def test_R_CYCLE_2_ending_after_a_passing_grade_needs_a_reason(pw):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, "good")
    with refused_by("R-CYCLE-2"):
        evaluation_services.cycle_end_after_evaluation(contract_year=year1, actor=pw.bureau)
    cycle = evaluation_services.cycle_end_after_evaluation(
        contract_year=year1, actor=pw.bureau, note="街道办事处调整服务方向，经区民政局党组会研究"
    )
    assert (cycle.end_date, cycle.end_reason) == (D(2025, 6, 30), "terminated")


def test_R_CYCLE_2_the_failed_contractor_winning_the_same_station_again_is_a_risk(pw):
    _cycle, year1, _team = operating(pw)
    graded_and_signed(pw, year1, "fail")
    evaluation_services.cycle_end_after_evaluation(contract_year=year1, actor=pw.bureau)
    again = contract_services.procurement_start(
        station=pw.station,
        purchaser=Procurement.Purchaser.BUREAU,
        title="重新采购",
        project_no="PW-2025-2",
        method=Procurement.Method.PUBLIC_TENDER,
        budget_amount=Decimal("750000"),
        notice_date=D(2025, 7, 2),
        actor=pw.bureau,
    )
    contract_services.procurement_award(
        procurement=again,
        contractor=pw.contractor,
        award_date=D(2025, 7, 20),
        cycle_start=D(2025, 8, 1),
        actor=pw.bureau,
    )
    risks = [f for f in rule_findings(pw, "R-CYCLE-2", D(2025, 8, 2)) if f.severity == "warn"]
    assert len(risks) == 1 and "不合格" in risks[0].message


# --- R-CYCLE-3 --------------------------------------------------------------------------------------------------


def _terminate(pw, cycle, day, note="承接主体申请退出"):
    with on(day):
        return evaluation_services.cycle_terminate(
            cycle=cycle, end_date=day, reason=ProjectCycle.EndReason.TERMINATED, note=note, actor=pw.bureau
        )


def test_R_CYCLE_3_termination_closes_the_year_in_force_and_keeps_its_planned_end(pw):
    cycle, year, _team = operating(pw)
    with on(D(2024, 12, 20)), refused_by("R-CYCLE-2"):  # a reason is always written
        evaluation_services.cycle_terminate(
            cycle=cycle, end_date=D(2024, 12, 20), reason="terminated", note="", actor=pw.bureau
        )
    _terminate(pw, cycle, D(2024, 12, 20))
    year.refresh_from_db()
    cycle.refresh_from_db()
    assert (year.end_date, year.planned_end_date) == (D(2024, 12, 20), D(2025, 6, 30))
    assert (cycle.end_date, cycle.planned_end_date, cycle.end_note) == (
        D(2024, 12, 20),
        D(2027, 6, 30),
        "承接主体申请退出",
    )


def test_R_CYCLE_3_the_station_can_be_procured_again_from_the_next_day(pw):
    cycle, _year, _team = operating(pw)
    _terminate(pw, cycle, D(2024, 12, 20))
    again = contract_services.procurement_start(
        station=pw.station,
        purchaser=Procurement.Purchaser.BUREAU,
        title="重新采购",
        project_no="PW-2024-2",
        method=Procurement.Method.COMPETITIVE_CONSULTATION,
        budget_amount=Decimal("750000"),
        notice_date=D(2024, 12, 10),
        actor=pw.bureau,
    )
    other = ContractorFactory()
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=other,
            condition=condition,
            evidence="证明",
            verified_on=D(2024, 12, 1),
            documents=[scan()],
            actor=pw.bureau,
        )
    with refused_by("R-CYCLE-1"):  # the termination day still belongs to the old cycle
        contract_services.procurement_award(
            procurement=again,
            contractor=other,
            award_date=D(2024, 12, 15),
            cycle_start=D(2024, 12, 20),
            actor=pw.bureau,
        )
    new_cycle = contract_services.procurement_award(
        procurement=again,
        contractor=other,
        award_date=D(2024, 12, 15),
        cycle_start=D(2024, 12, 21),
        actor=pw.bureau,
    )
    with on(D(2024, 12, 21)):
        year = contract_services.contract_year_sign(
            cycle=new_cycle,
            amount=STANDARD,
            signed_on=D(2024, 12, 21),
            budget_lines=budget(),
            funding=funding(),
            actor=pw.bureau,
        )
    assert year.start_date == D(2024, 12, 21)  # the database's overlap check reads the old year's actual end


def test_R_CYCLE_3_nothing_falls_due_after_the_termination_day(pw):
    cycle, _year, _team = operating(pw)
    _terminate(pw, cycle, D(2024, 12, 20))
    overdue = {f.subject for f in rule_findings(pw, "R-REP-1", D(2025, 3, 1))}
    assert "2024年11月月度工作简报" in overdue  # due 2024-12-05, before the end: still owed
    assert "2024年12月月度工作简报" not in overdue  # due 2025-01-05, after the end: not owed
    assert rule_findings(pw, "R-REP-2", D(2025, 8, 1)) == []  # mid-term report due 2024-12-31: not owed
    assert rule_findings(pw, "R-EVAL-1", D(2025, 8, 1)) == []  # mid-term evaluation due 2025-01-31: not owed


def test_R_CYCLE_3_the_day_of_termination_is_the_last_day_of_service(pw):
    cycle, _year, _team = operating(pw)
    _terminate(pw, cycle, D(2025, 1, 6))  # the December brief was due on 2025-01-05: owed
    owed = {f.subject for f in rule_findings(pw, "R-REP-1", D(2025, 3, 1))}
    assert "2024年12月月度工作简报" in owed and "2025年1月月度工作简报" not in owed
    with on(D(2025, 1, 6)), refused_by("R-CYCLE-3"):  # ended once
        evaluation_services.cycle_terminate(
            cycle=cycle, end_date=D(2025, 1, 6), reason="terminated", note="再次", actor=pw.bureau
        )


def test_R_CYCLE_3_the_database_refuses_a_cycle_ending_before_its_year(pw):
    cycle, _year, _team = operating(pw)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectCycle.objects.filter(pk=cycle.pk).update(end_date=D(2024, 12, 20), end_reason="terminated")


# --- R-STAFF-2, -3, -6, -7 -------------------------------------------------------------------------------------------


def test_R_STAFF_2_a_station_in_operation_with_nobody_posted_is_an_error(pw):
    _cycle, _year, _team = operating(pw, workers=0)
    found = rule_findings(pw, "R-STAFF-2", D(2024, 8, 1))
    assert len(found) == 1 and "没有驻站社工" in found[0].message


def test_R_STAFF_3_after_the_cycles_deadline_only_a_qualified_worker_is_posted(pw):
    cycle, _year, _team = operating(pw, workers=2, qualified=2)  # taken over 2024-07-01: deadline 2026-07-01
    on_deadline = pw.worker()
    post_on_the_day(
        cycle=cycle,
        worker=on_deadline,
        start_date=D(2026, 7, 1),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.contractor_user,
    )
    late = pw.worker()
    with refused_by("R-STAFF-3"):
        post_on_the_day(
            cycle=cycle,
            worker=late,
            start_date=D(2026, 7, 2),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.contractor_user,
        )
    with refused_by("R-STAFF-3"):  # the bureau too, unless it records why
        post_on_the_day(
            cycle=cycle,
            worker=late,
            start_date=D(2026, 7, 2),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.bureau,
        )
    post_on_the_day(
        cycle=cycle,
        worker=late,
        start_date=D(2026, 7, 2),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.bureau,
        late_reason="原社工突发离职，临时补位，已报名当年考试",
    )
    errors = [f for f in rule_findings(pw, "R-STAFF-3", D(2026, 7, 3)) if f.severity == "error"]
    assert {f.subject for f in errors} == {on_deadline.name, late.name}


def test_R_STAFF_6_a_worker_posted_without_a_passed_training_record_is_a_risk(pw):
    _cycle, _year, team = operating(pw, workers=2, qualified=1)
    found = rule_findings(pw, "R-STAFF-6", D(2024, 8, 1))
    assert {f.severity for f in found} == {"warn"} and len(found) == 2
    training = Training.objects.create(
        district=pw.station.street.district,
        title="岗前培训",
        kind=Training.Kind.values[0],
        held_on=D(2024, 7, 20),
        hours=Decimal("8"),
    )
    TrainingRecord.objects.create(training=training, worker=team[0], passed=True)
    assert len(rule_findings(pw, "R-STAFF-6", D(2024, 8, 1))) == 1


def test_R_STAFF_7_one_person_is_resident_at_one_station_at_a_time(pw):
    _cycle, _year, team = operating(pw, workers=2, qualified=1)
    other_station = StationFactory(street__district=pw.station.street.district)
    other_org = ContractorFactory()
    twin = SocialWorkerFactory(
        contractor=other_org, district=pw.station.street.district, id_number=team[0].id_number
    )
    assert twin.id_digest == team[0].id_digest
    other_cycle = ProjectCycle.objects.create(
        station=other_station,
        contractor=other_org,
        procurement=Procurement.objects.create(
            station=other_station,
            purchaser="bureau",
            title="t",
            project_no="X-1",
            method="public_tender",
            budget_amount=1,
            notice_date=D(2024, 5, 1),
            status="awarded",
            award_date=D(2024, 6, 1),
            awarded_to=other_org,
        ),
        start_date=D(2024, 7, 1),
        planned_end_date=D(2027, 6, 30),
        end_date=D(2027, 6, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # whatever path writes it
        Posting.objects.create(worker=twin, cycle=other_cycle, start_date=D(2024, 9, 1))
    with refused_by("R-STAFF-7"):
        ContractYear.objects.create(
            cycle=other_cycle,
            station=other_station,
            year_no=1,
            start_date=D(2024, 7, 1),
            end_date=D(2025, 6, 30),
            planned_end_date=D(2025, 6, 30),
            amount=STANDARD,
            signed_on=D(2024, 7, 1),
        )
        post_on_the_day(
            cycle=other_cycle,
            worker=twin,
            start_date=D(2024, 7, 5),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.bureau,
        )


def test_R_STAFF_7_a_resident_who_left_or_changed_employer_is_not_on_post(pw):
    _cycle, _year, team = operating(pw, workers=3, qualified=3)
    Posting.objects.filter(worker=team[0]).update()  # unchanged: the posting stays open
    type(team[0]).objects.filter(pk=team[0].pk).update(left_on=D(2024, 9, 30))  # left, posting never ended
    type(team[1]).objects.filter(pk=team[1].pk).update(contractor=ContractorFactory())
    assert rule_findings(pw, "R-STAFF-7", D(2024, 9, 30)) == [] or all(
        f.subject != team[0].name for f in rule_findings(pw, "R-STAFF-7", D(2024, 9, 30))
    )
    found = {
        f.subject: f.message
        for f in rule_findings(pw, "R-STAFF-7", D(2024, 10, 1))
        if f.subject != "足额配备"
    }
    assert set(found) == {team[0].name, team[1].name}
    assert "离职" in found[team[0].name] and "不是本周期承接主体的员工" in found[team[1].name]


def test_R_STAFF_7_fewer_residents_than_contracted_for_more_than_the_days_allowed(pw):
    _cycle, _year, team = operating(pw, workers=2, qualified=2)  # contract year's headcount: 2 (the default)
    staffing_services.posting_end(
        posting=team[1].postings.get(), end_date=D(2024, 9, 30), actor=pw.contractor_user
    )
    # Short from 2024-10-01: 30 days allowed (param) — the 30th day is 2024-10-30.
    assert not [f for f in rule_findings(pw, "R-STAFF-7", D(2024, 10, 30)) if f.subject == "足额配备"]
    found = [f for f in rule_findings(pw, "R-STAFF-7", D(2024, 10, 31)) if f.subject == "足额配备"]
    assert len(found) == 1 and "合同约定驻站社工2名，现在岗1名" in found[0].message


# --- R-REP-3 ----------------------------------------------------------------------------------------------------


def test_R_REP_3_the_street_office_reviews_its_stations_reports_and_the_reviewer_is_shown(client, pw):
    _cycle, year, _team = operating(pw)
    brief = report_services.report_draft(
        contract_year=year, kind=Report.Kind.MONTHLY, period=D(2024, 7, 1), actor=pw.contractor_user
    )
    report_services.report_submit(report=brief, actor=pw.contractor_user)
    outsider = UserFactory(username="pw-other-street", role=Role.STREET)
    StationFactory(street__district=pw.station.street.district).street.staff.add(outsider)
    with pytest.raises(PermissionDenied):
        report_services.report_review(report=brief, decision="accepted", actor=outsider)
    review = report_services.report_review(
        report=brief,
        decision=ReportReview.Decision.RETURNED,
        comment="请补充服务人次",
        actor=pw.street_officer,
    )
    assert review.reviewed_by == pw.street_officer
    client.force_login(pw.contractor_user)
    page = client.get(reverse("report-edit", args=[brief.pk])).content.decode()
    assert "请补充服务人次" in page and "街道" in page


# --- R-EVAL-1, R-EVAL-3 ------------------------------------------------------------------------------------------


def test_R_EVAL_1_signed_results_are_reported_to_the_municipal_bureau_within_30_days(pw):
    _cycle, year, _team = operating(pw)
    with on(D(2025, 7, 10)):
        evaluation = graded_and_signed(pw, year, "good")
    signed = evaluation.signed_at.date()
    assert not [
        f for f in rule_findings(pw, "R-EVAL-1", signed + datetime.timedelta(days=30)) if f.severity == "warn"
    ]
    late = [
        f for f in rule_findings(pw, "R-EVAL-1", signed + datetime.timedelta(days=31)) if f.severity == "warn"
    ]
    assert len(late) == 1 and "报市民政局" in late[0].subject
    municipal = UserFactory(username="pw-municipal", role=Role.MUNICIPAL)
    assert not Evaluation.objects.visible_to(municipal).filter(pk=evaluation.pk).exists()
    with pytest.raises(PermissionDenied):
        evaluation_services.evaluation_report(evaluation=evaluation, actor=pw.street_officer)
    reported = evaluation_services.evaluation_report(evaluation=evaluation, actor=pw.bureau)
    assert reported.reported_by == pw.bureau and reported.reported_at is not None
    assert Evaluation.objects.visible_to(municipal).filter(pk=evaluation.pk).exists()
    assert not [
        f for f in rule_findings(pw, "R-EVAL-1", signed + datetime.timedelta(days=60)) if f.severity == "warn"
    ]


def test_R_EVAL_1_an_unsigned_result_is_not_reported(pw):
    _cycle, year, _team = operating(pw)
    evaluation = evaluation_services.evaluation_record(
        contract_year=year,
        kind="midterm",
        held_on=D(2025, 1, 20),
        grade="good",
        scores=sheet("good"),
        actor=pw.bureau,
    )
    with refused_by("R-EVAL-1"):
        evaluation_services.evaluation_report(evaluation=evaluation, actor=pw.bureau)


@pytest.mark.parametrize(
    ("total", "grade", "allowed"),
    [
        ("90", "excellent", True),
        ("89.9", "excellent", False),
        ("89.9", "good", True),
        ("80", "good", True),
        ("79.9", "pass", True),
        ("60", "pass", True),
        ("59.9", "pass", False),
        ("59.9", "fail", True),
        ("50", "excellent", False),
    ],
)
def test_R_EVAL_3_the_grade_follows_the_total_by_its_band(pw, total, grade, allowed):
    _cycle, year, _team = operating(pw)

    def record():
        return evaluation_services.evaluation_record(
            contract_year=year,
            kind="midterm",
            held_on=D(2025, 1, 20),
            grade=grade,
            scores=sheet(total),
            actor=pw.bureau,
        )

    if allowed:
        assert record().grade == grade
    else:
        with refused_by("R-EVAL-3"):
            record()


def test_R_EVAL_3_the_bands_are_bureau_parameters_and_a_blank_grade_is_computed(pw):
    set_parameter(pw, ParameterKey.EVAL_EXCELLENT_MIN, "95", D(2025, 1, 1))
    _cycle, year, _team = operating(pw)
    evaluation = evaluation_services.evaluation_record(
        contract_year=year,
        kind="midterm",
        held_on=D(2025, 1, 20),
        grade="",
        scores=sheet("93"),
        actor=pw.bureau,
    )
    assert evaluation.grade == "good"  # 93 is 良好 once 优秀 begins at 95


def test_R_EVAL_3_the_scoring_sheet_is_data_per_year_set_by_the_bureau(pw):
    items = [("服务成效", Decimal("50")), ("群众满意度", Decimal("30")), ("资金管理", Decimal("20"))]
    with refused_by("R-EVAL-3"):  # weights add up to 100
        evaluation_services.scoring_sheet_set(sheet_year=2024, items=items[:2], actor=pw.bureau)
    with pytest.raises(PermissionDenied):
        evaluation_services.scoring_sheet_set(sheet_year=2024, items=items, actor=pw.street_officer)
    evaluation_services.scoring_sheet_set(sheet_year=2024, items=items, actor=pw.bureau)
    assert list(ScoringItem.objects.filter(sheet_year=2024).values_list("name", flat=True)) == [
        n for n, _ in items
    ]
    _cycle, year, _team = operating(pw)  # begins 2024: scored on the 2024 sheet
    with refused_by("R-EVAL-3"):
        evaluation_services.evaluation_record(
            contract_year=year,
            kind="midterm",
            held_on=D(2025, 1, 20),
            grade="good",
            scores=sheet("85"),
            actor=pw.bureau,
        )
    evaluation = evaluation_services.evaluation_record(
        contract_year=year,
        kind="midterm",
        held_on=D(2025, 1, 20),
        grade="good",
        scores=[
            ("服务成效", Decimal("50"), Decimal("45")),
            ("群众满意度", Decimal("30"), Decimal("25")),
            ("资金管理", Decimal("20"), Decimal("15")),
        ],
        actor=pw.bureau,
    )
    assert evaluation.total_score == Decimal("85")
    with refused_by("R-EVAL-3"):  # a sheet in use is kept as it was
        evaluation_services.scoring_sheet_set(sheet_year=2024, items=list(reversed(items)), actor=pw.bureau)


def test_R_EVAL_3_a_grade_edited_around_the_service_is_found(pw):
    _cycle, year, _team = operating(pw)
    evaluation = evaluation_services.evaluation_record(
        contract_year=year,
        kind="midterm",
        held_on=D(2025, 1, 20),
        grade="fail",
        scores=sheet("50"),
        actor=pw.bureau,
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(grade="excellent")
    found = rule_findings(pw, "R-EVAL-3", D(2025, 2, 1))
    assert len(found) == 1 and "总分50分对应“不合格”" in found[0].message


# --- R-PROC-2 ---------------------------------------------------------------------------------------------------


def test_R_PROC_2_a_company_code_does_not_meet_condition_1(pw):
    company = ContractorFactory(credit_code="91120110MA05ABCD1X")
    with refused_by("R-PROC-2") as refused:
        contract_services.eligibility_verify(
            contractor=company,
            condition=EligibilityCondition.REGISTRATION,
            evidence="营业执照",
            verified_on=D(2024, 5, 1),
            documents=[scan()],
            actor=pw.bureau,
        )
    assert "“9”开头" in str(refused.value)


def test_R_PROC_2_evidence_carries_a_document_and_counts_from_its_day(pw):
    other = ContractorFactory()
    with refused_by("R-PROC-2"):
        contract_services.eligibility_verify(
            contractor=other,
            condition=EligibilityCondition.FINANCE,
            evidence="审计报告",
            verified_on=D(2024, 5, 1),
            documents=[],
            actor=pw.bureau,
        )
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=other,
            condition=condition,
            evidence="证明",
            verified_on=D(2024, 6, 11),
            documents=[scan()],
            actor=pw.bureau,
        )
    with refused_by("R-PROC-2"):  # verified the day after the award: not by the award day
        contract_services.procurement_award(
            procurement=pw.procurement,
            contractor=other,
            award_date=D(2024, 6, 10),
            cycle_start=D(2024, 7, 1),
            actor=pw.bureau,
        )
    cycle = contract_services.procurement_award(
        procurement=pw.procurement,
        contractor=other,
        award_date=D(2024, 6, 11),
        cycle_start=D(2024, 7, 1),
        actor=pw.bureau,
    )
    assert cycle.contractor == other


def test_R_PROC_2_a_condition_that_lapses_after_the_award_is_shown(pw):
    other = ContractorFactory()
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=other,
            condition=condition,
            evidence="证明",
            verified_on=D(2024, 5, 1),
            valid_until=D(2025, 3, 31) if condition == EligibilityCondition.STANDING else None,
            documents=[scan()],
            actor=pw.bureau,
        )
    contract_services.procurement_award(
        procurement=pw.procurement,
        contractor=other,
        award_date=D(2024, 6, 10),
        cycle_start=D(2024, 7, 1),
        actor=pw.bureau,
    )
    assert rule_findings(pw, "R-PROC-2", D(2025, 3, 31)) == []
    lapsed = rule_findings(pw, "R-PROC-2", D(2025, 4, 1))
    assert len(lapsed) == 1 and lapsed[0].severity == "error"


# --- paths an auditor tried (helper review, 2026-12-01) -----------------------------------------------------------


def test_R_EVAL_2_a_signed_evaluation_changed_afterwards_is_flagged(pw):
    _cycle, year, _team = operating(pw)
    evaluation = graded_and_signed(pw, year, "good")
    assert not [f for f in rule_findings(pw, "R-EVAL-2", D(2025, 8, 1)) if "签字后" in f.message]
    evaluation.grade, evaluation.total_score = "excellent", Decimal("93")
    evaluation.save()  # consistent with its band, but written around the service after both signed
    flagged = [f for f in rule_findings(pw, "R-EVAL-2", D(2025, 8, 1)) if "签字后" in f.message]
    assert len(flagged) == 1 and "评估等次" in flagged[0].message


def test_parameters_a_value_in_force_today_is_not_replaced_the_same_day(pw):
    def change(value, valid_from, document_no):
        return parameter_change(
            key=ParameterKey.ANNUAL_AMOUNT_CAP,
            value=Decimal(value),
            valid_from=valid_from,
            document_no=document_no,
            actor=pw.bureau,
        )

    with on(D(2026, 12, 1)):
        change("300000", D(2026, 12, 1), "A号")
        with refused_by("R-FUND-1"):  # today's findings already rest on it
            change("200000", D(2026, 12, 1), "B号")
        later = change("280000", D(2027, 1, 1), "C号")
        corrected = change("270000", D(2027, 1, 1), "D号")  # not yet in force: may still be corrected
    assert later.pk == corrected.pk and corrected.document_no == "D号"


def test_R_EVAL_3_the_bands_stay_in_order_against_values_set_for_later_days(pw):
    with on(D(2026, 12, 1)):
        set_parameter(pw, ParameterKey.EVAL_GOOD_MIN, "85", D(2027, 2, 1))
        with refused_by("R-EVAL-3"):  # from 2027-02-01 良好 (85) would sit above 优秀 (84)
            set_parameter(pw, ParameterKey.EVAL_EXCELLENT_MIN, "84", D(2027, 1, 1))


def test_R_FUND_1_a_signing_day_before_the_award_or_back_to_a_higher_cap_is_refused(pw):
    cycle = pw.award(cycle_start=D(2024, 7, 1), award_date=D(2024, 6, 10))
    with refused_by("R-CYCLE-1"):
        pw.sign(cycle, signed_on=D(2024, 6, 9))
    with on(D(2024, 7, 1)):
        set_parameter(pw, ParameterKey.ANNUAL_AMOUNT_CAP, "200000", D(2024, 7, 1))
    with on(D(2024, 7, 2)), refused_by("R-FUND-1"):  # dated back to the old cap, recorded under the new one
        pw.sign(cycle, amount=STANDARD, signed_on=D(2024, 6, 20))


def test_R_CYCLE_2_ending_as_failed_needs_a_signed_fail(pw):
    _cycle, year, _team = operating(pw)
    graded_and_signed(pw, year, "excellent")
    with on(D(2025, 8, 1)), refused_by("R-CYCLE-2"):
        evaluation_services.cycle_terminate(
            cycle=year.cycle, end_date=D(2025, 8, 1), reason="failed_evaluation", note="", actor=pw.bureau
        )


def test_R_EVAL_1_an_evaluation_is_held_once_its_period_has_run(pw):
    _cycle, year, _team = operating(pw)  # 2024-07-01 .. 2025-06-30
    with refused_by("R-EVAL-1"):
        evaluation_services.evaluation_record(
            contract_year=year,
            kind="final",
            held_on=D(2024, 7, 1),
            grade="good",
            scores=sheet("good"),
            actor=pw.bureau,
        )
    with refused_by("R-EVAL-1"):
        evaluation_services.evaluation_record(
            contract_year=year,
            kind="midterm",
            held_on=D(2024, 10, 31),
            grade="good",
            scores=sheet("good"),
            actor=pw.bureau,
        )
    evaluation_services.evaluation_record(  # four months have run
        contract_year=year,
        kind="midterm",
        held_on=D(2024, 11, 1),
        grade="good",
        scores=sheet("good"),
        actor=pw.bureau,
    )


def test_R_CYCLE_2_a_renewal_is_not_signed_before_the_evaluation_it_rests_on(pw):
    _cycle, year, _team = operating(pw)
    with on(D(2025, 7, 10)):
        evaluation = evaluation_services.evaluation_record(
            contract_year=year,
            kind="final",
            held_on=D(2025, 7, 10),
            grade="good",
            scores=sheet("good"),
            actor=pw.bureau,
        )
        evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.street_officer)
        evaluation_services.evaluation_sign(evaluation=evaluation, actor=pw.bureau)
        with refused_by("R-CYCLE-2"):
            _renew(pw, year, signed_on=D(2025, 7, 1))
        assert _renew(pw, year, signed_on=D(2025, 7, 10)).year_no == 2


def test_R_EVAL_3_the_bands_in_force_when_the_grade_is_recorded_decide(pw):
    _cycle, year, _team = operating(pw)
    set_parameter(pw, ParameterKey.EVAL_PASS_MIN, "70", D(2025, 7, 1))
    with on(D(2025, 7, 5)), refused_by("R-EVAL-3"):  # held "2025-06-30", recorded under the new bands
        evaluation_services.evaluation_record(
            contract_year=year,
            kind="final",
            held_on=D(2025, 6, 30),
            grade="pass",
            scores=sheet("65"),
            actor=pw.bureau,
        )


def test_R_STAFF_5_a_posting_dated_far_back_needs_the_bureaus_reason(pw):
    cycle = pw.award()
    pw.sign(cycle)
    worker = pw.worker()
    with on(D(2024, 8, 1)):
        with refused_by("R-STAFF-5"):  # dated 31 days back, past the 15 a late entry may take
            staffing_services.worker_post(
                cycle=cycle,
                worker=worker,
                start_date=D(2024, 7, 1),
                is_full_time=True,
                has_labour_contract=True,
                actor=pw.contractor_user,
            )
        posting = staffing_services.worker_post(
            cycle=cycle,
            worker=worker,
            start_date=D(2024, 7, 1),
            is_full_time=True,
            has_labour_contract=True,
            actor=pw.bureau,
            late_reason="纸质派驻单补录，见东民函〔2024〕8号",
        )
    assert posting.start_date == D(2024, 7, 1)


def test_R_STAFF_7_an_ended_posting_is_not_moved_later_to_hide_a_shortfall(pw):
    _cycle, _year, team = operating(pw, workers=2, qualified=2)
    posting = team[1].postings.get()
    staffing_services.posting_end(posting=posting, end_date=D(2024, 9, 30), actor=pw.contractor_user)
    with refused_by("R-STAFF-7"):
        staffing_services.posting_end(posting=posting, end_date=D(2025, 6, 30), actor=pw.bureau)


def test_R_STAFF_7_the_shortfall_is_counted_across_contract_years(pw):
    _cycle, year1, team = operating(pw, workers=2, qualified=2)
    graded_and_signed(pw, year1, "good")
    _renew(pw, year1)
    staffing_services.posting_end(
        posting=team[1].postings.get(), end_date=D(2025, 6, 10), actor=pw.contractor_user
    )
    found = [f for f in rule_findings(pw, "R-STAFF-7", D(2025, 7, 11)) if f.subject == "足额配备"]
    assert len(found) == 1 and "自2025-06-11起" in found[0].message


def test_R_CYCLE_3_no_posting_is_owed_after_an_early_end(pw):
    cycle = pw.award()
    pw.sign(cycle)  # signed 2024-07-01; workers due by 2024-07-16
    _terminate(pw, cycle, D(2024, 7, 5))
    assert rule_findings(pw, "R-STAFF-5", D(2025, 3, 1)) == []


def test_R_CYCLE_3_workers_can_move_to_the_next_contractor_from_the_next_day(pw):
    cycle, _year, team = operating(pw, workers=2, qualified=2)
    _terminate(pw, cycle, D(2024, 12, 20))  # the postings were never ended: they end with the cycle
    nxt = ContractorFactory()
    again = contract_services.procurement_start(
        station=pw.station,
        purchaser=Procurement.Purchaser.BUREAU,
        title="重新采购",
        project_no="PW-2024-3",
        method=Procurement.Method.PUBLIC_TENDER,
        budget_amount=Decimal("750000"),
        notice_date=D(2024, 12, 10),
        actor=pw.bureau,
    )
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=nxt,
            condition=condition,
            evidence="证明",
            verified_on=D(2024, 12, 1),
            documents=[scan()],
            actor=pw.bureau,
        )
    new_cycle = contract_services.procurement_award(
        procurement=again,
        contractor=nxt,
        award_date=D(2024, 12, 15),
        cycle_start=D(2024, 12, 21),
        actor=pw.bureau,
    )
    with on(D(2024, 12, 21)):
        contract_services.contract_year_sign(
            cycle=new_cycle,
            amount=STANDARD,
            signed_on=D(2024, 12, 21),
            budget_lines=budget(),
            funding=funding(),
            actor=pw.bureau,
        )
    rehired = SocialWorkerFactory(
        contractor=nxt, district=pw.station.street.district, id_number=team[0].id_number
    )
    posting = post_on_the_day(
        cycle=new_cycle,
        worker=rehired,
        start_date=D(2024, 12, 21),
        is_full_time=True,
        has_labour_contract=True,
        actor=pw.bureau,
    )
    assert posting.pk
