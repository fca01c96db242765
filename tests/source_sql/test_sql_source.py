"""Reading customer data through the sql source: counts, columns, streaming, views.

Each test runs on DuckDB views over Parquet files and on a real MariaDB server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sgtui.source import SourceError, open_source
from sgtui.source.sql import SqlSource
from sgtui.workspace.config import Workspace

from .conftest import Database, Design, Lake, admin_connect


def test_segments_list_member_counts_by_name(open_design) -> None:
    segments = open_design.segments()
    assert [(s.id, s.name, s.member_count) for s in segments] == [
        ("churn", "Churn risk", 1),
        ("empty", "Empty segment", 0),
        ("newsletter", "Newsletter opt-in", 4),
        ("vip", "VIP", 3),
    ]
    assert segments[0].description == "No purchase in a year."
    assert segments[3].description == ""


def test_totals_count_each_profile_once_and_emails_case_blind(open_design) -> None:
    totals = open_design.totals(["newsletter", "vip"], "email")
    # c01..c05 and c07; ben@ and BEN@ are one email; "" and NULL are none.
    assert (totals.profiles, totals.emails) == (6, 3)
    assert open_design.totals(["vip"], None).profiles == 3
    assert open_design.totals([], "email").profiles == 0
    assert open_design.totals(["no-such-segment"], "email").profiles == 0


def test_columns_put_the_key_first_with_types_and_samples(open_design, design: Design) -> None:
    columns = open_design.columns()
    assert [c.name for c in columns] == [
        "customer_id", "email", "first_name", "country", "lifetime_value"]
    assert columns[0].is_key and not any(c.is_key for c in columns[1:])
    assert open_design.key_column == "customer_id"
    by_name = {c.name: c for c in columns}
    assert by_name["email"].sample == "ana@example.com"
    assert by_name["lifetime_value"].type.lower().startswith(
        "decimal" if design.engine == "duckdb" else "newdecimal")


def test_members_stream_each_profile_once_in_key_order(open_design) -> None:
    chunks = list(open_design.stream_members(
        ["newsletter", "vip", "vip"], ["customer_id", "first_name"], chunk_size=4))
    assert [len(chunk) for chunk in chunks] == [4, 2]
    rows = [row for chunk in chunks for row in chunk]
    assert rows == [("c01", "Ana"), ("c02", "Ben"), ("c03", "Benjamin"), ("c04", "Carla"),
                    ("c05", "Dev"), ("c07", "[b]Fay[/b]")]
    assert list(open_design.stream_members([], ["customer_id"])) == []


def test_sample_rows_come_in_key_order(open_design) -> None:
    assert open_design.sample_rows(["customer_id", "country"], limit=2) == [
        ("c01", "Spain"), ("c02", "Germany")]


def test_a_stream_stopped_early_leaves_the_source_usable(open_design) -> None:
    stream = open_design.stream_members(["newsletter"], ["customer_id"], chunk_size=1)
    assert next(stream) == [("c01",)]
    stream.close()
    assert open_design.totals(["newsletter"], None).profiles == 4


def test_the_workspace_opens_a_sql_source(design: Design, tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "ws", user="alice")
    workspace.document["source"] = {"type": "sql", "url": design.url, **design.relations}
    if design.key_column:
        workspace.document["source"]["key_column"] = design.key_column
    workspace.save()
    source = open_source(workspace)
    try:
        assert isinstance(source, SqlSource)
        assert source.totals(["newsletter"], "email").profiles == 4
    finally:
        source.close()


@pytest.mark.mariadb
def test_members_stream_through_a_server_side_cursor(database: Database) -> None:
    database.execute(
        "CREATE TABLE {d}.profiles (id bigint PRIMARY KEY, email varchar(80), pad text)",
        "CREATE TABLE {d}.segments (segment_id int PRIMARY KEY, name text)",
        "CREATE TABLE {d}.segment_members (segment_id int, profile_id bigint, "
        "PRIMARY KEY (segment_id, profile_id))",
        # 16,000 rows of 1 kB: more than the socket buffers hold, so the server is
        # still sending while the first chunk is read.
        "INSERT INTO {d}.profiles SELECT seq, concat('p', seq, '@example.com'), "
        "repeat('x', 1000) FROM seq_1_to_16000",
        "INSERT INTO {d}.segments VALUES (1, 'All'), (2, 'Odd')",
        "INSERT INTO {d}.segment_members SELECT 1, seq FROM seq_1_to_16000",
        "INSERT INTO {d}.segment_members SELECT 2, seq FROM seq_1_to_16000_step_2",
    )
    source = SqlSource(database.url, profiles="profiles", segments="segments",
                       segment_members="segment_members")
    try:
        stream = source.stream_members(["1", "2"], ["id", "email", "pad"], chunk_size=2_000)
        first = next(stream)
        assert len(first) == 2_000 and first[0][:2] == (1, "p1@example.com")
        # Mid-stream, the server is still executing the query for us, on its own connection.
        with admin_connect(database.server_url).cursor() as cursor:
            cursor.execute("SELECT COMMAND FROM information_schema.PROCESSLIST WHERE DB = %s "
                           "AND INFO LIKE %s", (database.name, "%ORDER BY%"))
            assert cursor.fetchall() == (("Query",),)
        # Counts answer meanwhile, on another connection.
        assert source.totals(["2"], "email").profiles == 8_000
        assert [len(chunk) for chunk in stream] == [2_000] * 7
    finally:
        source.close()


@pytest.mark.mariadb
def test_views_over_a_crm_schema_serve_as_relations(database: Database) -> None:
    """A typical CRM schema, shown to sgtui through three views and a configured key."""
    database.execute(
        "CREATE TABLE {d}.customers (id integer PRIMARY KEY, contact_email text, "
        "  given_name text, deleted boolean DEFAULT false)",
        "CREATE TABLE {d}.audiences (audience_id integer PRIMARY KEY, title text)",
        "CREATE TABLE {d}.audience_customers (audience_id integer, customer_id integer)",
        "INSERT INTO {d}.customers VALUES (1, 'a@example.com', 'A', false), "
        "  (2, 'b@example.com', 'B', false), (3, 'c@example.com', 'C', true)",
        "INSERT INTO {d}.audiences VALUES (10, 'Buyers'), (20, 'Browsers')",
        "INSERT INTO {d}.audience_customers VALUES (10, 1), (10, 2), (10, 2), (20, 3), (20, 1)",
        "CREATE VIEW {d}.profiles_v AS SELECT id AS customer_id, contact_email AS email, "
        "  given_name AS first_name FROM {d}.customers WHERE NOT deleted",
        "CREATE VIEW {d}.segments_v AS SELECT audience_id AS segment_id, title AS name "
        "  FROM {d}.audiences",
        "CREATE VIEW {d}.segment_members_v AS SELECT ac.audience_id AS segment_id, "
        "  ac.customer_id AS profile_id FROM {d}.audience_customers ac "
        "  JOIN {d}.customers c ON c.id = ac.customer_id WHERE NOT c.deleted",
    )
    source = SqlSource(database.url, profiles=database.rel("profiles_v"),
                       segments=database.rel("segments_v"),
                       segment_members=database.rel("segment_members_v"),
                       key_column="customer_id")
    try:
        assert [(s.id, s.name, s.member_count, s.description) for s in source.segments()] == [
            ("20", "Browsers", 1, ""), ("10", "Buyers", 2, "")]
        assert source.totals(["10", "20"], "email").profiles == 2
        assert [r for c in source.stream_members(["10"], ["customer_id", "email"]) for r in c] == [
            (1, "a@example.com"), (2, "b@example.com")]
    finally:
        source.close()
    with pytest.raises(SourceError) as raised:
        SqlSource(database.url, profiles="profiles_v", segments="segments_v",
                  segment_members="segment_members_v")
    assert "set [source] key_column" in raised.value.sentence


@pytest.mark.mariadb
def test_identifiers_are_quoted_by_the_dialect(database: Database) -> None:
    database.execute(
        "CREATE TABLE {d}.`Select` (`order` varchar(9) PRIMARY KEY, `e-mail` text, "
        "`First Name` text)",
        "CREATE TABLE {d}.segments (segment_id text, name text)",
        "CREATE TABLE {d}.segment_members (segment_id text, profile_id varchar(9))",
        "INSERT INTO {d}.`Select` VALUES ('o1', 'a@example.com', 'Ann')",
        "INSERT INTO {d}.segments VALUES ('s', 'S')",
        "INSERT INTO {d}.segment_members VALUES ('s', 'o1')",
    )
    source = SqlSource(database.url, profiles=f"{database.name}.Select", key_column="order")
    try:
        assert source.totals(["s"], "e-mail").emails==1
        assert list(source.stream_members(["s"], ["order", "e-mail", "First Name"])) == [
            [("o1", "a@example.com", "Ann")]]
    finally:
        source.close()
    with pytest.raises(SourceError) as raised:
        SqlSource(database.url, profiles="profiles; DROP TABLE segments; --")
    assert "has no relation 'profiles; DROP TABLE segments; --'" in raised.value.sentence
    with admin_connect(database.server_url, database=database.name).cursor() as cursor:
        assert cursor.execute("SELECT * FROM segments") == 1


def test_duckdb_views_read_parquet_beside_the_file_from_anywhere(
    lake: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import fill_lake

    fill_lake(lake)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the views say read_parquet('parquet/profiles.parquet')
    source = SqlSource(lake.url, key_column="customer_id")
    try:
        assert source.totals(["vip"], None).profiles == 3
    finally:
        source.close()


def test_a_relative_duckdb_path_is_found_in_the_workspace(lake: Lake, tmp_path: Path) -> None:
    from .conftest import fill_lake

    fill_lake(lake)
    workspace = Workspace.create(tmp_path / "ws", user="alice")
    os.replace(lake.folder, workspace.folder / "lake")
    workspace.document["source"] = {"type": "sql", "url": "duckdb:///lake/crm.duckdb",
                                    "key_column": "customer_id"}
    workspace.save()
    source = open_source(workspace)
    try:
        assert source.totals(["newsletter", "churn"], "email").emails == 3
    finally:
        source.close()


def test_duckdb_is_opened_read_only(lake: Lake) -> None:
    """While sgtui reads, other processes may read too (no write lock), and nothing changes."""
    from .conftest import fill_lake

    fill_lake(lake)
    before = lake.path.read_bytes()
    source = SqlSource(lake.url, key_column="customer_id")
    try:
        list(source.stream_members(["vip"], ["customer_id"]))
        other = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], "
             "read_only=True).execute('SELECT count(*) FROM duckdb_views() "
             "WHERE NOT internal').fetchone()[0])", str(lake.path)],
            capture_output=True, text=True, timeout=60, check=False)
        assert (other.returncode, other.stdout.strip()) == (0, "3"), other.stderr
    finally:
        source.close()
    assert lake.path.read_bytes() == before
