"""Reading the next chunks of members while this one is prepared.

The database drivers let go of Python's lock while the database works (SQLite runs its
query, PostgreSQL and the network answer), so a reader thread a few chunks ahead makes
reading and preparing overlap instead of taking turns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

AHEAD = 3
"""Chunks read and not yet taken (memory: a few chunks of rows)."""
_WAIT = 0.2
"""Seconds between looks at ``stopped`` while the other side is slow."""


class _End:
    """Nothing follows (with the reader's exception, if it had one)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """The items of ``chunks``, read by a thread (started at once) up to ``ahead`` items in
    advance; iterate it, then :meth:`close` it (or use it in a ``with`` block).

    An exception of the reader is raised where the items are taken. The reader stops when
    ``stopped()`` turns true or the ReadAhead is closed; the items it read are dropped.
    """

    def __init__(self, chunks: Iterable[T], stopped: Callable[[], bool],
                 ahead: int = AHEAD) -> None:
        self._chunks = chunks
        self._stopped = stopped
        self._handed: queue.Queue[T | _End] = queue.Queue(maxsize=ahead)
        self._closed = threading.Event()
        self._ended = False
        self._reader = threading.Thread(target=self._read, name="sgtui-read-ahead",
                                        daemon=True)
        self._reader.start()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        while not self._ended:
            try:
                item = self._handed.get(timeout=_WAIT)
            except queue.Empty:
                if self._stopped() or (not self._reader.is_alive() and self._handed.empty()):
                    self._ended = True
                continue
            if isinstance(item, _End):
                self._ended = True
                if item.error is not None:
                    raise item.error
                break
            return item
        raise StopIteration

    def close(self) -> None:
        """Stop the reader and wait for it (it closes the source's iterator)."""
        self._ended = True
        self._closed.set()
        self._reader.join()

    def _offer(self, item: T | _End) -> bool:
        while not (self._closed.is_set() or self._stopped()):
            try:
                self._handed.put(item, timeout=_WAIT)
            except queue.Full:
                continue
            return True
        return False

    def _read(self) -> None:
        iterator = iter(self._chunks)
        try:
            for chunk in iterator:
                if not self._offer(chunk):
                    return
        except BaseException as error:  # handed over, raised by the taker
            self._offer(_End(error))
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator's finally (closing its cursor) runs in this thread
        self._offer(_End())
