"""Finding this user's key for a connection: keyring, then the opted-in key file, then env."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.workspace.secrets import (
    ApiKey,
    KeyFileSecrets,
    KeyringUnavailable,
    account_name,
    key_from_environment,
)

if TYPE_CHECKING:
    from sgtui.tui.app import SgtuiApp
    from sgtui.workspace.config import Workspace

KEY_FILE_NAME = "keys.unencrypted"


def key_file(workspace: Workspace) -> KeyFileSecrets:
    """The explicit, unencrypted owner-only key file a user may choose on a host without keyring."""
    return KeyFileSecrets(workspace.folder / KEY_FILE_NAME)


def stored_key(app: SgtuiApp, connection: str) -> ApiKey | None:
    """This user's key for ``connection`` (blocking: call from a thread).

    The keyring first; when this host has none, the key file if the user chose one; then
    ``$SGTUI_API_KEY``. Raises :class:`KeyringUnavailable` only when nothing else has a key.
    """
    account = account_name(app.workspace.id, connection)
    problem: KeyringUnavailable | None = None
    try:
        found = app.secrets.get(account)
    except KeyringUnavailable as error:
        found, problem = None, error
    if found is None:
        file = key_file(app.workspace)
        if file.path.exists():
            try:
                found = file.get(account)
            except (OSError, ValueError):
                found = None
    found = found or key_from_environment()
    if found is None and problem is not None:
        raise problem
    return found
