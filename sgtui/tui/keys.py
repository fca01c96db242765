"""Keys as the user has them: every binding id, the key each is on once the user's keymap
(``[keymap]`` in ``config.toml``) is applied, and the check of that keymap.

Hints written in sentences ("press n to define one") ask :func:`bound_key` instead of naming
a key, so a remapped key shows everywhere the default one would have.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, _normalize_key_list, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    name for key in Keys
    if len(name := key.value.rpartition("+")[2]) > 1 and not name.startswith("<")
)
"""Keys with a name rather than a character: ``escape``, ``enter``, ``f1``, ``pageup``…"""

SPOKEN = {"escape": "Escape", "enter": "Enter", "delete": "Delete", "tab": "Tab",
          "space": "Space", "backspace": "Backspace", "insert": "Insert", "home": "Home",
          "end": "End", "pageup": "Page Up", "pagedown": "Page Down"}
"""Named keys as a sentence says them ("press Escape"); the footer's short forms are for
the footer."""

HELP_BINDING = Binding("f1,question_mark", "app.help", "Help", id="app.help")
"""Help for the screen you are on. The app has it; modal screens, which hide the app's keys,
list it too (the same id, so a remapped help key works there as well)."""


@dataclass(frozen=True, slots=True)
class BindingInfo:
    """One binding sgtui has, as the README table lists it."""

    id: str
    key: str
    description: str
    owner: str
    """The screen or widget class the binding belongs to."""


def own_bindings(cls: type) -> list[Binding]:
    """The bindings ``cls`` itself declares (not those it inherits)."""
    return list(Binding.make_bindings(cls.__dict__.get("BINDINGS", ())))


def bindings_of(cls: type) -> Iterator[Binding]:
    """The bindings of ``cls`` and its bases, nearest first."""
    for klass in cls.__mro__:
        yield from own_bindings(klass)


def user_keymap(node: DOMNode) -> Mapping[str, str]:
    """The keymap in use in ``node``'s app (binding id -> normalised keys)."""
    return getattr(node.app, "user_keymap", {})


def keys_for(node: DOMNode, binding_id: str, owner: type | None = None) -> list[str]:
    """The keys ``binding_id`` is on, keymap applied; the binding is ``owner``'s (by default
    ``node``'s own or its app's)."""
    binding = find_binding(node, binding_id, owner)
    keys = user_keymap(node).get(binding_id, binding.key)
    return [key.strip() for key in keys.split(",") if key.strip()]


def bound_key(node: DOMNode, binding_id: str, owner: type | None = None, *,
            spoken: bool = True) -> str:
    """The first key of ``binding_id`` as a sentence says it (``n``, ``Escape``, ``F3``,
    ``ctrl+s``), or with ``spoken=False`` as the footer shows it (``esc``, ``^s``); see
    :func:`keys_for` for ``owner``."""
    binding = find_binding(node, binding_id, owner)
    remapped = binding_id in user_keymap(node)
    key = keys_for(node, binding_id, owner)[0]
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if spoken and (base in SPOKEN or (base[0] == "f" and base[1:].isdigit())):
        return "+".join([*modifiers, SPOKEN.get(base, base.upper())])
    if spoken and modifiers:
        return key
    shown = binding.with_key(key, key_display=None if remapped else binding.key_display)
    return node.app.get_key_display(shown)


def find_binding(node: DOMNode, binding_id: str, owner: type | None = None) -> Binding:
    """The binding with ``binding_id`` on ``owner`` (by default ``node``'s class), or on the
    app's; KeyError if none."""
    for klass in (owner or type(node), type(node.app)):
        for binding in bindings_of(klass):
            if binding.id == binding_id:
                return binding
    raise KeyError(binding_id)


def hint(node: DOMNode, *pairs: tuple[str, str], between: str = " ", separator: str = " · ",
         spoken: bool = False) -> str:
    """``n new · e edit``: each binding id's key (as the footer shows it, unless
    ``spoken``), then what it does."""
    return separator.join(f"{bound_key(node, binding_id, spoken=spoken)}{between}{words}"
                          for binding_id, words in pairs)


# -- every binding, and the user's keymap ----------------------------------------------------
@cache
def binding_catalogue() -> tuple[BindingInfo, ...]:
    """Every binding with an id in sgtui, sorted by id (imports every TUI module)."""
    import sgtui.tui

    for module in pkgutil.walk_packages(sgtui.tui.__path__, "sgtui.tui."):
        importlib.import_module(module.name)
    found: dict[str, BindingInfo] = {}
    for cls in subclasses_of(DOMNode):
        if not cls.__module__.startswith("sgtui."):
            continue
        for binding in own_bindings(cls):
            if not binding.id:
                continue
            known = found.get(binding.id)
            if known is None:
                found[binding.id] = BindingInfo(binding.id, binding.key, binding.description,
                                                cls.__name__)
            elif known.owner == cls.__name__:  # "d,delete" is split into one per key
                found[binding.id] = BindingInfo(binding.id, f"{known.key},{binding.key}",
                                                known.description, known.owner)
    return tuple(sorted(found.values(), key=lambda info: info.id))


def subclasses_of(cls: type) -> Iterator[type]:
    """Every subclass of ``cls``, at any depth."""
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from subclasses_of(sub)


def is_key_name(key: str) -> bool:
    """Whether Textual knows ``key`` (``y``, ``?``, ``question_mark``, ``ctrl+f5``…)."""
    *modifiers, base = key.split("+") if key != "+" else ["+"]
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    return base in NAMED_KEYS or key_to_character(REPLACED_KEYS.get(base, base)) is not None


def check_keys(keymap: Mapping[str, str], where: str) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` whose keys Textual knows (normalised, ``?`` becomes
    ``question_mark``), and a sentence for each entry that names a key it does not."""
    usable: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        wanted = [key.strip() for key in keys.split(",")]
        bad = [key for key in wanted if not is_key_name(key)]
        if bad:
            problems.append(f'{where}: [keymap] "{binding_id}" = "{keys}": '
                            f"{', '.join(repr(key) for key in bad)} is not a key name (write "
                            'keys like "y", "ctrl+y", "f5" or "question_mark"); that line is '
                            "ignored.")
        else:
            usable[binding_id] = _normalize_key_list(",".join(wanted))
    return usable, problems


def clashes(keymap: Mapping[str, str], where: str) -> list[str]:
    """A sentence for each key the keymap puts on two bindings of the same screen (Textual
    gives the key to the remapped one and leaves the other without a key, silently)."""
    by_owner: dict[str, list[BindingInfo]] = {}
    for info in binding_catalogue():
        if info.description:
            by_owner.setdefault(info.owner, []).append(info)
    problems: list[str] = []
    for infos in by_owner.values():
        holders: dict[str, list[BindingInfo]] = {}
        for info in infos:
            keys = keymap.get(info.id) or _normalize_key_list(info.key)
            for key in keys.split(","):
                holders.setdefault(key, []).append(info)
        for key, sharing in holders.items():
            if len(sharing) > 1 and any(info.id in keymap for info in sharing):
                names = " and ".join(f'"{info.id}" ({info.description})' for info in sharing)
                problems.append(f"{where}: [keymap] puts {names} on the same key, {key}; "
                                "give one of them another key.")
    return problems


def unknown_ids(binding_ids: Iterable[str], where: str) -> list[str]:
    """A sentence for each of ``binding_ids`` that is no binding of sgtui's."""
    known = {info.id for info in binding_catalogue()}
    return [f'{where}: [keymap] "{binding_id}" is not a key sgtui has (the README lists '
            "them); that line is ignored."
            for binding_id in binding_ids if binding_id not in known]
