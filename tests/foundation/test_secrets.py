"""API keys: masked everywhere, stored in the keyring, and a clear word when there is none."""

from __future__ import annotations

import logging
import pickle
import stat

import keyring
import pytest
from keyring.backends import fail

from sgtui.workspace.secrets import (
    ApiKey,
    KeyFileSecrets,
    KeyringSecrets,
    KeyringUnavailable,
    MemorySecrets,
    account_name,
    key_from_environment,
)

SECRET = "SG." + "k" * 22 + "." + "s" * 43


def test_the_key_never_prints_itself(caplog: pytest.LogCaptureFixture) -> None:
    key = ApiKey(SECRET)
    logging.getLogger("test").warning("key is %s / %r / %s", key, key, f"{key}")
    shown = [str(key), repr(key), f"{key}", f"{key!r}", str([key]), str({"k": key}), caplog.text]
    assert all("kkkk" not in text and "ssss" not in text for text in shown)
    assert key.reveal() == SECRET


def test_the_key_cannot_be_pickled_into_a_file() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(ApiKey(SECRET))


def test_key_shape_hint() -> None:
    assert ApiKey(SECRET).looks_like_sendgrid_key
    assert not ApiKey("hunter2").looks_like_sendgrid_key
    assert ApiKey(f"  {SECRET}\n") == ApiKey(SECRET)


def test_keyring_store_read_and_delete(memory_keyring) -> None:
    secrets = KeyringSecrets()
    account = account_name("ws1", "marketing")
    assert secrets.get(account) is None
    secrets.set(account, ApiKey(SECRET))
    assert memory_keyring.passwords[("sgtui", "ws1/marketing")] == SECRET
    assert secrets.get(account) == ApiKey(SECRET)
    secrets.delete(account)
    assert secrets.get(account) is None
    secrets.delete(account)  # deleting twice is fine


def test_no_keyring_on_this_host_is_one_clear_error() -> None:
    keyring.set_keyring(fail.Keyring())
    secrets = KeyringSecrets()
    for call in (lambda: secrets.get("a"), lambda: secrets.set("a", ApiKey(SECRET)),
                 lambda: secrets.delete("a"), secrets.check):
        with pytest.raises(KeyringUnavailable) as error:
            call()
        sentence = error.value.sentence
        assert "no usable keyring" in sentence
        assert "SGTUI_API_KEY" in sentence
        assert "Secret Service" in sentence
        assert "unencrypted" in sentence


def test_a_locked_keyring_is_the_same_clear_error(memory_keyring, monkeypatch) -> None:
    from keyring.errors import InitError

    def locked(*args: object) -> None:
        raise InitError("Failed to unlock the collection!")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    with pytest.raises(KeyringUnavailable) as error:
        KeyringSecrets().get("a")
    assert "Failed to unlock the collection" in error.value.sentence


def test_memory_secrets() -> None:
    secrets = MemorySecrets()
    secrets.set("a", ApiKey(SECRET))
    assert secrets.get("a") == ApiKey(SECRET)
    secrets.delete("a")
    assert secrets.get("a") is None


def test_the_opt_in_key_file_is_owner_only(tmp_path) -> None:
    path = tmp_path / "keys.unencrypted"
    secrets = KeyFileSecrets(path)
    secrets.set("ws/marketing", ApiKey(SECRET))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KeyFileSecrets(path).get("ws/marketing") == ApiKey(SECRET)


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert key_from_environment() is None
    monkeypatch.setenv("SGTUI_API_KEY", f" {SECRET} ")
    assert key_from_environment() == ApiKey(SECRET)


def test_the_key_file_lives_with_the_user_and_is_found_after_the_keyring() -> None:
    from sgtui.workspace.secrets import find_key, user_key_file

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable):
        find_key(KeyringSecrets(), "ws/marketing")
    user_key_file().set("ws/marketing", ApiKey(SECRET))
    assert find_key(KeyringSecrets(), "ws/marketing") == ApiKey(SECRET)
    assert stat.S_IMODE(user_key_file().path.parent.stat().st_mode) == 0o700


def test_find_key_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from sgtui.workspace.secrets import find_key

    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("SGTUI_API_KEY", SECRET)
    assert find_key(KeyringSecrets(), "ws/marketing") == ApiKey(SECRET)
