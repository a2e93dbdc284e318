"""Read computations of contracts that services, checks and pages share: which eligibility conditions a
contractor lacks on a day (R-PROC-2)."""

import datetime

from contracts.models import Contractor, EligibilityCondition
from core.dates import add_months, first_of_month
from core.models import ParameterKey
from core.parameters import int_parameter
from core.text import label


def eligibility_missing(contractor: Contractor, on: datetime.date) -> list[str]:
    """R-PROC-2: the conditions a contractor has no verified, unexpired evidence for on a day (evidence verified
    after that day does not count: on the award day, only what was verified by then)."""
    # Iterates .all() so that a prefetched evidence list costs no query.
    return conditions_missing(
        ((e.condition, e.verified_on, e.valid_until) for e in contractor.evidence.all()),
        on,
        credit_code=contractor.credit_code,
    )


def conditions_missing(evidence, on: datetime.date, *, credit_code: str) -> list[str]:
    """R-PROC-2 over plain (condition, verified_on, valid_until) rows of one contractor's evidence. Condition 1 is
    never met by an organisation whose credit code is not a social organisation's (first character 5)."""
    held = {
        condition
        for condition, verified_on, valid_until in evidence
        if verified_on <= on and (valid_until is None or valid_until >= on)
    }
    if not credit_code.startswith(Contractor.CIVIL_AFFAIRS_PREFIX):
        held.discard(EligibilityCondition.REGISTRATION)
    return [label(text) for value, text in EligibilityCondition.choices if value not in held]


def brief_due(period: datetime.date) -> datetime.date:
    """R-REP-1: a month's brief is due by the 5th (param) of the next month. Here, below the apps that owe briefs
    (reports) and decide renewals (evaluations), so that both read the one definition."""
    next_month = add_months(first_of_month(period), 1)
    return next_month.replace(day=int_parameter(ParameterKey.BRIEF_DUE_DAY, next_month))
