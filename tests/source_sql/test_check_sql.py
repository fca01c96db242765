"""`sgtui check` validates a sql workspace the same way as an SQLite one."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from sgtui.cli import main

from .conftest import Database, Lake, fill_database, fill_lake


def write_workspace(folder: Path, source: str, *, export_segments: str = '["vip", "newsletter"]',
                    email_column: str = "email") -> Path:
    folder.mkdir()
    (folder / "sgtui.toml").write_text(f"""\
version = 1

[access]
admins = ["{getpass.getuser()}"]

[source]
type = "sql"
{source}

[connections.marketing]
display_name = "Marketing SendGrid"
export_users = ["alice"]

[exports.spring]
connection = "marketing"
list_id = "6b1a3b7c"
segments = {export_segments}

[exports.spring.mapping]
email = "{email_column}"
first_name = "first_name"
""", encoding="utf-8")
    return folder


def test_check_accepts_a_good_duckdb_workspace(lake: Lake, tmp_path: Path, capsys) -> None:
    fill_lake(lake)
    folder = write_workspace(tmp_path / "ws", f'url = "{lake.url}"\nkey_column = "customer_id"')
    assert main(["check", "--workspace", str(folder)]) == 0
    assert "customer data: sql (DuckDB), 4 segments" in capsys.readouterr().out


def test_check_names_unknown_segments_and_columns(lake: Lake, tmp_path: Path, capsys) -> None:
    fill_lake(lake)
    folder = write_workspace(tmp_path / "ws", f'url = "{lake.url}"\nkey_column = "customer_id"',
                             export_segments='["vip", "gold"]', email_column="mail")
    assert main(["check", "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "the segment 'gold' does not exist in the customer data" in err
    assert "the profiles table has no column 'mail'" in err


def test_check_wants_a_url(tmp_path: Path, capsys) -> None:
    folder = write_workspace(tmp_path / "ws", 'profiles = "profiles"')
    assert main(["check", "--workspace", str(folder)]) == 2
    assert "source.url: a sql source needs a url" in capsys.readouterr().err


def test_check_refuses_a_password_in_the_url(tmp_path: Path, capsys) -> None:
    folder = write_workspace(tmp_path / "ws", 'url = "mysql+pymysql://sgtui:hunter2@db/crm"')
    assert main(["check", "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "source: The [source] url in sgtui.toml contains a password" in err
    assert "hunter2" not in err


@pytest.mark.mariadb
def test_check_accepts_a_good_mariadb_workspace(database: Database, tmp_path: Path,
                                                capsys) -> None:
    fill_database(database)
    folder = write_workspace(tmp_path / "ws", f'url = "{database.url}"')
    assert main(["check", "--workspace", str(folder)]) == 0
    assert "customer data: sql (MariaDB), 4 segments" in capsys.readouterr().out


@pytest.mark.mariadb
def test_check_explains_a_missing_relation(database: Database, tmp_path: Path, capsys) -> None:
    fill_database(database)
    folder = write_workspace(tmp_path / "ws", f'url = "{database.url}"\nsegments = "audiences"')
    assert main(["check", "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "source: MariaDB at 127.0.0.1:53306" in err
    assert "has no relation 'audiences'" in err
    assert "Traceback" not in err
