"""Runs with custom fields against the sandbox: typed values land, bad ones are left out."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from sgtui.export.engine import RunOptions
from sgtui.export.events import RunStatus
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType
from tests.sandbox_search import contacts_by_email

from .conftest import KEY, Setup, run_news

NUMBER, DATE, TEXT = CustomFieldType.NUMBER, CustomFieldType.DATE, CustomFieldType.TEXT
FIELDS = (
    CustomFieldConfig("lifetime_value", "lifetime_value", NUMBER),
    CustomFieldConfig("last_order", "last_order_at", DATE),
    CustomFieldConfig("tier", "tier", TEXT),
)


def search(setup: Setup, emails: list[str]) -> dict[str, dict[str, Any]]:
    """The contacts SendGrid holds for ``emails``."""
    return contacts_by_email(setup.sandbox.base_url, KEY, emails)


def single_profiles(db_path: Path, count: int
                    ) -> list[tuple[str, str, float, str | None, str]]:
    """(key, email, lifetime value, last order, tier) of profiles in the export whose clean email
    no other profile shares."""
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT p.customer_id, p.email, p.lifetime_value, p.last_order_at, p.tier "
            "FROM profiles p "
            "WHERE p.customer_id IN (SELECT profile_id FROM segment_members "
            "WHERE segment_id = 'high-value') AND p.email LIKE '%_@_%._%' "
            "AND p.email = lower(trim(p.email)) AND p.email NOT LIKE '% %' AND NOT EXISTS ("
            "SELECT 1 FROM profiles q WHERE lower(trim(q.email)) = p.email "
            "AND q.customer_id <> p.customer_id) ORDER BY p.customer_id LIMIT ?",
            (count,)).fetchall()
    finally:
        db.close()


@pytest.fixture
def custom_setup(setup: Setup) -> Setup:
    """The demo data's typed columns as custom fields of the "news" export."""
    setup.change_export(custom_fields=FIELDS)
    return setup


async def test_number_date_and_text_values_land_typed(custom_setup: Setup) -> None:
    setup = custom_setup
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert "Created the custom fields lifetime_value, last_order, tier in SendGrid." \
        in summary.sentence
    assert summary.values_left_out == 0
    profiles = single_profiles(setup.db_path, 30)
    found = search(setup, [email for _, email, _, _, _ in profiles])
    assert len(found) == len(profiles)
    assert any(last_order is None for _, _, _, last_order, _ in profiles)
    for _, email, value, last_order, tier in profiles:
        custom = found[email]["custom_fields"]
        assert custom["lifetime_value"] == value
        assert isinstance(custom["lifetime_value"], int | float)
        if last_order is None:
            assert "last_order" not in custom
        else:  # "2025-04-16 01:07:00" as SQLite writes it
            assert custom["last_order"] == last_order.replace(" ", "T") + "Z"
        assert custom["tier"] == tier


HOSTILE = [  # (field, column value, left out?, reason in the CSV)
    ("lifetime_value", "abc", True, "lifetime_value left out: 'abc' is not a number"),
    ("lifetime_value", "NaN", True, "lifetime_value left out: 'NaN' is not a number"),
    # A REAL column makes "1e400" the float infinity: SQLite's reading, not sgtui's.
    ("lifetime_value", "1e400", True, "lifetime_value left out: inf is not a finite number"),
    ("lifetime_value", "x" * 1500, True, "is not a number"),
    ("last_order", "2026-02-30", True, "'2026-02-30' is not a date that exists"),
    ("last_order", "yesterday", True, "last_order left out: 'yesterday' is not a date"),
    ("tier", "<script>alert(1)</script>", False, ""),
    ("tier", "[b]gold[/b] 🥇✨", False, ""),
    ("tier", "y" * 1500, False, ""),
]
COLUMN = {field.name: field.column for field in FIELDS}


