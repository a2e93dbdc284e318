"""A cache of the compliance engine's results, measured to be needed (bench/run.py: the dashboard and the findings
page spend most of their time in the engine, a province's workbook most of its own) and kept correct when data
changes.

Every district carries a data version. Any save or deletion of a row the engine reads raises the version of the
districts that row belongs to (a brief: its station's district; a contractor's evidence: every district where the
contractor holds or held a station) in the same transaction, by the receivers below. A cached result's key holds the
versions of the districts in its scope, the policy parameters' fingerprint (they apply everywhere), the day and the
language: a stale result is never served, it just ages out. A write in one district leaves every other district's
findings cached - in a province there is always a write somewhere.

Two kinds of entries: one per scope (a user's stations: `cached`), and one per whole district (`district_findings`:
the province's workbook and the daily check_compliance share them, district by district).

Writes that bypass save() and delete() (bulk_create, QuerySet.update) must call `touch_districts` themselves;
generate_scale writes only new districts, whose versions no cached key has seen.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.utils.translation import get_language

# For every model the checks and the due items read: the path from one of its rows to the district(s) it belongs to.
DISTRICT_OF = {
    "stations.District": "pk",
    "stations.Street": "district",
    "stations.RolloutPlan": "district",
    "stations.AnnualPlan": "district",
    "stations.Station": "street__district",
    "stations.SiteConditionLog": "station__street__district",
    "contracts.Procurement": "station__street__district",
    "contracts.ProjectCycle": "station__street__district",
    "contracts.ContractYear": "station__street__district",
    "contracts.BudgetLine": "contract_year__station__street__district",
    "contracts.FundingAllocation": "contract_year__station__street__district",
    "contracts.Contractor": "cycles__station__street__district",
    "contracts.EligibilityEvidence": "contractor__cycles__station__street__district",
    "staffing.SocialWorker": "postings__cycle__station__street__district",
    "staffing.Qualification": "worker__postings__cycle__station__street__district",
    "staffing.TrainingRecord": "worker__postings__cycle__station__street__district",
    "staffing.Posting": "cycle__station__street__district",
    "staffing.Volunteer": "station__street__district",
    "staffing.VolunteerHours": "volunteer__station__street__district",
    "evaluations.Evaluation": "contract_year__station__street__district",
    "evaluations.Renewal": "contract_year__station__street__district",
    "reports.Report": "contract_year__station__street__district",
    "reports.ReportReview": "report__contract_year__station__street__district",
    "reports.ServiceRecord": "station__street__district",
}
# Read by every district's checks: part of every key.
EVERYWHERE = ["core.PolicyParameter"]


def touch_districts(district_ids) -> None:
    """Raise the data version of these districts (ids or a subquery of ids)."""
    District = apps.get_model("stations.District")
    District.objects.filter(pk__in=district_ids).update(data_version=F("data_version") + 1)


def _touch(sender, instance, **kwargs):
    path = DISTRICT_OF[sender._meta.label]
    if path == "pk":
        touch_districts([instance.pk])
    else:
        touch_districts(sender._base_manager.filter(pk=instance.pk).values(path))


def connect() -> None:
    """Connect the receivers (ReportsConfig.ready). Before a deletion, while the row still leads to its district."""
    for label in DISTRICT_OF:
        model = apps.get_model(label)
        post_save.connect(_touch, sender=model, dispatch_uid=f"findings-cache-save-{label}")
        pre_delete.connect(_touch, sender=model, dispatch_uid=f"findings-cache-delete-{label}")


def _everywhere_sql() -> str:
    parts = []
    for label in EVERYWHERE:
        model = apps.get_model(label)
        parts.append(f"(SELECT MAX(id) FROM {model._meta.db_table})")  # noqa: S608 - names from the models
        history = getattr(model, "history", None)
        if history is not None:
            parts.append(f"(SELECT MAX(history_id) FROM {history.model._meta.db_table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def everywhere() -> str:
    """The fingerprint of what every district's findings depend on (the policy parameters): one query."""
    with connection.cursor() as cursor:
        cursor.execute(_everywhere_sql())
        return ",".join(str(v) for v in cursor.fetchone())


def fingerprint(stations) -> str:
    """The data versions of the districts of these stations and the parameters' fingerprint: two queries."""
    District = apps.get_model("stations.District")
    versions = District.objects.filter(pk__in=stations.order_by().values("street__district")).order_by("pk")
    return ";".join(f"{pk}:{version}" for pk, version in versions.values_list("pk", "data_version")) + (
        "|" + everywhere()
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _seconds() -> int:
    return getattr(settings, "FINDINGS_CACHE_SECONDS", 0)


def enabled() -> bool:
    return bool(_seconds())


def cached(kind: str, stations, today, compute):
    """compute() unless a result for the same data, day and scope is in the cache."""
    seconds = _seconds()
    if not seconds:
        return compute()
    sql, params = stations.query.sql_with_params()
    scope = _digest(f"{sql}|{params}")
    # The language is part of the key: findings carry their messages already translated.
    key = f"findings:{kind}:{get_language()}:{today:%Y%m%d}:{scope}:{_digest(fingerprint(stations))}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, seconds)
    return result


def district_findings(
    versions: dict[int, int], today, compute, parameters: str | None = None
) -> dict[int, list]:
    """Each whole district's findings, from the cache where its data version has not changed since; the others
    from compute(district_ids) -> {district id: findings}, then cached. `versions` is {district id: data version};
    `parameters` the parameters' fingerprint when the caller has read it already (`everywhere()`)."""
    seconds = _seconds()
    if not seconds:
        return compute(list(versions))
    parameters = parameters if parameters is not None else everywhere()
    common = f"findings:district:{get_language()}:{today:%Y%m%d}:{_digest(parameters)}"
    keys = {district: f"{common}:{district}:{version}" for district, version in versions.items()}
    found = cache.get_many(list(keys.values()))
    result = {district: found[key] for district, key in keys.items() if key in found}
    missing = [district for district in versions if district not in result]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[district]: computed.get(district, []) for district in missing}, seconds)
        result.update((district, computed.get(district, [])) for district in missing)
    return result
