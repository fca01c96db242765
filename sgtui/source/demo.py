"""Demo customer data: N profiles and six overlapping segments, with the mess real data has.

Deterministic by seed. About 3% of emails are invalid and 2% missing; some people appear
twice with different letter case; some values carry padding; plus-addresses; names in many
scripts, some longer than SendGrid's 50-character limit, and a few that look like markup.
Typed columns for custom fields: ``lifetime_value`` (a number), ``last_order_at`` (a
date-time as SQLite writes them, empty for people who never ordered) and ``tier`` (text).
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sgtui.source.sqlite import ensure_indexes
from sgtui.workspace.files import create_exclusive, secure_file

FIRST_NAMES = [
    "Alice", "Bob", "Chloé", "Dmitri", "Émile", "Fatima", "Giulia", "Hiroshi", "Ingrid",
    "José", "Kwame", "Lena", "Mateo", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Søren",
    "Tomás", "Ursula", "Viktor", "Wen", "Xóchitl", "Yusuf", "Zoë", "Ana", "Ben", "Carla",
    "Dev", "李", "Мария", "محمد", "Γιώργος", "さくら", "민준", "अर्जुन", "Đức",
]
LAST_NAMES = [
    "Anderson", "Bauer", "Costa", "Dubois", "Eriksson", "Fischer", "García", "Hansen",
    "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrović",
    "Quispe", "Rossi", "Schmidt", "Tanaka", "Usman", "van der Berg", "Wójcik", "Xu", "Yılmaz",
    "Zhang", "王", "Смирнов", "العلي", "Παπαδόπουλος", "佐藤", "김", "शर्मा", "Nguyễn",
]
EMAIL_WORDS = [
    "alice", "bob", "chloe", "dmitri", "emile", "fatima", "giulia", "hiroshi", "ingrid",
    "jose", "kwame", "lena", "mateo", "nadia", "olu", "priya", "quentin", "rosa", "soren",
    "tomas", "ursula", "viktor", "wen", "xochitl", "yusuf", "zoe", "li", "maria", "mo",
]
DOMAINS = ["example.com", "example.org", "mail.example.net", "shop.example", "example.co.uk"]
PLACES = [
    ("United States", "California", "San Francisco", "94107"),
    ("United States", "New York", "New York", "10001"),
    ("United States", "Texas", "Austin", "73301"),
    ("Germany", "Berlin", "Berlin", "10115"),
    ("France", "Île-de-France", "Paris", "75001"),
    ("Spain", "Madrid", "Madrid", "28001"),
    ("Japan", "Tokyo", "東京", "100-0001"),
    ("Brazil", "São Paulo", "São Paulo", "01000-000"),
    ("Nigeria", "Lagos", "Lagos", "100001"),
    ("India", "Maharashtra", "Mumbai", "400001"),
    ("United Kingdom", "England", "London", "EC1A 1BB"),
    ("Canada", "Québec", "Montréal", "H2X 1Y4"),
]
EUROPE = {"Germany", "France", "Spain", "United Kingdom"}
INVALID_EMAILS = ["not-an-email", "bob@", "@example.com", "name@@example.com", "000",
                  "jane.doe@example", "two words@example.com"]
LONG_NAME = "Maximiliana Theodora Wilhelmina Konstantinopoulou-Vanderbilt-Ashworth"
MARKUP_NAMES = ["[b]Bold[/b]", "[red]Alert[/red]", "[/x]"]

SEGMENTS = [
    ("all-customers", "All customers", "Every profile with an account."),
    ("newsletter-optin", "Newsletter opt-in", "People who ticked the newsletter box."),
    ("high-value", "High value", "Lifetime value over 500."),
    ("recent-signups", "Recent sign-ups", "Signed up in the last 90 days."),
    ("churn-risk", "Churn risk", "No purchase in a year."),
    ("vip-europe", "VIP Europe", "High-value customers in Europe."),
]

SCHEMA = """
CREATE TABLE profiles (
    customer_id TEXT PRIMARY KEY,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    country TEXT,
    state TEXT,
    city TEXT,
    postal_code TEXT,
    signup_date TEXT,
    lifetime_value REAL,
    newsletter_optin INTEGER,
    last_order_at TEXT,
    tier TEXT
);
CREATE TABLE segments (segment_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT);
CREATE TABLE segment_members (
    segment_id TEXT,
    profile_id TEXT,
    PRIMARY KEY (segment_id, profile_id)
) WITHOUT ROWID;
"""


def generate_demo_database(path: Path | str, profiles: int = 25_000, seed: int = 7) -> Path:
    """Write a demo customer database with ``profiles`` profiles to ``path`` (replacing it)."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a planted link too: removed, never followed
    create_exclusive(path)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        db.executemany("INSERT INTO segments VALUES (?, ?, ?)", SEGMENTS)
        members: list[tuple[str, str]] = []
        rows = []
        for row, segment_ids in _profiles(profiles, random.Random(seed)):
            rows.append(row)
            members.extend((segment_id, row[0]) for segment_id in segment_ids)
            if len(rows) >= 20_000:
                _flush(db, rows, members)
        _flush(db, rows, members)
        ensure_indexes(db)
        db.commit()
    finally:
        db.close()
    secure_file(path)
    return path


