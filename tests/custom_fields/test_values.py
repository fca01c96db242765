"""Values become what SendGrid's custom fields take, or are left out with a reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sgtui.export.custom_values import convert, to_date, to_number, to_text
from sgtui.workspace.model import CustomFieldType


@pytest.mark.parametrize(("value", "sent"), [
    (12, 12), (0, 0), (-4, -4), (12.5, 12.5), (3.0, 3), ("12.5", 12.5), (" 7 ", 7),
    ("-3e2", -300), ("+4", 4), (".5", 0.5), ("1e3", 1000), ("0012", 12),
    (Decimal("19.99"), 19.99), ("123456789.25", 123456789.25), (2 ** 60, float(2 ** 60)),
])
def test_numbers_are_sent_as_json_numbers(value: object, sent: float) -> None:
    converted = to_number(value)
    assert converted.reason is None
    assert converted.value == sent
    assert json.dumps(converted.value) == json.dumps(sent)
    assert not isinstance(converted.value, str | bool)


@pytest.mark.parametrize(("value", "said"), [
    ("abc", "'abc' is not a number"), ("NaN", "'NaN' is not a number"),
    (float("nan"), "nan is not a finite number"), (float("inf"), "inf is not a finite number"),
    ("inf", "not a number"), ("-Infinity", "not a number"),
    ("1e400", "'1e400' is not a finite number"), (True, "yes/no value"),
    (False, "yes/no value"), ("1_000", "not a number"), ("12,5", "not a number"),
    ("0x1A", "not a number"), ("12 apples", "not a number"), ("x" * 1500, "...' is not a"),
    (Decimal("NaN"), "not a finite number"), (10 ** 400, "not a finite number"),
])
def test_values_that_are_not_numbers_are_left_out_with_a_reason(value: object,
                                                                 said: str) -> None:
    converted = to_number(value)
    assert converted.value is None
    assert converted.reason is not None and said in converted.reason
    assert len(converted.reason) < 80


@pytest.mark.parametrize(("value", "sent"), [
    ("2026-03-01", "2026-03-01T00:00:00Z"),
    ("2026-03-01T09:30:00", "2026-03-01T09:30:00Z"),
    ("2026-03-01 09:30:00", "2026-03-01T09:30:00Z"),  # SQLite's datetime()
    ("2026-03-01 09:30", "2026-03-01T09:30:00Z"),
    ("2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z"),
    ("2026-03-01T09:30:00.123456789Z", "2026-03-01T09:30:00Z"),
    ("2026-03-01 09:30:00.25+01", "2026-03-01T08:30:00Z"),  # PostgreSQL timestamptz text
    ("2026-03-01 09:30:00+05:30", "2026-03-01T04:00:00Z"),
    ("2026-03-01T00:30:00-0200", "2026-03-01T02:30:00Z"),
    ("2026-03-01t09:30:00z", "2026-03-01T09:30:00Z"),
    ("  2026-03-01  ", "2026-03-01T00:00:00Z"),
    (date(2026, 3, 1), "2026-03-01T00:00:00Z"),  # PostgreSQL date
    (datetime(2026, 3, 1, 9, 30), "2026-03-01T09:30:00Z"),  # timestamp
    (datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))), "2026-03-01T07:30:00Z"),
    (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00Z"),
    ("2024-02-29", "2024-02-29T00:00:00Z"),
])
def test_dates_are_sent_as_iso_8601_utc(value: object, sent: str) -> None:
    assert to_date(value).value == sent


@pytest.mark.parametrize(("value", "said"), [
    ("2026-02-30", "'2026-02-30' is not a date that exists"),
    ("2025-02-29", "is not a date that exists"),
    ("2026-13-01", "is not a date that exists"),
    ("2026-03-01 25:00:00", "is not a date that exists"),
    ("yesterday", "'yesterday' is not a date"), ("abc", "is not a date"),
    ("20260301", "is not a date"), ("03/01/2026", "is not a date"),
    (20260301, "20260301 is not a date"), (True, "is not a date"),
    ("2026-03-01T09:30:00+25:00", "is not a date that exists"),
])
def test_values_that_are_not_dates_are_left_out_with_a_reason(value: object,
                                                               said: str) -> None:
    converted = to_date(value)
    assert converted.value is None
    assert converted.reason is not None and said in converted.reason


def test_text_is_trimmed_of_padding_and_cut_to_1000_characters() -> None:
    assert to_text("  gold ").value == "gold"
    assert to_text(12.0).value == "12"
    assert to_text("<b>gold</b> 🥇").value == "<b>gold</b> 🥇"
    long = to_text("x" * 1500)
    assert long.value == "x" * 1000 and long.trimmed and long.reason is None
    exact = to_text("y" * 1000)
    assert exact.value == "y" * 1000 and not exact.trimmed


@pytest.mark.parametrize("kind", list(CustomFieldType))
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_values_are_not_sent_and_not_left_out(kind: CustomFieldType,
                                                    empty: object) -> None:
    converted = convert(kind, empty)
    assert converted.value is None and converted.reason is None


def test_convert_picks_the_kind() -> None:
    assert convert(CustomFieldType.NUMBER, "5").value == 5
    assert convert(CustomFieldType.TEXT, 5).value == "5"
    assert convert(CustomFieldType.DATE, "2026-01-02").value == "2026-01-02T00:00:00Z"
