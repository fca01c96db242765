"""Words sgtui says in more than one place: counts in sentences ("1 batch", "2,500
batches"), a value that is missing, and the two kinds of rows a run leaves out (set aside
by sgtui, refused by SendGrid)."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, pluralized when ``count`` is not 1: ``counted(3, "batch")``
    is ``"3 batches"``, ``counted(1, "person", "people")`` is ``"1 person"``."""
    if count == 1:
        return f"1 {noun}"
    if plural is None:
        plural = noun + ("es" if noun.endswith(("ch", "sh", "s", "x")) else "s")
    return f"{count:,} {plural}"


def were(count: int) -> str:
    """``"was"`` for one, ``"were"`` for any other count."""
    return "was" if count == 1 else "were"


def it_or_them(count: int) -> str:
    """``"it"`` for one, ``"them"`` for any other count."""
    return "it" if count == 1 else "them"


MISSING = "(none)"
"""What a screen shows for a value the data does not have (an email, a profile key, a
mapping): never a blank, which reads like a display fault."""


def shown(value: object) -> str:
    """``value`` as text, or :data:`MISSING` when it is None, empty or only whitespace."""
    text = "" if value is None else str(value)
    return text if text.strip() else MISSING


SET_ASIDE = "set aside"
"""Rows sgtui itself keeps back, before SendGrid sees them: no email, or one that is not an
email address. They do not make a run partial (they are data to fix, not a failure)."""
REFUSED = "refused"
"""Rows SendGrid was sent and refused. They make a run partial."""
WITHOUT_USABLE_EMAIL = "without a usable email"

SET_ASIDE_RULE = (f"{SET_ASIDE.capitalize()}: rows {WITHOUT_USABLE_EMAIL} (none, or not an "
                  "email address), which sgtui keeps back; they do not make a run partial.")
REFUSED_RULE = f"{REFUSED.capitalize()}: rows SendGrid refused; they make a run partial."


def set_aside_sentence(count: int) -> str:
    """``"3 rows without a usable email were set aside"``: the run summary's words."""
    return f"{counted(count, 'row')} {WITHOUT_USABLE_EMAIL} {were(count)} {SET_ASIDE}"
