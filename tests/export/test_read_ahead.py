"""Reading ahead: every chunk in order, the reader's problem raised where chunks are taken."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sgtui.export.read_ahead import ReadAhead
from sgtui.source.base import SourceError


def test_every_chunk_arrives_in_order() -> None:
    with ReadAhead(iter(range(100)), lambda: False) as chunks:
        assert list(chunks) == list(range(100))


def test_the_readers_problem_is_raised_to_the_taker_after_what_it_read() -> None:
    def chunks() -> Iterator[int]:
        yield 1
        yield 2
        raise SourceError("The database went away.")

    taken = []
    with pytest.raises(SourceError, match="went away"), ReadAhead(chunks(),
                                                                  lambda: False) as ahead:
        for chunk in ahead:
            taken.append(chunk)
    assert taken == [1, 2]


def endless(closed: threading.Event) -> Iterator[int]:
    try:
        number = 0
        while True:
            number += 1
            yield number
    finally:
        closed.set()


def test_stopping_ends_reading_and_closes_the_source() -> None:
    closed, stop = threading.Event(), threading.Event()
    taken = []
    with ReadAhead(endless(closed), stop.is_set, ahead=2) as ahead:
        for chunk in ahead:
            taken.append(chunk)
            if chunk == 5:
                stop.set()
    assert taken[:5] == [1, 2, 3, 4, 5] and len(taken) <= 5 + 2
    assert closed.is_set()


def test_closing_early_closes_the_source_too() -> None:
    closed = threading.Event()
    ahead = ReadAhead(endless(closed), lambda: False)
    assert next(ahead) == 1
    ahead.close()
    assert closed.is_set()
    assert list(ahead) == []
