"""The sandbox's account data: lists, contacts and custom field definitions.

Contacts are kept compactly so a million fit in a few hundred megabytes: each is a slotted
object holding its lower-cased email, its other fields packed into one JSON string (values in
the order of ``Store.slots``), a shared tuple of list ids, and two timestamps shared by every
contact written in the same job. A contact's id is derived from its position (a fixed random
prefix plus 12 hex digits of the scrambled position), so ids cost nothing to store and still
look like SendGrid's UUIDs.

The store is not thread-safe on its own: the caller holds ``SandboxState.lock``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_LISTS = 1000
MAX_LISTS_PER_CONTACT = 250
MAX_CUSTOM_FIELDS = 500

#: (id, name, field_type, read_only) of SendGrid's reserved fields, as recorded from the real
#: API (tests/recordings/grouparoo, 2021): ids, types, and ``read_only`` only where true. The
#: last five are the newer identifiers and memberships the 2026 spec describes on contacts; no
#: recording shows their field definitions, so their ids continue the recorded numbering (a
#: guess, flagged in the recordings' README).
RESERVED_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("_rf0_T", "first_name", "Text", False),
    ("_rf1_T", "last_name", "Text", False),
    ("_rf2_T", "email", "Text", False),
    ("_rf3_T", "alternate_emails", "Text", False),
    ("_rf4_T", "address_line_1", "Text", False),
    ("_rf5_T", "address_line_2", "Text", False),
    ("_rf6_T", "city", "Text", False),
    ("_rf7_T", "state_province_region", "Text", False),
    ("_rf8_T", "postal_code", "Text", False),
    ("_rf9_T", "country", "Text", False),
    ("_rf10_T", "phone_number", "Text", False),
    ("_rf11_T", "whatsapp", "Text", False),
    ("_rf12_T", "line", "Text", False),
    ("_rf13_T", "facebook", "Text", False),
    ("_rf14_T", "unique_name", "Text", False),
    ("_rf15_T", "email_domains", "Text", True),
    ("_rf16_D", "last_clicked", "Date", True),
    ("_rf17_D", "last_opened", "Date", True),
    ("_rf18_D", "last_emailed", "Date", True),
    ("_rf19_T", "singlesend_id", "Text", True),
    ("_rf20_T", "automation_id", "Text", True),
    ("_rf21_D", "created_at", "Date", True),
    ("_rf22_D", "updated_at", "Date", True),
    ("_rf23_T", "contact_id", "Text", True),
    ("_rf24_T", "phone_number_id", "Text", False),
    ("_rf25_T", "external_id", "Text", False),
    ("_rf26_T", "anonymous_id", "Text", False),
    ("_rf27_T", "list_ids", "Text", True),
    ("_rf28_T", "segment_ids", "Text", True),
)

#: Contact identifiers, in the order the sandbox looks a contact up by them.
IDENTIFIERS: tuple[str, ...] = ("email", "phone_number_id", "external_id", "anonymous_id")

#: Fields an upsert may set besides ``email`` and custom fields, in storage order (new ones go
#: at the end: a saved state file keeps the order it was written with).
WRITABLE_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "alternate_emails", "address_line_1", "address_line_2",
    "city", "state_province_region", "postal_code", "country",
    "phone_number_id", "external_id", "anonymous_id",
    "phone_number", "whatsapp", "line", "facebook", "unique_name",
)

#: Identifiers a contact answer carries only when set (none of the recorded contacts had one).
OPTIONAL_IDENTIFIERS: tuple[str, ...] = ("phone_number_id", "external_id", "anonymous_id")

FIELD_TYPE_SUFFIX = {"Text": "T", "Number": "N", "Date": "D"}

# Contact ids scramble the position (an odd multiplier is a bijection modulo 2**48), so they
# look random like SendGrid's and nobody comes to rely on their order.
_ID_SPACE = 2**48
_ID_MULTIPLIER = 0x9E3779B97F4B  # odd
_ID_INVERSE = pow(_ID_MULTIPLIER, -1, _ID_SPACE)


class StoreError(Exception):
    """A refusal with the HTTP status, field and message SendGrid would answer."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class Contact:
    """One contact, stored compactly (see the module docstring)."""

    __slots__ = ("created", "data", "email", "lists", "updated")

    def __init__(self, email: str | None, data: str | None, lists: tuple[str, ...],
                 created: float, updated: float) -> None:
        self.email, self.data, self.lists = email, data, lists
        self.created, self.updated = created, updated


