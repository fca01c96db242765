"""Starting runs from the app, and keeping track of them while screens come and go.

``start_run`` starts a run in an async worker on the app, folds its events into a
:class:`RunProgressState` and shows the progress panel. The engine runs in a child process
(:mod:`sgtui.tui.run_process`), so its CPU work never makes keys wait; with an injected
httpx transport (tests) or a scripted runner it runs on the app's own loop. Leaving the
panel does not stop the run: the app's registry (``SgtuiApp.runs``) keeps it, the header
says it is running on every screen (see ``SgtuiApp.format_title``), and ``p`` reopens the
panel. When a run ends the app gets :class:`RunEnded` and hands it to every screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from sgtui.errors import sentence_for
from sgtui.export.progress_state import RunProgressState

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.worker import Worker

    from sgtui.export.events import RunEvent, RunSummary
    from sgtui.tui.app import SgtuiApp
    from sgtui.tui.run_process import RunProcess
    from sgtui.workspace.secrets import ApiKey

Runner = Callable[..., Awaitable["RunSummary"]]
"""Something with ``run_export``'s signature (tests pass a scripted one)."""

HEADER_INTERVAL = 0.5
"""Seconds between updates of the header's run indicator."""
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
    process: RunProcess | None = None
    """The child process running the engine (None while it starts, or on the app's loop)."""

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
        if self.process is not None:
            self.process.cancel()
        delay = CANCEL_GRACE if grace is None else grace
        asyncio.get_running_loop().call_later(delay, self._insist)

    def _insist(self) -> None:
        if not self.running:
            return
        if self.process is not None:
            self.process.stop()
        elif self.worker is not None:
            self.worker.cancel()


class RunEnded(Message, bubble=False):
    """A run the app started ended (however it ended); its panel state is final.

    Posted to the app, which hands a copy to every screen (so it does not bubble back).
    """

    def __init__(self, handle: RunHandle) -> None:
        super().__init__()
        self.handle = handle


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
    runs = app.runs
    handle = runs.running_for(export)
    if handle is None:
        handle = RunHandle(export, RunProgressState(export=export), full=full,
                           allow_removals=allow_removals)
        runs.add(handle)
        handle.worker = app.run_worker(
            _run(app, handle, runner), name=f"run {export}", group="runs",
            exit_on_error=False,
        )
        app.keep_run_indicator_current()
        app.refresh_bindings()
    if show:
        open_progress(app, handle)
    return handle


def open_progress(app: SgtuiApp, handle: RunHandle | None = None) -> bool:
    """Show the panel of ``handle`` (default: the latest run); False when there is none."""
    from sgtui.tui.screens.progress import RunProgressScreen

    handle = handle or app.runs.latest()
    if handle is None:
        return False
    screen = app.screen
    if isinstance(screen, RunProgressScreen) and screen.handle is handle:
        return True
    app.push_screen(RunProgressScreen(handle))
    return True


def quit_or_ask(app: SgtuiApp) -> None:
    """Quit now when no run is going; else ask first, saying what happens to the run."""
    running = app.runs.running()
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
        if runner is not None:
            summary = await runner(
                app.workspace, handle.export, secrets=app.secrets, on_event=on_event,
                transport=app.transport, cancel=handle.cancel, full=handle.full,
                allow_removals=handle.allow_removals,
            )
        else:
            summary = await _run_engine(app, handle, on_event)
    except asyncio.CancelledError:
        if not state.finished:
            state.fail("The run was cancelled before it could record its outcome; the next "
                       "run of the export picks up where it stopped." if handle.cancel.is_set()
                       else "The run was stopped because sgtui closed; the next run of the "
                       "export picks up where it stopped.")
        with contextlib.suppress(Exception):  # the app may be closing
            app.post_message(RunEnded(handle))
        raise
    except Exception as error:  # the panel shows a sentence, never a traceback
        if not state.finished:
            state.fail(sentence_for(
                error, "The run stopped unexpectedly ({cause}); nothing more was sent."))
    else:
        await asyncio.sleep(0)  # let events posted from threads land first
        if state.summary is None and summary is not None:
            state.finish(summary)
        send_alerts(app, state.summary)
    app.post_message(RunEnded(handle))


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


async def _run_engine(app: SgtuiApp, handle: RunHandle,
                      on_event: Callable[[RunEvent], None]) -> RunSummary:
    """Run the engine in a child process; on the app's loop when a transport is injected
    (tests) or there is no key (the engine then says why it cannot run)."""
    from sgtui.export.engine import RunOptions, run_export

    key = None
    if app.transport is None:
        key = await asyncio.to_thread(_key_for, app, handle.export)
    if key is None:
        return await run_export(
            app.workspace, handle.export, secrets=app.secrets, on_event=on_event,
            options=RunOptions(dry_run=False, full=handle.full,
                               allow_removals=handle.allow_removals),
            transport=app.transport, cancel=handle.cancel,
        )
    from sgtui.tui.run_process import RunProcess

    process = await RunProcess.start(app.workspace, handle.export, key, full=handle.full,
                                     allow_removals=handle.allow_removals)
    handle.process = process
    if handle.cancel.is_set():  # Cancel was pressed while the child started
        process.cancel()
    try:
        return await process.follow(on_event)
    except asyncio.CancelledError:
        process.abandon()
        raise


def _key_for(app: SgtuiApp, export: str) -> ApiKey | None:
    """The key a run of ``export`` would use (blocking: the keyring), or None."""
    from sgtui.export.plan import resolve_key
    from sgtui.workspace.secrets import SecretsError

    config = app.workspace.exports.get(export)
    if config is None or not config.connection:
        return None
    try:
        return resolve_key(app.workspace, config.connection, app.secrets)
    except SecretsError:
        return None


def notify_run_ended(app: SgtuiApp, handle: RunHandle) -> None:
    """A toast saying how ``handle``'s run ended (for when its panel is not in view)."""
    from sgtui.export.events import RunStatus

    severities: dict[RunStatus, SeverityLevel] = {
        RunStatus.SUCCEEDED: "information",
        RunStatus.PARTIAL: "warning",
        RunStatus.CANCELLED: "warning",
    }
    severity = severities.get(handle.state.status, "error")
    app.notify(handle.state.summary_line(), title=f"{handle.export}: run ended",
               severity=severity, timeout=10)


def run_indicator(runs: RunRegistry) -> str:
    """What the header says about the running run(s): empty when none runs."""
    running = runs.running()
    if not running:
        return ""
    more = f" +{len(running) - 1}" if len(running) > 1 else ""
    return f"▶ {running[0].state.headline()}{more} (p)"
