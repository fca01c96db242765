"""Benchmark the sandbox: accepting one 30,000-contact upsert, and memory for 1M contacts.

Run by hand (pytest does not collect it)::

    python tests/benchmarks/bench_sandbox.py [--contacts 1000000] [--rounds 5]

It starts ``python -m sgtui sandbox`` in a subprocess (limits raised so nothing is refused),
then measures on loopback:

- the PUT round trip of a 30,000-contact upsert (body just under the 4 MiB ceiling): the time
  the sandbox takes to read, check and accept it with a 202, median and best of ``--rounds``;
- how long the job for such a batch takes to complete;
- the sandbox process's peak resident memory (VmHWM from /proc) after upserting ``--contacts``
  contacts in 30,000-contact batches, and its resident memory at rest before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
BATCH = 30_000
COUNTRIES = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "SE")


def contacts(start: int, count: int) -> list[dict[str, str]]:
    """``count`` realistic contacts numbered from ``start``."""
    return [{
        "email": f"customer{n}@example.com",
        "first_name": f"First{n % 997}",
        "last_name": f"Last{n % 991}",
        "country": COUNTRIES[n % len(COUNTRIES)],
        "city": f"City{n % 101}",
        "postal_code": f"{10000 + n % 89999}",
    } for n in range(start, start + count)]


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of ``pid`` in KiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def wait_job(api: httpx.Client, job_id: str) -> dict:
    """Poll a job until it leaves ``pending``."""
    while True:
        job = api.get(f"/v3/marketing/contacts/imports/{job_id}").json()
        if job["status"] != "pending":
            return job
        time.sleep(0.005)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sgtui", "sandbox", "--port", "0", "--api-key", "SG.bench",
         "--rate-limit-contacts", "1000000", "--rate-limit-other", "1000000"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().removeprefix("sandbox listening on ").strip()
        api = httpx.Client(base_url=url, headers={"Authorization": "Bearer SG.bench",
                                                  "Content-Type": "application/json"},
                           timeout=120)
        list_id = api.post("/v3/marketing/lists", json={"name": "Bench"}).json()["id"]
        at_rest = memory_kib(process.pid)

        timings, job_times = [], []
        for round_number in range(options.rounds):
            body = json.dumps({"list_ids": [list_id],
                               "contacts": contacts(round_number * BATCH, BATCH)},
                              separators=(",", ":")).encode()
            started = time.perf_counter()
            response = api.put("/v3/marketing/contacts", content=body)
            accepted = time.perf_counter()
            assert response.status_code == 202, response.text
            wait_job(api, response.json()["job_id"])
            timings.append(accepted - started)
            job_times.append(time.perf_counter() - accepted)
        print(f"30,000-contact upsert body: {len(body):,} bytes")
        print(f"PUT round trip (accepted, 202): median {statistics.median(timings) * 1000:.0f} ms,"
              f" best {min(timings) * 1000:.0f} ms over {options.rounds} rounds")
        print(f"job completion after the 202: median {statistics.median(job_times) * 1000:.0f} ms")

        loaded = options.rounds * BATCH
        started = time.perf_counter()
        while loaded < options.contacts:
            count = min(BATCH, options.contacts - loaded)
            response = api.put("/v3/marketing/contacts", content=json.dumps(
                {"list_ids": [list_id], "contacts": contacts(loaded, count)},
                separators=(",", ":")).encode())
            assert response.status_code == 202, response.text
            last_job = response.json()["job_id"]
            loaded += count
        if options.contacts > options.rounds * BATCH:
            wait_job(api, last_job)
        total = api.get("/v3/marketing/contacts/count").json()["contact_count"]
        elapsed = time.perf_counter() - started
        memory = memory_kib(process.pid)
        print(f"loaded {total:,} contacts in {elapsed:.1f} s "
              f"({(total - options.rounds * BATCH) / elapsed:,.0f} contacts/s, jobs included)")
        print(f"sandbox RSS at rest before: {at_rest['VmRSS'] / 1024:.0f} MiB; "
              f"holding {total:,} contacts: RSS {memory['VmRSS'] / 1024:.0f} MiB, "
              f"peak (VmHWM) {memory['VmHWM'] / 1024:.0f} MiB")
        api.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
