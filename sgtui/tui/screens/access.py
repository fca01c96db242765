"""Access: administrators manage the workspace's admins and contributors."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button, DataTable
from sgtui.workspace import roles
from sgtui.workspace.config import WorkspaceError
from sgtui.workspace.model import Access
from sgtui.workspace.roles import Role

_USER_NAME = re.compile(r"^[A-Za-z0-9._@-][A-Za-z0-9._@$-]{0,63}$")
ROLE_WORDS = (
    "Administrators set up connections and manage access; contributors define and run "
    "exports on shared connections; everyone else can only look."
)


def with_role(access: Access, user: str, role: Role) -> Access:
    """``access`` with ``user`` given ``role`` (a viewer is listed nowhere)."""
    admins = [name for name in access.admins if name != user]
    contributors = [name for name in access.contributors if name != user]
    if role is Role.ADMIN:
        admins.append(user)
    elif role is Role.CONTRIBUTOR:
        contributors.append(user)
    return Access(admins=tuple(admins), contributors=tuple(contributors))


class AccessScreen(OfSgtuiApp, Screen[None]):
    """Who is an administrator or a contributor of this workspace (by OS user name)."""

    HELP = ('Who may do what in this workspace: administrators set up connections and manage '
            'access, contributors define and run exports on shared connections, everyone else may '
            'look.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    AccessScreen #access-help { height: auto; padding: 0 1; color: $text-muted; }
    AccessScreen #access-table { height: 1fr; margin: 1 1 0 1; }
    AccessScreen #access-form { height: auto; padding: 0 1; }
    AccessScreen #access-user { width: 1fr; max-width: 26; }
    AccessScreen #access-form Button { width: auto; min-width: 8; margin: 1 0 0 1; }
    AccessScreen #access-form-label { padding: 0 1; margin-top: 1; height: 1; }
    AccessScreen #access-status { height: auto; padding: 0 1; margin-top: 1; }
    AccessScreen #access-status.bad { color: $text-error; }
    AccessScreen #access-status.ok { color: $text-success; }
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="access.back")]

    class AccessSaved(Message):
        """``sgtui.toml`` was written with new access, or ``problem`` says why not."""

        def __init__(self, sentence: str, problem: str | None, user: str | None = None) -> None:
            super().__init__()
            self.sentence, self.problem, self.user = sentence, problem, user

    @property
    def is_admin(self) -> bool:
        """Whether this user may change access."""
        return roles.can_manage_connections(self.app.workspace.role)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Access", classes="screen-title")
        yield Static(Content(ROLE_WORDS), id="access-help")
        yield DataTable(id="access-table", cursor_type="row", zebra_stripes=True)
        if self.is_admin:
            yield Static("Give a user (their login name on this computer) a role:",
                         id="access-form-label")
            with Horizontal(id="access-form"):
                yield Input(placeholder="OS user name", id="access-user")
                yield Button("Make admin", compact=True, id="make-admin")
                yield Button("Make contributor", compact=True, id="make-contributor")
                yield Button("Remove access", variant="error", compact=True, id="make-viewer")
        else:
            yield Static(Content(roles.who_can("change who is an administrator or a "
                                               "contributor")), id="access-help-who")
        yield Static("", id="access-status")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        self.title = "Access"
        self.sub_title = self.app.workspace.role.label
        self.fill_table()
        (self.query_one("#access-user") if self.is_admin else self.query_one(DataTable)).focus()

    def fill_table(self, focus: str | None = None) -> None:
        """(Re)build the table from ``[access]``, highlighting ``focus`` if listed."""
        table = self.query_one("#access-table", DataTable)
        table.clear(columns=True)
        table.add_column("User", key="user")
        table.add_column("Role", key="role")
        access = self.app.workspace.access
        me = self.app.workspace.user
        listed: list[str] = []
        for role, names in ((Role.ADMIN, access.admins), (Role.CONTRIBUTOR, access.contributors)):
            for name in names:
                label = f"{name} (you)" if name == me else name
                table.add_row(Text(label), Text(role.label), key=f"{role.value}:{name}")
                listed.append(name)
        if focus in listed:
            table.move_cursor(row=listed.index(focus))

    @on(DataTable.RowHighlighted, "#access-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.is_admin and event.row_key.value:
            self.query_one("#access-user", Input).value = event.row_key.value.split(":", 1)[1]

    @on(Button.Pressed, "#access-form Button")
    def _change(self, event: Button.Pressed) -> None:
        role = {"make-admin": Role.ADMIN, "make-contributor": Role.CONTRIBUTOR,
                "make-viewer": Role.VIEWER}[event.button.id or ""]
        self.change(self.query_one("#access-user", Input).value.strip(), role)

    def change(self, user: str, role: Role) -> None:
        """Give ``user`` ``role``, refusing what would lock everyone out."""
        if not self.is_admin:
            return
        if not _USER_NAME.match(user):
            self._status("Enter the OS user name (their login name on this computer).", ok=False)
            return
        access = self.app.workspace.access
        changed = with_role(access, user, role)
        if not changed.admins:
            self._status("A workspace needs at least one administrator: make someone else "
                         "an administrator first.", ok=False)
            return
        if changed == access:
            self._status(f"{user} is already {self._as(role)}.")
            return
        if user == self.app.workspace.user and role is not Role.ADMIN:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.save_access(changed, f"You are now {self._as(role)}.", user)

            self.app.push_screen(ConfirmModal(
                "Stop being an administrator?",
                "You will no longer be able to set up connections or change access; another "
                "administrator would have to give it back.", "Step down", destructive=True),
                answered)
            return
        self.save_access(changed, f"{user} is now {self._as(role)}.", user)

    @staticmethod
    def _as(role: Role) -> str:
        return {Role.ADMIN: "an administrator", Role.CONTRIBUTOR: "a contributor",
                Role.VIEWER: "a viewer (listed nowhere)"}[role]

    @work(thread=True, exclusive=True, group="save-access", exit_on_error=False)
    def save_access(self, access: Access, sentence: str, user: str) -> None:
        """Write ``[access]`` to ``sgtui.toml``."""
        try:
            self.app.workspace.apply_and_save(lambda workspace: workspace.set_access(access))
        except WorkspaceError as error:
            self.post_message(self.AccessSaved("", error.sentence))
        else:
            self.post_message(self.AccessSaved(sentence, None, user))

    @on(AccessSaved)
    def _saved(self, event: AccessSaved) -> None:
        self.fill_table(focus=event.user)
        self._status(event.problem or event.sentence, ok=event.problem is None)
        if event.problem is None and not self.is_admin:
            self.app.pop_screen()  # stepped down: the set-up screens are not theirs any more

    def _status(self, sentence: str, *, ok: bool | None = None) -> None:
        status = self.query_one("#access-status", Static)
        status.update(Content(sentence))
        status.set_classes("" if ok is None else ("ok" if ok else "bad"))
