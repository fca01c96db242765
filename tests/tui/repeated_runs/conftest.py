"""Fixtures for repeated runs from the app: demo data, a sandbox and one export, "news"."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.tui.app import SgtuiApp, make_app
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig, SyncMode
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

KEY = "SG." + "a" * 22 + "." + "b" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name",
           "city": "city"}
PROFILES = 3_000


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo customer data (3,000 profiles), generated once per session."""
    return generate_demo_database(tmp_path_factory.mktemp("demo") / "customers.db",
                                  PROFILES, seed=11)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A SendGrid sandbox on loopback that accepts KEY; jobs finish at once."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0,
                       rate_limit_contacts=100_000, rate_limit_other=100_000, seed=5) as server:
        yield server


@dataclass
class News:
    """A workspace with one export, "news", filling a sandbox list."""

    workspace: Workspace
    sandbox: SandboxServer
    list_id: str

    def app(self) -> SgtuiApp:
        """The app as the CLI builds it, on the test keyring."""
        return make_app(self.workspace, secrets=KeyringSecrets())

    def list_emails(self) -> list[str]:
        """Who is on the SendGrid list now."""
        return sorted(self.sandbox.list_emails(self.list_id))

    def upserted(self) -> int:
        """Contacts the sandbox has been sent so far."""
        return self.sandbox.stats()["contacts_upserted"]

    def members(self) -> list[str]:
        """The segments' unique valid emails, straight from the SQLite file."""
        from sgtui.export.prepare import is_valid_email

        db = sqlite3.connect(self.workspace.source_path)
        try:
            marks = ",".join("?" * len(SEGMENTS))
            rows = db.execute(
                "SELECT email FROM profiles WHERE customer_id IN (SELECT profile_id FROM "
                f"segment_members WHERE segment_id IN ({marks}))", SEGMENTS).fetchall()
        finally:
            db.close()
        emails = {(email or "").strip().lower() for (email,) in rows}
        return sorted(email for email in emails if is_valid_email(email))

    def leave_newsletter(self, count: int) -> None:
        """Take ``count`` newsletter members who are in no other chosen segment out of it."""
        db = sqlite3.connect(self.workspace.source_path)
        try:
            db.execute(
                "DELETE FROM segment_members WHERE segment_id = 'newsletter-optin' AND "
                "profile_id IN (SELECT profile_id FROM segment_members WHERE segment_id = "
                "'newsletter-optin' AND profile_id NOT IN (SELECT profile_id FROM "
                "segment_members WHERE segment_id = 'high-value') ORDER BY profile_id "
                "LIMIT ?)", (count,))
            db.commit()
        finally:
            db.close()

    def set_mode(self, mode: SyncMode) -> None:
        self.workspace.put_export(replace(self.workspace.exports["news"], mode=mode))
        self.workspace.save()


@pytest.fixture
def news(tmp_path: Path, demo_database: Path, sandbox: SandboxServer) -> News:
    """A workspace whose admin is an export user with KEY in the (in-memory) keyring."""
    folder = tmp_path / "workspace"
    workspace = Workspace.open(folder)
    shutil.copy(demo_database, workspace.source_path)
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=sandbox.base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc()),
    ))
    created = sandbox.create_list("Newsletter")
    workspace.put_export(ExportConfig(
        name="news", connection="sandbox", list_id=created["id"], list_name="Newsletter",
        segments=SEGMENTS, mapping=dict(MAPPING), mode=SyncMode.UPSERT,
    ))
    workspace.save()
    KeyringSecrets().set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    return News(workspace, sandbox, created["id"])
