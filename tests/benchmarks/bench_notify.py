"""Benchmark: what alerts cost a run (run by hand, from the repository's root).

    python tests/benchmarks/bench_notify.py

Three figures, each beside a floor measured in the same run:
- after a run that changes nothing (the common case): ``notice_run`` with ``[notify]`` set,
  against a bare SQLite open and read of one row in the same state database;
- after a run with no ``[notify]`` at all;
- an alert that goes out, to a webhook and an SMTP server on loopback, against a bare
  httpx POST and a bare smtplib send of the same alert.
"""

from __future__ import annotations

import smtplib
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notify.conftest import set_notify
from notify.receivers import SmtpReceiver, WebhookReceiver

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.notify.mail import build_mail
from sgtui.notify.message import Place, trial_alert
from sgtui.notify.service import notice_run
from sgtui.workspace.run_records import RunStatus, RunSummary
from sgtui.workspace.state import StateStore


def per_call(function, count: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for number in range(count):
        function(number)
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    with WebhookReceiver() as webhook, SmtpReceiver() as smtp:
        workspace = prepare_demo_workspace(Path(tempfile.mkdtemp()) / "ws", profiles=20,
                                           seed=1)
        store = StateStore(workspace.state_path)
        now = datetime.now(UTC)
        run_id = store.start_run("news", dry_run=False, full=False, pid=1, started_at=now)
        ok = RunSummary(run_id=run_id, export="news", status=RunStatus.SUCCEEDED,
                        sentence="Sent 1 contact.", started_at=now, finished_at=now)
        failed = RunSummary(run_id=run_id, export="news", status=RunStatus.FAILED,
                            sentence="SendGrid did not accept the API key.",
                            started_at=now, finished_at=now)
        store.finish_run(ok)

        def bare_read(_: int) -> None:
            db = sqlite3.connect(workspace.state_path)
            db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
            db.close()

        none = per_call(lambda _: notice_run(workspace, ok), 200)
        workspace = set_notify(workspace, webhook=webhook.url, email=["ops@example.com"],
                               smtp=smtp.url(), from_="sgtui@example.com")
        floor = per_call(bare_read, 200)
        quiet = per_call(lambda _: notice_run(workspace, ok), 200)
        print(f"after a run, no [notify]:           {none:7.2f} ms")
        print(f"after a run that changes nothing:   {quiet:7.2f} ms "
              f"(floor, one SQLite read: {floor:.2f} ms)")

        alert = trial_alert(Place("bench", str(workspace.folder)))

        def bare_send(_: int) -> None:
            httpx.post(webhook.url, json=alert.webhook_payload())
            with smtplib.SMTP("127.0.0.1", smtp.port) as client:
                client.send_message(build_mail(alert, "sgtui@example.com",
                                               ("ops@example.com",)))

        bare = per_call(bare_send, 20)
        sending = per_call(lambda n: notice_run(workspace, failed if n % 2 == 0 else ok), 20)
        print(f"an alert to a webhook and by mail:  {sending:7.1f} ms "
              f"(floor, a bare POST and a bare send: {bare:.1f} ms)")


if __name__ == "__main__":
    main()
