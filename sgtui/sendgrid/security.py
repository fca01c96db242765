"""Keeping the API key where it belongs: only over TLS (or to this computer), never in text.

:func:`check_base_url` refuses plain ``http://`` to anything but loopback, so a typo in a
connection's base URL cannot send the key across a network in clear text.
:func:`redact` removes the key (and anything shaped like a SendGrid key or a bearer token)
from text that came from elsewhere: SendGrid's error messages, exception texts.
"""

from __future__ import annotations

import httpx

from sgtui.sendgrid.errors import InsecureBaseUrl, InvalidBaseUrl
from sgtui.workspace.exposure import REDACTED, is_loopback_host, redact

__all__ = ["REDACTED", "check_base_url", "is_loopback_host", "redact"]


def check_base_url(base_url: str) -> httpx.URL:
    """The base URL as an ``httpx.URL``, or :class:`InsecureBaseUrl` / :class:`InvalidBaseUrl`.

    ``https://`` anywhere is fine; ``http://`` only to loopback. User info, a query or a
    fragment in the base URL are refused as invalid (they have no place there).
    """
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidBaseUrl(_shown(base_url)) from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidBaseUrl(_shown(base_url))
    if url.userinfo or url.query or url.fragment:
        raise InvalidBaseUrl(f"{url.scheme}://{url.host}")
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise InsecureBaseUrl(url.host)
    return url


def _shown(base_url: object) -> str:
    text = redact(str(base_url))
    return text if len(text) <= 80 else text[:79] + "…"
