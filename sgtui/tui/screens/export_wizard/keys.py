"""Which API key this user's session has for a connection (blocking: call from a thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.workspace.secrets import SecretsError

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ConnectionConfig
    from sgtui.workspace.secrets import ApiKey, SecretStore


def key_for(workspace: Workspace, connection: str, secrets: SecretStore) -> ApiKey | None:
    """The key the engine would use for ``connection``, or None (no key, or no keyring)."""
    try:
        from sgtui.export.engine import resolve_key
    except ImportError:  # the engine is not there yet: same rule, kept simple
        resolve_key = _resolve_key
    try:
        return resolve_key(workspace, connection, secrets)
    except SecretsError:
        return None


def _resolve_key(workspace: Workspace, connection: str, secrets: SecretStore) -> ApiKey | None:
    from sgtui.workspace.secrets import account_name, key_from_environment

    config = workspace.connections.get(connection)
    if config is None:
        return None
    if workspace.user in config.export_users:
        try:
            key = secrets.get(account_name(workspace.id, connection))
        except SecretsError:  # no keyring on this host: the environment may have the key
            key = None
        if key:
            return key
    return key_from_environment()


def no_key_sentence(connection: ConnectionConfig, *, what: str, user: str = "") -> str:
    """Why there is no key, and who can help: ``what`` is the thing that needs it."""
    if user and user in connection.export_users:
        return (f"Your API key for {connection.display_name} is not in this computer's keyring "
                f"(or there is no usable keyring), so sgtui cannot {what}. Add yourself as "
                "export user again under Connections, or set SGTUI_API_KEY before starting sgtui.")
    users = ", ".join(connection.export_users)
    ask = f"ask an export user ({users})" if users else "ask an administrator to add an export user"
    return (f"You have no API key for {connection.display_name}, so sgtui cannot {what}. "
            f"To fix it, {ask}, or set SGTUI_API_KEY before starting sgtui.")
