"""What every part of a run shares: its listener, its cancel, its stop and its counts.

A run's parts (:mod:`~sgtui.export.transfer`, :mod:`~sgtui.export.jobs`,
:mod:`~sgtui.export.mirror`) each get the run's :class:`RunControl`. Every call to SendGrid
goes through :meth:`RunControl.or_cancel`, so cancel takes effect at once, even while the
client sleeps out SendGrid's rate limit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sgtui.errors import SgtuiError
from sgtui.export.events import (
    RateLimitSeen,
    Retrying,
    RunEvent,
    RunStatus,
    Stage,
    StageChanged,
    StageState,
)
from sgtui.workspace.run_records import RunCounts

logger = logging.getLogger("sgtui.export")

RATE_LIMIT_WAIT = "rate limited: waiting for SendGrid's limit to reset"
RATE_LIMIT_PACING = "rate limit nearly used up: spacing requests out"
SHOWN_PACE = 1.0
"""Pacing waits at least this long (seconds) are shown; shorter ones are not worth a line."""

IN_FLIGHT_GRACE = 10.0
"""Seconds a stopping run still waits for the answer (the job id) of a request that changes
something at SendGrid and was already sent, so it is recorded rather than sent again."""

T = TypeVar("T")


class RunStopped(SgtuiError):
    """The run stops with ``sentence`` (and ``status``)."""

    def __init__(self, sentence: str, status: RunStatus = RunStatus.FAILED) -> None:
        super().__init__(sentence)
        self.status = status


class RunCancelled(RunStopped):
    """The cancel event was set; the sentence is made when the run ends."""

    def __init__(self) -> None:
        super().__init__("cancelled", RunStatus.CANCELLED)


class RunControl:
    """One run's listener, cancel event, stop flag (for worker threads) and counts."""

    def __init__(self, on_event: Callable[[RunEvent], None], cancel: asyncio.Event) -> None:
        self.on_event = on_event
        self.cancel = cancel
        self.loop = asyncio.get_running_loop()
        self.stop = threading.Event()
        """Tells worker threads to stop early."""
        self.counts = RunCounts()
        """The run's counts so far (replaced, never changed: a reader always sees one whole)."""
        self._counting = threading.Lock()

    # -- counts ------------------------------------------------------------------------------
    def count(self, counts: RunCounts | None = None, **added: int) -> RunCounts:
        """Add ``counts`` and ``added`` to the run's counts (from any thread); the new total."""
        with self._counting:
            total = self.counts if counts is None else self.counts + counts
            self.counts = total.plus(**added) if added else total
            return self.counts

    # -- events ------------------------------------------------------------------------------
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
        """A stage started, finished, was skipped or failed."""
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

    # -- waiting -----------------------------------------------------------------------------
    async def or_cancel(self, awaitable: Awaitable[T]) -> T:
        """The result of ``awaitable`` (a call to SendGrid, a wait), unless cancel comes first.

        The client may be sleeping out SendGrid's rate limit (pacing, or the reset after a
        429) for a minute or more; cancel must not wait for that, so the call is abandoned
        and :class:`RunCancelled` raised. Requests that change something at SendGrid use
        :meth:`answer_of` instead, which still waits (bounded) for an answer under way. One
        abandoned all the same may still be carried out: its batch is not recorded as sent
        and the next run sends it again, which is harmless because upserts are idempotent.
        Nothing is recorded half-way: the state is written only after an answer arrived,
        and that write is never abandoned.
        """
        return await self._until_cancel(awaitable, grace=0.0)

    async def answer_of(self, awaitable: Awaitable[T], grace: float = IN_FLIGHT_GRACE) -> T:
        """Like :meth:`or_cancel`, for a request that changes something at SendGrid (an
        upload, a removal): when cancel comes while it is under way, its answer is still
        awaited for up to ``grace`` seconds, so the caller records the job it started and
        the next run checks that job instead of sending its contacts again.

        Nothing new is sent meanwhile: the client's waits (pacing, retries) end at cancel
        (:meth:`sleep`). Only an answer slower than ``grace`` is abandoned, as
        :meth:`or_cancel` abandons it.
        """
        return await self._until_cancel(awaitable, grace=grace)

    async def _until_cancel(self, awaitable: Awaitable[T], *, grace: float) -> T:
        """Await ``awaitable`` unless cancel comes first; then allow it ``grace`` seconds."""
        if self.cancel.is_set():
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # a coroutine that never ran
            raise RunCancelled
        call = asyncio.ensure_future(awaitable)
        waiter = asyncio.ensure_future(self.cancel.wait())
        try:
            await asyncio.wait((call, waiter), return_when=asyncio.FIRST_COMPLETED)
            if not call.done() and grace > 0:
                logger.info("stopping: waiting up to %.0f s for the answer of a request "
                            "already sent", grace)
                await asyncio.wait((call,), timeout=grace)
        finally:
            waiter.cancel()
            if not call.done():
                call.cancel()
                await asyncio.gather(call, return_exceptions=True)
        if call.cancelled():
            raise RunCancelled
        return call.result()

    async def sleep(self, delay: float) -> None:
        """The SendGrid client's waits (pacing, retries): cut short by cancel, which raises
        :class:`RunCancelled`, so a stopping run sends no new request."""
        if self.cancel.is_set():
            raise RunCancelled
        waiter = asyncio.ensure_future(self.cancel.wait())
        try:
            done, _ = await asyncio.wait((waiter,), timeout=max(delay, 0.0))
        finally:
            waiter.cancel()
        if done:
            raise RunCancelled

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
        failures.sort(key=lambda failure: isinstance(failure, RunCancelled))
        if failures:
            raise failures[0]  # type: ignore[misc]
