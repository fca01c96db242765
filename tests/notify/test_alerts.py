"""Alerts reach a real webhook receiver and a real SMTP server on loopback: once when an
export starts failing, never while it keeps failing, once when it recovers."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sgtui.export.engine import RunOptions, run_export
from sgtui.notify.ledger import AlertLedger
from sgtui.notify.service import notice_refresh, notice_run, notice_unstarted
from sgtui.workspace.run_records import RunStatus, RunSummary
from sgtui.workspace.secrets import KeyringSecrets
from sgtui.workspace.state import StateStore

from .conftest import KEY, SHORT, Alerted, set_notify
from .receivers import SmtpReceiver


def run_news(alerted: Alerted) -> RunSummary:
    """A real run of "news" against the sandbox, then what the commands do after it."""
    summary = asyncio.run(run_export(alerted.workspace, "news", secrets=KeyringSecrets(),
                                     on_event=lambda event: None, options=RunOptions()))
    notice_run(alerted.workspace, summary)
    return summary


def recorded(alerted: Alerted, status: RunStatus, sentence: str, **counts: int) -> RunSummary:
    """A finished run as the engine records it (for outcomes the sandbox cannot produce)."""
    store = StateStore(alerted.workspace.state_path)
    now = datetime.now(UTC)
    run_id = store.start_run("news", dry_run=False, full=False, pid=1, started_at=now)
    summary = RunSummary(run_id=run_id, export="news", status=status, sentence=sentence,
                         started_at=now, finished_at=now, **counts)
    store.finish_run(summary)
    return summary


def test_one_alert_per_target_on_failing_none_while_failing_one_on_recovery(
        alerted: Alerted) -> None:
    assert run_news(alerted).status is RunStatus.SUCCEEDED
    assert alerted.webhook.bodies == [] and alerted.smtp.messages == []

    alerted.break_list()
    assert run_news(alerted).status is RunStatus.FAILED
    assert len(alerted.webhook.bodies) == 1 and len(alerted.smtp.messages) == 1
    body = alerted.webhook.bodies[0]
    line = body["text"].splitlines()[0]
    assert line.startswith("sgtui: export news failed on host ")
    assert "SendGrid has no contact list" in line and line.endswith("Last success just now.")
    assert body["kind"] == "failed" and body["export"] == "news" and body["status"] == "failed"
    assert body["run_id"] == 2 and body["counts"]["profiles"] >= 0
    assert "sgtui run news --workspace" in body["what_to_do"]
    mail = alerted.smtp.messages[0]
    assert mail["Subject"] == line and mail["To"] == "ops@example.com"
    assert alerted.smtp.handler.envelopes[0] == ("sgtui@example.com", ["ops@example.com"])
    assert alerted.smtp.bodies()[0].startswith(line)

    run_news(alerted)
    run_news(alerted)
    assert len(alerted.webhook.bodies) == 1 and len(alerted.smtp.messages) == 1

    alerted.mend_list()
    assert run_news(alerted).status is RunStatus.SUCCEEDED
    assert len(alerted.webhook.bodies) == 2 and len(alerted.smtp.messages) == 2
    recovered = alerted.webhook.bodies[1]
    assert recovered["kind"] == "recovered"
    assert recovered["text"].startswith("sgtui: export news recovered on host ")
    assert recovered["text"].splitlines()[0].endswith(". It first failed just now.")
    assert alerted.smtp.messages[1]["Subject"].startswith("sgtui: export news recovered")

    run_news(alerted)
    assert len(alerted.webhook.bodies) == 2 and len(alerted.smtp.messages) == 2
    for text in alerted.everything_sent():
        assert KEY not in text
        assert not any(email in text for email in alerted.customer_emails())


def test_partial_runs_alert_past_the_threshold_only(alerted: Alerted) -> None:
    workspace = set_notify(alerted.workspace, webhook=alerted.webhook.url,
                           partial_above_percent=5)
    few = recorded(alerted, RunStatus.PARTIAL, "SendGrid refused 4 of 100 rows.",
                   uploaded=100, valid=100, rejected_by_sendgrid=4)
    notice_run(workspace, few)
    assert alerted.webhook.bodies == []
    many = recorded(alerted, RunStatus.PARTIAL, "SendGrid refused 9 of 100 rows.",
                    uploaded=100, valid=100, rejected_by_sendgrid=9, profiles=120)
    notice_run(workspace, many)
    notice_run(workspace, replace(many, run_id=many.run_id + 1))
    assert [body["kind"] for body in alerted.webhook.bodies] == ["partial"]
    assert alerted.webhook.bodies[0]["text"].startswith(
        "sgtui: export news partly failed on host ")
    assert alerted.webhook.bodies[0]["counts"]["refused_by_sendgrid"] == 9
    notice_run(workspace, few)  # back under the threshold: as good as a success
    assert [body["kind"] for body in alerted.webhook.bodies] == ["partial", "recovered"]


def test_no_alert_carries_a_customer_email_or_the_key(alerted: Alerted) -> None:
    customer = alerted.customer_emails()[0]
    failed = recorded(alerted, RunStatus.FAILED,
                      f"SendGrid refused the contact {customer}: invalid. Key {KEY} used.")
    notice_run(alerted.workspace, failed)
    assert len(alerted.webhook.bodies) == 1 and len(alerted.smtp.messages) == 1
    for text in alerted.everything_sent():
        assert customer not in text and KEY not in text
    assert "[an email address]" in alerted.webhook.bodies[0]["text"]


@pytest.mark.parametrize("trouble", ["500", "hang"])
def test_a_webhook_that_fails_costs_bounded_time_is_logged_and_is_tried_again(
        alerted: Alerted, trouble: str) -> None:
    if trouble == "hang":
        alerted.webhook.hang = True
    else:
        alerted.webhook.status = 500
    failed = recorded(alerted, RunStatus.FAILED, "SendGrid did not accept the API key.")
    started = time.monotonic()
    deliveries = {d.target: d for d in notice_run(alerted.workspace, failed)}
    assert time.monotonic() - started < SHORT.bound + 2
    assert deliveries["email"].delivered
    assert not deliveries["webhook"].delivered
    assert deliveries["webhook"].detail == (
        "127.0.0.1 answered HTTP 500 (tried 2 times)." if trouble == "500"
        else "127.0.0.1 did not answer within 0.5 s (tried 2 times).")
    assert len(alerted.webhook.bodies) == 2  # two tries
    log = (alerted.workspace.runs_folder / "sgtui.log").read_text()
    assert "failed alert about news NOT delivered by webhook to 127.0.0.1" in log
    assert "secret" not in log  # the webhook's path is its secret
    failures = AlertLedger(alerted.workspace.state_path).failures()
    assert failures[0].target == "webhook" and failures[0].kind == "failed"

    # Mail was told; the webhook was not, so the next failing run tries it again.
    alerted.webhook.hang, alerted.webhook.status = False, 200
    notice_run(alerted.workspace, replace(failed, run_id=failed.run_id + 1))
    assert len(alerted.smtp.messages) == 1
    assert alerted.webhook.bodies[-1]["kind"] == "failed"
    assert len(alerted.webhook.bodies) == 3


def test_a_refresh_that_fails_as_a_whole_alerts_once_and_on_recovery(
        alerted: Alerted) -> None:
    notice_refresh(alerted.workspace, "Another refresh of this workspace is still running "
                                      "(process 4242); this one did nothing.")
    notice_refresh(alerted.workspace, "The customer database cannot be read.")
    assert len(alerted.webhook.bodies) == 1
    line = alerted.webhook.texts()[0].splitlines()[0]
    assert line.startswith("sgtui: the refresh on host ") and "still running" in line
    notice_refresh(alerted.workspace, None)
    notice_refresh(alerted.workspace, None)
    assert [body["kind"] for body in alerted.webhook.bodies] == ["failed", "recovered"]
    assert len(alerted.smtp.messages) == 2


def test_an_export_that_cannot_start_alerts_like_a_failed_run(alerted: Alerted) -> None:
    notice_unstarted(alerted.workspace, "news", "The connection 'sandbox' has no consent.")
    body = alerted.webhook.bodies[0]
    assert body["run_id"] is None and body["kind"] == "failed"
    assert "has no consent" in body["text"].splitlines()[0]


def test_mail_logs_in_with_the_password_from_the_environment(
        alerted: Alerted, monkeypatch: pytest.MonkeyPatch) -> None:
    with SmtpReceiver(user="apikey", password="SG.mail-only-pass") as relay:
        workspace = set_notify(alerted.workspace, email=["ops@example.com"],
                               smtp=relay.url("apikey"), from_="sgtui@example.com")
        failed = recorded(alerted, RunStatus.FAILED, "SendGrid did not accept the API key.")
        [missing] = notice_run(workspace, failed)
        assert not missing.delivered
        assert "needs a password: set SGTUI_SMTP_PASSWORD" in missing.detail

        monkeypatch.setenv("SGTUI_SMTP_PASSWORD", "wrong-one")
        [wrong] = notice_run(workspace, failed)
        assert not wrong.delivered and "refused the user apikey" in wrong.detail
        assert "wrong-one" not in wrong.detail

        monkeypatch.setenv("SGTUI_SMTP_PASSWORD", "SG.mail-only-pass")
        [right] = notice_run(workspace, failed)
        assert right.delivered and "without TLS (loopback)" in right.detail
        assert relay.logins[-1] == ("apikey", "SG.mail-only-pass")
        assert len(relay.messages) == 1
        log = (workspace.runs_folder / "sgtui.log").read_text()
        assert "mail-only-pass" not in log and "wrong-one" not in log


def test_the_last_alert_per_export_is_kept_for_the_schedule_screen(alerted: Alerted) -> None:
    failed = recorded(alerted, RunStatus.FAILED, "SendGrid did not accept the API key.")
    notice_run(alerted.workspace, failed)
    last = AlertLedger(alerted.workspace.state_path).last_alerts()["news"]
    assert sorted(sent.target for sent in last) == ["email", "webhook"]
    assert all(sent.delivered and sent.kind == "failed" and sent.run_id == failed.run_id
               for sent in last)
    assert datetime.now(UTC) - last[0].sent_at < timedelta(minutes=1)
    assert json.loads(json.dumps(alerted.webhook.bodies[0]))["line"] == last[0].line
