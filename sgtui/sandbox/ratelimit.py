"""Fixed-window rate limits per endpoint, reported in SendGrid's ``X-RateLimit-*`` headers.

Each endpoint (method + path template) has its own window, as SendGrid's limits are per
endpoint; its limit comes from its class (contact writes or everything else). A window opens
with the first request and lasts ``window_seconds``; ``X-RateLimit-Reset`` is the number of
whole seconds until it ends, as recorded from the real API.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quota:
    """Where one endpoint stands in its window after a request."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers for this quota."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    """Counts requests per bucket in fixed windows."""

    def __init__(self, window_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_seconds = window_seconds
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (window start, used)
        self._lock = threading.Lock()

    def take(self, bucket: str, limit: int) -> Quota:
        """Count one request in ``bucket``; ``allowed`` is False once the window is used up."""
        with self._lock:
            start, used = self._current(bucket)
            allowed = used < limit
            if allowed:
                used += 1
                self._windows[bucket] = (start, used)
            return self._quota(allowed, start, used, limit)

    def peek(self, bucket: str, limit: int) -> Quota:
        """Where ``bucket`` stands, without counting a request (for refused requests)."""
        with self._lock:
            start, used = self._current(bucket)
            return self._quota(True, start, used, limit)

    def _current(self, bucket: str) -> tuple[float, int]:
        now = self.clock()
        start, used = self._windows.get(bucket, (now, 0))
        if now - start >= self.window_seconds:
            start, used = now, 0
        self._windows[bucket] = (start, used)
        return start, used

    def _quota(self, allowed: bool, start: float, used: int, limit: int) -> Quota:
        left = start + self.window_seconds - self.clock()
        return Quota(allowed, limit, max(0, limit - used), max(1, math.ceil(left)))
