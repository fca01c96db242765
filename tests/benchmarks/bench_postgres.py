"""Benchmark (not a test): stream 1,000,000 profiles' members from PostgreSQL.

Fills the schema `bench` on the test server once (1,000,000 profiles, three segments), then
prints the time and the process's peak RSS of counting and streaming; compare with
`psql DSN -c "\\copy (<the SELECT printed>) to /dev/null"`.
Run: python tests/benchmarks/bench_postgres.py [DSN]
"""

from __future__ import annotations

import resource
import sys
import time

from sgtui.source.postgresql import PostgresSource

COLUMNS = ["customer_id", "email", "first_name", "last_name", "country", "state", "city",
           "postal_code"]


LOAD = """
CREATE SCHEMA bench;
CREATE TABLE bench.profiles (customer_id text PRIMARY KEY, email text, first_name text,
  last_name text, country text, state text, city text, postal_code text);
INSERT INTO bench.profiles SELECT 'C' || lpad(i::text, 7, '0'), 'person.' || i || '@example.com',
  'First' || (i % 97), 'Last' || (i % 89), 'Germany', 'Berlin', 'Berlin', '10115'
  FROM generate_series(1, 1000000) i;
CREATE TABLE bench.segments (segment_id text PRIMARY KEY, name text NOT NULL, description text);
INSERT INTO bench.segments VALUES ('all', 'All customers', ''), ('newsletter', 'Newsletter', ''),
  ('high-value', 'High value', '');
CREATE TABLE bench.segment_members (segment_id text, profile_id text,
  PRIMARY KEY (segment_id, profile_id));
INSERT INTO bench.segment_members SELECT 'all', customer_id FROM bench.profiles;
INSERT INTO bench.segment_members SELECT 'newsletter', customer_id FROM bench.profiles
  WHERE right(customer_id, 1) < '6';
INSERT INTO bench.segment_members SELECT 'high-value', customer_id FROM bench.profiles
  WHERE right(customer_id, 1) < '2';
CREATE INDEX ON bench.segment_members (profile_id, segment_id);
ANALYZE bench.profiles;
ANALYZE bench.segment_members;
"""
COPY_SELECT = (
    f"SELECT {', '.join('p.' + c for c in COLUMNS)} FROM bench.profiles p WHERE p.customer_id IN "
    "(SELECT m.profile_id FROM bench.segment_members m WHERE m.segment_id = "
    "ANY('{all,newsletter}'::text[])) ORDER BY p.customer_id"
)


def load(dsn: str) -> None:
    """Create and fill the bench schema unless it exists."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        if db.execute("SELECT to_regclass('bench.profiles')").fetchone() != (None,):
            return
        print("loading 1,000,000 profiles into schema bench…")
        for statement in LOAD.split(";"):
            if statement.strip():
                db.execute(statement)


def main() -> None:
    dsn = sys.argv[1] if len(sys.argv) > 1 else "postgresql://sgtui_test@127.0.0.1:55432/sgtui_test"
    load(dsn)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    source = PostgresSource(dsn, profiles="bench.profiles", segments="bench.segments",
                            segment_members="bench.segment_members")
    started = time.perf_counter()
    totals = source.totals(["all", "newsletter"], "email")
    counted = time.perf_counter() - started
    started = time.perf_counter()
    rows = 0
    for chunk in source.stream_members(["all", "newsletter"], COLUMNS):
        rows += len(chunk)
    streamed = time.perf_counter() - started
    source.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"totals: {totals.profiles:,} profiles, {totals.emails:,} emails in {counted:.2f} s")
    print(f"stream_members: {rows:,} rows in {streamed:.2f} s ({rows / streamed:,.0f} rows/s)")
    print(f"peak RSS: {peak:.0f} MB (after imports and connect: {before:.0f} MB)")
    print(f"compare: psql {dsn} -c \"\\copy ({COPY_SELECT}) to /dev/null\"")


if __name__ == "__main__":
    main()
