"""What the client returns: small frozen values parsed from SendGrid's JSON.

The parsers accept both the spec's shapes and what the live API really sends (see
``API-NOTES.md``): counts that are missing while a job runs, ``upsert_contacts`` as a job
type, numbers sent as floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JOB_FINISHED_STATUSES = frozenset({"completed", "errored", "failed"})
EXPORT_FINISHED_STATUSES = frozenset({"ready", "failure"})


@dataclass(frozen=True, slots=True)
class ContactList:
    """A Marketing contact list."""

    id: str
    name: str
    contact_count: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContactList:
        """Parse one list object (``result[i]`` of a page, or a single list)."""
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or ""),
            contact_count=as_int(data.get("contact_count")),
        )


@dataclass(frozen=True, slots=True)
class ImportJob:
    """The state of an asynchronous contacts job (an upsert or a removal from a list)."""

    id: str
    status: str
    """``pending``, then ``completed`` (no errors), ``errored`` (some) or ``failed`` (all)."""
    job_type: str
    requested: int
    created: int
    updated: int
    deleted: int
    errored: int
    errors_url: str | None
    finished: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any], job_id: str = "") -> ImportJob:
        """Parse ``GET /v3/marketing/contacts/imports/{id}``; missing counts are 0."""
        results = data.get("results")
        results = results if isinstance(results, Mapping) else {}
        status = str(data.get("status") or "pending").lower()
        errors_url = results.get("errors_url") or data.get("errors_url")
        return cls(
            id=str(data.get("id") or job_id),
            status=status,
            job_type=str(data.get("job_type") or ""),
            requested=as_int(results.get("requested_count")),
            created=as_int(results.get("created_count")),
            updated=as_int(results.get("updated_count")),
            deleted=as_int(results.get("deleted_count")),
            errored=as_int(results.get("errored_count")),
            errors_url=str(errors_url) if errors_url else None,
            finished=status in JOB_FINISHED_STATUSES,
        )


@dataclass(frozen=True, slots=True)
class ContactExport:
    """The state of a contact export (``pending``, ``ready`` with download URLs, ``failure``)."""

    id: str
    status: str
    urls: tuple[str, ...]
    contact_count: int
    message: str | None
    expires_at: str | None
    finished: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any], export_id: str = "") -> ContactExport:
        """Parse ``GET /v3/marketing/contacts/exports/{id}``."""
        status = str(data.get("status") or "pending").lower()
        urls = data.get("urls")
        return cls(
            id=str(data.get("id") or export_id),
            status=status,
            urls=tuple(str(url) for url in urls) if isinstance(urls, list) else (),
            contact_count=as_int(data.get("contact_count")),
            message=str(data["message"]) if data.get("message") else None,
            expires_at=str(data["expires_at"]) if data.get("expires_at") else None,
            finished=status in EXPORT_FINISHED_STATUSES,
        )


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """One contact field: reserved (``_rf2_T`` email, ...) or custom (``e2_T``)."""

    id: str
    name: str
    field_type: str
    read_only: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldDefinition:
        """Parse one entry of ``custom_fields`` or ``reserved_fields``."""
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or ""),
            field_type=str(data.get("field_type") or ""),
            read_only=bool(data.get("read_only", False)),
        )


@dataclass(frozen=True, slots=True)
class FieldDefinitions:
    """The account's reserved and custom contact fields."""

    reserved: tuple[FieldDefinition, ...]
    custom: tuple[FieldDefinition, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldDefinitions:
        """Parse ``GET /v3/marketing/field_definitions``."""

        def parse(key: str) -> tuple[FieldDefinition, ...]:
            items = data.get(key)
            if not isinstance(items, list):
                return ()
            return tuple(
                FieldDefinition.from_json(item) for item in items if isinstance(item, Mapping)
            )

        return cls(reserved=parse("reserved_fields"), custom=parse("custom_fields"))

    def custom_field_id(self, name: str) -> str | None:
        """The id of the custom field called ``name`` (custom values are sent keyed by id)."""
        for field in self.custom:
            if field.name == name:
                return field.id
        return None

    @property
    def writable_reserved_names(self) -> frozenset[str]:
        """Names of the reserved fields a contact upsert may set."""
        return frozenset(field.name for field in self.reserved if not field.read_only)


def as_int(value: object) -> int:
    """A count from JSON: ints, floats (``3.0``), numeric strings; anything else is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return 0
    return 0
