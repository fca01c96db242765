"""Profile values as SendGrid custom fields take them: numbers, ISO 8601 UTC dates, text.

Pure functions. Each returns a :class:`Converted`: the value to send, or the reason it is
left out (the contact is still sent, without that field). An empty value (None, blank text)
is neither: it is simply not sent, as for every field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sgtui.workspace.fields import MAX_CUSTOM_TEXT
from sgtui.workspace.model import CustomFieldType

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""Numeric text as JSON writes numbers (and a leading + or a trailing dot): no ``1_000``,
no ``nan``, no ``inf``, which Python's float() would take."""
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?", re.IGNORECASE)
"""As SQLite (``2026-03-01 09:30:00``), PostgreSQL (``2026-03-01 09:30:00.25+01``) and ISO
8601 (``2026-03-01T09:30:00Z``) write date-times."""
_SAFE_INTEGER = 2 ** 53
"""Past this, a JSON number loses digits in SendGrid's (double) numbers."""


@dataclass(frozen=True, slots=True)
class Converted:
    """One value, made ready: ``value`` to send, else ``reason`` it is left out (or both
    None: the value is empty, nothing to send). ``trimmed``: text cut to the longest.
    ``why``: the reason without the value (``not a number``), to count values by it."""

    value: int | float | str | None = None
    reason: str | None = None
    trimmed: bool = False
    why: str | None = None


EMPTY = Converted()


def convert(kind: CustomFieldType, value: object) -> Converted:
    """``value`` from the customer data as a custom field of ``kind`` takes it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    if kind is CustomFieldType.NUMBER:
        return to_number(value)
    if kind is CustomFieldType.DATE:
        return to_date(value)
    return to_text(value)


def to_number(value: object) -> Converted:
    """A JSON number: ints stay ints, whole floats become ints, text is parsed.

    Left out: booleans, NaN and infinities, numbers too big for a double (``1e400``),
    text that is not a number.
    """
    if isinstance(value, bool):
        return _left_out(value, "a yes/no value, not a number")
    if isinstance(value, int):
        return _finite(_float(value), value) if abs(value) >= _SAFE_INTEGER else Converted(value)
    if isinstance(value, float | Decimal):
        return _finite(_float(value), value)
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _NUMBER.fullmatch(text):
        return _left_out(value, "not a number")
    if _INTEGER.fullmatch(text) and abs(number := int(text)) < _SAFE_INTEGER:
        return Converted(number)
    return _finite(_float(text), text)


def _float(value: int | float | Decimal | str) -> float:
    try:
        return float(value)
    except OverflowError:  # an int past a double's range
        return math.inf


def _finite(number: float, original: object) -> Converted:
    if not math.isfinite(number):
        return _left_out(original, "not a finite number")
    if number.is_integer() and abs(number) < _SAFE_INTEGER:
        return Converted(int(number))
    return Converted(number)


def to_date(value: object) -> Converted:
    """ISO 8601 in UTC, ``2026-03-01T09:30:00Z``: from ``date`` and ``datetime`` values (a
    naive one is taken as UTC) and from ISO dates and date-times in text. A date alone is
    midnight UTC. Left out: days that do not exist (``2026-02-30``), words, numbers."""
    if isinstance(value, datetime):
        return Converted(_utc(value))
    if isinstance(value, date):
        return Converted(f"{value.isoformat()}T00:00:00Z")
    if not isinstance(value, str):
        return _left_out(value, "not a date")
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            return Converted(f"{date.fromisoformat(text).isoformat()}T00:00:00Z")
        match = _DATE_TIME.fullmatch(text)
        if match is None:
            return _left_out(value, "not a date")
        day, clock, zone = match.groups()
        if "." in clock or "," in clock:  # Python reads at most 6 digits of a fraction
            whole, fraction = re.split(r"[.,]", clock)
            clock = f"{whole}.{(fraction + '000000')[:6]}"
        zone = "+00:00" if zone is None or zone.upper() == "Z" else zone
        return Converted(_utc(datetime.fromisoformat(f"{day}T{clock}{zone}")))
    except ValueError:
        return _left_out(value, "not a date that exists")


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_text(value: object) -> Converted:
    """The value as text, trimmed of padding, cut to SendGrid's 1,000 characters."""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = value.strip() if isinstance(value, str) else str(value).strip()
    if len(text) > MAX_CUSTOM_TEXT:
        return Converted(text[:MAX_CUSTOM_TEXT].rstrip(), trimmed=True)
    return Converted(text)


def _left_out(value: object, why: str) -> Converted:
    """``value`` left out, because it is ``why`` (``not a number``)."""
    return Converted(reason=f"{_shown(value)} is {why}", why=why)


def _shown(value: object) -> str:
    """The value as a reason quotes it: short, and never more than 40 characters."""
    if not isinstance(value, str):
        return repr(value)[:40]
    return repr(value if len(value) <= 40 else value[:37] + "...")
