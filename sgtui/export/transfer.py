"""The transfer: read the segments, prepare the contacts, skip the unchanged, batch, upload.

A producer thread streams the segments' members (a reader thread a few chunks ahead),
prepares them, drops what SendGrid already has (delta runs) and fills batches; a few upload
tasks on the loop send them (two or three requests in flight while the next batch is built);
every accepted batch is written to the state database (job and contacts) in one transaction
before it counts as sent, and gets a task that polls its job (:mod:`sgtui.export.jobs`).

A delta run reads the digests of everything SendGrid confirmed once, into memory (a million
contacts: about 60 MB for the run), and compares each contact's digest with them: no
database lookup per contact. A mirror run asks the state database by email instead, chunk by
chunk, because it also marks every contact the segments still hold.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.export.batches import Batch, Batcher
from sgtui.export.control import RunCancelled, RunControl, RunStopped
from sgtui.export.events import (
    BatchUploaded,
    ContactsPrepared,
    ProfilesRead,
    RejectedRow,
    RowsRejected,
    Stage,
    StageChanged,
    StageState,
    Warned,
)
from sgtui.export.prepare import ContactPreparer, columns_to_read
from sgtui.export.read_ahead import ReadAhead
from sgtui.export.wording import counted
from sgtui.workspace.limits import RECOMMENDED_MAX_PROFILES

if TYPE_CHECKING:
    from sgtui.export.custom_fields import ResolvedField
    from sgtui.export.jobs import JobPoller
    from sgtui.export.options import RunOptions
    from sgtui.export.plan import LocalPlan
    from sgtui.export.rejected import RejectedCsv
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.state import StateStore

logger = logging.getLogger("sgtui.export")



class _HandedOver(Exception):
    """The producer stopped because the run is stopping (not a problem of its own)."""


@dataclass(frozen=True, slots=True)
class TransferScope:
    """What one transfer moves: the run, the export's plan and whether to compare hashes."""

    run_id: int
    plan: LocalPlan
    full: bool
    """Send every contact, even those SendGrid already has as they are."""
    known: int
    """Contacts SendGrid confirmed on the list before this run."""
    custom_fields: tuple[ResolvedField, ...] = ()
    """The export's custom fields with their ids in this account."""

    @property
    def mirror(self) -> bool:
        """Mirror mode: every contact the segments hold is marked seen by this run."""
        return self.plan.mirror


