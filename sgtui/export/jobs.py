"""SendGrid's jobs: poll each until it finishes and settle its contacts; resume a killed run.

An upsert or removal request SendGrid accepted (202) gives a job id; SendGrid processes it
later. :class:`JobPoller` asks until the job finishes (backing off up to ``poll_max``), then
writes its outcome to the state database: a job that failed or errored marks its contacts
to be sent again. A run that was killed left pending jobs behind: :meth:`JobPoller.resume`
polls them before anything else happens, so the next run sends only what SendGrid did not
confirm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.export.control import RunControl
from sgtui.export.events import JobUpdated, RejectedRow, Warned
from sgtui.export.wording import counted, it_or_them
from sgtui.sendgrid.errors_file import ErrorsFileUnavailable, FailedRow, fetch_errors_file

if TYPE_CHECKING:
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.sendgrid.models import ImportJob
    from sgtui.workspace.state import StateStore

BatchRows = tuple[Sequence[str], Sequence[str]]
"""A batch's profile keys and emails, in the order they were sent."""

logger = logging.getLogger("sgtui.export")


@dataclass(frozen=True, slots=True)
class PollTiming:
    """How often to ask SendGrid about a job, and for how long."""

    initial: float = 0.05
    maximum: float = 10.0
    timeout: float = 3_600.0
    """How long to wait for SendGrid to finish one job before leaving it to the next run."""


class JobPoller:
    """Polls one run's jobs (and an interrupted run's) and settles them in the state."""

    def __init__(self, control: RunControl, client: SendGridClient, store: StateStore,
                 export: str, timing: PollTiming) -> None:
        self.control = control
        self.client = client
        self.store = store
        self.export = export
        self.timing = timing
        self.confirmed = 0
        """Contacts of this run's upserts that SendGrid finished processing."""
        self.problems = 0
        self.unconfirmed = 0
        """Contacts of this run whose job SendGrid did not confirm (no answer in time, or
        it lost the job): not rejections; the next run checks or sends them again."""
        """This run's jobs that errored, failed or did not finish in time."""
        self.on_failed_rows: Callable[[list[RejectedRow]], Awaitable[None]] | None = None
        """Where rows SendGrid failed inside a job go (the rejected-rows CSV and the panel)."""
        self.fetch_errors: Callable[[str], Awaitable[list[FailedRow]]] = fetch_errors_file

    async def resume(self, run_id: int) -> int | None:
        """Finish what an interrupted run of the export left: mark it interrupted and poll its
        pending jobs; the id of the run this one finishes (None when there is none)."""
        store = self.store
        interrupted = await asyncio.to_thread(store.interrupted_runs, self.export, run_id)
        pending = await asyncio.to_thread(store.pending_jobs, self.export, run_id)
        if pending:
            them = it_or_them(len(pending))
            self.control.emit(Warned(
                f"SendGrid had accepted {counted(len(pending), 'batch')} of an earlier run "
                f"that did not finish; sgtui checks {them} rather than sending {them} again."))
            await self.control.settle([
                self.poll(job.job_id, job.batch, job.contacts, owner_run=job.run_id,
                          kind=job.kind, report=False)
                for job in pending
            ])
        return interrupted[-1] if interrupted else None

    async def poll(self, job_id: str, batch: int, contacts: int, *, owner_run: int,
                   kind: str = "upsert", report: bool = True,
                   removed_emails: list[str] | None = None,
                   rows: BatchRows | None = None) -> None:
        """Poll one job until SendGrid finishes it; settle its contacts in the state.

        ``report``: count it in this run and tell the listener (not for a resumed run's jobs).
        ``rows``: the batch's keys and emails, to name the rows SendGrid failed in the job.
        """
        from sgtui.sendgrid.errors import NotFound, SendGridError

        control = self.control
        delay = self.timing.initial
        waited = 0.0
        finished: ImportJob | None = None
        forgotten = False
        while True:
            try:
                job = await control.or_cancel(self.client.import_status(job_id))
            except NotFound:
                status, created, updated, errored = "failed", 0, 0, contacts
                forgotten = True  # not a rejection: its contacts are sent again
                control.emit(Warned(f"SendGrid no longer knows job {job_id}; its "
                                    f"{counted(contacts, 'contact')} "
                                    f"{'is' if contacts == 1 else 'are'} sent again by the "
                                    "next run."))
                break
            except SendGridError as error:  # the client already retried; keep polling
                logger.warning("job %s: %s", job_id, error.sentence)
            else:
                if job.finished:
                    status, created, updated = job.status, job.created, job.updated
                    errored = job.errored or (contacts if status == "failed" else 0)
                    finished = job
                    break
            if waited >= self.timing.timeout:
                self.problems += 1
                if report and kind == "upsert":
                    self.unconfirmed += contacts
                control.emit(Warned(f"SendGrid has not finished job {job_id} yet; the next "
                                    "run checks it again."))
                return
            await control.or_cancel(asyncio.sleep(delay))
            waited += delay
            delay = min(delay * 1.6, self.timing.maximum)
        await asyncio.to_thread(
            self.store.finish_job, owner_run, job_id, status, created=created, updated=updated,
            errored=errored, export=self.export, removed_emails=removed_emails or ())
        logger.info("job %s (%s batch %d): %s", job_id, kind, batch, status)
        if kind != "upsert" or not report:
            return
        if forgotten:
            self.problems += 1
            self.unconfirmed += contacts
            errored = 0
        elif errored:
            self.problems += 1
            await self._name_failed_rows(finished, errored, rows)
        control.count(created=created, updated=updated, rejected_by_sendgrid=errored)
        self.confirmed += contacts
        control.emit(JobUpdated(batch, job_id, status, created, updated, errored,
                                self.confirmed))

    async def _name_failed_rows(self, job: ImportJob | None, errored: int,
                                rows: BatchRows | None) -> None:
        """Fetch the job's errors file and hand its rows on with SendGrid's reasons; say so
        when it cannot be had (the counts stand either way)."""
        if job is None or rows is None or self.on_failed_rows is None:
            return
        them = it_or_them(errored)
        if not job.errors_url:
            self.control.emit(Warned(
                f"SendGrid failed {counted(errored, 'contact')} in job {job.id} without "
                f"naming {them}; the next run sends {them} again."))
            return
        try:
            failed = await self.control.or_cancel(self.fetch_errors(job.errors_url))
        except ErrorsFileUnavailable as error:
            logger.warning("job %s: errors file not fetched: %s", job.id, error.reason)
            self.control.emit(Warned(
                f"SendGrid failed {counted(errored, 'contact')} in job {job.id}, but its list "
                f"of them could not be fetched ({error.reason}); the counts stand and the "
                f"next run sends {them} again."))
            return
        keys, emails = rows
        key_of = {email: key for key, email in zip(keys, emails, strict=False)}
        named = [RejectedRow(key_of.get(row.identifier, ""), row.identifier, row.reason)
                 for row in failed]
        if named:
            await self.on_failed_rows(named)
