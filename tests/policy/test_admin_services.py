"""The admin's write paths go through the services: a refusal shows on the form and nothing is saved."""

import datetime
import re
from decimal import Decimal

import pytest
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
