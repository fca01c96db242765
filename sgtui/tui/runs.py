"""Starting runs from the app, and keeping track of them while screens come and go.

``start_run`` starts the engine in an async worker on the app (the engine never blocks the
loop), folds its events into a :class:`RunProgressState` and shows the progress panel.
Leaving the panel does not stop the run: the registry keeps it, the header says it is
running on every screen (see ``SgtuiApp.format_title``), and ``p`` reopens the panel.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.css.query import NoMatches

from sgtui.errors import sentence_for
from sgtui.export.progress_state import RunProgressState

if TYPE_CHECKING:
    from textual.worker import Worker

    from sgtui.export.events import RunEvent, RunSummary
    from sgtui.tui.app import SgtuiApp

Runner = Callable[..., Awaitable["RunSummary"]]
"""Something with ``run_export``'s signature (tests pass a scripted one)."""

HEADER_INTERVAL = 0.5
CANCEL_GRACE = 5.0
"""Seconds the engine gets to stop by itself after Cancel before its worker is cancelled."""


@dataclass(eq=False)
class RunHandle:
    """One run the app started: its live state and the switch that cancels it."""

    export: str
    state: RunProgressState
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    full: bool = False
    allow_removals: int | None = None
    """Mirror mode: removals this run may make past the 10%/1,000 limit (confirmed)."""
    worker: Worker[None] | None = None

    @property
    def running(self) -> bool:
        """True until the run ended (however it ended)."""
        return not self.state.finished

    def request_cancel(self, *, grace: float | None = None) -> None:
        """Ask the engine to stop; batches SendGrid already accepted still finish.

        The engine stops at its next step; if it is still busy after ``grace`` seconds
        (waiting out SendGrid's rate limit, say), its worker is cancelled, which the
        engine also records as a cancelled run.
        """
        self.state.cancel_requested = True
        self.state.version += 1
        self.cancel.set()
        delay = CANCEL_GRACE if grace is None else grace
        asyncio.get_running_loop().call_later(delay, self._insist)

    def _insist(self) -> None:
        if self.running and self.worker is not None:
            self.worker.cancel()


class RunRegistry:
    """The runs this app started in this session, newest last."""

    def __init__(self) -> None:
        self._runs: list[RunHandle] = []

    def add(self, handle: RunHandle) -> None:
        """Remember ``handle``."""
        self._runs.append(handle)

    def running(self) -> list[RunHandle]:
        """Runs that have not ended yet."""
        return [handle for handle in self._runs if handle.running]

    def running_for(self, export: str) -> RunHandle | None:
        """The run of ``export`` still going, if any."""
        return next((h for h in self.running() if h.export == export), None)

    def latest(self) -> RunHandle | None:
        """The run to reopen: the newest still running, else the newest."""
        running = self.running()
        if running:
            return running[-1]
        return self._runs[-1] if self._runs else None

    def __len__(self) -> int:
        return len(self._runs)


def registry(app: SgtuiApp) -> RunRegistry:
    """The app's run registry (created on first use)."""
    found = getattr(app, "_sgtui_runs", None)
    if found is None:
        found = RunRegistry()
        app._sgtui_runs = found  # type: ignore[attr-defined]
    return found


def start_run(
    app: SgtuiApp,
    export: str,
    *,
    full: bool = False,
    allow_removals: int | None = None,
    runner: Runner | None = None,
    show: bool = True,
) -> RunHandle:
    """Run ``export`` in an async worker and show its progress panel.

    ``full`` sends every contact, not only new and changed ones; ``allow_removals`` lets a
    mirror run remove up to that many people past its limit (after the user confirmed).
    A second start of an export that is still running reopens its panel instead.
    ``runner`` replaces the engine's ``run_export`` (tests script events with it).
    """
    runs = registry(app)
    handle = runs.running_for(export)
    if handle is None:
        handle = RunHandle(export, RunProgressState(export=export), full=full,
                           allow_removals=allow_removals)
        runs.add(handle)
        handle.worker = app.run_worker(
            _run(app, handle, runner), name=f"run {export}", group="runs",
            exit_on_error=False,
        )
        _keep_header_current(app)
        app.refresh_bindings()
    if show:
        open_progress(app, handle)
    return handle


def open_progress(app: SgtuiApp, handle: RunHandle | None = None) -> bool:
    """Show the panel of ``handle`` (default: the latest run); False when there is none."""
    from sgtui.tui.screens.progress import RunProgressScreen

    handle = handle or registry(app).latest()
    if handle is None:
        return False
    screen = app.screen
    if isinstance(screen, RunProgressScreen) and screen.handle is handle:
        return True
    app.push_screen(RunProgressScreen(handle))
    return True


def quit_or_ask(app: SgtuiApp) -> None:
    """Quit now when no run is going; else ask first, saying what happens to the run."""
    running = registry(app).running()
    if not running:
        app.exit()
        return
    from sgtui.tui.widgets.confirm import ConfirmModal

    names = ", ".join(handle.export for handle in running)
    body = (
        f"{names} is still running. Quitting stops it now: sgtui sends nothing more, the "
        "batches SendGrid already accepted still finish there, and the next run of the export "
        "picks up where this one stopped."
    )

    def answered(quit_now: bool | None) -> None:
        if quit_now:
            app.exit()

    app.push_screen(
        ConfirmModal("Quit while a run is going?", body, "Quit", cancel_label="Keep running",
                     destructive=True),
        answered,
    )


