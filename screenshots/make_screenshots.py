"""Regenerate the README's screenshots from the demo: ``python screenshots/make_screenshots.py``.

It starts the same playground ``sgtui demo`` starts (demo data, a sandbox SendGrid on
loopback, keys in memory), drives the app with Textual's pilot like a new user would
(home, each connection step, each wizard step, the progress panel mid-run, the summary,
history, then the demo's own export with custom fields: its review and its run) and saves
an SVG of each screen here, plus a PNG when ``rsvg-convert`` is there.
A step whose screen cannot be driven is reported and skipped; the rest still run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from sgtui.commands.demo import demo_session
from sgtui.tui.app import SgtuiApp

HERE = Path(__file__).resolve().parent
SIZE = (100, 30)
CONNECTION_NAME = "Demo SendGrid"
EXPORT_NAME = "newsletter"
SEGMENTS = ("newsletter-optin", "high-value")


class Shooter:
    """Saves numbered screenshots of the app as SVG (and PNG)."""

    def __init__(self, app: SgtuiApp, folder: Path, png: bool) -> None:
        self.app, self.folder, self.png = app, folder, png
        self.saved: list[str] = []

    def __call__(self, name: str) -> None:
        svg = self.folder / f"{name}.svg"
        self.app.save_screenshot(svg.name, str(self.folder))
        self.saved.append(svg.name)
        if self.png:
            to_png(svg)


def to_png(svg: Path) -> None:
    """Convert with rsvg-convert; spaces are made plain first (it drops leading NBSPs)."""
    text = svg.read_text(encoding="utf-8").replace("&#160;", " ")
    text = text.replace("<svg ", '<svg xml:space="preserve" ', 1)
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8") as plain:
        plain.write(text)
        plain.flush()
        subprocess.run(["rsvg-convert", plain.name, "-o", str(svg.with_suffix(".png"))],
                       check=True)


async def settle(app: SgtuiApp, pilot: Pilot, seconds: float = 0.3) -> None:
    """Let workers finish (runs excepted) and the screen redraw."""
    for worker in list(app.workers):
        if worker.group != "runs" and worker.is_running:
            await worker.wait()
    await pilot.pause(seconds)


async def until(pilot: Pilot, condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait (redrawing) until ``condition`` holds."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise TimeoutError("the app never got there")


def offers_cancel(app: SgtuiApp) -> bool:
    """Whether the footer still shows the run panel's Cancel key (it goes once the run's end
    reached the screen)."""
    from textual.widgets._footer import FooterKey

    return any(key.action == "cancel_run" for key in app.screen.query(FooterKey))


async def type_text(app: SgtuiApp, pilot: Pilot, text: str) -> None:
    """What pasting into the focused input does."""
    focused = app.focused
    if focused is not None and hasattr(focused, "insert_text_at_cursor"):
        focused.insert_text_at_cursor(text)
    else:
        await pilot.press(*text)
    await pilot.pause()


async def connection_steps(app: SgtuiApp, pilot: Pilot, shot: Shooter, key: str) -> None:
    """Connections, then the seven steps of setting one up, with the demo key."""
    await pilot.press("c")
    await settle(app, pilot)
    shot("02-connections-empty")
    await pilot.press("a")
    await settle(app, pilot)
    await type_text(app, pilot, CONNECTION_NAME)
    shot("03-connection-1-name")
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    shot("04-connection-2-usable-by")
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await type_text(app, pilot, key)
    shot("05-connection-3-api-key")
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("space")
    await settle(app, pilot)
    shot("06-connection-4-consent")
    await pilot.press("ctrl+n")
    await settle(app, pilot, 0.8)
    shot("07-connection-5-connect")
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    shot("08-connection-6-export-user")
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    shot("09-connection-7-saved")
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await settle(app, pilot)


async def wizard_steps(app: SgtuiApp, pilot: Pilot, shot: Shooter) -> None:
    """Exports, then the export wizard step by step, saved without running."""
    from textual.widgets import Input, Select, SelectionList

    await pilot.press("e")
    await settle(app, pilot)
    shot("10-exports")
    await pilot.press("n")
    await settle(app, pilot, 0.5)
    wizard = app.screen
    await pick_a_connection(app, pilot)
    await settle(app, pilot)
    shot("11-wizard-1-connection")
    await next_step(app, pilot)
    wizard.query_one("#export-name", Input).focus()
    await type_text(app, pilot, EXPORT_NAME)
    shot("12-wizard-2-name")
    await next_step(app, pilot)
    lists = wizard.query_one("#list-select", Select)
    await until(pilot, lambda: any(label == "Newsletter" or str(label).startswith("Newsletter")
                                   for label, _ in lists._options))
    lists.value = next(value for label, value in lists._options
                       if str(label).startswith("Newsletter"))
    await settle(app, pilot)
    shot("13-wizard-3-list")
    await next_step(app, pilot)
    shot("14-wizard-4-mapping")
    await next_step(app, pilot, 0.8)
    segments = wizard.query_one("#segment-list", SelectionList)
    await until(pilot, lambda: segments.option_count > 0)
    for segment in SEGMENTS:
        segments.select(segment)
    counted = wizard.query_one("#segment-picker")
    await until(pilot, lambda: not counted.counting and counted.emails is not None)
    await settle(app, pilot)
    shot("15-wizard-5-segments")
    await next_step(app, pilot)
    shot("16-wizard-6-schedule")
    await next_step(app, pilot)
    shot("17-wizard-7-review")
    await pilot.press("ctrl+s")
    await settle(app, pilot, 0.5)
    if EXPORT_NAME not in app.workspace.exports:
        raise RuntimeError("the wizard did not save the export")
    shot("18-exports-list")


async def pick_a_connection(app: SgtuiApp, pilot: Pilot) -> None:
    """The wizard's first step: choose the first usable connection."""
    from textual.widgets import OptionList

    options = app.screen.query_one("#connection-list", OptionList)
    options.focus()
    options.highlighted = next(i for i, o in enumerate(options.options) if not o.disabled)
    await pilot.press("enter")


