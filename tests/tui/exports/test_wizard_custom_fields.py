"""The wizard's Data matching step: more SendGrid fields and custom fields, against a sandbox."""

from __future__ import annotations

import re
import tomllib

import httpx
import pytest
from textual.widgets import Input, Select, SelectionList

from sgtui.export.engine import run_export
from sgtui.export.events import RunStatus
from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen
from sgtui.tui.widgets.export import CustomFieldsPart, FieldMappingTable, ListPicker
from sgtui.tui.widgets.export.custom_field_row import NEW_FIELD, CustomFieldRow
from sgtui.tui.wizard_keys import BACK
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType
from sgtui.workspace.secrets import KeyringSecrets
from tests.export.test_custom_fields_run import single_profiles
from tests.pilot_helpers import screen_plain_text
from tests.sandbox_search import contacts_by_email
from tests.tui.exports.conftest import (
    KEY,
    app_for,
    connection,
    mask_list_ids,
    next_step,
    problem_text,
    segments_counted,
    settle,
)
from tests.tui.exports.test_snapshots import SIZES
from tests.tui.exports.test_wizard import go_to_list_step, step_title

NUMBER, DATE, TEXT = CustomFieldType.NUMBER, CustomFieldType.DATE, CustomFieldType.TEXT


def create_field(sandbox, name: str, field_type: str) -> None:  # type: ignore[no-untyped-def]
    """A custom field that exists in the sandbox account before the wizard opens."""
    answer = httpx.post(f"{sandbox.base_url}/v3/marketing/field_definitions",
                        json={"name": name, "field_type": field_type},
                        headers={"Authorization": f"Bearer {KEY}"})
    answer.raise_for_status()


def part(app) -> CustomFieldsPart:  # type: ignore[no-untyped-def]
    return app.screen.query_one(CustomFieldsPart)


async def add_row(pilot) -> CustomFieldRow:  # type: ignore[no-untyped-def]
    """Unfold the custom fields (if folded) and press Add a custom field."""
    folded = pilot.app.screen.query_one("#custom-part")
    if folded.collapsed:
        await pilot.click("#custom-part CollapsibleTitle")
        await settle(pilot)
    await settle(pilot)  # the rows above may have grown since
    await pilot.click("#cf-add")
    await settle(pilot)
    return part(pilot.app).rows[-1]


def pick(row: CustomFieldRow, field: str, column: str) -> None:
    """Choose the existing ``field`` (or NEW_FIELD) and the profile ``column`` in ``row``."""
    row.query_one(".cf-field", Select).value = field if field == NEW_FIELD else f"field:{field}"
    row.query_one(".cf-column", Select).value = column


async def open_mapping_step(pilot, draft: ExportDraft) -> None:  # type: ignore[no-untyped-def]
    """The wizard on ``draft``, at its Data matching step, every worker done."""
    await pilot.pause()
    await pilot.press("e")
    pilot.app.push_screen(ExportWizardScreen(draft))
    await settle(pilot)
    await pilot.app.screen._show(3)
    await settle(pilot)


def draft_with(*custom: CustomFieldConfig) -> ExportDraft:
    return ExportDraft(name="spring-newsletter", connection="marketing",
                       list_id="LIST-ID-" + "x" * 28, list_name="Newsletter", list_checked=True,
                       segments=["high-value"], custom_fields=custom)


