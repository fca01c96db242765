"""`sgtui import FILE.csv`: profiles and memberships from a CSV, all or nothing."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.source.csv_import import (
    CsvImportError,
    import_csv,
    preview_csv,
    segment_id_for,
)
from sgtui.source.sqlite import SqliteSource

COMMA = (
    "customer_id,email,first_name,segments\n"
    "c1,ana@example.com,Ana,Newsletter;VIP\n"
    "c2,ben@example.com,Ben,Newsletter\n"
    "c3,cy@example.com,Cy,\n"
)


def write(folder: Path, text: str, name: str = "people.csv", *, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def read(database: Path, query: str) -> list[tuple]:
    db = sqlite3.connect(database)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def members(database: Path) -> set[tuple[str, str]]:
    return set(read(database, "SELECT segment_id, profile_id FROM segment_members"))


def test_a_comma_file_becomes_profiles_and_segments(tmp_path: Path) -> None:
    database = tmp_path / "customers.db"
    result = import_csv(write(tmp_path, COMMA), database)
    assert (result.rows, result.added, result.updated) == (3, 3, 0)
    assert result.segments_created == ["Newsletter", "VIP"]
    source = SqliteSource(database)
    try:
        assert source.key_column == "customer_id"
        assert [c.name for c in source.columns()] == ["customer_id", "email", "first_name"]
        assert [(s.id, s.name, s.member_count) for s in source.segments()] == [
            ("newsletter", "Newsletter", 2), ("vip", "VIP", 1)]
    finally:
        source.close()
    assert read(database, "SELECT * FROM profiles ORDER BY 1")[2] == ("c3", "cy@example.com", "Cy")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_semicolons_and_a_bom_are_understood(tmp_path: Path) -> None:
    text = ("\ufeffid;email;Segments\n"
            "7;\"zoë@example.com\";\"churn risk|VIP Europe\"\n")
    path = write(tmp_path, text)
    preview = preview_csv(path)
    assert preview.layout.delimiter == ";"
    assert preview.layout.columns == ["id", "email", "Segments"]
    assert (preview.layout.key_column, preview.layout.segments_column) == ("id", "Segments")
    import_csv(path, tmp_path / "customers.db")
    assert read(tmp_path / "customers.db", "SELECT id, email FROM profiles") == [
        ("7", "zoë@example.com")]
    assert members(tmp_path / "customers.db") == {("churn-risk", "7"), ("vip-europe", "7")}


def test_quoted_fields_keep_commas_newlines_and_quotes(tmp_path: Path) -> None:
    text = ('customer_id,name,address,note\r\n'
            'c1,"Doe, Jane","1 Main St\r\nApt 2","She said ""hi"""\r\n'
            'c2,Plain,Street,\r\n')
    database = tmp_path / "customers.db"
    result = import_csv(write(tmp_path, text), database)
    assert result.rows == 2 and result.segments_column is None
    assert read(database, "SELECT * FROM profiles ORDER BY 1") == [
        ("c1", "Doe, Jane", "1 Main St\r\nApt 2", 'She said "hi"'),
        ("c2", "Plain", "Street", None),
    ]


def test_duplicate_keys_are_reported_with_both_lines(tmp_path: Path) -> None:
    text = COMMA + "c2,other@example.com,Benny,VIP\n"
    with pytest.raises(CsvImportError) as raised:
        import_csv(write(tmp_path, text), tmp_path / "customers.db")
    assert raised.value.sentence.endswith(
        "has 1 bad row, so nothing was imported: line 5: the key 'c2' already appeared on "
        "line 3.")
    assert not (tmp_path / "customers.db").exists()


