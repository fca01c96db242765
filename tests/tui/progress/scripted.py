"""Scripted runs: the engine's events on a fake clock, for deterministic panels and pilots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sgtui.export.events import (
    BatchUploaded,
    ContactsPrepared,
    JobUpdated,
    ProfilesRead,
    RateLimitSeen,
    RejectedRow,
    RowsRejected,
    RunCounts,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
    RunSummary,
    Stage,
    StageChanged,
    StageState,
)
from sgtui.export.progress_state import RunProgressState

EXPORT = "spring-newsletter"
STARTED_AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
BATCH = 4_000
CSV_PATH = "runs/3-rejected.csv"
REJECTED = (
    RejectedRow("c-00017", "not-an-email", "invalid email"),
    RejectedRow("c-00042", "", "missing email"),
    RejectedRow("c-00077", "[/b]weird@[red]example", "invalid email"),
)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def opening_events(expected: int = 25_000) -> list[RunEvent]:
    """The run starts, checks the export and begins reading."""
    return [
        RunStarted(3, EXPORT, STARTED_AT, False, expected),
        StageChanged(Stage.PLAN, StageState.RUNNING),
        StageChanged(Stage.PLAN, StageState.DONE, "list Newsletter, 2 segments"),
        StageChanged(Stage.READ, StageState.RUNNING),
        StageChanged(Stage.PREPARE, StageState.RUNNING),
    ]


def second(step: int, expected: int = 25_000) -> list[RunEvent]:
    """What one second of a steady run reports: 2,500 profiles read, a batch every 2 s."""
    read = min(expected, 2_500 * step)
    valid = read - read // 50 - read // 100 - read // 200
    events: list[RunEvent] = [
        ProfilesRead(read, expected),
        ContactsPrepared(RunCounts(valid=valid, duplicates=read // 50, invalid_email=read // 100,
                                   missing_email=read // 200, trimmed_fields=read // 400)),
    ]
    if step % 2 == 0:
        batch = step // 2
        events.append(StageChanged(Stage.UPLOAD, StageState.RUNNING))
        events.append(BatchUploaded(batch, BATCH, BATCH * 212, f"job-{batch:04d}",
                                    batch * BATCH))
        events.append(RateLimitSeen(600, 600 - 40 * batch, 42.0))
    if step % 2 == 0 and step >= 4:
        done = step // 2 - 1
        events.append(StageChanged(Stage.PROCESS, StageState.RUNNING))
        events.append(JobUpdated(done, f"job-{done:04d}", "completed", 1_000, 3_000, 0,
                                 done * BATCH))
    return events


def mid_run_state() -> RunProgressState:
    """A run eight seconds in: reading, three batches accepted, two confirmed, rows rejected."""
    clock = FakeClock()
    state = RunProgressState(export=EXPORT, clock=clock)
    for event in opening_events():
        state.apply(event)
    state.apply(RowsRejected(REJECTED, False, CSV_PATH))
    for step in range(1, 9):
        for _ in range(2):
            clock.advance(0.5)
            state.sample()
        for event in second(step):
            state.apply(event)
    state.sample()
    return state


def finished_summary(status: RunStatus = RunStatus.PARTIAL, **changes: object) -> RunSummary:
    """The summary of the scripted run when it ends."""
    values: dict[str, object] = dict(
        run_id=3, export=EXPORT, status=status,
        sentence="Sent 24,125 contacts to Newsletter in 0:14: 6,125 created, 18,000 updated; "
                 "375 rows set aside (see the CSV).",
        started_at=STARTED_AT, finished_at=STARTED_AT + timedelta(seconds=14),
        profiles=25_000, valid=24_125, duplicates=500, invalid_email=250, missing_email=125,
        trimmed_fields=62, uploaded=24_125, created=6_125, updated=18_000, batches=6,
        jobs=tuple(f"job-{batch:04d}" for batch in range(1, 7)),
        rejected_csv=CSV_PATH,
    )
    values.update(changes)
    return RunSummary(**values)  # type: ignore[arg-type]


def finished_state() -> RunProgressState:
    """The scripted run after it ended with a few rejected rows."""
    state = mid_run_state()
    clock = state.clock
    for step in range(9, 11):
        clock.advance(1.0)  # type: ignore[attr-defined]
        state.sample()
        for event in second(step):
            state.apply(event)
    for stage in (Stage.READ, Stage.PREPARE, Stage.UPLOAD):
        state.apply(StageChanged(stage, StageState.DONE))
    clock.advance(2.0)  # type: ignore[attr-defined]
    state.apply(BatchUploaded(6, 4_125, 4_125 * 212, "job-0006", 24_125))
    clock.advance(2.0)  # type: ignore[attr-defined]
    state.apply(JobUpdated(5, "job-0005", "completed", 1_000, 3_000, 0, 20_000))
    state.apply(JobUpdated(6, "job-0006", "completed", 1_125, 3_000, 0, 24_125))
    state.apply(StageChanged(Stage.PROCESS, StageState.DONE))
    state.apply(StageChanged(Stage.VERIFY, StageState.DONE, "Newsletter holds 20,000"))
    state.apply(RunFinished(finished_summary()))
    return state


Emit = Callable[[RunEvent], None]


class ScriptedRunner:
    """Stands in for ``run_export``: emits the script, pausing at gates the test opens."""

    def __init__(self, *, batches: int = 2, rejected: bool = False,
                 status: RunStatus = RunStatus.SUCCEEDED) -> None:
        self.batches = batches
        self.rejected = rejected
        self.status = status
        self.started = asyncio.Event()
        self.proceed = asyncio.Event()
        self.ended = asyncio.Event()
        self.calls: list[dict[str, object]] = []

    async def __call__(self, workspace, export, *, on_event: Emit, cancel: asyncio.Event,
                       **options: object) -> RunSummary:  # type: ignore[no-untyped-def]
        self.calls.append({"export": export, **options})
        for event in opening_events(10_000 * self.batches):
            on_event(event)
        if self.rejected:
            on_event(RowsRejected(REJECTED, False, CSV_PATH))
        uploaded = 0
        for batch in range(1, self.batches + 1):
            uploaded += 10_000
            on_event(ProfilesRead(uploaded, 10_000 * self.batches))
            on_event(BatchUploaded(batch, 10_000, 2_100_000, f"job-{batch:04d}", uploaded))
        self.started.set()
        waiting_for = asyncio.ensure_future(self.proceed.wait())
        cancelled = asyncio.ensure_future(cancel.wait())
        await asyncio.wait({waiting_for, cancelled}, return_when=asyncio.FIRST_COMPLETED)
        waiting_for.cancel()
        cancelled.cancel()
        status = RunStatus.CANCELLED if cancel.is_set() else self.status
        for batch in range(1, self.batches + 1):
            on_event(JobUpdated(batch, f"job-{batch:04d}", "completed", 2_000, 8_000, 0,
                                10_000 * batch))
        summary = finished_summary(
            status, sentence="" if status is RunStatus.CANCELLED else "All done: 20,000 sent.",
            uploaded=uploaded, batches=self.batches, created=2_000 * self.batches,
            updated=8_000 * self.batches,
            rejected_csv=CSV_PATH if self.rejected else None,
        )
        on_event(RunFinished(summary))
        self.ended.set()
        return summary


REFUSED_SENTENCE = (
    "This run stopped before removing 1,500 people who left the segments, more than the limit "
    "of 1,000 (10% of the list or 1,000). Nobody was removed. If that is right, run it again "
    "with --allow-removals 1500 (or confirm in the app).")
CHANGED_OUTSIDE = ("The list holds 18,000 contacts but sgtui put 20,000 on it: it may have "
                   "changed outside sgtui. A full run (--full) sends everyone again.")


def _quiet_run(clock: FakeClock, *, warnings: tuple[str, ...] = ()) -> RunProgressState:
    """A delta run where nothing changed: read and prepared, nothing uploaded."""
    from sgtui.export.events import Warned

    state = RunProgressState(export=EXPORT, clock=clock)
    for event in opening_events(20_000):
        state.apply(event)
    for sentence in warnings:
        state.apply(Warned(sentence))
    clock.advance(3.0)
    state.apply(ProfilesRead(20_000, 20_000))
    state.apply(ContactsPrepared(RunCounts(valid=20_000, unchanged=18_500)))
    for stage in (Stage.READ, Stage.PREPARE, Stage.UPLOAD, Stage.PROCESS):
        state.apply(StageChanged(stage, StageState.DONE))
    return state


def refused_removal_state() -> RunProgressState:
    """A mirror run stopped before removing more people than the limit allows."""
    from sgtui.export.events import ContactsRemoved

    clock = FakeClock()
    state = _quiet_run(clock)
    state.apply(ContactsRemoved(0, 1_500))
    state.apply(StageChanged(Stage.REMOVE, StageState.FAILED, REFUSED_SENTENCE))
    state.apply(RunFinished(finished_summary(
        RunStatus.FAILED, sentence=REFUSED_SENTENCE, profiles=20_000, valid=20_000,
        duplicates=0, invalid_email=0, missing_email=0, trimmed_fields=0, unchanged=18_500,
        uploaded=1_500, created=0, updated=1_500, batches=1, jobs=("job-0001",),
        rejected_csv=None)))
    return state


def list_changed_state() -> RunProgressState:
    """A delta run that found the list smaller than sgtui left it."""
    clock = FakeClock()
    state = _quiet_run(clock, warnings=(CHANGED_OUTSIDE,))
    state.apply(StageChanged(Stage.VERIFY, StageState.DONE, "the list holds 18,000 contacts"))
    state.apply(RunFinished(finished_summary(
        RunStatus.SUCCEEDED,
        sentence="Nothing changed: SendGrid already has all 20,000 contacts, so nothing was "
                 "sent.", profiles=20_000, valid=20_000, duplicates=0, invalid_email=0,
        missing_email=0, trimmed_fields=0, unchanged=20_000, uploaded=0, created=0, updated=0,
        batches=0, jobs=(), rejected_csv=None)))
    return state
