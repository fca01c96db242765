"""How a run ended, in one status and one sentence: pure functions of what it counted.

``succeeded`` when SendGrid took every contact it was sent. Rows sgtui itself set aside (no
email, or one that is not an email address) do not change that: they are data to fix, not a
failure of the run, and a scheduled refresh must not fail on them every time; the sentence
counts them and names the rejected-rows CSV that lists them. ``partial`` when SendGrid
refused some contacts (or did not finish a job).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from sgtui.errors import sentence_for
from sgtui.export.wording import counted, it_or_them, set_aside_sentence, were
from sgtui.workspace.run_records import RunCounts, RunStatus


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What a finished run knows about itself, beyond its counts."""

    counts: RunCounts
    dry_run: bool = False
    would_remove: int = 0
    """Dry run in mirror mode: people a real run would remove."""
    job_problems: int = 0
    """Jobs SendGrid errored, failed or did not finish in time."""
    unconfirmed: int = 0
    """Contacts whose job SendGrid never confirmed (no answer, or it lost the job)."""
    rejected_csv: str | None = None
    """The rejected-rows file, when it holds a row."""
    notes: tuple[str, ...] = ()
    """Sentences added at the end (e.g. that this run finished an interrupted one)."""


def outcome(facts: RunFacts) -> tuple[RunStatus, str]:
    """The status and sentence of a run that got to its end."""
    counts = facts.counts
    valid = counts.valid
    set_aside = counts.invalid_email + counts.missing_email
    csv_path = facts.rejected_csv
    listed = f"; {csv_path} lists {it_or_them(set_aside)}" if csv_path else ""
    tail = f" {set_aside_sentence(set_aside)}{listed}." if set_aside else ""
    notes = (" " + " ".join(facts.notes)) if facts.notes else ""
    if facts.dry_run:
        sending = valid - counts.unchanged
        removal = (f" and remove {facts.would_remove:,} who left the segments"
                   if facts.would_remove else "")
        return RunStatus.SUCCEEDED, (
            f"Dry run: would send {sending:,} of {counted(valid, 'contact')} "
            f"({counts.unchanged:,} unchanged){removal}; nothing was sent.{tail}{notes}")
    removed = (f" Removed {counted(counts.removed, 'person', 'people')} who left the "
               "segments." if counts.removed else "")
    if counts.rejected_by_sendgrid or facts.job_problems:
        refused, unconfirmed = counts.rejected_by_sendgrid, facts.unconfirmed
        named = f" ({csv_path})" if csv_path else ""
        said = []
        if refused:
            said.append(f"SendGrid refused {refused:,}; the rejected-rows file{named} names "
                        f"{it_or_them(refused)}")
        if unconfirmed:
            said.append(f"SendGrid never confirmed {counted(unconfirmed, 'contact')} (its "
                        "answer did not come); that is no rejection: the next run checks "
                        f"{it_or_them(unconfirmed)} and sends again what SendGrid lacks")
        if not said:
            said.append("SendGrid did not finish every job; the next run checks them again")
        return RunStatus.PARTIAL, (
            f"Sent {counted(counts.uploaded, 'contact')}, but {'; and '.join(said)}."
            f"{removed}{tail}{notes}")
    if counts.uploaded == 0:
        if valid == 0:
            return RunStatus.SUCCEEDED, (
                f"Nothing to send: the segments hold no contact with a usable email."
                f"{removed}{tail}{notes}")
        return RunStatus.SUCCEEDED, (
            f"Nothing changed: SendGrid already has {'the' if valid == 1 else 'all'} "
            f"{counted(valid, 'contact')}, so nothing was sent.{removed}{tail}{notes}")
    skipped = (f" ({counts.unchanged:,} unchanged {were(counts.unchanged)} skipped)"
               if counts.unchanged else "")
    return RunStatus.SUCCEEDED, (
        f"Sent {counted(counts.uploaded, 'contact')}{skipped}; SendGrid confirmed "
        f"{'it' if counts.uploaded == 1 else 'them all'}.{removed}{tail}{notes}")


def fresh_state_sentence(kept_as: Path, *, mirror: bool) -> str:
    """What a run says that found its state database damaged and started a fresh one."""
    removals = (" It removes nobody from the list: sgtui no longer knows whom it put there "
                "before, so people who left the segments earlier stay until you remove them "
                "in SendGrid; from the next run on, people who leave are removed again."
                if mirror else "")
    return (f"The state database was damaged: sgtui kept it as {kept_as.name} (renamed, "
            "not deleted) and started a fresh one, so this run sends every contact once "
            f"(sending one again changes nothing in SendGrid).{removals}")


def cancel_sentence(counts: RunCounts) -> str:
    """What a cancelled run says: how far SendGrid got, and that the next run goes on."""
    if not (counts.uploaded or counts.removed):
        return ("Cancelled before SendGrid accepted any contact of this run; the next run "
                "sends them.")
    removed = (f" and had removed {counted(counts.removed, 'person', 'people')}"
               if counts.removed else "")
    return (f"Cancelled: SendGrid had accepted {counted(counts.uploaded, 'contact')} in "
            f"{counted(counts.batches, 'batch')}{removed}; the next run confirms "
            f"{it_or_them(counts.uploaded + counts.removed)} and sends the rest.")


def too_many_removals(planned: int, limit: int, *, dry: bool) -> str:
    """A mirror run would remove more people than it may unasked: what to do."""
    start = "This run would remove" if dry else "This run stopped before removing"
    return (f"{start} {counted(planned, 'person', 'people')} who left the segments, "
            f"more than the limit of "
            f"{limit:,} (10% of the list or 1,000). Nobody was removed. If that is right, "
            f"run it again with --allow-removals {planned} (or confirm in the app).")


UNEXPECTED = ("The run stopped on an unexpected problem ({cause}); the next run picks up where "
              "it stopped.")
"""The engine's last line, when something it did not foresee broke (details in the log)."""


DISK_FULL = ("The disk holding the workspace is full, so the run stopped; free some space "
             "and run it again: the next run picks up where this one stopped.")
READ_ONLY = ("sgtui cannot write in the workspace folder ({cause}); make it writable for you "
             "and run it again: the next run picks up where this one stopped.")


def unexpected_sentence(error: BaseException) -> str:
    """The sentence for a problem the engine did not foresee (a full disk, a folder it may
    not write, ... are named as such)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return sentence_for(error, READ_ONLY)
    return sentence_for(error, UNEXPECTED)
