"""Mail over TLS: STARTTLS when the relay offers it, smtps:// from the first byte, and the
relay's certificate checked (a real aiosmtpd with a certificate made for the test)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sgtui.notify.mail import send_mail
from sgtui.notify.message import Place, trial_alert
from sgtui.workspace.notify_settings import read_notify

from .conftest import SHORT
from .receivers import SmtpReceiver, self_signed_certificate, server_context

ALERT = trial_alert(Place("db1", "/srv/ws"), datetime(2026, 12, 1, tzinfo=UTC))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine trusts the relay's certificate (as it would a real CA's)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def relay_of(url: str):  # type: ignore[no-untyped-def]
    settings = read_notify({"notify": {"email": ["ops@example.com"], "smtp": url,
                                       "from": "sgtui@example.com"}})
    assert settings.smtp is not None, settings.problems
    return settings.smtp


@pytest.fixture
def starttls_relay(certificate: tuple[Path, Path]) -> Iterator[SmtpReceiver]:
    with SmtpReceiver(user="apikey", password="mail-only",
                      starttls=server_context(*certificate)) as relay:
        yield relay


def test_smtp_upgrades_with_starttls_before_it_logs_in(
        starttls_relay: SmtpReceiver, trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SGTUI_SMTP_PASSWORD", "mail-only")
    result = send_mail(ALERT, relay_of(starttls_relay.url("apikey")), "sgtui@example.com",
                       ("ops@example.com",), SHORT)
    assert result.delivered and result.detail.endswith("took it over TLS.")
    assert starttls_relay.handler.over_tls == [True]
    assert starttls_relay.logins == [("apikey", "mail-only")]


def test_a_certificate_this_machine_does_not_trust_stops_the_mail(
        starttls_relay: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SGTUI_SMTP_PASSWORD", "mail-only")
    result = send_mail(ALERT, relay_of(starttls_relay.url("apikey")), "sgtui@example.com",
                       ("ops@example.com",), SHORT)
    assert not result.delivered
    assert result.detail.startswith("the TLS certificate of 127.0.0.1 was not accepted")
    assert starttls_relay.logins == [] and starttls_relay.messages == []


def test_smtps_speaks_tls_from_the_first_byte(certificate: tuple[Path, Path],
                                              trusted: None) -> None:
    with SmtpReceiver(implicit_tls=server_context(*certificate)) as relay:
        result = send_mail(ALERT, relay_of(relay.url(scheme="smtps")), "sgtui@example.com",
                           ("ops@example.com",), SHORT)
        assert result.delivered and result.detail.endswith("took it over TLS.")
        assert relay.handler.over_tls == [True]
        assert relay.messages[0]["Subject"] == ALERT.line
