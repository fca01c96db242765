"""How hard an alert tries to arrive, and what came of it.

Every target gets a few tries with a pause that doubles between them, each try bounded by a
timeout, so a webhook that hangs or a relay that is down costs a run a bounded time
(:attr:`DeliveryPolicy.bound`) and never its outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Tries, the timeout of one try, and the first pause between tries."""

    attempts: int = 3
    timeout: float = 10.0
    backoff: float = 1.0

    @property
    def bound(self) -> float:
        """The longest one target can take, in seconds (tries and pauses)."""
        pauses = sum(self.backoff * 2 ** n for n in range(max(self.attempts - 1, 0)))
        return self.attempts * self.timeout + pauses


DEFAULT_POLICY = DeliveryPolicy()


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happened to one alert at one target."""

    target: str
    """``webhook`` or ``email``."""
    destination: str
    """How people know the target: the webhook's host, or recipients and relay."""
    delivered: bool
    detail: str
    """A sentence: what the target answered, or why it did not get the alert."""

    def __str__(self) -> str:
        outcome = "delivered" if self.delivered else "FAILED"
        return f"{self.target} to {self.destination}: {outcome}: {self.detail}"


class Permanent(Exception):
    """A refusal that trying again will not change (a wrong password, a 404)."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class Transient(Exception):
    """A failure that may pass (a timeout, a 5xx, a refused connection)."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


def with_retries(attempt: Callable[[], T], policy: DeliveryPolicy,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt()`` until it works, fails for good, or the tries run out.

    Raises :class:`Permanent` for a refusal and for the last :class:`Transient` failure,
    whose sentence then says how many tries were made.
    """
    last = "it was not tried"
    for number in range(1, max(policy.attempts, 1) + 1):
        try:
            return attempt()
        except Transient as failure:
            last = failure.sentence
            if number < policy.attempts:
                sleep(policy.backoff * 2 ** (number - 1))
    tries = "once" if policy.attempts <= 1 else f"{policy.attempts} times"
    raise Permanent(f"{last} (tried {tries})")
