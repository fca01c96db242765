"""Every way PostgreSQL can fail becomes one sentence a person can act on."""

from __future__ import annotations

import socket

import psycopg
import pytest

from sgtui.source import SourceError
from sgtui.source.postgresql import PostgresSource

from .conftest import PASSWORD_ROLE, READER_ROLE, Schema, dsn_for, role_exists, unavailable

pytestmark = pytest.mark.postgres


def open_on(schema: Schema, dsn: str | None = None, **names: str) -> PostgresSource:
    relations = {role: schema.rel(role) for role in ("profiles", "segments", "segment_members")}
    relations.update({role: schema.rel(name) for role, name in names.items()})
    return PostgresSource(dsn or schema.dsn, **relations)


def sentence_of(schema: Schema, dsn: str | None = None, **names: str) -> str:
    with pytest.raises(SourceError) as raised:
        open_on(schema, dsn, **names).close()
    return raised.value.sentence


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cannot_connect_names_the_host_and_why() -> None:
    port = closed_port()
    with pytest.raises(SourceError) as raised:
        PostgresSource(f"postgresql://sgtui@127.0.0.1:{port}/crm")
    sentence = raised.value.sentence
    assert sentence.startswith(f"sgtui cannot connect to PostgreSQL at 127.0.0.1:{port}, "
                               "database 'crm'")
    assert "refused" in sentence and "\n" not in sentence


def test_unknown_host_is_said_plainly() -> None:
    with pytest.raises(SourceError) as raised:
        PostgresSource("postgresql://sgtui@no-such-host.invalid/crm")
    assert "no-such-host.invalid:5432" in raised.value.sentence
    assert "host name is unknown" in raised.value.sentence


def test_a_password_in_the_dsn_is_refused_and_never_repeated() -> None:
    with pytest.raises(SourceError) as raised:
        PostgresSource("postgresql://sgtui:hunter2@127.0.0.1/crm")
    assert "contains a password" in raised.value.sentence
    assert "hunter2" not in raised.value.sentence


def test_wrong_password_says_authentication_failed(
    tables: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not role_exists(tables.dsn, PASSWORD_ROLE):
        unavailable(f"the test server has no role {PASSWORD_ROLE} (see .ci/system-packages)")
    monkeypatch.setenv("PGPASSWORD", "certainly-not-it")
    sentence = sentence_of(tables, dsn_for(PASSWORD_ROLE, tables.dsn))
    assert f"refused the password of user {PASSWORD_ROLE!r} (authentication failed)" in sentence
    assert "certainly-not-it" not in sentence


def test_missing_password_says_where_to_put_it(tables: Schema) -> None:
    if not role_exists(tables.dsn, PASSWORD_ROLE):
        unavailable(f"the test server has no role {PASSWORD_ROLE} (see .ci/system-packages)")
    sentence = sentence_of(tables, dsn_for(PASSWORD_ROLE, tables.dsn))
    assert "wants a password" in sentence and "PGPASSWORD" in sentence


def test_missing_relation_is_named(tables: Schema) -> None:
    sentence = sentence_of(tables, segments="audiences_v")
    assert sentence.endswith(
        f"has no relation '{tables.name}.audiences_v' (the segments relation in sgtui.toml); "
        "create it or set [source] segments to a table or view that exists.")


def test_missing_schema_is_named(tables: Schema) -> None:
    with pytest.raises(SourceError) as raised:
        PostgresSource(tables.dsn, profiles="nowhere.profiles",
                       segments=tables.rel("segments"),
                       segment_members=tables.rel("segment_members"))
    assert "'nowhere.profiles'" in raised.value.sentence


def test_missing_column_lists_what_is_there(tables: Schema) -> None:
    tables.execute("CREATE VIEW {s}.members_v AS SELECT segment_id, profile_id AS customer "
                   "FROM {s}.segment_members")
    sentence = sentence_of(tables, segment_members="members_v")
    assert sentence == (f"The segment_members relation '{tables.name}.members_v' has no column "
                        "'profile_id'; it has segment_id, customer.")


def test_missing_key_column_suggests_the_setting(tables: Schema) -> None:
    with pytest.raises(SourceError) as raised:
        PostgresSource(tables.dsn, profiles=tables.rel("profiles"),
                       segments=tables.rel("segments"),
                       segment_members=tables.rel("segment_members"), key_column="user_id")
    assert "has no column 'user_id' or set [source] key_column" in raised.value.sentence


def test_permission_denied_names_the_relation_and_the_grant(tables: Schema) -> None:
    if not role_exists(tables.dsn, READER_ROLE):
        unavailable(f"the test server has no role {READER_ROLE} (see .ci/system-packages)")
    tables.execute(f"GRANT USAGE ON SCHEMA {{s}} TO {READER_ROLE};"
                   f"GRANT SELECT ON {{s}}.profiles, {{s}}.segments TO {READER_ROLE}")
    sentence = sentence_of(tables, dsn_for(READER_ROLE, tables.dsn))
    assert sentence == (
        f"The PostgreSQL user {READER_ROLE!r} may not read '{tables.name}.segment_members' "
        f"(permission denied); ask for GRANT SELECT ON {tables.name}.segment_members TO "
        f"{READER_ROLE} (and USAGE on its schema)."
    )


def test_a_connection_dropped_mid_stream_stops_with_a_sentence(tables: Schema) -> None:
    tables.execute("INSERT INTO {s}.profiles SELECT 'x' || i, 'x' || i || '@example.com' "
                   "FROM generate_series(1, 5000) i;"
                   "INSERT INTO {s}.segment_members SELECT 'newsletter', 'x' || i "
                   "FROM generate_series(1, 5000) i")
    source = open_on(tables)
    try:
        stream = source.stream_members(["newsletter"], ["customer_id"], chunk_size=500)
        assert len(next(stream)) == 500
        tables.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'sgtui' AND query ILIKE '%%sgtui_members%%'")
        with pytest.raises(SourceError) as raised:
            for _chunk in stream:
                pass
        assert raised.value.sentence.startswith(
            "The connection to PostgreSQL at ")
        assert "dropped while reading segment members" in raised.value.sentence
        assert raised.value.sentence.endswith("run it again to resume.")
        # The source's own connection still answers; the next stream starts over cleanly.
        assert source.totals(["newsletter"], None).profiles == 5004
        assert sum(len(c) for c in source.stream_members(["newsletter"], ["customer_id"])) == 5004
    finally:
        source.close()


def test_counts_reconnect_after_a_drop_between_calls(tables: Schema) -> None:
    source = open_on(tables)
    try:
        tables.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'sgtui'")
        assert len(source.segments()) == 4
    finally:
        source.close()


def test_counts_say_so_when_the_server_is_gone_for_good(
    tables: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_on(tables)
    try:
        monkeypatch.setattr(source, "_conninfo", f"host=127.0.0.1 port={closed_port()} "
                                                 "dbname=sgtui_test connect_timeout=2")
        tables.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'sgtui'")
        with pytest.raises(SourceError) as raised:
            source.segments()
        assert raised.value.sentence.startswith("sgtui cannot connect to PostgreSQL at")
    finally:
        source.close()


def test_errors_are_never_raw_psycopg_errors(tables: Schema) -> None:
    source = open_on(tables)
    try:
        with pytest.raises(SourceError):
            list(source.stream_members(["vip"], ["no_such_column"]))
        with pytest.raises(SourceError):
            source.totals(["vip"], "no_such_column")
    except psycopg.Error as error:  # pragma: no cover - the failure this test guards against
        pytest.fail(f"a raw psycopg error escaped: {error!r}")
    finally:
        source.close()
