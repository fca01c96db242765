"""Turning SendGrid's error answers into the typed errors of :mod:`sgtui.sendgrid.errors`.

Error bodies come in several shapes: ``{"errors": [{"field", "message"}]}`` (the usual),
a bare array of errors (the spec's 404 for a list), ``{"errors": {...}}`` (one spec variant),
HTML from the edge (413), or nothing at all. All of them are accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from sgtui.sendgrid.errors import (
    BadRequest,
    ContactProblem,
    InvalidContacts,
    ListNotFound,
    MissingScope,
    NotFound,
    PayloadTooLarge,
    SendGridError,
    Unauthorized,
    UnexpectedResponse,
    parse_contact_path,
)
from sgtui.sendgrid.scopes import scope_for_method

Redactor = Callable[[str], str]


def error_items(response: httpx.Response) -> list[dict[str, Any]]:
    """The ``{"field", "message"}`` items of an error answer, whatever its shape."""
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(body, Mapping):
        errors = body.get("errors", body.get("error"))
        if isinstance(errors, Mapping):
            errors = [errors]
        elif isinstance(errors, str):
            errors = [{"message": errors}]
    else:
        errors = body
    if not isinstance(errors, list):
        return []
    items = []
    for item in errors:
        if isinstance(item, Mapping):
            items.append({"field": item.get("field"), "message": str(item.get("message") or "")})
        elif isinstance(item, str):
            items.append({"field": None, "message": item})
    return items


def error_for(
    response: httpx.Response,
    *,
    method: str,
    template: str,
    ident: str = "",
    redact: Redactor,
) -> SendGridError:
    """The typed error for a 4xx answer (429 and 5xx are the retry loop's business)."""
    status = response.status_code
    items = error_items(response)
    messages = [redact(item["message"]) for item in items if item["message"]]
    if status == 401:
        text = " ".join(messages).lower()
        return Unauthorized(revoked="revoked" in text or "expired" in text)
    if status == 403:
        return MissingScope({scope_for_method(method)})
    if status == 404:
        if template.startswith("/v3/marketing/lists") or template == "/v3/marketing/contacts":
            return ListNotFound(ident)
        what = "export" if "/exports" in template else "job" if "/imports" in template else "item"
        return NotFound(what, ident)
    if status == 413:
        return PayloadTooLarge()
    if status == 400:
        problems = []
        for item in items:
            where = parse_contact_path(item["field"])
            if where is not None:
                problems.append(ContactProblem(where[0], where[1], redact(item["message"])))
        if problems and method == "PUT" and template == "/v3/marketing/contacts":
            return InvalidContacts(problems)
        return BadRequest(messages)
    return UnexpectedResponse(status, f"{method} {template}")
