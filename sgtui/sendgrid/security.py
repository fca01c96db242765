"""Keeping the API key where it belongs: only over TLS (or to this computer), never in text.

:func:`check_base_url` refuses plain ``http://`` to anything but loopback, so a typo in a
connection's base URL cannot send the key across a network in clear text.
:func:`redact` removes the key (and anything shaped like a SendGrid key or a bearer token)
from text that came from elsewhere: SendGrid's error messages, exception texts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.sendgrid.errors import InsecureBaseUrl, InvalidBaseUrl
from sgtui.workspace.base_url import BaseUrlRefused, is_loopback_host, judge_base_url
from sgtui.workspace.redaction import REDACTED, redact

if TYPE_CHECKING:
    import httpx

__all__ = ["REDACTED", "check_base_url", "is_loopback_host", "redact"]


def check_base_url(base_url: str) -> httpx.URL:
    """The base URL as an ``httpx.URL``, or :class:`InsecureBaseUrl` / :class:`InvalidBaseUrl`.

    The rule is the workspace's (:func:`sgtui.workspace.base_url.judge_base_url`), so
    ``sgtui check`` refuses exactly what a run refuses.
    """
    try:
        return judge_base_url(base_url)
    except BaseUrlRefused as refused:
        if refused.kind == "insecure":
            raise InsecureBaseUrl(refused.shown) from None
        raise InvalidBaseUrl(_shown(refused.shown), extras=refused.kind == "extras") from None


def _shown(base_url: object) -> str:
    text = redact(str(base_url))
    return text if len(text) <= 80 else text[:79] + "…"
