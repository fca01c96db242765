"""Who may do what. Every permission question in sgtui is answered here.

- **admin**: manage connections and access; use every connection; edit and run every export.
- **contributor**: use connections shared with contributors (``usable_by =
  "admins_and_contributors"``); define, edit and run exports on those.
- **viewer** (anyone else): sees everything they may see, read-only.
"""

from __future__ import annotations

from enum import StrEnum

from sgtui.workspace.model import Access, ConnectionConfig, ExportConfig, UsableBy


class Role(StrEnum):
    """The current user's role in a workspace."""

    ADMIN = "admin"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """The role as the app names it."""
        return {"admin": "Administrator", "contributor": "Contributor", "viewer": "Viewer"}[
            self.value
        ]


def role_of(user: str, access: Access) -> Role:
    """The role ``[access]`` gives ``user`` (admin wins when listed twice)."""
    if user in access.admins:
        return Role.ADMIN
    if user in access.contributors:
        return Role.CONTRIBUTOR
    return Role.VIEWER


def can_manage_connections(role: Role) -> bool:
    """Add, edit, test and remove connections; manage admins and contributors."""
    return role is Role.ADMIN


def can_use_connection(role: Role, connection: ConnectionConfig) -> bool:
    """Pick ``connection`` for an export."""
    if role is Role.ADMIN:
        return True
    return role is Role.CONTRIBUTOR and connection.usable_by is UsableBy.ADMINS_AND_CONTRIBUTORS


def can_edit_export(
    role: Role, export: ExportConfig, connections: dict[str, ConnectionConfig]
) -> bool:
    """Edit, duplicate, schedule or remove ``export`` (also: run it)."""
    if role is Role.ADMIN:
        return True
    if role is not Role.CONTRIBUTOR:
        return False
    connection = connections.get(export.connection or "")
    # A contributor may pick up a detached export and attach a shared connection to it.
    return connection is None or can_use_connection(role, connection)


def can_import_profiles(role: Role) -> bool:
    """Load profiles and segment memberships from a CSV file into the customer data."""
    return role is Role.ADMIN


IMPORT_ACTION = "import customer data from a CSV file"
"""What :func:`who_can` names when someone else tries to import."""


def can_create_exports(role: Role) -> bool:
    """Start the export wizard at all (whether a usable connection exists is separate)."""
    return role in (Role.ADMIN, Role.CONTRIBUTOR)


def who_can(action: str) -> str:
    """A sentence naming who may do ``action``, for users who may not."""
    return (
        f"Only an administrator of this workspace can {action}. "
        "Ask one to do it, or to make you one."
    )
