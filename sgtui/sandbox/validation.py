"""Synchronous checks of ``PUT /v3/marketing/contacts``, as SendGrid makes them.

The whole request is refused (400, no job) when anything is wrong, with one error per problem
and SendGrid's ``contacts[i].field`` paths. Limits follow the notes: 1..30,000 contacts, one
identifier per contact, a valid email of at most 254 characters, first/last name 50, city 60,
state 50, country 50, address lines 100, at most 5 alternate emails, custom fields keyed by
an existing id. ``phone_number`` and the other messaging fields are taken as they come
(recorded: real SendGrid accepted ``"000"``). Custom field *values* are checked inside the
job (see ``custom_values``), as the real API does.

Decisions where the notes are silent: fields SendGrid does not define are refused (a typo
such as ``state`` would otherwise vanish silently); values of reserved fields must be
strings; emails are ASCII only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sgtui.sandbox.store import IDENTIFIERS

MAX_BODY_BYTES = 4 * 1024 * 1024  # the real ceiling one production user measured
MAX_CONTACTS = 30_000
MAX_ALTERNATE_EMAILS = 5

#: Longest value of each field (None: no limit).
FIELD_LIMITS: dict[str, int | None] = {
    "email": 254,
    "first_name": 50,
    "last_name": 50,
    "city": 60,
    "state_province_region": 50,
    "country": 50,
    "postal_code": None,
    "address_line_1": 100,
    "address_line_2": 100,
    "phone_number_id": None,
    "external_id": 254,
    "anonymous_id": 254,
    "phone_number": None,
    "whatsapp": None,
    "line": None,
    "facebook": None,
    "unique_name": None,
}

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(
    r"^(?=.{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    rf"@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
)

Problem = tuple[str | None, str]  # (field path, message)


@dataclass(frozen=True, slots=True)
class UpsertRequest:
    """A checked upsert: list ids and each contact's values (emails lower-cased)."""

    list_ids: tuple[str, ...]
    contacts: list[dict[str, Any]]


def is_valid_email(text: str) -> bool:
    """Whether ``text`` is an email address SendGrid would take."""
    return len(text) <= 254 and EMAIL_PATTERN.match(text) is not None


def check_upsert(body: Any, custom_field_types: Mapping[str, str]
                 ) -> tuple[UpsertRequest | None, list[Problem]]:
    """Check an upsert body; returns the request, or None and every problem found.

    ``custom_field_types`` maps each existing custom field id to its type
    (``Text``/``Number``/``Date``).
    """
    if not isinstance(body, dict):
        return None, [(None, "request body must be a JSON object")]
    problems: list[Problem] = []
    list_ids = body.get("list_ids", [])
    if not isinstance(list_ids, list) or not all(isinstance(x, str) for x in list_ids):
        problems.append(("list_ids", "list_ids must be an array of strings"))
        list_ids = []
    for key in body:
        if key not in ("list_ids", "contacts"):
            problems.append((key, f"{key} is not a valid field"))
    contacts = body.get("contacts")
    if contacts is None:
        return None, [*problems, ("contacts", "contacts is required")]
    if not isinstance(contacts, list):
        return None, [*problems, ("contacts", "contacts must be an array")]
    if not 1 <= len(contacts) <= MAX_CONTACTS:
        return None, [*problems, ("contacts", f"contacts must contain between 1 and "
                                              f"{MAX_CONTACTS} items")]
    checked = []
    for position, contact in enumerate(contacts):
        values = _check_contact(position, contact, custom_field_types, problems)
        checked.append(values)
    if problems:
        return None, problems
    return UpsertRequest(tuple(list_ids), checked), []


def _check_contact(position: int, contact: Any, custom_field_types: Mapping[str, str],
                   problems: list[Problem]) -> dict[str, Any]:
    path = f"contacts[{position}]"
    if not isinstance(contact, dict):
        problems.append((path, "contact must be an object"))
        return {}
    values: dict[str, Any] = {}
    for key, value in contact.items():
        where = f"{path}.{key}"
        if key == "custom_fields":
            _check_custom_fields(where, value, custom_field_types, values, problems)
        elif key == "alternate_emails":
            _check_alternate_emails(where, value, values, problems)
        elif key in FIELD_LIMITS:
            if not isinstance(value, str):
                problems.append((where, f"{key} must be a string"))
                continue
            limit = FIELD_LIMITS[key]
            if key == "email":
                if not is_valid_email(value):
                    problems.append((where, f"email '{value}' is not valid"))
                    continue
                value = value.lower()
            elif limit is not None and len(value) > limit:
                problems.append((where, f"{key} must be at most {limit} characters"))
                continue
            values[key] = value
        else:
            problems.append((where, f"{key} is not a valid field"))
    if not any(isinstance(contact.get(kind), str) and contact[kind] for kind in IDENTIFIERS):
        problems.append((path, "contact must have at least one identifier: email, "
                               "phone_number_id, external_id or anonymous_id"))
    return values


def _check_alternate_emails(where: str, value: Any, values: dict[str, Any],
                            problems: list[Problem]) -> None:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problems.append((where, "alternate_emails must be an array of strings"))
    elif len(value) > MAX_ALTERNATE_EMAILS:
        problems.append((where, f"alternate_emails can hold at most {MAX_ALTERNATE_EMAILS} "
                                f"emails"))
    else:
        for i, email in enumerate(value):
            if not is_valid_email(email):
                problems.append((f"{where}[{i}]", f"email '{email}' is not valid"))
                return
        values["alternate_emails"] = [email.lower() for email in value]


def _check_custom_fields(where: str, value: Any, custom_field_types: Mapping[str, str],
                         values: dict[str, Any], problems: list[Problem]) -> None:
    if not isinstance(value, dict):
        problems.append((where, "custom_fields must be an object"))
        return
    if any(field_id not in custom_field_types for field_id in value):
        problems.append((where, "invalid custom field ids supplied"))
        return
    for field_id, field_value in value.items():
        if isinstance(field_value, list | dict):  # not a value at all; the job checks the rest
            problems.append((f"{where}.{field_id}", "value must be text, a number or a date"))
        else:
            values[field_id] = field_value
