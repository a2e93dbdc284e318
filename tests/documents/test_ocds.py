"""The district's purchases as an OCDS 1.1 release package: the fields the standard requires of each release."""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from contracts.models import ContractYear, Procurement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]
RELEASE_TAGS = {"planning", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
                "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment",
                "implementation", "implementationUpdate", "contractTermination", "compiled"}  # fmt: skip
PARTY_ROLES = {"buyer", "procuringEntity", "supplier", "tenderer", "funder", "enquirer", "payer", "payee",
               "reviewBody", "interestedParty"}  # fmt: skip
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")


def test_export_ocds_gives_a_release_package_with_the_required_fields(tmp_path):
    out = tmp_path / "ocds.json"
    call_command("export_ocds", "-o", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package["version"] == "1.1" and package["publisher"]["name"] == "东丽区民政局"
    assert DATE.match(package["publishedDate"]) and package["uri"].startswith("https://")
    releases = package["releases"]
    assert len(releases) == Procurement.objects.count()
    ids = [r["id"] for r in releases]
    assert len(set(ids)) == len(ids)
    contracts = 0
    for release in releases:
        assert release["ocid"].startswith(settings.OCDS_PREFIX + "-")
        assert DATE.match(release["date"]) and release["initiationType"] == "tender"
        assert release["tag"] and set(release["tag"]) <= RELEASE_TAGS
        parties = {p["id"]: p for p in release["parties"]}
        assert all(p["roles"] and set(p["roles"]) <= PARTY_ROLES for p in parties.values())
        assert release["buyer"]["id"] in parties and "buyer" in parties[release["buyer"]["id"]]["roles"]
        assert release["tender"]["procurementMethod"] in {"open", "selective", "limited", "direct"}
        assert release["tender"]["value"]["currency"] == "CNY"
        awards = {a["id"]: a for a in release.get("awards", [])}
        for award in awards.values():
            assert all("supplier" in parties[s["id"]]["roles"] for s in award["suppliers"])
        for contract in release.get("contracts", []):
            assert contract["awardID"] in awards and DATE.match(contract["dateSigned"])
            contracts += 1
    assert contracts == ContractYear.objects.count()
    open_tender = next(r for r in releases if r["tender"]["id"] == "TJDL-2026-SGZ-11")
    assert open_tender["tag"] == ["tender"] and open_tender["tender"]["status"] == "active"


def test_only_the_bureau_downloads_the_open_contracting_package(client_as):
    response = client_as("bureau").get(reverse("export-ocds"))
    assert response.status_code == 200 and json.loads(response.getvalue())["releases"]
    for username in ("org-a", "zhangguizhuang", "auditor", "municipal"):
        assert client_as(username).get(reverse("export-ocds")).status_code == 403
