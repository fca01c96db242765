"""What the set-up flow has gathered so far: a mutable draft of one connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sgtui.workspace.model import ConnectionConfig, Consent, UsableBy
from sgtui.workspace.secrets import ApiKey

GLOBAL_URL = "https://api.sendgrid.com"
EU_URL = "https://api.eu.sendgrid.com"


class Region(StrEnum):
    """Where the SendGrid account lives (the base URL the key is sent to)."""

    GLOBAL = "global"
    EU = "eu"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """The words the API key step uses."""
        return {
            Region.GLOBAL: f"Global ({GLOBAL_URL})",
            Region.EU: f"EU ({EU_URL})",
            Region.CUSTOM: "Custom base URL (e.g. the local sandbox)",
        }[self]


def region_of(base_url: str) -> Region:
    """The region a base URL belongs to."""
    url = base_url.strip().rstrip("/")
    if url == GLOBAL_URL:
        return Region.GLOBAL
    if url == EU_URL:
        return Region.EU
    return Region.CUSTOM


class SetupMode(StrEnum):
    """Why the flow runs."""

    ADD = "add"
    EDIT = "edit"
    ADD_ME = "add_me"


@dataclass
class ConnectionDraft:
    """A connection being set up. The key lives here only in memory, masked when printed."""

    mode: SetupMode = SetupMode.ADD
    original: ConnectionConfig | None = None
    display_name: str = ""
    name: str = ""
    usable_by: UsableBy = UsableBy.ADMINS
    region: Region = Region.GLOBAL
    custom_url: str = ""
    key: ApiKey | None = None
    consent: Consent | None = None
    scopes: frozenset[str] | None = None
    checked: tuple[str, ApiKey | None] | None = None
    """The (base URL, key) the scopes were fetched with; a change asks for a new check."""
    key_stored_in: str | None = None
    """``"keyring"`` or ``"file"`` once the key was stored for the current user."""
    export_users: tuple[str, ...] = ()
    created_at: datetime | None = None
    saved: bool = False
    _initial: tuple[object, ...] = field(default=(), repr=False)

    @classmethod
    def new(cls, *, base_url: str = GLOBAL_URL) -> ConnectionDraft:
        """A blank draft for a new connection."""
        draft = cls(region=region_of(base_url),
                    custom_url=base_url if region_of(base_url) is Region.CUSTOM else "")
        draft.mark_clean()
        return draft

    @classmethod
    def of(cls, connection: ConnectionConfig, mode: SetupMode) -> ConnectionDraft:
        """A draft that edits ``connection`` (or adds the current user as its export user)."""
        region = region_of(connection.base_url)
        draft = cls(
            mode=mode,
            original=connection,
            display_name=connection.display_name,
            name=connection.name,
            usable_by=connection.usable_by,
            region=region,
            custom_url=connection.base_url if region is Region.CUSTOM else "",
            consent=connection.consent,
            export_users=connection.export_users,
            created_at=connection.created_at,
        )
        draft.mark_clean()
        return draft

    @property
    def base_url(self) -> str:
        """The base URL the key is sent to."""
        if self.region is Region.GLOBAL:
            return GLOBAL_URL
        if self.region is Region.EU:
            return EU_URL
        return self.custom_url.strip().rstrip("/")

    @property
    def is_new(self) -> bool:
        """True when the connection does not exist in ``sgtui.toml`` yet."""
        return self.original is None

    @property
    def check_is_current(self) -> bool:
        """Whether the last scope check was made with today's base URL and key."""
        return self.checked == (self.base_url, self.key) and self.scopes is not None

    def _fingerprint(self) -> tuple[object, ...]:
        return (self.display_name.strip(), self.usable_by, self.base_url, self.key,
                self.consent, self.key_stored_in)

    def mark_clean(self) -> None:
        """Remember the current values as the ones nothing needs saving for."""
        self._initial = self._fingerprint()

    @property
    def dirty(self) -> bool:
        """True when discarding the draft would lose something the user entered."""
        return not self.saved and self._fingerprint() != self._initial

    def to_connection(self) -> ConnectionConfig:
        """The connection to write into ``sgtui.toml`` (never with the key)."""
        return ConnectionConfig(
            name=self.name,
            display_name=self.display_name.strip(),
            usable_by=self.usable_by,
            base_url=self.base_url,
            export_users=self.export_users,
            consent=self.consent,
            type="sendgrid",
            created_at=self.created_at,
        )
