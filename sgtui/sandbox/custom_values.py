"""Custom field values as SendGrid's jobs take them: checked, and dates made ISO 8601 UTC.

Requests key custom fields by id with a text, number or date value; answers key them by name.
Recorded real traffic: a Number stays a number (``15.5``), a Date sent as
``2021-02-11T23:03:03.000Z`` comes back as ``2021-02-11T23:03:03Z``, and an invalid date
(``AAAAA``) is accepted by the ``PUT`` and can only fail inside the job.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

MAX_CUSTOM_TEXT = 1_000
US_DATE = "%m/%d/%Y"


def custom_value(field_type: str, value: Any) -> tuple[Any, str | None]:
    """(the value as stored, None), or (None, the reason the job fails the contact)."""
    if field_type == "Number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{value!r} is not a number"
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"{value!r} is not a finite number"
        return value, None
    if not isinstance(value, str):
        kind = "text" if field_type == "Text" else "a date"
        return None, f"{value!r} is not {kind}"
    if field_type == "Text":
        if len(value) > MAX_CUSTOM_TEXT:
            return None, f"text longer than {MAX_CUSTOM_TEXT} characters"
        return value, None
    moment = parse_date(value)
    if moment is None:
        return None, f"'{value}' is not a valid date"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), None


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date or date-time, or MM/DD/YYYY, as a UTC moment; None otherwise."""
    try:
        return datetime.strptime(text, US_DATE).replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
