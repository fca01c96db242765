"""The run engine: plan, read, prepare, upload, confirm, remove, verify, record.

:func:`run_export` runs on the caller's event loop and never blocks it: reading the
customer data, preparing contacts, hashing, serializing and every SQLite call happen in
worker threads. The run is made of parts with one job each, put in order here:

- :mod:`~sgtui.export.plan`: whether the export can run (settings, key, data, limits);
- :mod:`~sgtui.export.transfer`: read, prepare, skip the unchanged, batch and upload;
- :mod:`~sgtui.export.jobs`: poll SendGrid's jobs, and finish what a killed run left;
- :mod:`~sgtui.export.mirror`: remove the people who left the segments (mirror mode);
- :mod:`~sgtui.export.outcome`: the status and the sentence a run ends with.

They share the run's :class:`~sgtui.export.control.RunControl` (listener, cancel, counts).
Progress goes out as the plain events of :mod:`sgtui.export.events`.

Nothing is lost: each accepted batch is written to the state database (job and contacts) in
one transaction before it counts as sent; a run that is killed leaves its jobs pending, and
the next run of the export polls them and then sends only what SendGrid has not confirmed.

Cancel takes effect at once, even while the client sleeps out SendGrid's rate limit: every
call to SendGrid races the cancel event (see :meth:`RunControl.or_cancel`). The run then
ends ``cancelled``, saying how many contacts SendGrid had accepted. Any expected problem ends
it ``failed`` with one sentence.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sgtui.errors import CAUSE, sentence_for
from sgtui.export.catch_up import check_list_count
from sgtui.export.control import (
    RATE_LIMIT_PACING,
    RATE_LIMIT_WAIT,
    RunCancelled,
    RunControl,
    RunStopped,
)
from sgtui.export.custom_fields import ResolvedFields, resolve_custom_fields
from sgtui.export.events import (
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
    RunSummary,
    Stage,
    StageState,
    Warned,
)
from sgtui.export.jobs import JobPoller
from sgtui.export.locks import FileLock, LockHeld
from sgtui.export.memory import release_big_buffers_promptly
from sgtui.export.mirror import Departed, remove_departed
from sgtui.export.options import RunOptions
from sgtui.export.outcome import (
    RunFacts,
    cancel_sentence,
    fresh_state_sentence,
    outcome,
    unexpected_sentence,
)
from sgtui.export.plan import LocalPlan, PlanProblem, plan_export, plan_locally, resolve_key
from sgtui.export.rejected import RejectedCsv, highest_run_number, rejected_csv_path
from sgtui.export.transfer import Transfer, TransferScope
from sgtui.export.wording import counted

if TYPE_CHECKING:
    import httpx

    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.secrets import ApiKey, SecretStore
    from sgtui.workspace.state import StateStore

__all__ = ["RATE_LIMIT_PACING", "RATE_LIMIT_WAIT", "PlanProblem", "RunOptions", "plan_export",
           "resolve_key", "run_export"]

logger = logging.getLogger("sgtui.export")

DEFAULT_OPTIONS = RunOptions()


def _make_client(key: ApiKey, base_url: str, transport: httpx.AsyncBaseTransport | None,
                 control: RunControl) -> SendGridClient:
    from sgtui.sendgrid.client import SendGridClient

    return SendGridClient(key, base_url=base_url, transport=transport,
                          on_event=control.forward, sleep=control.sleep)


async def run_export(
    workspace: Workspace,
    export_name: str,
    *,
    secrets: SecretStore,
    on_event: Callable[[RunEvent], None],
    options: RunOptions = DEFAULT_OPTIONS,
    transport: httpx.AsyncBaseTransport | None = None,
    cancel: asyncio.Event | None = None,
    key: ApiKey | None = None,
) -> RunSummary:
    """Run one export on the caller's event loop; its summary (also sent as RunFinished).

    Every expected failure (bad plan, wrong key, SendGrid down, ...) ends in a summary with
    status ``failed`` and one sentence; it is not raised.
    """
    release_big_buffers_promptly()
    run = _Run(workspace, export_name, secrets=secrets, options=options, transport=transport,
               control=RunControl(on_event, cancel or asyncio.Event()), key=key)
    return await run.execute()


class _Run:
    """One execution of one export: its parts in order, and its record."""

    def __init__(self, workspace: Workspace, export_name: str, *, secrets: SecretStore,
                 options: RunOptions, transport: httpx.AsyncBaseTransport | None,
                 control: RunControl, key: ApiKey | None) -> None:
        self.workspace = workspace
        self.name = export_name
        self.secrets = secrets
        self.options = options
        self.transport = transport
        self.control = control
        self.key = key
        self.started_at = datetime.now().astimezone()
        self.run_id = 0
        self.store: StateStore | None = None
        self.lock: FileLock | None = None
        self.rejected: RejectedCsv | None = None
        self.transfer: Transfer | None = None
        self.poller: JobPoller | None = None
        self.profiles_expected: int | None = None
        self.resumed_run: int | None = None
        self.would_remove = 0
        self.list_count = 0
        self.started_emitted = False
        self.custom = ResolvedFields()
        self.mirror = False

    async def execute(self) -> RunSummary:
        """Run every part in order; the summary, however the run ended."""
        from sgtui.sendgrid.errors import SendGridError
        from sgtui.source.base import SourceError
        from sgtui.workspace.state import StateError

        control = self.control
        status, sentence = RunStatus.FAILED, ""
        current = Stage.PLAN
        try:
            # A run someone asked for is recorded before it plans, so History (and the
            # exports list's last run) shows one that cannot start here and why, run after
            # run. A dry run is only a question: one that the plan answers (no key here, the
            # data unreadable, over the limit, SendGrid refusing the key or the list) takes
            # no run number; it is recorded once the plan is done.
            dry_run = self.options.dry_run
            recorded = self.name in self.workspace.exports
            if recorded and not dry_run:
                await asyncio.to_thread(self._open_state)
            plan = await self._plan_locally()
            if recorded and dry_run:
                await asyncio.to_thread(self._open_store)
            self.mirror = plan.mirror
            self._started()
            if self.store is not None and self.store.set_aside is not None:
                control.emit(Warned(fresh_state_sentence(self.store.set_aside,
                                                         mirror=self.mirror)))
            control.stage(Stage.PLAN, StageState.RUNNING)
            connection = self.workspace.connections[plan.export.connection or ""]
            # Importing httpx and loading CA certificates take a while: not on the loop.
            client = await asyncio.to_thread(_make_client, plan.key, connection.base_url,
                                             self.transport, control)
            async with client:
                scope = await self._remote_plan(client, plan)
                if recorded and dry_run:
                    await asyncio.to_thread(self._open_state)
                    scope = replace(scope, run_id=self.run_id)
                control.stage(Stage.PLAN, StageState.DONE,
                              self.custom.created_sentence(dry_run=dry_run) or "")
                current = Stage.UPLOAD
                await self._transfer(client, scope)
                current = Stage.REMOVE
                if plan.mirror and self._store().set_aside is None:
                    await self._remove(client, plan)  # a fresh state knows no leavers
                current = Stage.VERIFY
                await self._verify(client, plan)
            status, sentence = outcome(self._facts())
        except RunCancelled:
            status, sentence = RunStatus.CANCELLED, cancel_sentence(control.counts)
        except RunStopped as stop:
            status, sentence = stop.status, stop.sentence
        except (PlanProblem, SendGridError, SourceError, StateError) as error:
            status, sentence = RunStatus.FAILED, error.sentence
        except asyncio.CancelledError:
            control.stop.set()
            await asyncio.shield(self._finish(RunStatus.CANCELLED,
                                              cancel_sentence(control.counts)))
            raise
        except Exception as error:  # the engine's last line: a sentence, details in the log
            logger.exception("run of %s failed unexpectedly", self.name)
            status, sentence = RunStatus.FAILED, unexpected_sentence(error)
        if status is RunStatus.FAILED:
            self._started()
            control.stage(current, StageState.FAILED, sentence)
        return await self._finish(status, sentence)

    # -- the parts, in order -----------------------------------------------------------------
    async def _plan_locally(self) -> LocalPlan:
        """The plan without the network (a worker thread); the count of profiles it found,
        even when it then stopped (None when it stopped before counting)."""
        try:
            plan = await asyncio.to_thread(plan_locally, self.workspace, self.name,
                                           self.secrets, key=self.key,
                                           cap=self.options.hard_cap)
        except PlanProblem as problem:
            self.profiles_expected = problem.profiles
            raise
        self.profiles_expected = plan.profiles_expected
        return plan

    def _open_store(self) -> None:
        """Open the state database without recording a run (a worker thread)."""
        from sgtui.workspace.state import StateStore

        self.store = StateStore(self.workspace.state_path, set_aside_damage=True)

    def _open_state(self) -> None:
        """Record the run and take the export's lock (a worker thread)."""
        from sgtui.workspace.state import StateDamaged

        runs = self.workspace.runs_folder
        try:
            self.store, self.run_id = self._start_run(None)
        except StateDamaged as damaged:  # found past the file's first pages
            if damaged.set_aside is None:
                raise
            self.store, self.run_id = self._start_run(damaged.set_aside)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)
        self.rejected = RejectedCsv(rejected_csv_path(runs, self.run_id, self.name))
        lock = FileLock(runs / f"export-{safe}.lock")
        try:
            lock.acquire()
        except LockHeld as held:
            raise RunStopped(f"Another run of the export {self.name!r} is in progress "
                             f"(process {held.pid or 'unknown'}); wait for it to finish.") from None
        self.lock = lock

    def _start_run(self, set_aside: Path | None) -> tuple[StateStore, int]:
        """Open the state (a damaged one is set aside) and record this run in it."""
        from sgtui.workspace.state import StateStore

        store = (self.store if self.store is not None and set_aside is None
                 else StateStore(self.workspace.state_path, set_aside_damage=True))
        store.set_aside = store.set_aside or set_aside
        run_id = store.start_run(self.name, dry_run=self.options.dry_run,
                                 full=self.options.full, pid=os.getpid(),
                                 started_at=self.started_at,
                                 after=highest_run_number(self.workspace.runs_folder))
        return store, run_id

    async def _remote_plan(self, client: SendGridClient, plan: LocalPlan) -> TransferScope:
        """Check the key and the list at SendGrid, finish an interrupted run, and decide
        whether this run compares hashes (a delta run) or sends everyone."""
        from sgtui.sendgrid.errors import MissingScope
        from sgtui.sendgrid.scopes import missing_scopes

        control, store = self.control, self._store()
        missing = missing_scopes(await control.or_cancel(client.scopes()))
        if missing:
            raise MissingScope(missing)
        list_id = plan.export.list_id
        await control.or_cancel(client.get_list(list_id))
        self.custom = await resolve_custom_fields(control, client, plan.export,
                                                  dry_run=self.options.dry_run)
        self.poller = JobPoller(control, client, store, self.name, self.options.poll_timing)
        if not self.options.dry_run:
            if await asyncio.to_thread(store.reset_contacts_for_list, self.name, list_id):
                control.emit(Warned("The export now fills another list, so every contact is "
                                    "sent."))
            self.resumed_run = await self.poller.resume(self.run_id)
        self.list_count = await control.or_cancel(client.list_contact_count(list_id))
        count = await control.or_cancel(
            check_list_count(client, store, self.name, list_id, self.list_count))
        known = count.confirmed
        full = self.options.full
        if known and not full and count.catching_up:
            # A count behind sgtui's recent confirmations is SendGrid still indexing, not an
            # emptied list: compare with what sgtui knows, send only what changed.
            logger.info("list count %d behind %d confirmed: SendGrid still catching up",
                        self.list_count, known)
        elif known and not full:
            if self.list_count == 0:
                full = True
                control.emit(Warned(f"The list is empty although sgtui put "
                                    f"{counted(known, 'contact')} on it before: it was emptied "
                                    "outside sgtui, so this run sends everyone again."))
            elif self.list_count < known:
                control.emit(Warned(f"The list holds {counted(self.list_count, 'contact')} "
                                    f"but sgtui put {known:,} on it: it may have changed "
                                    "outside sgtui. A full run (--full) sends everyone again."))
        return TransferScope(self.run_id, plan, full=full, known=known,
                             custom_fields=self.custom.fields)

    async def _transfer(self, client: SendGridClient, scope: TransferScope) -> None:
        assert self.rejected is not None and self.poller is not None
        self.transfer = Transfer(self.control, self.workspace, self._store(), self.rejected,
                                 self.poller, scope, self.options)
        await self.transfer.run(client)

    async def _remove(self, client: SendGridClient, plan: LocalPlan) -> None:
        assert self.poller is not None
        departed = Departed(self.name, plan.export.list_id, self.run_id, self.list_count,
                            self.options.allow_removals)
        self.would_remove = await remove_departed(self.control, client, self._store(),
                                                  self.poller, departed,
                                                  dry_run=self.options.dry_run)

    async def _verify(self, client: SendGridClient, plan: LocalPlan) -> None:
        control = self.control
        control.stage(Stage.VERIFY, StageState.RUNNING)
        self.list_count = await control.or_cancel(
            client.list_contact_count(plan.export.list_id))
        count = await control.or_cancel(
            check_list_count(client, self._store(), self.name, plan.export.list_id,
                             self.list_count))
        control.stage(Stage.VERIFY, StageState.DONE,
                      count.catching_up_sentence() if count.catching_up
                      else f"the list holds {counted(self.list_count, 'contact')}")

    # -- the record --------------------------------------------------------------------------
    def _store(self) -> StateStore:
        assert self.store is not None
        return self.store

    def _facts(self) -> RunFacts:
        notes: list[str] = []
        created = self.custom.created_sentence(dry_run=self.options.dry_run)
        if created:
            notes.append(created)
        left_out = self.transfer.left_out_sentence() if self.transfer else None
        if left_out:
            notes.append(left_out)
        if self.resumed_run is not None:
            notes.append(f"It finished the interrupted run {self.resumed_run}.")
        if self.store is not None and self.store.set_aside is not None:
            notes.append(fresh_state_sentence(self.store.set_aside, mirror=self.mirror))
        return RunFacts(
            self.control.counts, dry_run=self.options.dry_run, would_remove=self.would_remove,
            job_problems=self.poller.problems if self.poller else 0,
            unconfirmed=self.poller.unconfirmed if self.poller else 0,
            rejected_csv=self.rejected.written if self.rejected else None, notes=tuple(notes))

    def _started(self) -> None:
        if not self.started_emitted:
            self.started_emitted = True
            self.control.emit(RunStarted(self.run_id, self.name, self.started_at,
                                         self.options.dry_run, self.profiles_expected))

    async def _finish(self, status: RunStatus, sentence: str) -> RunSummary:
        self._started()
        jobs = sorted(self.transfer.jobs) if self.transfer else []
        summary = RunSummary(
            run_id=self.run_id, export=self.name, status=status, sentence=sentence,
            started_at=self.started_at, finished_at=datetime.now().astimezone(),
            dry_run=self.options.dry_run, jobs=tuple(job for _, job in jobs),
            rejected_csv=None, **self.control.counts.as_dict(),
        )
        if self.rejected is not None:
            try:
                self.rejected.close()
            except OSError as error:  # e.g. the disk filled up: the run's end still counts
                logger.warning("rejected-rows file not completed: %s", error)
                cause = sentence_for(error, CAUSE)
                summary = replace(summary, sentence=f"{summary.sentence} The rejected-rows "
                                  f"file may be incomplete ({cause}).")
            summary = replace(summary, rejected_csv=self.rejected.written)
        if self.store is not None and self.run_id:
            try:
                if self.rejected is not None and self.rejected.kept:
                    await asyncio.to_thread(self.store.add_rejected, self.run_id,
                                            self.rejected.kept, 0)
                await asyncio.to_thread(self.store.finish_run, summary,
                                        resumed_run=self.resumed_run)
            except Exception:
                logger.exception("could not record the end of run %d", self.run_id)
        if self.lock is not None:
            self.lock.release()
        logger.info("run %d of %s: %s", self.run_id, self.name, status.value)
        self.control.emit(RunFinished(summary))
        return summary
