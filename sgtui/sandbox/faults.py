"""Faults for testing clients: 5xx answers, dropped connections and slow answers.

With probability ``rate`` a request meets one fault, picked evenly from ``kinds``. One seeded
random stream decides, in the order requests arrive, so a sequential client sees the same
faults on every run with the same seed.

- ``"500"`` / ``"503"``: answered with SendGrid's error body; the request is not carried out.
- ``"drop"``: the request is read, then the connection is closed with no answer; the request
  is not carried out.
- ``"slow"``: the answer comes after a short pause (0.2-0.5 s); the request is carried out.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

FAULT_KINDS: tuple[str, ...] = ("500", "503", "drop", "slow")
SLOW_SECONDS = (0.2, 0.5)

SERVER_ERROR_MESSAGES = {500: "internal server error", 503: "service unavailable"}


@dataclass(frozen=True, slots=True)
class Fault:
    """One drawn fault: its kind and, for ``slow``, how long to pause."""

    kind: str
    delay: float = 0.0


class FaultPlan:
    """Decides which requests meet which fault."""

    def __init__(self, rate: float = 0.0, seed: int | None = None,
                 kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        self.rate = rate
        self.kinds = kinds
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of fault to draw from."""
        return self._kinds

    @kinds.setter
    def kinds(self, kinds: tuple[str, ...]) -> None:
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be some of {FAULT_KINDS}, got {kinds!r}")
        self._kinds = tuple(kinds)

    def draw(self) -> Fault | None:
        """The fault for the next request, or None."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            kind = self._kinds[self._random.randrange(len(self._kinds))]
            delay = self._random.uniform(*SLOW_SECONDS) if kind == "slow" else 0.0
        return Fault(kind, delay)
