"""The state database the history screen reads and the engine writes."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from sgtui.export.events import RejectedRow, RunStatus, RunSummary
from sgtui.workspace.run_records import COUNT_NAMES, RunCounts
from sgtui.workspace.state import StateStore


def start(store: StateStore, export: str = "news") -> int:
    return store.start_run(export, dry_run=False, full=False, pid=os.getpid(),
                           started_at=datetime.now(UTC))


def test_runs_are_listed_newest_first_with_their_jobs_and_rejected_rows(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    assert stat.S_IMODE((tmp_path / "state.db").stat().st_mode) == 0o600
    first = start(store)
    store.record_batch(first, "news", 1, "job-1", [("a@x.com", 11), ("b@x.com", 12)], 90, 2)
    store.finish_job(first, "job-1", "completed", created=2, export="news")
    store.add_rejected(first, [RejectedRow("C1", "bad", "invalid email")], 0)
    now = datetime.now(UTC)
    store.finish_run(RunSummary(first, "news", RunStatus.SUCCEEDED, "Sent 2.", now, now,
                                uploaded=2, created=2, batches=1))
    second = start(store, "other")

    runs = store.list_runs()
    assert [run.run_id for run in runs] == [second, first]
    assert runs[0].status is RunStatus.RUNNING
    assert store.last_run("news").jobs == ("job-1",)
    [job] = store.run_jobs(first)
    assert (job.batch, job.job_id, job.contacts, job.bytes, job.status, job.created,
            job.errored) == (1, "job-1", 2, 90, "completed", 2, 0)
    assert store.rejected_rows(first) == [RejectedRow("C1", "bad", "invalid email")]
    assert store.get_run(999) is None


def test_a_failed_job_makes_its_contacts_go_again(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    run = start(store)
    store.record_batch(run, "news", 1, "job-1", [("a@x.com", 11)], 40, 1)
    store.record_batch(run, "news", 2, "job-2", [("b@x.com", 12)], 40, 1)
    store.finish_job(run, "job-1", "failed", errored=1, export="news")
    store.finish_job(run, "job-2", "completed", export="news")
    assert store.known_hashes("news", ["a@x.com", "b@x.com"]) == {"a@x.com": 0, "b@x.com": 12}


def test_a_dead_run_is_marked_interrupted_and_its_pending_jobs_found(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    dead = start(store)
    store.record_batch(dead, "news", 1, "job-1", [("a@x.com", 11)], 40, 1)
    current = start(store)
    assert store.interrupted_runs("news", current) == [dead]
    assert store.get_run(dead).status is RunStatus.INTERRUPTED
    assert store.get_run(dead).uploaded == 1
    assert [job.job_id for job in store.pending_jobs("news", current)] == ["job-1"]


def test_another_list_forgets_what_was_sent(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    run = start(store)
    assert not store.reset_contacts_for_list("news", "list-1")
    store.record_batch(run, "news", 1, "job-1", [("a@x.com", 11)], 40, 1)
    assert not store.reset_contacts_for_list("news", "list-1")
    assert store.reset_contacts_for_list("news", "list-2")
    assert store.confirmed_count("news") == 0


def test_every_counter_of_a_run_is_kept(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.db")
    run = start(store)
    counts = RunCounts(**{name: 10 + position for position, name in enumerate(COUNT_NAMES)})
    now = datetime.now(UTC)
    store.finish_run(RunSummary(run, "news", RunStatus.SUCCEEDED, "Done.", now, now,
                                **counts.as_dict()))
    kept = store.get_run(run)
    assert kept is not None and kept.counts == counts


def test_a_database_from_before_a_counter_existed_gains_its_column(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old = start(StateStore(path))
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE runs DROP COLUMN trimmed_fields")  # as if it were a new counter
    db.close()

    store = StateStore(path)
    assert store.get_run(old).trimmed_fields == 0
    run = start(store)
    now = datetime.now(UTC)
    store.finish_run(RunSummary(run, "news", RunStatus.SUCCEEDED, "Done.", now, now,
                                trimmed_fields=7))
    assert store.get_run(run).trimmed_fields == 7
