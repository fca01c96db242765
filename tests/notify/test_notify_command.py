"""`sgtui notify --test`: one test alert to each target, and what happened to each."""

from __future__ import annotations

import pytest

from sgtui.cli import main
from sgtui.notify.ledger import AlertLedger

from .conftest import Alerted, set_notify


def test_every_target_gets_the_test_alert(alerted: Alerted,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notify", "--test", "--workspace", alerted.folder]) == 0
    out = capsys.readouterr().out
    assert "webhook to 127.0.0.1: delivered: 127.0.0.1 took it (HTTP 200)." in out
    assert "email to ops@example.com via 127.0.0.1:" in out and "took it without TLS" in out
    assert "Every target got the test alert." in out
    assert alerted.webhook.bodies[0]["kind"] == "test"
    assert alerted.webhook.texts()[0].startswith("sgtui: test alert from host ")
    assert alerted.smtp.messages[0]["Subject"].startswith("sgtui: test alert from host ")
    assert "secret" not in out  # the webhook's path is never shown


def test_a_target_that_fails_is_named_and_the_exit_code_is_1(
        alerted: Alerted, capsys: pytest.CaptureFixture[str]) -> None:
    alerted.webhook.status = 404
    assert main(["notify", "--test", "--workspace", alerted.folder]) == 1
    captured = capsys.readouterr()
    assert ("webhook to 127.0.0.1: FAILED: 127.0.0.1 refused it (HTTP 404): check the "
            "webhook URL") in captured.out
    assert "email to ops@example.com" in captured.out and ": delivered:" in captured.out
    assert "1 of 2 targets did not get the test alert" in captured.err
    assert len(alerted.webhook.bodies) == 1  # a 404 is not tried again
    assert AlertLedger(alerted.workspace.state_path).failures()[0].kind == "test"


def test_a_relay_that_is_down_fails_with_a_sentence(alerted: Alerted,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    alerted.smtp.stop()
    assert main(["notify", "--test", "--workspace", alerted.folder]) == 1
    out = capsys.readouterr().out
    assert "refused the connection (tried 2 times)." in out


def test_without_notify_or_with_problems_it_says_how_to_set_it_up(
        alerted: Alerted, capsys: pytest.CaptureFixture[str]) -> None:
    document = alerted.workspace.path.read_text()
    alerted.workspace.path.write_text(document.split("[notify]")[0])
    assert main(["notify", "--test", "--workspace", alerted.folder]) == 2
    assert "sets up no alerts" in capsys.readouterr().err

    set_notify(alerted.workspace, webhook="http://hooks.example.com/x",
               email=["ops@example.com"], smtp=alerted.smtp.url(), from_="sgtui@example.com")
    assert main(["notify", "--test", "--workspace", alerted.folder]) == 2
    captured = capsys.readouterr()
    assert "notify.webhook: http://hooks.example.com would send alerts in clear text" in (
        captured.err)
    assert "email to ops@example.com" in captured.out  # the good target was still tried
    assert main(["notify", "--workspace", alerted.folder]) == 2
