"""Issue 13: runs stay right under what real SendGrid does (lagging counts, rows failed in jobs)."""

from __future__ import annotations

import csv
import sqlite3

import pytest

import sgtui.export.jobs as jobs_module
from sgtui.export.events import (
    RunStatus,
    Stage,
    StageChanged,
    StageState,
    Warned,
)
from sgtui.sendgrid.errors_file import ErrorsFileUnavailable

from .conftest import Setup, run_news


def verify_detail(events: list[object]) -> str:
    """What the verification step said when it finished."""
    return next(e.detail for e in events if isinstance(e, StageChanged)
                and e.stage is Stage.VERIFY and e.state is StageState.DONE)


def warnings(events: list[object]) -> list[str]:
    return [e.sentence for e in events if isinstance(e, Warned)]


async def test_a_rerun_while_sendgrids_count_lags_sends_nothing(setup: Setup) -> None:
    setup.sandbox.index_lag = 300  # the count catches up five minutes after each job
    first, events = await run_news(setup)
    assert first.status is RunStatus.SUCCEEDED, first.sentence
    assert first.uploaded == len(setup.expected())
    detail = verify_detail(events)
    assert detail.startswith("SendGrid's count has not caught up yet: the list shows 0 of the ")
    assert f"({len(setup.expected()):,} to go)" in detail
    assert not any("missing" in text for text in warnings(events))
    puts = setup.put_count()

    again, events = await run_news(setup)
    assert again.status is RunStatus.SUCCEEDED, again.sentence
    assert again.uploaded == 0 and setup.put_count() == puts
    assert again.sentence.startswith("Nothing changed")
    assert not any("emptied" in text or "--full" in text for text in warnings(events))

    setup.sandbox.index_lag = 0  # caught up: the verification says what the list holds
    _, events = await run_news(setup)
    assert verify_detail(events) == f"the list holds {len(setup.expected()):,} contacts"


async def test_a_low_count_long_after_sgtuis_last_job_is_still_an_emptied_list(
        setup: Setup) -> None:
    setup.sandbox.index_lag = 300  # SendGrid shows 0 on the list...
    await run_news(setup)
    db = sqlite3.connect(setup.workspace.state_path)  # ...but sgtui's last job was long ago
    with db:
        db.execute("UPDATE jobs SET updated_at = '2020-01-01T00:00:00+00:00'")
    db.close()
    puts = setup.put_count()
    again, events = await run_news(setup)
    assert any("emptied outside sgtui" in text for text in warnings(events))
    assert again.uploaded == len(setup.expected()) and setup.put_count() > puts


@pytest.fixture
def invalid_domains(setup: Setup) -> list[str]:
    """Three segment members whose email domain SendGrid's job will not take."""
    chosen = setup.expected()[:3]
    for email in chosen:
        local = email.split("@")[0]
        setup.sql("UPDATE profiles SET email = ? WHERE lower(trim(email)) = ?",
                  f"{local}@nowhere.invalid", email)
    return sorted(f"{email.split('@')[0]}@nowhere.invalid" for email in chosen)


async def test_rows_sendgrid_fails_inside_a_job_are_named_with_its_reason(
        setup: Setup, invalid_domains: list[str]) -> None:
    summary, _events = await run_news(setup)
    assert summary.status is RunStatus.PARTIAL
    assert summary.rejected_by_sendgrid == 3
    assert summary.rejected_csv is not None
    with open(summary.rejected_csv, encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["rejected_by"] == "sendgrid"]
    assert sorted(row["email"] for row in rows) == invalid_domains
    assert all(row["reason"] == "email domain does not exist" and row["profile"]
               for row in rows)


async def test_an_errors_file_that_cannot_be_fetched_is_said_and_the_counts_stand(
        setup: Setup, invalid_domains: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    async def refused(url: str) -> list[object]:
        raise ErrorsFileUnavailable("the server answered 403")

    monkeypatch.setattr(jobs_module, "fetch_errors_file", refused)
    summary, events = await run_news(setup)
    assert summary.status is RunStatus.PARTIAL and summary.rejected_by_sendgrid == 3
    said = [text for text in warnings(events) if "could not be fetched" in text]
    assert said and "(the server answered 403); the counts stand" in said[0]