async def test_the_wizard_adds_an_existing_and_a_new_custom_field(make_workspace,
                                                                  sandbox) -> None:
    create_field(sandbox, "lifetime_value", "Number")
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to_list_step(pilot, "typed")
        picker = app.screen.query_one(ListPicker)
        newsletter = next(found for found in picker.lists if found.name == "Newsletter")
        app.screen.query_one("#list-select", Select).value = newsletter.id
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert "1 custom field in Marketing SendGrid" in str(
            app.screen.query_one("#cf-status").content)

        await pilot.click("#more-part CollapsibleTitle")
        await settle(pilot)
        app.screen.query_one("#more-fields", FieldMappingTable).set_field(
            "address_line_1", "city")

        existing = await add_row(pilot)
        pick(existing, "lifetime_value", "lifetime_value")
        await settle(pilot)
        assert existing.kind is NUMBER  # the account's type
        assert KEY not in app.export_screenshot()
        assert "is sent as" in str(existing.query_one(".cf-note").content)

        new = await add_row(pilot)
        pick(new, NEW_FIELD, "last_order_at")
        await settle(pilot)
        assert app.focused is new.query_one(".cf-name", Input)
        new.query_one(".cf-name", Input).value = "last_order"
        new.query_one(".cf-type", Select).value = "date"
        await settle(pilot)
        headers = [str(column.label) for column in
                   app.screen.query_one("#mapping-preview").columns.values()]
        assert headers[-2:] == ["lifetime_value", "last_order"]
        assert "address_line_1" in headers

        await next_step(pilot)
        assert step_title(app) == "Segments", problem_text(app)
        app.screen.query_one(SelectionList).select("high-value")
        await segments_counted(pilot)
        await next_step(pilot)
        await next_step(pilot)
        assert step_title(app) == "Review"
        review = " ".join(str(app.screen.query_one("#review-fields").content).split())
        # The account's fields were fetched on Data matching: the review knows which one a
        # run would create (lifetime_value exists already).
        assert "A real run would create the custom field last_order." in review
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportWizardScreen)

    saved = tomllib.loads(workspace.path.read_text())["exports"]["typed"]
    assert saved["custom_fields"] == {
        "lifetime_value": {"column": "lifetime_value", "type": "number"},
        "last_order": {"column": "last_order_at", "type": "date"},
    }
    assert saved["mapping"]["address_line_1"] == "city"

    reopened = Workspace.open(workspace.path.parent, user="alice")
    summary = await run_export(reopened, "typed", secrets=KeyringSecrets(),
                               on_event=lambda event: None)
    assert summary.status is RunStatus.SUCCEEDED, summary.sentence
    assert "Created the custom field last_order in SendGrid." in summary.sentence
    profiles = [(email, value, last_order) for _, email, value, last_order, _
                in single_profiles(reopened.source_path, 40) if last_order][:10]
    found = contacts_by_email(sandbox.base_url, KEY, [email for email, _, _ in profiles])
    assert len(found) == len(profiles) > 0
    for email, value, last_order in profiles:
        custom = found[email]["custom_fields"]
        assert custom["lifetime_value"] == value and isinstance(custom["lifetime_value"],
                                                               int | float)
        assert custom["last_order"] == last_order.replace(" ", "T") + "Z"


async def test_editing_shows_the_rows_and_keeps_them(make_workspace, sandbox) -> None:
    create_field(sandbox, "tier", "Text")
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with(
            CustomFieldConfig("tier", "tier", TEXT),
            CustomFieldConfig("ltv", "lifetime_value", NUMBER)))
        rows = part(app).rows
        assert not app.screen.query_one("#custom-part").collapsed
        assert [(row.choice, row.field_name, row.kind, row.column) for row in rows] == [
            ("tier", "tier", TEXT, "tier"), (NEW_FIELD, "ltv", NUMBER, "lifetime_value")]
        assert "Custom fields (2)" in screen_plain_text(app)
        await next_step(pilot)
        assert step_title(app) == "Segments"
        assert app.screen.draft.custom_fields == (
            CustomFieldConfig("tier", "tier", TEXT),
            CustomFieldConfig("ltv", "lifetime_value", NUMBER))
        await pilot.press(BACK)
        await settle(pilot)
        assert step_title(app) == "Data matching"
        assert [row.field_name for row in part(app).rows] == ["tier", "ltv"]