def _flush(db: sqlite3.Connection, rows: list, members: list) -> None:
    db.executemany("INSERT INTO profiles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO segment_members VALUES (?, ?)", members)
    rows.clear()
    members.clear()


def _last_order(number: int, days_ago: int) -> str | None:
    """When the profile last ordered (derived, so the other columns keep their values)."""
    if number % 9 == 0:
        return None  # signed up, never ordered
    ordered = days_ago // (1 + number % 4)
    return (f"{2026 - ordered // 365}-{1 + ordered % 11:02d}-{1 + ordered % 28:02d} "
            f"{number % 24:02d}:{number * 7 % 60:02d}:00")


def _tier(value: float) -> str:
    """The loyalty tier the lifetime value earns."""
    return "gold" if value > 1000 else "silver" if value > 300 else "bronze"


def _profiles(count: int, rng: random.Random) -> Iterator[tuple[tuple, list[str]]]:
    previous_email = None
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country, state, city, postal = rng.choice(PLACES)
        word = rng.choice(EMAIL_WORDS)
        email: str | None = f"{word}.{number}@{rng.choice(DOMAINS)}"
        roll = rng.random()
        if roll < 0.03:
            email = rng.choice(INVALID_EMAILS)
        elif roll < 0.05:
            email = rng.choice([None, "", "   "])
        elif roll < 0.06 and previous_email:
            email = previous_email.upper()  # the same person again, shouting
        elif roll < 0.08:
            email = f"  {email} "
        elif roll < 0.10:
            email = f"{word}+shop{number % 7}@{rng.choice(DOMAINS)}"
        special = rng.random()
        if special < 0.01:
            first = LONG_NAME
        elif special < 0.015:
            last = rng.choice(MARKUP_NAMES)
        elif special < 0.03:
            first = f" {first}  "
        value = round(rng.lognormvariate(5, 1.1), 2)
        days_ago = rng.randint(0, 1500)
        optin = rng.random() < 0.6
        segments = ["all-customers"]
        if optin:
            segments.append("newsletter-optin")
        if value > 500:
            segments.append("high-value")
            if country in EUROPE:
                segments.append("vip-europe")
        if days_ago < 90:
            segments.append("recent-signups")
        if days_ago > 365 and rng.random() < 0.3:
            segments.append("churn-risk")
        if email and "@" in email and email.strip() == email:
            previous_email = email
        row = (
            f"C{number:07d}", email, first, last, country, state, city, postal,
            f"2026-{1 + days_ago % 12:02d}-{1 + days_ago % 28:02d}", value, int(optin),
            _last_order(number, days_ago), _tier(value),
        )
        yield row, segments
