"""What every step of the export wizard does: show the draft, check it, write it back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.containers import VerticalScroll

from sgtui.tui.sgtui_node import OfSgtuiApp

if TYPE_CHECKING:
    from sgtui.tui.screens.export_wizard.draft import ExportDraft
    from sgtui.tui.screens.export_wizard.screen import ExportWizardScreen


class WizardStep(OfSgtuiApp, VerticalScroll):
    """One step: ``title`` for the step indicator, ``help`` under it."""

    DEFAULT_CSS = """
    WizardStep { height: 1fr; padding: 0 1; }
    """

    title: ClassVar[str] = ""
    help: ClassVar[str] = ""

    @property
    def wizard(self) -> ExportWizardScreen:
        """The wizard screen this step belongs to."""
        return self.screen  # type: ignore[return-value]

    def enter(self, draft: ExportDraft) -> None:
        """Show ``draft``'s values (called each time the step is shown)."""

    def leave(self, draft: ExportDraft) -> None:
        """Write this step's values into ``draft`` (on Back and on Next)."""

    def problem(self, draft: ExportDraft) -> str | None:
        """Why the wizard cannot go on from this step, in one sentence; None when it can."""
        return None

    def focus_first(self) -> None:
        """Put the cursor where the user starts on this step."""
        focusable = [widget for widget in self.query("*") if widget.focusable]
        if focusable:
            focusable[0].focus()
