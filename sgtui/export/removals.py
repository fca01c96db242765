"""Who a mirror run would remove: people sgtui sent to the list who left the segments.

Pure: the wizard's review reads what was sent from the state database and the segments'
current members from the customer data, and this compares them.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable
from dataclasses import dataclass

SHOWN = 10
"""Emails named in the review; the rest are counted."""
REMOVAL_SHARE = 0.10
REMOVAL_FLOOR = 1_000
"""A mirror run removes at most 10% of the list or 1,000 people, whichever is more, unless
told to remove more (``--allow-removals N``, or a confirmation in the app)."""


def removal_limit(list_count: int) -> int:
    """How many people a mirror run may remove from a list of ``list_count`` unasked."""
    return max(math.ceil(list_count * REMOVAL_SHARE), REMOVAL_FLOOR)


@dataclass(frozen=True, slots=True)
class Departures:
    """How many people left the segments since sgtui sent them, and the first few emails."""

    count: int
    first: tuple[str, ...]

    @property
    def more(self) -> int:
        """Those counted but not named."""
        return self.count - len(self.first)


def departures(sent: Iterable[str], current: Container[str], shown: int = SHOWN) -> Departures:
    """The emails of ``sent`` (in their order) that ``current`` no longer holds."""
    count = 0
    first: list[str] = []
    for email in sent:
        if email in current:
            continue
        count += 1
        if len(first) < shown:
            first.append(email)
    return Departures(count, tuple(first))
