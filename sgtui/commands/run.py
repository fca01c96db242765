"""``sgtui run EXPORT`` and ``sgtui refresh``: exports run headless, for people and for cron.

Progress is a Rich display on a terminal and plain lines otherwise (both on stderr); the
summary goes to stdout, or one JSON object with ``--json``. Exit codes: 0 success; 1 a run
failed, was cancelled, or SendGrid refused some rows; 2 usage or configuration error. Rows
sgtui itself set aside (no usable email) leave a run ``succeeded`` (exit 0): its summary
sentence counts them and names the rejected-rows CSV (``sgtui run --help`` says so).

``sgtui refresh`` runs every export whose schedule is ``refresh``, one after another, under
``refresh.lock`` in the workspace folder. A second refresh that finds the lock held says so
and exits 1 (the scheduler then shows that refreshes overlap: they take longer than the
interval). It writes its outcome to ``runs/last-refresh.json`` for the Schedule screen.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from sgtui.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE
from sgtui.errors import sentence_for
from sgtui.export.wording import counted

if TYPE_CHECKING:
    from sgtui.export.engine import RunOptions
    from sgtui.export.events import RunEvent, RunSummary
    from sgtui.notify.delivery import Delivery
    from sgtui.workspace.config import Workspace


def main_run(args: argparse.Namespace) -> int:
    """Run one export; print its summary (and where its alerts went); 0, 1 or 2."""
    from sgtui.export.engine import RunOptions
    from sgtui.notify import service as notify

    workspace = _open_workspace(args, "run")
    if workspace is None:
        return EXIT_USAGE
    if args.export not in workspace.exports:
        known = ", ".join(sorted(workspace.exports)) or "none"
        _say(f"sgtui run: there is no export called {args.export!r} in {workspace.path} "
             f"(exports: {known}).")
        return EXIT_USAGE
    if args.allow_removals is not None and args.allow_removals < 0:
        _say("sgtui run: --allow-removals needs a number of contacts, 0 or more.")
        return EXIT_USAGE
    problems = _config_problems(workspace, [args.export])
    if problems is None:
        return EXIT_USAGE
    if problems.get(args.export):
        _say(f"sgtui run: the export {args.export!r} is not set up right:")
        for sentence in problems[args.export]:
            _say(f"  - {sentence}")
        return EXIT_USAGE
    options = RunOptions(dry_run=args.dry_run, full=args.full,
                         allow_removals=args.allow_removals, **_tuning())
    summary = _run_one(workspace, args.export, options, json_output=args.json)
    _said(notify.notice_run(workspace, summary))
    if args.json:
        print(json.dumps(summary_json(summary), ensure_ascii=False))
    else:
        print(describe(summary))
    return exit_code(summary)


def main_refresh(args: argparse.Namespace) -> int:
    """Run every export scheduled with the refresh; print a summary; 0, 1 or 2.

    However it ends (the workspace unusable, another refresh running, the data unreadable,
    an unexpected error), it prints its one JSON object with ``--json`` and records its
    outcome in ``runs/last-refresh.json``.
    """
    from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder

    folder: Path = getattr(args, "workspace", None) or default_workspace_folder()
    report = _RefreshReport(folder, json_output=args.json)
    _CancelOnInterrupt.received = None
    try:
        workspace = Workspace.open(folder, create=False)
    except WorkspaceError as error:
        return report.stopped(error.sentence, EXIT_USAGE)
    report.workspace = workspace
    try:
        return _refresh(workspace, args, report)
    except Exception as error:  # the refresh's last line: a sentence, details in the log
        import logging

        logging.getLogger("sgtui").exception("the refresh failed unexpectedly")
        return report.stopped(sentence_for(error, REFRESH_UNEXPECTED), EXIT_RUN_FAILED)


REFRESH_UNEXPECTED = ("The refresh stopped on an unexpected problem ({cause}); the next "
                      "refresh tries again, and runs/sgtui.log has the details.")


def _refresh(workspace: Workspace, args: argparse.Namespace, report: _RefreshReport) -> int:
    from sgtui.export.engine import RunOptions
    from sgtui.export.locks import FileLock, LockHeld
    from sgtui.notify import service as notify
    from sgtui.workspace.model import Schedule

    names = sorted(name for name, export in workspace.exports.items()
                   if export.schedule is Schedule.REFRESH)
    report.names = names
    lock = FileLock(workspace.folder / "refresh.lock")
    try:
        lock.acquire()
    except LockHeld as held:
        report.names = []  # the running refresh speaks for its exports
        return report.stopped(f"Another refresh of this workspace is still running (process "
                              f"{held.pid or 'unknown'}); this one did nothing.",
                              EXIT_RUN_FAILED)
    try:
        heard: list[str] = []
        problems = _config_problems(workspace, names, heard, quiet=True)
        if problems is None:
            return report.stopped(" ".join(heard), EXIT_USAGE)
        failures: list[str] = []
        for name in names:
            if _CancelOnInterrupt.received is not None:
                why = signal.Signals(_CancelOnInterrupt.received).name
                return report.stopped(f"The refresh was stopped ({why}) before every export "
                                      "ran; the next refresh runs the rest.", EXIT_RUN_FAILED)
            if problems.get(name):
                sentence = " ".join(problems[name])
                report.results.append({"export": name, "status": "failed",
                                       "sentence": sentence})
                failures.append(name)
                if not args.json:
                    print(f"{name}: not set up right: {sentence}")
                _said(notify.notice_unstarted(workspace, name, sentence))
                continue
            summary = _run_one(workspace, name, RunOptions(**_tuning()), json_output=args.json)
            _said(notify.notice_run(workspace, summary))
            report.results.append(summary_json(summary))
            if exit_code(summary) != EXIT_OK:
                failures.append(name)
            if not args.json:
                print(describe(summary))
        report.finished(failures)
        if not args.json and not names:
            print("No export runs with the refresh (schedule = \"refresh\"); nothing to do.")
        if failures:  # each one's summary (or its JSON) already said why
            _say(f"sgtui refresh: {len(failures):,} of {len(names):,} exports failed: "
                 f"{', '.join(failures)}.")
            return EXIT_RUN_FAILED
        return EXIT_OK
    finally:
        lock.release()


class _RefreshReport:
    """One refresh's outcome: printed once (one JSON object with ``--json``), written to
    ``runs/last-refresh.json`` and announced to the alerts, however the refresh ended."""

    def __init__(self, folder: Path, *, json_output: bool) -> None:
        self.folder = folder
        self.json_output = json_output
        self.workspace: Workspace | None = None
        self.results: list[dict[str, Any]] = []
        self.names: list[str] = []
        """The exports this refresh was to run (each one it did not reach counts failed)."""

    def finished(self, failures: list[str]) -> None:
        """Every export ran (or was found not set up): record and print the outcome."""
        from sgtui.notify import service as notify

        outcome = self._outcome(failed=len(failures), ok=not failures)
        self._record(outcome)
        if self.workspace is not None:
            _said(notify.notice_refresh(self.workspace, None))
        if self.json_output:
            print(json.dumps(outcome, ensure_ascii=False))

    def stopped(self, sentence: str, code: int) -> int:
        """The refresh could not run (every remaining export): say, record, print; ``code``."""
        from sgtui.notify import service as notify

        _say(f"sgtui refresh: {sentence}")
        ran = {result.get("export") for result in self.results}
        self.results += [{"export": name, "status": "failed", "sentence": sentence}
                         for name in self.names if name not in ran]
        outcome = self._outcome(failed=max(1, sum(
            1 for result in self.results if result.get("status") != "succeeded")), ok=False)
        outcome["sentence"] = sentence
        self._record(outcome)
        if self.workspace is not None:
            _said(notify.notice_refresh(self.workspace, sentence))
        if self.json_output:
            print(json.dumps(outcome, ensure_ascii=False))
        return code

    def _outcome(self, *, failed: int, ok: bool) -> dict[str, Any]:
        return {
            "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "exports": self.results,
            "failed": failed,
            "ok": ok,
        }

    def _record(self, outcome: dict[str, Any]) -> None:
        from sgtui.workspace.files import ensure_subdir

        if self.workspace is None and not (self.folder / "sgtui.toml").is_file():
            return  # no workspace here to record in
        try:  # a workspace whose sgtui.toml is unusable still has its runs folder
            runs = (self.workspace.runs_folder if self.workspace is not None
                    else ensure_subdir(self.folder / "runs"))
        except OSError as error:
            _say(sentence_for(error, "sgtui refresh: could not record the outcome ({cause})."))
            return
        _write_last_refresh(runs, outcome)


# ------------------------------------------------------------------------------ helpers
class _Tuning(TypedDict, total=False):
    """The :class:`RunOptions` the environment may tune."""

    max_batch_contacts: int


def _tuning() -> _Tuning:
    """``$SGTUI_BATCH_CONTACTS``: smaller upload batches (for slow links, and tests)."""
    import os

    from sgtui.export.batches import MAX_CONTACTS

    value = os.environ.get("SGTUI_BATCH_CONTACTS", "").strip()
    return {"max_batch_contacts": max(1, min(int(value), MAX_CONTACTS))} if value.isdigit() else {}


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _said(alerts: list[Delivery]) -> None:
    """Say where the alerts a run called for went (they never change its exit code)."""
    for delivery in alerts:
        _say(f"alert: {delivery}")


def _open_workspace(args: argparse.Namespace, command: str) -> Workspace | None:
    from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder

    folder: Path = getattr(args, "workspace", None) or default_workspace_folder()
    try:
        return Workspace.open(folder, create=False)
    except WorkspaceError as error:
        _say(f"sgtui {command}: {error.sentence}")
        return None


def _config_problems(workspace: Workspace, exports: list[str],
                     heard: list[str] | None = None, *,
                     quiet: bool = False) -> dict[str, list[str]] | None:
    """Problems per export (with its connection); None (after saying why, unless ``quiet``,
    and into ``heard``) when the workspace as a whole cannot be used."""
    from sgtui.source import SourceError, open_source
    from sgtui.workspace.validation import validate

    say: Callable[[str], None] = (lambda text: None) if quiet else _say
    heard = [] if heard is None else heard
    try:
        source = open_source(workspace)
    except SourceError as error:
        say(f"sgtui: {error.sentence}")
        heard.append(error.sentence)
        return None
    try:
        problems = validate(workspace, source)
    finally:
        source.close()
    general = [p for p in problems if p.key.split(".")[0] in ("version", "source")]
    if general:
        say(f"sgtui: {workspace.path} has problems:")
        for problem in general:
            say(f"  - {problem}")
        heard.append(f"{workspace.path} has problems: " + "; ".join(map(str, general)) + ".")
        return None
    found: dict[str, list[str]] = {}
    for name in exports:
        connection = workspace.exports[name].connection or ""
        mine = (f"exports.{name}", f"connections.{connection}")
        found[name] = [str(p) for p in problems
                       if any(p.key == m or p.key.startswith(m + ".") for m in mine)]
    return found


def _run_one(workspace: Workspace, name: str, options: RunOptions, *,
             json_output: bool) -> RunSummary:
    from sgtui.export.engine import run_export
    from sgtui.workspace.secrets import KeyringSecrets

    interactive = not json_output and sys.stderr.isatty()
    renderer: _Renderer = (_QuietRenderer() if json_output
                           else _RichRenderer() if interactive else _PlainRenderer())

    async def go() -> RunSummary:
        cancel = asyncio.Event()
        loop = asyncio.get_running_loop()
        with _CancelOnInterrupt(loop, cancel):
            return await run_export(workspace, name, secrets=KeyringSecrets(),
                                    on_event=renderer, options=options, cancel=cancel)

    with _log_to_workspace(workspace), renderer:
        return asyncio.run(go())


class _CancelOnInterrupt:
    """Ctrl-C, SIGTERM (systemd, ``kill``) and SIGHUP (a closed SSH session) ask the run to
    stop like Cancel: no new batches; the answers of batches already sent are awaited (at
    most :data:`~sgtui.export.control.IN_FLIGHT_GRACE` seconds) and recorded. A second
    Ctrl-C stops at once."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    received: int | None = None
    """The first stop signal this process received (a refresh then starts no more exports)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, cancel: asyncio.Event) -> None:
        self.loop, self.cancel = loop, cancel
        self.installed: list[int] = []

    def _first(self, sig: int) -> None:
        from sgtui.export.control import IN_FLIGHT_GRACE

        if self.cancel.is_set():
            if sig == signal.SIGINT:
                raise KeyboardInterrupt
            return  # already stopping: a repeated SIGTERM or SIGHUP changes nothing
        self.cancel.set()  # first: the terminal may be gone (SIGHUP)
        _CancelOnInterrupt.received = sig
        again = "; press Ctrl-C again to stop at once" if sig == signal.SIGINT else ""
        with contextlib.suppress(OSError, ValueError):
            _say(f"Stopping ({signal.Signals(sig).name}): no new batches are sent; waiting "
                 f"up to {IN_FLIGHT_GRACE:.0f} s for SendGrid's answers to batches already "
                 f"sent{again}.")

    def __enter__(self) -> _CancelOnInterrupt:
        for sig in self.SIGNALS:
            try:
                self.loop.add_signal_handler(sig, self._first, sig)
                self.installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        return self

    def __exit__(self, *exc_info: object) -> None:
        for sig in self.installed:
            self.loop.remove_signal_handler(sig)


def exit_code(summary: RunSummary) -> int:
    """0 when the run succeeded, else 1."""
    from sgtui.export.events import RunStatus

    return EXIT_OK if summary.status is RunStatus.SUCCEEDED else EXIT_RUN_FAILED


def summary_json(summary: RunSummary) -> dict[str, Any]:
    """The summary as plain JSON values."""
    data = asdict(summary)
    data["status"] = summary.status.value
    data["started_at"] = summary.started_at.isoformat()
    data["finished_at"] = summary.finished_at.isoformat()
    data["jobs"] = list(summary.jobs)
    data["seconds"] = round(summary.seconds, 3)
    return data


def run_name(run_id: int, export: str, *, dry_run: bool) -> str:
    """"Run 3 of news", "Run 4 of news (dry run)", or "news (dry run, not recorded)"."""
    dry = "dry run" if dry_run else ""
    if run_id:
        return f"Run {run_id} of {export}" + (f" ({dry})" if dry else "")
    return f"{export} ({dry + ', ' if dry else ''}not recorded)"


def describe(summary: RunSummary) -> str:
    """A few lines for people: how the run ended, its counts (unless it stopped before it
    counted anything), and its sentence."""
    from sgtui.export.events import RunStatus

    head = (f"{run_name(summary.run_id, summary.export, dry_run=summary.dry_run)}: "
            f"{summary.status.value} in {summary.seconds:.1f} s")
    if summary.status is not RunStatus.SUCCEEDED and not any(summary.as_dict().values()):
        return f"{head}\n{summary.sentence}"  # it stopped before reading: no column of zeros
    lines = [
        head,
        f"  {counted(summary.profiles, 'profile')} read, {counted(summary.valid, 'contact')} "
        f"({counted(summary.duplicates, 'duplicate')} merged, {summary.invalid_email:,} invalid "
        f"and {summary.missing_email:,} missing emails, "
        f"{counted(summary.trimmed_fields, 'field')} trimmed)",
        f"  {summary.uploaded:,} sent in {counted(summary.batches, 'batch')}, "
        f"{summary.unchanged:,} "
        f"unchanged; SendGrid created {summary.created:,}, updated {summary.updated:,}, "
        f"refused {summary.rejected_by_sendgrid:,}; {summary.removed:,} removed",
    ]
    if summary.rejected_csv:
        lines.append(f"  rejected rows: {summary.rejected_csv}")
    lines.append(summary.sentence)
    return "\n".join(lines)


@contextlib.contextmanager
def _log_to_workspace(workspace: Workspace) -> Iterator[None]:
    """Send sgtui's log (batches, jobs, errors; never the key or personal data) to
    ``runs/sgtui.log`` instead of the terminal, while a run lasts."""
    import logging

    from sgtui.workspace.files import open_append

    logger = logging.getLogger("sgtui")
    try:
        stream = open(open_append(workspace.runs_folder / "sgtui.log"), "a",  # noqa: SIM115
                      encoding="utf-8")
        handler: logging.Handler = _QuietLogHandler(stream)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        with contextlib.suppress(OSError):  # a full disk refuses the last flush
            handler.close()
            if isinstance(handler, logging.StreamHandler):
                handler.stream.close()
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


class _QuietLogHandler(logging.StreamHandler):
    """Writes runs/sgtui.log; a line that cannot be written (a full disk) is dropped, never
    printed to the terminal as a traceback: the run's summary says what happened."""

    def handleError(self, record: logging.LogRecord) -> None:
        return None


