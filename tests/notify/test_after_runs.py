"""Alerts after `sgtui refresh`, `sgtui run` and runs started in the app; a refresh that
fails as a whole alerts too; a target that fails never changes an exit code."""

from __future__ import annotations

import time

import pytest

from sgtui.cli import main
from sgtui.export.locks import FileLock
from sgtui.tui.app import make_app
from sgtui.tui.runs import start_run
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import KeyringSecrets

from .conftest import KEY, SHORT, Alerted


def refresh(alerted: Alerted) -> int:
    return main(["refresh", "--workspace", alerted.folder])


def kinds(alerted: Alerted) -> list[str]:
    return [body["kind"] for body in alerted.webhook.bodies]


def test_refresh_alerts_once_on_failing_and_once_on_recovery(
        alerted: Alerted, capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh(alerted) == 0
    assert kinds(alerted) == [] and alerted.smtp.messages == []

    alerted.break_list()
    assert refresh(alerted) == 1
    assert refresh(alerted) == 1
    assert kinds(alerted) == ["failed"] and len(alerted.smtp.messages) == 1
    err = capsys.readouterr().err
    assert "alert: webhook to 127.0.0.1: delivered" in err
    assert "alert: email to ops@example.com via 127.0.0.1:" in err

    alerted.mend_list()
    assert refresh(alerted) == 0
    assert refresh(alerted) == 0
    assert kinds(alerted) == ["failed", "recovered"] and len(alerted.smtp.messages) == 2
    for text in alerted.everything_sent():
        assert KEY not in text
        assert not any(email in text for email in alerted.customer_emails())


@pytest.mark.parametrize("trouble", ["500", "hang"])
def test_a_failing_webhook_never_changes_the_exit_code(alerted: Alerted, trouble: str) -> None:
    alerted.webhook.hang = trouble == "hang"
    alerted.webhook.status = 500
    alerted.break_list()
    started = time.monotonic()
    assert main(["run", "news", "--workspace", alerted.folder]) == 1
    alerted.mend_list()
    assert main(["run", "news", "--workspace", alerted.folder]) == 0
    # Two runs, each waiting at most one bound for its alerts (plus the runs themselves).
    assert time.monotonic() - started < 2 * SHORT.bound + 10
    assert len(alerted.smtp.messages) == 2  # mail still went out: failed, then recovered
    # The webhook never heard of the failure, so it hears of no recovery either.
    assert kinds(alerted) == ["failed", "failed"]  # two tries of the one alert
    log = (alerted.workspace.runs_folder / "sgtui.log").read_text()
    assert log.count("NOT delivered by webhook to 127.0.0.1") == 1


def test_a_refresh_that_fails_as_a_whole_alerts(alerted: Alerted) -> None:
    with FileLock(alerted.workspace.folder / "refresh.lock"):
        assert refresh(alerted) == 1
    assert kinds(alerted) == ["failed"]
    assert "another refresh of this workspace is still running" in (
        alerted.webhook.texts()[0].splitlines()[0].lower())

    saved = alerted.workspace.source_path.read_bytes()
    alerted.workspace.source_path.write_bytes(b"not a database" * 200)
    assert refresh(alerted) == 2
    assert kinds(alerted) == ["failed"]  # still failing: nothing new

    alerted.workspace.source_path.write_bytes(saved)
    assert refresh(alerted) == 0
    assert kinds(alerted) == ["failed", "recovered"]
    assert alerted.webhook.texts()[1].startswith("sgtui: the refresh on host ")


def test_unreadable_customer_data_says_so_in_the_alert(alerted: Alerted) -> None:
    alerted.workspace.source_path.write_bytes(b"not a database" * 200)
    assert refresh(alerted) == 2
    line = alerted.webhook.texts()[0].splitlines()[0]
    assert line.startswith("sgtui: the refresh on host ") and "not a readable SQLite" in line


def test_dry_runs_alert_nothing(alerted: Alerted) -> None:
    alerted.break_list()
    assert main(["run", "news", "--dry-run", "--workspace", alerted.folder]) == 1
    assert kinds(alerted) == []


async def test_a_run_started_in_the_app_alerts(alerted: Alerted) -> None:
    alerted.break_list()
    app = make_app(Workspace.open(alerted.workspace.folder), secrets=KeyringSecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        handle = start_run(app, "news", show=False)
        assert handle.worker is not None
        await handle.worker.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert kinds(alerted) == ["failed"] and len(alerted.smtp.messages) == 1
    assert alerted.webhook.bodies[0]["export"] == "news"


async def test_an_alert_the_app_could_not_deliver_is_a_toast(alerted: Alerted) -> None:
    alerted.break_list()
    alerted.webhook.status = 500
    app = make_app(Workspace.open(alerted.workspace.folder), secrets=KeyringSecrets())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        handle = start_run(app, "news", show=False)
        assert handle.worker is not None
        await handle.worker.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
        toasts = {n.title: n.message for n in app._notifications}
    assert toasts["Alert not delivered"] == (
        "webhook to 127.0.0.1: FAILED: 127.0.0.1 answered HTTP 500 (tried 2 times).")
    assert "news: run ended" in toasts  # the run's own outcome is told as before
    assert len(alerted.smtp.messages) == 1
