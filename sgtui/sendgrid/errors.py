"""Everything that can go wrong talking to SendGrid, as exceptions that carry a sentence.

Each error's ``sentence`` (also its ``str()``) says what happened and what to do next, in
words for people; screens show it as it is. No sentence ever contains the API key, and the
ones a run may log (everything but :class:`BadRequest`) contain no personal data either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sgtui.errors import SgtuiError
from sgtui.sendgrid.scopes import describe_scopes
from sgtui.workspace.base_url import insecure_sentence, refusal_sentence

KEYS_PAGE = "SendGrid (Settings > API Keys)"


class SendGridError(SgtuiError):
    """Base of every client error: one ``sentence`` for people, an HTTP ``status`` if any."""

    def __init__(self, sentence: str, *, status: int | None = None) -> None:
        super().__init__(sentence)
        self.status = status


class InvalidBaseUrl(SendGridError):
    """The connection's base URL is not an http(s) URL with just a host (and a path)."""

    def __init__(self, shown: str, *, extras: bool = False) -> None:
        super().__init__(refusal_sentence("extras" if extras else "invalid", shown))


class InsecureBaseUrl(SendGridError):
    """The client refuses to send the key over plain http to anything but this computer."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(insecure_sentence(host))


class UnusableKey(SendGridError):
    """The key holds a character no SendGrid key has, so it was never sent."""

    def __init__(self, because: str) -> None:
        super().__init__(
            f"The API key {because}, which no SendGrid API key contains, so sgtui did not send "
            f"it. Copy the key again from {KEYS_PAGE}: into the connection's set-up, or into "
            "SGTUI_API_KEY where a scheduled job reads it."
        )


class Unauthorized(SendGridError):
    """401: SendGrid does not know the key, or it was revoked."""

    def __init__(self, *, revoked: bool = False) -> None:
        self.revoked = revoked
        what = (
            "SendGrid says this API key was revoked or has expired"
            if revoked
            else "SendGrid did not accept this API key: it is wrong, or it was deleted"
        )
        super().__init__(
            f"{what}. Create a new key in {KEYS_PAGE}, enter it for this connection "
            "and try again.",
            status=401,
        )


class MissingScope(SendGridError):
    """403: the key lacks a permission. ``scopes`` names the ones sgtui believes are missing."""

    def __init__(self, scopes: Iterable[str]) -> None:
        self.scopes = frozenset(scopes)
        super().__init__(
            f"This API key may not {describe_scopes(self.scopes)}. Create a key with "
            f"Marketing read and write access in {KEYS_PAGE} and try again.",
            status=403,
        )


class NotFound(SendGridError):
    """404: SendGrid has no such thing (a job, an export)."""

    def __init__(self, what: str, ident: str) -> None:
        self.ident = ident
        super().__init__(
            f"SendGrid has no {what} with the ID {_short(ident)!r}. "
            "It may have expired or belong to another account; start it again.",
            status=404,
        )


class ListNotFound(NotFound):
    """404 on a list path (or an upsert naming a list that does not exist)."""

    def __init__(self, list_id: str) -> None:
        self.list_id = list_id
        SendGridError.__init__(
            self,
            f"SendGrid has no contact list with the ID {_short(list_id)!r} on this account. "
            "Pick the list again from the lists in SendGrid, or create a new one.",
            status=404,
        )
        self.ident = list_id


class BadRequest(SendGridError):
    """400 that is not about particular contacts, e.g. a list name that is already taken.

    ``messages`` are SendGrid's own words (with any key-shaped text removed).
    """

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        said = _short(self.messages[0], 200) if self.messages else "no reason given"
        super().__init__(
            f"SendGrid refused the request: {said.rstrip('.')}. "
            "Correct it and try again.",
            status=400,
        )


class ContactProblem(NamedTuple):
    """One problem SendGrid found with one contact of an upsert batch."""

    position: int
    """The contact's position in the batch that was sent (0-based)."""
    field: str
    """The contact's field, e.g. ``email``; empty when SendGrid named the whole contact."""
    message: str
    """SendGrid's words. May quote the value, so it is personal data: never log it."""


