"""What the wizard needs to know about the customer data, read once in a thread worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sgtui.export.matching import ColumnHealth, health_by_column

if TYPE_CHECKING:
    from sgtui.source.base import CustomerSource, Segment

HEALTH_SAMPLE = 1_000
"""Profiles looked at to judge whether a column is mostly empty or mostly invalid."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Profile columns, a sample of profiles (column order), their health, the segments."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[object, ...], ...] = ()
    health: dict[str, ColumnHealth] = field(default_factory=dict)
    segments: tuple[Segment, ...] = ()
    problem: str | None = None


def read_source_info(source: CustomerSource) -> SourceInfo:
    """Read columns, a sample of rows and the segments (blocking)."""
    columns = tuple(column.name for column in source.columns())
    rows = tuple(tuple(row) for row in source.sample_rows(columns, HEALTH_SAMPLE))
    return SourceInfo(
        columns=columns,
        rows=rows,
        health=health_by_column(columns, rows),
        segments=tuple(source.segments()),
    )
