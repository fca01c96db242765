"""What each step of the export wizard, and the exports screen, look like at 80x24 and 120x40."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen
from sgtui.tui.widgets.export import ListPicker
from sgtui.workspace.model import ExportConfig
from tests.tui.exports.conftest import (
    app_for,
    connection,
    mask_list_ids,
    next_step,
    open_wizard,
    segments_counted,
    settle,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
STEPS = ["connection", "name", "list", "mapping", "segments", "schedule", "review"]


async def drive_to(pilot, step: str) -> None:  # type: ignore[no-untyped-def]
    """From the home screen to ``step`` of a new export.

    The first three steps are reached by pressing Next; later ones start from a draft that
    already holds the earlier answers (the pilot tests walk every step for real).
    """
    app = pilot.app
    await pilot.pause()
    index = STEPS.index(step)
    if index <= STEPS.index("list"):
        await open_wizard(pilot)
        if index >= 1:
            await next_step(pilot)
            app.screen.query_one("#export-name", Input).value = "spring-newsletter"
        if index >= 2:
            await next_step(pilot)
            picker = app.screen.query_one(ListPicker)
            newsletter = next(found for found in picker.lists if found.name == "Newsletter")
            app.screen.query_one("#list-select", Select).value = newsletter.id
    else:
        await pilot.press("e")
        draft = ExportDraft(name="spring-newsletter", connection="marketing",
                            list_id="LIST-ID-" + "x" * 28, list_name="Newsletter",
                            list_checked=True, segments=["high-value"])
        app.push_screen(ExportWizardScreen(draft))
        await settle(pilot)
        if index > STEPS.index("mapping"):
            await app.screen._show(STEPS.index("mapping"))  # pre-fills the mapping
            await settle(pilot)
            app.screen.step.leave(app.screen.draft)
        await app.screen._show(index)
        if step == "segments":
            await segments_counted(pilot)
    await settle(pilot)
    mask_list_ids(app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEPS)
def test_wizard_step(step: str, size: tuple[int, int], make_workspace, sandbox,
                     snap_compare) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))
    assert snap_compare(app_for(workspace), terminal_size=size,
                        run_before=lambda pilot: drive_to(pilot, step))


@pytest.mark.parametrize("size", SIZES)
def test_exports_screen(size: tuple[int, int], make_workspace, snap_compare) -> None:
    workspace = make_workspace(
        connection("marketing", "http://127.0.0.1:9", display="Marketing SendGrid"))
    for name, segments in (("spring-newsletter", ("high-value", "newsletter-optin")),
                           ("vip", ("vip-europe",))):
        workspace.put_export(ExportConfig(
            name=name, connection="marketing", list_id="list-0001", list_name="Newsletter",
            segments=segments, mapping={"email": "email"}))
    workspace.save()

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)

    assert snap_compare(app_for(workspace), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_wizard_without_connections(size: tuple[int, int], make_workspace,
                                    snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await open_wizard(pilot)

    assert snap_compare(app_for(make_workspace()), terminal_size=size, run_before=run_before)


def test_segments_step_reads_without_colour(make_workspace, sandbox, monkeypatch,
                                            snap_compare) -> None:
    """With NO_COLOR one ticked segment among unticked ones reads differently as text."""
    from sgtui.tui.widgets.export import SegmentPicker
    from tests.pilot_helpers import screen_plain_text

    monkeypatch.setenv("NO_COLOR", "1")
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))

    async def check(pilot) -> None:  # type: ignore[no-untyped-def]
        await drive_to(pilot, "segments")
        assert pilot.app.no_color
        assert pilot.app.screen.query_one(SegmentPicker).selected == ["high-value"]
        rows = [line for line in screen_plain_text(pilot.app).splitlines() if "▐" in line]
        ticked = [line for line in rows if "▐X▌" in line]
        unticked = [line for line in rows if "▐ ▌" in line]
        assert len(ticked) == 1 and "high" in ticked[0].lower()
        assert len(unticked) == len(rows) - 1 >= 1

    assert snap_compare(app_for(workspace), terminal_size=(80, 24), run_before=check)
