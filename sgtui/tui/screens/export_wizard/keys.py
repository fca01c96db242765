"""Which API key this user's session has for a connection (blocking: call from a thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.export.plan import resolve_key
from sgtui.workspace.secrets import SecretsError

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ConnectionConfig
    from sgtui.workspace.secrets import ApiKey, SecretStore


def key_for(workspace: Workspace, connection: str, secrets: SecretStore) -> ApiKey | None:
    """The key the engine would use for ``connection``, or None (no key, or no keyring)."""
    try:
        return resolve_key(workspace, connection, secrets)
    except SecretsError:
        return None


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
