"""Driving the app through the demo journey like a new user (pilot keys, pasted text)."""

from __future__ import annotations

from pilot_helpers import until
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, SelectionList

from sgtui.tui.app import SgtuiApp


async def settle(app: SgtuiApp, pilot: Pilot) -> None:
    """Let the screen's own workers finish (runs excepted) and the screen redraw."""
    for worker in list(app.workers):
        if worker.group != "runs" and worker.is_running:
            await worker.wait()
    await pilot.pause()


async def paste(app: SgtuiApp, pilot: Pilot, text: str) -> None:
    """What a terminal paste into the focused input does."""
    app.focused.insert_text_at_cursor(text)  # type: ignore[union-attr]
    await pilot.pause()


async def set_up_connection(app: SgtuiApp, pilot: Pilot, name: str, key: str) -> None:
    """Connections > Add: name, usable by, key, consent, connect, export user, save."""
    await pilot.press("c", "a")
    await settle(app, pilot)
    await paste(app, pilot, name)
    for _ in range(2):  # name, usable by (the default: administrators)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    await paste(app, pilot, key)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("space", "ctrl+n")  # tick the consent
    await settle(app, pilot)
    await until(pilot, lambda: "Connected" in app.export_screenshot())
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("enter")  # Add me as export user
    await settle(app, pilot)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("ctrl+n")  # Save
    await settle(app, pilot)
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await pilot.pause()


async def define_export(app: SgtuiApp, pilot: Pilot, name: str, list_name: str,
                        segments: list[str]) -> None:
    """Exports > New: connection, name, list, mapping (pre-filled), segments, schedule, save."""
    await pilot.press("e", "n")
    await settle(app, pilot)
    wizard = app.screen
    options = wizard.query_one("#connection-list", OptionList)
    options.focus()
    options.highlighted = next(i for i, o in enumerate(options.options) if not o.disabled)
    await pilot.press("enter", "ctrl+n")
    await settle(app, pilot)
    wizard.query_one("#export-name", Input).focus()
    await paste(app, pilot, name)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    lists = wizard.query_one("#list-select", Select)
    await until(pilot, lambda: any(str(label).startswith(list_name) for label, _ in lists._options))
    lists.value = next(v for label, v in lists._options if str(label).startswith(list_name))
    await pilot.press("ctrl+n")  # to the mapping
    await settle(app, pilot)
    await pilot.press("ctrl+n")  # to the segments
    await settle(app, pilot)
    picker = wizard.query_one("#segment-list", SelectionList)
    await until(pilot, lambda: picker.option_count > 0)
    for segment in segments:
        picker.select(segment)
    counted = wizard.query_one("#segment-picker")
    await until(pilot, lambda: not counted.counting and counted.emails is not None)
    await pilot.press("ctrl+n", "ctrl+n")  # schedule (default), review
    await settle(app, pilot)
    await pilot.press("ctrl+s")
    await settle(app, pilot)
