"""The SendGrid permissions (API key scopes) sgtui needs, in plain words.

SendGrid does not publish which scope gates which Marketing endpoint. sgtui asks for
``marketing.read`` for everything it reads and ``marketing.write`` for everything it changes
(a full-access key has both); the local sandbox enforces exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable

READ_SCOPE = "marketing.read"
WRITE_SCOPE = "marketing.write"
REQUIRED_SCOPES: frozenset[str] = frozenset({READ_SCOPE, WRITE_SCOPE})

# What each scope lets sgtui do, as a person would say it after "This API key may not ...".
SCOPE_WORDS: dict[str, str] = {
    READ_SCOPE: "read your Marketing lists and contacts",
    WRITE_SCOPE: "add and remove contacts",
}


def missing_scopes(granted: Iterable[str]) -> frozenset[str]:
    """The required scopes that ``granted`` (from ``GET /v3/scopes``) lacks."""
    return REQUIRED_SCOPES - frozenset(granted)


def scope_for_method(method: str) -> str:
    """The scope sgtui assumes a request with this HTTP method needs."""
    return READ_SCOPE if method.upper() in {"GET", "HEAD"} else WRITE_SCOPE


def describe_scopes(scopes: Iterable[str], *, joiner: str = "or") -> str:
    """Plain words for ``scopes``: ``"read your Marketing lists and contacts or add and ..."``.

    Known scopes come first in a fixed order; unknown ones are named as they are.
    """
    wanted = set(scopes)
    phrases = [words for scope, words in SCOPE_WORDS.items() if scope in wanted]
    phrases += [f"use {scope}" for scope in sorted(wanted - SCOPE_WORDS.keys())]
    if not phrases:
        return "do this"
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + f" {joiner} " + phrases[-1]
