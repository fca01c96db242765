"""The whole demo journey through the screens: connection, export, run, summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import text, until

from sgtui.commands.demo import demo_session
from sgtui.export.events import RunStatus
from sgtui.tui.screens.progress import RunProgressScreen

from .conftest import expected_emails
from .journey import define_export, set_up_connection

SEGMENTS = ["newsletter-optin", "high-value"]


async def test_a_new_user_goes_from_nothing_to_a_finished_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with demo_session(Path("ws"), profiles=1_500, seed=7, job_delay=0.0, user="alice") as demo:
        app = demo.make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert demo.info.api_key in text(app.screen, "#demo-banner")

            await set_up_connection(app, pilot, "Demo SendGrid", demo.info.api_key)
            assert [c.display_name for c in app.workspace.connections.values()] == [
                "Demo SendGrid"]

            await define_export(app, pilot, "newsletter", "Newsletter", SEGMENTS)
            export = app.workspace.exports["newsletter"]
            assert list(export.segments) == SEGMENTS

            await pilot.press("r")  # Run now, from the exports list
            await until(pilot, lambda: bool(app.runs) and not app.runs.running(),
                        seconds=30)
            handle = app.runs.latest()
            await until(pilot, lambda: isinstance(app.screen, RunProgressScreen)
                        and text(app.screen, "#run-summary") != "")
            assert handle.state.status is RunStatus.SUCCEEDED, handle.state.summary_line()
            summary = text(app.screen, "#run-summary")

        expected = expected_emails(demo.workspace.source_path, SEGMENTS)
        assert sorted(demo.sandbox.list_emails(export.list_id)) == sorted(expected)
        assert f"{len(expected):,}" in summary
