"""Below 80x24 a short notice covers the app; at 80x24 the app comes back as it was."""

from __future__ import annotations

from pathlib import Path

from sgtui.tui.app import make_app
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.home import HomeScreen
from sgtui.tui.screens.too_small import TooSmallScreen
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import MemorySecrets
from tests.pilot_helpers import screen_plain_text


async def test_a_small_terminal_gets_a_notice_and_the_app_comes_back(tmp_path: Path) -> None:
    app = make_app(Workspace.create(tmp_path / "ws", user="alice"), secrets=MemorySecrets())
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = " ".join(screen_plain_text(app).split())
        assert "Make the terminal at least 80x24 to use sgtui (it is 70x20 now)." in text
        await pilot.press("e")  # nothing opens under the notice
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert "(it is 79x30 now)" in " ".join(screen_plain_text(app).split())

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportsScreen)
        await pilot.resize_terminal(100, 10)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, ExportsScreen)
