"""SIGTERM (systemd, kill) and SIGHUP (a closed SSH session) stop `sgtui run` like Cancel: no
new batches, the answers of batches already sent are awaited and recorded, and the next run
sends nobody twice. A real process against the sandbox, its requests held in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sgtui.export.engine import RunOptions
from sgtui.export.events import RunStatus
from tests.export.conftest import KEY, Setup, run_news
from tests.export.test_repeated_runs import wait_for

BATCH = 100
STOPPED_WITHIN = 15.0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
async def test_a_run_stopped_by_a_signal_never_sends_a_contact_twice(
        setup: Setup, sig: signal.Signals) -> None:
    expected = setup.expected()
    sandbox = setup.sandbox
    sandbox.fault_kinds = ("slow",)  # every answer takes 0.2-0.5 s: batches stay in flight
    sandbox.fault_rate = 1.0
    env = dict(os.environ, SGTUI_API_KEY=KEY, SGTUI_BATCH_CONTACTS=str(BATCH),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    process = subprocess.Popen(
        [sys.executable, "-m", "sgtui", "run", "news", "--workspace",
         str(setup.workspace.folder)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(setup.workspace.state_path, "SELECT COUNT(*) FROM jobs", 3, process)
        process.send_signal(sig)
        signalled = time.monotonic()
        out, err = process.communicate(timeout=STOPPED_WITHIN + 5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert time.monotonic() - signalled < STOPPED_WITHIN
    assert process.returncode == 1, out + err
    assert "Traceback" not in out + err
    assert "cancelled" in out and "no new batches are sent" in err
    first_sent = setup.upserted()
    assert 0 < first_sent < len(expected)

    sandbox.fault_rate = 0.0
    summary, _ = await run_news(setup, RunOptions(max_batch_contacts=BATCH))
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert setup.list_emails() == expected
    assert setup.upserted() == len(expected)  # every contact upserted exactly once


def test_a_refresh_stopped_by_sigterm_runs_no_further_export_and_records_it(
        setup: Setup) -> None:
    from dataclasses import replace

    workspace = setup.workspace
    other = setup.sandbox.create_list("VIP")
    workspace.put_export(replace(workspace.exports["news"], name="vip", list_id=other["id"],
                                 segments=("vip-europe",)))
    workspace.save()
    setup.sandbox.fault_kinds = ("slow",)
    setup.sandbox.fault_rate = 1.0
    env = dict(os.environ, SGTUI_API_KEY=KEY, SGTUI_BATCH_CONTACTS=str(BATCH),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    process = subprocess.Popen(
        [sys.executable, "-m", "sgtui", "refresh", "--json", "--workspace",
         str(workspace.folder)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(workspace.state_path, "SELECT COUNT(*) FROM jobs", 2, process)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=STOPPED_WITHIN + 5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    import json

    assert process.returncode == 1 and "Traceback" not in out + err
    outcome = json.loads(out)
    assert outcome["ok"] is False and "stopped (SIGTERM)" in outcome["sentence"]
    assert [e["status"] for e in outcome["exports"]] == ["cancelled", "failed"]
    assert json.loads((workspace.runs_folder / "last-refresh.json").read_text()) == outcome
    assert setup.sandbox.list_emails(other["id"]) == []  # the second export never started
