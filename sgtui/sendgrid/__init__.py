"""The async SendGrid v3 client sgtui uses, its errors, results and events.

``SendGridClient`` (and httpx with it) is imported on first use, so screens can import the
errors and scopes without paying for httpx at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sgtui.sendgrid.errors import (
    BadRequest,
    ContactProblem,
    InsecureBaseUrl,
    InvalidBaseUrl,
    InvalidContacts,
    ListNotFound,
    MissingScope,
    NetworkError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SendGridError,
    ServiceUnavailable,
    Unauthorized,
    UnexpectedResponse,
    UnusableKey,
)
from sgtui.sendgrid.events import RateLimitObserved, RequestPaced, RequestRetried
from sgtui.sendgrid.models import (
    ContactExport,
    ContactList,
    FieldDefinition,
    FieldDefinitions,
    ImportJob,
)
from sgtui.sendgrid.ratelimit import RateLimitState
from sgtui.sendgrid.scopes import REQUIRED_SCOPES, describe_scopes, missing_scopes

if TYPE_CHECKING:
    from sgtui.sendgrid.client import DEFAULT_BASE_URL, SendGridClient

__all__ = [
    "DEFAULT_BASE_URL",
    "REQUIRED_SCOPES",
    "BadRequest",
    "ContactExport",
    "ContactList",
    "ContactProblem",
    "FieldDefinition",
    "FieldDefinitions",
    "ImportJob",
    "InsecureBaseUrl",
    "InvalidBaseUrl",
    "InvalidContacts",
    "ListNotFound",
    "MissingScope",
    "NetworkError",
    "NotFound",
    "PayloadTooLarge",
    "RateLimitObserved",
    "RateLimitState",
    "RateLimited",
    "RequestPaced",
    "RequestRetried",
    "SendGridClient",
    "SendGridError",
    "ServiceUnavailable",
    "Unauthorized",
    "UnexpectedResponse",
    "UnusableKey",
    "describe_scopes",
    "missing_scopes",
]


def __getattr__(name: str) -> Any:
    if name in {"SendGridClient", "DEFAULT_BASE_URL"}:
        from sgtui.sendgrid import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
