"""The user's own settings file: keys they remapped and the theme they chose.

It lives with the user (``config.toml`` in the platformdirs user config folder,
``~/.config/sgtui/config.toml`` on Linux, ``$XDG_CONFIG_HOME`` honoured), not with the
workspace, so people sharing a workspace each keep their own keys and colours::

    theme = "nord"

    [keymap]
    "app.history" = "y"
    "exports.run" = "r,ctrl+r"

Reading never fails: whatever is wrong with the file becomes a sentence in
:attr:`UserConfig.problems`. Saving keeps the user's comments (tomlkit) and replaces the
file atomically.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sgtui.errors import CAUSE, SgtuiError, sentence_for
from sgtui.workspace.files import atomic_write_text

CONFIG_FILE_NAME = "config.toml"


class UserConfigError(SgtuiError):
    """The settings file could not be written; ``sentence`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class UserConfig:
    """What the settings file asks for, and what was wrong with it."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated), exactly as written; checked by the TUI."""
    theme: str | None = None
    problems: tuple[str, ...] = ()
    path: Path | None = None


def user_config_path() -> Path:
    """Where this user's ``config.toml`` is (it may not exist yet)."""
    from platformdirs import user_config_path as config_folder

    return config_folder("sgtui") / CONFIG_FILE_NAME


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the settings file; a missing file is an empty config, a broken one a sentence."""
    path = path or user_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserConfig(path=path)
    except (OSError, UnicodeDecodeError) as error:
        return UserConfig(path=path, problems=(sentence_for(
            error, f"{path} could not be read ({CAUSE}); sgtui starts with its default keys "
            "and theme."),))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return UserConfig(path=path, problems=(
            f"{path} is not valid TOML ({error}); sgtui starts with its default keys and "
            "theme until it is fixed.",))
    problems: list[str] = []
    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        problems.append(f"{path}: keymap should be a table ([keymap], then lines like "
                        '"app.history" = "y"); your keys are ignored.')
        raw_keymap = {}
    for binding_id, keys in raw_keymap.items():
        if isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys
        else:
            problems.append(f'{path}: [keymap] "{binding_id}" should be keys in quotes, '
                            'like "y" or "ctrl+y,f5"; that line is ignored.')
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.append(f'{path}: theme should be a name in quotes, like "nord"; it is '
                        "ignored.")
        theme = None
    return UserConfig(keymap=keymap, theme=theme, problems=tuple(problems), path=path)


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember ``theme`` in the settings file, keeping everything else in it as written."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    path = path or user_config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
        document["theme"] = theme
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(path, tomlkit.dumps(document))
    except TOMLKitError as error:
        raise UserConfigError(f"The theme was not remembered: {path} is not valid TOML "
                              f"({error}). Fix the file and choose the theme again.") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UserConfigError(sentence_for(
            error, f"The theme was not remembered: {path} could not be written ({CAUSE}).")
        ) from error
