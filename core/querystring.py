"""Reading a list page's filters from the query string: every value checked, none may become a 500.

A filter's value comes from anyone's address bar. Each reader returns the clean value or None (the filter is then
not applied): ids are ASCII digits within the database's integer range (a superscript ² passes str.isdigit and then
fails int(); a 40-digit number overflows SQLite), dates and months are within years the portal knows, text carries
no NUL character (PostgreSQL refuses one) and is cut to a sane length.
"""

import datetime
import re

ID_MAX = 2**63 - 1
YEAR_MIN, YEAR_MAX = 1900, 2100
TEXT_MAX = 100

_ID = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def query_id(value) -> int | None:
    """A record id: 1 to 2**63 - 1, ASCII digits only."""
    value = (value or "").strip()
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def query_month(value) -> datetime.date | None:
    """A month written yyyy-MM, as the first day of that month."""
    match = _MONTH.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def query_date(value) -> datetime.date | None:
    """A day written yyyy-MM-dd."""
    match = _DATE.fullmatch((value or "").strip())
    if not match:
        return None
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if YEAR_MIN <= day.year <= YEAR_MAX else None


def query_text(value) -> str:
    """A search text: trimmed, without NUL or other control characters, at most TEXT_MAX characters."""
    cleaned = "".join(c for c in (value or "") if c >= " " or c == "\t")
    return cleaned.strip()[:TEXT_MAX]


def query_choice(value, choices) -> str:
    """One of `choices` (values), else ""."""
    return value if value in choices else ""
