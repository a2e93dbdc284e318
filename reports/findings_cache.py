"""A cache of the compliance engine's results, measured to be needed (bench/load.py: the dashboard and the
findings page spend most of their time in the engine) and kept correct when data changes.

The key holds the data's fingerprint: for every table the engine reads, the highest id of the table and of its
history table — any insert, change or deletion through the portal writes a history row, and a bulk insert raises
the table's highest id. One indexed query reads it all. Together with the day and the user's scope, a new
fingerprint is a new key: a stale result is never served, it just ages out of the cache.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

# The models the checks and the due items read (their history tables are found from them).
WATCHED = [
    "accounts.PolicyParameter",
    "stations.Station",
    "stations.Street",
    "stations.AnnualPlan",
    "stations.SiteConditionLog",
    "contracts.Contractor",
    "contracts.EligibilityEvidence",
    "contracts.Procurement",
    "contracts.ProjectCycle",
    "contracts.ContractYear",
    "contracts.BudgetLine",
    "contracts.FundingAllocation",
    "staffing.SocialWorker",
    "staffing.Qualification",
    "staffing.Posting",
    "staffing.TrainingRecord",
    "staffing.VolunteerHours",
    "evaluations.Evaluation",
    "evaluations.Renewal",
    "reports.Report",
    "reports.ReportReview",
]


def _fingerprint_sql() -> str:
    parts = []
    for label in WATCHED:
        model = apps.get_model(label)
        parts.append(f"(SELECT MAX(id) FROM {model._meta.db_table})")  # noqa: S608 - names from the models
        history = getattr(model, "history", None)
        if history is not None:
            parts.append(f"(SELECT MAX(history_id) FROM {history.model._meta.db_table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return ",".join(str(v) for v in cursor.fetchone())


def cached(kind: str, stations, today, compute):
    """compute() unless a result for the same data, day and scope is in the cache."""
    seconds = getattr(settings, "FINDINGS_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    sql, params = stations.query.sql_with_params()
    scope = hashlib.sha256(f"{sql}|{params}".encode()).hexdigest()[:24]
    # The language is part of the key: findings carry their messages already translated.
    key = f"findings:{kind}:{get_language()}:{today:%Y%m%d}:{scope}:{hashlib.sha256(fingerprint().encode()).hexdigest()[:24]}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, seconds)
    return result
