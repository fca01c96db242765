"""Custom fields and the extra reserved fields in sgtui.toml: read, written, and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.source.demo import generate_demo_database
from sgtui.workspace.config import Workspace
from sgtui.workspace.fields import field_name_problem
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType

BASE = """\
version = 1

[access]
admins = ["alice"]

[source]
type = "sqlite"
path = "customers.db"

[connections.marketing]
type = "sendgrid"
display_name = "Marketing SendGrid"
export_users = ["alice"]
consent = { accepted_by = "alice", accepted_at = 2026-11-28T10:00:00Z }

[exports.spring]
connection = "marketing"
list_id = "6b1a3b7c"
segments = ["high-value"]

[exports.spring.mapping]
email = "email"
address_line_1 = "city"

# what marketing segments on
[exports.spring.custom_fields]
lifetime_value = { column = "lifetime_value", type = "number" }
signed_up = { column = "signup_date", type = "date" }
tier = { column = "first_name", type = "text" }
"""


@pytest.fixture(scope="module")
def customers_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_database(tmp_path_factory.mktemp("data") / "customers.db", 50, seed=3)


def workspace_with(tmp_path: Path, text: str, customers_db: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir(exist_ok=True)
    (folder / "sgtui.toml").write_text(text)
    (folder / "customers.db").write_bytes(customers_db.read_bytes())
    return folder


def check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--workspace", str(folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_custom_fields_are_read_in_order_with_their_types(tmp_path, customers_db) -> None:
    workspace = Workspace.open(workspace_with(tmp_path, BASE, customers_db), user="alice")
    export = workspace.exports["spring"]
    assert export.custom_fields == (
        CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
        CustomFieldConfig("signed_up", "signup_date", CustomFieldType.DATE),
        CustomFieldConfig("tier", "first_name", CustomFieldType.TEXT),
    )
    assert export.mapping["address_line_1"] == "city"


def test_a_good_file_with_custom_and_more_fields_passes_check(tmp_path, customers_db,
                                                              capsys) -> None:
    code, err = check(workspace_with(tmp_path, BASE, customers_db), capsys)
    assert code == 0, err


def test_saving_keeps_comments_and_writes_changed_custom_fields(tmp_path, customers_db) -> None:
    from dataclasses import replace

    folder = workspace_with(tmp_path, BASE, customers_db)
    workspace = Workspace.open(folder, user="alice")
    export = workspace.exports["spring"]
    changed = replace(export, custom_fields=(
        CustomFieldConfig("tier", "last_name", CustomFieldType.TEXT),
        CustomFieldConfig("last_order", "signup_date", CustomFieldType.DATE),
    ))
    workspace.apply_and_save(lambda ws: ws.put_export(changed))
    text = (folder / "sgtui.toml").read_text()
    assert "# what marketing segments on" in text
    assert 'last_order = {column = "signup_date", type = "date"}' in text.replace(
        "{ ", "{").replace(" }", "}")
    assert "lifetime_value" not in text
    again = Workspace.open(folder, user="alice").exports["spring"]
    assert again.custom_fields == changed.custom_fields


BROKEN = [
    ("unknown-type", BASE.replace('type = "number"', 'type = "money"'),
     "exports.spring.custom_fields.lifetime_value: the type 'money' is unknown; "
     'use "number" or "date" or "text".'),
    ("unknown-column", BASE.replace('column = "signup_date"', 'column = "signed"'),
     "exports.spring.custom_fields.signed_up: the profiles table has no column 'signed'"),
    ("starts-with-digit", BASE.replace("tier =", '"1tier" ='),
     "'1tier' starts with a digit"),
    ("bad-characters", BASE.replace("tier =", '"loyalty-tier" ='),
     "'loyalty-tier' holds characters SendGrid refuses; use letters, digits and underscores"),
    ("reserved", BASE.replace("tier =", "created_at ="),
     "'created_at' is one of SendGrid's reserved fields"),
    ("too-long", BASE.replace("tier =", "t" * 101 + " ="),
     "a custom field name has at most 100 characters"),
    ("also-mapped", BASE.replace("tier =", "address_line_1 ="),
     "exports.spring.custom_fields.address_line_1: 'address_line_1' is also under mapping"),
    ("same-but-case", BASE.replace("tier =", "Lifetime_Value ="),
     "'Lifetime_Value' and 'lifetime_value' are the same field to SendGrid"),
    ("no-column", BASE.replace('tier = { column = "first_name", type = "text" }',
                               'tier = { type = "text" }'),
     "exports.spring.custom_fields.tier: needs a column"),
    ("unknown-reserved", BASE.replace('address_line_1 = "city"', 'external_id = "city"'),
     "exports.spring.mapping.external_id: 'external_id' is not a SendGrid field sgtui maps"),
]


@pytest.mark.parametrize(("case", "text", "sentence"), BROKEN, ids=[c[0] for c in BROKEN])
def test_check_explains_each_broken_custom_field(tmp_path, customers_db, capsys, case, text,
                                                 sentence) -> None:
    code, err = check(workspace_with(tmp_path, text, customers_db), capsys)
    assert code == 2
    assert sentence in err


@pytest.mark.parametrize("name", ["tier", "_private", "LTV_2026", "a" * 100, "Tier9"])
def test_names_sendgrid_takes(name: str) -> None:
    assert field_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "9lives", "has space", "dash-ed", "émoji", "a" * 101,
                                  "email", "First_Name", "phone_number_id", "ünïcode"])
def test_names_sendgrid_refuses(name: str) -> None:
    assert field_name_problem(name)
