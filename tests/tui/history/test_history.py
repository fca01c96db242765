"""History: every run with its outcome, filterable; a run's details reopen its panel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pilot_helpers import text, until
from textual.widgets import DataTable, Select

from sgtui.export.events import RejectedRow, RunStatus
from sgtui.export.outcome import RunFacts, outcome
from sgtui.tui.screens.history import HistoryScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.progress import RunProgressPanel
from sgtui.workspace.config import Workspace
from sgtui.workspace.state import StateStore

from ..progress.scripted import STARTED_AT, finished_summary


def record(store: StateStore, export: str, status: RunStatus, minutes: int, **counts):  # type: ignore[no-untyped-def]
    """A finished run in the real state database, with one job per 10,000 contacts."""
    started = STARTED_AT + timedelta(minutes=minutes)
    run_id = store.start_run(export, dry_run=False, full=False, pid=1, started_at=started)
    summary = replace(
        finished_summary(status), run_id=run_id, export=export, started_at=started,
        finished_at=started + timedelta(seconds=75), **counts,
    )
    for batch in range(1, summary.uploaded // 10_000 + 1):
        job = f"job-{run_id}-{batch}"
        store.record_batch(run_id, export, batch, job, [], 2_000_000, 10_000)
        store.finish_job(run_id, job, "completed", created=2_500, updated=7_500)
    return summary, run_id


@pytest.fixture
def history(workspace: Workspace) -> dict[str, int]:
    store = StateStore(workspace.state_path)
    ids = {}
    summary, ids["spring"] = record(store, "spring-newsletter", RunStatus.PARTIAL, 0,
                                    uploaded=20_000, created=5_000, updated=15_000,
                                    rejected_by_sendgrid=30)
    summary = replace(summary, sentence=outcome(RunFacts(summary, rejected_csv="r.csv"))[1])
    store.add_rejected(ids["spring"], [RejectedRow("c-1", "nope", "invalid email"),
                                       RejectedRow("c-2", "", "missing email")], 0)
    store.finish_run(summary)
    summary, ids["vip"] = record(store, "vip", RunStatus.SUCCEEDED, 5, uploaded=10_000,
                                 created=10_000, updated=0, invalid_email=0, missing_email=0,
                                 sentence="Sent 10,000 contacts to VIP customers.")
    store.finish_run(summary)
    summary, ids["failed"] = record(store, "vip", RunStatus.FAILED, 9, uploaded=0,
                                    sentence="SendGrid refused the API key.")
    store.finish_run(summary)
    return ids


def rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#history-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_history_lists_runs_newest_first_with_status_duration_and_counts(app, history):
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        listed = rows(app)
        assert [row[:3] for row in listed] == [
            [f"#{history['failed']}", "vip", "failed"],
            [f"#{history['vip']}", "vip", "succeeded"],
            [f"#{history['spring']}", "spring-newsletter", "partial"],
        ]
        assert listed[2][3:] == ["2026-11-28 10:00", "1:15", "25,000", "20,000", "5,000",
                                 "15,000", "375", "30"]


async def test_history_tells_rows_set_aside_from_rows_sendgrid_refused(app, history, workspace):
    store = StateStore(workspace.state_path)
    summary, run_id = record(store, "clean-up", RunStatus.SUCCEEDED, 20, uploaded=10_000,
                             created=10_000, updated=0)
    status, sentence = outcome(RunFacts(summary, rejected_csv="runs/clean-up.csv"))
    assert status is RunStatus.SUCCEEDED  # 375 set aside, nothing refused
    store.finish_run(replace(summary, status=status, sentence=sentence))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        table = app.screen.query_one("#history-table", DataTable)
        assert [str(column.label) for column in table.columns.values()][-2:] == [
            "Set aside", "Refused"]
        assert [(row[2], row[-2], row[-1]) for row in rows(app)] == [
            ("succeeded", "375", "0"), ("failed", "375", "0"), ("succeeded", "0", "0"),
            ("partial", "375", "30")]
        legend = text(app.screen, "#history-legend")
        assert "Set aside: rows without a usable email" in legend
        assert "do not make a run partial" in legend
        assert "Refused: rows SendGrid refused; they make a run partial." in legend

        said = text(app.screen, "#history-sentence")
        assert said.startswith(f"#{run_id} clean-up: ")
        assert "375 rows without a usable email were set aside" in said
        table.focus()
        table.move_cursor(row=3)
        await pilot.pause()
        said = text(app.screen, "#history-sentence")
        assert said.startswith(f"#{history['spring']} spring-newsletter: ")
        assert "SendGrid refused 30" in said and "were set aside" in said


async def test_history_filters_by_export_and_by_status(app, history):
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        app.screen.query_one("#history-export", Select).value = "vip"
        await pilot.pause()
        assert [row[2] for row in rows(app)] == ["failed", "succeeded"]
        app.screen.query_one("#history-status", Select).value = "failed"
        await pilot.pause()
        assert [row[0] for row in rows(app)] == [f"#{history['failed']}"]
        app.screen.query_one("#history-export", Select).value = "spring-newsletter"
        await pilot.pause()
        assert rows(app) == []
        assert "No run matches" in text(app.screen, "#history-empty")


async def test_a_run_from_history_reopens_the_panel_in_its_final_state(app, history):
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        table = app.screen.query_one("#history-table", DataTable)
        table.focus()
        table.move_cursor(row=2)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunProgressScreen))
        await pilot.pause()
        screen = app.screen
        assert screen.state.run_id == history["spring"] and screen.state.finished
        assert screen.query_one(RunProgressPanel)._final_drawn
        assert text(screen, "#run-status").startswith("PARTIAL")
        assert "took 1:15" in text(screen, "#run-status")
        assert screen.query_one("#run-batches", DataTable).row_count == 2
        assert screen.query_one("#run-rejected", DataTable).row_count == 2
        assert not screen.check_action("cancel_run", ())
        await pilot.press("escape")
        assert isinstance(app.screen, HistoryScreen)


async def test_an_empty_history_says_how_to_make_one(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await until(pilot, lambda: "Nothing has run yet" in text(app.screen, "#history-empty"))
        assert not app.workspace.state_path.exists()  # looking does not create the database


def test_history_snapshot(snap_compare, app, history) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_history_open_while_a_run_ends_shows_how_it_ended(app):
    from sgtui.tui.runs import start_run

    from ..progress.scripted import EXPORT, ScriptedRunner

    class RecordingRunner(ScriptedRunner):
        """The scripted run, recorded in the state database as the engine would."""

        async def __call__(self, workspace, export, **kwargs):  # type: ignore[no-untyped-def]
            store = StateStore(workspace.state_path)
            self.run_id = store.start_run(export, dry_run=False, full=False, pid=1,
                                          started_at=STARTED_AT)
            summary = await super().__call__(workspace, export, **kwargs)
            summary = replace(summary, run_id=self.run_id)
            store.finish_run(summary)
            return summary

    runner = RecordingRunner(batches=1)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        start_run(app, EXPORT, runner=runner, show=False)
        await runner.started.wait()
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app))
        assert rows(app)[0][2] == "running"
        runner.proceed.set()
        await until(pilot, lambda: rows(app) and rows(app)[0][2] == "succeeded")


def test_the_readme_says_set_aside_and_refused_in_historys_words() -> None:
    from pathlib import Path

    from sgtui.export.wording import REFUSED_RULE, SET_ASIDE_RULE

    readme = " ".join((Path(__file__).parents[3] / "README.md").read_text().split())
    for rule in (SET_ASIDE_RULE, REFUSED_RULE):
        said = rule.split(": ", 1)[1].removesuffix(".")
        assert said.replace("rows ", "", 1) in readme.replace("*", ""), rule
