"""API keys: a type that will not print itself, and the keyring that stores them.

Each export user keeps a connection's key in their own OS keyring, under the service
``sgtui`` and the username ``<workspace id>/<connection name>``. When this host has no
usable keyring (cron, CI, containers, SSH without D-Bus) every operation raises
:class:`KeyringUnavailable`, whose sentence lists the ways forward. sgtui never falls back
to a plain file by itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sgtui.errors import SgtuiError
from sgtui.workspace.files import atomic_write_text

SERVICE = "sgtui"
ENV_API_KEY = "SGTUI_API_KEY"
_SENDGRID_KEY_SHAPE = re.compile(r"^SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}$")


class ApiKey:
    """A SendGrid API key. ``str``, ``repr`` and f-strings show only a mask.

    Call :meth:`reveal` at the one place that needs the real value (the HTTP header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()

    def reveal(self) -> str:
        """The key itself, for the Authorization header and the keyring only."""
        return self._value

    @property
    def masked(self) -> str:
        """What a person may see: the prefix, never any secret character."""
        return "SG.••••" if self._value.startswith("SG.") else "••••"

    @property
    def looks_like_sendgrid_key(self) -> bool:
        """Whether the value has the shape of a real SendGrid key (``SG.xxx.yyy``)."""
        return bool(_SENDGRID_KEY_SHAPE.match(self._value))

    @property
    def unusable_because(self) -> str | None:
        """Why no SendGrid key could be this value, never showing it; None when it could.

        Keys are printable ASCII: a line break, space, control character or anything beyond
        ASCII (an accented letter, a typographic quote, an invisible space) means a bad copy.
        """
        for position, char in enumerate(self._value, start=1):
            if "!" <= char <= "~":
                continue
            if char in "\r\n":
                kind = "a line break"
            elif char in " \t":
                kind = "a space"
            elif ord(char) < 0x20 or ord(char) == 0x7F:
                kind = "a control character"
            else:
                kind = ("a character outside plain ASCII (an accented letter, a typographic "
                        "quote or an invisible space)")
            return f"holds {kind} at character {position}"
        return None

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))

    def __repr__(self) -> str:
        return f"ApiKey({self.masked})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("An API key cannot be pickled.")


class SecretsError(SgtuiError):
    """A problem with the key store, carrying one sentence for people."""


class KeyringUnavailable(SecretsError):
    """This host has no usable OS keyring."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        """What the keyring library said, in a few words ("" when it said nothing)."""
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"This computer has no usable keyring to keep the API key in{why}. "
            f"Ways forward: set {ENV_API_KEY} in the environment of the process that runs "
            "the export; or start a Secret Service for this session "
            "(dbus-run-session with gnome-keyring-daemon, see the README); "
            "or choose the clearly labelled, unencrypted owner-only key file."
        )


class SecretStore(Protocol):
    """Where API keys live. The app and tests receive one; nothing reaches for a global."""

    def get(self, account: str) -> ApiKey | None:
        """The key stored under ``account``, or None."""

    def set(self, account: str, key: ApiKey) -> None:
        """Store ``key`` under ``account``."""

    def delete(self, account: str) -> None:
        """Forget the key under ``account`` (no error when there is none)."""


def account_name(workspace_id: str, connection: str) -> str:
    """The keyring username for one connection of one workspace."""
    return f"{workspace_id}/{connection}"


@dataclass
class KeyringSecrets:
    """The OS keyring through the ``keyring`` library (whichever backend it selected)."""

    service: str = SERVICE

    def _call(self, name: str, *args: str) -> object:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        backend = keyring.get_keyring()
        if _is_unusable(backend):
            raise KeyringUnavailable("no Secret Service or other keyring backend was found")
        try:
            return getattr(backend, name)(self.service, *args)
        except PasswordDeleteError:
            return None
        except KeyringError as error:
            raise KeyringUnavailable(_describe(error)) from None
        except Exception as error:  # backends raise D-Bus and OS errors of their own
            raise KeyringUnavailable(_describe(error)) from None

    def get(self, account: str) -> ApiKey | None:
        value = self._call("get_password", account)
        return ApiKey(value) if isinstance(value, str) and value else None

    def set(self, account: str, key: ApiKey) -> None:
        self._call("set_password", account, key.reveal())

    def delete(self, account: str) -> None:
        self._call("delete_password", account)

    def check(self) -> None:
        """Raise :class:`KeyringUnavailable` unless a keyring backend can be used."""
        self._call("get_password", "__sgtui_probe__")


class MemorySecrets:
    """Keys held in this process only (the demo and tests)."""

    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def get(self, account: str) -> ApiKey | None:
        return self._keys.get(account)

    def set(self, account: str, key: ApiKey) -> None:
        self._keys[account] = key

    def delete(self, account: str) -> None:
        self._keys.pop(account, None)


class KeyFileSecrets:
    """An explicit opt-in: keys in an owner-only file, NOT encrypted.

    Only for hosts without a keyring, when the user chose it knowingly. The file is written
    0600 and holds one ``account<TAB>key`` line per key.
    """

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return dict(line.split("\t", 1) for line in lines if "\t" in line)

    def _write(self, keys: dict[str, str]) -> None:
        text = "".join(f"{account}\t{key}\n" for account, key in sorted(keys.items()))
        atomic_write_text(self.path, text, mode=0o600)

    def get(self, account: str) -> ApiKey | None:
        value = self._read().get(account)
        return ApiKey(value) if value else None

    def set(self, account: str, key: ApiKey) -> None:
        if (because := key.unusable_because) is not None:
            # A line break or tab would also split the file's lines into other entries.
            raise SecretsError(f"The API key {because}, which no SendGrid API key contains; "
                               "copy it again from SendGrid (Settings > API Keys).")
        keys = self._read()
        keys[account] = key.reveal()
        self._write(keys)

    def delete(self, account: str) -> None:
        keys = self._read()
        if keys.pop(account, None) is not None:
            self._write(keys)


KEY_FILE_NAME = "keys.unencrypted"


def user_key_file() -> KeyFileSecrets:
    """The current user's opt-in, unencrypted key file, in their own sgtui config folder.

    It lives with the user, not the workspace, so a workspace shared with a group never
    holds anyone's key and each user's file stays theirs.
    """
    from platformdirs import user_config_path

    folder = user_config_path("sgtui")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return KeyFileSecrets(folder / KEY_FILE_NAME)


def find_key(secrets: SecretStore, account: str) -> ApiKey | None:
    """This user's key for ``account``: the keyring, then the key file they chose, then
    ``$SGTUI_API_KEY``. Raises :class:`KeyringUnavailable` only when none of them has one."""
    problem: KeyringUnavailable | None = None
    try:
        found = secrets.get(account)
    except KeyringUnavailable as error:
        found, problem = None, error
    if found is None:
        file = user_key_file()
        if file.path.exists():
            try:
                found = file.get(account)
            except (OSError, ValueError):
                found = None
    found = found or key_from_environment()
    if found is None and problem is not None:
        raise problem
    return found


def key_from_environment() -> ApiKey | None:
    """The key in ``$SGTUI_API_KEY``, for scheduled jobs on hosts without a keyring."""
    value = os.environ.get(ENV_API_KEY, "").strip()
    return ApiKey(value) if value else None


def _is_unusable(backend: object) -> bool:
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return True
    try:
        from keyring.backends import chainer

        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return True
    except ImportError:  # pragma: no cover - older keyring
        pass
    return False


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text[:160] or type(error).__name__
