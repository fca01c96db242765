"""An export reads its segments from PostgreSQL views and fills a sandbox list exactly."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sgtui.export.engine import RunOptions, run_export
from sgtui.export.events import RunStatus
from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.source.postgresql import PostgresSource
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

from .conftest import Schema, schema_sql

pytestmark = pytest.mark.postgres

KEY = "SG." + "a" * 22 + "." + "b" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name",
           "country": "country", "city": "city", "postal_code": "postal_code"}
# Deliberately not the engine's pattern: a plain reading of "name@domain.tld".
_VALID = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


@pytest.fixture(scope="session")
def demo_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """The demo generator's profiles, segments and memberships (1,500 messy profiles)."""
    path = generate_demo_database(tmp_path_factory.mktemp("pgdemo") / "demo.db", 1_500, seed=9)
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT * FROM {table}").fetchall()
                for table in ("profiles", "segments", "segment_members")}
    finally:
        db.close()


@pytest.fixture
def crm(schema: Schema, demo_rows: dict[str, list[tuple]]) -> Schema:
    """A CRM-like schema (customers, audiences, memberships) with sgtui's views on top."""
    schema.execute(
        "CREATE TABLE {s}.customers (customer_id text PRIMARY KEY, email text, first_name text,"
        " last_name text, country text, state text, city text, postal_code text,"
        " signup_date date, lifetime_value numeric, newsletter_optin integer,"
        " last_order_at timestamp, tier text);"
        "CREATE TABLE {s}.audiences (id text PRIMARY KEY, title text, about text);"
        "CREATE TABLE {s}.audience_members (audience_id text, customer_id text,"
        " PRIMARY KEY (audience_id, customer_id));"
    )
    with schema.db.cursor() as cursor:
        for table, rows in (("customers", demo_rows["profiles"]),
                            ("audiences", demo_rows["segments"]),
                            ("audience_members", demo_rows["segment_members"])):
            with cursor.copy(schema_sql(schema, f"COPY {{s}}.{table} FROM STDIN")) as copy:
                for row in rows:
                    copy.write_row(row)
    schema.execute(
        "CREATE VIEW {s}.profiles_v AS SELECT * FROM {s}.customers;"
        "CREATE VIEW {s}.segments_v AS SELECT id AS segment_id, title AS name,"
        " about AS description FROM {s}.audiences;"
        "CREATE VIEW {s}.segment_members_v AS SELECT audience_id AS segment_id,"
        " customer_id AS profile_id FROM {s}.audience_members;"
    )
    return schema


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0,
                       rate_limit_contacts=10_000, rate_limit_other=100_000, seed=5) as server:
        yield server


def workspace_on(crm: Schema, sandbox: SandboxServer, folder: Path) -> tuple[Workspace, str]:
    workspace = Workspace.open(folder)
    workspace.document["source"] = {
        "type": "postgresql", "dsn": crm.dsn, "profiles": crm.rel("profiles_v"),
        "segments": crm.rel("segments_v"), "segment_members": crm.rel("segment_members_v"),
        "key_column": "customer_id"}
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=sandbox.base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc())))
    list_id = sandbox.create_list("Newsletter")["id"]
    workspace.put_export(ExportConfig(name="news", connection="sandbox", list_id=list_id,
                                      segments=SEGMENTS, mapping=dict(MAPPING)))
    workspace.save()
    return workspace, list_id


def expected_emails(crm: Schema) -> list[str]:
    """The segments' unique valid emails, asked of PostgreSQL directly."""
    rows = crm.db.execute(schema_sql(
        crm, "SELECT email FROM {s}.customers WHERE customer_id IN (SELECT customer_id FROM "
        "{s}.audience_members WHERE audience_id = ANY(%s))"), (list(SEGMENTS),)).fetchall()
    emails = {(email or "").strip().lower() for (email,) in rows}
    return sorted(email for email in emails if _VALID.match(email))


async def run_news(workspace: Workspace, options: RunOptions | None = None):  # type: ignore[no-untyped-def]
    secrets = KeyringSecrets()
    secrets.set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    return await run_export(workspace, "news", secrets=secrets, on_event=lambda event: None,
                            options=options or RunOptions())


async def test_an_export_from_postgresql_fills_the_list_exactly(
    crm: Schema, sandbox: SandboxServer, tmp_path: Path
) -> None:
    workspace, list_id = workspace_on(crm, sandbox, tmp_path / "ws")
    summary = await run_news(workspace, RunOptions(chunk_size=400, max_batch_contacts=300))
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    expected = expected_emails(crm)
    assert len(expected) > 300
    assert sorted(sandbox.list_emails(list_id)) == expected
    again = await run_news(workspace)
    assert again.status is RunStatus.SUCCEEDED and again.uploaded == 0


async def test_a_dropped_connection_stops_the_run_and_the_next_run_resumes(
    crm: Schema, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, list_id = workspace_on(crm, sandbox, tmp_path / "ws")
    streaming = PostgresSource.stream_members

    def dropping_after_first_chunk(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        stream = streaming(self, *args, **kwargs)
        yield next(stream)
        crm.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                       "application_name = 'sgtui' AND query ILIKE '%%sgtui_members%%'")
        yield from stream

    monkeypatch.setattr(PostgresSource, "stream_members", dropping_after_first_chunk)
    options = RunOptions(chunk_size=300, max_batch_contacts=100)
    failed = await run_news(workspace, options)
    assert failed.status is RunStatus.FAILED
    assert "dropped while reading segment members" in failed.sentence
    assert failed.sentence.endswith("The run stopped; run it again to resume.")
    partial = sandbox.list_emails(list_id)
    assert len(partial) < len(expected_emails(crm))

    monkeypatch.setattr(PostgresSource, "stream_members", streaming)
    resumed = await run_news(workspace, options)
    assert resumed.status is RunStatus.SUCCEEDED, resumed.sentence
    assert sorted(sandbox.list_emails(list_id)) == expected_emails(crm)
