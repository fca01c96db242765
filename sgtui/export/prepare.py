"""Turning profile rows into SendGrid contacts: map, trim, check, de-duplicate, digest.

Pure and synchronous; the engine runs it in a worker thread, one chunk of rows at a time.
Each contact leaves as compact JSON bytes (what goes into the upload body) and a 64-bit
digest of those bytes and the list id (what the state database remembers for delta runs).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from json.encoder import encode_basestring as _escape
from typing import TYPE_CHECKING

from sgtui.export.custom_values import Converted, convert
from sgtui.workspace.model import WRITABLE_FIELDS
from sgtui.workspace.run_records import RejectedRow, RunCounts

if TYPE_CHECKING:
    from sgtui.export.custom_fields import ResolvedField

#: SendGrid's longest value for each reserved field sgtui maps (None: no limit).
FIELD_LIMITS: dict[str, int | None] = {
    "email": 254,
    "first_name": 50,
    "last_name": 50,
    "country": 50,
    "state_province_region": 50,
    "city": 60,
    "postal_code": None,
    "address_line_1": 100,
    "address_line_2": 100,
}

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(
    r"(?=.{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    rf"@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
)
"""An address SendGrid takes: ASCII local part and a dotted domain with a letter TLD."""
_EMAIL = EMAIL_PATTERN.fullmatch

MISSING_EMAIL = "missing email"
INVALID_EMAIL = "invalid email"


def columns_to_read(key_column: str, mapping: Mapping[str, str],
                    custom_columns: Iterable[str] = ()) -> list[str]:
    """The profile columns a run reads, each once: the key column first (as
    :meth:`ContactPreparer.prepare` wants rows), then the mapped and custom fields' columns."""
    return list(dict.fromkeys([key_column, *mapping.values(), *custom_columns]))


def is_valid_email(email: str) -> bool:
    """Whether ``email`` (already trimmed and lower-cased) is an address SendGrid takes."""
    return len(email) <= 254 and EMAIL_PATTERN.fullmatch(email) is not None


@dataclass(slots=True)
class PreparedChunk:
    """What one chunk of rows became."""

    keys: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    """This chunk's ``profiles``, ``valid``, ``duplicates``, ``invalid_email``,
    ``missing_email``, ``trimmed_fields``, ``values_left_out`` and ``unchanged``."""


