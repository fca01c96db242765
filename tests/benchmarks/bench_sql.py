"""Benchmark (not a test): the sql source over 1,000,000 profiles, DuckDB and MariaDB.

For each engine, each in its own child process (so peak memory is that child's own):

1. bare: the driver alone (duckdb / PyMySQL's unbuffered cursor) runs the same SELECT the
   source sends and fetches it in chunks of 5,000: the floor;
2. source: ``SqlSource.totals`` and ``SqlSource.stream_members`` on the same relations;
3. export: ``run_export`` of the 1,000,000 profiles into the sandbox (its own process, job
   delay 0), for the peak memory of a whole run.

The data is made once and kept: Parquet files behind DuckDB views in /tmp/sgtui-bench-sql,
and the database sgtui_bench on the MariaDB test server (.ci/system-packages). With
``--postgres DSN`` the source also streams the bench schema of bench_postgres.py through
``postgresql+psycopg``, next to PostgresSource.

Run: python tests/benchmarks/bench_sql.py [--engines duckdb mariadb] [--no-export]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PROFILES = 1_000_000
FOLDER = Path("/tmp/sgtui-bench-sql")
MARIADB_URL = "mysql+pymysql://sgtui_test@127.0.0.1:53306/sgtui_bench"
COLUMNS = ["customer_id", "email", "first_name", "last_name", "country", "state", "city",
           "postal_code"]
SEGMENTS = ["all", "newsletter"]
KEY = "SG." + "a" * 22 + "." + "b" * 43
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name",
           "country": "country", "state_province_region": "state", "city": "city",
           "postal_code": "postal_code"}
SANDBOX = f"""
import sys
from sgtui.sandbox import SandboxServer, FULL_ACCESS_SCOPES
with SandboxServer(api_keys={{{KEY!r}: FULL_ACCESS_SCOPES}}, job_delay=0.0,
                   rate_limit_contacts=1_000_000, rate_limit_other=1_000_000) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""
# The rows, in SQL both engines understand: i from 1 to 1,000,000.
PROFILE_SELECT = (
    "SELECT concat('C', lpad(CAST(i AS {text}), 7, '0')) AS customer_id, "
    "concat('person.', i, '@example.com') AS email, concat('First', i % 97) AS first_name, "
    "concat('Last', i % 89) AS last_name, 'Germany' AS country, 'Berlin' AS state, "
    "'Berlin' AS city, '10115' AS postal_code"
)
BARE_SELECT = (
    f"SELECT {', '.join('p.' + c for c in COLUMNS)} FROM {{p}} p WHERE p.customer_id IN "
    "(SELECT m.profile_id FROM {m} m WHERE m.segment_id IN ('all', 'newsletter')) "
    "ORDER BY p.customer_id"
)


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's CPU time so far, all threads (steadier than wall time on a busy host)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------ data
def load_duckdb() -> str:
    """Parquet files and a DuckDB file with views over them; returns the URL."""
    import duckdb

    path = FOLDER / "crm.duckdb"
    if path.exists():
        return f"duckdb:///{path}"
    FOLDER.mkdir(parents=True, exist_ok=True)
    print(f"writing {PROFILES:,} profiles as Parquet…", file=sys.stderr)
    db = duckdb.connect(str(path), config={"file_search_path": str(FOLDER)})
    rows = PROFILE_SELECT.format(text="VARCHAR") + f" FROM range(1, {PROFILES + 1}) t(i)"
    db.execute(f"COPY ({rows}) TO '{FOLDER}/profiles.parquet' (FORMAT parquet)")
    db.execute(f"COPY (SELECT * FROM (VALUES ('all', 'All customers', ''), ('newsletter', "
               f"'Newsletter', ''), ('high-value', 'High value', '')) s(segment_id, name, "
               f"description)) TO '{FOLDER}/segments.parquet' (FORMAT parquet)")
    db.execute(f"COPY (SELECT 'all' AS segment_id, customer_id AS profile_id FROM "
               f"'{FOLDER}/profiles.parquet' UNION ALL SELECT 'newsletter', customer_id FROM "
               f"'{FOLDER}/profiles.parquet' WHERE right(customer_id, 1) < '6' UNION ALL "
               f"SELECT 'high-value', customer_id FROM '{FOLDER}/profiles.parquet' WHERE "
               f"right(customer_id, 1) < '2') TO '{FOLDER}/members.parquet' (FORMAT parquet)")
    for view, file in (("profiles", "profiles"), ("segments", "segments"),
                       ("segment_members", "members")):
        db.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{file}.parquet')")
    db.close()
    return f"duckdb:///{path}"


