"""Issue 8: repeated runs are cheap and correct: deltas, mirror mode, resume after SIGKILL."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.export.engine import RunOptions
from sgtui.export.events import ContactsPrepared, RunStatus
from sgtui.workspace.model import SyncMode
from sgtui.workspace.state import StateStore

from .conftest import KEY, Setup, run_news


async def test_unchanged_rerun_sends_nothing_and_says_so(setup: Setup) -> None:
    first, _ = await run_news(setup)
    puts = setup.put_count()
    again, events = await run_news(setup)

    assert setup.put_count() == puts
    assert again.uploaded == 0 and again.unchanged == first.valid
    assert again.sentence.startswith("Nothing changed")
    assert any(isinstance(e, ContactsPrepared) and e.counts.unchanged for e in events)
    assert setup.list_emails() == setup.expected()


async def test_changing_one_profile_sends_exactly_one_contact(setup: Setup) -> None:
    await run_news(setup)
    db = sqlite3.connect(setup.db_path)
    (customer,) = db.execute(
        "SELECT MIN(customer_id) FROM profiles WHERE customer_id IN (SELECT profile_id FROM "
        "segment_members WHERE segment_id = 'high-value') AND LOWER(TRIM(email)) IN "
        "(SELECT LOWER(TRIM(email)) FROM profiles GROUP BY 1 HAVING COUNT(*) = 1) "
        "AND email LIKE '%@%.%' AND email NOT LIKE '% %'").fetchone()
    db.close()
    setup.sql("UPDATE profiles SET first_name = 'Renamed' WHERE customer_id = ?", customer)
    before = setup.upserted()
    summary, _ = await run_news(setup)

    assert summary.uploaded == 1
    assert setup.upserted() - before == 1
    full, _ = await run_news(setup, RunOptions(full=True))
    assert full.uploaded == full.valid


def leave_segment(setup: Setup, count: int) -> None:
    """Take ``count`` newsletter members who are in no other chosen segment out of it."""
    setup.sql(
        "DELETE FROM segment_members WHERE segment_id = 'newsletter-optin' AND profile_id IN "
        "(SELECT profile_id FROM segment_members WHERE segment_id = 'newsletter-optin' AND "
        "profile_id NOT IN (SELECT profile_id FROM segment_members WHERE segment_id = "
        "'high-value') ORDER BY profile_id LIMIT ?)", count)


async def test_mirror_mode_removes_exactly_the_people_who_left(setup: Setup) -> None:
    setup.change_export(mode=SyncMode.MIRROR)
    await run_news(setup)
    before = setup.expected()
    leave_segment(setup, 40)
    after = setup.expected()
    left = set(before) - set(after)
    assert 30 <= len(left) <= 40

    dry, _ = await run_news(setup, RunOptions(dry_run=True))
    assert f"remove {len(left):,} who left" in dry.sentence
    assert setup.list_emails() == before

    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert summary.removed == len(left)
    assert setup.list_emails() == after
    assert setup.sandbox.stats()["contacts_removed"] == len(left)


def test_removal_limit_stops_a_run_until_allowed(setup: Setup,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    setup.change_export(mode=SyncMode.MIRROR)
    folder = str(setup.workspace.folder)
    assert main(["run", "news", "--workspace", folder]) == 0
    setup.change_export(segments=("vip-europe",))
    leaving = len(set(setup.expected()) - set(setup.expected(("vip-europe",))))
    assert leaving > 1_000
    capsys.readouterr()

    assert main(["run", "news", "--workspace", folder]) == 1
    assert f"--allow-removals {leaving}" in capsys.readouterr().out
    assert set(setup.expected()) <= set(setup.list_emails())  # nobody was removed

    assert main(["run", "news", "--allow-removals", str(leaving), "--workspace", folder]) == 0
    assert setup.list_emails() == setup.expected(("vip-europe",))


# ----------------------------------------------------------------------- kill and resume
BATCH = 300


def start_run(setup: Setup) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SGTUI_API_KEY=KEY, SGTUI_BATCH_CONTACTS=str(BATCH),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    return subprocess.Popen(
        [sys.executable, "-m", "sgtui", "run", "news", "--workspace",
         str(setup.workspace.folder)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for(state: Path, sql: str, enough: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``sql`` on the state database counts ``enough`` (the run got that far)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        if state.exists():
            try:
                db = sqlite3.connect(state, timeout=5)
                (count,) = db.execute(sql).fetchone()
                db.close()
            except sqlite3.OperationalError:  # not created yet
                count = 0
            if count >= enough:
                return
        time.sleep(0.02)
    raise AssertionError(f"the run never got to {sql!r} >= {enough}")


@pytest.mark.parametrize("moment", ["reading", "uploading", "confirming"])
async def test_run_killed_at_any_moment_is_finished_by_the_next(setup: Setup,
                                                                moment: str) -> None:
    setup.change_export(mode=SyncMode.MIRROR)
    expected = setup.expected()
    batches = math.ceil(len(expected) / BATCH)
    sandbox = setup.sandbox
    if moment == "uploading":  # two batches get through, the third waits for the window
        sandbox.rate_window_seconds = 60.0
        sandbox.rate_limit_contacts = 2
    if moment == "confirming":
        sandbox.job_delay = 1.5
    process = start_run(setup)
    state = setup.workspace.state_path
    if moment == "reading":
        wait_for(state, "SELECT COUNT(*) FROM runs WHERE status = 'running'", 1, process)
    elif moment == "uploading":
        wait_for(state, "SELECT COUNT(*) FROM jobs", 2, process)
    else:
        wait_for(state, "SELECT COUNT(*) FROM jobs WHERE status = 'pending'", batches, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    sandbox.rate_limit_contacts = 10_000
    sandbox.job_delay = 0.0
    puts = setup.put_count()

    summary, _ = await run_news(setup, RunOptions(max_batch_contacts=BATCH))

    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert setup.list_emails() == expected
    if moment == "confirming":  # accepted batches are checked, not sent again
        assert setup.put_count() == puts
    if moment == "uploading":  # nothing sent twice
        assert setup.upserted() == len(expected)
    history = StateStore(state).list_runs("news")
    assert [run.status for run in history] == [RunStatus.SUCCEEDED, RunStatus.INTERRUPTED]
    assert f"run {summary.run_id} finishes it" in history[1].sentence
    again, _ = await run_news(setup)
    assert again.uploaded == 0 and again.removed == 0
