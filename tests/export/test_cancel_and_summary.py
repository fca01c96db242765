"""Cancel while SendGrid's rate limit holds uploads back; what the run says; where its key is."""

from __future__ import annotations

import asyncio
import csv
import re
import time

import httpx
import keyring
import pytest
from keyring.backends import fail

from sgtui.cli import main
from sgtui.export.engine import RATE_LIMIT_PACING, RATE_LIMIT_WAIT, RunOptions, run_export
from sgtui.export.events import BatchUploaded, Retrying, RunStatus
from sgtui.export.wording import counted
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name, user_key_file

from .conftest import KEY, ContractTransport, Setup, run_news

BATCH = 200


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_cancel_takes_effect_at_once_while_the_rate_limit_holds_uploads_back(
        setup: Setup, concurrency: int) -> None:
    setup.sandbox.rate_limit_contacts = 1  # one upsert a minute
    cancel = asyncio.Event()
    events: list[object] = []
    cancelled_at = 0.0

    def on_event(event: object) -> None:
        nonlocal cancelled_at
        events.append(event)
        if isinstance(event, Retrying) and event.reason == RATE_LIMIT_WAIT and not cancel.is_set():
            cancelled_at = time.monotonic()
            cancel.set()

    summary = await run_export(setup.workspace, "news", secrets=setup.secrets,
                               on_event=on_event, cancel=cancel,
                               options=RunOptions(max_batch_contacts=BATCH,
                                                  concurrency=concurrency))
    waited = time.monotonic() - cancelled_at

    assert summary.status is RunStatus.CANCELLED, summary.sentence
    assert waited < 1.5, f"cancel took {waited:.1f} s"
    wait = next(e for e in events if isinstance(e, Retrying))
    assert wait.delay > 30  # the client was going to sleep out the minute
    accepted = sum(e.contacts for e in events if isinstance(e, BatchUploaded))
    assert summary.uploaded == accepted <= BATCH * concurrency
    assert (f"Cancelled: SendGrid had accepted {counted(accepted, 'contact')} in "
            f"{counted(summary.batches, 'batch')};") in summary.sentence
    if concurrency == 1:
        assert accepted == BATCH and "in 1 batch;" in summary.sentence

    setup.sandbox.rate_limit_contacts = 10_000
    rerun, _ = await run_news(setup)
    assert rerun.status is RunStatus.SUCCEEDED, rerun.sentence
    assert setup.list_emails() == setup.expected()


async def test_pacing_as_the_window_runs_low_is_shown_and_cancel_interrupts_it(
        setup: Setup) -> None:
    setup.sandbox.rate_limit_contacts = 3  # the third upsert of the minute is paced
    cancel = asyncio.Event()
    events: list[object] = []

    def on_event(event: object) -> None:
        events.append(event)
        if isinstance(event, Retrying):
            cancel.set()

    started = time.monotonic()
    summary = await run_export(setup.workspace, "news", secrets=setup.secrets,
                               on_event=on_event, cancel=cancel,
                               options=RunOptions(max_batch_contacts=BATCH, concurrency=1))

    [shown] = [e for e in events if isinstance(e, Retrying)]
    assert shown.reason == RATE_LIMIT_PACING and shown.delay > 10
    assert time.monotonic() - started < shown.delay / 2
    assert summary.status is RunStatus.CANCELLED and summary.uploaded == 2 * BATCH
    assert "accepted 400 contacts in 2 batches;" in summary.sentence


class AnswerLosingTransport(ContractTransport):
    """SendGrid carries out the second upsert, but its answer never comes back."""

    def __init__(self) -> None:
        super().__init__()
        self.puts = 0
        self.lost = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts += 1
            if self.puts == 2:
                await super().handle_async_request(request)
                self.lost.set()
                await asyncio.Event().wait()  # until the run abandons the request
        return await super().handle_async_request(request)


async def test_a_batch_whose_answer_was_lost_on_cancel_is_sent_again_by_the_next_run(
        setup: Setup) -> None:
    transport = AnswerLosingTransport()
    cancel = asyncio.Event()

    async def cancel_once_lost() -> None:
        await transport.lost.wait()
        cancel.set()

    canceller = asyncio.create_task(cancel_once_lost())
    summary = await run_export(setup.workspace, "news", secrets=setup.secrets,
                               on_event=lambda event: None, cancel=cancel, transport=transport,
                               options=RunOptions(max_batch_contacts=BATCH, concurrency=1))
    await canceller

    assert summary.status is RunStatus.CANCELLED
    assert summary.uploaded == BATCH and "accepted 200 contacts in 1 batch;" in summary.sentence
    assert len(setup.list_emails()) == 2 * BATCH  # SendGrid did take the second batch

    rerun, _ = await run_news(setup)
    assert rerun.status is RunStatus.SUCCEEDED, rerun.sentence
    assert rerun.unchanged == BATCH  # only the batch whose answer arrived counts as sent
    assert rerun.uploaded == rerun.valid - BATCH
    assert setup.list_emails() == setup.expected()


def test_rows_sgtui_set_aside_leave_the_run_succeeded_and_the_summary_names_them(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    out, _ = capsys.readouterr()

    assert code == 0, out
    path = re.search(r"rejected rows: (\S+)", out)
    assert path is not None, out
    with open(path[1], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["rejected_by"] for row in rows} == {"sgtui"}
    assert (f"SendGrid confirmed them all. {len(rows):,} rows without a usable email were set "
            f"aside; {path[1]} lists them.") in out
    assert ": succeeded in" in out and setup.list_emails() == setup.expected()


async def test_a_key_only_in_the_users_key_file_runs_the_export(setup: Setup) -> None:
    account = account_name(setup.workspace.id, "sandbox")
    setup.secrets.delete(account)
    keyring.set_keyring(fail.Keyring())  # no keyring on this host (the fixture restores it)
    user_key_file().set(account, ApiKey(KEY))

    summary = await run_export(setup.workspace, "news", secrets=KeyringSecrets(),
                               on_event=lambda event: None)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert setup.list_emails() == setup.expected()
    for path in setup.workspace.folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_counts_in_sentences_agree_with_their_nouns() -> None:
    assert counted(1, "batch") == "1 batch"
    assert counted(2_500, "batch") == "2,500 batches"
    assert counted(0, "contact") == "0 contacts"
    assert counted(1, "person", "people") == "1 person"
    assert counted(1_000, "person", "people") == "1,000 people"


async def test_jobs_sendgrid_never_confirmed_are_not_reported_as_refused(setup: Setup) -> None:
    setup.sandbox.job_delay = 60.0  # SendGrid never finishes in time
    summary, _ = await run_news(setup, RunOptions(job_timeout=0.3, poll_initial=0.05,
                                                  poll_max=0.1))
    assert summary.status is RunStatus.PARTIAL
    assert summary.rejected_by_sendgrid == 0
    assert "refused" not in summary.sentence
    assert f"SendGrid never confirmed {summary.uploaded:,} contacts" in summary.sentence
    assert summary.rejected_csv  # sgtui's own rows only: SendGrid refused none
    with open(summary.rejected_csv, encoding="utf-8") as rows:
        assert ",sendgrid" not in rows.read()