async def next_step(app: SgtuiApp, pilot: Pilot, seconds: float = 0.4) -> None:
    """The wizard's Next (ctrl+n)."""
    await pilot.press("ctrl+n")
    await settle(app, pilot, seconds)


def configure_export(app: SgtuiApp, sandbox) -> None:  # type: ignore[no-untyped-def]
    """The export the wizard would save, written directly (when the wizard cannot be driven)."""
    from sgtui.workspace.model import ExportConfig

    newsletter = next(item for item in sandbox_lists(sandbox) if item["name"] == "Newsletter")
    connection = next(iter(app.workspace.connections))
    app.workspace.put_export(ExportConfig(
        name=EXPORT_NAME, connection=connection, list_id=newsletter["id"], segments=SEGMENTS,
        mapping={"email": "email", "first_name": "first_name", "last_name": "last_name",
                 "country": "country", "city": "city"},
        list_name="Newsletter",
    ))
    app.workspace.save()


def sandbox_lists(sandbox) -> list[dict]:  # type: ignore[no-untyped-def]
    import httpx

    key = next(iter(sandbox.api_keys))
    answer = httpx.get(f"{sandbox.base_url}/v3/marketing/lists",
                       headers={"Authorization": f"Bearer {key}"})
    return answer.json()["result"]


