"""Every way the sql source can fail becomes one sentence a person can act on."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sgtui.source import SourceError
from sgtui.source.sql import SqlSource

from .conftest import PASSWORD_USER, READER_USER, Database, Lake, fill_database, fill_lake

RELATIONS = ("profiles", "segments", "segment_members")


def sentence_of(url: str, **settings: str) -> str:
    with pytest.raises(SourceError) as raised:
        SqlSource(url, **settings).close()
    assert "\n" not in raised.value.sentence
    return raised.value.sentence


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- before any server is asked ---------------------------------------------------------------
@pytest.mark.parametrize("url", ["mysql+pymysql://sgtui:hunter2@127.0.0.1/crm",
                                 "mysql+pymysql://sgtui@127.0.0.1/crm?password=hunter2",
                                 "snowflake://sgtui:hunter2@acct/crm/marketing"])
def test_a_password_in_the_url_is_refused_and_never_repeated(url: str) -> None:
    sentence = sentence_of(url)
    assert "contains a password" in sentence and "SGTUI_SOURCE_PASSWORD" in sentence
    assert "hunter2" not in sentence


def test_a_url_that_does_not_parse_is_not_repeated() -> None:
    sentence = sentence_of("sgtui hunter2 @ db.internal")
    assert sentence.startswith("The [source] url in sgtui.toml is not a database URL")
    assert "hunter2" not in sentence


def test_a_dialect_that_is_not_installed_names_the_extra() -> None:
    assert sentence_of("snowflake://sgtui@acct/crm/marketing") == (
        "This workspace reads Snowflake, whose SQLAlchemy dialect is not installed: "
        "pip install 'sgtui[snowflake]'.")


def test_a_driver_that_is_not_installed_names_the_one_to_use() -> None:
    sentence = sentence_of("mysql+mysqldb://sgtui@db.internal/crm")
    assert "through the driver 'mysqldb', which is not installed" in sentence
    assert "pip install 'sgtui[mysql]'" in sentence and '"mysql+pymysql://..."' in sentence


def test_a_missing_duckdb_file_is_named(tmp_path: Path) -> None:
    assert sentence_of(f"duckdb:///{tmp_path}/crm.duckdb") == (
        f"The DuckDB file {tmp_path}/crm.duckdb does not exist; create it (its views can read "
        "Parquet files) or fix [source] url in sgtui.toml.")


def test_a_relation_name_with_three_parts_is_explained() -> None:
    sentence = sentence_of("duckdb:///x.duckdb", profiles="lake.main.profiles")
    assert sentence.startswith("'lake.main.profiles' is not a relation name")


# -- DuckDB over Parquet ------------------------------------------------------------------------
def test_duckdb_missing_view_is_named(lake: Lake) -> None:
    fill_lake(lake)
    sentence = sentence_of(lake.url, segments="audiences", key_column="customer_id")
    assert sentence.startswith(f"DuckDB at {lake.path} has no relation "
                               "'audiences' (the segments relation in sgtui.toml)")


def test_duckdb_a_parquet_file_gone_from_under_a_view_is_named(lake: Lake) -> None:
    fill_lake(lake)
    (lake.folder / "parquet" / "members.parquet").unlink()
    sentence = sentence_of(lake.url, key_column="customer_id")
    assert "has no relation 'segment_members'" in sentence
    assert "parquet/members.parquet" in sentence


def test_duckdb_missing_column_lists_what_is_there(lake: Lake) -> None:
    fill_lake(lake)
    lake.execute("CREATE VIEW members_v AS SELECT segment_id, profile_id AS customer "
                 "FROM segment_members")
    assert sentence_of(lake.url, segment_members="members_v", key_column="customer_id") == (
        "The segment_members relation 'members_v' has no column 'profile_id'; "
        "it has segment_id, customer.")


def test_duckdb_a_view_needs_a_configured_key_column(lake: Lake) -> None:
    fill_lake(lake)
    assert "set [source] key_column" in sentence_of(lake.url)


def test_duckdb_a_file_another_program_writes_is_explained(lake: Lake) -> None:
    fill_lake(lake)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; db = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(60)", str(lake.path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        sentence = sentence_of(lake.url, key_column="customer_id")
    finally:
        writer.kill()
        writer.wait()
    assert sentence.startswith(f"sgtui cannot connect to DuckDB at {lake.path}: "
                               "another program has the file open for writing")


# -- MariaDB ----------------------------------------------------------------------------------
def test_cannot_connect_names_the_host_and_why() -> None:
    port = closed_port()
    sentence = sentence_of(f"mysql+pymysql://sgtui@127.0.0.1:{port}/crm")
    assert sentence == (f"sgtui cannot connect to MySQL at 127.0.0.1:{port}, database 'crm': "
                        "the connection was refused (is the server running and listening "
                        "there?).")


def test_unknown_host_is_said_plainly() -> None:
    sentence = sentence_of("mariadb+pymysql://sgtui@no-such-host.invalid/crm")
    assert sentence == ("sgtui cannot connect to MariaDB at no-such-host.invalid, database "
                        "'crm': the host name is unknown.")


@pytest.fixture
def designed(database: Database) -> Database:
    return fill_database(database)


@pytest.mark.mariadb
def test_wrong_password_says_authentication_failed_without_repeating_it(
    designed: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SGTUI_SOURCE_PASSWORD", "certainly-not-it")
    sentence = sentence_of(designed.url_for(PASSWORD_USER))
    assert f"refused user {PASSWORD_USER!r} (authentication failed" in sentence
    assert "certainly-not-it" not in sentence


@pytest.mark.mariadb
def test_the_password_may_come_from_my_cnf(
    designed: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".my.cnf").write_text("[client]\npassword = from-my-cnf\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    sentence = sentence_of(designed.url_for(PASSWORD_USER))
    assert "(using password: YES)" in sentence and "from-my-cnf" not in sentence


@pytest.mark.mariadb
def test_missing_password_says_where_to_put_it(designed: Database) -> None:
    sentence = sentence_of(designed.url_for(PASSWORD_USER))
    assert f"wants a password for user {PASSWORD_USER!r} and none was given" in sentence
    assert "Set SGTUI_SOURCE_PASSWORD" in sentence


@pytest.mark.mariadb
def test_unknown_database_is_named(mariadb_url: str) -> None:
    sentence = sentence_of(mariadb_url.rsplit("/", 1)[0] + "/sgtui_no_such_db")
    assert sentence.endswith("Unknown database 'sgtui_no_such_db'; fix the database in the url.")


@pytest.mark.mariadb
def test_missing_relation_is_named(designed: Database) -> None:
    sentence = sentence_of(designed.url, segments="audiences_v")
    assert sentence == (f"MariaDB at 127.0.0.1:53306, database {designed.name!r} has no "
                        "relation 'audiences_v' (the segments relation in sgtui.toml); create "
                        "it or set [source] segments to a table or view that exists (Table "
                        f"'{designed.name}.audiences_v' doesn't exist).")


@pytest.mark.mariadb
def test_missing_column_lists_what_is_there(designed: Database) -> None:
    designed.execute("CREATE VIEW {d}.members_v AS SELECT segment_id, profile_id AS customer "
                     "FROM {d}.segment_members")
    assert sentence_of(designed.url, segment_members="members_v") == (
        "The segment_members relation 'members_v' has no column 'profile_id'; "
        "it has segment_id, customer.")


@pytest.mark.mariadb
def test_missing_key_column_suggests_the_setting(designed: Database) -> None:
    sentence = sentence_of(designed.url, key_column="user_id")
    assert sentence == ("The profiles relation 'profiles' has no column 'user_id' or set "
                        "[source] key_column; it has customer_id, email, first_name, country, "
                        "lifetime_value.")


@pytest.fixture
def reader_grants(designed: Database) -> Iterator[Database]:
    """The reader may read profiles and segments of the test database, not its members."""
    designed.execute(f"GRANT SELECT ON {{d}}.profiles TO '{READER_USER}'@'%'",
                     f"GRANT SELECT ON {{d}}.segments TO '{READER_USER}'@'%'")
    try:
        yield designed
    finally:
        designed.execute(f"REVOKE ALL PRIVILEGES ON {{d}}.profiles FROM '{READER_USER}'@'%'",
                         f"REVOKE ALL PRIVILEGES ON {{d}}.segments FROM '{READER_USER}'@'%'")


@pytest.mark.mariadb
def test_permission_denied_names_the_relation_and_the_grant(reader_grants: Database) -> None:
    name = reader_grants.name
    assert sentence_of(reader_grants.url_for(READER_USER)) == (
        f"The MariaDB user {READER_USER!r} may not read 'segment_members' (permission "
        f"denied); ask for GRANT SELECT ON {name}.segment_members TO '{READER_USER}'.")


@pytest.mark.mariadb
def test_no_right_on_the_database_at_all_says_which_grant(designed: Database) -> None:
    sentence = sentence_of(designed.url_for(READER_USER))
    assert sentence.endswith(f"ask for GRANT SELECT ON {designed.name}.* TO '{READER_USER}'.")


def wide_members(database: Database, rows: int = 16_000) -> None:
    """``rows`` profiles of 1 kB in segment 'all': more than the socket buffers hold."""
    database.execute(
        "INSERT INTO {d}.profiles (customer_id, email, first_name) SELECT "
        f"concat('x', lpad(seq, 6, '0')), concat('x', seq, '@example.com'), repeat('x', 1000) "
        f"FROM seq_1_to_{rows}",
        "INSERT INTO {d}.segments VALUES ('all', 'All', '')",
        "INSERT INTO {d}.segment_members SELECT 'all', customer_id FROM {d}.profiles",
    )


@pytest.mark.mariadb
def test_a_connection_dropped_mid_stream_stops_with_a_sentence(designed: Database) -> None:
    wide_members(designed)
    source = SqlSource(designed.url)
    try:
        stream = source.stream_members(["all"], ["customer_id", "first_name"], chunk_size=500)
        assert len(next(stream)) == 500
        assert designed.kill_connections(running="ORDER BY") == 1
        with pytest.raises(SourceError) as raised:
            for _chunk in stream:
                pass
        sentence = raised.value.sentence
        assert sentence.startswith(f"The connection to MariaDB at 127.0.0.1:53306, database "
                                   f"{designed.name!r} dropped while reading segment members (")
        assert sentence.endswith("The run stopped; run it again to resume.")
        # The source still answers; the next stream starts over cleanly.
        assert source.totals(["all"], None).profiles == 16_007
        assert sum(len(c) for c in source.stream_members(["all"], ["customer_id"])) == 16_007
    finally:
        source.close()


@pytest.mark.mariadb
def test_counts_reconnect_after_a_drop_between_calls(designed: Database) -> None:
    source = SqlSource(designed.url)
    try:
        assert source.totals(["vip"], None).profiles == 3
        deadline = time.monotonic() + 5
        while designed.kill_connections() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(source.segments()) == 4
    finally:
        source.close()


@pytest.mark.mariadb
def test_a_column_dropped_after_opening_is_a_sentence_not_a_traceback(
    designed: Database,
) -> None:
    source = SqlSource(designed.url)
    try:
        designed.execute("ALTER TABLE {d}.profiles DROP COLUMN country")
        with pytest.raises(SourceError) as raised:
            list(source.stream_members(["vip"], ["customer_id", "country"]))
        assert raised.value.sentence.startswith(
            "MariaDB at 127.0.0.1:53306, database " f"{designed.name!r} lacks a column while "
            "reading segment members (Unknown column")
        with pytest.raises(SourceError) as raised:
            source.totals(["vip"], "no_such_column")
        assert "has no column 'no_such_column'" in raised.value.sentence
    finally:
        source.close()
