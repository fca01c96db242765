"""The plain values that ``sgtui.toml`` describes: access, source, connections, exports.

These are read-only snapshots. Changes go through :class:`sgtui.workspace.config.Workspace`,
which edits the TOML document in place so the user's comments and key order survive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class UsableBy(StrEnum):
    """Who may use a connection for exports."""

    ADMINS = "admins"
    ADMINS_AND_CONTRIBUTORS = "admins_and_contributors"

    @property
    def label(self) -> str:
        """The words the set-up screens use."""
        return {
            UsableBy.ADMINS: "Administrators",
            UsableBy.ADMINS_AND_CONTRIBUTORS: "Administrators and contributors",
        }[self]


class Schedule(StrEnum):
    """When an export runs by itself."""

    REFRESH = "refresh"
    MANUAL = "manual"


class SyncMode(StrEnum):
    """What a run does with people who left the segments."""

    UPSERT = "upsert"
    MIRROR = "mirror"


# SendGrid reserved field -> the label the wizard shows, in the order it shows them.
MAPPABLE_FIELDS: dict[str, str] = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "country": "Country/Region",
    "state_province_region": "State",
    "city": "City",
    "postal_code": "Postal code",
}
REQUIRED_FIELDS = frozenset({"email"})

# The other reserved fields a contact upsert may set, under their SendGrid names: the wizard's
# "More SendGrid fields". The identifiers external_id, anonymous_id and phone_number_id are
# left out on purpose: once a contact has one, SendGrid asks for every identifier it holds on
# each later update (README, "Fields").
MORE_FIELDS: dict[str, str] = {
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "phone_number": "Phone number",
    "whatsapp": "WhatsApp",
    "line": "LINE",
    "facebook": "Facebook",
    "unique_name": "Unique name",
}

WRITABLE_FIELDS: dict[str, str] = {**MAPPABLE_FIELDS, **MORE_FIELDS}
"""Every reserved field an export may fill (``[exports.NAME.mapping]`` keys), with labels."""


class CustomFieldType(StrEnum):
    """The kind of a SendGrid custom field, as ``sgtui.toml`` names it."""

    NUMBER = "number"
    DATE = "date"
    TEXT = "text"

    @property
    def sendgrid(self) -> str:
        """SendGrid's name for the kind (``field_type``): Number, Date, Text."""
        return self.value.capitalize()

    @classmethod
    def from_sendgrid(cls, field_type: str) -> CustomFieldType | None:
        """The kind of a SendGrid ``field_type``; None for one sgtui does not know."""
        try:
            return cls(field_type.lower())
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class CustomFieldConfig:
    """One custom field an export fills: its SendGrid name, the profile column, the kind."""

    name: str
    column: str
    type: CustomFieldType = CustomFieldType.TEXT


@dataclass(frozen=True, slots=True)
class Access:
    """Who is an admin and who a contributor; everyone else is a viewer."""

    admins: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """Where the customer data lives."""

    type: str = "sqlite"
    path: str = "customers.db"
    dsn: str | None = None
    url: str | None = None
    profiles: str = "profiles"
    segments: str = "segments"
    segment_members: str = "segment_members"
    key_column: str | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    """Who accepted the data-privacy terms for a connection, and when."""

    accepted_by: str
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """A configured SendGrid account. Its API key lives in export users' keyrings."""

    name: str
    display_name: str
    usable_by: UsableBy = UsableBy.ADMINS
    base_url: str = "https://api.sendgrid.com"
    export_users: tuple[str, ...] = ()
    consent: Consent | None = None
    type: str = "sendgrid"
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExportConfig:
    """Connection + list + field mapping + segments + schedule + mode."""

    name: str
    connection: str | None
    list_id: str
    segments: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)
    schedule: Schedule = Schedule.REFRESH
    mode: SyncMode = SyncMode.UPSERT
    list_name: str | None = None
    custom_fields: tuple[CustomFieldConfig, ...] = ()
    display_name: str | None = None
    """How people see the export when it differs from ``name`` (spaces, capitals)."""

    @property
    def label(self) -> str:
        """The export as people see it: its display name, else its name."""
        return self.display_name or self.name

    @property
    def is_detached(self) -> bool:
        """True when no connection is attached (the export is kept but inactive)."""
        return not self.connection
