"""Driving the connection set-up flow from tests, the way a user would."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, RadioButton, Static

from sgtui.tui.app import SgtuiApp
from sgtui.tui.screens.connection_setup.base import SetupStep


def step(app: SgtuiApp) -> SetupStep:
    """The step screen on top (fails clearly if the flow is not showing)."""
    screen = app.screen
    assert isinstance(screen, SetupStep), f"expected a set-up step, got {screen!r}"
    return screen


def step_title(app: SgtuiApp) -> str:
    """The current step's title, as the step indicator names it."""
    return step(app).STEP_TITLE


def text_of(app: SgtuiApp, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render()).strip()


def problem(app: SgtuiApp) -> str:
    """The sentence above the Back/Next buttons ("" when none is shown)."""
    line = app.screen.query_one("#setup-problem", Static)
    return "" if line.has_class("-empty") else str(line.render()).strip()


async def settle(app: SgtuiApp, pilot: Pilot) -> None:
    """Let workers finish and their messages arrive."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def next_step(app: SgtuiApp, pilot: Pilot) -> None:
    """Press Next (ctrl+n) and wait for the screen to change."""
    await pilot.press("ctrl+n")
    await pilot.pause()


async def fill_name(app: SgtuiApp, pilot: Pilot, name: str) -> None:
    """Step 1: type the display name (set directly: keypresses are slow)."""
    app.screen.query_one("#display-name", Input).value = name
    await pilot.pause()


async def choose_shared(app: SgtuiApp, pilot: Pilot) -> None:
    """Step 2: Administrators and contributors, with the keyboard."""
    await pilot.press("down", "enter")
    await pilot.pause()


async def fill_key(app: SgtuiApp, pilot: Pilot, key: str, base_url: str | None) -> None:
    """Step 3: the key, and (under Advanced) a custom base URL."""
    app.screen.query_one("#api-key", Input).value = key
    if base_url is not None:
        app.screen.query_one("#region-custom", RadioButton).value = True
        await pilot.pause()
        app.screen.query_one("#custom-url", Input).value = base_url
    await pilot.pause()


async def agree(app: SgtuiApp, pilot: Pilot) -> None:
    """Step 4: tick "I agree"."""
    app.screen.query_one("#consent-agree", Checkbox).value = True
    await pilot.pause()


async def walk_to_connect(app: SgtuiApp, pilot: Pilot, *, key: str, base_url: str,
                          name: str = "Marketing SendGrid") -> None:
    """From the connections screen, Add and go through steps 1-4 to the Connect step."""
    await pilot.press("a")
    await pilot.pause()
    await fill_name(app, pilot, name)
    await next_step(app, pilot)
    await next_step(app, pilot)
    await fill_key(app, pilot, key, base_url)
    await next_step(app, pilot)
    await agree(app, pilot)
    await next_step(app, pilot)
    await settle(app, pilot)
    assert step_title(app) == "Connect"


async def open_at_step(app: SgtuiApp, pilot: Pilot, title: str, *, key: str,
                       base_url: str, name: str = "Marketing SendGrid") -> None:
    """Open the connections screen and a new-connection flow at step ``title``, as if
    steps before it had been filled in (tests that are not about those steps save time)."""
    from sgtui.tui.screens.connection_setup import steps as all_steps
    from sgtui.tui.screens.connection_setup.draft import ConnectionDraft, Region
    from sgtui.tui.screens.connection_setup.flow import SetupFlow
    from sgtui.workspace.config import now_utc
    from sgtui.workspace.model import Consent
    from sgtui.workspace.secrets import ApiKey

    await pilot.press("c")
    await pilot.pause()
    order = [all_steps.NameStep, all_steps.UsableByStep, all_steps.ApiKeyStep,
             all_steps.ConsentStep, all_steps.ConnectStep, all_steps.ExportUserStep,
             all_steps.SaveStep]
    index = [s.STEP_TITLE for s in order].index(title)
    draft = ConnectionDraft.new()
    draft.display_name = name
    draft.name = app.workspace.unique_connection_name(name)
    draft.key = ApiKey(key)
    draft.region, draft.custom_url = Region.CUSTOM, base_url
    draft.consent = Consent(accepted_by=app.workspace.user, accepted_at=now_utc())
    flow = SetupFlow(app, draft, order)
    app.push_screen(flow.screen_for(index))
    await settle(app, pilot)
