"""Issue 4: an export fills its SendGrid list with exactly the segments' valid contacts."""

from __future__ import annotations

import csv
import json
import os
import stat
from dataclasses import replace

import httpx
import pytest

from sgtui.cli import main
from sgtui.export.engine import RATE_LIMIT_WAIT, RunOptions, run_export
from sgtui.export.events import (
    BatchUploaded,
    JobUpdated,
    RateLimitSeen,
    Retrying,
    RowsRejected,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from sgtui.workspace.state import StateStore

from .conftest import KEY, READ_ONLY_KEY, ContractTransport, Setup, run_news


async def test_list_holds_exactly_the_unique_valid_emails(setup: Setup) -> None:
    transport = ContractTransport()
    summary, events = await run_news(setup, RunOptions(max_batch_contacts=500), transport=transport)

    expected = setup.expected()
    assert setup.list_emails() == expected
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert summary.valid == summary.uploaded == summary.created == len(expected)
    assert summary.duplicates > 0 and summary.invalid_email > 0 and summary.missing_email > 0
    assert summary.trimmed_fields > 0  # the demo's 70-character first names
    assert summary.batches == len(summary.jobs) >= 4
    assert transport.requests > summary.batches  # every one of them checked against the spec
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert sum(isinstance(e, BatchUploaded) for e in events) == summary.batches
    assert sum(isinstance(e, JobUpdated) for e in events) == summary.batches
    assert not any(isinstance(e, StageChanged) and e.state == "failed" for e in events)

    history = StateStore(setup.workspace.state_path)
    [recorded] = history.list_runs("news")
    assert recorded.status is RunStatus.SUCCEEDED and recorded.uploaded == len(expected)
    assert [job.job_id for job in history.run_jobs(summary.run_id)] == list(summary.jobs)
    assert all(job.status == "completed" for job in history.run_jobs(summary.run_id))


async def test_rows_without_a_usable_email_are_named_in_an_owner_only_csv(setup: Setup) -> None:
    setup.sql("UPDATE profiles SET email = 'broken@@example.com' WHERE customer_id = 'C0000001'")
    setup.sql("INSERT OR IGNORE INTO segment_members VALUES ('high-value', 'C0000001')")
    summary, events = await run_news(setup)

    path = summary.rejected_csv
    assert path and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == summary.invalid_email + summary.missing_email
    assert {"profile": "C0000001", "email": "broken@@example.com", "reason": "invalid email",
            "rejected_by": "sgtui"} in rows
    assert {row["reason"] for row in rows} == {"invalid email", "missing email"}
    shown = [row for e in events if isinstance(e, RowsRejected) for row in e.rows]
    assert len(shown) == len(rows)
    stored = StateStore(setup.workspace.state_path).rejected_rows(summary.run_id)
    assert len(stored) == len(rows)


class RefusingTransport(ContractTransport):
    """SendGrid refusing some addresses sgtui's own checks let through (stricter rules)."""

    def __init__(self, refuse: set[str]) -> None:
        super().__init__()
        self.refuse = refuse

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            contacts = json.loads(request.content)["contacts"]
            errors = [{"field": f"contacts[{i}].email", "message": f"email '{c['email']}' is "
                       "not valid"} for i, c in enumerate(contacts) if c["email"] in self.refuse]
            if errors:
                return httpx.Response(400, json={"errors": errors}, request=request)
        return await super().handle_async_request(request)


async def test_rows_sendgrid_refuses_are_set_aside_and_the_rest_resent(setup: Setup) -> None:
    refused = set(setup.expected()[10:13])
    summary, events = await run_news(setup, transport=RefusingTransport(refused))

    assert setup.list_emails() == sorted(set(setup.expected()) - refused)
    assert summary.status is RunStatus.PARTIAL
    assert summary.rejected_by_sendgrid == 3
    with open(summary.rejected_csv, encoding="utf-8") as handle:
        by_sendgrid = [row for row in csv.DictReader(handle) if row["rejected_by"] == "sendgrid"]
    assert {row["email"] for row in by_sendgrid} == refused
    assert all(row["profile"].startswith("C") and "not valid" in row["reason"]
               for row in by_sendgrid)
    assert any(isinstance(e, RowsRejected) and e.by_sendgrid for e in events)


async def test_same_list_when_sendgrid_fails_a_fifth_of_requests_and_limits_hard(
        setup: Setup) -> None:
    """Two uploads race for one upsert a second: which one wins each window depends on
    timing (and on load), so the client only gives up on 429s that bring no progress."""
    setup.sandbox.fault_rate = 0.2
    setup.sandbox.rate_window_seconds = 1.0
    setup.sandbox.rate_limit_contacts = 1
    summary, events = await run_news(setup, RunOptions(max_batch_contacts=400, poll_initial=0.05),
                                transport=ContractTransport())
    setup.sandbox.fault_rate = 0.0

    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert setup.list_emails() == setup.expected()
    reasons = {e.reason for e in events if isinstance(e, Retrying)}
    assert any(reason.startswith("server error") for reason in reasons)
    assert RATE_LIMIT_WAIT in reasons or any(
        isinstance(e, RateLimitSeen) and e.remaining == 0 for e in events)


async def test_dry_run_sends_nothing_and_says_what_would_be_sent(setup: Setup) -> None:
    summary, _ = await run_news(setup, RunOptions(dry_run=True))

    assert setup.put_count() == 0 and setup.list_emails() == []
    assert summary.status is RunStatus.SUCCEEDED and summary.dry_run
    assert f"would send {len(setup.expected()):,}" in summary.sentence


async def test_cancel_stops_new_batches_and_reports_what_was_accepted(setup: Setup) -> None:
    import asyncio

    cancel = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, BatchUploaded):
            cancel.set()

    summary = await run_export(setup.workspace, "news", secrets=setup.secrets,
                               on_event=on_event, cancel=cancel,
                               options=RunOptions(max_batch_contacts=200, concurrency=1))
    assert summary.status is RunStatus.CANCELLED
    assert 0 < summary.uploaded < len(setup.expected())
    assert f"accepted {summary.uploaded:,} contacts" in summary.sentence
    rerun, _ = await run_news(setup)
    assert rerun.status is RunStatus.SUCCEEDED
    assert setup.list_emails() == setup.expected()