def test_a_broken_row_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    database = tmp_path / "customers.db"
    import_csv(write(tmp_path, COMMA), database)
    before = (read(database, "SELECT * FROM profiles ORDER BY 1"), members(database))
    broken = ("customer_id,email,first_name,segments,city\n"
              "c1,new@example.com,Ana,VIP,Paris\n"
              '"c4,"multi\nline",x,y,z\n'
              "c5,e@example.com,Eve\n"
              ",nokey@example.com,Nobody,,\n")
    with pytest.raises(CsvImportError) as raised:
        import_csv(write(tmp_path, broken, "broken.csv"), database)
    lines = [(p.line, p.message) for p in raised.value.problems]
    assert lines == [(3, "a quote closes in the middle of a field; write quotes inside a "
                         'quoted field as two quotes ("")')]
    after = (read(database, "SELECT * FROM profiles ORDER BY 1"), members(database))
    assert after == before
    assert [r[1] for r in read(database, "PRAGMA table_info(profiles)")] == [
        "customer_id", "email", "first_name"]


def test_an_unclosed_quote_names_the_line_it_opens_on(tmp_path: Path) -> None:
    text = 'customer_id,email\nc1,a@example.com\nc2,"b@example.com\nc3,c@example.com\n'
    with pytest.raises(CsvImportError) as raised:
        import_csv(write(tmp_path, text), tmp_path / "customers.db")
    assert [str(p) for p in raised.value.problems] == [
        "line 3: a quoted field starts here and is never closed (nothing after it was read)"]


def test_wrong_field_counts_and_empty_keys_are_all_listed(tmp_path: Path) -> None:
    text = ("customer_id,email\n"
            "c1,a@example.com\n"
            "c2,b@example.com,extra\n"
            "\n"
            ",c@example.com\n"
            "c3\n")
    with pytest.raises(CsvImportError) as raised:
        import_csv(write(tmp_path, text), tmp_path / "customers.db")
    assert [str(p) for p in raised.value.problems] == [
        "line 3: 3 fields where the header has 2",
        "line 5: the key column 'customer_id' is empty",
        "line 6: 1 field where the header has 2",
    ]


def test_reimport_updates_profiles_memberships_and_adds_columns(tmp_path: Path) -> None:
    database = tmp_path / "customers.db"
    import_csv(write(tmp_path, COMMA), database)
    again = ("customer_id,email,segments,city\n"
             "c1,ana@new.example,VIP,Lisbon\n"
             "c4,dee@example.com,Churn risk,Oslo\n")
    result = import_csv(write(tmp_path, again, "again.csv"), database)
    assert (result.rows, result.added, result.updated) == (2, 1, 1)
    assert result.columns_added == ["city"]
    assert result.segments_created == ["Churn risk"]
    assert read(database, "SELECT customer_id, email, first_name, city FROM profiles "
                          "ORDER BY 1") == [
        ("c1", "ana@new.example", "Ana", "Lisbon"),   # first_name was not in the file: kept
        ("c2", "ben@example.com", "Ben", None),
        ("c3", "cy@example.com", "Cy", None),
        ("c4", "dee@example.com", None, "Oslo"),
    ]
    # c1 left Newsletter; c2 (not in the file) keeps its membership.
    assert members(database) == {("vip", "c1"), ("newsletter", "c2"), ("churn-risk", "c4")}
    indexes = [r[0] for r in read(database, "SELECT name FROM sqlite_master WHERE type='index'")]
    assert "segment_members_by_profile" in indexes


def test_key_and_segments_columns_can_be_named(tmp_path: Path) -> None:
    text = "email,member_no,lists\nana@example.com,17,a;b\n"
    result = import_csv(write(tmp_path, text), tmp_path / "c.db", key="member_no",
                        segments_column="lists")
    assert (result.key_column, result.segments_column) == ("member_no", "lists")
    assert members(tmp_path / "c.db") == {("a", "17"), ("b", "17")}
    with pytest.raises(CsvImportError) as raised:
        import_csv(write(tmp_path, text), tmp_path / "c.db", key="email")
    assert "has a column 'member_no', which identifies profiles" in raised.value.sentence
    assert "use --key member_no" in raised.value.sentence