async def test_removing_a_row_drops_that_field(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with(
            CustomFieldConfig("ltv", "lifetime_value", NUMBER),
            CustomFieldConfig("tier", "tier", TEXT)))
        first = part(app).rows[0]
        await pilot.click(first.query_one(".cf-remove"))
        await settle(pilot)
        rows = part(app).rows
        assert [(row.number, row.field_name) for row in rows] == [(1, "tier")]
        assert "ltv" not in [str(column.label) for column in
                             app.screen.query_one("#mapping-preview").columns.values()]
        await next_step(pilot)
        assert app.screen.draft.custom_fields == (CustomFieldConfig("tier", "tier", TEXT),)


async def test_a_bad_name_shows_its_sentence_as_you_type(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with())
        row = await add_row(pilot)
        assert "Marketing has no custom fields yet: make a new one" in str(
            app.screen.query_one("#cf-status").content)
        pick(row, NEW_FIELD, "tier")
        await settle(pilot)
        await pilot.press("9", "l", "i", "v", "e", "s")
        note = row.query_one(".cf-note")
        assert str(note.content) == ("'9lives' starts with a digit; a custom field name starts "
                                     "with a letter or _.")
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert problem_text(app) == ("Custom field 1: '9lives' starts with a digit; a custom "
                                     "field name starts with a letter or _.")
        for _ in range(6):
            await pilot.press("backspace")
        await pilot.press(*"city")
        assert "reserved" in str(note.content)
        row.query_one(".cf-name", Input).value = "loyalty_tier"
        await settle(pilot)
        assert "is sent as" in str(note.content)
        await next_step(pilot)
        assert step_title(app) == "Segments"


@pytest.mark.parametrize(("rows", "sentence"), [
    ([("", None, TEXT)], "Custom field 1: pick an existing custom field or New custom field…"),
    ([("tier", None, TEXT)], "Custom field 1: pick the profile column that fills it."),
    ([("tier", "tier", TEXT), ("tier", "city", TEXT)],
     "Custom fields 1 and 2 both fill tier; keep one"),
    ([("Tier", "tier", TEXT), ("tier", "city", TEXT)],
     "Custom field 2: 'tier' and 'Tier' are the same field to SendGrid"),
])
async def test_incomplete_rows_and_duplicates_are_refused(make_workspace, sandbox, rows,
                                                          sentence) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with())
        for name, column, kind in rows:
            row = await add_row(pilot)
            if name:
                row.query_one(".cf-field", Select).value = NEW_FIELD
                row.query_one(".cf-name", Input).value = name
                row.query_one(".cf-type", Select).value = kind.value
            if column:
                row.query_one(".cf-column", Select).value = column
        await settle(pilot)
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert sentence in problem_text(app)


async def test_without_a_key_it_says_so_and_new_fields_still_work(make_workspace,
                                                                  sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url, export_users=()))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with())
        row = await add_row(pilot)
        status = str(app.screen.query_one("#cf-status").content)
        assert "so sgtui cannot read its custom fields" in status
        assert "You can still add new custom fields." in status
        options = [str(option[0]) for option in row.query_one(".cf-field", Select)._options]
        assert options[-1] == "New custom field…"
        assert KEY not in app.export_screenshot()


