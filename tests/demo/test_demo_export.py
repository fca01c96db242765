"""The demo's own export: custom fields from the demo data's typed columns, waiting for the
user's connection; attached with Edit and run, it lands typed values in the sandbox."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pilot_helpers import text, until
from textual.widgets import OptionList

from sgtui.commands.demo import DEMO_EXPORT, demo_session
from sgtui.export.events import RunStatus
from sgtui.tui.screens.export_wizard import ExportWizardScreen
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.progress import RunProgressScreen
from tests.export.test_custom_fields_run import single_profiles
from tests.sandbox_search import contacts_by_email

from .journey import set_up_connection, settle


async def test_the_demo_export_attached_with_edit_lands_typed_custom_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with demo_session(Path("ws"), profiles=1_500, seed=7, job_delay=0.0, index_lag=0.0,
                      user="alice") as demo:
        export = demo.workspace.exports[DEMO_EXPORT.name]
        assert export.is_detached and export.custom_fields == DEMO_EXPORT.custom_fields
        vip = next(found for found in httpx.get(
            f"{demo.info.sandbox_url}/v3/marketing/lists",
            headers={"Authorization": f"Bearer {demo.info.api_key}"}).json()["result"]
            if found["name"] == "VIP customers")
        assert export.list_id == vip["id"]

        app = demo.make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await set_up_connection(app, pilot, "Demo SendGrid", demo.info.api_key)
            await settle(app, pilot)
            assert ("the export customer-value has no connection yet; e (Edit) attaches yours"
                    in " ".join(text(app.screen, "#demo-banner").split()))
            await pilot.press("e")
            await settle(app, pilot)
            assert isinstance(app.screen, ExportsScreen)
            assert "(detached)" in " ".join(str(cell) for cell in app.screen.query_one(
                "#exports-table").get_row(DEMO_EXPORT.name))
            await pilot.press("e")  # Edit: the wizard starts at the connection
            await settle(app, pilot)
            wizard = app.screen
            assert isinstance(wizard, ExportWizardScreen)
            options = wizard.query_one("#connection-list", OptionList)
            options.focus()
            options.highlighted = next(i for i, o in enumerate(options.options)
                                       if not o.disabled)
            await pilot.press("enter")
            await settle(app, pilot)
            for _ in range(6):  # name, list, data matching, segments, schedule, review
                await pilot.press("ctrl+n")
                await settle(app, pilot)
            dry_run = " ".join(text(wizard, "#review-dry-run").split())
            assert "contacts would be sent to SendGrid" in dry_run
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            saved = app.workspace.exports[DEMO_EXPORT.name]
            assert saved.connection in app.workspace.connections
            assert saved.custom_fields == DEMO_EXPORT.custom_fields

            await pilot.press("r")  # Run now
            await until(pilot, lambda: bool(app.runs) and not app.runs.running(), seconds=30)
            handle = app.runs.latest()
            await until(pilot, lambda: isinstance(app.screen, RunProgressScreen)
                        and text(app.screen, "#run-summary") != "")
            assert handle.state.status is RunStatus.SUCCEEDED, handle.state.summary_line()

        profiles = [row[1:] for row in single_profiles(demo.workspace.source_path, 25)]
        found = contacts_by_email(demo.info.sandbox_url, demo.info.api_key,
                       [email for email, _, _, _ in profiles])
        assert len(found) == len(profiles) > 10
        assert any(last_order is None for _, _, last_order, _ in profiles)
        for email, value, last_order, tier in profiles:
            custom = found[email]["custom_fields"]
            assert custom["lifetime_value"] == value and isinstance(value, float)
            if last_order is None:
                assert "last_order" not in custom
            else:  # "2025-04-16 01:07:00" as SQLite holds it, sent as ISO 8601 UTC
                assert custom["last_order"] == last_order.replace(" ", "T") + "Z"
            assert custom["tier"] == tier
