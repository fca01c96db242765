"""The exports screen's details: an export's custom fields, each with its type and column."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from sgtui.workspace.model import CustomFieldConfig, CustomFieldType, ExportConfig
from tests.tui.exports.conftest import app_for, connection, settle

FIELDS = (
    CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
    CustomFieldConfig("last_order", "last_order_at", CustomFieldType.DATE),
)


def details(app) -> str:  # type: ignore[no-untyped-def]
    """The details under the table, as one line of words."""
    return " ".join(str(app.screen.query_one("#exports-detail", Static).render()).split())


async def test_details_list_the_custom_fields_with_type_and_column(make_workspace) -> None:
    workspace = make_workspace(connection("marketing", "http://127.0.0.1:9"))
    for name, custom in (("plain", ()), ("valued", FIELDS)):
        workspace.put_export(ExportConfig(
            name=name, connection="marketing", list_id="list-1", segments=("high-value",),
            mapping={"email": "email", "address_line_1": "street"}, custom_fields=custom))
    workspace.save()
    app = app_for(workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("e")
        await settle(pilot)
        assert "Custom" not in details(app)  # "plain", first
        assert "Email ← email, Address line 1 ← street" in details(app)
        app.screen.query_one("#exports-table", DataTable).move_cursor(row=1)
        await pilot.pause()
        assert ("Custom lifetime_value (number) ← lifetime_value, last_order (date) ← "
                "last_order_at") in details(app)
