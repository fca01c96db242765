"""Index lag: list counts and the memberships searches see catch up a while after a job.

Real SendGrid carries out a job, then its list counts and search index catch up minutes
later. With ``lag`` seconds set, the sandbox keeps the list changes of each job completed
within the last ``lag`` seconds and shows counts, and the memberships SGQL searches see, as
they were before them; the account itself, exact look-ups by email or identifier (which read
the contact, not the search index) and ``/_sandbox`` views change at once. ``lag`` is read at every
question, so changing it takes effect at once for jobs already done.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: list id -> (contacts a job put on the list, contacts it took off), by contact index.
ListChanges = dict[str, tuple[set[int], set[int]]]


@dataclass(frozen=True, slots=True)
class IndexChange:
    """The list changes of one job, and when (sandbox clock) the job was carried out."""

    completed: float
    lists: ListChanges


class SearchIndex:
    """What counts and searches see of list memberships, ``lag`` seconds behind."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lag = 0.0
        self._recent: deque[IndexChange] = deque()

    @property
    def recording(self) -> bool:
        """Whether jobs carried out now need their changes kept."""
        return self.lag > 0

    def record(self, completed: float, changes: ListChanges) -> None:
        """Keep the list changes of a job carried out at ``completed``."""
        if changes and self.recording:
            self._recent.append(IndexChange(completed, changes))

    def lagging(self) -> list[IndexChange]:
        """The changes not caught up yet, newest first."""
        horizon = self.clock() - max(0.0, self.lag)
        while self._recent and self._recent[0].completed <= horizon:
            self._recent.popleft()
        return list(reversed(self._recent))

    def count(self, list_id: str, true_count: int) -> int:
        """The contact count of ``list_id`` as SendGrid would show it now."""
        seen = true_count
        for change in self.lagging():
            joined, left = change.lists.get(list_id, ((), ()))
            seen += len(left) - len(joined)
        return max(0, seen)

    def memberships(self, index: int, lists: tuple[str, ...]) -> tuple[str, ...]:
        """The lists a search shows contact ``index`` on, given its true ``lists``."""
        lagging = self.lagging()
        if not lagging:
            return lists
        seen = list(lists)
        for change in lagging:  # newest first: undo each change not caught up yet
            for list_id, (joined, left) in change.lists.items():
                if index in joined and list_id in seen:
                    seen.remove(list_id)
                elif index in left and list_id not in seen:
                    seen.append(list_id)
        return tuple(seen)
