"""What a run tells whoever listens: plain, immutable event objects.

The engine takes one callback, ``on_event(event)``, and knows nothing about who listens.
The TUI's progress panel and the CLI's Rich progress fold the same events into their view.
Counts in events are cumulative for the run (a listener may drop events between redraws
and still show the right numbers), except where a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sgtui.workspace.run_records import RejectedRow, RunCounts, RunStatus, RunSummary

__all__ = [
    "BatchUploaded", "ContactsPrepared", "ContactsRemoved", "JobUpdated", "ProfilesRead",
    "RateLimitSeen", "RejectedRow", "Retrying", "RowsRejected", "RunCounts", "RunEvent",
    "RunFinished", "RunStarted", "RunStatus", "RunSummary", "Stage", "StageChanged",
    "StageState", "Warned",
]


class Stage(StrEnum):
    """The steps of a run, in order."""

    PLAN = "plan"
    READ = "read"
    PREPARE = "prepare"
    UPLOAD = "upload"
    PROCESS = "process"
    REMOVE = "remove"
    VERIFY = "verify"

    @property
    def label(self) -> str:
        """The words the progress panel shows."""
        return {
            "plan": "Checking the export",
            "read": "Reading segments",
            "prepare": "Preparing contacts",
            "upload": "Uploading",
            "process": "SendGrid processing",
            "remove": "Removing people who left",
            "verify": "Verifying the list",
        }[self.value]


class StageState(StrEnum):
    """Where a stage is."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run began."""

    run_id: int
    export: str
    started_at: datetime
    dry_run: bool
    profiles_expected: int | None
    """Profiles the segments hold; None when the run stopped before counting them."""


@dataclass(frozen=True, slots=True)
class StageChanged:
    """A stage started, finished, was skipped or failed."""

    stage: Stage
    state: StageState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ProfilesRead:
    """Cumulative: profiles read from the customer data so far."""

    read: int
    expected: int


@dataclass(frozen=True, slots=True)
class ContactsPrepared:
    """Cumulative: the run's counts as reading and preparing the profiles left them.

    ``counts.unchanged``: contacts a delta run skips because SendGrid already has them.
    """

    counts: RunCounts


@dataclass(frozen=True, slots=True)
class BatchUploaded:
    """SendGrid accepted a batch (202) and gave it a job."""

    batch: int
    contacts: int
    bytes: int
    job_id: str
    uploaded_total: int  # cumulative contacts accepted so far


@dataclass(frozen=True, slots=True)
class JobUpdated:
    """SendGrid's job for a batch changed (pending -> completed, errored or failed)."""

    batch: int
    job_id: str
    status: str
    created: int
    updated: int
    errored: int
    confirmed_total: int  # cumulative contacts SendGrid finished processing


@dataclass(frozen=True, slots=True)
class RowsRejected:
    """Rows set aside (by sgtui's checks or by SendGrid's 400); not cumulative."""

    rows: tuple[RejectedRow, ...]
    by_sendgrid: bool
    csv_path: str


@dataclass(frozen=True, slots=True)
class RateLimitSeen:
    """SendGrid's rate-limit headers on the latest answer."""

    limit: int
    remaining: int
    reset_in: float


@dataclass(frozen=True, slots=True)
class Retrying:
    """A request failed in a way worth retrying; sgtui waits and tries again."""

    reason: str
    attempt: int
    delay: float


@dataclass(frozen=True, slots=True)
class Warned:
    """Something the user should know that does not stop the run."""

    sentence: str


@dataclass(frozen=True, slots=True)
class ContactsRemoved:
    """Cumulative: people removed from the list because they left the segments (mirror)."""

    removed: int
    planned: int


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The run ended; nothing follows this event."""

    summary: RunSummary


RunEvent = (
    RunStarted | StageChanged | ProfilesRead | ContactsPrepared | BatchUploaded | JobUpdated
    | RowsRejected | RateLimitSeen | Retrying | Warned | ContactsRemoved | RunFinished
)
