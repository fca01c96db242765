"""Mirror mode's last step: take the people who left the segments off the list.

Every contact the segments still hold was marked seen by this run while it was read; the
others (the state database's :meth:`~sgtui.workspace.state.StateStore.departed`) are looked
up in SendGrid and removed from the list (they stay in the account), a hundred a request,
each removal a job polled like an upload's. A run never removes more than
:func:`~sgtui.export.removals.removal_limit` people unless told to.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.export.control import RunCancelled, RunControl, RunStopped
from sgtui.export.events import ContactsRemoved, Stage, StageState, Warned
from sgtui.export.outcome import too_many_removals
from sgtui.export.removals import removal_limit
from sgtui.export.wording import counted

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from sgtui.export.jobs import JobPoller
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.state import StateStore

NAMED_IN_DRY_RUN = 20
"""Emails a dry run names among those it would remove."""


@dataclass(frozen=True, slots=True)
class Departed:
    """Whom this run would remove from which list, and how many it may."""

    export: str
    list_id: str
    run_id: int
    list_count: int
    """Contacts on the list before this run (the limit is a share of it)."""
    allowed: int | None
    """Removals allowed past the limit (``--allow-removals``)."""


async def remove_departed(control: RunControl, client: SendGridClient, store: StateStore,
                          poller: JobPoller, departed: Departed, *, dry_run: bool) -> int:
    """Remove the people who left the segments; how many a dry run would have removed."""
    from sgtui.sendgrid.client import REMOVE_CHUNK

    export, run_id = departed.export, departed.run_id
    planned = await asyncio.to_thread(store.departed_count, export, run_id)
    if planned == 0:
        control.stage(Stage.REMOVE, StageState.DONE, "nobody left the segments")
        return 0
    limit = removal_limit(departed.list_count)
    allowed = max(limit, departed.allowed or 0)
    control.emit(ContactsRemoved(0, planned))
    if dry_run:
        shown = await asyncio.to_thread(store.departed, export, run_id, NAMED_IN_DRY_RUN)
        more = f" and {planned - len(shown):,} more" if planned > len(shown) else ""
        control.emit(Warned(f"Would remove {counted(planned, 'person', 'people')} who left "
                            f"the segments from the list: {', '.join(shown)}{more}."))
        if planned > allowed:
            control.emit(Warned(too_many_removals(planned, limit, dry=True)))
        control.stage(Stage.REMOVE, StageState.SKIPPED, "dry run")
        return planned
    if planned > allowed:
        raise RunStopped(too_many_removals(planned, limit, dry=False))
    control.stage(Stage.REMOVE, StageState.RUNNING)
    emails = await asyncio.to_thread(store.departed, export, run_id)
    found = await control.or_cancel(client.search_emails(emails))
    gone = [email for email in emails if email not in found]
    if gone:  # not in SendGrid at all any more: nothing to remove
        await asyncio.to_thread(store.forget_contacts, export, gone)
    present = [email for email in emails if email in found]
    polls: list[Awaitable[None]] = []
    removed = 0
    for start in range(0, len(present), REMOVE_CHUNK):
        if control.cancel.is_set():
            break
        part = present[start:start + REMOVE_CHUNK]
        job_ids = await control.answer_of(client.remove_from_list(
            departed.list_id, [found[email] for email in part]))
        batch = start // REMOVE_CHUNK + 1
        for job_id in job_ids:
            await asyncio.to_thread(store.record_removal_job, run_id, batch, job_id, len(part))
            polls.append(poller.poll(job_id, batch, len(part), owner_run=run_id,
                                     kind="remove", removed_emails=part))
        removed = control.count(removed=len(part)).removed
        control.emit(ContactsRemoved(removed, planned))
    await control.settle(polls)
    if control.cancel.is_set():
        raise RunCancelled
    control.stage(Stage.REMOVE, StageState.DONE, f"{removed:,} removed")
    return 0