@pytest.mark.parametrize(("key", "words"), [
    ("SG." + "w" * 22 + "." + "x" * 43, "did not accept this API key"),
    (READ_ONLY_KEY, "may not add and remove contacts"),
])
def test_wrong_key_or_missing_permission_fails_with_a_sentence(
        setup: Setup, key: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    setup.secrets.delete(f"{setup.workspace.id}/sandbox")
    setup.workspace.put_connection(replace(setup.workspace.connections["sandbox"],
                                           export_users=()))
    setup.workspace.save()
    os.environ["SGTUI_API_KEY"] = key
    try:
        code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    finally:
        del os.environ["SGTUI_API_KEY"]
    out, err = capsys.readouterr()
    assert code == 1
    assert words in out
    assert key not in out + err
    assert setup.put_count() == 0


def test_cli_runs_an_export_and_prints_one_json_object(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "news", "--json", "--workspace", str(setup.workspace.folder)])
    out, _ = capsys.readouterr()
    summary = json.loads(out)
    assert code == 0, summary["sentence"]
    assert summary["status"] == "succeeded" and summary["uploaded"] == len(setup.expected())
    assert setup.list_emails() == setup.expected()


def test_cli_unknown_export_is_a_usage_error(setup: Setup,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "nope", "--workspace", str(setup.workspace.folder)]) == 2
    assert "no export called 'nope'" in capsys.readouterr().err


def test_key_and_personal_data_stay_out_of_logs(setup: Setup,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    refused = setup.expected()[0]
    setup.sandbox.fault_rate = 0.3  # retries and warnings get logged too
    assert main(["run", "news", "--workspace", str(setup.workspace.folder)]) == 0
    out, err = capsys.readouterr()
    log = (setup.workspace.runs_folder / "sgtui.log").read_text()
    assert "batch 1:" in log and "job" in log
    assert refused not in log and "@" not in log
    for path in setup.workspace.folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in out + err


async def test_the_event_loop_stays_responsive_during_a_run(setup: Setup) -> None:
    import asyncio
    import time

    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    summary, _ = await run_news(setup, RunOptions(max_batch_contacts=300))
    done.set()
    await ticker
    assert summary.status is RunStatus.SUCCEEDED
    assert max(gaps) < 0.3  # a screen redraw is never held up noticeably


def test_state_files_are_owner_only(setup: Setup) -> None:
    assert main(["run", "news", "--workspace", str(setup.workspace.folder)]) == 0
    folder = setup.workspace.folder
    for path in [folder / "state.db", *folder.glob("state.db-*"), *folder.glob("runs/*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_a_run_succeeds_when_sendgrid_answers_200_instead_of_201_and_202(
        setup: Setup) -> None:
    setup.sandbox.success_200 = True  # newer real traffic: 200 for upserts and removals
    summary, _events = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert setup.list_emails() == setup.expected()
