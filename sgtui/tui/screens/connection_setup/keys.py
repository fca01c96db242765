"""Finding this user's key for a connection (the one lookup lives in the secrets module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.workspace.secrets import ApiKey, account_name, find_key

if TYPE_CHECKING:
    from sgtui.tui.app import SgtuiApp


def stored_key(app: SgtuiApp, connection: str) -> ApiKey | None:
    """This user's key for ``connection`` (blocking: call from a thread).

    The keyring first; when this host has none, the key file if the user chose one; then
    ``$SGTUI_API_KEY``. Raises ``KeyringUnavailable`` only when nothing else has a key.
    """
    return find_key(app.secrets, account_name(app.workspace.id, connection))


def keyring_words(app: SgtuiApp) -> str:
    """Where "store in the keyring" puts a key, in words: the demo keeps keys in memory."""
    if app.demo is not None:
        return "this demo's memory-only key store"
    return f"{app.workspace.user}'s keyring on this computer"