def load_mariadb() -> str:
    """The database sgtui_bench on the MariaDB test server, filled once; returns the URL."""
    import pymysql

    db = pymysql.connect(host="127.0.0.1", port=53306, user="sgtui_test",
                         database="sgtui_test", autocommit=True)
    with db.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                       "'sgtui_bench' AND TABLE_NAME = 'segment_members'")
        if cursor.fetchone() == (1,):
            return MARIADB_URL
        print(f"loading {PROFILES:,} profiles into MariaDB…", file=sys.stderr)
        for statement in (
            "CREATE DATABASE IF NOT EXISTS sgtui_bench",
            "CREATE TABLE sgtui_bench.profiles (customer_id varchar(12) PRIMARY KEY, "
            "email varchar(80), first_name varchar(40), last_name varchar(40), country "
            "varchar(40), state varchar(40), city varchar(40), postal_code varchar(12))",
            f"INSERT INTO sgtui_bench.profiles {PROFILE_SELECT.format(text='CHAR')} "
            f"FROM (SELECT seq AS i FROM seq_1_to_{PROFILES}) t",
            "CREATE TABLE sgtui_bench.segments (segment_id varchar(20) PRIMARY KEY, "
            "name varchar(80) NOT NULL, description text)",
            "INSERT INTO sgtui_bench.segments VALUES ('all', 'All customers', ''), "
            "('newsletter', 'Newsletter', ''), ('high-value', 'High value', '')",
            "CREATE TABLE sgtui_bench.segment_members (segment_id varchar(20), profile_id "
            "varchar(12), PRIMARY KEY (segment_id, profile_id), KEY by_profile "
            "(profile_id, segment_id))",
            "INSERT INTO sgtui_bench.segment_members SELECT 'all', customer_id "
            "FROM sgtui_bench.profiles",
            "INSERT INTO sgtui_bench.segment_members SELECT 'newsletter', customer_id FROM "
            "sgtui_bench.profiles WHERE right(customer_id, 1) < '6'",
            "INSERT INTO sgtui_bench.segment_members SELECT 'high-value', customer_id FROM "
            "sgtui_bench.profiles WHERE right(customer_id, 1) < '2'",
            "ANALYZE TABLE sgtui_bench.profiles, sgtui_bench.segment_members",
        ):
            cursor.execute(statement)
    db.close()
    return MARIADB_URL


# -------------------------------------------------------------------------- children
def child_bare(engine: str, url: str) -> dict:
    started, cpu = time.perf_counter(), cpu_seconds()
    rows = 0
    if engine == "duckdb":
        import duckdb

        path = url.removeprefix("duckdb:///")
        db = duckdb.connect(path, read_only=True,
                            config={"file_search_path": str(Path(path).parent)})
        cursor = db.execute(BARE_SELECT.format(p="profiles", m="segment_members"))
    elif engine == "mariadb":
        import pymysql
        import pymysql.cursors

        db = pymysql.connect(host="127.0.0.1", port=53306, user="sgtui_test",
                             database="sgtui_bench", cursorclass=pymysql.cursors.SSCursor)
        cursor = db.cursor()
        cursor.execute(BARE_SELECT.format(p="profiles", m="segment_members"))
    else:
        import psycopg

        db = psycopg.connect(url)
        cursor = db.cursor(name="bare")
        cursor.execute(BARE_SELECT.format(p="bench.profiles", m="bench.segment_members"))
    while chunk := cursor.fetchmany(5_000):
        rows += len(chunk)
    db.close()
    return {"seconds": time.perf_counter() - started, "cpu": cpu_seconds() - cpu, "rows": rows,
            "peak_mb": peak_mb()}


def open_source(engine: str, url: str):  # type: ignore[no-untyped-def]
    if engine == "postgres-own":
        from sgtui.source.postgresql import PostgresSource

        return PostgresSource(url, profiles="bench.profiles", segments="bench.segments",
                              segment_members="bench.segment_members")
    from sgtui.source.sql import SqlSource

    if engine == "postgres-sql":
        return SqlSource(url.replace("postgresql://", "postgresql+psycopg://"),
                         profiles="bench.profiles", segments="bench.segments",
                         segment_members="bench.segment_members")
    return SqlSource(url, key_column="customer_id")