def _write_last_refresh(runs: Path, outcome: dict[str, Any]) -> None:
    from sgtui.export.schedule_units import LAST_REFRESH_FILE
    from sgtui.workspace.files import atomic_write_text

    try:
        atomic_write_text(runs / LAST_REFRESH_FILE,
                          json.dumps(outcome, ensure_ascii=False, indent=1))
    except OSError as error:
        _say(sentence_for(error, "sgtui refresh: could not write last-refresh.json ({cause})."))


# ---------------------------------------------------------------------------- renderers
class _Renderer:
    """Turns run events into output; a context manager around the run."""

    def __call__(self, event: RunEvent) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


class _QuietRenderer(_Renderer):
    """``--json``: nothing but the final object."""

    def __call__(self, event: RunEvent) -> None:
        return None


class _PlainRenderer(_Renderer):
    """One line per thing worth a line, on stderr (logs, cron mail)."""

    def __init__(self, write: Callable[[str], None] = _say) -> None:
        self.write = write

    def __call__(self, event: RunEvent) -> None:
        from sgtui.export import events as ev

        match event:
            case ev.RunStarted():
                # A dry run takes its number once its plan is done: none yet.
                which = (f"run {event.run_id} of {event.export}" if event.run_id
                         else f"{'dry run' if event.dry_run else 'run'} of {event.export}")
                dry = " (dry run)" if event.dry_run and event.run_id else ""
                counted_here = ("" if event.profiles_expected is None else
                                f": {counted(event.profiles_expected, 'profile')} in the segments")
                self.write(f"{which}{dry}{counted_here}")
            case ev.StageChanged(state=ev.StageState.RUNNING):
                self.write(f"{event.stage.label}...")
            case ev.StageChanged(state=ev.StageState.FAILED):
                self.write(f"{event.stage.label} failed.")  # why: the summary says it, once
            case ev.StageChanged():
                detail = f": {event.detail}" if event.detail else ""
                self.write(f"{event.stage.label} {event.state.value}{detail}")
            case ev.BatchUploaded():
                self.write(f"batch {event.batch}: {counted(event.contacts, 'contact')} accepted "
                           f"(job {event.job_id}, {event.uploaded_total:,} so far)")
            case ev.JobUpdated():
                self.write(f"batch {event.batch}: SendGrid {event.status} (created "
                           f"{event.created:,}, updated {event.updated:,}, errored "
                           f"{event.errored:,})")
            case ev.RowsRejected(by_sendgrid=True):
                self.write(f"SendGrid refused {counted(len(event.rows), 'row')}; see "
                           f"{event.csv_path}")
            case ev.Retrying():
                self.write(f"{event.reason}: trying again in {event.delay:.1f} s "
                           f"(try {event.attempt})")
            case ev.Warned():
                self.write(f"warning: {event.sentence}")
            case ev.ContactsRemoved() if event.removed:
                self.write(f"removed {event.removed:,} of {event.planned:,}")
            case _:
                pass


