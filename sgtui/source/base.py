"""What sgtui needs from customer data, whatever database holds it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from sgtui.errors import SgtuiError

CHUNK_SIZE = 5_000
"""Members a source hands over at a time, unless asked for another number."""


class SourceError(SgtuiError):
    """The customer data cannot be read; ``sentence`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class Column:
    """One profile column: its name, declared type and a non-empty sample value."""

    name: str
    type: str
    sample: str | None
    is_key: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    """A named set of profiles and how many members it has."""

    id: str
    name: str
    description: str
    member_count: int


@dataclass(frozen=True, slots=True)
class SegmentTotals:
    """Unique profiles, and unique non-empty emails, across a set of segments."""

    profiles: int
    emails: int


class CustomerSource(Protocol):
    """Profiles, segments and memberships, read without loading them all."""

    @property
    def key_column(self) -> str:
        """The column that identifies a profile."""

    def columns(self) -> list[Column]:
        """The profile columns, the key first."""

    def segments(self) -> list[Segment]:
        """Every segment with its member count, by name."""

    def totals(self, segment_ids: Sequence[str], email_column: str | None) -> SegmentTotals:
        """Unique profiles (and unique non-empty emails in ``email_column``) in the segments."""

    def stream_members(
        self, segment_ids: Sequence[str], columns: Sequence[str], *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[Sequence[Sequence[object]]]:
        """The members of the segments, each profile once, as rows of ``columns``, in chunks.

        A row is a tuple, or a tuple-like row of the driver (indexable, compares as a tuple).
        """

    def sample_rows(self, columns: Sequence[str], limit: int = 3) -> list[tuple[object, ...]]:
        """A few profiles (for previews)."""

    def close(self) -> None:
        """Release the connection."""