async def run_steps(app: SgtuiApp, pilot: Pilot, shot: Shooter) -> None:
    """Run the export: the panel mid-run, its summary, then history."""
    from sgtui.tui.screens.exports import ExportsScreen

    if isinstance(app.screen, ExportsScreen):
        await pilot.press("r")  # Run now, as a user would
        await pilot.pause()
    if not app.runs:
        app.start_run(EXPORT_NAME)
    handle = app.runs.latest()
    await until(pilot, lambda: handle.state.uploaded > 0 and handle.state.pending_batches > 0)
    await pilot.pause(1.2)
    shot("20-run-mid-run")
    await until(pilot, lambda: not handle.running and not offers_cancel(app), seconds=120)
    await pilot.pause(0.5)
    shot("21-run-summary")
    await pilot.press("escape")
    await pilot.press("h")
    await settle(app, pilot)
    shot("22-history")


async def custom_fields_steps(app: SgtuiApp, pilot: Pilot, shot: Shooter) -> None:
    """The demo's own export: attached with Edit, its review (custom fields counted), run."""
    from textual.widgets import DataTable

    from sgtui.commands.demo import DEMO_EXPORT

    await pilot.press("e")
    await settle(app, pilot)
    table = app.screen.query_one("#exports-table", DataTable)
    table.move_cursor(row=table.get_row_index(DEMO_EXPORT.name))
    await pilot.press("e")  # Edit: the wizard, at the connection
    await settle(app, pilot, 0.5)
    wizard = app.screen
    await pick_a_connection(app, pilot)
    for step in range(6):  # name, list, data matching, segments, schedule, review
        await next_step(app, pilot, 0.6)
        if step == 1:  # data matching: the export's custom fields, unfolded
            wizard.step.query_one("#custom-part").scroll_visible(animate=False, top=True)
            await settle(app, pilot)
            shot("23-wizard-custom-fields-matching")
    wizard.step.scroll_end(animate=False)
    await settle(app, pilot)
    shot("24-wizard-custom-fields-review")
    await pilot.press("ctrl+s")
    await settle(app, pilot, 0.5)
    runs = len(app.runs)
    await pilot.press("r")
    await until(pilot, lambda: len(app.runs) > runs and not app.runs.latest().running
                and not offers_cancel(app), seconds=120)
    await pilot.pause(0.5)
    shot("25-run-custom-fields-summary")


async def make(folder: Path, profiles: int, png: bool) -> list[str]:
    """Drive the demo and save every screenshot into ``folder``; the names saved."""
    # A relative folder, so the pictures show "demo-workspace" rather than a temporary path.
    os.chdir(tempfile.mkdtemp(prefix="sgtui-shots-"))
    problems: list[str] = []
    with demo_session(Path("demo-workspace"), profiles=profiles, seed=7) as session:
        app = session.make_app()
        shot = Shooter(app, folder, png)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            shot("01-home")
            steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("connection", lambda: connection_steps(app, pilot, shot, session.info.api_key)),
                ("wizard", lambda: wizard_steps(app, pilot, shot)),
            ]
            for name, step in steps:
                try:
                    await step()
                except Exception as error:  # report and carry on with the rest
                    problems.append(f"{name}: {type(error).__name__}: {error}")
                    while len(app.screen_stack) > 1:
                        app.pop_screen()
                    await pilot.pause()
            if not app.workspace.connections:
                problems.append("no connection was saved; the run screenshots are skipped")
            else:
                if EXPORT_NAME not in app.workspace.exports:
                    configure_export(app, session.sandbox)
                    await pilot.press("e")
                    await settle(app, pilot)
                await run_steps(app, pilot, shot)
                try:
                    await custom_fields_steps(app, pilot, shot)
                except Exception as error:  # report; the others are saved
                    problems.append(f"custom fields: {type(error).__name__}: {error}")
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return shot.saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=40_000)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    args.out = args.out.resolve()
    png = shutil.which("rsvg-convert") is not None
    for old in args.out.glob("[0-9][0-9]-*.*"):
        if re.fullmatch(r"\d\d-[\w-]+\.(svg|png)", old.name):
            old.unlink()
    saved = asyncio.run(make(args.out, args.profiles, png))
    print(f"{len(saved)} screenshots in {args.out}" + ("" if png else " (SVG only)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
