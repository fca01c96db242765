"""Fixtures for the run engine: a demo customer database, a sandbox, a ready workspace."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sgtui.export.engine import RunOptions, run_export
from sgtui.export.events import RunSummary
from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig, SyncMode
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

KEY = "SG." + "a" * 22 + "." + "b" * 43
READ_ONLY_KEY = "SG." + "r" * 22 + "." + "o" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {
    "email": "email", "first_name": "first_name", "last_name": "last_name",
    "country": "country", "state_province_region": "state", "city": "city",
    "postal_code": "postal_code",
}
PROFILES = 3_000

# Deliberately not the engine's pattern: a plain reading of "name@domain.tld".
_VALID = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


def expected_emails(db_path: Path, segments: tuple[str, ...] = SEGMENTS) -> list[str]:
    """The unique valid emails of the segments' members, straight from the SQLite file."""
    db = sqlite3.connect(db_path)
    try:
        marks = ",".join("?" * len(segments))
        rows = db.execute(
            "SELECT p.email FROM profiles p WHERE p.customer_id IN "
            f"(SELECT profile_id FROM segment_members WHERE segment_id IN ({marks}))",
            segments,
        ).fetchall()
    finally:
        db.close()
    emails = {(email or "").strip().lower() for (email,) in rows}
    return sorted(email for email in emails if _VALID.match(email))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo customer database, generated once per test session."""
    return generate_demo_database(tmp_path_factory.mktemp("demo") / "customers.db",
                                  PROFILES, seed=11)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A SendGrid sandbox on loopback that accepts KEY (and READ_ONLY_KEY to read)."""
    keys = {KEY: FULL_ACCESS_SCOPES, READ_ONLY_KEY: ["marketing.read"]}
    with SandboxServer(api_keys=keys, job_delay=0.0, rate_limit_contacts=10_000,
                       rate_limit_other=100_000, seed=5) as server:
        yield server


@dataclass
class Setup:
    """A workspace with one export, "news", filling a sandbox list."""

    workspace: Workspace
    sandbox: SandboxServer
    list_id: str
    secrets: KeyringSecrets

    @property
    def db_path(self) -> Path:
        return self.workspace.source_path

    def list_emails(self) -> list[str]:
        return sorted(self.sandbox.list_emails(self.list_id))

    def expected(self, segments: tuple[str, ...] = SEGMENTS) -> list[str]:
        return expected_emails(self.db_path, segments)

    def profiles_in_segments(self) -> int:
        """How many profiles the export's segments hold, straight from the SQLite file."""
        db = sqlite3.connect(self.db_path)
        try:
            segments = self.workspace.exports["news"].segments
            marks = ",".join("?" * len(segments))
            (count,) = db.execute("SELECT COUNT(DISTINCT profile_id) FROM segment_members "
                                  f"WHERE segment_id IN ({marks})", segments).fetchone()
        finally:
            db.close()
        return count

    def put_count(self) -> int:
        return self.sandbox.stats()["requests"].get("PUT /v3/marketing/contacts", 0)

    def upserted(self) -> int:
        return self.sandbox.stats()["contacts_upserted"]

    def change_export(self, **changes: object) -> None:
        export = self.workspace.exports["news"]
        from dataclasses import replace

        self.workspace.put_export(replace(export, **changes))
        self.workspace.save()

    def sql(self, statement: str, *args: object) -> None:
        db = sqlite3.connect(self.db_path)
        try:
            db.execute(statement, args)
            db.commit()
        finally:
            db.close()


@pytest.fixture
def setup(tmp_path: Path, demo_database: Path, sandbox: SandboxServer) -> Setup:
    """A workspace whose admin is an export user with KEY in the (in-memory) keyring."""
    folder = tmp_path / "workspace"
    workspace = Workspace.open(folder)
    shutil.copy(demo_database, folder / "customers.db")
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=sandbox.base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc()),
    ))
    created = sandbox.create_list("Newsletter")
    workspace.put_export(ExportConfig(
        name="news", connection="sandbox", list_id=created["id"], segments=SEGMENTS,
        mapping=dict(MAPPING), mode=SyncMode.UPSERT,
    ))
    workspace.save()
    secrets = KeyringSecrets()
    secrets.set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    return Setup(workspace, sandbox, created["id"], secrets)


async def run_news(setup: Setup, options: RunOptions | None = None,
                   **kwargs: Any) -> tuple[RunSummary, list[object]]:
    """Run the "news" export in this event loop; its summary and events."""
    events: list[object] = []
    summary = await run_export(setup.workspace, "news", secrets=setup.secrets,
                               on_event=events.append, options=options or RunOptions(),
                               **kwargs)
    return summary, events


class ContractTransport(httpx.AsyncBaseTransport):
    """The real HTTP transport, checking every request and answer against the spec."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        from openapi_contract import check_request, check_response

        check_request(request)
        self.requests += 1
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        checked = httpx.Response(response.status_code, headers=response.headers,
                                 content=content, request=request)
        if not request.url.path.startswith("/_sandbox"):
            check_response(checked)
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()
