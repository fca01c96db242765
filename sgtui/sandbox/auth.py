"""API keys and scopes: who may call what.

SendGrid does not publish which scope gates which Marketing Campaigns endpoint. The sandbox
decides: ``GET`` under ``/v3/marketing`` needs ``marketing.read``; ``POST``, ``PUT``,
``PATCH`` and ``DELETE`` there need ``marketing.write``; ``GET /v3/scopes`` needs only a valid
key.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable

#: The scopes of a full-access key, as far as sgtui cares (a real one has hundreds).
FULL_ACCESS_SCOPES: frozenset[str] = frozenset({
    "marketing.read",
    "marketing.write",
    "mail.send",
    "api_keys.create",
    "api_keys.read",
    "api_keys.update",
    "api_keys.delete",
    "user.profile.read",
    "user.scheduled_sends.read",
    "stats.read",
    "templates.read",
    "suppression.read",
})

MISSING_KEY_MESSAGE = "authorization required"
REVOKED_KEY_MESSAGE = "The provided authorization grant is invalid, expired, or revoked"
FORBIDDEN_MESSAGE = "access forbidden"

_KEY_ALPHABET = string.ascii_letters + string.digits + "-_"


def generate_api_key(rng: random.Random | None = None) -> str:
    """A realistic-looking key: ``SG.`` + 22 characters + ``.`` + 43 characters (69 in all)."""
    rng = rng or random.SystemRandom()
    first = "".join(rng.choice(_KEY_ALPHABET) for _ in range(22))
    second = "".join(rng.choice(_KEY_ALPHABET) for _ in range(43))
    return f"SG.{first}.{second}"


def parse_key_argument(text: str) -> tuple[str, frozenset[str]]:
    """``"KEY"`` or ``"KEY:scope1,scope2"`` -> (key, scopes); a bare key gets full access."""
    key, separator, scopes = text.partition(":")
    if not separator:
        return key, FULL_ACCESS_SCOPES
    return key, frozenset(scope.strip() for scope in scopes.split(",") if scope.strip())


def required_scope(method: str, path: str) -> str | None:
    """The scope a request needs, or None when any valid key will do."""
    if path == "/v3/marketing" or path.startswith("/v3/marketing/"):
        return "marketing.read" if method == "GET" else "marketing.write"
    return None


def bearer_key(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Bearer KEY`` header, or None."""
    if not authorization:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


class KeyRing:
    """The keys the sandbox accepts (thread-safe enough: dict reads and writes are atomic)."""

    def __init__(self, keys: dict[str, Iterable[str]]) -> None:
        self.keys: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in keys.items()}
        self.revoked: set[str] = set()

    def add(self, key: str, scopes: Iterable[str]) -> None:
        """Accept ``key`` with ``scopes`` from now on."""
        self.keys[key] = frozenset(scopes)
        self.revoked.discard(key)

    def revoke(self, key: str) -> None:
        """Refuse ``key`` from now on, with SendGrid's message for a revoked key."""
        self.keys.pop(key, None)
        self.revoked.add(key)

    def check(self, authorization: str | None, method: str, path: str) -> tuple[int, str] | None:
        """None when the request may go on, else (status, message) for the refusal."""
        key = bearer_key(authorization)
        if key is None:
            return 401, MISSING_KEY_MESSAGE
        scopes = self.keys.get(key)
        if scopes is None:
            return 401, REVOKED_KEY_MESSAGE if key in self.revoked else MISSING_KEY_MESSAGE
        needed = required_scope(method, path)
        if needed is not None and needed not in scopes:
            return 403, FORBIDDEN_MESSAGE
        return None

    def scopes_for(self, authorization: str | None) -> frozenset[str]:
        """The scopes of the key in ``authorization`` (empty when unknown)."""
        key = bearer_key(authorization)
        return self.keys.get(key, frozenset()) if key else frozenset()
