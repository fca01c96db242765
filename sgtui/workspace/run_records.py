"""What a run leaves behind: its status, its summary and the rows it set aside.

These plain records live in the workspace layer because the state database keeps them;
the engine's events (:mod:`sgtui.export.events`) carry the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum


class RunStatus(StrEnum):
    """How a run ended (or that it has not)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, but some rows were rejected
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # killed; the next run of the export finishes it


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """One row that did not go to SendGrid, and why."""

    key: str
    email: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunCounts:
    """A run's counters: the one list of them.

    The state database keeps one column per field (it adds the column for a new one), the
    run summary carries them, the engine's events and the progress panel read them, the CLI's
    JSON lists them; adding a counter is adding a field here.
    """

    profiles: int = 0
    """Rows read from the customer data."""
    valid: int = 0
    """Contacts with a usable email, one per email."""
    duplicates: int = 0
    """Profiles merged into another one with the same email."""
    invalid_email: int = 0
    missing_email: int = 0
    trimmed_fields: int = 0
    """Values cut to SendGrid's longest."""
    values_left_out: int = 0
    """Custom field values a field of its type would refuse (the contact went without)."""
    unchanged: int = 0
    """Contacts skipped because SendGrid already has them as they are (delta runs)."""
    uploaded: int = 0
    """Contacts SendGrid accepted (202) in this run."""
    created: int = 0
    updated: int = 0
    rejected_by_sendgrid: int = 0
    removed: int = 0
    """People taken off the list because they left the segments (mirror mode)."""
    batches: int = 0
    """Upload requests SendGrid accepted."""

    def __add__(self, other: RunCounts) -> RunCounts:
        """Both counts added, counter by counter (of summaries too: just the counts)."""
        return RunCounts(**{name: getattr(self, name) + getattr(other, name)
                            for name in COUNT_NAMES})

    def as_dict(self) -> dict[str, int]:
        """Counter name to value, in order."""
        return {name: getattr(self, name) for name in COUNT_NAMES}

    @property
    def counts(self) -> RunCounts:
        """Just the counters (of a summary, say)."""
        return RunCounts(**self.as_dict())

    def plus(self, **added: int) -> RunCounts:
        """These counts with ``added`` added: ``counts.plus(uploaded=500, batches=1)``."""
        return replace(self.counts, **{name: getattr(self, name) + value
                                       for name, value in added.items()})


COUNT_NAMES: tuple[str, ...] = tuple(item.name for item in fields(RunCounts))
"""The names of the counters, in order."""


@dataclass(frozen=True, slots=True)
class RunSummary(RunCounts):
    """The outcome of a run, in numbers (its :class:`RunCounts`) and one sentence."""

    run_id: int
    export: str
    status: RunStatus
    sentence: str
    started_at: datetime
    finished_at: datetime
    dry_run: bool = False
    jobs: tuple[str, ...] = field(default_factory=tuple)
    rejected_csv: str | None = None

    @property
    def seconds(self) -> float:
        """How long the run took."""
        return (self.finished_at - self.started_at).total_seconds()
