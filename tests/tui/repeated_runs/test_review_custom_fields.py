"""The wizard's review counts the custom values a run would leave out, per field and why,
and a real run against the sandbox leaves out exactly those."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from dataclasses import replace

import httpx

from sgtui.export.engine import run_export
from sgtui.export.events import RunStatus
from sgtui.sendgrid.models import FieldDefinitions
from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType
from sgtui.workspace.secrets import KeyringSecrets

from .conftest import KEY, SEGMENTS, News
from .helpers import settle, text

REVIEW = 6
FIELDS = (
    CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
    CustomFieldConfig("last_order", "last_order_at", CustomFieldType.DATE),
    CustomFieldConfig("tier", "tier", CustomFieldType.TEXT),
)
# (column, hostile value, how many profiles get it). "1e400" in a REAL column is SQLite's
# infinity; the others stay text.
PLANTED = [
    ("lifetime_value", "abc", 3), ("lifetime_value", "NaN", 2),
    ("lifetime_value", "x" * 1500, 1), ("lifetime_value", "1e400", 1),
    ("last_order_at", "2026-02-30", 2), ("last_order_at", "yesterday", 1),
    ("tier", "<b>[red]gold[/red]</b> 🥇", 2),
]


def plant_hostile_values(news: News) -> None:
    """Hostile values on profiles the export sends (a clean email nobody else has), and one
    on a profile set aside for its invalid email (a run leaves out nothing of it)."""
    db = sqlite3.connect(news.workspace.source_path)
    try:
        marks = ",".join("?" * len(SEGMENTS))
        members = (f"customer_id IN (SELECT profile_id FROM segment_members WHERE "
                   f"segment_id IN ({marks}))")
        keys = [key for (key,) in db.execute(
            f"SELECT customer_id FROM profiles p WHERE {members} AND email LIKE '%_@_%._%' "
            "AND email = lower(trim(email)) AND email NOT LIKE '% %' AND NOT EXISTS ("
            "SELECT 1 FROM profiles q WHERE lower(trim(q.email)) = p.email AND "
            "q.customer_id <> p.customer_id) ORDER BY customer_id", SEGMENTS)]
        at = 0
        for column, value, count in PLANTED:
            for key in keys[at:at + count]:
                db.execute(f"UPDATE profiles SET {column} = ? WHERE customer_id = ?",
                           (value, key))
            at += count
        (invalid,) = db.execute(f"SELECT customer_id FROM profiles WHERE {members} AND "
                                "email = 'not-an-email' LIMIT 1", SEGMENTS).fetchone()
        db.execute("UPDATE profiles SET lifetime_value = 'abc' WHERE customer_id = ?",
                   (invalid,))
        db.commit()
    finally:
        db.close()


def with_custom_fields(news: News) -> None:
    news.workspace.put_export(replace(news.workspace.exports["news"], custom_fields=FIELDS))
    news.workspace.save()


async def review(news: News, draft: ExportDraft) -> tuple[str, str, str]:
    """The review's summary, custom-fields paragraph and dry run, as the screen shows them."""
    app = news.app()
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.pause()
        app.push_screen(ExportWizardScreen(draft))
        await settle(pilot)
        await app.screen._show(REVIEW)
        await settle(pilot)
        return (text(app, "#review-summary"), text(app, "#review-fields"),
                text(app, "#review-dry-run"))


def left_out_in_csv(path: str) -> Counter[str]:
    """Custom field -> values the rejected-rows CSV says the run left out."""
    with open(path, newline="", encoding="utf-8") as file:
        return Counter(row["reason"].split(" left out: ")[0] for row in csv.DictReader(file)
                       if " left out: " in row["reason"])


def field_definitions(news: News) -> FieldDefinitions:
    """The sandbox account's contact fields, as the wizard fetches them."""
    answer = httpx.get(f"{news.sandbox.base_url}/v3/marketing/field_definitions",
                       headers={"Authorization": f"Bearer {KEY}"})
    answer.raise_for_status()
    return FieldDefinitions.from_json(answer.json())


async def test_review_counts_left_out_values_per_field_as_the_run_does(news: News) -> None:
    with_custom_fields(news)
    plant_hostile_values(news)
    draft = ExportDraft.from_config(news.workspace.exports["news"])
    summary_text, fields_text, dry_run = await review(news, draft)
    assert ("Custom fields lifetime_value (number) ← lifetime_value, last_order (date) ← "
            "last_order_at, tier (text) ← tier") in " ".join(summary_text.split())
    assert ("Custom fields in SendGrid: looked up in the account when the export runs"
            in " ".join(fields_text.split()))
    shown = " ".join(dry_run.split())
    assert ("lifetime_value: 7 values left out (6 not a number; 1 not a finite number)"
            in shown)
    assert "last_order: 3 values left out (2 not a date that exists; 1 not a date)" in shown
    assert "tier:" not in shown  # markup and emoji are text: sent as they are
    assert "does not cost the contact" in shown

    summary = await run_export(news.workspace, "news", secrets=KeyringSecrets(),
                               on_event=lambda event: None)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert summary.values_left_out == 7 + 3
    assert summary.rejected_csv
    assert left_out_in_csv(summary.rejected_csv) == {"lifetime_value": 7, "last_order": 3}


async def test_review_says_which_custom_fields_a_run_would_create(news: News) -> None:
    with_custom_fields(news)
    draft = ExportDraft.from_config(news.workspace.exports["news"])
    draft.field_definitions = field_definitions(news)
    _, fields_text, dry_run = await review(news, draft)
    assert ("A real run would create the custom fields lifetime_value, last_order, tier."
            in " ".join(fields_text.split()))
    assert "left out" not in dry_run  # the demo's own typed values all fit their fields

    summary = await run_export(news.workspace, "news", secrets=KeyringSecrets(),
                               on_event=lambda event: None)
    assert "Created the custom fields lifetime_value, last_order, tier" in summary.sentence
    draft.field_definitions = field_definitions(news)
    _, fields_text, _ = await review(news, draft)
    assert "the account has all of them already" in fields_text


async def test_review_without_custom_fields_says_nothing_of_them(news: News) -> None:
    summary_text, _, dry_run = await review(
        news, ExportDraft.from_config(news.workspace.exports["news"]))
    assert "Custom fields" not in summary_text and "left out" not in dry_run
