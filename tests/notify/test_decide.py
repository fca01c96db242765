"""Which change of an export's state alerts: entering failed or partial, and recovering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sgtui.notify.decide import Decision, Health, decide, health_of, rejected_percent
from sgtui.workspace.notify_settings import AlertKind
from sgtui.workspace.run_records import RunStatus, RunSummary

ALL = frozenset(AlertKind)
NOW = datetime(2026, 12, 1, 3, 17, tzinfo=UTC)


def run(status: RunStatus, *, uploaded: int = 1000, refused: int = 0,
        dry_run: bool = False) -> RunSummary:
    return RunSummary(run_id=1, export="news", status=status, sentence="", started_at=NOW,
                      finished_at=NOW, uploaded=uploaded, valid=uploaded,
                      rejected_by_sendgrid=refused, dry_run=dry_run)


@pytest.mark.parametrize(("known", "now", "expected"), [
    (Health.OK, Health.FAILED, Decision(AlertKind.FAILED, Health.FAILED)),
    (Health.FAILED, Health.FAILED, Decision(None, Health.FAILED)),
    (Health.FAILED, Health.OK, Decision(AlertKind.RECOVERED, Health.OK)),
    (Health.OK, Health.OK, Decision(None, Health.OK)),
    (Health.OK, Health.PARTIAL, Decision(AlertKind.PARTIAL, Health.PARTIAL)),
    (Health.PARTIAL, Health.PARTIAL, Decision(None, Health.PARTIAL)),
    (Health.PARTIAL, Health.FAILED, Decision(AlertKind.FAILED, Health.FAILED)),
    (Health.FAILED, Health.PARTIAL, Decision(AlertKind.PARTIAL, Health.PARTIAL)),
    (Health.PARTIAL, Health.OK, Decision(AlertKind.RECOVERED, Health.OK)),
    (Health.FAILED, None, Decision(None, Health.FAILED)),
])
def test_an_alert_on_each_change_of_state_and_none_while_it_stays(
        known: Health, now: Health | None, expected: Decision) -> None:
    assert decide(known, now, ALL) == expected


def test_on_leaves_out_what_it_does_not_list() -> None:
    only_failed = frozenset({AlertKind.FAILED})
    assert decide(Health.OK, Health.PARTIAL, only_failed) == Decision(None, Health.OK)
    # Told nothing about the partial run, so its end is no recovery either.
    assert decide(Health.OK, Health.OK, only_failed) == Decision(None, Health.OK)
    # Told about the failure, not about recoveries: the state still resets to ok, so the
    # next failure alerts again.
    assert decide(Health.FAILED, Health.OK, only_failed) == Decision(None, Health.OK)
    assert decide(Health.OK, Health.FAILED, only_failed).alert is AlertKind.FAILED


def test_partial_runs_alert_only_past_the_threshold() -> None:
    four = run(RunStatus.PARTIAL, uploaded=1000, refused=40)
    six = run(RunStatus.PARTIAL, uploaded=1000, refused=60)
    assert rejected_percent(four) == pytest.approx(4.0)
    assert health_of(four, 5) is Health.OK
    assert health_of(six, 5) is Health.PARTIAL
    assert health_of(replace(four, rejected_by_sendgrid=50), 5) is Health.OK  # "past" it
    assert health_of(four, 0) is Health.PARTIAL  # the default: any refused row


def test_runs_that_say_nothing_about_the_export_change_nothing() -> None:
    assert health_of(run(RunStatus.CANCELLED), 0) is None
    assert health_of(run(RunStatus.INTERRUPTED), 0) is None
    assert health_of(run(RunStatus.FAILED, dry_run=True), 0) is None
    assert health_of(run(RunStatus.FAILED), 0) is Health.FAILED
    assert health_of(run(RunStatus.SUCCEEDED), 0) is Health.OK
