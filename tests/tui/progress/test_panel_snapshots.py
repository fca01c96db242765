"""What the progress panel looks like mid-run and finished, from scripted events."""

from __future__ import annotations

import pytest

from sgtui.tui.runs import RunHandle
from sgtui.tui.screens.progress import RunProgressScreen

from .scripted import (
    EXPORT,
    finished_state,
    list_changed_state,
    mid_run_state,
    refused_removal_state,
)


def with_export(app) -> None:  # type: ignore[no-untyped-def]
    """The scripted run's export exists, so its finished panel may offer to run it again."""
    from sgtui.workspace.model import ExportConfig

    app.workspace.put_export(ExportConfig(name=EXPORT, connection=None, list_id="list-0001",
                                          segments=("high-value",), mapping={"email": "email"}))


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


@pytest.mark.parametrize("size", SIZES)
def test_a_run_stopped_at_the_removal_limit_offers_to_remove_them(snap_compare, app,
                                                                   size) -> None:
    with_export(app)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(RunProgressScreen(state=refused_removal_state()))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_a_list_changed_outside_is_warned_and_a_full_run_offered(snap_compare, app) -> None:
    with_export(app)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        app.push_screen(RunProgressScreen(state=list_changed_state()))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
