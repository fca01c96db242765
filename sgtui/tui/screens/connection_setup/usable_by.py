"""Step 2: who may use the connection for exports."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sgtui.tui.screens.connection_setup.base import SetupStep
from sgtui.tui.widgets.plain_marks import RadioButton, RadioSet
from sgtui.workspace.model import UsableBy

MEANINGS = {
    UsableBy.ADMINS: "only administrators can pick this connection for exports.",
    UsableBy.ADMINS_AND_CONTRIBUTORS: "contributors can pick it too, for the exports they "
    "define; they see its name and type, never the key.",
}


class UsableByStep(SetupStep):
    """Administrators (the default) or administrators and contributors."""

    STEP_TITLE = "Usable by"
    HEADING = "Who can use this connection for exports?"

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="usable-by", classes="tight"):
            for choice in UsableBy:
                yield RadioButton(choice.label, value=choice is self.draft.usable_by,
                                  id=f"usable-{choice.value.replace('_', '-')}")
        meaning = Content("")
        for choice in UsableBy:
            meaning += Content.styled(choice.label, "bold") + Content(f": {MEANINGS[choice]}\n")
        yield Static(meaning.rstrip(), classes="help")
        yield Static(Content("Only administrators set up, change or remove connections."),
                     classes="help")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#usable-by", RadioSet).focus()

    @on(RadioSet.Changed, "#usable-by")
    def _chosen(self) -> None:
        self.query_one("#setup-next").focus()  # so the next Enter goes on

    def on_key(self, event: events.Key) -> None:
        choices = self.query_one("#usable-by", RadioSet)
        # Enter on the option that is already chosen means "this one, go on".
        if (event.key == "enter" and choices.has_focus
                and choices._selected == choices.pressed_index):
            event.stop()
            event.prevent_default()
            self.action_next()

    def store(self) -> None:
        pressed = self.query_one("#usable-by", RadioSet).pressed_index
        self.draft.usable_by = list(UsableBy)[pressed] if pressed >= 0 else UsableBy.ADMINS
