"""What the progress panel looks like mid-run and finished, from scripted events."""

from __future__ import annotations

import pytest

from sgtui.tui.runs import RunHandle
from sgtui.tui.screens.progress import RunProgressScreen

from .scripted import EXPORT, finished_state, mid_run_state

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_panel_mid_run_shows_stages_bars_counters_jobs_and_rejected_rows(
    snap_compare, app, size
) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(RunProgressScreen(RunHandle(EXPORT, mid_run_state())))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_panel_finished_leads_with_the_one_line_summary(snap_compare, app, size) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(RunProgressScreen(state=finished_state()))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_cancel_asks_first_and_explains_what_still_finishes(snap_compare, app) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(RunProgressScreen(RunHandle(EXPORT, mid_run_state())))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
