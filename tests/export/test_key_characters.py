"""A key mangled by a copy (a line break, a letter beyond ASCII) fails with a true sentence.

Before, a non-ASCII key ended in "unexpected problem (UnicodeEncodeError)" and one with a
line break in "the connection kept breaking"; the key itself must never be shown.
"""

from __future__ import annotations

import pytest

from sgtui.cli import main
from sgtui.workspace.secrets import ApiKey, account_name

from .conftest import KEY, Setup

MANGLED = [
    (KEY[:20] + "\n" + KEY[20:], "holds a line break at character 21"),
    (KEY[:10] + "é" + KEY[11:], "holds a character outside plain ASCII"),
    (KEY[:10] + "\u200b" + KEY[10:], "holds a character outside plain ASCII"),
    (KEY[:5] + "\x1b" + KEY[5:], "holds a control character at character 6"),
]


@pytest.mark.parametrize(("key", "words"), MANGLED)
def test_a_mangled_key_from_the_environment_is_named_not_sent(
        setup: Setup, key: str, words: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    setup.secrets.delete(account_name(setup.workspace.id, "sandbox"))
    monkeypatch.setenv("SGTUI_API_KEY", key)
    code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"The API key {words}" in out
    assert "SGTUI_API_KEY" in out
    assert "unexpected" not in out and "kept breaking" not in out
    assert key.strip() not in out + err and KEY[20:] not in out + err
    assert setup.put_count() == 0


def test_a_mangled_key_in_the_keyring_is_named_not_sent(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    mangled, words = MANGLED[0]
    setup.secrets.set(account_name(setup.workspace.id, "sandbox"), ApiKey(mangled))
    code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"The API key {words}" in out
    assert KEY[20:] not in out + err
    assert setup.put_count() == 0


def test_a_key_with_a_line_break_cannot_add_entries_to_the_key_file(tmp_path) -> None:
    from sgtui.workspace.secrets import KeyFileSecrets, SecretsError

    keys = KeyFileSecrets(tmp_path / "keys.unencrypted")
    keys.set("ws/a", ApiKey(KEY))
    with pytest.raises(SecretsError) as refused:
        keys.set("ws/b", ApiKey(KEY + "\nws/c\tSG.planted.key"))
    assert "holds a line break" in refused.value.sentence and KEY not in refused.value.sentence
    assert keys.get("ws/c") is None and keys.get("ws/b") is None and keys.get("ws/a") == ApiKey(KEY)
