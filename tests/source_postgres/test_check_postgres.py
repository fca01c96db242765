"""`sgtui check` validates a PostgreSQL workspace the same way as an SQLite one."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from sgtui.cli import main

from .conftest import Schema

pytestmark = pytest.mark.postgres


def write_workspace(folder: Path, schema: Schema, *, segments: str = "segments",
                    export_segments: str = '["vip", "newsletter"]',
                    email_column: str = "email") -> Path:
    folder.mkdir()
    (folder / "sgtui.toml").write_text(f"""\
version = 1

[access]
admins = ["{getpass.getuser()}"]

[source]
type = "postgresql"
dsn = "{schema.dsn}"
profiles = "{schema.rel('profiles')}"
segments = "{schema.rel(segments)}"
segment_members = "{schema.rel('segment_members')}"

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


def test_check_accepts_a_good_postgresql_workspace(tables: Schema, tmp_path, capsys) -> None:
    folder = write_workspace(tmp_path / "ws", tables)
    assert main(["check", "--workspace", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "customer data: postgresql, 4 segments" in out


def test_check_names_unknown_segments_and_columns(tables: Schema, tmp_path, capsys) -> None:
    folder = write_workspace(tmp_path / "ws", tables, export_segments='["vip", "gold"]',
                             email_column="mail")
    assert main(["check", "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "the segment 'gold' does not exist in the customer data" in err
    assert "the profiles table has no column 'mail'" in err


def test_check_explains_a_missing_relation(tables: Schema, tmp_path, capsys) -> None:
    folder = write_workspace(tmp_path / "ws", tables, segments="audiences")
    assert main(["check", "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "source: PostgreSQL at" in err
    assert f"has no relation '{tables.name}.audiences'" in err
    assert "Traceback" not in err
