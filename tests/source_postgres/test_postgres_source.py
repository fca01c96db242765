"""Reading customer data from a real PostgreSQL server: counts, columns, streaming, views."""

from __future__ import annotations

import psycopg
import pytest

from sgtui.source import SourceError, open_source
from sgtui.source.postgresql import PostgresSource
from sgtui.workspace.config import Workspace

from .conftest import Schema, schema_sql

pytestmark = pytest.mark.postgres


def test_segments_list_member_counts_by_name(open_tables) -> None:
    segments = open_tables.segments()
    assert [(s.id, s.name, s.member_count) for s in segments] == [
        ("churn", "Churn risk", 1),
        ("empty", "Empty segment", 0),
        ("newsletter", "Newsletter opt-in", 4),
        ("vip", "VIP", 3),
    ]
    assert segments[0].description == "No purchase in a year."
    assert segments[3].description == ""


def test_totals_count_each_profile_once_and_emails_case_blind(open_tables) -> None:
    totals = open_tables.totals(["newsletter", "vip"], "email")
    # c01..c05 and c07; ben@ and BEN@ are one email; "" and NULL are none.
    assert (totals.profiles, totals.emails) == (6, 3)
    assert open_tables.totals(["vip"], None).profiles == 3
    assert open_tables.totals([], "email").profiles == 0
    assert open_tables.totals(["no-such-segment"], "email").profiles == 0


def test_columns_put_the_key_first_with_types_and_samples(open_tables) -> None:
    columns = open_tables.columns()
    assert [c.name for c in columns] == [
        "customer_id", "email", "first_name", "country", "lifetime_value"]
    assert columns[0].is_key and not any(c.is_key for c in columns[1:])
    assert open_tables.key_column == "customer_id"
    by_name = {c.name: c for c in columns}
    assert by_name["email"].type == "text"
    assert by_name["lifetime_value"].type.startswith("numeric")
    assert by_name["email"].sample == "ana@example.com"


def test_members_stream_each_profile_once_in_key_order(open_tables) -> None:
    chunks = list(open_tables.stream_members(
        ["newsletter", "vip", "vip"], ["customer_id", "first_name"], chunk_size=4))
    assert [len(chunk) for chunk in chunks] == [4, 2]
    rows = [row for chunk in chunks for row in chunk]
    assert rows == [("c01", "Ana"), ("c02", "Ben"), ("c03", "Benjamin"), ("c04", "Carla"),
                    ("c05", "Dev"), ("c07", "[b]Fay[/b]")]
    assert list(open_tables.stream_members([], ["customer_id"])) == []


def test_sample_rows_come_in_key_order(open_tables) -> None:
    assert open_tables.sample_rows(["customer_id", "country"], limit=2) == [
        ("c01", "Spain"), ("c02", "Germany")]


def test_members_stream_through_a_server_side_cursor(schema: Schema) -> None:
    schema.execute(
        "CREATE TABLE {s}.profiles (id bigint PRIMARY KEY, email text);"
        "CREATE TABLE {s}.segments (segment_id text PRIMARY KEY, name text);"
        "CREATE TABLE {s}.segment_members (segment_id text, profile_id bigint);"
        "INSERT INTO {s}.profiles SELECT i, 'p' || i || '@example.com' "
        "  FROM generate_series(1, 20000) i;"
        "INSERT INTO {s}.segments VALUES ('all', 'All'), ('odd', 'Odd');"
        "INSERT INTO {s}.segment_members SELECT 'all', i FROM generate_series(1, 20000) i;"
        "INSERT INTO {s}.segment_members SELECT 'odd', i FROM generate_series(1, 20000, 2) i"
    )
    source = PostgresSource(schema.dsn, profiles=schema.rel("profiles"),
                            segments=schema.rel("segments"),
                            segment_members=schema.rel("segment_members"))
    try:
        stream = source.stream_members(["all", "odd"], ["id", "email"], chunk_size=1_000)
        first = next(stream)
        assert len(first) == 1_000 and first[0] == (1, "p1@example.com")
        # Mid-stream, the server holds the cursor and is asked for the next chunk.
        (query,) = schema.db.execute(
            "SELECT query FROM pg_stat_activity WHERE application_name = 'sgtui' "
            "AND query ILIKE '%%sgtui_members%%'").fetchone()
        assert query.startswith(("DECLARE", "FETCH"))
        rest = [len(chunk) for chunk in stream]
        assert rest == [1_000] * 19
        assert source.totals(["all", "odd"], "email").profiles == 20_000
    finally:
        source.close()


