"""Benchmark: counting segment members over 1,000,000 profiles (run by hand).

    python tests/benchmarks/bench_source.py [PROFILES]

Generates the demo database once (cached in /tmp), then times `totals()` for three
segments: unique profiles alone, and unique profiles plus unique non-empty emails.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sgtui.source.demo import generate_demo_database
from sgtui.source.sqlite import SqliteSource

SEGMENTS = ["newsletter-optin", "high-value", "churn-risk"]


def main() -> None:
    profiles = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = Path(f"/tmp/sgtui-bench-{profiles}.db")
    if not path.exists():
        started = time.perf_counter()
        generate_demo_database(path, profiles=profiles, seed=7)
        print(f"generated {profiles:,} profiles in {time.perf_counter() - started:.1f} s")
    source = SqliteSource(path)
    for label, email in (("profiles", None), ("profiles + emails", "email")):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            totals = source.totals(SEGMENTS, email)
            times.append(time.perf_counter() - started)
        print(f"{label:18} {totals}  median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f} ms) over 5 runs")
    started = time.perf_counter()
    segments = source.segments()
    print(f"segment list with member counts ({len(segments)}): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
