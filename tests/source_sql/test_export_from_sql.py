"""An export reads its segments through the sql source and fills a sandbox list exactly."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sgtui.export.engine import RunOptions, run_export
from sgtui.export.events import RunStatus
from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.source.demo import generate_demo_database
from sgtui.source.sql import SqlSource
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig
from sgtui.workspace.secrets import ApiKey, KeyringSecrets, account_name

from .conftest import Database, Lake

KEY = "SG." + "a" * 22 + "." + "b" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name",
           "country": "country", "city": "city", "postal_code": "postal_code"}
# Deliberately not the engine's pattern: a plain reading of "name@domain.tld".
_VALID = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
TABLES = ("profiles", "segments", "segment_members")


@dataclass(frozen=True)
class Demo:
    """The demo generator's tables: column names and rows of each."""

    columns: dict[str, list[str]]
    rows: dict[str, list[tuple[Any, ...]]]

    def expected_emails(self) -> list[str]:
        """The segments' unique valid emails, worked out here from the raw rows."""
        members = {p for s, p in self.rows["segment_members"] if s in SEGMENTS}
        emails = {(row[1] or "").strip().lower() for row in self.rows["profiles"]
                  if row[0] in members}
        return sorted(email for email in emails if _VALID.match(email))


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """1,500 messy demo profiles in the demo's segments."""
    path = generate_demo_database(tmp_path_factory.mktemp("sqldemo") / "demo.db", 1_500, seed=9)
    db = sqlite3.connect(path)
    try:
        columns, rows = {}, {}
        for table in TABLES:
            cursor = db.execute(f"SELECT * FROM {table}")
            columns[table] = [c[0] for c in cursor.description]
            rows[table] = cursor.fetchall()
        return Demo(columns, rows)
    finally:
        db.close()


def demo_lake(lake: Lake, demo: Demo) -> str:
    """The demo as Parquet files behind views; returns the DuckDB URL."""
    statements = [lake.view(table, lake.parquet(table, demo.columns[table], demo.rows[table]))
                  for table in TABLES]
    lake.execute(*statements)
    return lake.url


def demo_database(database: Database, demo: Demo, *, slow_view: bool = False) -> None:
    """The demo as MariaDB tables, with views on top (one that reads slowly, if asked)."""
    for table in TABLES:
        names = demo.columns[table]
        key = {"profiles": "PRIMARY KEY (customer_id)",
               "segments": "PRIMARY KEY (segment_id)",
               "segment_members": "PRIMARY KEY (segment_id, profile_id)"}[table]
        database.execute(f"CREATE TABLE {{d}}.{table}_t ("
                         + ", ".join(f"{n} varchar(120)" for n in names) + f", {key})")
        database.executemany(f"INSERT INTO {{d}}.{table}_t VALUES "
                             f"({', '.join(['%s'] * len(names))})", demo.rows[table])
        # A slow view: each row costs the server 0.3 ms, so a stream is long enough
        # to be cut in the middle.
        where = " WHERE SLEEP(0.0003) = 0" if slow_view and table == "profiles" else ""
        database.execute(f"CREATE VIEW {{d}}.{table}_v AS SELECT * FROM {{d}}.{table}_t{where}")


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0,
                       rate_limit_contacts=10_000, rate_limit_other=100_000, seed=5) as server:
        yield server


def workspace_on(source: dict[str, str], sandbox: SandboxServer,
                 folder: Path) -> tuple[Workspace, str]:
    workspace = Workspace.open(folder)
    workspace.document["source"] = {"type": "sql", **source, "key_column": "customer_id"}
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=sandbox.base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc())))
    list_id = sandbox.create_list("Newsletter")["id"]
    workspace.put_export(ExportConfig(name="news", connection="sandbox", list_id=list_id,
                                      segments=SEGMENTS, mapping=dict(MAPPING)))
    workspace.save()
    return workspace, list_id


async def run_news(workspace: Workspace, options: RunOptions | None = None):  # type: ignore[no-untyped-def]
    secrets = KeyringSecrets()
    secrets.set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    return await run_export(workspace, "news", secrets=secrets, on_event=lambda event: None,
                            options=options or RunOptions())


async def test_an_export_from_duckdb_over_parquet_fills_the_list_exactly(
    lake: Lake, demo: Demo, sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = demo_lake(lake, demo)
    before = {path: path.read_bytes() for path in lake.folder.rglob("*") if path.is_file()}
    workspace, list_id = workspace_on({"url": url}, sandbox, tmp_path / "ws")
    summary = await run_news(workspace, RunOptions(chunk_size=400, max_batch_contacts=300))
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    expected = demo.expected_emails()
    assert len(expected) > 300
    assert sorted(sandbox.list_emails(list_id)) == expected
    again = await run_news(workspace)
    assert again.status is RunStatus.SUCCEEDED and again.uploaded == 0
    # Read-only: not one byte of the DuckDB file or its Parquet files changed.
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.mariadb
async def test_an_export_from_mariadb_views_fills_the_list_exactly(
    database: Database, demo: Demo, sandbox: SandboxServer, tmp_path: Path
) -> None:
    demo_database(database, demo)
    workspace, list_id = workspace_on(
        {"url": database.url, "profiles": "profiles_v", "segments": "segments_v",
         "segment_members": "segment_members_v"}, sandbox, tmp_path / "ws")
    summary = await run_news(workspace, RunOptions(chunk_size=400, max_batch_contacts=300))
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert sorted(sandbox.list_emails(list_id)) == demo.expected_emails()
    again = await run_news(workspace)
    assert again.status is RunStatus.SUCCEEDED and again.uploaded == 0


@pytest.mark.mariadb
async def test_a_dropped_connection_stops_the_run_and_the_next_run_resumes(
    database: Database, demo: Demo, sandbox: SandboxServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_database(database, demo, slow_view=True)
    workspace, list_id = workspace_on(
        {"url": database.url, "profiles": "profiles_v", "segments": "segments_v",
         "segment_members": "segment_members_v"}, sandbox, tmp_path / "ws")
    streaming = SqlSource.stream_members

    def dropping_after_first_chunk(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        stream = streaming(self, *args, **kwargs)
        yield next(stream)
        assert database.kill_connections(running="ORDER BY") == 1
        yield from stream

    monkeypatch.setattr(SqlSource, "stream_members", dropping_after_first_chunk)
    options = RunOptions(chunk_size=300, max_batch_contacts=100)
    failed = await run_news(workspace, options)
    assert failed.status is RunStatus.FAILED
    assert "dropped while reading segment members" in failed.sentence
    assert failed.sentence.endswith("The run stopped; run it again to resume.")
    assert len(sandbox.list_emails(list_id)) < len(demo.expected_emails())

    monkeypatch.setattr(SqlSource, "stream_members", streaming)
    resumed = await run_news(workspace, options)
    assert resumed.status is RunStatus.SUCCEEDED, resumed.sentence
    assert sorted(sandbox.list_emails(list_id)) == demo.expected_emails()
