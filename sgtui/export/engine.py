"""The run engine: plan, read, prepare, upload, confirm, remove, verify, record.

:func:`run_export` runs on the caller's event loop and never blocks it: reading the
customer data, preparing contacts, hashing, serializing and every SQLite call happen in
worker threads. A producer thread streams the segments' members, prepares them, drops what
SendGrid already has (delta runs) and fills batches; a few upload tasks send them (two or
three requests in flight while the next batch is built); every accepted batch gets a task
that polls its job. Progress goes out as the plain events of :mod:`sgtui.export.events`.

Nothing is lost: each accepted batch is written to the state database (job and contacts) in
one transaction before it counts as sent; a run that is killed leaves its jobs pending, and
the next run of the export polls them and then sends only what SendGrid has not confirmed.

Cancel takes effect at once, even while the client sleeps out SendGrid's rate limit: every
call to SendGrid races the cancel event (see :meth:`_Run.or_cancel`). The run then ends
``cancelled``, saying how many contacts SendGrid had accepted.

How a run ends: ``succeeded`` when SendGrid took every contact it was sent. Rows sgtui itself
set aside (no email, or one that is not an email address) do not change that: they are data
to fix, not a failure of the run, and a scheduled refresh must not fail on them every time;
the summary sentence counts them and names the rejected-rows CSV that lists them.
``partial`` when SendGrid refused some contacts (or did not finish a job), ``failed`` with one
sentence on any expected problem, ``cancelled`` when asked to stop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sgtui.errors import SgtuiError, sentence_for
from sgtui.export.batches import MAX_BYTES, MAX_CONTACTS, Batch, Batcher
from sgtui.export.events import (
    BatchUploaded,
    ContactsPrepared,
    ContactsRemoved,
    JobUpdated,
    ProfilesRead,
    RateLimitSeen,
    RejectedRow,
    Retrying,
    RowsRejected,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
    RunSummary,
    Stage,
    StageChanged,
    StageState,
    Warned,
)
from sgtui.export.locks import FileLock, LockHeld
from sgtui.export.memory import release_big_buffers_promptly
from sgtui.export.plan import PlanProblem, plan_export, resolve_key
from sgtui.export.prepare import ContactPreparer
from sgtui.export.rejected import RejectedCsv
from sgtui.export.wording import counted, were
from sgtui.workspace.model import SyncMode

if TYPE_CHECKING:
    import httpx

    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.secrets import ApiKey, SecretStore
    from sgtui.workspace.state import StateStore

__all__ = ["RATE_LIMIT_PACING", "RATE_LIMIT_WAIT", "PlanProblem", "RunOptions", "plan_export",
           "resolve_key", "run_export"]

logger = logging.getLogger("sgtui.export")

LARGE_EXPORT = 100_000
REMOVAL_SHARE = 0.10
REMOVAL_FLOOR = 1_000
REMOVE_CHUNK = 100
"""Contacts per removal request (their ids go in the URL)."""
DB_REJECTED_ROWS = 10_000
"""Rejected rows kept in the state database per run (the CSV keeps them all)."""
RATE_LIMIT_WAIT = "rate limited: waiting for SendGrid's limit to reset"
RATE_LIMIT_PACING = "rate limit nearly used up: spacing requests out"
SHOWN_PACE = 1.0
"""Pacing waits at least this long (seconds) are shown; shorter ones are not worth a line."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run an export."""

    dry_run: bool = False
    full: bool = False
    """Send every contact, not only the new and changed ones."""
    allow_removals: int | None = None
    """Mirror mode: allow removing up to this many people, past the 10%/1,000 limit."""
    hard_cap: int = 1_000_000
    """Stop a run whose segments hold more contacts than this."""
    concurrency: int = 2
    """Upload requests in flight at once (and batches built ahead)."""
    max_batch_contacts: int = MAX_CONTACTS
    max_batch_bytes: int = MAX_BYTES
    chunk_size: int = 5_000
    poll_initial: float = 0.05
    poll_max: float = 10.0
    job_timeout: float = 3_600.0
    """How long to wait for SendGrid to finish one job before leaving it to the next run."""


def _make_client(key: ApiKey, base_url: str, transport: httpx.AsyncBaseTransport | None,
                 on_event: Callable[[object], None]) -> SendGridClient:
    from sgtui.sendgrid.client import SendGridClient

    return SendGridClient(key, base_url=base_url, transport=transport, on_event=on_event)


