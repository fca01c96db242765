"""Which connection base URLs may carry an API key: the one rule ``check`` and ``run`` share.

``https://`` anywhere; plain ``http://`` only to this computer (``localhost``, 127.0.0.0/8,
``::1``), decided from the URL's text alone, never by asking DNS, so no name can resolve its
way to a plain-text connection elsewhere. A user name, password, query or fragment has no
place in a base URL and is refused. The URL is parsed by httpx, the same parser the client
connects with, so the host judged is the host contacted.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Literal

from sgtui.errors import SgtuiError

if TYPE_CHECKING:
    import httpx

SENDGRID_URLS = "https://api.sendgrid.com (or https://api.eu.sendgrid.com for EU accounts)"


Refusal = Literal["invalid", "extras", "insecure"]


class BaseUrlRefused(SgtuiError):
    """The base URL may not carry an API key; ``sentence`` says why and what to use.

    ``kind`` is ``invalid`` (not an http(s) address), ``extras`` (user name, password, query
    or fragment) or ``insecure`` (plain http off this computer); ``shown`` is what the
    sentence names: the text, ``scheme://host``, or the host.
    """

    def __init__(self, kind: Refusal, shown: str) -> None:
        self.kind, self.shown = kind, shown
        super().__init__(refusal_sentence(kind, shown))


def refusal_sentence(kind: Refusal, shown: str) -> str:
    """The sentence for a refused base URL (``shown`` holds nothing secret)."""
    if kind == "insecure":
        return insecure_sentence(shown)
    return extras_sentence(shown) if kind == "extras" else invalid_sentence(shown)


def insecure_sentence(host: str) -> str:
    """Why plain http to ``host`` is refused."""
    return (f"sgtui will not send the API key over plain http:// to {host}. Use an https:// "
            "base URL; plain http is only allowed to this computer (localhost, 127.0.0.1, ::1).")


def invalid_sentence(shown: str) -> str:
    """Why ``shown`` (already stripped of anything secret) is not a usable base URL."""
    return f"The base URL {shown!r} is not a web address sgtui can use. Use {SENDGRID_URLS}."


def extras_sentence(shown: str) -> str:
    """Why a base URL with a user name, password, query or fragment is refused."""
    return (f"The base URL for {shown} carries a user name, password, query or fragment, which "
            "sgtui never sends (the API key travels in a header). Use just the address, like "
            f"{SENDGRID_URLS}.")


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this computer by its text alone: ``localhost``, 127.0.0.0/8, ``::1``.

    Other names ending in ``.localhost`` are not: resolvers may send them to DNS.
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def judge_base_url(base_url: str) -> httpx.URL:
    """``base_url`` parsed, or :class:`BaseUrlRefused` when it may not carry a key."""
    import httpx

    text = str(base_url).strip()
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise BaseUrlRefused("invalid", text) from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise BaseUrlRefused("invalid", text)
    if url.userinfo or url.query or url.fragment:
        raise BaseUrlRefused("extras", f"{url.scheme}://{url.host}")
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise BaseUrlRefused("insecure", url.host)
    return url
