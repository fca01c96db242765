"""How to run an export: the knobs of one run."""

from __future__ import annotations

from dataclasses import dataclass

from sgtui.export.batches import MAX_BYTES, MAX_CONTACTS
from sgtui.export.jobs import PollTiming
from sgtui.source.base import CHUNK_SIZE


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run an export."""

    dry_run: bool = False
    full: bool = False
    """Send every contact, not only the new and changed ones."""
    allow_removals: int | None = None
    """Mirror mode: allow removing up to this many people, past the 10%/1,000 limit."""
    hard_cap: int | None = None
    """Stop a run whose segments hold more profiles than this; None: the workspace's
    ``[limits] max_profiles_per_export``."""
    concurrency: int = 2
    """Upload requests in flight at once (and batches built ahead)."""
    max_batch_contacts: int = MAX_CONTACTS
    max_batch_bytes: int = MAX_BYTES
    chunk_size: int = CHUNK_SIZE
    """Rows read from the customer data at a time."""
    poll_initial: float = 0.05
    poll_max: float = 10.0
    job_timeout: float = 3_600.0
    """How long to wait for SendGrid to finish one job before leaving it to the next run."""

    @property
    def poll_timing(self) -> PollTiming:
        """How the run polls its jobs."""
        return PollTiming(self.poll_initial, self.poll_max, self.job_timeout)
