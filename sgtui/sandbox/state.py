"""Everything one running sandbox knows, behind one lock: the store, pending work, stats."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sgtui.sandbox.auth import KeyRing
from sgtui.sandbox.index_lag import SearchIndex
from sgtui.sandbox.jobs import ContactsJob, Work, WorkQueue
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
        self.index = SearchIndex(clock)
        self.job_delay = 0.0
        #: Answer 200 wherever the docs say 201 or 202, as newer real traffic does.
        self.success_200 = False

    def new_id(self) -> str:
        """A fresh UUID (repeatable when the sandbox has a seed)."""
        with self.lock:
            return str(uuid.UUID(int=self.ids_random.getrandbits(128), version=4))

    def due(self) -> float:
        """When work submitted now is due (the job delay in force now)."""
        return self.clock() + max(0.0, self.job_delay)

    def submit(self, work: Work) -> None:
        """Queue work and wake the worker that carries it out.

        Under index lag a contacts job is carried out half-way through its delay and reports
        done at the end, so its results fill in while it is still ``pending``.
        """
        with self.lock:
            if self.index.recording and isinstance(work, ContactsJob) and not work.done:
                now = self.clock()
                work.reported_at = work.due
                work.due = now + max(0.0, work.due - now) / 2
            self.work.submit(work)
            self.changed.notify_all()

    def settle(self) -> int:
        """Carry out all work that is due now; returns how many were completed."""
        with self.lock:
            return self.work.settle(self.clock(), self.store, self.stats, self.wall,
                                    self.index)

    def accepted(self, documented: int) -> int:
        """The status to answer where the docs name ``documented`` (201 or 202)."""
        return 200 if self.success_200 else documented

    def list_count(self, list_id: str) -> int:
        """A list's contact count as SendGrid shows it now (behind under index lag)."""
        return self.index.count(list_id, self.store.lists[list_id].count)

    def contact_json(self, index: int, base_url: str) -> dict[str, Any]:
        """A contact as searches show it now (list memberships behind under index lag)."""
        contact = self.store.contacts[index]
        assert contact is not None
        return self.store.contact_json(index, base_url,
                                       self.index.memberships(index, contact.lists))