def test_views_over_another_schema_serve_as_relations(schema: Schema, tmp_path) -> None:
    """A typical CRM schema, shown to sgtui through three views and a configured key."""
    schema.execute(
        "CREATE TABLE {s}.customers (id integer PRIMARY KEY, contact_email text, "
        "  given_name text, deleted boolean DEFAULT false);"
        "CREATE TABLE {s}.audiences (audience_id integer PRIMARY KEY, title text);"
        "CREATE TABLE {s}.audience_customers (audience_id integer, customer_id integer);"
        "INSERT INTO {s}.customers VALUES (1, 'a@example.com', 'A', false),"
        "  (2, 'b@example.com', 'B', false), (3, 'c@example.com', 'C', true);"
        "INSERT INTO {s}.audiences VALUES (10, 'Buyers'), (20, 'Browsers');"
        "INSERT INTO {s}.audience_customers VALUES (10, 1), (10, 2), (10, 2), (20, 3), (20, 1);"
        "CREATE VIEW {s}.profiles_v AS SELECT id AS customer_id, contact_email AS email, "
        "  given_name AS first_name FROM {s}.customers WHERE NOT deleted;"
        "CREATE VIEW {s}.segments_v AS SELECT audience_id AS segment_id, title AS name "
        "  FROM {s}.audiences;"
        "CREATE VIEW {s}.segment_members_v AS SELECT ac.audience_id AS segment_id, "
        "  ac.customer_id AS profile_id FROM {s}.audience_customers ac "
        "  JOIN {s}.customers c ON c.id = ac.customer_id WHERE NOT c.deleted"
    )
    workspace = Workspace.create(tmp_path / "ws", user="alice")
    workspace.document["source"] = {
        "type": "postgresql", "dsn": schema.dsn, "profiles": schema.rel("profiles_v"),
        "segments": schema.rel("segments_v"), "segment_members": schema.rel("segment_members_v"),
        "key_column": "customer_id"}
    workspace.save()
    source = open_source(workspace)
    try:
        assert [(s.id, s.name, s.member_count, s.description) for s in source.segments()] == [
            ("20", "Browsers", 1, ""), ("10", "Buyers", 2, "")]
        assert source.totals(["10", "20"], "email").profiles == 2
        assert [r for c in source.stream_members(["10"], ["customer_id", "email"]) for r in c] == [
            (1, "a@example.com"), (2, "b@example.com")]
    finally:
        source.close()


def test_a_view_needs_a_configured_key_column(schema: Schema) -> None:
    schema.execute(
        "CREATE VIEW {s}.profiles_v AS SELECT 1 AS customer_id, 'x@example.com' AS email;"
        "CREATE TABLE {s}.segments (segment_id text, name text);"
        "CREATE TABLE {s}.segment_members (segment_id text, profile_id integer)")
    with pytest.raises(SourceError) as raised:
        PostgresSource(schema.dsn, profiles=schema.rel("profiles_v"),
                       segments=schema.rel("segments"),
                       segment_members=schema.rel("segment_members"))
    assert "set [source] key_column" in raised.value.sentence


def test_unqualified_names_follow_the_search_path(tables: Schema) -> None:
    dsn = f"{tables.dsn}?options=-csearch_path%3D{tables.name}"
    source = PostgresSource(dsn)
    try:
        assert source.totals(["newsletter"], None).profiles == 4
    finally:
        source.close()


def test_identifiers_are_quoted_not_spliced(tables: Schema) -> None:
    with pytest.raises(SourceError) as raised:
        PostgresSource(tables.dsn, profiles=tables.rel('profiles; DROP TABLE x; --'),
                       segments=tables.rel("segments"),
                       segment_members=tables.rel("segment_members"))
    assert "has no relation" in raised.value.sentence
    with psycopg.connect(tables.dsn) as db:
        count = db.execute(schema_sql(tables, "SELECT count(*) FROM {s}.profiles")).fetchone()
    assert count == (7,)

