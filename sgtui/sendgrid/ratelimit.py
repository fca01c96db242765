"""SendGrid's rate-limit headers, read and respected.

Every response carries ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset``. Reset came back
from the live API as *seconds until the window ends*, while the docs show a Unix time: a
value above 10^9 is taken as a Unix time, anything else as seconds.

:class:`RateLimiter` keeps the last state per endpoint class and decides how long the next
request of that class should wait: not at all while plenty is left; spaced evenly over the
time left in the window once ``Remaining`` runs low; until the reset once nothing is left.
It runs on one event loop and never awaits, so concurrent requests each reserve their own
slot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

EPOCH_THRESHOLD = 1_000_000_000
MAX_RESET_WAIT = 3600.0
"""Never believe a reset further away than an hour (a wrong clock, a bad header)."""
RESET_MARGIN = 0.05
"""Seconds added to a reset, so a request does not arrive a moment before the window turns."""
LOW_FRACTION = 0.1
"""Pacing starts when this fraction of the window's limit (at least 2 requests) is left."""

def endpoint_class(method: str, template: str) -> str:
    """The rate-limit class of a request: its endpoint, e.g. ``PUT /v3/marketing/contacts``.

    SendGrid counts its limits per endpoint (method and path); the recorded limits differ by
    kind (200 for contact writes, 600 for lists and fields) but each endpoint has its own
    window. Keying by endpoint means each state only ever reflects the headers of its own
    responses, so one endpoint's quota never paces another.
    """
    return f"{method.upper()} {template}"


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """The last rate-limit headers seen for one endpoint class (for a UI meter, too)."""

    endpoint_class: str
    """The endpoint: method and path template, e.g. ``PUT /v3/marketing/contacts``."""
    limit: int
    remaining: int
    reset_at: float
    """When the window resets, on the ``time.monotonic()`` clock."""

    def reset_in(self, now: float) -> float:
        """Seconds from ``now`` (monotonic) until the window resets, never negative."""
        return max(0.0, self.reset_at - now)


def parse_reset(value: str | None, *, wall_now: float) -> float | None:
    """Seconds until the window resets, from an ``X-RateLimit-Reset`` value.

    A value above 10^9 is a Unix time (compared with ``wall_now``), anything else is seconds.
    Garbage and negative values give None; waits are capped at an hour.
    """
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    seconds = number - wall_now if number > EPOCH_THRESHOLD else number
    return min(max(seconds, 0.0), MAX_RESET_WAIT)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (dates are ignored)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RESET_WAIT)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


class RateLimiter:
    """Per-class rate-limit state and the pacing that follows from it."""

    def __init__(self) -> None:
        self._states: dict[str, RateLimitState] = {}
        self._left: dict[str, int] = {}
        self._next_slot: dict[str, float] = {}
        self.last: RateLimitState | None = None

    def observe(
        self, klass: str, headers: Mapping[str, str], *, now: float, wall_now: float
    ) -> RateLimitState | None:
        """Record the rate-limit headers of a response; None when it had none."""
        limit = _header_int(headers, "x-ratelimit-limit")
        remaining = _header_int(headers, "x-ratelimit-remaining")
        reset_in = parse_reset(headers.get("x-ratelimit-reset"), wall_now=wall_now)
        if remaining is None or reset_in is None:
            return None
        remaining = max(remaining, 0)
        reset_at = now + reset_in
        previous = self._states.get(klass)
        same_window = (previous is not None and now < previous.reset_at
                       and abs(previous.reset_at - reset_at) < 1.5)
        if same_window and previous is not None:
            # Answers to concurrent requests arrive out of order: within one window the
            # smallest count is the freshest.
            remaining = min(remaining, previous.remaining)
            reset_at = min(reset_at, previous.reset_at)
            self._left[klass] = min(self._left.get(klass, remaining), remaining)
        else:
            self._left[klass] = remaining
            self._next_slot.pop(klass, None)
        state = RateLimitState(klass, limit if limit is not None else 0, remaining, reset_at)
        self._states[klass] = state
        self.last = state
        return state

    def exhausted(self, klass: str, reset_in: float | None, *, now: float) -> None:
        """A 429 arrived: nothing is left until the reset (or an unknown, short while)."""
        previous = self._states.get(klass)
        limit = previous.limit if previous else 0
        reset_at = now + (reset_in if reset_in is not None else 1.0)
        state = RateLimitState(klass, limit, 0, reset_at)
        self._states[klass] = state
        self._left[klass] = 0
        self.last = state

    def reserve(self, klass: str, *, now: float) -> tuple[float, int]:
        """Take a slot for the next request of ``klass``: ``(seconds to wait, requests left)``.

        Reserving counts the request against what is left, so requests sent together are
        spread out rather than all waiting for the same moment.
        """
        state = self._states.get(klass)
        if state is None or now >= state.reset_at:
            return 0.0, -1
        left = self._left.get(klass, state.remaining)
        self._left[klass] = left - 1
        if left <= 0:
            # Nothing left in this window: wait for the reset; the answers after it bring
            # the new window's numbers.
            return state.reset_at - now + RESET_MARGIN, 0
        low_water = max(2, math.ceil(state.limit * LOW_FRACTION))
        if left > low_water:
            return 0.0, left
        # Few left: spread them evenly over the time left in the window. Each reservation
        # takes the next free slot, so concurrent requests line up instead of bunching.
        slot = max(now, self._next_slot.get(klass, now))
        if slot < state.reset_at:
            self._next_slot[klass] = slot + (state.reset_at - slot) / left
        return slot - now, left
