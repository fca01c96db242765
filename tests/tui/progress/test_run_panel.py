"""Running an export from the app: cancel, leave and reopen, rejected rows, failures."""

from __future__ import annotations

from pilot_helpers import text, until
from textual.widgets import DataTable
from textual.widgets._header import HeaderTitle

from sgtui.errors import SgtuiError
from sgtui.export.events import RunStatus
from sgtui.tui.runs import registry, start_run
from sgtui.tui.screens.home import HomeScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.progress import RunProgressPanel

from .scripted import EXPORT, ScriptedRunner


def header_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(HeaderTitle).render())


def panel_done(app) -> bool:  # type: ignore[no-untyped-def]
    screen = app.screen
    if not isinstance(screen, RunProgressScreen):
        return False
    panels = screen.query(RunProgressPanel)
    return bool(panels) and panels.first()._final_drawn


async def test_cancel_is_confirmed_first_and_the_summary_says_what_sendgrid_accepted(app):
    runner = ScriptedRunner(batches=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        handle = start_run(app, EXPORT, runner=runner)
        await runner.started.wait()
        await pilot.pause()
        assert isinstance(app.screen, RunProgressScreen)

        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        body = text(app.screen, "#confirm-body")
        assert "SendGrid already accepted 20,000 contacts in 2 batches" in body
        assert "still finish" in body
        await pilot.press("escape")  # keep running
        assert isinstance(app.screen, RunProgressScreen) and not handle.cancel.is_set()

        await pilot.press("x", "y")
        await runner.ended.wait()
        await until(pilot, lambda: panel_done(app))
        assert handle.state.status is RunStatus.CANCELLED
        summary = text(app.screen, "#run-summary")
        assert "already accepted 20,000 contacts in 2 batches" in summary
        assert "nothing else was sent" in summary
        assert not app.screen.check_action("cancel_run", ())


async def test_leaving_the_panel_keeps_the_run_going_and_p_reopens_it(app):
    runner = ScriptedRunner(batches=1)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        handle = start_run(app, EXPORT, runner=runner)
        await runner.started.wait()
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert f"▶ {EXPORT}" in header_text(app)
        await pilot.press("c")  # a screen with its own title: the header still says it
        assert f"▶ {EXPORT}" in header_text(app) and handle.running
        assert "Connections" in header_text(app)

        await pilot.press("p")
        assert isinstance(app.screen, RunProgressScreen) and app.screen.handle is handle
        assert start_run(app, EXPORT, runner=runner) is handle  # no second run
        assert len(runner.calls) == 1

        await pilot.press("escape")
        runner.proceed.set()
        await runner.ended.wait()
        await until(pilot, lambda: not handle.running and "▶" not in header_text(app))
        assert any(EXPORT in (n.title or "") for n in app._notifications)
        await pilot.press("p")
        await until(pilot, lambda: panel_done(app))
        assert "All done" in text(app.screen, "#run-summary")


async def test_a_run_with_rejected_rows_lists_each_reason_and_the_csv(app):
    runner = ScriptedRunner(batches=1, rejected=True, status=RunStatus.PARTIAL)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        start_run(app, EXPORT, runner=runner)
        runner.proceed.set()
        await runner.ended.wait()
        await until(pilot, lambda: panel_done(app))
        table = app.screen.query_one("#run-rejected", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            ["c-00017", "not-an-email", "invalid email"],
            ["c-00042", "(none)", "missing email"],
            ["c-00077", "[/b]weird@[red]example", "invalid email"],  # shown, not parsed
        ]
        assert "runs/3-rejected.csv" in text(app.screen, "#rejected-csv")
        assert text(app.screen, "#run-status").startswith("PARTIAL")


async def test_an_engine_failure_is_one_sentence_not_a_traceback(app):
    revoked = "SendGrid refused the API key: it was revoked. Add a new key and try again."

    async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SgtuiError(revoked)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        handle = start_run(app, EXPORT, runner=failing)
        await until(pilot, lambda: panel_done(app))
        assert handle.state.status is RunStatus.FAILED
        assert text(app.screen, "#run-summary") == f"The run failed: {revoked}"
        assert registry(app).running() == []


async def test_quitting_during_a_run_asks_first_and_says_the_next_run_picks_up(app):
    runner = ScriptedRunner(batches=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        handle = start_run(app, EXPORT, runner=runner)
        await runner.started.wait()
        await pilot.press("escape", "q")
        assert isinstance(app.screen, ConfirmModal)
        assert "picks up where this one stopped" in text(app.screen, "#confirm-body")
        await pilot.press("escape")
        assert app.return_code is None and handle.running
        await pilot.press("q", "y")
        await pilot.pause()
        assert app.return_code == 0


async def test_quitting_with_no_run_going_does_not_ask(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_a_run_that_ends_while_cancel_is_asked_closes_the_question(app):
    runner = ScriptedRunner(batches=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        handle = start_run(app, EXPORT, runner=runner)
        await runner.started.wait()
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        runner.proceed.set()
        await until(pilot, lambda: isinstance(app.screen, RunProgressScreen))
        assert handle.state.status is RunStatus.SUCCEEDED and not handle.cancel.is_set()
        await until(pilot, lambda: "▶" not in header_text(app))
