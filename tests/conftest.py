"""Fixtures shared by every test: isolation from the developer's own machine."""

from __future__ import annotations

import keyring
import keyring.backend
import pytest


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict, so tests use the keyring API."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> InMemoryKeyring:
    """Every test gets an empty in-memory keyring instead of the developer's own."""
    backend = InMemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """No test sees the developer's workspace, API key or terminal settings."""
    monkeypatch.delenv("SGTUI_API_KEY", raising=False)
    monkeypatch.setenv("SGTUI_WORKSPACE", str(tmp_path_factory.mktemp("default-workspace")))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    # The opt-in key file and crash logs live in per-user folders: keep them in tmp.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text cursor never blinks, so a snapshot taken on a slow machine shows it too.

    A blink is a 0.5 s timer: on a loaded machine a snapshot could catch either phase.
    """
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
