"""A run's progress as one plain object: events fold in, views read it out.

The TUI's progress panel folds every event into a :class:`RunProgressState` as it arrives
(cheap: a few assignments) and redraws from it on a timer, so a million-profile run never
floods the screen. The clock is injectable, so rates, time remaining and elapsed time are
deterministic in tests. Nothing here knows about Textual.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    RunCounts,
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

Clock = Callable[[], float]

MAX_REJECTED_SHOWN = 500
"""Rejected rows kept for display; the CSV file holds all of them."""

SPARKLINE_POINTS = 120
"""Throughput samples kept for the sparkline (one a second: the last two minutes)."""

RATE_WINDOW = 10.0
"""Seconds of history a rate (and so the time remaining) is computed over."""

ALWAYS_SHOWN = (Stage.READ, Stage.PREPARE, Stage.UPLOAD, Stage.PROCESS, Stage.VERIFY)


@dataclass(slots=True)
class BatchRow:
    """One uploaded batch and what SendGrid's job made of it."""

    batch: int
    contacts: int
    bytes: int
    job_id: str
    status: str = "pending"
    created: int = 0
    updated: int = 0
    errored: int = 0


@dataclass(slots=True)
class RateLimit:
    """SendGrid's latest rate-limit headers; ``reset_at`` is on the state's clock."""

    limit: int
    remaining: int
    reset_at: float


