"""``SandboxServer``: start, configure, seed and stop a sandbox from Python."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sgtui.sandbox.api_lists import list_json
from sgtui.sandbox.auth import FULL_ACCESS_SCOPES, KeyRing, generate_api_key
from sgtui.sandbox.dispatch import Dispatcher
from sgtui.sandbox.faults import FAULT_KINDS, FaultPlan
from sgtui.sandbox.httpd import SandboxHTTPServer
from sgtui.sandbox.persistence import load_state, save_state
from sgtui.sandbox.ratelimit import RateLimiter
from sgtui.sandbox.state import SandboxState


class SandboxServer:
    """A SendGrid-compatible HTTP server on loopback, for the demo and the tests.

    Use it as a context manager (or ``start()`` / ``stop()``)::

        with SandboxServer(job_delay=0.5) as server:
            httpx.get(f"{server.base_url}/v3/scopes",
                      headers={"Authorization": f"Bearer {next(iter(server.api_keys))}"})

    ``api_keys`` maps each accepted key to its scopes; with None, one realistic key with
    ``FULL_ACCESS_SCOPES`` is generated. ``job_delay``, ``index_lag``, ``fault_rate``,
    ``fault_kinds``, ``success_200``, ``rate_limit_contacts``, ``rate_limit_search`` and
    ``rate_limit_other`` can be changed while it runs (a new job delay applies to jobs
    submitted afterwards). ``index_lag`` makes list counts and the memberships searches see
    catch up that many seconds after a job, as on real SendGrid; ``success_200`` answers 200
    wherever the docs say 201 or 202, as newer real traffic does. ``rate_window_seconds`` and
    ``clock`` exist for tests: a short window, or a clock the test moves by hand.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Mapping[str, Iterable[str]] | None = None,
        job_delay: float = 0.0,
        rate_limit_contacts: int = 200,
        rate_limit_other: int = 600,
        fault_rate: float = 0.0,
        seed: int | None = None,
        state_file: str | Path | None = None,
        *,
        rate_window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        fault_kinds: tuple[str, ...] = FAULT_KINDS,
        index_lag: float = 0.0,
        rate_limit_search: int = 200,
        success_200: bool = False,
    ) -> None:
        if api_keys is None:
            key_random = random.Random(f"sgtui-sandbox-key:{seed}") if seed is not None \
                else None
            api_keys = {generate_api_key(key_random): FULL_ACCESS_SCOPES}
        self.host = host
        self.port = port
        self.state_file = Path(state_file) if state_file is not None else None
        self.rate_limit_contacts = rate_limit_contacts
        self.rate_limit_other = rate_limit_other
        self.rate_limit_search = rate_limit_search
        self._clock = clock
        self._keys = KeyRing(dict(api_keys))
        self._state = SandboxState(self._keys, seed=seed, clock=clock)
        self._state.job_delay = job_delay
        self._state.index.lag = index_lag
        self._state.success_200 = success_200
        self._limiter = RateLimiter(rate_window_seconds, clock)
        self._faults = FaultPlan(fault_rate, seed, fault_kinds)
        self._stopping = threading.Event()
        self._httpd: SandboxHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # ---- live settings -------------------------------------------------------------------

    @property
    def job_delay(self) -> float:
        """Seconds a new job stays ``pending``."""
        return self._state.job_delay

    @job_delay.setter
    def job_delay(self, seconds: float) -> None:
        self._state.job_delay = seconds

    @property
    def index_lag(self) -> float:
        """Seconds after a job before list counts and searches show its list changes."""
        return self._state.index.lag

    @index_lag.setter
    def index_lag(self, seconds: float) -> None:
        self._state.index.lag = max(0.0, seconds)

    @property
    def success_200(self) -> bool:
        """Whether 201/202 answers come as 200 (newer real traffic)."""
        return self._state.success_200

    @success_200.setter
    def success_200(self, on: bool) -> None:
        self._state.success_200 = on

    @property
    def fault_rate(self) -> float:
        """Share of SendGrid requests that meet a fault (0..1)."""
        return self._faults.rate

    @fault_rate.setter
    def fault_rate(self, rate: float) -> None:
        self._faults.rate = rate

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """Which faults may strike: some of ``"500"``, ``"503"``, ``"drop"``, ``"slow"``."""
        return self._faults.kinds

    @fault_kinds.setter
    def fault_kinds(self, kinds: tuple[str, ...]) -> None:
        self._faults.kinds = kinds

    @property
    def rate_window_seconds(self) -> float:
        """Length of a rate-limit window (60 s, like SendGrid's per-minute limits)."""
        return self._limiter.window_seconds

    @rate_window_seconds.setter
    def rate_window_seconds(self, seconds: float) -> None:
        self._limiter.window_seconds = seconds

    @property
    def api_keys(self) -> dict[str, frozenset[str]]:
        """Accepted keys and their scopes."""
        return self._keys.keys

    # ---- lifecycle -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._httpd is not None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running server."""
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._httpd.base_url

    def start(self) -> SandboxServer:
        """Load the state file (if any), bind, and serve on background threads."""
        if self._httpd is not None:
            return self
        if self.state_file is not None:
            load_state(self._state, self.state_file)
        self._stopping.clear()
        dispatcher = Dispatcher(self._state, self._limiter, self._faults,
                                self._limits,
                                self._stopping)
        httpd = SandboxHTTPServer((self.host, self.port), dispatcher)
        bound_host, bound_port = httpd.server_address[:2]
        self.port = int(bound_port)
        host = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        shown = f"[{host}]" if ":" in host else host
        httpd.base_url = f"http://{shown}:{self.port}"
        self._httpd = httpd
        self._threads = [
            threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                             name="sandbox-http", daemon=True),
            threading.Thread(target=self._run_jobs, name="sandbox-jobs", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _limits(self) -> dict[str, int]:
        return {"contacts": self.rate_limit_contacts, "search": self.rate_limit_search,
                "other": self.rate_limit_other}

    def stop(self) -> None:
        """Stop serving, end open connections, and save the state file (if any)."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        with self._state.changed:
            self._state.changed.notify_all()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._httpd = None
        if self.state_file is not None:
            save_state(self._state, self.state_file)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def _run_jobs(self) -> None:
        """Carry out jobs when they fall due, until the server stops."""
        state = self._state
        fake_clock = self._clock is not time.monotonic
        with state.changed:
            while not self._stopping.is_set():
                state.settle()
                due = state.work.next_due()
                wait = None if due is None else max(0.0, due - state.clock())
                if fake_clock:  # a hand-moved clock never wakes us: look again soon
                    wait = 0.05 if wait is None else min(wait, 0.05)
                state.changed.wait(wait)

    # ---- seeding and looking inside ------------------------------------------------------

    def create_list(self, name: str) -> dict[str, Any]:
        """Create a list directly (as ``POST /v3/marketing/lists`` would); returns its JSON."""
        with self._state.lock:
            created = self._state.store.create_list(name)
            return list_json(created, self._httpd.base_url if self._httpd else "")

    def list_emails(self, list_id: str) -> list[str]:
        """The list's members' emails, sorted (``GET /_sandbox/lists/{id}``)."""
        with self._state.lock:
            self._state.settle()
            return self._state.store.list_emails(list_id)

    def stats(self) -> dict[str, Any]:
        """Request counts and contacts written (``GET /_sandbox/stats``)."""
        self._state.settle()
        return self._state.stats.to_json()

    def add_api_key(self, key: str, scopes: Iterable[str]) -> None:
        """Accept ``key`` with ``scopes`` from now on."""
        self._keys.add(key, scopes)

    def revoke_api_key(self, key: str) -> None:
        """Refuse ``key`` from now on, with SendGrid's message for a revoked key."""
        self._keys.revoke(key)
