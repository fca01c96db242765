"""Matching profile columns to SendGrid fields, and judging whether a column is usable.

Pure functions (no Textual, no I/O): the export wizard pre-fills its field mapping with
:func:`suggest_mapping`, warns with :func:`mapping_warnings` and previews contacts with
:func:`preview_contact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sgtui.export.prepare import FIELD_LIMITS
from sgtui.export.prepare import is_valid_email as _is_valid_address
from sgtui.workspace.model import MAPPABLE_FIELDS, WRITABLE_FIELDS

# Normalised column names (lower case, letters and digits only) that mean each field.
ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "emailaddr", "primaryemail", "contactemail",
              "useremail", "customeremail"),
    "first_name": ("firstname", "givenname", "forename", "first", "fname", "prenom",
                   "vorname"),
    "last_name": ("lastname", "surname", "familyname", "last", "lname", "nom", "nachname"),
    "country": ("country", "countryname", "countryregion", "countrycode", "nation"),
    "state_province_region": ("stateprovinceregion", "state", "province", "region",
                              "stateprovince", "county", "statecode"),
    "city": ("city", "town", "locality", "municipality"),
    "postal_code": ("postalcode", "zip", "zipcode", "postcode", "postal", "plz"),
}

MOSTLY = 0.5
"""A column is "mostly" empty or invalid past this share of the values looked at."""



def normalise(column: str) -> str:
    """``E-Mail Address`` -> ``emailaddress``: the form aliases are compared in."""
    return re.sub(r"[^a-z0-9]", "", column.lower())


def suggest_mapping(columns: Iterable[str]) -> dict[str, str]:
    """SendGrid field -> profile column, for every field a column's name clearly means.

    Each column is used at most once; a column named exactly like the field (``email``,
    ``first_name``) wins over an alias, and earlier aliases win over later ones.
    """
    names = list(columns)
    by_normal: dict[str, str] = {}
    for name in names:
        by_normal.setdefault(normalise(name), name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in MAPPABLE_FIELDS:
        exact = normalise(field)
        for alias in (exact, *ALIASES.get(field, ())):
            column = by_normal.get(alias)
            if column is not None and column not in used:
                mapping[field] = column
                used.add(column)
                break
    return mapping


def is_valid_email(value: object) -> bool:
    """Whether ``value``, trimmed and lower-cased as a run does, is an address SendGrid takes."""
    if value is None:
        return False
    return _is_valid_address(str(value).strip().lower())


def is_empty(value: object) -> bool:
    """None, or only whitespace."""
    return value is None or not str(value).strip()


@dataclass(frozen=True, slots=True)
class ColumnHealth:
    """How a column looks in the profiles examined."""

    values: int
    empty: int
    invalid_email: int

    @property
    def filled(self) -> int:
        """Values that are not empty."""
        return self.values - self.empty

    @property
    def mostly_empty(self) -> bool:
        """More than half of the values are empty."""
        return self.values > 0 and self.empty / self.values > MOSTLY

    @property
    def mostly_invalid_email(self) -> bool:
        """More than half of the filled values are not email addresses."""
        return self.filled > 0 and self.invalid_email / self.filled > MOSTLY


def column_health(values: Iterable[object]) -> ColumnHealth:
    """Count empty values and filled values that are not email addresses."""
    total = empty = invalid = 0
    for value in values:
        total += 1
        if is_empty(value):
            empty += 1
        elif not is_valid_email(value):
            invalid += 1
    return ColumnHealth(total, empty, invalid)


def health_by_column(
    columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> dict[str, ColumnHealth]:
    """:func:`column_health` of every column of ``rows`` (tuples in ``columns`` order)."""
    materialised = list(rows)
    return {
        column: column_health(row[index] for row in materialised)
        for index, column in enumerate(columns)
    }


def mapping_warnings(
    mapping: Mapping[str, str], health: Mapping[str, ColumnHealth]
) -> dict[str, str]:
    """SendGrid field -> one sentence, for each mapped column that looks wrong."""
    warnings: dict[str, str] = {}
    for field, column in mapping.items():
        found = health.get(column)
        if found is None or found.values == 0:
            continue
        empty_share = round(100 * found.empty / found.values)
        if found.mostly_empty:
            warnings[field] = (f"{column} is empty in {empty_share}% of the profiles looked at; "
                               "those contacts will have no "
                               f"{WRITABLE_FIELDS.get(field, field).lower()}.")
        elif field == "email" and found.mostly_invalid_email:
            invalid_share = round(100 * found.invalid_email / found.filled)
            warnings[field] = (f"{invalid_share}% of the values in {column} are not email "
                               "addresses; pick the column that holds emails.")
    return warnings


def preview_contact(mapping: Mapping[str, str], row: Mapping[str, object]) -> dict[str, str]:
    """The contact SendGrid would receive for ``row``: trimmed, email lower-cased, limits kept.

    Empty values are left out (SendGrid keeps what it has). The email is shown even when it
    is not valid, so the preview shows what would be rejected.
    """
    contact: dict[str, str] = {}
    for field in WRITABLE_FIELDS:
        column = mapping.get(field)
        if not column:
            continue
        value = row.get(column)
        if is_empty(value):
            continue
        text = str(value).strip()
        if field == "email":
            text = text.lower()
        limit = FIELD_LIMITS.get(field)
        if limit and field != "email" and len(text) > limit:
            text = text[:limit].rstrip()
        contact[field] = text
    return contact


def missing_required(mapping: Mapping[str, str]) -> list[str]:
    """Labels of the required fields ``mapping`` leaves unmapped (today: Email)."""
    from sgtui.workspace.model import REQUIRED_FIELDS

    return [MAPPABLE_FIELDS[field] for field in MAPPABLE_FIELDS
            if field in REQUIRED_FIELDS and not mapping.get(field)]

