"""How big one export may be: ``[limits]`` in ``sgtui.toml``, read here and nowhere else.

```toml
[limits]
max_profiles_per_export = 1000000   # enforced for every run: app, run, refresh
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace

LIMITS_TABLE = "limits"
MAX_PROFILES_KEY = "max_profiles_per_export"
DEFAULT_MAX_PROFILES = 1_000_000
"""The cap when ``[limits] max_profiles_per_export`` is not set (or not a positive number)."""
RECOMMENDED_MAX_PROFILES = 100_000
"""SendGrid recommends at most this many contacts per import; past it sgtui warns."""


def _configured(document: Mapping[str, Any]) -> object:
    limits = document.get(LIMITS_TABLE)
    return limits.get(MAX_PROFILES_KEY) if isinstance(limits, Mapping) else None


def _usable(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def max_profiles_per_export(workspace: Workspace) -> int:
    """The most profiles one export may send in this workspace."""
    value = _configured(workspace.document)
    return int(value) if _usable(value) else DEFAULT_MAX_PROFILES  # type: ignore[call-overload]


def limit_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, sentence)`` for every ``[limits]`` value sgtui cannot use."""
    limits = document.get(LIMITS_TABLE)
    if limits is None:
        return []
    if not isinstance(limits, Mapping):
        return [("", "must be a table, like [limits] with max_profiles_per_export = 1000000.")]
    value = limits.get(MAX_PROFILES_KEY)
    if value is None or _usable(value):
        return []
    return [(MAX_PROFILES_KEY, f"{value!r} is not a number of profiles; use a whole number "
             f"above 0, like {DEFAULT_MAX_PROFILES}.")]


def over_cap(profiles: int, cap: int) -> str:
    """The sentence for an export whose segments hold more than ``cap`` profiles."""
    return (f"The segments hold {profiles:,} profiles, more than the limit of {cap:,} profiles "
            f"per export ([{LIMITS_TABLE}] {MAX_PROFILES_KEY} in sgtui.toml); nothing was "
            "sent. Choose fewer segments, or raise the limit.")


def over_cap_while_reading(cap: int) -> str:
    """The sentence for a run that found more than ``cap`` contacts while reading (the
    segments grew after the run counted them)."""
    return (f"The segments hold more than {cap:,} contacts, the limit per export "
            f"([{LIMITS_TABLE}] {MAX_PROFILES_KEY}); the run stopped. Choose fewer segments, or "
            "raise the limit.")
