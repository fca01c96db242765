"""Is SendGrid's list count behind, or did the list really change outside sgtui?

SendGrid finishes a job, then its list counts catch up minutes later. A count below what
sgtui confirmed is therefore not by itself an emptied list. sgtui decides from what it knows:
when it last had SendGrid confirm contacts for the export, and, when that was recent, a
bounded look-up of a sample of those contacts (if most of them are gone from the account,
the list really changed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sgtui.export.wording import counted

if TYPE_CHECKING:
    from sgtui.sendgrid.client import SendGridClient
    from sgtui.workspace.state import StateStore

CATCH_UP_WINDOW = timedelta(minutes=30)
"""How long after sgtui's last confirmed job a low count is taken for SendGrid catching up."""
SAMPLE_SIZE = 100
"""Confirmed contacts looked up (one request) to tell a lagging count from a change."""


@dataclass(frozen=True, slots=True)
class ListCount:
    """SendGrid's count of a list against what sgtui confirmed on it."""

    shown: int
    confirmed: int
    catching_up: bool

    @property
    def behind(self) -> int:
        """How many confirmed contacts the count does not show yet."""
        return max(0, self.confirmed - self.shown)

    @property
    def in_step(self) -> bool:
        """Whether the count shows every contact sgtui confirmed."""
        return self.shown >= self.confirmed

    def catching_up_sentence(self) -> str:
        """What the verification step says while the count is behind."""
        return (f"SendGrid's count has not caught up yet: the list shows "
                f"{self.shown:,} of the {counted(self.confirmed, 'contact')} sgtui confirmed "
                f"({self.behind:,} to go); SendGrid's counts catch up within minutes")


Lookup = Callable[[Sequence[str]], Awaitable[dict[str, frozenset[str]]]]
"""Emails -> the lists each existing contact is on (``SendGridClient.list_memberships``)."""


async def judge_count(shown: int, confirmed: int, last_confirmed: datetime | None,
                      now: datetime, sample: Sequence[str], look_up: Lookup,
                      list_id: str) -> ListCount:
    """Whether a count of ``shown`` against ``confirmed`` is SendGrid still catching up.

    ``last_confirmed`` is when SendGrid last finished one of the export's upsert jobs;
    ``sample`` holds contacts that job confirmed, and ``look_up`` tells which lists each is
    on (called only when the count is behind and that job was recent).
    """
    if shown >= confirmed:
        return ListCount(shown, confirmed, catching_up=False)
    recent = last_confirmed is not None and now - last_confirmed <= CATCH_UP_WINDOW
    if not recent:
        return ListCount(shown, confirmed, catching_up=False)
    wanted = list(sample)[:SAMPLE_SIZE]
    if wanted:
        lists = await look_up(wanted)
        if any(list_id not in lists.get(email, frozenset()) for email in wanted):
            return ListCount(shown, confirmed, catching_up=False)
    return ListCount(shown, confirmed, catching_up=True)


async def check_list_count(client: SendGridClient, store: StateStore, export: str,
                           list_id: str, shown: int) -> ListCount:
    """SendGrid's count ``shown`` of the export's list against what sgtui confirmed there."""
    confirmed = await asyncio.to_thread(store.confirmed_count, export)
    if shown >= confirmed:
        return ListCount(shown, confirmed, catching_up=False)
    last, sample = await asyncio.to_thread(store.last_confirmation, export, SAMPLE_SIZE,
                                           CATCH_UP_WINDOW)
    return await judge_count(shown, confirmed, last, datetime.now(UTC), sample,
                             client.list_memberships, list_id)
