"""What the endpoints see of HTTP: a parsed call in, a reply out, SendGrid's error bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

JSON_TYPE = "application/json"


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``email.message.Message`` or a dict)."""

    def get(self, name: str, default: None = None, /) -> str | None:
        """The header's value, or None."""


class ApiError(Exception):
    """Refuse a call with SendGrid's error body: ``{"errors": [{"field", "message"}]}``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errors: list[tuple[str | None, str]] = [(field, message)]

    @classmethod
    def many(cls, status: int, errors: list[tuple[str | None, str]]) -> ApiError:
        """One refusal listing several problems."""
        error = cls(status, errors[0][1], errors[0][0])
        error.errors = list(errors)
        return error

    def reply(self) -> Reply:
        """The answer for this refusal."""
        return error_reply(self.status, self.errors)


@dataclass(slots=True)
class Call:
    """One request as an endpoint sees it."""

    method: str
    path: str
    query: dict[str, str]
    params: dict[str, str]
    headers: Headers
    body: bytes
    base_url: str

    def json(self) -> Any:
        """The body as JSON; ApiError 400 when it is empty or not JSON."""
        if not self.body.strip():
            raise ApiError(400, "request body is required")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "request body is not valid JSON") from None
        except RecursionError:  # nested deeper than Python's parser goes
            raise ApiError(400, "request body is nested too deeply") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; ApiError 400 otherwise."""
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be a JSON object")
        return body


@dataclass(slots=True)
class Reply:
    """One answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any) -> Reply:
        """A JSON answer (compact, as SendGrid sends it)."""
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        return cls(status, text.encode())


def error_reply(status: int, errors: list[tuple[str | None, str]]) -> Reply:
    """SendGrid's error body for ``errors`` (pairs of field and message)."""
    return Reply.json(status, {"errors": [{"field": f, "message": m} for f, m in errors]})
