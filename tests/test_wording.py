"""Wording slips that read badly in Chinese (issue 17, item 7, started): a doubled 年度, a year named 2027—2027."""

import datetime
import re
from pathlib import Path

from contracts.models import year_label

ROOT = Path(__file__).resolve().parent.parent


def test_a_contract_year_within_one_calendar_year_is_named_once():
    assert year_label(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)) == "2027年度"
    assert year_label(datetime.date(2026, 7, 1), datetime.date(2027, 6, 30)) == "2026—2027年度"


def test_no_message_puts_年度_after_a_year_label_that_already_ends_in_it():
    doubled = re.compile(r"\{label\d?\}年度")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.glob("*/*.py")
        if ".venv" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if doubled.search(line)
    ]
    assert offenders == []


def test_a_refusal_reads_as_one_sentence_then_its_rule_and_clause():
    from core.policy import refusal

    text = refusal("R-FUND-1", "合同金额超过上限。").messages[0]
    assert text.startswith("合同金额超过上限。依据R-FUND-1：《") and text.endswith("”。")
    assert "（依据" not in text  # no clause in parentheses inside parentheses


def test_every_pagination_names_its_sizes(client_as, db, story_day):
    page = client_as("bureau").get("/staffing/training/").content.decode()
    assert not re.search(r"每页\s*条", page)
    assert re.search(r"每页\s*<a", page)


def test_eligibility_conditions_are_named_whole_not_cut(client_as, db, story_day):
    from contracts.models import Procurement

    procurement = Procurement.objects.get(project_no="TJDL-2026-SGZ-11")
    page = client_as("bureau").get(f"/contracts/procurements/{procurement.pk}/award/").content.decode()
    assert "…" not in page.split("承接主体条件核验情况")[1].split("</table>")[0]


SLIPS = {
    "an English placeholder": re.compile(r"Select an option|---------"),
    "a doubled 年度": re.compile(r"年度年度"),
    "a year named twice": re.compile(r"(\d{4})—\1年度"),
    "an empty paginator label": re.compile(r"每页\s*条"),
    "a clause in parentheses inside parentheses": re.compile(r"（[^（）]*（依据"),
}


def test_no_page_of_any_role_shows_a_wording_slip(client_as, db, story_day):
    """Every page each demo account may open, in Chinese, without the slips of issue 17 item 7."""
    from django.urls import reverse

    from tests.conftest import DEMO_USERNAMES
    from tests.test_portal_access import OK, TABLE, demo_ids

    ids = demo_ids()
    found = []
    for username in DEMO_USERNAMES:
        client = client_as(username)
        for name, entry in TABLE.items():
            if entry is None or entry[2] != "get" or entry[1][username] != OK:
                continue
            response = client.get(reverse(name, kwargs=entry[0](ids)))
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            page = response.content.decode()
            found += [f"{username} {name}: {slip}" for slip, pattern in SLIPS.items() if pattern.search(page)]
    assert found == []
