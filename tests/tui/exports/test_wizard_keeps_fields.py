"""Editing an export in the wizard keeps its custom fields and its other reserved fields."""

from __future__ import annotations

import tomllib
from dataclasses import replace

from sgtui.workspace.model import CustomFieldConfig, CustomFieldType
from tests.tui.exports.conftest import app_for, connection, next_step, settle
from tests.tui.exports.test_wizard import save_a_first_export


async def test_editing_keeps_custom_fields_and_more_sendgrid_fields(make_workspace,
                                                                    sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_a_first_export(pilot)
        custom = (CustomFieldConfig("lifetime_value", "lifetime_value", CustomFieldType.NUMBER),
                  CustomFieldConfig("tier", "tier", CustomFieldType.TEXT))

        def add_fields(ws) -> None:  # type: ignore[no-untyped-def]
            export = ws.exports["first"]
            ws.put_export(replace(export, mapping={**export.mapping, "address_line_1": "city"},
                                  custom_fields=custom))

        workspace.apply_and_save(add_fields)
        await pilot.press("e")
        await settle(pilot)
        for _ in range(6):
            await next_step(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = tomllib.loads(workspace.path.read_text())["exports"]["first"]
    assert saved["mapping"]["address_line_1"] == "city"
    assert saved["mapping"]["email"] == "email"
    assert saved["custom_fields"] == {
        "lifetime_value": {"column": "lifetime_value", "type": "number"},
        "tier": {"column": "tier", "type": "text"}}
