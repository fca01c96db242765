"""Escape in a half-made export asks before anything is thrown away."""

from __future__ import annotations

from sgtui.tui.screens.export_wizard import ExportWizardScreen
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.widgets.confirm import ConfirmModal
from tests.tui.exports.conftest import app_for, connection, next_step, open_wizard, settle


async def test_escape_past_the_first_step_asks_and_stay_keeps_the_wizard_leave_closes_it(
        make_workspace, sandbox) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await next_step(pilot)  # past the connection step: something was chosen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")  # Stay
        await settle(pilot)
        assert isinstance(app.screen, ExportWizardScreen)

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # Leave
        await settle(pilot)
        assert isinstance(app.screen, ExportsScreen)