def test_a_file_whose_key_column_has_another_name_updates_by_that_key(
        tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ws"
    first = write(tmp_path, "customer_id,email\nc1,ana@example.com\nc2,ben@example.com\n",
                  name="first.csv")
    assert main(["import", str(first), "--workspace", str(folder)]) == 0
    capsys.readouterr()
    other = write(tmp_path, "member_no,email,city\nc1,ana@new.example.com,Lyon\n"
                            "c3,cy@example.com,Oslo\n", name="members.csv")

    assert main(["import", str(other), "--workspace", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "has no column 'customer_id'" in err and "--key COLUMN" in err
    assert "member_no, email, city" in err

    assert main(["import", str(other), "--key", "member_no", "--workspace", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported 2 profiles (1 new, 1 updated)")
    assert "The file's column 'member_no' holds the workspace's key 'customer_id'" in out
    rows = read(folder / "customers.db",
                "SELECT customer_id, email, city FROM profiles ORDER BY customer_id")
    assert rows == [("c1", "ana@new.example.com", "Lyon"), ("c2", "ben@example.com", None),
                    ("c3", "cy@example.com", "Oslo")]
    columns = [r[1] for r in read(folder / "customers.db", "PRAGMA table_info(profiles)")]
    assert "member_no" not in columns


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id,name\nc1,Jos\xe9\n", encoding="latin-1")
    with pytest.raises(CsvImportError) as raised:
        import_csv(path, tmp_path / "customers.db")
    assert "is not UTF-8 text" in raised.value.sentence


def test_segment_ids_are_slugs_of_names() -> None:
    assert segment_id_for("VIP Europe") == "vip-europe"
    assert segment_id_for("  Newsletter opt-in! ") == "newsletter-opt-in"
    assert segment_id_for("Café crème") == "cafe-creme"
    assert segment_id_for("Новости").startswith("segment-")


def test_the_command_imports_into_the_workspace(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ws"
    code = main(["import", str(write(tmp_path, COMMA)), "--workspace", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Imported 3 profiles (3 new, 0 updated); 3 segment memberships; "
                          "new segments: Newsletter, VIP.")
    assert (folder / "customers.db").exists()
    assert main(["check", "--workspace", str(folder)]) == 0


def test_the_command_exits_2_with_the_bad_lines(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "customer_id,email\nc1\n")
    code = main(["import", str(path), "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"sgtui import: {path} has 1 bad row, so nothing was imported: line 2: "
                   "1 field where the header has 2.\n")
    assert main(["import", str(tmp_path / "missing.csv"), "--workspace",
                 str(tmp_path / "ws")]) == 2
    assert "There is no file" in capsys.readouterr().err


def test_the_command_refuses_a_postgresql_workspace(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "sgtui.toml").write_text(
        'version = 1\n[access]\nadmins = ["alice"]\n[source]\ntype = "postgresql"\n'
        'dsn = "postgresql://sgtui@db/crm"\n', encoding="utf-8")
    assert main(["import", str(write(tmp_path, COMMA)), "--workspace", str(folder)]) == 2
    assert "CSV import loads the SQLite source" in capsys.readouterr().err


@pytest.mark.parametrize("role", ["contributors", "viewer"])
def test_only_an_administrator_can_change_customer_data_by_import(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    folder = tmp_path / "ws"
    assert main(["import", str(write(tmp_path, COMMA)), "--workspace", str(folder)]) == 0
    before = (folder / "customers.db").read_bytes()
    capsys.readouterr()
    toml = folder / "sgtui.toml"
    if role == "contributors":
        toml.write_text(toml.read_text().replace("contributors = []",
                                                 'contributors = ["mallory"]'))
    monkeypatch.setattr("getpass.getuser", lambda: "mallory")
    changed = write(tmp_path, "customer_id,email\nc1,mallory@example.com\n", "evil.csv")
    assert main(["import", str(changed), "--workspace", str(folder)]) == 2
    assert capsys.readouterr().err == (
        "sgtui import: Only an administrator of this workspace can import customer data "
        "from a CSV file. Ask one to do it, or to make you one.\n")
    assert (folder / "customers.db").read_bytes() == before
