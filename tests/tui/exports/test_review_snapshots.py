"""What the review step looks like for an export with custom fields over hostile values
(scrolled to its end, where the dry run counts the values a run would leave out)."""

from __future__ import annotations

import sqlite3

import pytest

from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType
from tests.tui.exports.conftest import app_for, connection, mask_list_ids, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MAPPING_STEP, REVIEW_STEP = 3, 6
FIELDS = (
    CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
    CustomFieldConfig("last_order", "last_order_at", CustomFieldType.DATE),
    CustomFieldConfig("tier", "tier", CustomFieldType.TEXT),
)
HOSTILE = [("lifetime_value", "abc"), ("lifetime_value", "NaN"), ("lifetime_value", "1e400"),
           ("last_order_at", "2026-02-30"), ("last_order_at", "yesterday")]


def plant(database: object) -> None:
    """Each hostile value on two high-value profiles (the first ones by key)."""
    db = sqlite3.connect(str(database))
    try:
        keys = [key for (key,) in db.execute(
            "SELECT profile_id FROM segment_members WHERE segment_id = 'high-value' "
            "ORDER BY profile_id LIMIT ?", (2 * len(HOSTILE),))]
        for index, (column, value) in enumerate(HOSTILE):
            for key in keys[2 * index:2 * index + 2]:
                db.execute(f"UPDATE profiles SET {column} = ? WHERE customer_id = ?",
                           (value, key))
        db.commit()
    finally:
        db.close()


@pytest.mark.parametrize("size", SIZES)
def test_review_with_custom_fields(size: tuple[int, int], make_workspace, sandbox,
                                   snap_compare) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))
    plant(workspace.source_path)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await pilot.pause()
        await pilot.press("e")
        draft = ExportDraft(name="spring-newsletter", connection="marketing",
                            list_id="LIST-ID-" + "x" * 28, list_name="Newsletter",
                            list_checked=True, segments=["high-value"], custom_fields=FIELDS)
        app.push_screen(ExportWizardScreen(draft))
        await settle(pilot)
        await app.screen._show(MAPPING_STEP)  # pre-fills the mapping
        await settle(pilot)
        app.screen.step.leave(app.screen.draft)
        await app.screen._show(REVIEW_STEP)
        await settle(pilot)
        mask_list_ids(app)
        app.screen.step.scroll_end(animate=False)  # the dry run, at the end, in view
        await pilot.pause()

    assert snap_compare(app_for(workspace), terminal_size=size, run_before=run_before)