_CONTACT_PATH = re.compile(r"^\s*contacts\[(\d+)\](?:\.(.+))?\s*$")


def parse_contact_path(field: str | None) -> tuple[int, str] | None:
    """``"contacts[12].email"`` -> ``(12, "email")``; None for a path without an index."""
    if not field:
        return None
    match = _CONTACT_PATH.match(field)
    if match is None:
        return None
    return int(match.group(1)), match.group(2) or ""


class InvalidContacts(SendGridError):
    """400 on an upsert: SendGrid refused the whole batch because of these contacts."""

    def __init__(self, problems: Sequence[ContactProblem]) -> None:
        self.problems = tuple(problems)
        indexes = sorted({problem.position for problem in self.problems})
        first = min(self.problems, key=lambda problem: problem.position) if self.problems else None
        where = ""
        if first is not None:
            where = f" (first: contact {first.position + 1}"
            where += f", field {first.field})" if first.field else ")"
        count = len(indexes)
        noun = "contact" if count == 1 else "contacts"
        super().__init__(
            f"SendGrid refused this batch because {count} {noun} in it "
            f"{'is' if count == 1 else 'are'} not valid{where}. "
            "Set those contacts aside and send the others again.",
            status=400,
        )

    @property
    def indexes(self) -> frozenset[int]:
        """The positions (0-based) of the refused contacts in the batch."""
        return frozenset(problem.position for problem in self.problems)


class PayloadTooLarge(SendGridError):
    """413: the request body was over SendGrid's size limit."""

    def __init__(self) -> None:
        super().__init__(
            "SendGrid refused the upload because it was too large. Send smaller batches "
            "(under 4 MiB and 30,000 contacts each).",
            status=413,
        )


class RateLimited(SendGridError):
    """429 that did not go away after waiting for the window to reset, several times."""

    def __init__(self, attempts: int, reset_in: float | None = None) -> None:
        self.attempts = attempts
        self.reset_in = reset_in
        super().__init__(
            f"SendGrid kept limiting how fast this API key may send requests "
            f"({attempts} tries). Something else may be using the same key; "
            "wait a few minutes and try again.",
            status=429,
        )


class ServiceUnavailable(SendGridError):
    """5xx that persisted through every retry."""

    def __init__(self, status: int, attempts: int) -> None:
        self.attempts = attempts
        super().__init__(
            f"SendGrid is not working properly right now (HTTP {status}, {attempts} tries). "
            "Try again in a few minutes; status.sendgrid.com lists known problems.",
            status=status,
        )


class NetworkError(SendGridError):
    """No usable answer: could not connect, TLS failed, timed out or the connection dropped.

    ``kind`` is one of ``"connect"``, ``"tls"``, ``"timeout"``, ``"dropped"``.
    """

    def __init__(self, kind: str, host: str, attempts: int, detail: str = "") -> None:
        self.kind = kind
        self.host = host
        self.attempts = attempts
        self.detail = detail
        tries = f" ({attempts} tries)" if attempts > 1 else ""
        sentences = {
            "tls": (
                f"The secure (TLS) connection to {host} failed: its certificate could not "
                "be verified. Check the base URL and this computer's date and CA "
                "certificates, or whether a proxy intercepts HTTPS."
            ),
            "timeout": (
                f"{host} did not answer in time{tries}. Check the network connection "
                "and try again in a few minutes."
            ),
            "dropped": (
                f"The connection to {host} kept breaking before an answer came{tries}. "
                "Check the network connection and try again in a few minutes."
            ),
        }
        sentence = sentences.get(
            kind,
            f"Could not connect to {host}{tries}. Check the network connection and the "
            "connection's base URL, then try again.",
        )
        super().__init__(sentence)


class UnexpectedResponse(SendGridError):
    """An answer the client cannot use: an unknown status, or a body that is not the JSON
    the API documents."""

    def __init__(self, status: int, where: str) -> None:
        super().__init__(
            f"SendGrid gave an answer sgtui does not understand (HTTP {status} on {where}). "
            "Check the connection's base URL; if it is right, try again later.",
            status=status,
        )


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