class _RichRenderer(_Renderer):
    """A live Rich progress display on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=self.console, transient=False,
        )
        # The bars show once the plan is done: a run it stops never shows empty ones.
        self.read = self.progress.add_task("Reading segments", total=None, visible=False)
        self.sent = self.progress.add_task("Uploading", total=None, visible=False)
        self.done = self.progress.add_task("SendGrid processing", total=None, visible=False)
        self.valid = 0
        self.unchanged = 0

    def __enter__(self) -> _RichRenderer:
        self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.stop()

    def __call__(self, event: RunEvent) -> None:
        from rich.markup import escape

        from sgtui.export import events as ev

        progress = self.progress
        match event:
            case ev.RunStarted():
                progress.update(self.read, total=event.profiles_expected or None)
            case ev.ProfilesRead():
                progress.update(self.read, completed=event.read, total=event.expected or None)
            case ev.ContactsPrepared():
                self.valid, self.unchanged = event.counts.valid, event.counts.unchanged
            case ev.StageChanged(stage=ev.Stage.PLAN, state=ev.StageState.DONE):
                for task in (self.read, self.sent, self.done):
                    progress.update(task, visible=True)
            case ev.StageChanged(stage=ev.Stage.PREPARE, state=ev.StageState.DONE):
                total = max(self.valid - self.unchanged, 0)
                progress.update(self.sent, total=total)
                progress.update(self.done, total=total)
            case ev.StageChanged(state=ev.StageState.FAILED):
                progress.console.print(f"{event.stage.label}: failed")  # the summary says why
            case ev.StageChanged(state=ev.StageState.SKIPPED):
                progress.console.print(f"{event.stage.label}: skipped"
                                       f"{': ' + escape(event.detail) if event.detail else ''}")
            case ev.BatchUploaded():
                progress.update(self.sent, completed=event.uploaded_total)
            case ev.JobUpdated():
                progress.update(self.done, completed=event.confirmed_total)
            case ev.Warned():
                progress.console.print(f"[yellow]warning:[/] {escape(event.sentence)}")
            case ev.Retrying():
                progress.console.print(f"[dim]{escape(event.reason)}: trying again in "
                                       f"{event.delay:.1f} s[/]")
            case _:
                pass
