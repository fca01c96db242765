"""Fixtures for alerts: a workspace whose export fills a sandbox list, a webhook receiver and
an SMTP server on loopback, and short delivery bounds so failing targets cost little time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.notify import delivery
from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

from .receivers import SmtpReceiver, WebhookReceiver

KEY = "SG." + "k" * 22 + "." + "q" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name"}
SHORT = delivery.DeliveryPolicy(attempts=2, timeout=0.5, backoff=0.05)
"""What tests deliver with: a hanging target gives up after about a second."""


@pytest.fixture(autouse=True)
def short_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "DEFAULT_POLICY", SHORT)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0,
                       rate_limit_contacts=10_000, rate_limit_other=100_000, seed=4) as server:
        yield server


@dataclass
class Alerted:
    """A workspace with one scheduled export, "news", and [notify] pointing at the
    receivers."""

    workspace: Workspace
    sandbox: SandboxServer
    webhook: WebhookReceiver
    smtp: SmtpReceiver
    list_id: str

    @property
    def folder(self) -> str:
        return str(self.workspace.folder)

    def break_list(self) -> None:
        """Point the export at a list SendGrid does not have: runs fail."""
        self._set_list("00000000-0000-4000-8000-000000000000")

    def mend_list(self) -> None:
        self._set_list(self.list_id)

    def _set_list(self, list_id: str) -> None:
        from dataclasses import replace

        workspace = Workspace.open(self.workspace.folder)
        workspace.put_export(replace(workspace.exports["news"], list_id=list_id))
        workspace.save()
        self.workspace = workspace

    def customer_emails(self) -> list[str]:
        db = sqlite3.connect(self.workspace.source_path)
        try:
            return [row[0] for row in db.execute(
                "SELECT email FROM profiles WHERE email LIKE '%@%'")]
        finally:
            db.close()

    def everything_sent(self) -> list[str]:
        """Every webhook body and every mail, as raw text."""
        return ([raw.decode() for raw in self.webhook.raw]
                + [raw.decode() for raw in self.smtp.handler.raw])


def set_notify(workspace: Workspace, **settings: object) -> Workspace:
    """Write ``[notify]`` into sgtui.toml as a person would; the workspace read again."""
    document = tomlkit.parse(workspace.path.read_text(encoding="utf-8"))
    table = tomlkit.table()
    for key, value in settings.items():
        table[key.rstrip("_")] = value
    document["notify"] = table
    workspace.path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return Workspace.open(workspace.folder)


@pytest.fixture
def alerted(tmp_path: Path, sandbox: SandboxServer, webhook: WebhookReceiver,
            smtp: SmtpReceiver) -> Alerted:
    workspace = prepare_demo_workspace(tmp_path / "ws", profiles=300, seed=5)
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=sandbox.base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc()),
    ))
    created = sandbox.create_list("Newsletter")
    workspace.put_export(ExportConfig(name="news", connection="sandbox", list_id=created["id"],
                                      segments=SEGMENTS, mapping=dict(MAPPING)))
    workspace.save()
    KeyringSecrets().set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    workspace = set_notify(workspace, webhook=webhook.url, email=["ops@example.com"],
                           smtp=smtp.url(), from_="sgtui@example.com")
    return Alerted(workspace, sandbox, webhook, smtp, created["id"])
