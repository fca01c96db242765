"""Which change of an export's state raises an alert: pure functions, no I/O.

An export (or the refresh as a whole) is, for alerting, ``ok``, ``failed`` or ``partial``.
Each target remembers the last state it was told about. A run alerts a target when it moves
the export into ``failed`` or ``partial`` (if ``on`` lists it), says nothing while the
export stays there, and alerts ``recovered`` on the next success. A partial run counts as a
success when SendGrid refused no more than ``partial_above_percent`` of the rows sent.
Cancelled, interrupted and dry runs tell nothing about the export's health and change
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sgtui.workspace.notify_settings import AlertKind
from sgtui.workspace.run_records import RunStatus, RunSummary


class Health(StrEnum):
    """What an alert target last heard about an export."""

    OK = "ok"
    FAILED = "failed"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do for one target after one outcome."""

    alert: AlertKind | None
    """The alert to send, or None."""
    remember: Health
    """The state the target knows about once the alert (if any) reached it."""


def rejected_percent(summary: RunSummary) -> float:
    """The share of the rows sent in the run that SendGrid refused, in percent."""
    sent = summary.uploaded or summary.valid
    if sent <= 0:
        return 100.0 if summary.rejected_by_sendgrid else 0.0
    return 100.0 * summary.rejected_by_sendgrid / sent


def health_of(summary: RunSummary, partial_above_percent: float) -> Health | None:
    """The export's health after ``summary``; None when the run says nothing about it."""
    if summary.dry_run:
        return None
    if summary.status is RunStatus.SUCCEEDED:
        return Health.OK
    if summary.status is RunStatus.FAILED:
        return Health.FAILED
    if summary.status is RunStatus.PARTIAL:
        past = rejected_percent(summary) > partial_above_percent
        return Health.PARTIAL if past else Health.OK
    return None  # running, cancelled by a person, interrupted: no news


def decide(known: Health, now: Health | None, on: frozenset[AlertKind]) -> Decision:
    """What a target that knows ``known`` should hear now that the export is ``now``."""
    if now is None or now is known:
        return Decision(None, known)
    if now is Health.OK:
        return Decision(AlertKind.RECOVERED if AlertKind.RECOVERED in on else None, Health.OK)
    kind = AlertKind(now.value)
    if kind in on:
        return Decision(kind, now)
    return Decision(None, known)  # not told, so a later recovery still means something
