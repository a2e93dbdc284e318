"""The admin's write paths go through the services: a refusal shows on the form and nothing is saved."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from contracts.models import BudgetLine, ContractYear, FundingAllocation, Procurement
from evaluations.models import Evaluation, Renewal
from staffing.models import Posting
from tests.policy.conftest import budget, funding, sheet
from tests.policy.test_rules import graded_and_signed, operating

D = datetime.date


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_errors(response) -> list[str]:
    return re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)


def money_post(amount: Decimal) -> dict:
    data = {f"line_{k}": str(v) for k, v in budget(amount).items()}
    data.update({f"source_{k}": str(v) for k, v in funding(amount).items()})
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "contracts/contractyear",
        "contracts/procurement",
        "contracts/eligibilityevidence",
        "staffing/posting",
        "staffing/qualification",
        "evaluations/renewal",
        "core/policyparameter",
    ],
)
def test_service_backed_add_forms_render_for_the_bureau(pw, path):
    assert admin_client(pw.bureau).get(f"/admin/{path}/add/").status_code == 200


@pytest.mark.django_db
def test_R_FUND_1_admin_refuses_a_contract_year_over_the_cap_and_saves_nothing(pw):
    cycle = pw.award()
    data = {
        "cycle": cycle.pk,
        "amount": "250000.01",
        "signed_on": "2024-07-01",
        "agreement_no": "A-1",
        **money_post(Decimal("250000.01")),
    }
    response = admin_client(pw.bureau).post("/admin/contracts/contractyear/add/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "R-FUND-1" in text and "力争达到25万元" in text
    assert not ContractYear.objects.filter(cycle=cycle).exists()
    assert not BudgetLine.objects.filter(contract_year__cycle=cycle).exists()


@pytest.mark.django_db
def test_admin_signs_a_first_contract_year_through_the_service(pw):
    cycle = pw.award()
    data = {
        "cycle": cycle.pk,
        "amount": "250000.00",
        "signed_on": "2024-07-01",
        "agreement_no": "A-1",
        **money_post(Decimal("250000.00")),
    }
    response = admin_client(pw.bureau).post("/admin/contracts/contractyear/add/", data)
    assert response.status_code == 302, form_errors(response)
    year = ContractYear.objects.get(cycle=cycle)
    assert (year.year_no, year.signed_by) == (1, pw.bureau)
    assert FundingAllocation.objects.filter(contract_year=year).count() == 2


@pytest.mark.django_db
def test_R_STAFF_5_admin_refuses_posting_on_day_16(pw):
    cycle = pw.award()
    pw.sign(cycle, signed_on=D(2024, 7, 1))
    worker = pw.worker()
    data = {
        "worker": worker.pk,
        "cycle": cycle.pk,
        "start_date": "2024-07-17",
        "is_full_time": "on",
        "has_labour_contract": "on",
    }
    response = admin_client(pw.bureau).post("/admin/staffing/posting/add/", data)
    assert "R-STAFF-5" in response.content.decode()
    assert not Posting.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
def test_R_CYCLE_2_admin_refuses_renewal_after_a_failed_evaluation(pw):
    _cycle, year, _team = operating(pw)
    graded_and_signed(pw, year, "fail")
    data = {
        "contract_year": year.pk,
        "decision": "renew",
        "amount": "250000",
        "signed_on": "2025-07-01",
        **money_post(Decimal("250000")),
    }
    response = admin_client(pw.bureau).post("/admin/evaluations/renewal/add/", data)
    assert "R-CYCLE-2" in response.content.decode()
    assert not Renewal.objects.filter(contract_year=year).exists()
    assert ContractYear.objects.filter(cycle=year.cycle).count() == 1


@pytest.mark.django_db
def test_admin_ends_the_cycle_after_a_failed_evaluation(pw):
    _cycle, year, _team = operating(pw)
    graded_and_signed(pw, year, "fail")
    response = admin_client(pw.bureau).post(
        "/admin/evaluations/renewal/add/", {"contract_year": year.pk, "decision": "end", "note": "不合格"}
    )
    assert response.status_code == 302
    year.cycle.refresh_from_db()
    assert year.cycle.end_reason == "failed_evaluation"


@pytest.mark.django_db
def test_admin_awards_a_procurement_through_the_service(pw):
    client = admin_client(pw.bureau)
    url = f"/admin/contracts/procurement/{pw.procurement.pk}/change/"
    response = client.post(
        url,
        {
            "awarded_to": pw.contractor.pk,
            "award_date": "2024-06-10",
            "agreement_signed_on": "2024-06-20",
            "cycle_start": "2024-07-01",
        },
    )
    assert response.status_code == 302, form_errors(response)
    procurement = Procurement.objects.get(pk=pw.procurement.pk)
    assert procurement.status == "awarded" and procurement.cycle.start_date == D(2024, 7, 1)


@pytest.mark.django_db
def test_R_EVAL_2_admin_action_signs_as_bureau(pw):
    _cycle, year, _team = operating(pw)
    from evaluations import services

    evaluation = services.evaluation_record(
        contract_year=year,
        kind="final",
        held_on=D(2025, 6, 25),
        grade="good",
        scores=sheet("good"),
        actor=pw.bureau,
    )
    admin_client(pw.bureau).post(
        "/admin/evaluations/evaluation/", {"action": "sign_as_bureau", "_selected_action": [evaluation.pk]}
    )
    assert Evaluation.objects.get(pk=evaluation.pk).bureau_signed_by == pw.bureau


@pytest.mark.django_db
def test_admin_changes_a_parameter_through_the_service(pw):
    response = admin_client(pw.bureau).post(
        "/admin/core/policyparameter/add/",
        {
            "key": "posting_within_days",
            "value": "20",
            "valid_from": "2027-01-01",
            "document_no": "东民发〔2026〕9号",
            "note": "区政府文件",
        },
    )
    assert response.status_code == 302
    from core.models import PolicyParameter

    changed = PolicyParameter.objects.get(key="posting_within_days", valid_from=D(2027, 1, 1))
    assert changed.changed_by == pw.bureau and changed.document_no == "东民发〔2026〕9号"
    back_dated = admin_client(pw.bureau).post(
        "/admin/core/policyparameter/add/",
        {"key": "posting_within_days", "value": "25", "valid_from": "2025-01-01", "document_no": "x号"},
    )
    assert back_dated.status_code == 200 and "R-STAFF-5" in back_dated.content.decode()
    assert not PolicyParameter.objects.filter(valid_from=D(2025, 1, 1)).exists()


# --- the revised rules through the admin (issue 16) -------------------------------------------------------------


@pytest.mark.django_db
def test_R_CYCLE_1_admin_refuses_a_signing_day_in_the_future(pw):
    cycle = pw.award()
    data = {
        "cycle": cycle.pk,
        "amount": "250000.00",
        "signed_on": "2099-07-01",
        "agreement_no": "A-1",
        **money_post(Decimal("250000.00")),
    }
    response = admin_client(pw.bureau).post("/admin/contracts/contractyear/add/", data)
    assert response.status_code == 200 and "R-CYCLE-1" in response.content.decode()
    assert not ContractYear.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
def test_R_CYCLE_3_the_admin_cannot_end_a_cycle_around_the_service(pw):
    cycle, _year, _team = operating(pw)
    response = admin_client(pw.bureau).post(
        f"/admin/contracts/projectcycle/{cycle.pk}/change/",
        {"end_date": "2024-12-20", "end_reason": "terminated"},
    )
    assert response.status_code == 403
    cycle.refresh_from_db()
    assert cycle.end_date == cycle.planned_end_date


@pytest.mark.django_db
def test_R_STAFF_7_admin_refuses_the_same_person_at_a_second_station(pw):
    from contracts.models import ProjectCycle
    from tests.factories import StationFactory

    _cycle, _year, team = operating(pw, workers=1, qualified=1)
    other = StationFactory(street__district=pw.station.street.district)
    second = ProjectCycle.objects.create(
        station=other,
        contractor=pw.contractor,
        procurement=Procurement.objects.create(
            station=other,
            purchaser="bureau",
            title="t",
            project_no="X-2",
            method="public_tender",
            budget_amount=1,
            notice_date=D(2024, 5, 1),
            status="awarded",
            award_date=D(2024, 6, 1),
            awarded_to=pw.contractor,
        ),
        start_date=D(2024, 7, 1),
        planned_end_date=D(2027, 6, 30),
        end_date=D(2027, 6, 30),
    )
    pw.sign(second)
    data = {
        "worker": team[0].pk,
        "cycle": second.pk,
        "start_date": "2024-07-05",
        "is_full_time": "on",
        "has_labour_contract": "on",
    }
    with time_machine.travel(datetime.datetime(2024, 7, 5, 1, tzinfo=datetime.UTC), tick=False):
        response = admin_client(pw.bureau).post("/admin/staffing/posting/add/", data)
    assert "R-STAFF-7" in response.content.decode()
    assert not Posting.objects.filter(cycle=second).exists()


@pytest.mark.django_db
def test_R_STAFF_3_admin_refuses_an_unqualified_recruit_after_the_deadline_without_a_reason(pw):
    cycle, _year, _team = operating(pw, workers=2, qualified=2)  # deadline 2026-07-01
    recruit = pw.worker()
    data = {
        "worker": recruit.pk,
        "cycle": cycle.pk,
        "start_date": "2026-07-02",
        "is_full_time": "on",
        "has_labour_contract": "on",
    }
    with time_machine.travel(datetime.datetime(2026, 7, 2, 1, tzinfo=datetime.UTC), tick=False):
        response = admin_client(pw.bureau).post("/admin/staffing/posting/add/", data)
    assert "R-STAFF-3" in response.content.decode()
    assert not Posting.objects.filter(worker=recruit).exists()


@pytest.mark.django_db
def test_R_EVAL_3_and_R_EVAL_1_evaluations_and_sheets_are_read_only_in_the_admin(pw):
    client = admin_client(pw.bureau)
    assert client.get("/admin/evaluations/scoringitem/add/").status_code == 403
    assert client.get("/admin/evaluations/evaluation/add/").status_code == 403


@pytest.mark.django_db
def test_R_STAFF_6_training_results_are_not_written_in_the_admin(pw):
    assert admin_client(pw.bureau).get("/admin/staffing/training/add/").status_code == 403


@pytest.mark.django_db
def test_R_REP_3_the_admin_accepts_a_report_only_through_the_review_service(pw):
    from reports import services as report_services
    from reports.models import Report, ReportReview

    _cycle, year, _team = operating(pw)
    brief = report_services.report_draft(
        contract_year=year, kind=Report.Kind.MONTHLY, period=D(2024, 7, 1), actor=pw.contractor_user
    )
    report_services.report_submit(report=brief, actor=pw.contractor_user)
    admin_client(pw.bureau).post(
        "/admin/reports/report/", {"action": "accept", "_selected_action": [brief.pk]}
    )
    review = ReportReview.objects.get(report=brief)
    assert review.reviewed_by == pw.bureau and Report.objects.get(pk=brief.pk).status == "accepted"
