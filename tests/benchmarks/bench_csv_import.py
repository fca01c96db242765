"""Benchmark: a first CSV import (50 MB, 180,000 rows) against a bare load (run by hand).

    python tests/benchmarks/bench_csv_import.py [ROWS]

Writes the CSV once (cached in /tmp): 15 columns, about 280 bytes a row, a ``segments``
column naming 0-4 of 24 segments. Then, in the same run, alternately:

- the floor: ``csv.reader`` over the file and ``executemany`` of the same rows into a new
  SQLite file (profiles with their primary key, and the segment memberships), in one
  transaction, nothing else;
- ``import_csv`` of the file into a new workspace database, as ``sgtui import`` does.

Goal (issue 17): the import within 3x the floor.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sgtui.source.csv_import import import_csv

COLUMNS = ["customer_id", "email", "first_name", "last_name", "country", "state", "city",
           "postal_code", "phone", "company", "address", "signup_date", "ltv", "notes",
           "segments"]
SEGMENTS = [f"Segment {name}" for name in (
    "Newsletter", "VIP", "High value", "Churn risk", "Spring sale", "Winter sale", "Loyalty",
    "Beta testers", "Europe", "Americas", "Asia", "Students", "Partners", "Lapsed",
    "Weekly digest", "Product news", "Events", "Webinars", "Mobile", "Desktop", "Trial",
    "Enterprise", "SMB", "Referrals")]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray"]
ROUNDS = 3
BATCH = 2_000


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(17)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(rows):
            first, last = rng.choice(WORDS).title(), rng.choice(WORDS).title()
            writer.writerow([
                f"C{number:08d}", f"{first}.{last}{number}@example.com".lower(), first, last,
                rng.choice(("DE", "FR", "US", "GB", "JP")), rng.choice(WORDS).title(),
                rng.choice(WORDS).title() + "ville", f"{rng.randrange(10000, 99999)}",
                f"+49 30 {rng.randrange(1000000, 9999999)}", f"{rng.choice(WORDS).title()} GmbH",
                f"{rng.randrange(1, 300)} {rng.choice(WORDS).title()} Street, floor "
                f"{rng.randrange(1, 9)}", f"2026-{rng.randrange(1, 13):02d}-"
                f"{rng.randrange(1, 29):02d}", f"{rng.random() * 5000:.2f}",
                " ".join(rng.choice(WORDS) for _ in range(15)),
                ";".join(rng.sample(SEGMENTS, rng.randrange(0, 5))),
            ])


def floor(csv_path: Path, database: Path) -> float:
    """The bare load: read with the csv module, executemany the same rows, commit."""
    started = time.perf_counter()
    db = sqlite3.connect(database, isolation_level=None)
    profile_columns = COLUMNS[:-1]
    db.execute(f"CREATE TABLE profiles ({profile_columns[0]} TEXT PRIMARY KEY, "
               + ", ".join(f"{c} TEXT" for c in profile_columns[1:]) + ")")
    db.execute("CREATE TABLE segment_members (segment_id TEXT, profile_id TEXT, "
               "PRIMARY KEY (segment_id, profile_id)) WITHOUT ROWID")
    insert = f"INSERT INTO profiles VALUES ({', '.join('?' * len(profile_columns))})"
    db.execute("BEGIN")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        profiles: list[list[str]] = []
        members: list[tuple[str, str]] = []
        for row in reader:
            profiles.append(row[:-1])
            members.extend((name, row[0]) for name in row[-1].split(";") if name)
            if len(profiles) >= BATCH:
                db.executemany(insert, profiles)
                db.executemany("INSERT INTO segment_members VALUES (?, ?)", members)
                profiles.clear()
                members.clear()
        db.executemany(insert, profiles)
        db.executemany("INSERT INTO segment_members VALUES (?, ?)", members)
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - started


def sgtui_import(csv_path: Path, database: Path) -> float:
    started = time.perf_counter()
    result = import_csv(csv_path, database)
    elapsed = time.perf_counter() - started
    assert result.added == result.rows, result.summary()
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 180_000
    csv_path = Path(f"/tmp/sgtui-bench-import-{rows}.csv")
    if not csv_path.exists():
        write_csv(csv_path, rows)
    size = csv_path.stat().st_size
    print(f"{csv_path}: {rows:,} rows, {size / 1e6:.1f} MB")
    floors, imports = [], []
    with tempfile.TemporaryDirectory(prefix="sgtui-bench-import-") as folder:
        for round_number in range(ROUNDS):
            floors.append(floor(csv_path, Path(folder) / f"floor-{round_number}.db"))
            imports.append(sgtui_import(csv_path, Path(folder) / f"import-{round_number}.db"))
    best_floor, best_import = min(floors), min(imports)
    print(f"floor (csv + executemany): median {statistics.median(floors):.2f} s, "
          f"best {best_floor:.2f} s")
    print(f"sgtui import:              median {statistics.median(imports):.2f} s, "
          f"best {best_import:.2f} s")
    ratio = statistics.median(imports) / statistics.median(floors)
    print(f"import / floor (medians): {ratio:.2f}x (goal: at most 3x) "
          f"{'OK' if ratio <= 3 else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
