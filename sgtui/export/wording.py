"""Counts in sentences: "1 batch", "2,500 batches", with thousands separators."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, pluralized when ``count`` is not 1: ``counted(3, "batch")``
    is ``"3 batches"``, ``counted(1, "person", "people")`` is ``"1 person"``."""
    if count == 1:
        return f"1 {noun}"
    if plural is None:
        plural = noun + ("es" if noun.endswith(("ch", "sh", "s", "x")) else "s")
    return f"{count:,} {plural}"


def were(count: int) -> str:
    """``"was"`` for one, ``"were"`` for any other count."""
    return "was" if count == 1 else "were"


def it_or_them(count: int) -> str:
    """``"it"`` for one, ``"them"`` for any other count."""
    return "it" if count == 1 else "them"
