"""Whether an export can run, checked without the network, each problem in one sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.errors import SgtuiError
from sgtui.workspace.roles import can_edit_export
from sgtui.workspace.secrets import (
    ENV_API_KEY,
    ApiKey,
    SecretsError,
    SecretStore,
    account_name,
    find_key,
    key_from_environment,
)

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace


class PlanProblem(SgtuiError):
    """An export cannot run; ``sentences`` say every reason (``sentence``: all of them)."""

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = list(sentences)
        super().__init__(" ".join(self.sentences))


def resolve_key(workspace: Workspace, connection_name: str, secrets: SecretStore) -> ApiKey | None:
    """The key a run uses: the current user's keyring if they are an export user of the
    connection, else ``$SGTUI_API_KEY``; None when neither has one."""
    connection = workspace.connections.get(connection_name)
    if connection is not None and workspace.user in connection.export_users:
        try:
            key = find_key(secrets, account_name(workspace.id, connection_name))
        except SecretsError:
            key = None
        if key:
            return key
    return key_from_environment()


def plan_export(workspace: Workspace, export_name: str, secrets: SecretStore, *,
                key_given: bool = False) -> list[str]:
    """Why ``export_name`` cannot run, one sentence each ([] when it can). No network.

    ``key_given``: the caller supplies the key itself, so the keyring is not consulted.
    """
    export = workspace.exports.get(export_name)
    if export is None:
        known = ", ".join(sorted(workspace.exports)) or "none"
        return [f"There is no export called {export_name!r} in this workspace (exports: {known})."]
    problems: list[str] = []
    connections = workspace.connections
    if not can_edit_export(workspace.role, export, connections):
        problems.append(
            f"As {workspace.role.label.lower()} of this workspace, {workspace.user} may not run "
            f"the export {export_name!r}; ask an administrator."
        )
    if export.is_detached:
        problems.append(f"The export {export_name!r} has no connection: attach a SendGrid "
                        "connection to it in the app.")
    connection = connections.get(export.connection or "")
    if export.connection and connection is None:
        problems.append(f"The export {export_name!r} uses the connection {export.connection!r}, "
                        "which does not exist in this workspace.")
    if not export.list_id:
        problems.append(f"The export {export_name!r} has no SendGrid list: pick one in its "
                        "settings.")
    if not export.segments:
        problems.append(f"The export {export_name!r} has no segments: choose at least one.")
    if not export.mapping.get("email"):
        problems.append(f"The export {export_name!r} maps no column to Email.")
    if connection is None:
        return problems
    shown = connection.display_name or connection.name
    if connection.consent is None:
        problems.append(f"Nothing is sent through {shown!r} until an administrator accepts the "
                        "data-privacy and compliance consent in the connection's set-up.")
    if key_given:
        return problems
    if not connection.export_users and key_from_environment() is None:
        problems.append(f"The connection {shown!r} has no export user: an administrator adds "
                        f"themself as export user (or set {ENV_API_KEY} for scheduled runs).")
        return problems
    if resolve_key(workspace, connection.name, secrets) is not None:
        return problems
    if workspace.user in connection.export_users:
        reason = ""
        try:
            secrets.get(account_name(workspace.id, connection.name))
        except SecretsError as error:
            reason = f" {error.sentence}"
        problems.append(f"Your keyring holds no API key for {shown!r}: enter it again in the "
                        f"connection's set-up, or set {ENV_API_KEY}.{reason}")
    else:
        problems.append(f"{workspace.user} is not an export user of {shown!r} and "
                        f"{ENV_API_KEY} is not set, so there is no key to run with: the export "
                        "runs with the next scheduled refresh, or with an export user.")
    return problems
