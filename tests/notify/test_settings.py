"""[notify] in sgtui.toml: what it may hold, and `sgtui check`'s sentences when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.commands.demo import prepare_demo_workspace
from sgtui.workspace.notify_settings import AlertKind, SmtpRelay, read_notify

from .conftest import set_notify


def problems(**table: object) -> dict[str, str]:
    settings = read_notify({"notify": {k.rstrip("_"): v for k, v in table.items()}})
    return dict(settings.problems)


def test_the_issue_example_reads_as_written() -> None:
    settings = read_notify({"notify": {
        "on": ["failed", "partial", "recovered"],
        "webhook": "https://hooks.slack.com/services/T0/B0/xyz",
        "email": ["ops@example.com"], "smtp": "smtp://alerts@relay.example.com:587",
        "from": "sgtui@example.com", "partial_above_percent": 5}})
    assert settings.problems == ()
    assert settings.on == frozenset(AlertKind)
    assert settings.smtp == SmtpRelay("relay.example.com", 587, implicit_tls=False,
                                      user="alerts")
    assert settings.mail_ready and settings.partial_above_percent == 5.0


def test_smtps_means_implicit_tls_and_ports_have_defaults() -> None:
    assert read_notify({"notify": {"email": ["a@b.c"], "from": "s@b.c",
                                   "smtp": "smtps://smtp.sendgrid.net"}}).smtp == SmtpRelay(
        "smtp.sendgrid.net", 465, implicit_tls=True)
    assert read_notify({"notify": {"email": ["a@b.c"], "from": "s@b.c",
                                   "smtp": "smtp://apikey@smtp.sendgrid.net"}}).smtp == SmtpRelay(
        "smtp.sendgrid.net", 587, implicit_tls=False, user="apikey")


def test_a_password_in_a_url_is_refused_and_never_repeated() -> None:
    found = problems(webhook="https://bot:hunter2@chat.example.com/hook",
                     smtp="smtp://alerts:hunter2@relay.example.com:587",
                     email=["ops@example.com"], from_="sgtui@example.com")
    assert "password" in found["webhook"] and "password" in found["smtp"]
    assert "SGTUI_SMTP_PASSWORD" in found["smtp"]
    assert not any("hunter2" in sentence for sentence in found.values())
    settings = read_notify({"notify": {"webhook": "https://bot:hunter2@chat.example.com/h"}})
    assert settings.webhook is None and not settings.has_targets


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook",
                                 "http://[::1]:9000/hook", "http://127.8.9.10/hook"])
def test_plain_http_webhooks_are_allowed_to_loopback(url: str) -> None:
    assert problems(webhook=url) == {}


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "http://10.0.0.5/hook",
                                 "http://localhost.example.com/hook"])
def test_plain_http_webhooks_elsewhere_are_refused(url: str) -> None:
    assert "clear text" in problems(webhook=url)["webhook"]


def test_relay_addresses_and_on_values_are_checked() -> None:
    found = problems(on=["failed", "fixed"], email=["ops@example.com", "not an address"],
                     from_="nobody", smtp="ftp://relay", partial_above_percent=150, colour="red")
    assert "'fixed' is not a change sgtui alerts on" in found["on"]
    assert "'not an address' is not an email address" in found["email"]
    assert "'nobody' is not an email address" in found["from"]
    assert "is not an SMTP URL" in found["smtp"]
    assert "from 0 to 100" in found["partial_above_percent"]
    assert "is not a [notify] setting" in found["colour"]


def test_mail_needs_a_relay_and_a_sender() -> None:
    found = problems(email=["ops@example.com"])
    assert "smtp" in found and "from" in found
    assert "has no target" in problems(on=["failed"])["notify"]


def test_check_names_each_notify_problem_with_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = prepare_demo_workspace(tmp_path / "ws", profiles=50, seed=1)
    set_notify(workspace, webhook="http://hooks.example.com/services/x",
               smtp="smtp://alerts:s3cret@relay.example.com", email=["ops@example.com"],
               from_="sgtui@example.com")
    assert main(["check", "--workspace", str(workspace.folder)]) == 2
    err = capsys.readouterr().err
    assert "notify.webhook: http://hooks.example.com would send alerts in clear text" in err
    assert "notify.smtp: the URL to relay.example.com holds a password" in err
    assert "s3cret" not in err
    lines = workspace.path.read_text().splitlines()
    webhook_line = next(i for i, line in enumerate(lines, 1) if line.startswith("webhook"))
    assert f"line {webhook_line}, notify.webhook" in err


def test_check_passes_a_right_notify_table(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    workspace = prepare_demo_workspace(tmp_path / "ws", profiles=50, seed=1)
    set_notify(workspace, webhook="https://hooks.slack.com/services/T0/B0/xyz")
    assert main(["check", "--workspace", str(workspace.folder)]) == 0


def test_mail_without_tls_is_allowed_only_to_loopback() -> None:
    def relay(host: str) -> SmtpRelay:
        return SmtpRelay(host, 25, implicit_tls=False)

    assert relay("127.0.0.1").plaintext_allowed and relay("localhost").plaintext_allowed
    assert relay("::1").plaintext_allowed
    assert not relay("relay.example.com").plaintext_allowed
    assert not relay("localhost.example.com").plaintext_allowed
    assert not relay("192.168.1.10").plaintext_allowed
