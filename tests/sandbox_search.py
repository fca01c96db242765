"""Reading back what a sandbox SendGrid holds, as a test checks a run's result."""

from __future__ import annotations

from typing import Any

import httpx


def contacts_by_email(base_url: str, key: str, emails: list[str]) -> dict[str, dict[str, Any]]:
    """The contacts the sandbox at ``base_url`` holds for ``emails``, by email, found with an
    SGQL search as a user of SendGrid would."""
    quoted = ", ".join("'" + email.replace("'", "''") + "'" for email in emails)
    answer = httpx.post(f"{base_url}/v3/marketing/contacts/search",
                        json={"query": f"email IN ({quoted})"},
                        headers={"Authorization": f"Bearer {key}"})
    answer.raise_for_status()
    return {contact["email"]: contact for contact in answer.json()["result"]}
