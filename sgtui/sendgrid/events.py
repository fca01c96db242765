"""Plain event objects the client reports through its ``on_event`` callback.

The client knows nothing about who listens: the engine forwards these to the progress panel
and the CLI, tests collect them in a list. None of them carries the key or personal data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimitObserved:
    """A response told how much of SendGrid's rate-limit window is left for an endpoint class."""

    endpoint_class: str
    """The endpoint the limit applies to, e.g. ``PUT /v3/marketing/contacts``."""
    limit: int
    remaining: int
    reset_in: float
    """Seconds until the window resets, as understood when the response arrived."""


@dataclass(frozen=True, slots=True)
class RequestRetried:
    """A request failed in a way worth another try; the client waits ``delay`` seconds first."""

    reason: str
    """Why, in plain words: ``"rate limited"``, ``"server error 503"``, ``"timeout"``, ..."""
    attempt: int
    """The number of the try that failed (1 for the first)."""
    delay: float
    method: str = ""
    path: str = ""
    """The path template, e.g. ``/v3/marketing/lists/{id}``."""


@dataclass(frozen=True, slots=True)
class RequestPaced:
    """Few requests are left in the window, so the client spaces them out."""

    endpoint_class: str
    delay: float
    remaining: int
