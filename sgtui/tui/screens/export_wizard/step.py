"""What every step of the export wizard does: show the draft, check it, write it back.

Steps get what they need when they are entered (the draft and a :class:`StepContext`) and
report back with messages (:class:`WizardStep.NextRequested`); no step reads the wizard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.containers import VerticalScroll
from textual.message import Message

from sgtui.tui.sgtui_node import OfSgtuiApp

if TYPE_CHECKING:
    from sgtui.tui.screens.export_wizard.draft import ExportDraft
    from sgtui.tui.screens.export_wizard.source_info import SourceInfo
    from sgtui.workspace.config import Workspace


@dataclass(frozen=True, slots=True)
class StepContext:
    """What a step may need besides the draft, handed over each time it is entered."""

    workspace: Workspace
    source_info: SourceInfo | None
    """The customer data's columns, sample and segments; None while still being read."""
    profile_cap: int
    """The most profiles one export may send in this workspace."""


class WizardStep(OfSgtuiApp, VerticalScroll):
    """One step: ``title`` for the step indicator, ``help`` under it."""

    DEFAULT_CSS = """
    WizardStep { height: 1fr; padding: 0 1; }
    """

    title: ClassVar[str] = ""
    help: ClassVar[str] = ""

    class NextRequested(Message):
        """The user finished this step (Enter on a choice): the wizard goes on if it can."""

    _given: StepContext | None = None

    @property
    def context(self) -> StepContext:
        """What the wizard handed over when this step was last entered."""
        if self._given is None:
            raise RuntimeError(f"{type(self).__name__} was used before it was entered")
        return self._given

    def enter(self, draft: ExportDraft, context: StepContext) -> None:
        """Show ``draft``'s values (called each time the step is shown, and again when the
        wizard learns more, e.g. the customer data was read)."""
        self._given = context
        self.show(draft)

    def show(self, draft: ExportDraft) -> None:
        """Fill the step's widgets from ``draft`` and :attr:`context`."""

    def leave(self, draft: ExportDraft) -> None:
        """Write this step's values into ``draft`` (on Back and on Next)."""

    def problem(self, draft: ExportDraft) -> str | None:
        """Why the wizard cannot go on from this step, in one sentence; None when it can."""
        return None

    def request_next(self) -> None:
        """Ask the wizard to go on to the next step."""
        self.post_message(self.NextRequested())

    def focus_first(self) -> None:
        """Put the cursor where the user starts on this step."""
        focusable = [widget for widget in self.query("*") if widget.focusable]
        if focusable:
            focusable[0].focus()