async def test_hostile_values_leave_the_field_out_not_the_contact(custom_setup: Setup) -> None:
    setup = custom_setup
    profiles = single_profiles(setup.db_path, len(HOSTILE))
    for (key, _, _, _, _), (field, value, _, _) in zip(profiles, HOSTILE, strict=True):
        setup.sql(f"UPDATE profiles SET {COLUMN[field]} = ? WHERE customer_id = ?", value, key)
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert summary.values_left_out == 6
    assert summary.trimmed_fields >= 1
    assert ("6 custom values were left out because their fields would refuse them "
            "(last_order 2, lifetime_value 4)") in summary.sentence
    assert summary.rejected_csv
    with open(summary.rejected_csv, newline="", encoding="utf-8") as file:
        rows = {row["profile"]: row for row in csv.DictReader(file)}
    found = search(setup, [email for _, email, _, _, _ in profiles])
    for (key, email, _, _, _), (field, value, left_out, reason) in zip(profiles, HOSTILE,
                                                                    strict=True):
        contact = found[email]  # sent, whatever happened to the field
        if left_out:
            assert reason in rows[key]["reason"] and rows[key]["email"] == email
            assert "the contact was sent without it" in rows[key]["reason"]
            assert field not in contact["custom_fields"]
        else:
            assert key not in rows
            assert contact["custom_fields"][field] == value[:1000]


async def test_a_rerun_sends_nothing_and_one_changed_value_sends_one(
        custom_setup: Setup) -> None:
    setup = custom_setup
    first, _ = await run_news(setup)
    assert first.status is RunStatus.SUCCEEDED and first.uploaded > 0
    again, _ = await run_news(setup)
    assert again.uploaded == 0 and again.unchanged == first.valid
    assert "Created" not in again.sentence
    [(key, email, _, _, _)] = single_profiles(setup.db_path, 1)
    setup.sql("UPDATE profiles SET tier = 'platinum' WHERE customer_id = ?", key)
    changed, _ = await run_news(setup)
    assert changed.uploaded == 1
    assert search(setup, [email])[email]["custom_fields"]["tier"] == "platinum"


async def test_changing_the_mapping_resends_what_it_affects(custom_setup: Setup) -> None:
    setup = custom_setup
    first, _ = await run_news(setup)
    setup.change_export(custom_fields=FIELDS[:2])
    dropped, _ = await run_news(setup)
    assert dropped.uploaded == first.valid  # every contact had a tier


async def test_a_type_clash_stops_the_run_before_anything_is_sent(custom_setup: Setup) -> None:
    setup = custom_setup
    answer = httpx.post(f"{setup.sandbox.base_url}/v3/marketing/field_definitions",
                        json={"name": "Lifetime_Value", "field_type": "Text"},
                        headers={"Authorization": f"Bearer {KEY}"})
    answer.raise_for_status()
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.FAILED
    assert summary.sentence == (
        "The custom field 'Lifetime_Value' is a Text field in SendGrid, but the export fills "
        'it as Number: set type = "text" for it in [exports.news.custom_fields], or pick '
        "another name. Nothing was sent.")
    assert setup.put_count() == 0
    fields = httpx.get(f"{setup.sandbox.base_url}/v3/marketing/field_definitions",
                       headers={"Authorization": f"Bearer {KEY}"}).json()["custom_fields"]
    assert [field["name"] for field in fields] == ["Lifetime_Value"]  # nothing created


async def test_an_existing_field_is_used_by_its_id(custom_setup: Setup) -> None:
    setup = custom_setup
    answer = httpx.post(f"{setup.sandbox.base_url}/v3/marketing/field_definitions",
                        json={"name": "tier", "field_type": "Text"},
                        headers={"Authorization": f"Bearer {KEY}"})
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED
    assert "Created the custom fields lifetime_value, last_order in SendGrid." \
        in summary.sentence
    assert answer.json()["id"]


async def test_a_dry_run_creates_no_field(custom_setup: Setup) -> None:
    setup = custom_setup
    summary, _ = await run_news(setup, RunOptions(dry_run=True))
    assert "A real run would create the custom fields" in summary.sentence
    fields = httpx.get(f"{setup.sandbox.base_url}/v3/marketing/field_definitions",
                       headers={"Authorization": f"Bearer {KEY}"}).json()["custom_fields"]
    assert fields == []


async def test_an_account_at_the_field_limit_stops_the_run(custom_setup: Setup) -> None:
    setup = custom_setup
    with httpx.Client(base_url=setup.sandbox.base_url,
                      headers={"Authorization": f"Bearer {KEY}"}) as client:
        for number in range(499):
            client.post("/v3/marketing/field_definitions",
                        json={"name": f"old_{number}", "field_type": "Text"}).raise_for_status()
    summary, _ = await run_news(setup)  # room for one of its three fields
    assert summary.status is RunStatus.FAILED
    assert summary.sentence == (
        "The SendGrid account has 499 custom fields, SendGrid's limit is 500, so sgtui cannot "
        "create lifetime_value, last_order, tier: delete custom fields you no longer use in "
        "SendGrid, or fill existing ones. Nothing was sent.")
    assert setup.put_count() == 0
