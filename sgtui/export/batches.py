"""Upload batches: at most 30,000 contacts and under 4 MiB of JSON each.

A :class:`Batch` holds its contacts already serialized, back to back in one buffer, with
the offset where each starts: the request body is one copy away, and rows SendGrid refuses
(a 400 naming ``contacts[i]``) can be cut out and the rest sent again without preparing
anything twice. About 80 bytes per contact on top of its JSON, so a million-contact run
keeps its memory small.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

MAX_CONTACTS = 30_000
MAX_BYTES = 3_900_000
"""SendGrid's documented ceiling is 6 MB, the measured one 4 MiB; stay under both."""
EMAIL_START = len(b'{"email":"')
"""Every prepared contact starts with its email, which needs no JSON escaping."""


def body_prefix(list_id: str) -> bytes:
    """The start of every upsert body for ``list_id`` (the contacts follow)."""
    return b'{"list_ids":' + json.dumps([list_id]).encode() + b',"contacts":['


BODY_SUFFIX = b"]}"


@dataclass(slots=True)
class Batch:
    """Contacts on their way to SendGrid in one request."""

    number: int
    keys: list[str] = field(default_factory=list)
    digests: array = field(default_factory=lambda: array("q"))
    offsets: array = field(default_factory=lambda: array("L"))
    data: bytearray = field(default_factory=bytearray)  # contacts joined by commas

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def size(self) -> int:
        """Bytes of the contacts and the commas between them."""
        return len(self.data)

    def add(self, key: str, blob: bytes, digest: int) -> None:
        """Append one serialized contact."""
        if self.offsets:
            self.data += b","
        self.offsets.append(len(self.data))
        self.data += blob
        self.keys.append(key)
        self.digests.append(digest)

    def contact(self, position: int) -> bytes:
        """One contact's JSON."""
        start = self.offsets[position]
        end = (self.offsets[position + 1] - 1 if position + 1 < len(self.offsets)
               else len(self.data))
        return bytes(self.data[start:end])

    def email(self, position: int) -> str:
        """One contact's email."""
        start = self.offsets[position] + EMAIL_START
        return self.data[start:self.data.index(b'"', start)].decode()

    def emails_and_digests(self) -> Iterator[tuple[str, int]]:
        """``(email, digest)`` of every contact, for the state database."""
        for position in range(len(self.offsets)):
            yield self.email(position), self.digests[position]

    def body(self, prefix: bytes) -> bytes:
        """The request body."""
        return prefix + self.data + BODY_SUFFIX

    def without(self, positions: Collection[int]) -> Batch:
        """The same batch minus the contacts at ``positions``."""
        smaller = Batch(self.number)
        for position in range(len(self.offsets)):
            if position not in positions:
                smaller.add(self.keys[position], self.contact(position),
                            self.digests[position])
        return smaller


FIRST_BATCH = 4_000
"""The first batch is small and each next one twice as big, up to the limits, so uploading
starts while most profiles are still being read."""


class Batcher:
    """Fills batches up to the limits; hands each one over when it is full."""

    def __init__(self, list_id: str, *, max_contacts: int = MAX_CONTACTS,
                 max_bytes: int = MAX_BYTES, first: int = FIRST_BATCH) -> None:
        self.prefix = body_prefix(list_id)
        self.max_contacts = max_contacts
        self._limit = min(first, max_contacts)
        self._room = max_bytes - len(self.prefix) - len(BODY_SUFFIX)
        self.count = 0
        self._current = Batch(1)

    def add(self, key: str, blob: bytes, digest: int) -> Batch | None:
        """Add one contact; a full batch that is ready to send, if adding closed one."""
        ready = None
        current = self._current
        if current.offsets and (len(current.offsets) >= self._limit
                                or len(current.data) + 1 + len(blob) > self._room):
            ready = current
            self.count += 1
            current = self._current = Batch(current.number + 1)
            self._limit = min(self._limit * 2, self.max_contacts)
        current.add(key, blob, digest)
        return ready

    def flush(self) -> Batch | None:
        """The last, partly filled batch (None when empty)."""
        current = self._current
        if not current.offsets:
            return None
        self.count += 1
        self._current = Batch(current.number + 1)
        return current