@dataclass(slots=True)
class Progress:
    """One progress bar's numbers: done of total (total may be an estimate)."""

    done: int
    total: int | None
    rate: float | None  # per second
    remaining_seconds: float | None

    @property
    def fraction(self) -> float | None:
        """Done as a fraction of total, or None while the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


@dataclass
class RunProgressState:
    """Everything the progress panel shows, folded from the engine's events."""

    export: str = ""
    clock: Clock = time.monotonic
    run_id: int | None = None
    dry_run: bool = False
    started_clock: float | None = None
    stages: dict[Stage, StageState] = field(
        default_factory=lambda: {stage: StageState.WAITING for stage in Stage}
    )
    stage_details: dict[Stage, str] = field(default_factory=dict)
    profiles_read: int = 0
    profiles_expected: int = 0
    counts: RunCounts = field(default_factory=RunCounts)
    """The run's counts as reading and preparing reported them (the summary's at the end);
    uploads, confirmations and removals arrive sooner in their own events, below."""
    uploaded: int = 0
    confirmed: int = 0
    removed: int = 0
    removal_planned: int = 0
    removal_started: bool = False
    """Whether the removal stage ever ran (a run stopped at the limit never starts it)."""
    full_run_suggested: bool = False
    """A warning said the list changed outside sgtui and a full run would fix it."""
    batches: dict[int, BatchRow] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_total: int = 0
    rejected_by_sendgrid_rows: int = 0
    rejected_csv: str | None = None
    rate_limit: RateLimit | None = None
    retrying: Retrying | None = None
    warnings: list[str] = field(default_factory=list)
    summary: RunSummary | None = None
    problem: str | None = None
    cancel_requested: bool = False
    stopped: set[Stage] = field(default_factory=set)
    """Stages that were running when the run was cancelled or interrupted."""
    throughput: deque[float] = field(default_factory=lambda: deque(maxlen=SPARKLINE_POINTS))
    version: int = 0
    _samples: deque[tuple[float, int, int, int]] = field(
        default_factory=lambda: deque(maxlen=256), init=False, repr=False
    )
    _last_point: tuple[float, int] | None = field(default=None, init=False, repr=False)
    _frozen_elapsed: float | None = field(default=None, init=False, repr=False)
    _recorded: bool = field(default=False, init=False, repr=False)
    """Rebuilt from history: the recorded summary's counts are the run's, even when 0."""

    # -- folding -----------------------------------------------------------------------------
    def apply(self, event: RunEvent) -> None:
        """Fold one event in (called for every event, so it stays cheap)."""
        self.version += 1
        match event:
            case RunStarted():
                self.run_id = event.run_id
                self.export = event.export or self.export
                self.dry_run = event.dry_run
                self.profiles_expected = event.profiles_expected or 0
                self._start()
            case StageChanged():
                self.stages[event.stage] = event.state
                if event.detail:
                    self.stage_details[event.stage] = event.detail
                if event.state is StageState.RUNNING:
                    if event.stage is Stage.REMOVE:
                        self.removal_started = True
                    if self.started_clock is None:
                        self._start()
            case ProfilesRead():
                self.profiles_read = event.read
                self.profiles_expected = event.expected or self.profiles_expected
            case ContactsPrepared():
                self.counts = event.counts
            case BatchUploaded():
                self.batches[event.batch] = BatchRow(
                    event.batch, event.contacts, event.bytes, event.job_id
                )
                self.uploaded = max(self.uploaded, event.uploaded_total)
                self.retrying = None
            case JobUpdated():
                row = self.batches.get(event.batch)
                if row is None:
                    row = self.batches[event.batch] = BatchRow(event.batch, 0, 0, event.job_id)
                row.job_id = event.job_id or row.job_id
                row.status = event.status
                row.created, row.updated, row.errored = event.created, event.updated, event.errored
                self.confirmed = max(self.confirmed, event.confirmed_total)
            case RowsRejected():
                self.rejected_total += len(event.rows)
                if event.by_sendgrid:
                    self.rejected_by_sendgrid_rows += len(event.rows)
                room = MAX_REJECTED_SHOWN - len(self.rejected)
                if room > 0:
                    self.rejected.extend(event.rows[:room])
                self.rejected_csv = event.csv_path or self.rejected_csv
            case RateLimitSeen():
                self.rate_limit = RateLimit(
                    event.limit, event.remaining, self.clock() + max(0.0, event.reset_in)
                )
            case Retrying():
                self.retrying = event
            case Warned():
                self.warnings.append(event.sentence)
                if suggests_full_run(event):
                    self.full_run_suggested = True
            case ContactsRemoved():
                self.removed = event.removed
                self.removal_planned = event.planned
            case RunFinished():
                self.finish(event.summary)

    def finish(self, summary: RunSummary) -> None:
        """The run ended with ``summary``: take its final numbers and stop the clock."""
        self.version += 1
        self.summary = summary
        self.run_id = summary.run_id
        self.export = summary.export or self.export
        self.dry_run = summary.dry_run
        self.profiles_read = max(self.profiles_read, summary.profiles)
        self.profiles_expected = self.profiles_expected or summary.profiles
        self.counts = RunCounts(**{name: value or getattr(self.counts, name)
                                   for name, value in summary.as_dict().items()})
        self.uploaded = max(self.uploaded, summary.uploaded)
        self.removed = summary.removed or self.removed
        self.rejected_csv = summary.rejected_csv or self.rejected_csv
        self.retrying = None
        if summary.status is RunStatus.SUCCEEDED:
            self.confirmed = max(self.confirmed, summary.created + summary.updated)
        ended = {
            RunStatus.SUCCEEDED: StageState.DONE,
            RunStatus.PARTIAL: StageState.DONE,
            RunStatus.CANCELLED: StageState.SKIPPED,
            RunStatus.INTERRUPTED: StageState.SKIPPED,
        }.get(summary.status, StageState.FAILED)
        for stage, state in self.stages.items():
            if state is StageState.RUNNING:
                self.stages[stage] = ended
                if ended is StageState.SKIPPED:
                    self.stopped.add(stage)
        if self._frozen_elapsed is None:
            self._frozen_elapsed = (
                summary.seconds if self.started_clock is None
                else self.clock() - self.started_clock
            )

    def fail(self, sentence: str) -> None:
        """The run could not run at all (or broke): remember the sentence for people."""
        self.version += 1
        self.problem = sentence
        for stage, state in self.stages.items():
            if state is StageState.RUNNING:
                self.stages[stage] = StageState.FAILED
        if self._frozen_elapsed is None and self.started_clock is not None:
            self._frozen_elapsed = self.clock() - self.started_clock

    def _start(self) -> None:
        if self.started_clock is None:
            self.started_clock = self.clock()
            self._samples.append((self.started_clock, 0, 0, 0))
            self._last_point = (self.started_clock, 0)

    # -- sampling (the panel calls this on its timer) ----------------------------------------
    def sample(self) -> None:
        """Record where the counters are now, for rates and the throughput sparkline."""
        if self.started_clock is None or self.finished:
            return
        now = self.clock()
        last = self._samples[-1] if self._samples else None
        if last is None or now - last[0] >= 0.5:
            self._samples.append((now, self.profiles_read, self.uploaded, self.confirmed))
        if self._last_point is not None and now - self._last_point[0] >= 1.0:
            then, uploaded_then = self._last_point
            self.throughput.append(max(0.0, (self.uploaded - uploaded_then) / (now - then)))
            self._last_point = (now, self.uploaded)
            self.version += 1

    def _rate(self, index: int) -> float | None:
        if len(self._samples) < 2:
            return None
        newest = self._samples[-1]
        oldest = next(
            (s for s in self._samples if newest[0] - s[0] <= RATE_WINDOW), self._samples[0]
        )
        if oldest is newest:
            oldest = self._samples[-2]
        seconds = newest[0] - oldest[0]
        if seconds <= 0:
            return None
        return max(0.0, (newest[index] - oldest[index]) / seconds)

    # -- reading -----------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        """True once the run ended, one way or another."""
        return self.summary is not None or self.problem is not None

    @property
    def status(self) -> RunStatus:
        """Running, or how the run ended."""
        if self.summary is not None:
            return self.summary.status
        if self.problem is not None:
            return RunStatus.FAILED
        return RunStatus.RUNNING

    @property
    def elapsed(self) -> float:
        """Seconds since the run started (frozen once it ended)."""
        if self._frozen_elapsed is not None:
            return self._frozen_elapsed
        if self.started_clock is None:
            return 0.0
        return max(0.0, self.clock() - self.started_clock)

    @property
    def removals_to_allow(self) -> int | None:
        """How many removals a rerun must allow, when this mirror run stopped at the limit.

        The engine announces the planned removals (``ContactsRemoved(0, planned)``) and then
        fails the run before its removal stage starts; no other ending looks like that.
        """
        summary = self.summary
        if summary is None or summary.dry_run or summary.status is not RunStatus.FAILED:
            return None
        stated = getattr(summary, "removals_to_allow", None)  # if the engine names it
        if isinstance(stated, int):
            return stated or None
        if (self.removal_planned and not self.removed and not self.removal_started
                and self.stages[Stage.REMOVE] is StageState.FAILED):
            return self.removal_planned
        return None

    @property
    def offers_full_run(self) -> bool:
        """Whether the finished panel offers a full run (the list changed outside sgtui)."""
        return self.finished and self.full_run_suggested and not self.dry_run

    @property
    def rejected_by_sendgrid(self) -> int:
        """Contacts SendGrid refused: its jobs' errored counts, or the rows it rejected."""
        if self.summary is not None and self.summary.rejected_by_sendgrid:
            return self.summary.rejected_by_sendgrid
        errored = sum(row.errored for row in self.batches.values())
        return max(errored, self.rejected_by_sendgrid_rows)

    @property
    def created(self) -> int:
        """Contacts SendGrid created, as its jobs report them."""
        if self.summary is not None and (self.summary.created or self._recorded):
            return self.summary.created
        return sum(row.created for row in self.batches.values())

    @property
    def updated(self) -> int:
        """Contacts SendGrid updated, as its jobs report them."""
        if self.summary is not None and (self.summary.updated or self._recorded):
            return self.summary.updated
        return sum(row.updated for row in self.batches.values())

    @property
    def accepted_batches(self) -> int:
        """Batches SendGrid accepted (202) so far."""
        return len(self.batches)

    @property
    def pending_batches(self) -> int:
        """Accepted batches whose job has not finished yet."""
        return sum(1 for row in self.batches.values() if row.status == "pending")

    def _to_upload(self) -> int | None:
        """Contacts this run will upload: exact once reading ended, else projected."""
        planned = max(0, self.counts.valid - self.counts.unchanged)
        if self.stages[Stage.READ] in (StageState.DONE, StageState.SKIPPED) or self.finished:
            return max(planned, self.uploaded)
        if self.profiles_read and self.profiles_expected:
            return max(self.uploaded, round(planned * self.profiles_expected / self.profiles_read))
        return None

    def _progress(self, done: int, total: int | None, rate: float | None) -> Progress:
        remaining = None
        if not self.finished and total is not None and rate and rate > 0 and done < total:
            remaining = (total - done) / rate
        if self.finished or done == 0 or (total is not None and done >= total):
            rate = None
        return Progress(done, total, rate, remaining)

    @property
    def read_progress(self) -> Progress:
        """Profiles read of those the segments hold."""
        total = self.profiles_expected or (self.profiles_read if self.finished else None)
        return self._progress(self.profiles_read, total, self._rate(1))

    @property
    def upload_progress(self) -> Progress:
        """Contacts SendGrid accepted of those to upload."""
        return self._progress(self.uploaded, self._to_upload(), self._rate(2))

    @property
    def confirm_progress(self) -> Progress:
        """Contacts SendGrid finished processing of those to upload."""
        total = self._to_upload()
        if self.finished and total is not None:
            total = max(total, self.confirmed)
        return self._progress(self.confirmed, total, self._rate(3))

    def stages_to_show(self) -> list[tuple[Stage, StageState, str]]:
        """The stages worth a line: the usual five, plus checking and removal when they ran."""
        shown = []
        for stage in Stage:
            state = self.stages[stage]
            if stage in ALWAYS_SHOWN or state is not StageState.WAITING:
                shown.append((stage, state, self.stage_details.get(stage, "")))
        return shown

    def rate_limit_reset_in(self) -> float | None:
        """Seconds until SendGrid resets the rate limit, as last told."""
        if self.rate_limit is None:
            return None
        return max(0.0, self.rate_limit.reset_at - self.clock())

    def headline(self) -> str:
        """A few words for the header: which export runs and how far it is."""
        if self.finished:
            return f"{self.export}: {self.status.value}"
        for progress, verb in ((self.read_progress, "read"), (self.upload_progress, "uploaded"),
                               (self.confirm_progress, "confirmed")):
            fraction = progress.fraction
            if fraction is not None and fraction < 1.0:
                return f"{self.export} {fraction:.0%} {verb}"
        return f"{self.export} {'starting' if self.started_clock is None else 'finishing'}"

    def summary_line(self) -> str:
        """What happened, in one line (empty while the run is still going)."""
        if self.problem is not None and self.summary is None:
            return f"The run failed: {self.problem}"
        summary = self.summary
        if summary is None:
            return ""
        if summary.status is RunStatus.RUNNING:
            return ("This run is still going in another sgtui (or was killed: the next run of "
                    "the export finishes it).")
        if summary.status is RunStatus.INTERRUPTED and not summary.sentence:
            return "This run was interrupted; the next run of the export finished what it sent."
        if summary.status is RunStatus.CANCELLED and not summary.sentence:
            batches = self.accepted_batches or summary.batches
            return (
                f"Cancelled after {_duration(self.elapsed)}: SendGrid had already accepted "
                f"{self.uploaded:,} contacts in {batches} batch{'es' if batches != 1 else ''}; "
                "those still finish there, nothing else was sent."
            )
        if summary.sentence:
            return summary.sentence
        return (
            f"{summary.status.value.capitalize()} in {_duration(self.elapsed)}: "
            f"{self.uploaded:,} contacts sent, {self.created:,} created, "
            f"{self.updated:,} updated, {self.rejected_total:,} rows set aside."
        )

    # -- rebuilding a finished run (history) -------------------------------------------------
    @classmethod
    def from_history(
        cls,
        summary: RunSummary,
        jobs: Iterable[object] = (),
        rejected: Iterable[RejectedRow] = (),
        *,
        clock: Clock = time.monotonic,
    ) -> RunProgressState:
        """The state a finished run ended in, from what the state store kept.

        ``jobs`` are the store's job records (``batch, job_id, contacts, bytes, status,
        created, updated, errored, kind``).
        """
        state = cls(export=summary.export, clock=clock)
        state.run_id = summary.run_id
        state.profiles_expected = summary.profiles
        for job in jobs:
            if getattr(job, "kind", "upsert") != "upsert":
                continue  # removal jobs are counted in the summary's "removed"
            row = BatchRow(
                int(getattr(job, "batch", 0)),
                _count(job, "contacts"),
                _count(job, "bytes"),
                str(getattr(job, "job_id", "") or ""),
                str(getattr(job, "status", "") or ""),
                _count(job, "created_count", "created"),
                _count(job, "updated_count", "updated"),
                _count(job, "errored"),
            )
            state.batches[row.batch] = row
        state.confirmed = sum(r.created + r.updated + r.errored for r in state.batches.values())
        rows = list(rejected)
        state.rejected = rows[:MAX_REJECTED_SHOWN]
        state.rejected_total = max(
            len(rows),
            summary.invalid_email + summary.missing_email + summary.rejected_by_sendgrid,
        )
        state.uploaded = summary.uploaded
        ended = {
            RunStatus.SUCCEEDED: StageState.DONE,
            RunStatus.PARTIAL: StageState.DONE,
        }.get(summary.status, StageState.SKIPPED)
        for stage in ALWAYS_SHOWN:
            state.stages[stage] = ended
        if ended is StageState.SKIPPED:
            # A run that stopped: what its summary shows was done reads done, the rest
            # "stopped" (never "waiting", as if the run were still to come).
            done = {Stage.READ: summary.profiles > 0,
                    Stage.PREPARE: summary.valid > 0 or summary.uploaded > 0,
                    Stage.UPLOAD: summary.uploaded > 0 and summary.batches > 0}
            for stage in ALWAYS_SHOWN:
                if done.get(stage):
                    state.stages[stage] = StageState.DONE
                else:
                    state.stopped.add(stage)
        state._recorded = True
        if summary.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL) and summary.dry_run:
            state.stages[Stage.UPLOAD] = state.stages[Stage.PROCESS] = StageState.SKIPPED
            state.stages[Stage.VERIFY] = StageState.SKIPPED
        if summary.removed:
            state.stages[Stage.REMOVE] = ended
        state._frozen_elapsed = summary.seconds
        state.finish(summary)
        return state


def suggests_full_run(event: Warned) -> bool:
    """Whether ``event`` says a full run would put the list right.

    Uses the event's ``suggests_full`` flag when the engine sets one; until then, the
    engine's sentence for a list changed outside sgtui is the one naming ``--full``.
    """
    flag = getattr(event, "suggests_full", None)
    if isinstance(flag, bool):
        return flag
    return "--full" in event.sentence


def _count(record: object, *names: str) -> int:
    """The first of ``names`` on ``record`` that holds a number (0 when none does)."""
    for name in names:
        value = getattr(record, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_duration(seconds: float | None) -> str:
    """``1:05`` or ``1:02:03``; an em dash when unknown."""
    if seconds is None:
        return "—"
    return _duration(seconds)
