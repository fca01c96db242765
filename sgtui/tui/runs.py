"""Starting runs from the app (placeholder until the progress-panel issue lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sgtui.tui.app import SgtuiApp


def start_run(app: SgtuiApp, export: str, *, full: bool = False) -> None:
    """Run ``export`` and show its progress."""
    app.notify(f"Running {export} from the app comes with the progress panel.", severity="warning")
