"""Benchmark: key-to-painted-screen latency of the real app, next to a bare Textual floor.

Run by hand (not collected by pytest)::

    python tests/benchmarks/bench_screens.py                      # idle, then a 1,000,000 run
    python tests/benchmarks/bench_screens.py --profiles 300000 --rounds 10

Both apps run headless (``App.run_test``, 100x30) in the same process, one after the other,
and answer the same keys: from home, ``e`` exports, Escape, ``h`` history, Escape, ``c``
connections, Escape, ``s`` schedule, Escape. A switch is timed from the key press to the
end of the first paint (``post_display_hook``) with the new screen on top, and waits for
the screen's loading workers before the next key, as a person reading the screen would.

1. floor, idle: a bare Textual app with the same kind of screens (header, title, table or
   option list, footer) and the same keys;
2. sgtui, idle: the app on a workspace with demo data, one export and a sandbox connection;
3. sgtui, during a run: the same switches while the app runs that export over
   ``--profiles`` profiles against the sandbox (its own process, job delay 0, high rate
   limits), until the run ends;
4. floor, during a run: the bare app while ``sgtui run --full`` sends the same export in
   another process, so the floor meets the same competition for the machine's cores.

Goals (issue 12): a switch within 50 ms idle and within 100 ms during a 1,000,000-profile
run (median), none over 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KEY = "SG." + "a" * 22 + "." + "b" * 43
SIZE = (100, 30)
ROUTE = (("e", "exports"), ("escape", "home"), ("h", "history"), ("escape", "home"),
         ("c", "connections"), ("escape", "home"), ("s", "schedule"), ("escape", "home"))
"""The keys pressed, and the screen each one leads to."""
SANDBOX = f"""
import sys
from sgtui.sandbox import SandboxServer, FULL_ACCESS_SCOPES
with SandboxServer(api_keys={{{KEY!r}: FULL_ACCESS_SCOPES}}, job_delay=0.0,
                   rate_limit_contacts=10_000_000, rate_limit_other=10_000_000) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""


# ------------------------------------------------------------------------------- floor
def bare_app():  # type: ignore[no-untyped-def]
    """A bare Textual app with screens of the same kind and the same keys as sgtui's."""
    from textual.app import App
    from textual.binding import Binding
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header, OptionList, Static

    class Home(Screen[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Header()
            yield Static("Workspace  /tmp/ws\nYou        alice (administrator)")
            yield OptionList(*(f"{name:<12} [{key}]  2 things" for key, name in ROUTE
                               if name != "home"))
            yield Footer()

    class Table(Screen[None]):
        BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

        def __init__(self, name: str) -> None:
            super().__init__(name=name)

        def compose(self):  # type: ignore[no-untyped-def]
            yield Header()
            yield Static(self.name or "", classes="screen-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Name", "Connection", "List", "Segments", "Schedule", "Last run")
            for row in range(3):
                table.add_row(f"export-{row}", "Sandbox", "Newsletter", "all-customers",
                              "every refresh", "succeeded · Dec 01 10:00 · 1,000 contacts")
            yield table
            yield Static("n new · ⏎ edit · r run")
            yield Footer()

    class Bare(App[None]):
        BINDINGS = [Binding(key, f"open('{name}')", name.capitalize())
                    for key, name in ROUTE if name != "home"]

        def get_default_screen(self) -> Screen[None]:
            return Home(name="home")

        def action_open(self, name: str) -> None:
            self.push_screen(Table(name))

    return Bare()


def bare_screen_name(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.name or ""


def sgtui_screen_name(app) -> str:  # type: ignore[no-untyped-def]
    return type(app.screen).__name__.removesuffix("Screen").lower()


# ------------------------------------------------------------------------------- timing
class PaintClock:
    """Installs itself as the app's ``post_display_hook``: when did the screen last paint."""

    def __init__(self, app, screen_name: Callable[[object], str]) -> None:  # type: ignore[no-untyped-def]
        self.app, self.screen_name = app, screen_name
        self.waiting_for: str | None = None
        self.painted = asyncio.Event()
        self.at = 0.0
        app.post_display_hook = self._painted

    def _painted(self) -> None:
        if self.waiting_for is not None and self.screen_name(self.app) == self.waiting_for:
            self.at = time.perf_counter()
            self.waiting_for = None
            self.painted.set()


async def switch_times(app, pilot, screen_name, rounds: int,  # type: ignore[no-untyped-def]
                       keep_going: Callable[[], bool] = lambda: True) -> list[float]:
    """Milliseconds from each key to the first paint of the screen it leads to."""
    clock = PaintClock(app, screen_name)
    times: list[float] = []
    for _ in range(rounds):
        for key, target in ROUTE:
            if not keep_going():
                return times
            clock.painted.clear()
            clock.waiting_for = target
            started = time.perf_counter()
            await pilot.press(key)
            await asyncio.wait_for(clock.painted.wait(), timeout=30)
            times.append((clock.at - started) * 1000)
            await settle(app)
    return times


async def settle(app) -> None:  # type: ignore[no-untyped-def]
    """Wait for the screen's loading workers, as a person reading it would."""
    for _ in range(200):
        screen = app.screen
        busy = [worker for worker in app.workers
                if worker.is_running and worker.node is not app
                and getattr(worker.node, "screen", None) is screen]
        if not busy:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)


def report(label: str, times: list[float]) -> None:
    if not times:
        print(f"{label:<22} no switches measured")
        return
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<22} n={len(times):>3}  median {statistics.median(times):7.1f} ms  "
          f"p95 {p95:7.1f} ms  max {max(times):7.1f} ms")


