"""Who may do what, decided in one place."""

from __future__ import annotations

import pytest

from sgtui.workspace.model import Access, ConnectionConfig, ExportConfig, UsableBy
from sgtui.workspace.roles import (
    Role,
    can_create_exports,
    can_edit_export,
    can_manage_connections,
    can_use_connection,
    role_of,
)

ACCESS = Access(admins=("alice",), contributors=("bob",))
PRIVATE = ConnectionConfig(name="private", display_name="Private")
SHARED = ConnectionConfig(name="shared", display_name="Shared",
                          usable_by=UsableBy.ADMINS_AND_CONTRIBUTORS)
CONNECTIONS = {"private": PRIVATE, "shared": SHARED}


def export_on(connection: str | None) -> ExportConfig:
    return ExportConfig(name="x", connection=connection, list_id="l", segments=("s",))


@pytest.mark.parametrize(("user", "role"), [("alice", Role.ADMIN), ("bob", Role.CONTRIBUTOR),
                                            ("eve", Role.VIEWER)])
def test_roles_come_from_the_access_table(user: str, role: Role) -> None:
    assert role_of(user, ACCESS) is role


def test_a_user_listed_as_both_is_an_admin() -> None:
    assert role_of("bob", Access(admins=("bob",), contributors=("bob",))) is Role.ADMIN


def test_only_admins_manage_connections() -> None:
    assert [can_manage_connections(r) for r in Role] == [True, False, False]


def test_contributors_use_only_shared_connections() -> None:
    assert can_use_connection(Role.ADMIN, PRIVATE)
    assert can_use_connection(Role.CONTRIBUTOR, SHARED)
    assert not can_use_connection(Role.CONTRIBUTOR, PRIVATE)
    assert not can_use_connection(Role.VIEWER, SHARED)


def test_export_editing_follows_the_connection() -> None:
    assert can_edit_export(Role.ADMIN, export_on("private"), CONNECTIONS)
    assert can_edit_export(Role.CONTRIBUTOR, export_on("shared"), CONNECTIONS)
    assert not can_edit_export(Role.CONTRIBUTOR, export_on("private"), CONNECTIONS)
    assert can_edit_export(Role.CONTRIBUTOR, export_on(None), CONNECTIONS)
    assert not can_edit_export(Role.VIEWER, export_on("shared"), CONNECTIONS)


def test_viewers_cannot_start_the_wizard() -> None:
    assert can_create_exports(Role.CONTRIBUTOR)
    assert not can_create_exports(Role.VIEWER)