class ContactPreparer:
    """Prepares rows of ``columns`` (the key column first) for one export and list.

    Keeps one contact per email across the whole run: the first profile (in the source's
    order) wins. It remembers each email's built-in 64-bit ``hash()`` in an open-addressing
    table of machine integers (8 bytes a slot, sized from ``expected``), a fifth of what a
    Python set would take; two different emails sharing a hash in one run would drop one of
    them (odds about 1 in 10^7 for a million contacts).

    A contact's digest covers its email and every value sent, so a digest among ``known``
    means SendGrid has that very contact: it is counted ``unchanged`` without a lookup by
    email, and its address is not checked again (it was valid when it was sent).
    """

    def __init__(self, list_id: str, mapping: Mapping[str, str], columns: Sequence[str],
                 expected: int = 0, known: Container[int] | None = None,
                 custom_fields: Sequence[ResolvedField] = ()) -> None:
        self.list_id = list_id
        self.known = known
        """Digests of the contacts SendGrid already has exactly so (a delta run's); their
        contacts are counted ``unchanged`` and not handed over."""
        index = {column: position for position, column in enumerate(columns)}
        self._email_at = index[mapping["email"]]
        self._fields = [
            (f',"{name}":', index[mapping[name]], FIELD_LIMITS.get(name))
            for name in WRITABLE_FIELDS
            if name != "email" and mapping.get(name) in index
        ]
        self._custom = [(_escape(custom.field_id) + ":", custom.name, index[custom.column],
                         custom.type) for custom in custom_fields]
        self.left_out_why: dict[str, Counter[str]] = {}
        """Custom field name -> why its values were left out so far (``not a number``) -> how
        many (the contacts went without them)."""
        self._size = 1 << max(10, (max(expected, 1) * 2 - 1).bit_length())
        self._table = array("q", bytes(8 * self._size))
        self._used = 0
        self._key = list_id.encode()[:64]
        self.counts = RunCounts()
        """The same counts for every chunk so far."""

    def prepare(self, rows: Sequence[Sequence[object]]) -> PreparedChunk:
        """Prepare one chunk (rows start with the key column).

        Contacts whose digest is among ``known`` (SendGrid has them exactly so) are counted
        ``unchanged`` and left out of the chunk.
        """
        out = PreparedChunk()
        table, mask = self._table, self._size - 1
        key_bytes = self._key
        email_at = self._email_at
        fields, custom = self._fields, self._custom
        known = self.known
        keys, emails, blobs, digests = out.keys, out.emails, out.blobs, out.digests
        rejected = out.rejected
        escape, digest_of, from_bytes, valid_email = _escape, blake2b, int.from_bytes, _EMAIL
        valid = trimmed = duplicates = missing = invalid = unchanged = left_out = 0
        used, grow_at = self._used, self._size * 7 // 10
        for row in rows:
            raw = row[email_at]
            email = raw.strip().lower() if raw.__class__ is str else _text(raw).strip().lower()
            if not email:
                missing += 1
                rejected.append(RejectedRow(_text(row[0]), _text(raw), MISSING_EMAIL))
                continue
            # Compact JSON by hand: one C-level string escape per value, as json.dumps would.
            parts = ['{"email":' + escape(email)]
            cut = 0
            for prefix, position, limit in fields:
                value = row[position]
                if value is None:
                    continue
                text = value.strip() if value.__class__ is str else _text(value).strip()
                if not text:
                    continue
                if limit is not None and len(text) > limit:
                    text = text[:limit].rstrip()
                    cut += 1
                parts.append(prefix + escape(text))
            refused: list[tuple[str, Converted]] | None = None
            if custom:
                values: list[str] = []
                for field_json, name, position, kind in custom:
                    converted = convert(kind, row[position])
                    value = converted.value
                    if value is None:
                        if converted.reason is not None:
                            refused = refused or []
                            refused.append((name, converted))
                        continue
                    cut += converted.trimmed
                    values.append(field_json + (escape(value) if value.__class__ is str
                                                else repr(value)))
                if values:
                    parts.append(',"custom_fields":{' + ",".join(values) + "}")
            parts.append("}")
            blob = "".join(parts).encode()
            digest = from_bytes(digest_of(blob, digest_size=8, key=key_bytes).digest(), "big",
                                signed=True) or 1
            # A contact SendGrid already has exactly so was a valid address when it was sent.
            same = known is not None and digest in known
            if not same and (len(email) > 254 or valid_email(email) is None):
                invalid += 1
                rejected.append(RejectedRow(_text(row[0]), _text(raw), INVALID_EMAIL))
                continue
            marker = hash(email) or 1
            slot = marker & mask
            while True:
                held = table[slot]
                if held == 0 or held == marker:
                    break
                slot = (slot + 1) & mask
            if held:
                duplicates += 1
                continue
            table[slot] = marker
            used += 1
            if used > grow_at:
                self._used = used
                self._grow()
                table, mask = self._table, self._size - 1
                grow_at = self._size * 7 // 10
            valid += 1
            trimmed += cut
            if refused:  # the contact goes without these values: each is named in the CSV
                left_out += len(refused)
                for name, converted in refused:
                    self.left_out_why.setdefault(name, Counter())[converted.why or ""] += 1
                    rejected.append(RejectedRow(
                        _text(row[0]), email,
                        f"{name} left out: {converted.reason}; the contact was sent without it"))
            if same:
                unchanged += 1
                continue
            keys.append(row[0] if row[0].__class__ is str else _text(row[0]))
            emails.append(email)
            blobs.append(blob)
            digests.append(digest)
        self._used = used
        out.counts = RunCounts(profiles=len(rows), valid=valid, duplicates=duplicates,
                               invalid_email=invalid, missing_email=missing,
                               trimmed_fields=trimmed, values_left_out=left_out,
                               unchanged=unchanged)
        self.counts = self.counts + out.counts
        return out

    @property
    def left_out(self) -> Counter[str]:
        """Custom field name -> values left out so far (the contact went without them)."""
        return Counter({name: sum(why.values()) for name, why in self.left_out_why.items()})

    def _grow(self) -> None:
        """Double the table (only when there are more contacts than ``expected`` said)."""
        old = self._table
        self._size *= 2
        self._table = table = array("q", bytes(8 * self._size))
        mask = self._size - 1
        for marker in old:
            if marker:
                slot = marker & mask
                while table[slot]:
                    slot = (slot + 1) & mask
                table[slot] = marker


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)
