"""Folding the engine's events into the panel's state: numbers a user would read."""

from __future__ import annotations

import pytest

from sgtui.export.events import (
    BatchUploaded,
    JobUpdated,
    RateLimitSeen,
    RejectedRow,
    RowsRejected,
    RunFinished,
    RunStatus,
    Stage,
    StageState,
)
from sgtui.export.progress_state import MAX_REJECTED_SHOWN, RunProgressState, format_duration
from sgtui.workspace.state import JobRecord

from .scripted import (
    EXPORT,
    STARTED_AT,
    FakeClock,
    finished_state,
    finished_summary,
    mid_run_state,
)


def test_mid_run_counts_rates_and_time_left_come_from_the_fake_clock() -> None:
    state = mid_run_state()
    assert state.status is RunStatus.RUNNING
    assert (state.profiles_read, state.profiles_expected) == (20_000, 25_000)
    assert state.uploaded == 16_000 and state.confirmed == 12_000
    assert state.elapsed == 8.0
    read = state.read_progress
    assert read.fraction == 0.8 and 2_000 < read.rate < 2_600
    assert read.remaining_seconds == pytest.approx(5_000 / read.rate)
    assert state.upload_progress.total == 24_125  # projected from what was read so far
    assert state.stages[Stage.UPLOAD] is StageState.RUNNING
    assert (state.created, state.updated) == (3_000, 9_000)
    assert state.pending_batches == 1
    assert list(state.throughput) == [0.0, 0.0] + [4_000.0, 0.0] * 3
    assert state.headline() == f"{EXPORT} 80% read"


def test_finished_state_stops_the_clock_and_says_what_happened_in_one_line() -> None:
    state = finished_state()
    elapsed = state.elapsed
    state.clock.advance(60)  # type: ignore[attr-defined]
    assert state.elapsed == elapsed == 14.0
    assert state.status is RunStatus.PARTIAL
    assert state.confirm_progress.fraction == 1.0
    assert state.read_progress.remaining_seconds is None
    assert "24,125 contacts" in state.summary_line()
    assert "\n" not in state.summary_line()


def test_cancelled_summary_says_what_sendgrid_already_accepted() -> None:
    state = RunProgressState(export=EXPORT, clock=FakeClock())
    state.apply(BatchUploaded(1, 10_000, 2_000_000, "job-1", 10_000))
    state.apply(BatchUploaded(2, 10_000, 2_000_000, "job-2", 20_000))
    state.apply(RunFinished(finished_summary(RunStatus.CANCELLED, sentence="", uploaded=20_000)))
    line = state.summary_line()
    assert "already accepted 20,000 contacts in 2 batches" in line
    assert "still finish" in line


def test_job_updates_fill_the_batch_row_and_rate_limit_resets_count_down() -> None:
    clock = FakeClock()
    state = RunProgressState(export=EXPORT, clock=clock)
    state.apply(BatchUploaded(1, 3, 600, "job-a", 3))
    state.apply(JobUpdated(1, "job-a", "errored", 1, 1, 1, 3))
    state.apply(RateLimitSeen(600, 12, 30.0))
    clock.advance(10)
    row = state.batches[1]
    assert (row.status, row.created, row.updated, row.errored) == ("errored", 1, 1, 1)
    assert state.rejected_by_sendgrid == 1
    assert state.rate_limit_reset_in() == 20.0


def test_rejected_rows_are_capped_for_display_but_counted_in_full() -> None:
    state = RunProgressState(export=EXPORT)
    rows = tuple(RejectedRow(f"k{i}", f"bad{i}", "invalid email") for i in range(700))
    state.apply(RowsRejected(rows, False, "runs/1-rejected.csv"))
    assert len(state.rejected) == MAX_REJECTED_SHOWN
    assert state.rejected_total == 700
    assert state.rejected_csv == "runs/1-rejected.csv"


def test_a_run_rebuilt_from_history_matches_its_summary() -> None:
    summary = finished_summary()
    jobs = [
        JobRecord(batch=1, job_id="job-1", contacts=20_000, bytes=4_000_000, status="completed",
                  created=5_000, updated=15_000, errored=0, sent_at=STARTED_AT),
        JobRecord(batch=1, job_id="rm-1", contacts=5, bytes=0, status="completed",
                  created=0, updated=0, errored=0, kind="remove"),
    ]
    state = RunProgressState.from_history(
        summary, jobs, [RejectedRow("c1", "x", "invalid email")]
    )
    assert state.finished and state.status is RunStatus.PARTIAL
    assert list(state.batches) == [1] and state.batches[1].created == 5_000
    assert state.elapsed == 14.0
    assert state.stages[Stage.VERIFY] is StageState.DONE
    assert state.summary_line() == summary.sentence


def test_a_cancelled_run_from_history_shows_how_it_ended() -> None:
    summary = finished_summary(RunStatus.CANCELLED, sentence="Cancelled.", uploaded=0,
                               created=0, updated=0, batches=0, jobs=())
    jobs = [JobRecord(batch=1, job_id="job-1", contacts=20_000, bytes=4_000_000,
                      status="completed", created=23_371, updated=0, errored=0,
                      sent_at=STARTED_AT)]
    state = RunProgressState.from_history(summary, jobs, [])
    assert state.status is RunStatus.CANCELLED
    assert state.created == 0 and state.updated == 0  # the recorded outcome, not the jobs
    assert state.stages[Stage.READ] is StageState.DONE
    for stage in (Stage.UPLOAD, Stage.PROCESS, Stage.VERIFY):
        assert state.stages[stage] is StageState.SKIPPED and stage in state.stopped
    shown = (Stage.READ, Stage.PREPARE, Stage.UPLOAD, Stage.PROCESS, Stage.VERIFY)
    assert all(state.stages[stage] is not StageState.WAITING for stage in shown)


def test_durations_read_like_a_clock() -> None:
    assert format_duration(5) == "0:05"
    assert format_duration(3_725) == "1:02:05"
    assert format_duration(None) == "—"


def removal_run(*, started: bool, dry_run: bool = False) -> RunProgressState:
    """A mirror run that planned 1,500 removals and then failed (before or after starting)."""
    from sgtui.export.events import ContactsRemoved, StageChanged

    state = RunProgressState(export=EXPORT, clock=FakeClock())
    state.apply(ContactsRemoved(0, 1_500))
    if started:
        state.apply(StageChanged(Stage.REMOVE, StageState.RUNNING))
    state.apply(StageChanged(Stage.REMOVE, StageState.FAILED, "stopped"))
    state.apply(RunFinished(finished_summary(RunStatus.FAILED, dry_run=dry_run)))
    return state


def test_a_run_stopped_at_the_removal_limit_offers_exactly_its_planned_removals() -> None:
    assert removal_run(started=False).removals_to_allow == 1_500
    assert removal_run(started=True).removals_to_allow is None  # failed while removing
    assert removal_run(started=False, dry_run=True).removals_to_allow is None
    assert finished_state().removals_to_allow is None


def test_only_a_warning_about_a_list_changed_outside_offers_a_full_run() -> None:
    from sgtui.export.events import Warned

    state = finished_state()
    state.apply(Warned("This export holds more than 100,000 contacts; SendGrid may take a "
                       "while to process them."))
    assert not state.offers_full_run
    state.apply(Warned("The list holds 10 contacts but sgtui put 12 on it: it may have "
                       "changed outside sgtui. A full run (--full) sends everyone again."))
    assert state.offers_full_run
