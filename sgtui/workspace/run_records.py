"""What a run leaves behind: its status, its summary and the rows it set aside.

These plain records live in the workspace layer because the state database keeps them;
the engine's events (:mod:`sgtui.export.events`) carry the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The outcome of a run, in numbers and one sentence."""

    run_id: int
    export: str
    status: RunStatus
    sentence: str
    started_at: datetime
    finished_at: datetime
    dry_run: bool = False
    profiles: int = 0
    valid: int = 0
    duplicates: int = 0
    invalid_email: int = 0
    missing_email: int = 0
    trimmed_fields: int = 0
    unchanged: int = 0
    uploaded: int = 0
    created: int = 0
    updated: int = 0
    rejected_by_sendgrid: int = 0
    removed: int = 0
    batches: int = 0
    jobs: tuple[str, ...] = field(default_factory=tuple)
    rejected_csv: str | None = None

    @property
    def seconds(self) -> float:
        """How long the run took."""
        return (self.finished_at - self.started_at).total_seconds()