async def _run(app: SgtuiApp, handle: RunHandle, runner: Runner | None) -> None:
    state = handle.state
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()

    def on_event(event: RunEvent) -> None:
        # The engine may report from a reading thread: fold on the loop's thread only.
        if threading.get_ident() == loop_thread:
            state.apply(event)
        else:
            loop.call_soon_threadsafe(state.apply, event)

    try:
        if runner is None:
            from sgtui.export.engine import RunOptions, run_export

            summary = await run_export(
                app.workspace, handle.export, secrets=app.secrets, on_event=on_event,
                options=RunOptions(dry_run=False, full=handle.full,
                                   allow_removals=handle.allow_removals),
                transport=app.transport, cancel=handle.cancel,
            )
        else:
            summary = await runner(
                app.workspace, handle.export, secrets=app.secrets, on_event=on_event,
                transport=app.transport, cancel=handle.cancel, full=handle.full,
                allow_removals=handle.allow_removals,
            )
    except asyncio.CancelledError:
        if not state.finished:
            state.fail("The run was cancelled before it could record its outcome; the next "
                       "run of the export picks up where it stopped." if handle.cancel.is_set()
                       else "The run was stopped because sgtui closed; the next run of the "
                       "export picks up where it stopped.")
        with contextlib.suppress(Exception):  # the app may be closing
            _run_ended(app, handle)
        raise
    except ImportError:
        state.fail("This build of sgtui cannot run exports yet (the export engine is missing).")
    except Exception as error:  # the panel shows a sentence, never a traceback
        state.fail(sentence_for(
            error, "The run stopped unexpectedly ({cause}); nothing more was sent."))
    else:
        await asyncio.sleep(0)  # let events posted from threads land first
        if state.summary is None and summary is not None:
            state.finish(summary)
        send_alerts(app, state.summary)
    _run_ended(app, handle)


def send_alerts(app: SgtuiApp, summary: RunSummary | None) -> None:
    """The alerts ``[notify]`` asks for after a run, sent from a thread (a target may take
    seconds); a delivery that failed is a toast, never a change to the run."""
    if summary is None:
        return

    def send() -> None:
        from sgtui.notify.service import notice_run

        failed = [str(d) for d in notice_run(app.workspace, summary) if not d.delivered]
        if failed:
            app.call_from_thread(app.notify, "\n".join(failed), title="Alert not delivered",
                                 severity="warning", timeout=10)

    app.run_worker(send, thread=True, group="alerts", name=f"alerts {summary.export}",
                   exit_on_error=False)


def _run_ended(app: SgtuiApp, handle: RunHandle) -> None:
    from sgtui.export.events import RunStatus
    from sgtui.tui.screens.history import HistoryScreen
    from sgtui.tui.screens.progress import RunProgressScreen

    _update_header(app)
    for screen in app.screen_stack:
        if isinstance(screen, HistoryScreen) and screen.is_mounted:
            screen.load_runs()  # the run's row shows how it ended
    if any(isinstance(screen, RunProgressScreen) and screen.handle is handle
           for screen in _visible_screens(app)):
        return
    severity: Any = {
        RunStatus.SUCCEEDED: "information",
        RunStatus.PARTIAL: "warning",
        RunStatus.CANCELLED: "warning",
    }.get(handle.state.status, "error")
    app.notify(handle.state.summary_line(), title=f"{handle.export}: run ended",
               severity=severity, timeout=10)


def _visible_screens(app: SgtuiApp) -> list[object]:
    """The top screen, and those under it while dialogs are open."""
    from textual.screen import ModalScreen

    visible = []
    for screen in reversed(app.screen_stack):
        visible.append(screen)
        if not isinstance(screen, ModalScreen):
            break
    return visible


def _keep_header_current(app: SgtuiApp) -> None:
    if getattr(app, "_sgtui_runs_timer", None) is None:
        app._sgtui_runs_timer = app.set_interval(  # type: ignore[attr-defined]
            HEADER_INTERVAL, lambda: _update_header(app), name="run-header"
        )
    _update_header(app)


def _update_header(app: SgtuiApp) -> None:
    """The header names the running run(s) on every screen (``SgtuiApp.format_title``)."""
    running = registry(app).running()
    indicator = ""
    if running:
        more = f" +{len(running) - 1}" if len(running) > 1 else ""
        indicator = f"▶ {running[0].state.headline()}{more} (p)"
    if indicator == getattr(app, "run_indicator", ""):
        return
    app.run_indicator = indicator  # type: ignore[attr-defined]
    _redraw_headers(app)


def _redraw_headers(app: SgtuiApp) -> None:
    """Every screen's header, so the one under a dialog is current when it closes."""
    from textual.widgets import Header
    from textual.widgets._header import HeaderTitle

    for screen in list(app.screen_stack):
        for header in screen.query(Header):
            with contextlib.suppress(NoMatches):
                header.query_one(HeaderTitle).update(header.format_title())
