"""The exports table fits the terminal: every heading and value it shows reads whole at
80x24 and 120x40, and what a narrow table leaves out is in the details below it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pilot_helpers import screen_plain_text
from textual.widgets import DataTable

from sgtui.export.events import RunStatus, RunSummary
from sgtui.tui.screens.exports import COLUMNS, fitting_columns
from sgtui.workspace.model import ExportConfig, Schedule, SyncMode
from sgtui.workspace.state import StateStore
from tests.tui.exports.conftest import app_for, connection, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
STARTED = datetime(2026, 11, 28, 10, 4, tzinfo=UTC)


@pytest.fixture
def workspace(make_workspace, monkeypatch):  # type: ignore[no-untyped-def]
    """Three exports, one detached and one mirrored, two of them run before."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    workspace = make_workspace(
        connection("marketing", "http://127.0.0.1:9", display="Marketing SendGrid"))
    for name, segments, changes in (
            ("spring-newsletter", ("high-value", "newsletter-optin"), {}),
            ("vip-europe-mirror", ("vip-europe",), {"mode": SyncMode.MIRROR}),
            ("old-campaign", ("high-value",), {"connection": None,
                                               "schedule": Schedule.MANUAL})):
        values: dict[str, object] = dict(
            name=name, connection="marketing", list_id="6b1a3b7c-0000-4000-8000-00000000001",
            list_name="Newsletter", segments=segments, mapping={"email": "email"})
        values.update(changes)
        workspace.put_export(ExportConfig(**values))  # type: ignore[arg-type]
    workspace.save()
    store = StateStore(workspace.state_path)
    for name, status, uploaded in (("spring-newsletter", RunStatus.PARTIAL, 24_125),
                                   ("vip-europe-mirror", RunStatus.SUCCEEDED, 1_204)):
        run_id = store.start_run(name, dry_run=False, full=False, pid=1, started_at=STARTED)
        store.finish_run(RunSummary(run_id, name, status, "Done.", STARTED, STARTED,
                                    uploaded=uploaded, valid=uploaded))
    return workspace


def table_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#exports-table", DataTable)
    region = table.region
    lines = screen_plain_text(app).splitlines()[region.y:region.y + table.row_count + 1]
    return [line[region.x:region.right] for line in lines]


@pytest.mark.parametrize("size", SIZES)
async def test_every_heading_and_value_shown_reads_whole(workspace, size) -> None:
    app = app_for(workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.press("e")
        await settle(pilot)
        table = app.screen.query_one("#exports-table", DataTable)
        headings = [str(column.label) for column in table.columns.values()]
        assert headings[0] == "Export" and "Last run" in headings and "Schedule" in headings
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no h-scroll
        header, *rows = table_lines(app)
        for heading in headings:
            assert heading in header
        assert len(rows) == 3
        for line, index in zip(rows, range(table.row_count), strict=True):
            for cell in table.get_row_at(index):
                assert str(cell) in line, (str(cell), line)
        assert any("partial · Nov 28 10:04" in line for line in rows)
        table.move_cursor(row=table.get_row_index("spring-newsletter"))
        await pilot.pause()
        details = screen_plain_text(app)  # what the table leaves out, the details say
        assert "partial · Nov 28 10:04 · 24,125 contacts" in details
        assert "High value, Newsletter opt-in" in details
        if size == (120, 40):
            assert headings == ["Export", "Connection", "List", "Schedule", "Last run"]
            assert any("(detached)" in line for line in rows)


def test_columns_are_kept_by_what_they_are_worth() -> None:
    row = ["spring-newsletter", "Marketing SendGrid", "Newsletter",
           "High value, Newsletter opt-in", "every refresh", "partial · Nov 28 10:04"]
    shown = [[COLUMNS[i] for i in fitting_columns([row], width)] for width in (40, 76, 200)]
    assert shown == [["Export", "Schedule"],  # Last run does not fit beside it; Schedule does
                     ["Export", "List", "Schedule", "Last run"],
                     list(COLUMNS)]


@pytest.mark.parametrize("size", SIZES)
def test_exports_table_with_last_runs_snapshot(workspace, size, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)

    assert snap_compare(app_for(workspace), terminal_size=size, run_before=run_before)
