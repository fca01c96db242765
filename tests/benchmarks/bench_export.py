"""Benchmark: an export of N demo profiles against the sandbox, next to the bare floor.

Run by hand (not collected by pytest)::

    python tests/benchmarks/bench_export.py --profiles 100000
    python tests/benchmarks/bench_export.py --profiles 1000000

Every measured part runs in its own child process, so the sandbox (its own process, job
delay 0, high rate limits) never competes with what is measured for the GIL, and peak
memory is the child's own ``ru_maxrss``:

1. capture: one engine run records the exact upload bodies it sends (not timed);
2. floor: a bare loop reads the same rows (same query, same columns), then PUTs the captured
   bodies with plain httpx and polls each job until SendGrid-the-sandbox finishes it;
3. engine: ``run_export`` into a fresh list with a fresh state database (timed);
4. rerun: the same export again, nothing changed (timed; sends nothing), next to its own
   floor: a bare loop that reads the same rows, builds each contact's JSON and hashes it
   (what any rerun must do to know that nothing changed). Goal: within 1.5x of that floor.

``--rerun-only`` skips 1-3 (one untimed engine run fills the list, then the reruns and their
floors take turns)::

    python tests/benchmarks/bench_export.py --profiles 1000000 --rerun-only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "SG." + "a" * 22 + "." + "b" * 43
SEGMENTS = ("all-customers",)
MAPPING = {
    "email": "email", "first_name": "first_name", "last_name": "last_name",
    "country": "country", "state_province_region": "state", "city": "city",
    "postal_code": "postal_code",
}
SANDBOX = f"""
import sys
from sgtui.sandbox import SandboxServer, FULL_ACCESS_SCOPES
with SandboxServer(api_keys={{{KEY!r}: FULL_ACCESS_SCOPES}}, job_delay=0.0,
                   rate_limit_contacts=1_000_000, rate_limit_other=1_000_000) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_workspace(folder: Path, database: Path, base_url: str, list_name: str) -> Path:
    """A workspace with one export, "bench", into a new sandbox list."""
    import httpx

    from sgtui.workspace.config import Workspace, now_utc
    from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig

    created = httpx.post(f"{base_url}/v3/marketing/lists", json={"name": list_name},
                         headers={"Authorization": f"Bearer {KEY}"}).json()
    workspace = Workspace.open(folder)
    workspace.document["source"]["path"] = str(database)
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox", base_url=base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc())))
    workspace.put_export(ExportConfig(name="bench", connection="sandbox", list_id=created["id"],
                                      segments=SEGMENTS, mapping=dict(MAPPING)))
    workspace.save()
    return folder


# -------------------------------------------------------------------------- children
def child_engine(folder: Path, capture: Path | None) -> dict:
    import httpx

    import sgtui.sendgrid.client  # noqa: F401 - imported before timing, as in the app
    from sgtui.export.engine import RunOptions, run_export
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.secrets import ApiKey, MemorySecrets

    transport = None
    if capture is not None:
        out = capture.open("wb")

        class Recording(httpx.AsyncHTTPTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.method == "PUT":
                    out.write(struct.pack("<I", len(request.content)) + request.content)
                return await super().handle_async_request(request)

        transport = Recording()
    workspace = Workspace.open(folder)
    started = time.perf_counter()
    summary = asyncio.run(run_export(
        workspace, "bench", secrets=MemorySecrets(), on_event=lambda event: None,
        options=RunOptions(hard_cap=2_000_000), transport=transport, key=ApiKey(KEY)))
    seconds = time.perf_counter() - started
    if capture is not None:
        out.close()
    return {"seconds": seconds, "status": summary.status.value, "sentence": summary.sentence,
            "uploaded": summary.uploaded, "valid": summary.valid, "profiles": summary.profiles,
            "batches": summary.batches, "peak_mb": peak_mb()}


def child_floor(database: Path, base_url: str, capture: Path) -> dict:
    import httpx

    from sgtui.source.sqlite import SqliteSource

    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    started = time.perf_counter()
    source = SqliteSource(database)
    columns = list(dict.fromkeys([source.key_column, *MAPPING.values()]))
    rows = sum(len(chunk) for chunk in source.stream_members(SEGMENTS, columns))
    source.close()
    read_done = time.perf_counter()
    jobs = []
    sent = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client, \
            capture.open("rb") as bodies:
        while header := bodies.read(4):
            body = bodies.read(struct.unpack("<I", header)[0])
            response = client.put("/v3/marketing/contacts", content=body)
            response.raise_for_status()
            jobs.append(response.json()["job_id"])
            sent += len(body)
        for job in jobs:
            while client.get(f"/v3/marketing/contacts/imports/{job}").json()["status"] \
                    == "pending":
                time.sleep(0.05)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "read_seconds": read_done - started, "rows": rows,
            "bytes": sent, "batches": len(jobs), "peak_mb": peak_mb()}


