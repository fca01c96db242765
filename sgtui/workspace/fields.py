"""SendGrid's rules for custom field names, and the limits of custom fields: their one home.

``sgtui check``, every run's plan and the wizard's "New custom field..." ask
:func:`field_name_problem`; the engine asks :data:`MAX_CUSTOM_FIELDS` and
:data:`MAX_CUSTOM_TEXT`.
"""

from __future__ import annotations

import re

MAX_FIELD_NAME = 100
"""The longest custom field name SendGrid takes."""
MAX_CUSTOM_FIELDS = 500
"""Custom fields one SendGrid account may have."""
MAX_CUSTOM_TEXT = 1_000
"""The longest value of a Text custom field."""

RESERVED_NAMES: frozenset[str] = frozenset({
    "first_name", "last_name", "email", "alternate_emails", "address_line_1",
    "address_line_2", "city", "state_province_region", "postal_code", "country",
    "phone_number", "whatsapp", "line", "facebook", "unique_name", "email_domains",
    "last_clicked", "last_opened", "last_emailed", "singlesend_id", "automation_id",
    "created_at", "updated_at", "contact_id", "phone_number_id", "external_id",
    "anonymous_id", "list_ids", "segment_ids",
})
"""SendGrid's reserved field names (GET /v3/marketing/field_definitions, as recorded in
tests/recordings): no custom field may take one."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_name_problem(name: str) -> str | None:
    """Why SendGrid would refuse ``name`` for a new custom field (a sentence), or None."""
    if not name:
        return "a custom field needs a name."
    if len(name) > MAX_FIELD_NAME:
        return (f"a custom field name has at most {MAX_FIELD_NAME} characters; "
                f"{name[:20]!r}... has {len(name)}.")
    if name[0].isdigit():
        return f"{name!r} starts with a digit; a custom field name starts with a letter or _."
    if not _NAME.fullmatch(name):
        return (f"{name!r} holds characters SendGrid refuses; use letters, digits and "
                "underscores only.")
    if name.lower() in RESERVED_NAMES:
        return f"{name!r} is one of SendGrid's reserved fields; pick another name."
    return None
