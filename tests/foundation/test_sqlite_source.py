"""The SQLite source counts and streams exactly what plain SQL over the same file says."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sgtui.source import SourceError
from sgtui.source.demo import generate_demo_database
from sgtui.source.sqlite import SqliteSource


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_database(tmp_path_factory.mktemp("src") / "c.db", 3_000, seed=11)


def members(path: Path, segment_ids: list[str]) -> dict[str, str | None]:
    """Independent expectation: profile id -> email for members of any of the segments."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT segment_id, profile_id FROM segment_members").fetchall()
    ids = {profile for segment, profile in rows if segment in segment_ids}
    emails = dict(db.execute("SELECT customer_id, email FROM profiles").fetchall())
    return {profile: emails[profile] for profile in ids}


def test_columns_list_the_key_first_with_samples(db_path: Path) -> None:
    source = SqliteSource(db_path)
    columns = source.columns()
    assert columns[0].name == "customer_id" and columns[0].is_key
    assert {c.name for c in columns} >= {"email", "first_name", "postal_code"}
    assert all(c.sample for c in columns)


def test_segments_have_member_counts(db_path: Path) -> None:
    source = SqliteSource(db_path)
    segments = {s.id: s for s in source.segments()}
    assert len(segments) == 6
    assert segments["all-customers"].member_count == 3_000
    assert segments["vip-europe"].member_count < segments["high-value"].member_count


@pytest.mark.parametrize("chosen", [["high-value"], ["newsletter-optin", "churn-risk"],
                                    ["high-value", "vip-europe", "recent-signups"]])
def test_totals_count_each_profile_and_email_once(db_path: Path, chosen: list[str]) -> None:
    expected = members(db_path, chosen)
    emails = {e.strip().lower() for e in expected.values() if e and e.strip()}
    totals = SqliteSource(db_path).totals(chosen, "email")
    assert totals.profiles == len(expected)
    assert totals.emails == len(emails)
    assert SqliteSource(db_path).totals(chosen, None).profiles == len(expected)


def test_streaming_yields_each_member_once_in_chunks(db_path: Path) -> None:
    chosen = ["newsletter-optin", "high-value"]
    chunks = list(SqliteSource(db_path).stream_members(chosen, ["customer_id", "email"],
                                                       chunk_size=500))
    assert max(len(chunk) for chunk in chunks) == 500
    rows = [row for chunk in chunks for row in chunk]
    assert len(rows) == len({row[0] for row in rows})
    assert dict(rows) == members(db_path, chosen)


def test_demo_data_has_the_mess_real_data_has(db_path: Path) -> None:
    db = sqlite3.connect(db_path)
    emails = [row[0] for row in db.execute("SELECT email FROM profiles")]
    names = [row[0] for row in db.execute("SELECT first_name || ' ' || last_name FROM profiles")]
    assert any(e is None or not e.strip() for e in emails)
    assert any(e and "@" not in e for e in emails)
    assert any(e and e != e.strip() for e in emails)
    assert any(e and "+" in e for e in emails)
    lowered = [e.strip().lower() for e in emails if e and e.strip()]
    assert len(lowered) > len(set(lowered))
    assert any(len(n) > 50 for n in names)
    assert any("[b]" in n or "[/" in n for n in names)
    assert any(not n.isascii() for n in names)


def test_demo_data_is_deterministic(tmp_path: Path) -> None:
    a = generate_demo_database(tmp_path / "a.db", 200, seed=5)
    b = generate_demo_database(tmp_path / "b.db", 200, seed=5)
    dump = lambda p: list(sqlite3.connect(p).execute("SELECT * FROM profiles"))  # noqa: E731
    assert dump(a) == dump(b)


def test_a_missing_or_wrong_database_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        SqliteSource(tmp_path / "nope.db")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE x (a)")
    with pytest.raises(SourceError, match="has no profiles, segments, segment_members table"):
        SqliteSource(empty)