async def test_the_preview_shows_values_as_sent_and_left_out(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_mapping_step(pilot, draft_with(
            CustomFieldConfig("ltv", "lifetime_value", NUMBER),
            CustomFieldConfig("when", "last_order_at", DATE),
            CustomFieldConfig("tier_as_number", "tier", NUMBER)))
        preview = app.screen.query_one("#mapping-preview")
        info = app.screen.source_info
        first = dict(zip(info.columns, info.rows[0], strict=False))
        cells = [str(cell) for cell in preview.get_row_at(0)]
        assert cells[-3] == repr(first["lifetime_value"]).removesuffix(".0")
        assert cells[-2] in ("", first["last_order_at"].replace(" ", "T") + "Z")
        assert cells[-1] == "(left out)"
        note = app.screen.query_one("#preview-note")
        assert note.display and "(left out): a value SendGrid would refuse" in str(note.content)
        refused = part(app).rows[2].query_one(".cf-note")
        assert re.search(r"[\d,]+ of [\d,]+ values looked at would be left out \(e\.g\. "
                         r"'(gold|silver|bronze)' is not a number\)", str(refused.content))


@pytest.mark.parametrize("size", SIZES)
def test_custom_field_rows(size: tuple[int, int], make_workspace, sandbox,
                           snap_compare) -> None:
    create_field(sandbox, "tier", "Text")
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_mapping_step(pilot, draft_with(
            CustomFieldConfig("tier", "tier", TEXT),
            CustomFieldConfig("lifetime_value", "lifetime_value", NUMBER),
            CustomFieldConfig("9lives", "last_order_at", DATE)))
        app = pilot.app
        app.screen.query_one("#custom-part").scroll_visible(animate=False, top=True)
        await settle(pilot)
        mask_list_ids(app)
        await pilot.pause()

    assert snap_compare(app_for(workspace), terminal_size=size, run_before=run_before)


async def test_the_folded_parts_read_without_colour(make_workspace, sandbox,
                                                    monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mapping_step(pilot, draft_with())
        assert app.no_color
        text = screen_plain_text(app)
        assert "▶  More SendGrid fields" in text and "▶  Custom fields" in text
        app.screen.query_one("#custom-part CollapsibleTitle").focus()
        await settle(pilot)
        assert "▶ ▸Custom fields◂" in screen_plain_text(app)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_plain_text(app)
        assert "▼ ▸Custom fields◂" in text and "Add a custom field" in text


async def test_an_existing_field_of_another_type_is_filled_as_its_type(make_workspace,
                                                                       sandbox) -> None:
    create_field(sandbox, "tier", "Number")
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with(
            CustomFieldConfig("tier", "lifetime_value", TEXT)))
        row = part(app).rows[0]
        assert (row.choice, row.kind) == ("tier", NUMBER)
        assert str(row.query_one(".cf-note").content).startswith(
            "tier is a Number field in the account (this export said Text), so it is filled "
            "as one.")
        await next_step(pilot)
        assert app.screen.draft.custom_fields == (
            CustomFieldConfig("tier", "lifetime_value", NUMBER),)


async def test_a_custom_field_is_added_with_the_keyboard_alone(make_workspace,
                                                               sandbox) -> None:
    create_field(sandbox, "tier", "Text")
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mapping_step(pilot, draft_with())
        title = app.screen.query_one("#custom-part CollapsibleTitle")
        for _ in range(12):  # from the first dropdown, past the seven and More SendGrid fields
            if app.focused is title:
                break
            await pilot.press("tab")
        assert app.focused is title
        await pilot.press("enter", "tab")
        assert app.focused is app.screen.query_one("#cf-add")
        await pilot.press("enter")
        await settle(pilot)
        row = part(app).rows[0]
        assert app.focused is row.query_one(".cf-field")
        await pilot.press("enter", "down", "enter")  # the first option: tier · Text
        await settle(pilot)
        assert row.choice == "tier"
        assert app.focused is row.query_one(".cf-column")
        assert app.screen.source_info.columns[-1] == "tier"
        await pilot.press("enter", "end", "enter")
        await settle(pilot)
        assert row.config == CustomFieldConfig("tier", "tier", TEXT)
        await next_step(pilot)
        assert step_title(app) == "Segments"


@pytest.mark.parametrize(("column", "kind"), [
    ("lifetime_value", NUMBER), ("last_order_at", DATE), ("tier", TEXT)])
async def test_a_new_field_takes_the_columns_name_and_the_type_its_values_fit(
        make_workspace, sandbox, column, kind) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_mapping_step(pilot, draft_with())
        row = await add_row(pilot)
        pick(row, NEW_FIELD, column)
        await settle(pilot)
        assert row.config == CustomFieldConfig(column, column, kind)
        row.query_one(".cf-column", Select).value = "email"  # a typed name stays
        await settle(pilot)
        assert row.config == CustomFieldConfig(column, "email", kind)
