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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.export.control import RunControl
from sgtui.export.events import JobUpdated, Warned
from sgtui.export.wording import counted, it_or_them

if TYPE_CHECKING:
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.state import StateStore

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
        """This run's jobs that errored, failed or did not finish in time."""

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
                   removed_emails: list[str] | None = None) -> None:
        """Poll one job until SendGrid finishes it; settle its contacts in the state.

        ``report``: count it in this run and tell the listener (not for a resumed run's jobs).
        """
        from sgtui.sendgrid.errors import NotFound, SendGridError

        control = self.control
        delay = self.timing.initial
        waited = 0.0
        while True:
            try:
                job = await control.or_cancel(self.client.import_status(job_id))
            except NotFound:
                status, created, updated, errored = "failed", 0, 0, contacts
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
                    break
            if waited >= self.timing.timeout:
                self.problems += 1
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
        if errored:
            self.problems += 1
        control.count(created=created, updated=updated, rejected_by_sendgrid=errored)
        self.confirmed += contacts
        control.emit(JobUpdated(batch, job_id, status, created, updated, errored,
                                self.confirmed))
