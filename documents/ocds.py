"""The district's purchases of social-work services as an Open Contracting Data Standard 1.1 release package.

One release per procurement (its latest state): the tender, the award to the contractor, and each contract year
signed under the resulting project cycle as a contract linked to the award by `awardID`. Parties carry their roles
(buyer, procuringEntity, supplier). The `ocid` prefix is the one the district registers with the OCDS helpdesk
(setting OCDS_PREFIX).
"""

import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from contracts.models import ContractYear, Procurement, ProjectCycle

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
# Procurement methods of the Government Procurement Law in OCDS's closed codelist (method.csv).
METHODS = {
    Procurement.Method.PUBLIC_TENDER: "open",
    Procurement.Method.INVITED_TENDER: "selective",
    Procurement.Method.COMPETITIVE_CONSULTATION: "selective",
    Procurement.Method.COMPETITIVE_NEGOTIATION: "limited",
    Procurement.Method.SINGLE_SOURCE: "direct",
    Procurement.Method.INQUIRY: "selective",
}
TENDER_STATUS = {
    Procurement.Status.OPEN: "active",
    Procurement.Status.AWARDED: "complete",
    Procurement.Status.FAILED: "unsuccessful",
    Procurement.Status.CANCELLED: "cancelled",
}


def _date(day: datetime.date | None) -> str | None:
    """OCDS dates are date-times with a time zone: midnight in Asia/Shanghai."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time())).isoformat()


def _value(amount) -> dict:
    return {"amount": float(amount), "currency": CURRENCY}


def _bureau_party(district) -> dict:
    return {
        "id": f"CN-GOV-{district.code}-MZJ",
        "name": district.bureau_name,
        "address": {"region": district.name, "countryName": "中国"},
        "roles": [],
    }


def _street_party(street) -> dict:
    return {"id": f"CN-GOV-{street.district.code}-{street.pk}", "name": street.office_name, "roles": []}


def _supplier_party(contractor) -> dict:
    return {
        "id": f"CN-USCC-{contractor.credit_code}",
        "name": contractor.name,
        "identifier": {"scheme": "CN-USCC", "id": contractor.credit_code, "legalName": contractor.name},
        "address": {"streetAddress": contractor.address, "countryName": "中国"},
        "contactPoint": {"name": contractor.contact_person},
        "roles": [],
    }


def release(procurement: Procurement) -> dict:
    prefix = settings.OCDS_PREFIX
    station = procurement.station
    district = station.street.district
    ocid = f"{prefix}-{procurement.project_no}"
    parties: dict[str, dict] = {}

    def party(entry: dict, role: str) -> dict:
        found = parties.setdefault(entry["id"], entry)
        if role not in found["roles"]:
            found["roles"].append(role)
        return {"id": found["id"], "name": found["name"]}

    bureau = _bureau_party(district)
    buyer = (
        party(_street_party(station.street), "buyer")
        if procurement.purchaser == "street"
        else party(bureau, "buyer")
    )
    procuring = party(bureau, "procuringEntity")
    tags = ["tender"]
    body = {
        "ocid": ocid,
        "initiationType": "tender",
        "buyer": buyer,
        "language": "zh",
        "tender": {
            "id": procurement.project_no,
            "title": procurement.title,
            "description": f"{station.name}社会工作服务项目（政府购买服务）",
            "status": TENDER_STATUS[procurement.status],
            "procuringEntity": procuring,
            "value": _value(procurement.budget_amount),
            "procurementMethod": METHODS[procurement.method],
            "procurementMethodDetails": procurement.get_method_display(),
            "mainProcurementCategory": "services",
            "tenderPeriod": {"startDate": _date(procurement.notice_date)},
        },
    }
    cycle: ProjectCycle | None = getattr(procurement, "cycle", None)
    if procurement.status == Procurement.Status.AWARDED and procurement.awarded_to_id:
        award_id = f"{procurement.project_no}-award"
        years = list(cycle.years.all()) if cycle else []
        body["awards"] = [
            {
                "id": award_id,
                "title": procurement.title,
                "status": "active",
                "date": _date(procurement.award_date),
                # The award covers the whole cycle; its value is the procured amount (the contract years split it).
                "value": _value(procurement.budget_amount),
                "suppliers": [party(_supplier_party(procurement.awarded_to), "supplier")],
            }
        ]
        if cycle:
            body["awards"][0]["contractPeriod"] = {
                "startDate": _date(cycle.start_date),
                "endDate": _date(cycle.end_date),
            }
        tags.append("award")
        if years:
            tags.append("contract")
            body["contracts"] = [
                {
                    "id": f"{procurement.project_no}-{year.year_no}",
                    "awardID": award_id,
                    "title": f"{station.name} {year.label}服务合同",
                    "status": "terminated" if year.end_date < timezone.localdate() else "active",
                    "period": {"startDate": _date(year.start_date), "endDate": _date(year.end_date)},
                    "value": _value(year.amount),
                    "dateSigned": _date(year.signed_on),
                }
                for year in years
            ]
    latest = max(
        [procurement.notice_date, procurement.award_date or procurement.notice_date]
        + [y.signed_on for y in (cycle.years.all() if cycle else []) if y.signed_on]
    )
    return {
        "id": f"{ocid}-{latest:%Y%m%d}",
        "date": _date(latest),
        "tag": tags,
        "parties": list(parties.values()),
        **body,
    }


def release_package(stations, uri: str = "") -> dict:
    procurements = (
        Procurement.objects.filter(station__in=stations.values("pk"))
        .select_related("station__street__district", "awarded_to", "cycle")
        .prefetch_related(Prefetch("cycle__years", queryset=ContractYear.objects.order_by("year_no")))
        .order_by("notice_date", "pk")
    )
    district = stations.first().street.district if stations.exists() else None
    return {
        "uri": uri or f"{settings.OCDS_PUBLISH_BASE}/ocds/releases.json",
        "version": OCDS_VERSION,
        "publishedDate": timezone.localtime().isoformat(),
        "publisher": {"name": district.bureau_name if district else "民政局"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": f"{settings.OCDS_PUBLISH_BASE}/ocds/policy",
        "releases": [release(p) for p in procurements],
    }
