"""Text that came from elsewhere never carries an API key: one rule for every layer that
shows or sends such text (the SendGrid client's sentences, alerts)."""

from __future__ import annotations

import re

_KEY_SHAPE = re.compile(r"SG\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}")
_BEARER = re.compile(r"(?i)(bearer)\s+[^\s,;'\"]+")
REDACTED = "[redacted]"


def redact(text: str, secret: str = "") -> str:
    """``text`` without ``secret``, key-shaped strings or bearer tokens."""
    if secret:
        text = text.replace(secret, REDACTED)
    text = _KEY_SHAPE.sub(REDACTED, text)
    return _BEARER.sub(rf"\1 {REDACTED}", text)