class _Stop(SgtuiError):
    """The run stops with ``sentence`` (and ``status``)."""

    def __init__(self, sentence: str, status: RunStatus = RunStatus.FAILED) -> None:
        super().__init__(sentence)
        self.status = status


class _Cancelled(_Stop):
    """The cancel event was set; the sentence is made when the run ends."""

    def __init__(self) -> None:
        super().__init__("cancelled", RunStatus.CANCELLED)


async def run_export(
    workspace: Workspace,
    export_name: str,
    *,
    secrets: SecretStore,
    on_event: Callable[[RunEvent], None],
    options: RunOptions = RunOptions(),
    transport: httpx.AsyncBaseTransport | None = None,
    cancel: asyncio.Event | None = None,
    key: ApiKey | None = None,
) -> RunSummary:
    """Run one export on the caller's event loop; its summary (also sent as RunFinished).

    Every expected failure (bad plan, wrong key, SendGrid down, ...) ends in a summary with
    status ``failed`` and one sentence; it is not raised.
    """
    release_big_buffers_promptly()
    run = _Run(workspace, export_name, secrets=secrets, on_event=on_event, options=options,
               transport=transport, cancel=cancel or asyncio.Event(), key=key)
    return await run.execute()


class _Run:
    """One execution of one export."""

    def __init__(self, workspace: Workspace, export_name: str, *, secrets: SecretStore,
                 on_event: Callable[[RunEvent], None], options: RunOptions,
                 transport: httpx.AsyncBaseTransport | None, cancel: asyncio.Event,
                 key: ApiKey | None) -> None:
        self.workspace = workspace
        self.name = export_name
        self.secrets = secrets
        self.on_event = on_event
        self.options = options
        self.transport = transport
        self.cancel = cancel
        self.key = key
        self.loop = asyncio.get_running_loop()
        self.started_at = datetime.now().astimezone()
        self.run_id = 0
        self.store: StateStore | None = None
        self.lock: FileLock | None = None
        self.csv: RejectedCsv | None = None
        self.preparer: ContactPreparer | None = None
        self.stop = threading.Event()  # tells the producer thread to stop early
        self.full = options.full
        self.mirror = False
        self.profiles_expected = 0
        self.unchanged = 0
        self.uploaded = 0
        self.created = 0
        self.updated = 0
        self.rejected_by_sendgrid = 0
        self.job_problems = 0
        self.confirmed = 0
        self.removed = 0
        self.would_remove = 0
        self.batches_sent = 0
        self.batches_built = 0
        self.jobs: list[tuple[int, str]] = []
        self.db_rejected: list[RejectedRow] = []
        self.resumed_run: int | None = None
        self.list_count = 0
        self.notes: list[str] = []
        self.large_warned = False
        self.started_emitted = False
        self.known = 0

    # ------------------------------------------------------------------------- events
    def emit(self, event: RunEvent) -> None:
        """Send ``event`` to the listener (on the loop's thread); a listener bug is logged."""
        try:
            self.on_event(event)
        except Exception:
            logger.exception("run listener failed on %s", type(event).__name__)

    def emit_threadsafe(self, event: RunEvent) -> None:
        """Emit from a worker thread."""
        self.loop.call_soon_threadsafe(self.emit, event)

    def stage(self, stage: Stage, state: StageState, detail: str = "") -> None:
        self.emit(StageChanged(stage, state, detail))

    def forward(self, event: object) -> None:
        """Client events become run events; a wait on the rate limit is shown as Retrying."""
        from sgtui.sendgrid.events import RateLimitObserved, RequestPaced, RequestRetried

        if isinstance(event, RateLimitObserved):
            self.emit(RateLimitSeen(event.limit, event.remaining, event.reset_in))
        elif isinstance(event, RequestRetried):
            reason = RATE_LIMIT_WAIT if event.reason == "rate limited" else event.reason
            self.emit(Retrying(reason, event.attempt, event.delay))
        elif isinstance(event, RequestPaced) and event.delay >= SHOWN_PACE:
            reason = RATE_LIMIT_WAIT if event.remaining == 0 else RATE_LIMIT_PACING
            self.emit(Retrying(reason, 1, event.delay))

    async def or_cancel(self, awaitable: Awaitable[T]) -> T:
        """The result of ``awaitable`` (a call to SendGrid, a wait), unless cancel comes first.

        The client may be sleeping out SendGrid's rate limit (pacing, or the reset after a
        429) for a minute or more; cancel must not wait for that, so the call is abandoned
        and :class:`_Cancelled` raised. A request that already reached SendGrid may still be
        carried out: its answer (the job id) is lost, so its batch is not recorded as sent
        and its contacts keep their old hashes (or none) in the state database; the next run
        sends them again, which is harmless because upserts are idempotent (a removal left
        unrecorded is likewise tried again). Nothing is recorded half-way: the state is
        written only after an answer arrived, and that write is never abandoned.
        """
        if self.cancel.is_set():
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # a coroutine that never ran
            raise _Cancelled
        call = asyncio.ensure_future(awaitable)
        waiter = asyncio.ensure_future(self.cancel.wait())
        try:
            await asyncio.wait((call, waiter), return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not call.done():
                call.cancel()
                await asyncio.gather(call, return_exceptions=True)
        if call.cancelled():
            raise _Cancelled
        return call.result()

    async def settle(self, awaitables: list[Awaitable[None]]) -> None:
        """Await ``awaitables``; on the first failure stop the others and raise it (a real
        problem rather than a cancel, when both happened)."""
        tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
        if not tasks:
            return
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        failures = [task.exception() for task in tasks
                    if not task.cancelled() and task.exception() is not None]
        failures.sort(key=lambda failure: isinstance(failure, _Cancelled))
        if failures:
            raise failures[0]

    # ------------------------------------------------------------------------ the run
    async def execute(self) -> RunSummary:
        from sgtui.sendgrid.errors import SendGridError
        from sgtui.source.base import SourceError
        from sgtui.workspace.state import StateError

        status, sentence = RunStatus.FAILED, ""
        current = Stage.PLAN
        try:
            if self.name in self.workspace.exports:
                await asyncio.to_thread(self._open_state)
            export, key = await asyncio.to_thread(self._local_plan)
            self.export = export
            self.mirror = export.mode is SyncMode.MIRROR
            self._started()
            self.stage(Stage.PLAN, StageState.RUNNING)
            connection = self.workspace.connections[export.connection or ""]
            # Importing httpx and loading CA certificates take a while: not on the loop.
            client = await asyncio.to_thread(_make_client, key, connection.base_url,
                                             self.transport, self.forward)
            async with client:
                self.client = client
                await self._remote_plan(client)
                self.stage(Stage.PLAN, StageState.DONE)
                current = Stage.UPLOAD
                await self._transfer(client)
                current = Stage.REMOVE
                await self._remove(client)
                current = Stage.VERIFY
                await self._verify(client)
            status, sentence = self._outcome()
        except _Cancelled:
            status, sentence = RunStatus.CANCELLED, self._cancel_sentence()
        except _Stop as stop:
            status, sentence = stop.status, stop.sentence
        except PlanProblem as problem:
            status, sentence = RunStatus.FAILED, problem.sentence
        except (SendGridError, SourceError, StateError) as error:
            status, sentence = RunStatus.FAILED, error.sentence
        except asyncio.CancelledError:
            self.stop.set()
            await asyncio.shield(self._finish(RunStatus.CANCELLED, self._cancel_sentence()))
            raise
        except Exception as error:  # the engine's last line: a sentence, details in the log
            logger.exception("run of %s failed unexpectedly", self.name)
            status = RunStatus.FAILED
            sentence = sentence_for(error, "The run stopped on an unexpected problem ({cause}); "
                                    "the next run picks up where it stopped.")
        if status is RunStatus.FAILED:
            self._started()
            self.stage(current, StageState.FAILED, sentence)
        return await self._finish(status, sentence)

    # ---------------------------------------------------------------------- planning
    def _local_plan(self) -> tuple[object, ApiKey]:
        problems = plan_export(self.workspace, self.name, self.secrets,
                               key_given=self.key is not None)
        if problems:
            raise PlanProblem(problems)
        export = self.workspace.exports[self.name]
        key = self.key or resolve_key(self.workspace, export.connection or "", self.secrets)
        if key is None:  # plan_export said there would be one; the keyring changed since
            raise PlanProblem(["The API key is no longer available; enter it again."])
        from sgtui.source import open_source

        source = open_source(self.workspace)
        try:
            columns = {column.name for column in source.columns()}
            missing = [f"{column!r} (mapped to {field})"
                       for field, column in export.mapping.items() if column not in columns]
            if missing:
                raise PlanProblem([f"The profiles table has no column {', '.join(missing)}; "
                                   "fix the export's data matching."])
            self.key_column = source.key_column
            self.profiles_expected = source.totals(list(export.segments), None).profiles
        finally:
            source.close()
        if self.profiles_expected > self.options.hard_cap:
            raise PlanProblem([
                f"The segments hold {self.profiles_expected:,} profiles, more than this run's "
                f"limit of {self.options.hard_cap:,} contacts; choose fewer segments."])
        return export, key

    def _open_state(self) -> None:
        from sgtui.workspace.state import StateStore

        self.store = StateStore(self.workspace.state_path)
        self.run_id = self.store.start_run(self.name, dry_run=self.options.dry_run,
                                           full=self.options.full, pid=os.getpid(),
                                           started_at=self.started_at)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)
        runs = self.workspace.runs_folder
        self.csv = RejectedCsv(runs / f"run-{self.run_id}-{safe}-rejected.csv")
        lock = FileLock(runs / f"export-{safe}.lock")
        try:
            lock.acquire()
        except LockHeld as held:
            raise _Stop(f"Another run of the export {self.name!r} is in progress (process "
                        f"{held.pid or 'unknown'}); wait for it to finish.") from None
        self.lock = lock

    async def _remote_plan(self, client: SendGridClient) -> None:
        from sgtui.sendgrid.errors import MissingScope
        from sgtui.sendgrid.scopes import missing_scopes

        missing = missing_scopes(await self.or_cancel(client.scopes()))
        if missing:
            raise MissingScope(missing)
        export = self.export
        await self.or_cancel(client.get_list(export.list_id))
        store = self.store
        assert store is not None
        if not self.options.dry_run:
            if await asyncio.to_thread(store.reset_contacts_for_list, self.name, export.list_id):
                self.emit(Warned("The export now fills another list, so every contact is sent."))
            await self._resume(client)
        self.list_count = await self.or_cancel(client.list_contact_count(export.list_id))
        known = self.known = await asyncio.to_thread(store.confirmed_count, self.name)
        if known and not self.full:
            if self.list_count == 0:
                self.full = True
                self.emit(Warned(f"The list is empty although sgtui put "
                                 f"{counted(known, 'contact')} on it before: it was emptied "
                                 "outside sgtui, so this run sends everyone again."))
            elif self.list_count < known:
                self.emit(Warned(f"The list holds {counted(self.list_count, 'contact')} but "
                                 "sgtui put "
                                 f"{known:,} on it: it may have changed outside sgtui. A full "
                                 "run (--full) sends everyone again."))

    async def _resume(self, client: SendGridClient) -> None:
        store = self.store
        assert store is not None
        interrupted = await asyncio.to_thread(store.interrupted_runs, self.name, self.run_id)
        pending = await asyncio.to_thread(store.pending_jobs, self.name, self.run_id)
        if interrupted:
            self.resumed_run = interrupted[-1]
            self.notes.append(f"It finished the interrupted run {self.resumed_run}.")
        if not pending:
            return
        self.emit(Warned(f"SendGrid had accepted {counted(len(pending), 'batch')} of an "
                         "earlier run that did not finish; sgtui checks "
                         f"{'it' if len(pending) == 1 else 'them'} rather than sending "
                         f"{'it' if len(pending) == 1 else 'them'} again."))
        await self.settle([
            self._poll(client, job.job_id, job.batch, job.contacts, owner_run=job.run_id,
                       kind=job.kind, report=False)
            for job in pending
        ])

    # -------------------------------------------------------- read, prepare, upload
    async def _transfer(self, client: SendGridClient) -> None:
        options = self.options
        queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        slots = threading.Semaphore(max(1, options.concurrency))  # batches built, not yet sent
        self.polls: list[asyncio.Task[None]] = []
        self.failure: BaseException | None = None
        self.prefix = b""
        self.stage(Stage.READ, StageState.RUNNING)
        self.stage(Stage.PREPARE, StageState.RUNNING)
        if options.dry_run:
            self.stage(Stage.UPLOAD, StageState.SKIPPED, "dry run: nothing is sent")
        else:
            self.stage(Stage.UPLOAD, StageState.RUNNING)
        producer = asyncio.ensure_future(
            asyncio.to_thread(self._produce, queue, slots, options.concurrency))
        watcher = asyncio.ensure_future(self._watch_cancel())
        uploaders = [asyncio.ensure_future(self._upload(client, queue, slots))
                     for _ in range(max(1, options.concurrency))]
        try:
            await asyncio.gather(*uploaders)
            try:
                await producer
            except BaseException as error:
                self.failure = self.failure or error
        finally:
            watcher.cancel()
            self.stop.set()
        if self.failure is not None or self.cancel.is_set():
            for task in self.polls:
                task.cancel()
            await asyncio.gather(*self.polls, return_exceptions=True)
            if self.cancel.is_set() and self.failure is None:
                raise _Cancelled
            raise self.failure  # type: ignore[misc]
        if not options.dry_run:
            self.stage(Stage.UPLOAD, StageState.DONE,
                       f"{counted(self.uploaded, 'contact')} in "
                       f"{counted(self.batches_sent, 'batch')}")
            self.stage(Stage.PROCESS, StageState.RUNNING)
            await self.settle(self.polls)
            self.stage(Stage.PROCESS, StageState.DONE)
        else:
            self.stage(Stage.PROCESS, StageState.SKIPPED, "dry run")

    async def _watch_cancel(self) -> None:
        await self.cancel.wait()
        self.stop.set()

    def _produce(self, queue: asyncio.Queue[Batch | None], slots: threading.Semaphore,
                 consumers: int) -> None:
        """Worker thread: stream, prepare, skip unchanged, batch; hands batches to the loop."""
        from sgtui.source import open_source

        export = self.export
        options = self.options
        store = self.store
        assert store is not None and self.csv is not None
        mapping = dict(export.mapping)
        columns = list(dict.fromkeys([self.key_column, *mapping.values()]))
        preparer = self.preparer = ContactPreparer(export.list_id, mapping, columns,
                                                   expected=self.profiles_expected)
        batcher = Batcher(export.list_id, max_contacts=options.max_batch_contacts,
                          max_bytes=options.max_batch_bytes)
        self.prefix = batcher.prefix
        counts = preparer.counts
        look_up = (not self.full and self.known > 0) or self.mirror
        seen_run = self.run_id if self.mirror else None

        def hand_over(batch: Batch) -> None:
            while not slots.acquire(timeout=0.2):
                if self.stop.is_set():
                    raise _Stop("stopped")
            self.batches_built += 1
            self.loop.call_soon_threadsafe(queue.put_nowait, batch)

        source = open_source(self.workspace)
        try:
            for rows in source.stream_members(list(export.segments), columns,
                                              chunk_size=options.chunk_size):
                if self.stop.is_set():
                    return
                chunk = preparer.prepare(rows)
                known = (store.known_hashes(self.name, chunk.emails, mark_seen=seen_run)
                         if look_up and chunk.emails else {})
                full = self.full
                for key, email, blob, digest in zip(chunk.keys, chunk.emails, chunk.blobs,
                                                    chunk.digests, strict=True):
                    if not full and known.get(email) == digest:
                        self.unchanged += 1
                        continue
                    ready = batcher.add(key, blob, digest)
                    if ready is not None:
                        hand_over(ready)
                if chunk.rejected:
                    self._reject(chunk.rejected, by_sendgrid=False)
                self.emit_threadsafe(ProfilesRead(counts.read, self.profiles_expected))
                self.emit_threadsafe(self._prepared_event())
                if counts.valid > LARGE_EXPORT and not self.large_warned:
                    self.large_warned = True
                    self.emit_threadsafe(Warned(
                        f"This export holds more than {LARGE_EXPORT:,} contacts; SendGrid may "
                        "take a while to process them."))
                if counts.valid > options.hard_cap:
                    raise _Stop(f"The segments hold more than {options.hard_cap:,} contacts, "
                                "this run's limit; it stopped. Choose fewer segments.")
            self.emit_threadsafe(StageChanged(Stage.READ, StageState.DONE,
                                              counted(counts.read, "profile")))
            last = batcher.flush()
            if last is not None:
                hand_over(last)
            self.emit_threadsafe(StageChanged(
                Stage.PREPARE, StageState.DONE,
                f"{counted(counts.valid, 'contact')}, {self.unchanged:,} unchanged"))
        except _Stop as stop:
            if stop.sentence != "stopped":
                raise
        finally:
            source.close()
            for _ in range(consumers):
                self.loop.call_soon_threadsafe(queue.put_nowait, None)

    def _prepared_event(self) -> ContactsPrepared:
        counts = self.preparer.counts if self.preparer else None
        if counts is None:
            return ContactsPrepared(0, 0, 0, 0, 0, self.unchanged)
        return ContactsPrepared(counts.valid, counts.duplicates, counts.invalid_email,
                                counts.missing_email, counts.trimmed_fields, self.unchanged)

    def _reject(self, rows: list[RejectedRow], *, by_sendgrid: bool) -> None:
        """Worker thread: write rejected rows to the CSV and the state database."""
        assert self.csv is not None and self.store is not None
        self.csv.write(rows, by_sendgrid=by_sendgrid)
        room = DB_REJECTED_ROWS - len(self.db_rejected)
        if room > 0:  # written at the end: a write per chunk would wait on the batches' writes
            self.db_rejected.extend(rows[:room])
        self.emit_threadsafe(RowsRejected(tuple(rows), by_sendgrid, str(self.csv.path)))

    async def _upload(self, client: SendGridClient, queue: asyncio.Queue[Batch | None],
                      slots: threading.Semaphore) -> None:
        while True:
            batch = await queue.get()
            if batch is None:
                return
            try:
                if self.failure is not None or self.cancel.is_set():
                    continue
                if self.options.dry_run:
                    self.batches_sent += 1
                    continue
                await self._send(client, batch)
            except _Cancelled:
                pass  # its contacts stay unsent in the state: the next run sends them
            except Exception as error:
                self.failure = self.failure or error
                self.stop.set()
            finally:
                slots.release()

    async def _send(self, client: SendGridClient, batch: Batch) -> None:
        from sgtui.sendgrid.errors import InvalidContacts

        while len(batch):
            body = await asyncio.to_thread(batch.body, self.prefix)
            try:
                job_id = await self.or_cancel(client.upsert_body(body, len(batch)))
            except InvalidContacts as error:
                positions = {p.index for p in error.problems if 0 <= p.index < len(batch)}
                if not positions:
                    raise
                reasons: dict[int, str] = {}
                for problem in error.problems:
                    where = f"{problem.field}: " if problem.field else ""
                    reasons.setdefault(problem.index, f"{where}{problem.message}")
                rows = [RejectedRow(batch.keys[i], batch.email(i), reasons.get(i, "refused"))
                        for i in sorted(positions)]
                self.rejected_by_sendgrid += len(rows)
                logger.warning("batch %d: SendGrid refused %d contacts; sending the rest",
                               batch.number, len(rows))
                await asyncio.to_thread(self._reject, rows, by_sendgrid=True)
                batch = batch.without(positions)
                continue
            store = self.store
            assert store is not None
            seen_run = self.run_id if self.mirror else None
            await asyncio.to_thread(
                store.record_batch, self.run_id, self.name, batch.number, job_id,
                batch.emails_and_digests(), len(body), len(batch), seen_run)
            self.uploaded += len(batch)
            self.batches_sent += 1
            self.jobs.append((batch.number, job_id))
            logger.info("batch %d: %d contacts, %d bytes, job %s", batch.number, len(batch),
                        len(body), job_id)
            self.emit(BatchUploaded(batch.number, len(batch), len(body), job_id, self.uploaded))
            self.polls.append(asyncio.ensure_future(
                self._poll(client, job_id, batch.number, len(batch), owner_run=self.run_id)))
            return

    # ------------------------------------------------------------------------ confirm
    async def _poll(self, client: SendGridClient, job_id: str, batch: int, contacts: int, *,
                    owner_run: int, kind: str = "upsert", report: bool = True,
                    removed_emails: list[str] | None = None) -> None:
        """Poll one job until SendGrid finishes it; settle its contacts in the state."""
        from sgtui.sendgrid.errors import NotFound, SendGridError

        store = self.store
        assert store is not None
        delay = self.options.poll_initial
        waited = 0.0
        while True:
            try:
                job = await self.or_cancel(client.import_status(job_id))
            except NotFound:
                status, created, updated, errored = "failed", 0, 0, contacts
                self.emit(Warned(f"SendGrid no longer knows job {job_id}; its "
                                 f"{counted(contacts, 'contact')} "
                                 f"{'is' if contacts == 1 else 'are'} sent again by the next "
                                 "run."))
                break
            except SendGridError as error:  # the client already retried; keep polling
                logger.warning("job %s: %s", job_id, error.sentence)
            else:
                if job.finished:
                    status, created, updated = job.status, job.created, job.updated
                    errored = job.errored or (contacts if status == "failed" else 0)
                    break
            if waited >= self.options.job_timeout:
                self.job_problems += 1
                self.emit(Warned(f"SendGrid has not finished job {job_id} yet; the next run "
                                 "checks it again."))
                return
            await self.or_cancel(asyncio.sleep(delay))
            waited += delay
            delay = min(delay * 1.6, self.options.poll_max)
        await asyncio.to_thread(
            store.finish_job, owner_run, job_id, status, created=created, updated=updated,
            errored=errored, export=self.name, removed_emails=removed_emails or ())
        logger.info("job %s (%s batch %d): %s", job_id, kind, batch, status)
        if kind != "upsert" or not report:
            return
        if errored:
            self.job_problems += 1
            self.rejected_by_sendgrid += errored
        self.created += created
        self.updated += updated
        self.confirmed += contacts
        self.emit(JobUpdated(batch, job_id, status, created, updated, errored, self.confirmed))

    # ------------------------------------------------------------------------- mirror
    async def _remove(self, client: SendGridClient) -> None:
        if not self.mirror:
            return
        store = self.store
        assert store is not None
        planned = await asyncio.to_thread(store.departed_count, self.name, self.run_id)
        if planned == 0:
            self.stage(Stage.REMOVE, StageState.DONE, "nobody left the segments")
            return
        limit = max(math.ceil(self.list_count * REMOVAL_SHARE), REMOVAL_FLOOR)
        allowed = max(limit, self.options.allow_removals or 0)
        self.emit(ContactsRemoved(0, planned))
        if self.options.dry_run:
            shown = await asyncio.to_thread(store.departed, self.name, self.run_id, 20)
            more = f" and {planned - len(shown):,} more" if planned > len(shown) else ""
            self.would_remove = planned
            self.emit(Warned(f"Would remove {counted(planned, 'person', 'people')} who left "
                             f"the segments from the list: {', '.join(shown)}{more}."))
            if planned > allowed:
                self.emit(Warned(self._too_many(planned, limit, dry=True)))
            self.stage(Stage.REMOVE, StageState.SKIPPED, "dry run")
            return
        if planned > allowed:
            raise _Stop(self._too_many(planned, limit, dry=False))
        self.stage(Stage.REMOVE, StageState.RUNNING)
        emails = await asyncio.to_thread(store.departed, self.name, self.run_id)
        found = await self.or_cancel(client.search_emails(emails))
        gone = [email for email in emails if email not in found]
        if gone:  # not in SendGrid at all any more: nothing to remove
            await asyncio.to_thread(store.forget_contacts, self.name, gone)
        present = [email for email in emails if email in found]
        polls = []
        for start in range(0, len(present), REMOVE_CHUNK):
            if self.cancel.is_set():
                break
            part = present[start:start + REMOVE_CHUNK]
            job_ids = await self.or_cancel(client.remove_from_list(
                self.export.list_id, [found[email] for email in part]))
            batch = start // REMOVE_CHUNK + 1
            for job_id in job_ids:
                await asyncio.to_thread(store.record_removal_job, self.run_id, batch, job_id,
                                        len(part))
                polls.append(self._poll(client, job_id, batch, len(part), owner_run=self.run_id,
                                        kind="remove", removed_emails=part))
            self.removed += len(part)
            self.emit(ContactsRemoved(self.removed, planned))
        await self.settle(polls)
        if self.cancel.is_set():
            raise _Cancelled
        self.stage(Stage.REMOVE, StageState.DONE, f"{self.removed:,} removed")

    def _too_many(self, planned: int, limit: int, *, dry: bool) -> str:
        start = "This run would remove" if dry else "This run stopped before removing"
        return (f"{start} {counted(planned, 'person', 'people')} who left the segments, "
                f"more than the limit of "
                f"{limit:,} (10% of the list or 1,000). Nobody was removed. If that is right, "
                f"run it again with --allow-removals {planned} (or confirm in the app).")

    # ------------------------------------------------------------------- verify, end
    async def _verify(self, client: SendGridClient) -> None:
        self.stage(Stage.VERIFY, StageState.RUNNING)
        self.list_count = await self.or_cancel(client.list_contact_count(self.export.list_id))
        self.stage(Stage.VERIFY, StageState.DONE,
                   f"the list holds {counted(self.list_count, 'contact')}")

    def _outcome(self) -> tuple[RunStatus, str]:
        counts = self.preparer.counts if self.preparer else None
        valid = counts.valid if counts else 0
        set_aside = (counts.invalid_email + counts.missing_email) if counts else 0
        csv_path = self.csv.written if self.csv is not None else None
        listed = f"; {csv_path} lists {'it' if set_aside == 1 else 'them'}" if csv_path else ""
        tail = (f" {counted(set_aside, 'row')} without a usable email {were(set_aside)} set "
                f"aside{listed}." if set_aside else "")
        notes = (" " + " ".join(self.notes)) if self.notes else ""
        if self.options.dry_run:
            sending = valid - self.unchanged
            removal = (f" and remove {self.would_remove:,} who left the segments"
                       if self.would_remove else "")
            return RunStatus.SUCCEEDED, (
                f"Dry run: would send {sending:,} of {counted(valid, 'contact')} "
                f"({self.unchanged:,} unchanged){removal}; nothing was sent.{tail}")
        removed = (f" Removed {counted(self.removed, 'person', 'people')} who left the "
                   "segments." if self.removed else "")
        if self.rejected_by_sendgrid or self.job_problems:
            refused = self.rejected_by_sendgrid
            named = f" ({csv_path})" if csv_path else ""
            return RunStatus.PARTIAL, (
                f"Sent {counted(self.uploaded, 'contact')}, but SendGrid refused "
                f"{refused:,}; the rejected-rows file{named} names "
                f"{'it' if refused == 1 else 'them'}.{removed}{tail}{notes}")
        if self.uploaded == 0:
            if valid == 0:
                return RunStatus.SUCCEEDED, (
                    f"Nothing to send: the segments hold no contact with a usable email."
                    f"{removed}{tail}{notes}")
            return RunStatus.SUCCEEDED, (
                f"Nothing changed: SendGrid already has {'the' if valid == 1 else 'all'} "
                f"{counted(valid, 'contact')}, so nothing was sent.{removed}{tail}{notes}")
        skipped = (f" ({self.unchanged:,} unchanged {were(self.unchanged)} skipped)"
                   if self.unchanged else "")
        return RunStatus.SUCCEEDED, (
            f"Sent {counted(self.uploaded, 'contact')}{skipped}; SendGrid confirmed "
            f"{'it' if self.uploaded == 1 else 'them all'}.{removed}{tail}{notes}")

    def _cancel_sentence(self) -> str:
        if not (self.uploaded or self.removed):
            return ("Cancelled before SendGrid accepted any contact of this run; the next run "
                    "sends them.")
        removed = (f" and had removed {counted(self.removed, 'person', 'people')}"
                   if self.removed else "")
        return (f"Cancelled: SendGrid had accepted {counted(self.uploaded, 'contact')} in "
                f"{counted(self.batches_sent, 'batch')}{removed}; the next run confirms "
                f"{'it' if self.uploaded + self.removed == 1 else 'them'} and sends the rest.")

    def _started(self) -> None:
        if not self.started_emitted:
            self.started_emitted = True
            self.emit(RunStarted(self.run_id, self.name, self.started_at,
                                 self.options.dry_run, self.profiles_expected))

    async def _finish(self, status: RunStatus, sentence: str) -> RunSummary:
        self._started()
        counts = self.preparer.counts if self.preparer else None
        summary = RunSummary(
            run_id=self.run_id, export=self.name, status=status, sentence=sentence,
            started_at=self.started_at, finished_at=datetime.now().astimezone(),
            dry_run=self.options.dry_run,
            profiles=counts.read if counts else 0,
            valid=counts.valid if counts else 0,
            duplicates=counts.duplicates if counts else 0,
            invalid_email=counts.invalid_email if counts else 0,
            missing_email=counts.missing_email if counts else 0,
            trimmed_fields=counts.trimmed_fields if counts else 0,
            unchanged=self.unchanged, uploaded=self.uploaded, created=self.created,
            updated=self.updated, rejected_by_sendgrid=self.rejected_by_sendgrid,
            removed=self.removed, batches=self.batches_sent,
            jobs=tuple(job for _, job in sorted(self.jobs)),
            rejected_csv=None,
        )
        if self.csv is not None:
            self.csv.close()
            summary = replace(summary, rejected_csv=self.csv.written)
        if self.store is not None and self.run_id:
            try:
                if self.db_rejected:
                    await asyncio.to_thread(self.store.add_rejected, self.run_id,
                                            self.db_rejected, 0)
                await asyncio.to_thread(self.store.finish_run, summary,
                                        resumed_run=self.resumed_run)
            except Exception:
                logger.exception("could not record the end of run %d", self.run_id)
        if self.lock is not None:
            self.lock.release()
        logger.info("run %d of %s: %s", self.run_id, self.name, status.value)
        self.emit(RunFinished(summary))
        return summary