@dataclass(slots=True)
class MarketingList:
    """A contact list; ``count`` is kept up to date as members come and go."""

    id: str
    name: str
    seq: int
    count: int = 0


@dataclass(frozen=True, slots=True)
class CustomField:
    """A custom field definition."""

    id: str
    name: str
    field_type: str


def iso(timestamp: float) -> str:
    """A Unix timestamp as SendGrid writes it (ISO 8601, UTC, ``Z``)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Lists, contacts and custom fields of one sandbox account."""

    def __init__(self, new_id: Callable[[], str]) -> None:
        self.new_id = new_id
        self.id_prefix = new_id()[:24]
        self.lists: dict[str, MarketingList] = {}
        self.list_seq = 0
        self.contacts: list[Contact | None] = []
        self.live_contacts = 0
        self.by_email: dict[str, int] = {}
        self.by_identifier: dict[str, dict[str, int]] = {
            kind: {} for kind in IDENTIFIERS if kind != "email"
        }
        self.custom_fields: dict[str, CustomField] = {}
        self.slots: list[str] = list(WRITABLE_FIELDS)
        self.slot_index: dict[str, int] = {name: i for i, name in enumerate(self.slots)}
        self._tuples: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
        #: While a job runs: list id -> (contacts added, contacts taken off), for index lag.
        self.changes: dict[str, tuple[set[int], set[int]]] | None = None

    # ---- lists ---------------------------------------------------------------------------

    def create_list(self, name: str) -> MarketingList:
        """A new list; StoreError for a duplicate name or past the 1,000-list cap."""
        self._check_list_name(name, None)
        if len(self.lists) >= MAX_LISTS:
            raise StoreError(400, f"You have reached the maximum of {MAX_LISTS} lists")
        self.list_seq += 1
        created = MarketingList(self.new_id(), name, self.list_seq)
        self.lists[created.id] = created
        return created

    def rename_list(self, list_id: str, name: str) -> MarketingList:
        """Rename a list; StoreError for a name another list has."""
        found = self.get_list(list_id)
        self._check_list_name(name, list_id)
        found.name = name
        return found

    def get_list(self, list_id: str) -> MarketingList:
        """The list ``list_id``; StoreError 404 when there is none."""
        found = self.lists.get(list_id)
        if found is None:
            raise StoreError(404, "list not found", "id")
        return found

    def delete_list(self, list_id: str) -> list[int]:
        """Delete a list (its contacts stay in the account); returns the former members."""
        self.get_list(list_id)
        members = list(self.members(list_id))
        for index in members:
            contact = self.contacts[index]
            assert contact is not None
            contact.lists = self.canonical(tuple(x for x in contact.lists if x != list_id))
        del self.lists[list_id]
        return members

    def members(self, list_id: str) -> Iterator[int]:
        """Indices of the contacts on ``list_id``."""
        for index, contact in enumerate(self.contacts):
            if contact is not None and list_id in contact.lists:
                yield index

    def list_emails(self, list_id: str) -> list[str]:
        """The sorted emails of the list's members; KeyError for an unknown list."""
        if list_id not in self.lists:
            raise KeyError(list_id)
        emails = []
        for contact in self.contacts:
            if contact is not None and contact.email is not None and list_id in contact.lists:
                emails.append(contact.email)
        return sorted(emails)

    def _check_list_name(self, name: str, own_id: str | None) -> None:
        for other in self.lists.values():
            if other.name == name and other.id != own_id:
                raise StoreError(400, "list name already exists", "name")

    # ---- custom fields -------------------------------------------------------------------

    def create_field(self, name: str, field_type: str) -> CustomField:
        """A new custom field; StoreError for a taken name or past the 500-field cap."""
        taken = {f.name.lower() for f in self.custom_fields.values()}
        taken |= {reserved[1] for reserved in RESERVED_FIELDS}
        if name.lower() in taken:
            raise StoreError(400, "a field with this name already exists", "name")
        if len(self.custom_fields) >= MAX_CUSTOM_FIELDS:
            raise StoreError(400, f"You have reached the maximum of {MAX_CUSTOM_FIELDS} "
                             f"custom fields", "name")
        field = CustomField(f"e{len(self.custom_fields) + 1}_{FIELD_TYPE_SUFFIX[field_type]}",
                            name, field_type)
        self.custom_fields[field.id] = field
        self.slot_index[field.id] = len(self.slots)
        self.slots.append(field.id)
        return field

    # ---- contacts ------------------------------------------------------------------------

    def contact_id(self, index: int) -> str:
        """The public id of the contact at ``index``."""
        return f"{self.id_prefix}{index * _ID_MULTIPLIER % _ID_SPACE:012x}"

    def index_of(self, contact_id: str) -> int | None:
        """The index of a live contact by its public id, or None."""
        if len(contact_id) != 36 or not contact_id.startswith(self.id_prefix):
            return None
        try:
            index = int(contact_id[24:], 16) * _ID_INVERSE % _ID_SPACE
        except ValueError:
            return None
        if index < len(self.contacts) and self.contacts[index] is not None:
            return index
        return None

    def find(self, values: dict[str, Any]) -> int | None:
        """The contact an upsert with ``values`` would update, or None."""
        for kind in IDENTIFIERS:
            value = values.get(kind)
            if value is None:
                continue
            index = (self.by_email if kind == "email" else self.by_identifier[kind]).get(value)
            if index is not None:
                return index
        return None

    def upsert(self, values: dict[str, Any], list_ids: tuple[str, ...],
               now: float) -> tuple[bool, str | None]:
        """Create or merge one contact and add it to ``list_ids`` (unknown lists are skipped).

        ``values`` maps field names (and custom field ids) to values; emails are already
        lower-cased. Returns (created, None), or (False, reason) when the contact is refused.
        """
        live = tuple(dict.fromkeys(x for x in list_ids if x in self.lists))
        index = self.find(values)
        email = values.get("email")
        if index is None:
            if len(live) > MAX_LISTS_PER_CONTACT:
                return False, f"a contact can be on at most {MAX_LISTS_PER_CONTACT} lists"
            index = len(self.contacts)
            self.contacts.append(
                Contact(email, self._pack(None, values), self.canonical(live), now, now))
            self.live_contacts += 1
            if email is not None:
                self.by_email[email] = index
            self._index_identifiers(index, None, values)
            for list_id in live:
                self.lists[list_id].count += 1
                self._note(list_id, index, added=True)
            return True, None
        contact = self.contacts[index]
        assert contact is not None
        if email is not None and email != contact.email:
            if email in self.by_email:
                return False, f"email {email!r} belongs to another contact"
            if contact.email is not None:
                del self.by_email[contact.email]
            self.by_email[email] = index
            contact.email = email
        added = tuple(x for x in live if x not in contact.lists)
        if len(contact.lists) + len(added) > MAX_LISTS_PER_CONTACT:
            return False, f"a contact can be on at most {MAX_LISTS_PER_CONTACT} lists"
        old_data = contact.data
        contact.data = self._pack(old_data, values)
        self._index_identifiers(index, old_data, values)
        if added:
            contact.lists = self.canonical(contact.lists + added)
            for list_id in added:
                self.lists[list_id].count += 1
                self._note(list_id, index, added=True)
        contact.updated = now
        return False, None

    def _note(self, list_id: str, index: int, *, added: bool) -> None:
        if self.changes is None:
            return
        joined, left = self.changes.setdefault(list_id, (set(), set()))
        (joined if added else left).add(index)

    def remove_from_list(self, list_id: str, indices: list[int]) -> int:
        """Take contacts off a list; returns how many were on it."""
        removed = 0
        for index in indices:
            contact = self.contacts[index]
            if contact is not None and list_id in contact.lists:
                contact.lists = self.canonical(tuple(x for x in contact.lists if x != list_id))
                self._note(list_id, index, added=False)
                removed += 1
        if list_id in self.lists:
            self.lists[list_id].count -= removed
        return removed

    def delete_contacts(self, indices: list[int]) -> int:
        """Delete contacts from the account; returns how many existed."""
        deleted = 0
        for index in indices:
            contact = self.contacts[index]
            if contact is None:
                continue
            for list_id in contact.lists:
                self.lists[list_id].count -= 1
                self._note(list_id, index, added=False)
            if contact.email is not None:
                self.by_email.pop(contact.email, None)
            for kind, value in self.identifiers_in(contact.data):
                self.by_identifier[kind].pop(value, None)
            self.contacts[index] = None
            self.live_contacts -= 1
            deleted += 1
        return deleted

    def all_indices(self) -> list[int]:
        """Indices of every live contact."""
        return [i for i, contact in enumerate(self.contacts) if contact is not None]

    def fields_of(self, index: int) -> dict[str, Any]:
        """The stored fields of a contact by name (custom fields by id), email included."""
        contact = self.contacts[index]
        assert contact is not None
        fields: dict[str, Any] = {}
        if contact.email is not None:
            fields["email"] = contact.email
        if contact.data:
            for slot, value in zip(self.slots, json.loads(contact.data), strict=False):
                if value is not None:
                    fields[slot] = value
        return fields

    def contact_json(self, index: int, base_url: str = "",
                     lists: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The contact as recorded real answers show it (every reserved field, ``""`` when
        empty; custom fields by name; ``_metadata.self``). ``lists`` overrides the memberships
        shown (a search that has not caught up yet)."""
        contact = self.contacts[index]
        assert contact is not None
        contact_id = self.contact_id(index)
        stored = self.fields_of(index)
        custom: dict[str, Any] = {}
        for name, value in stored.items():
            field = self.custom_fields.get(name)
            if field is not None:
                custom[field.name] = value
        details: dict[str, Any] = {}
        for name in ("address_line_1", "address_line_2"):
            details[name] = stored.get(name, "")
        details["alternate_emails"] = list(stored.get("alternate_emails", []))
        for name in ("city", "country", "email", "first_name"):
            details[name] = stored.get(name, "")
        details["id"] = contact_id
        details["last_name"] = stored.get("last_name", "")
        details["list_ids"] = list(contact.lists if lists is None else lists)
        details["postal_code"] = stored.get("postal_code", "")
        # Recorded real contacts say null here, although the spec asks for an array.
        details["segment_ids"] = None
        for name in ("state_province_region", "phone_number", "whatsapp", "line", "facebook",
                     "unique_name"):
            details[name] = stored.get(name, "")
        for name in OPTIONAL_IDENTIFIERS:
            if stored.get(name):
                details[name] = stored[name]
        details["custom_fields"] = custom
        details["created_at"] = iso(contact.created)
        details["updated_at"] = iso(contact.updated)
        details["_metadata"] = {"self": f"{base_url}/v3/marketing/contacts/{contact_id}"}
        return details

    def _pack(self, old: str | None, values: dict[str, Any]) -> str | None:
        packed: list[Any] = json.loads(old) if old else []
        for name, value in values.items():
            slot = self.slot_index.get(name)
            if slot is None:
                continue  # "email" lives outside the packed data
            if slot >= len(packed):
                packed.extend([None] * (slot + 1 - len(packed)))
            packed[slot] = value
        while packed and packed[-1] is None:
            packed.pop()
        return json.dumps(packed, separators=(",", ":"), ensure_ascii=False) if packed else None

    def identifiers_in(self, data: str | None) -> Iterator[tuple[str, str]]:
        """(kind, value) of the identifiers other than email in packed contact data."""
        if not data:
            return
        packed = json.loads(data)
        for kind in self.by_identifier:
            slot = self.slot_index[kind]
            if slot < len(packed) and packed[slot] is not None:
                yield kind, packed[slot]

    def _index_identifiers(self, index: int, old_data: str | None,
                           values: dict[str, Any]) -> None:
        if not any(kind in values for kind in self.by_identifier):
            return
        for kind, value in self.identifiers_in(old_data):
            if kind in values and self.by_identifier[kind].get(value) == index:
                del self.by_identifier[kind][value]
        for kind in self.by_identifier:
            if values.get(kind) is not None:
                self.by_identifier[kind][values[kind]] = index

    def canonical(self, lists: tuple[str, ...]) -> tuple[str, ...]:
        """One shared tuple object per distinct membership, so most contacts share one."""
        return self._tuples.setdefault(lists, lists)