class Transfer:
    """Reads, prepares and uploads one run's contacts; polls the jobs of what it sent."""

    def __init__(self, control: RunControl, workspace: Workspace, store: StateStore,
                 rejected: RejectedCsv, poller: JobPoller, scope: TransferScope,
                 options: RunOptions) -> None:
        self.control = control
        self.workspace = workspace
        self.store = store
        self.rejected = rejected
        self.poller = poller
        self.scope = scope
        self.options = options
        self.jobs: list[tuple[int, str]] = []
        """(batch, job id) of every batch SendGrid accepted."""
        self.batches_built = 0
        self._polls: list[asyncio.Task[None]] = []
        self._failure: BaseException | None = None
        self._prefix = b""
        self._large_warned = False
        self._preparer: ContactPreparer | None = None
        poller.on_failed_rows = self._failed_in_job

    async def run(self, client: SendGridClient) -> None:
        """Transfer every contact; returns once SendGrid finished every job it was given."""
        control, options = self.control, self.options
        queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        consumers = max(1, options.concurrency)
        slots = threading.Semaphore(consumers)  # batches built, not yet sent
        control.stage(Stage.READ, StageState.RUNNING)
        control.stage(Stage.PREPARE, StageState.RUNNING)
        if options.dry_run:
            control.stage(Stage.UPLOAD, StageState.SKIPPED, "dry run: nothing is sent")
        else:
            control.stage(Stage.UPLOAD, StageState.RUNNING)
        producer = asyncio.ensure_future(
            asyncio.to_thread(self._produce, queue, slots, consumers))
        watcher = asyncio.ensure_future(self._watch_cancel())
        uploaders = [asyncio.ensure_future(self._upload(client, queue, slots))
                     for _ in range(consumers)]
        try:
            await asyncio.gather(*uploaders)
            try:
                await producer
            except BaseException as error:
                self._failure = self._failure or error
        finally:
            watcher.cancel()
            control.stop.set()
        if self._failure is not None or control.cancel.is_set():
            for task in self._polls:
                task.cancel()
            await asyncio.gather(*self._polls, return_exceptions=True)
            if self._failure is None:
                raise RunCancelled
            raise self._failure
        if options.dry_run:
            control.stage(Stage.PROCESS, StageState.SKIPPED, "dry run")
            return
        counts = control.counts
        control.stage(Stage.UPLOAD, StageState.DONE,
                      f"{counted(counts.uploaded, 'contact')} in "
                      f"{counted(counts.batches, 'batch')}")
        control.stage(Stage.PROCESS, StageState.RUNNING)
        await control.settle(list(self._polls))
        control.stage(Stage.PROCESS, StageState.DONE)

    async def _watch_cancel(self) -> None:
        await self.control.cancel.wait()
        self.control.stop.set()

    # -- the producer thread -----------------------------------------------------------------
    def _produce(self, queue: asyncio.Queue[Batch | None], slots: threading.Semaphore,
                 consumers: int) -> None:
        """Worker thread: stream, prepare, skip unchanged, batch; hands batches to the loop."""
        from sgtui.source import open_source

        scope = self.scope
        export = scope.plan.export
        mapping = dict(export.mapping)
        custom = scope.custom_fields
        columns = columns_to_read(scope.plan.key_column, mapping,
                                  (field.column for field in custom))
        # Mirror mode marks every contact the segments hold as seen, so it asks the state
        # database about each chunk's emails (in _stream); a delta upsert compares digests
        # in memory.
        delta = not scope.full and scope.known > 0 and not scope.mirror
        source = members = None
        try:
            source = open_source(self.workspace)
            # Started first: the database runs the members' query while the digests load.
            members = ReadAhead(source.stream_members(list(export.segments), columns,
                                                      chunk_size=self.options.chunk_size),
                                self.control.stop.is_set)
            known = self.store.confirmed_digests(export.name) if delta else None
            self._preparer = ContactPreparer(
                export.list_id, mapping, columns, expected=scope.plan.profiles_expected,
                known=known, custom_fields=custom)
            self._stream(members, queue, slots, self._preparer)
        finally:
            if members is not None:
                members.close()
            if source is not None:
                source.close()
            for _ in range(consumers):
                self.control.loop.call_soon_threadsafe(queue.put_nowait, None)

    def _stream(self, members: ReadAhead[Sequence[Sequence[object]]],
                queue: asyncio.Queue[Batch | None], slots: threading.Semaphore,
                preparer: ContactPreparer) -> None:
        """Prepare and batch every chunk of members (the producer thread)."""
        control, options, scope = self.control, self.options, self.scope
        plan = scope.plan
        export = plan.export
        store, name, full = self.store, export.name, scope.full
        by_email = scope.mirror
        seen_run = scope.run_id if by_email else None
        batcher = Batcher(export.list_id, max_contacts=options.max_batch_contacts,
                          max_bytes=options.max_batch_bytes)
        self._prefix = batcher.prefix

        def hand_over(batch: Batch) -> None:
            while not slots.acquire(timeout=0.2):
                if control.stop.is_set():
                    raise _HandedOver
            self.batches_built += 1
            control.loop.call_soon_threadsafe(queue.put_nowait, batch)

        try:
            for rows in members:
                if control.stop.is_set():
                    return
                chunk = preparer.prepare(rows)
                known = (store.known_hashes(name, chunk.emails, mark_seen=seen_run)
                         if by_email and chunk.emails else None)
                unchanged = 0
                for key, email, blob, digest in zip(chunk.keys, chunk.emails, chunk.blobs,
                                                    chunk.digests, strict=True):
                    if known is not None and not full and known.get(email) == digest:
                        unchanged += 1
                        continue
                    ready = batcher.add(key, blob, digest)
                    if ready is not None:
                        hand_over(ready)
                if chunk.rejected:
                    self._reject(chunk.rejected, by_sendgrid=False)
                counts = control.count(chunk.counts, unchanged=unchanged)
                control.emit_threadsafe(ProfilesRead(counts.profiles, plan.profiles_expected))
                control.emit_threadsafe(ContactsPrepared(counts))
                if counts.valid > RECOMMENDED_MAX_PROFILES and not self._large_warned:
                    self._large_warned = True
                    control.emit_threadsafe(Warned(
                        f"This export holds more than {RECOMMENDED_MAX_PROFILES:,} contacts; "
                        "SendGrid may take a while to process them."))
                if counts.valid > plan.cap:
                    raise RunStopped(plan.over_cap_while_reading())
            if control.stop.is_set():
                return
            counts = control.counts
            control.emit_threadsafe(StageChanged(Stage.READ, StageState.DONE,
                                                 counted(counts.profiles, "profile")))
            last = batcher.flush()
            if last is not None:
                hand_over(last)
            control.emit_threadsafe(StageChanged(
                Stage.PREPARE, StageState.DONE,
                f"{counted(counts.valid, 'contact')}, {counts.unchanged:,} unchanged"))
        except _HandedOver:
            pass

    def left_out_sentence(self) -> str | None:
        """What the summary says about custom values left out, per field (None: none)."""
        left_out = self._preparer.left_out if self._preparer else None
        if not left_out:
            return None
        total = sum(left_out.values())
        each = ", ".join(f"{name} {count:,}" for name, count in sorted(left_out.items()))
        return (f"{counted(total, 'custom value')} {'was' if total == 1 else 'were'} left out "
                f"because {'its field' if total == 1 else 'their fields'} would refuse "
                f"{'it' if total == 1 else 'them'} ({each}); the contacts were sent without "
                f"{'it' if total == 1 else 'them'}, and the rejected-rows file names each.")

    async def _failed_in_job(self, rows: list[RejectedRow]) -> None:
        """Rows SendGrid failed inside a job (named by its errors file): into the CSV."""
        await asyncio.to_thread(self._reject, rows, by_sendgrid=True)

    def _reject(self, rows: list[RejectedRow], *, by_sendgrid: bool) -> None:
        """Worker thread: write rejected rows to the CSV (which keeps some for history)."""
        self.rejected.write(rows, by_sendgrid=by_sendgrid)
        self.control.emit_threadsafe(RowsRejected(tuple(rows), by_sendgrid,
                                                  str(self.rejected.path)))

    # -- the upload tasks --------------------------------------------------------------------
    async def _upload(self, client: SendGridClient, queue: asyncio.Queue[Batch | None],
                      slots: threading.Semaphore) -> None:
        control = self.control
        while True:
            batch = await queue.get()
            if batch is None:
                return
            try:
                if self._failure is not None or control.cancel.is_set():
                    continue
                if self.options.dry_run:
                    control.count(batches=1)  # what the run would send
                    continue
                await self._send(client, batch)
            except RunCancelled:
                pass  # its contacts stay unsent in the state: the next run sends them
            except Exception as error:
                self._failure = self._failure or error
                control.stop.set()
            finally:
                slots.release()

    async def _send(self, client: SendGridClient, batch: Batch) -> None:
        from sgtui.sendgrid.errors import InvalidContacts

        control, scope = self.control, self.scope
        while len(batch):
            body = await asyncio.to_thread(batch.body, self._prefix)
            try:
                job_id = await control.answer_of(client.upsert_body(body, len(batch)))
            except InvalidContacts as error:
                positions = {p.position for p in error.problems if 0 <= p.position < len(batch)}
                if not positions:
                    raise
                reasons: dict[int, str] = {}
                for problem in error.problems:
                    where = f"{problem.field}: " if problem.field else ""
                    reasons.setdefault(problem.position, f"{where}{problem.message}")
                rows = [RejectedRow(batch.keys[i], batch.email(i), reasons.get(i, "refused"))
                        for i in sorted(positions)]
                control.count(rejected_by_sendgrid=len(rows))
                logger.warning("batch %d: SendGrid refused %d contacts; sending the rest",
                               batch.number, len(rows))
                await asyncio.to_thread(self._reject, rows, by_sendgrid=True)
                batch = batch.without(positions)
                continue
            seen_run = scope.run_id if scope.mirror else None
            digests = list(batch.emails_and_digests())
            await asyncio.to_thread(
                self.store.record_batch, scope.run_id, scope.plan.export.name, batch.number,
                job_id, digests, len(body), len(batch), seen_run)
            counts = control.count(uploaded=len(batch), batches=1)
            self.jobs.append((batch.number, job_id))
            logger.info("batch %d: %d contacts, %d bytes, job %s", batch.number, len(batch),
                        len(body), job_id)
            control.emit(BatchUploaded(batch.number, len(batch), len(body), job_id,
                                       counts.uploaded))
            job_rows = (batch.keys, [email for email, _ in digests])  # to name rows it fails
            self._polls.append(asyncio.ensure_future(self.poller.poll(
                job_id, batch.number, len(batch), owner_run=scope.run_id, rows=job_rows)))
            return
