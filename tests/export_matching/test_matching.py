"""Pre-filling the field mapping from column names, and judging columns."""

from __future__ import annotations

import pytest

from sgtui.export.matching import (
    column_health,
    health_by_column,
    is_valid_email,
    mapping_warnings,
    missing_required,
    normalise,
    preview_contact,
    suggest_mapping,
)


def test_demo_columns_map_onto_every_field() -> None:
    columns = ["customer_id", "email", "first_name", "last_name", "country", "state", "city",
               "postal_code", "signup_date"]
    assert suggest_mapping(columns) == {
        "email": "email", "first_name": "first_name", "last_name": "last_name",
        "country": "country", "state_province_region": "state", "city": "city",
        "postal_code": "postal_code",
    }


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("EmailAddress", "email"), ("e_mail", "email"), ("E-Mail", "email"),
        ("given_name", "first_name"), ("FirstName", "first_name"), ("surname", "last_name"),
        ("zip", "postal_code"), ("postcode", "postal_code"), ("ZIP Code", "postal_code"),
        ("region", "state_province_region"), ("province", "state_province_region"),
        ("town", "city"), ("Country", "country"),
    ],
)
def test_common_column_names_are_recognised(column: str, field: str) -> None:
    assert suggest_mapping(["id", column]) == {field: column}


def test_unrelated_columns_stay_unmapped() -> None:
    assert suggest_mapping(["id", "lifetime_value", "signup_date", "notes"]) == {}


def test_a_column_is_used_once_and_exact_names_win() -> None:
    mapping = suggest_mapping(["mail", "email", "state", "region"])
    assert mapping["email"] == "email"
    assert mapping["state_province_region"] == "state"
    assert list(mapping.values()).count("state") == 1


def test_normalise_drops_case_and_punctuation() -> None:
    assert normalise("E-Mail Address") == "emailaddress"


@pytest.mark.parametrize("value", ["a@example.com", "  a.b+c@mail.example.net ", "Z@x.co.uk"])
def test_valid_emails(value: str) -> None:
    assert is_valid_email(value)


@pytest.mark.parametrize("value", [None, "", "not-an-email", "bob@", "@example.com",
                                   "name@@example.com", "000", "jane.doe@example",
                                   "two words@example.com"])
def test_invalid_emails(value: object) -> None:
    assert not is_valid_email(value)


def test_column_health_counts_empty_and_invalid() -> None:
    health = column_health(["a@example.com", "", None, "   ", "nope"])
    assert (health.values, health.empty, health.invalid_email) == (5, 3, 1)
    assert health.mostly_empty
    assert not health.mostly_invalid_email


def test_warnings_name_mostly_empty_and_mostly_invalid_columns() -> None:
    rows = [("x", None, "Ann"), ("y", None, "Bo"), ("z@example.com", "a", "Cy")]
    health = health_by_column(["contact", "town", "name"], rows)
    warnings = mapping_warnings(
        {"email": "contact", "city": "town", "first_name": "name"}, health
    )
    assert set(warnings) == {"email", "city"}
    assert "not email addresses" in warnings["email"]
    assert "town is empty in 67%" in warnings["city"]


def test_preview_shows_what_sendgrid_would_receive() -> None:
    mapping = {"email": "mail", "first_name": "given", "city": "town"}
    row = {"mail": "  Ann@Example.COM ", "given": " " + "A" * 60 + " ", "town": "   "}
    assert preview_contact(mapping, row) == {"email": "ann@example.com", "first_name": "A" * 50}


def test_email_is_the_required_field() -> None:
    assert missing_required({"first_name": "x"}) == ["Email"]
    assert missing_required({"email": "x"}) == []
