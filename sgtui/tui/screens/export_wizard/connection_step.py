"""Step 1: the connection the export sends through, grouped under "SendGrid"."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from sgtui.tui.keys import bound_key
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.widgets.plain_marks import OptionList
from sgtui.workspace.model import ConnectionConfig, UsableBy
from sgtui.workspace.roles import Role, can_use_connection


class ConnectionStep(WizardStep):
    """Pick one of the connections this user may use."""

    DEFAULT_CSS = """
    ConnectionStep > OptionList { height: auto; max-height: 14; }
    ConnectionStep > #no-connections { height: auto; padding: 1 0; }
    """

    title = "Connection"
    help = "Which SendGrid account should receive the contacts?"

    def compose(self) -> ComposeResult:
        yield OptionList(id="connection-list")
        yield Static("", id="no-connections")

    def usable(self) -> list[ConnectionConfig]:
        """The connections this user may pick."""
        workspace = self.app.workspace
        return [connection for connection in workspace.connections.values()
                if can_use_connection(workspace.role, connection)]

    def enter(self, draft: ExportDraft) -> None:
        options = self.query_one(OptionList)
        usable = self.usable()
        options.clear_options()
        options.display = bool(usable)
        self.query_one("#no-connections", Static).update(
            Content("") if usable else Content(self._nobody_sentence()))
        if not usable:
            return
        options.add_option(Option(Content.styled("SendGrid", "bold"), disabled=True))
        for connection in sorted(usable, key=lambda c: c.display_name.lower()):
            prompt = Content("  ") + Content(connection.display_name)
            if connection.usable_by is UsableBy.ADMINS_AND_CONTRIBUTORS:
                prompt += Content.styled("  shared with contributors", "dim")
            if not connection.consent:
                prompt += Content.styled("  consent not given yet", "dim italic")
            options.add_option(Option(prompt, id=connection.name))
        wanted = draft.connection if draft.connection in {c.name for c in usable} else None
        index = options.get_option_index(wanted) if wanted else 1
        options.highlighted = index

    def leave(self, draft: ExportDraft) -> None:
        chosen = self.chosen
        if chosen and chosen != draft.connection:
            if draft.connection is not None:  # another account: its lists are other lists
                draft.list_id, draft.list_name, draft.list_checked = "", None, False
            draft.connection = chosen  # (a detached export keeps its list when attached)

    @property
    def chosen(self) -> str | None:
        """The highlighted connection's name."""
        options = self.query_one(OptionList)
        if not options.display or options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return option.id if not option.disabled else None

    def problem(self, draft: ExportDraft) -> str | None:
        if not self.usable():
            return self._nobody_sentence()
        if self.chosen is None:
            return "Pick a connection."
        return None

    def _nobody_sentence(self) -> str:
        from sgtui.tui.screens.export_wizard.screen import ExportWizardScreen

        workspace = self.app.workspace
        admins = ", ".join(workspace.access.admins) or "an administrator"
        if workspace.role is Role.ADMIN:
            if workspace.connections:
                return "No connection can be used."  # admins may use every connection
            leave = bound_key(self, "wizard.cancel", ExportWizardScreen)
            return ("There is no SendGrid connection yet, so there is nowhere to export to. "
                    f"Set one up first: press {leave}, then "
                    f"{bound_key(self, 'app.connections')} for Connections.")
        if workspace.connections:
            return ("No SendGrid connection is shared with contributors yet. An administrator "
                    f"({admins}) can share one: Connections, then 'Who may use it: "
                    "Administrators and contributors'.")
        return ("There is no SendGrid connection yet. An administrator of this workspace "
                f"({admins}) sets one up under Connections.")

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.wizard.action_next_step()
