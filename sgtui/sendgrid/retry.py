"""When a failed request is worth another try, and how long to wait before it.

Retried: 5xx answers, timeouts, connections that could not be opened or that dropped before
the answer. Not retried: TLS failures (they fail the same way every time) and every other
4xx (the request itself is wrong). 429 is handled by the rate limiter's reset wait.
"""

from __future__ import annotations

import random
import ssl

import httpx

BASE_DELAY = 0.5
MAX_DELAY = 20.0


def backoff_delay(attempt: int, rng: random.Random, *, base: float = BASE_DELAY,
                  cap: float = MAX_DELAY) -> float:
    """Exponential backoff with jitter after failed try number ``attempt`` (1-based).

    Half of the delay is fixed and half random ("equal jitter"): clients that failed together
    spread out, and none retries immediately.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def is_tls_failure(error: BaseException) -> bool:
    """Whether an httpx transport error was caused by TLS (certificate, handshake)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        current = current.__cause__ or current.__context__
    text = str(error).upper()
    return "CERTIFICATE_VERIFY_FAILED" in text or "SSL:" in text or "TLSV1_ALERT" in text


def failure_kind(error: httpx.RequestError) -> str:
    """``"tls"``, ``"timeout"``, ``"connect"`` or ``"dropped"`` for a failed request.

    Anything else that broke the exchange (a reset mid-answer, a body that cannot be
    decoded) counts as a dropped connection: worth another try.
    """
    if is_tls_failure(error):
        return "tls"
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, httpx.ConnectError):
        return "connect"
    return "dropped"


RETRY_REASONS = {
    "timeout": "timeout",
    "connect": "connection failed",
    "dropped": "connection dropped",
}


def is_retryable_status(status: int) -> bool:
    """5xx answers are worth another try."""
    return 500 <= status <= 599