def child_rerun_floor(database: Path) -> dict:
    """Read the rows a rerun reads; build and hash each contact as compact JSON."""
    from hashlib import blake2b
    from json.encoder import encode_basestring as escape

    from sgtui.source.sqlite import SqliteSource

    started = time.perf_counter()
    source = SqliteSource(database)
    columns = list(dict.fromkeys([source.key_column, *MAPPING.values()]))
    email_at = columns.index(MAPPING["email"])
    fields = [(f',"{name}":', columns.index(column)) for name, column in MAPPING.items()
              if name != "email"]
    key = b"list-id"
    contacts = 0
    for rows in source.stream_members(SEGMENTS, columns):
        for row in rows:
            parts = ['{"email":' + escape((row[email_at] or "").strip().lower())]
            for prefix, position in fields:
                value = row[position]
                if value is not None:
                    parts.append(prefix + escape(str(value).strip()))
            parts.append("}")
            blob = "".join(parts).encode()
            int.from_bytes(blake2b(blob, digest_size=8, key=key).digest(), "big", signed=True)
            contacts += 1
    source.close()
    return {"seconds": time.perf_counter() - started, "contacts": contacts,
            "peak_mb": peak_mb()}


def run_child(*args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, *args], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to keep the demo database (reused when present)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="floor and engine runs, interleaved; the best of each counts")
    parser.add_argument("--rerun-only", action="store_true",
                        help="measure only unchanged reruns against their floor")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "engine":
            result = child_engine(Path(rest[0]), Path(rest[1]) if len(rest) > 1 else None)
        elif kind == "rerun-floor":
            result = child_rerun_floor(Path(rest[0]))
        else:
            result = child_floor(Path(rest[0]), rest[1], Path(rest[2]))
        print(json.dumps(result))
        return

    from sgtui.source.demo import generate_demo_database

    folder = args.folder or Path(tempfile.mkdtemp(prefix="sgtui-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"customers-{args.profiles}.db"
    if not database.exists():
        started = time.perf_counter()
        generate_demo_database(database, args.profiles, seed=1)
        print(f"generated {args.profiles:,} profiles in {time.perf_counter() - started:.1f} s")
    sandbox = subprocess.Popen([sys.executable, "-c", SANDBOX], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        base_url = sandbox.stdout.readline().strip()
        work = Path(tempfile.mkdtemp(prefix="sgtui-bench-ws-"))
        if args.rerun_only:
            timed = make_workspace(work / "rerun", database, base_url, "rerun")
            first = run_child("--child", "engine", str(timed))
            print(f"first run (not measured): {first['seconds']:.2f} s, "
                  f"{first['uploaded']:,} contacts sent")
        else:
            floor, engine, timed = measure_full_runs(args, work, database, base_url)
        rerun_floors, reruns = [], []
        for _ in range(args.repeat):  # interleaved, so load from elsewhere hits both
            rerun_floors.append(run_child("--child", "rerun-floor", str(database)))
            reruns.append(run_child("--child", "engine", str(timed)))
    finally:
        sandbox.stdin.close()
        sandbox.wait(timeout=30)

    if not args.rerun_only:
        report_full_runs(floor, engine, args.repeat)
    rerun_floor = min(rerun_floors, key=lambda result: result["seconds"])
    rerun = min(reruns, key=lambda result: result["seconds"])
    print(f"rerun floor (read, build, hash {rerun_floor['contacts']:,} contacts): "
          f"{rerun_floor['seconds']:.2f} s, peak {rerun_floor['peak_mb']:.0f} MB")
    print(f"unchanged rerun: {rerun['seconds']:.2f} s, sent {rerun['uploaded']}, "
          f"peak {max(r['peak_mb'] for r in reruns):.0f} MB, status {rerun['status']}")
    print(f"ratio rerun/floor: {rerun['seconds'] / rerun_floor['seconds']:.2f} (goal 1.5; best "
          f"of {args.repeat}; floors {[round(r['seconds'], 2) for r in rerun_floors]}, "
          f"reruns {[round(r['seconds'], 2) for r in reruns]})")


def measure_full_runs(args: argparse.Namespace, work: Path, database: Path,
                      base_url: str) -> tuple[dict, dict, Path]:
    """The first run's floor and engine, interleaved; the best of each and the last
    workspace (the reruns use it)."""
    capture = work / "bodies.bin"
    first = make_workspace(work / "capture", database, base_url, "capture")
    run_child("--child", "engine", str(first), str(capture))
    floors, engines = [], []
    for attempt in range(args.repeat):  # interleaved, so load from elsewhere hits both
        floors.append(run_child("--child", "floor", str(database), base_url, str(capture)))
        timed = make_workspace(work / f"timed-{attempt}", database, base_url,
                               f"timed-{attempt}")
        engines.append(run_child("--child", "engine", str(timed)))
    floor = min(floors, key=lambda result: result["seconds"])
    engine = min(engines, key=lambda result: result["seconds"])
    engine["peak_mb"] = max(result["peak_mb"] for result in engines)
    engine["all"] = [round(r["seconds"], 2) for r in engines]
    floor["all"] = [round(r["seconds"], 2) for r in floors]
    return floor, engine, timed


def report_full_runs(floor: dict, engine: dict, repeat: int) -> None:
    rate = engine["uploaded"] / engine["seconds"]
    print(f"profiles {engine['profiles']:,}; contacts {engine['valid']:,} in "
          f"{engine['batches']} batches ({floor['bytes'] / 1e6:.1f} MB of JSON)")
    print(f"floor : {floor['seconds']:.2f} s (reading {floor['read_seconds']:.2f} s), "
          f"peak {floor['peak_mb']:.0f} MB")
    print(f"engine: {engine['seconds']:.2f} s, {rate:,.0f} contacts/s, "
          f"peak {engine['peak_mb']:.0f} MB, status {engine['status']}")
    print(f"ratio engine/floor: {engine['seconds'] / floor['seconds']:.2f} (best of "
          f"{repeat}; all floors {floor['all']}, engines {engine['all']})")


if __name__ == "__main__":
    main()
