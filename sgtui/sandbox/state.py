"""Everything one running sandbox knows, behind one lock: the store, pending work, stats."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable

from sgtui.sandbox.auth import KeyRing
from sgtui.sandbox.jobs import Work, WorkQueue
from sgtui.sandbox.stats import Stats
from sgtui.sandbox.store import Store


class SandboxState:
    """The account data and its pending work.

    ``keys`` are the API keys the sandbox accepts. Endpoints take ``lock`` while they read
    or change anything here. ``clock`` (monotonic, injectable) times job delays; ``wall``
    gives the timestamps SendGrid shows. ``ids_random`` makes every id (repeatable with a
    seed).
    """

    def __init__(self, keys: KeyRing, *, seed: int | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.keys = keys
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.clock = clock
        self.wall = wall
        self.ids_random = random.Random(f"sgtui-sandbox-ids:{seed}") if seed is not None \
            else random.Random()
        self.store = Store(self.new_id)
        self.work = WorkQueue()
        self.stats = Stats()
        self.job_delay = 0.0

    def new_id(self) -> str:
        """A fresh UUID (repeatable when the sandbox has a seed)."""
        with self.lock:
            return str(uuid.UUID(int=self.ids_random.getrandbits(128), version=4))

    def due(self) -> float:
        """When work submitted now is due (the job delay in force now)."""
        return self.clock() + max(0.0, self.job_delay)

    def submit(self, work: Work) -> None:
        """Queue work and wake the worker that carries it out."""
        with self.lock:
            self.work.submit(work)
            self.changed.notify_all()

    def settle(self) -> int:
        """Carry out all work that is due now; returns how many were completed."""
        with self.lock:
            return self.work.settle(self.clock(), self.store, self.stats, self.wall)
