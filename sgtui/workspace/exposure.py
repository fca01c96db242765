"""What may leave this computer, and how: loopback detection and removing secrets from text.

Two rules live here, for every layer that sends something somewhere (the SendGrid client,
alerts): plain-text transports are allowed only to this computer (:func:`is_loopback_host`,
decided from the name alone, without DNS), and text that came from elsewhere never carries
an API key or a bearer token (:func:`redact`).
"""

from __future__ import annotations

import ipaddress
import re

_KEY_SHAPE = re.compile(r"SG\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}")
_BEARER = re.compile(r"(?i)(bearer)\s+[^\s,;'\"]+")
REDACTED = "[redacted]"


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this computer: ``localhost``, 127.0.0.0/8 or ``::1``."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def redact(text: str, secret: str = "") -> str:
    """``text`` without ``secret``, key-shaped strings or bearer tokens."""
    if secret:
        text = text.replace(secret, REDACTED)
    text = _KEY_SHAPE.sub(REDACTED, text)
    return _BEARER.sub(rf"\1 {REDACTED}", text)