# ------------------------------------------------------------------------------- sgtui
def make_workspace(folder: Path, database: Path, base_url: str):  # type: ignore[no-untyped-def]
    """A workspace on ``database`` with one export, "bench", into a new sandbox list."""
    import httpx

    from sgtui.workspace.config import Workspace, now_utc
    from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig

    created = httpx.post(f"{base_url}/v3/marketing/lists", json={"name": "bench"},
                         headers={"Authorization": f"Bearer {KEY}"}).json()
    workspace = Workspace.open(folder)
    workspace.document["source"]["path"] = str(database)
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox", base_url=base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc())))
    workspace.put_export(ExportConfig(name="bench", connection="sandbox", list_id=created["id"],
                                      segments=("all-customers",),
                                      mapping={"email": "email", "first_name": "first_name",
                                               "last_name": "last_name", "city": "city"}))
    workspace.save()
    return Workspace.open(folder)


def sgtui_app(workspace):  # type: ignore[no-untyped-def]
    from sgtui.tui.app import make_app
    from sgtui.workspace.secrets import ApiKey, MemorySecrets, account_name

    secrets = MemorySecrets()
    secrets.set(account_name(workspace.id, "sandbox"), ApiKey(KEY))
    return make_app(workspace, secrets=secrets)


async def measure_sgtui(workspace, rounds: int) -> tuple[list[float], list[float], str]:  # type: ignore[no-untyped-def]
    app = sgtui_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        idle = await switch_times(app, pilot, sgtui_screen_name, rounds)
        app.start_run("bench")
        await pilot.pause(0.5)
        await pilot.press("escape")  # leave the panel; the run goes on
        await settle(app)
        runs = app.runs
        started = time.perf_counter()
        during = await switch_times(app, pilot, sgtui_screen_name, 10_000,
                                    keep_going=lambda: bool(runs.running()))
        while runs.running():
            await pilot.pause(0.2)
        await app.workers.wait_for_complete()  # the run's child has exited
        took = time.perf_counter() - started
        latest = runs.latest()
        outcome = f"{latest.state.summary_line() if latest else 'no run'} ({took:.0f} s)"
    return idle, during, outcome


async def measure_floor(rounds: int, during: subprocess.Popen[bytes] | None = None
                        ) -> list[float]:
    """The bare app's switches: ``rounds`` passes, or as long as ``during`` runs."""
    app = bare_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        if during is None:
            return await switch_times(app, pilot, bare_screen_name, rounds)
        await asyncio.sleep(1.0)  # as long as sgtui's run gets before its switches start
        return await switch_times(app, pilot, bare_screen_name, 10_000,
                                  keep_going=lambda: during.poll() is None)


def cli_run(workspace) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    """``sgtui run bench --full`` in its own process, the key in its environment (as cron)."""
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "sgtui", "run", "bench", "--full", "--workspace",
         str(workspace.folder)], env={**os.environ, "SGTUI_API_KEY": KEY},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="idle passes over the route")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to keep the demo database (reused when present)")
    args = parser.parse_args()

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
        base_url = sandbox.stdout.readline().strip()  # type: ignore[union-attr]
        workspace = make_workspace(Path(tempfile.mkdtemp(prefix="sgtui-bench-ws-")),
                                   database, base_url)
        floor = asyncio.run(measure_floor(args.rounds))
        idle, during, outcome = asyncio.run(measure_sgtui(workspace, args.rounds))
        run = cli_run(workspace)
        started = time.perf_counter()
        floor_during = asyncio.run(measure_floor(args.rounds, during=run))
        run.wait()
        cli_seconds = time.perf_counter() - started
    finally:
        sandbox.stdin.close()  # type: ignore[union-attr]
        sandbox.wait(timeout=30)
    report("floor idle", floor)
    report("sgtui idle", idle)
    report("floor during run", floor_during)
    report("sgtui during run", during)
    print(f"app's run of {args.profiles:,} profiles: {outcome}")
    print(f"sgtui run --full next to the floor: exit {run.returncode} ({cli_seconds:.0f} s)")


if __name__ == "__main__":
    main()