def child_source(engine: str, url: str) -> dict:
    source = open_source(engine, url)
    started = time.perf_counter()
    totals = source.totals(SEGMENTS, "email")
    counted = time.perf_counter() - started
    started, cpu = time.perf_counter(), cpu_seconds()
    rows = sum(len(chunk) for chunk in source.stream_members(SEGMENTS, COLUMNS))
    streamed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    source.close()
    return {"seconds": streamed, "cpu": cpu, "rows": rows, "count_seconds": counted,
            "profiles": totals.profiles, "emails": totals.emails, "peak_mb": peak_mb()}


def child_export(url: str, base_url: str, folder: str) -> dict:
    import httpx

    from sgtui.export.engine import RunOptions, run_export
    from sgtui.workspace.config import Workspace, now_utc
    from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig
    from sgtui.workspace.secrets import ApiKey, MemorySecrets

    created = httpx.post(f"{base_url}/v3/marketing/lists", json={"name": folder},
                         headers={"Authorization": f"Bearer {KEY}"}).json()
    workspace = Workspace.open(Path(folder))
    workspace.document["source"] = {"type": "sql", "url": url, "key_column": "customer_id"}
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox", base_url=base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc())))
    workspace.put_export(ExportConfig(name="bench", connection="sandbox", list_id=created["id"],
                                      segments=tuple(SEGMENTS), mapping=dict(MAPPING)))
    workspace.save()
    started = time.perf_counter()
    summary = asyncio.run(run_export(
        workspace, "bench", secrets=MemorySecrets(), on_event=lambda event: None,
        options=RunOptions(hard_cap=2_000_000), key=ApiKey(KEY)))
    return {"seconds": time.perf_counter() - started, "status": summary.status.value,
            "sentence": summary.sentence, "uploaded": summary.uploaded, "peak_mb": peak_mb()}


def run_child(*args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=["duckdb", "mariadb"])
    parser.add_argument("--postgres", metavar="DSN", help="also PostgreSQL (bench_postgres.py)")
    parser.add_argument("--repeat", type=int, default=3, help="bare/source runs, interleaved")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        handlers = {"bare": child_bare, "source": child_source, "export": child_export}
        print(json.dumps(handlers[kind](*rest)))
        return

    urls = {engine: {"duckdb": load_duckdb, "mariadb": load_mariadb}[engine]()
            for engine in args.engines}
    pairs = [(engine, engine, url) for engine, url in urls.items()]
    if args.postgres:
        pairs += [("postgres", "postgres-sql", args.postgres),
                  ("postgres", "postgres-own", args.postgres)]
    for bare_engine, engine, url in pairs:
        bares, sources = [], []
        for _ in range(args.repeat):  # interleaved, so load from elsewhere hits both
            bares.append(run_child("bare", bare_engine, url))
            sources.append(run_child("source", engine, url))
        bare = min(bares, key=lambda r: r["seconds"])
        source = min(sources, key=lambda r: r["seconds"])
        print(f"{engine:13} totals {source['profiles']:,} profiles, {source['emails']:,} "
              f"emails in {source['count_seconds']:.2f} s")
        cpu_source = min(r["cpu"] for r in sources)
        cpu_bare = min(r["cpu"] for r in bares)
        print(f"{engine:13} stream {source['rows']:,} rows: source {source['seconds']:.2f} s "
              f"(peak {source['peak_mb']:.0f} MB), bare driver {bare['seconds']:.2f} s "
              f"(peak {bare['peak_mb']:.0f} MB), ratio {source['seconds'] / bare['seconds']:.2f}"
              f" (best of {args.repeat}); CPU: source {cpu_source:.2f} s, bare {cpu_bare:.2f} s"
              f" (this process; the server's own work not counted), ratio "
              f"{cpu_source / cpu_bare:.2f}")
    if args.no_export:
        return
    sandbox = subprocess.Popen([sys.executable, "-c", SANDBOX], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert sandbox.stdout is not None and sandbox.stdin is not None
        base_url = sandbox.stdout.readline().strip()
        for engine, url in urls.items():
            folder = FOLDER / f"ws-{engine}-{time.time_ns()}"
            result = run_child("export", url, base_url, str(folder))
            print(f"{engine:13} export {result['uploaded']:,} contacts in "
                  f"{result['seconds']:.1f} s, status {result['status']}, "
                  f"peak {result['peak_mb']:.0f} MB")
    finally:
        if sandbox.stdin:
            sandbox.stdin.close()
        sandbox.wait(timeout=60)


if __name__ == "__main__":
    main()
