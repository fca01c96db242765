"""The connections screen: the SendGrid connections this user may see, and (admins) set-up."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from sgtui.errors import CAUSE, sentence_for
from sgtui.tui.keys import bound_key
from sgtui.tui.screens.connection_setup.keys import stored_key
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.connection.confirm_remove import ConfirmRemoveModal, RemoveChoice
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button, DataTable
from sgtui.workspace import roles
from sgtui.workspace.config import Workspace, WorkspaceError
from sgtui.workspace.model import ConnectionConfig, UsableBy
from sgtui.workspace.roles import Role
from sgtui.workspace.secrets import ApiKey, SecretsError, account_name, user_key_file

SHORT_USABLE_BY = {UsableBy.ADMINS: "Admins",
                   UsableBy.ADMINS_AND_CONTRIBUTORS: "Admins + contributors"}
ADMIN_ACTIONS = {"add", "edit", "rename", "test", "remove", "add_me", "access"}


class ConnectionsScreen(OfSgtuiApp, Screen[None]):
    """Connections: a table, and for admins Add, Edit, Rename, Test, Remove, Add me, Access."""

    HELP = ('The SendGrid accounts sgtui exports to. Administrators set them up (a name, who may '
            'use it, the API key kept in the keyring, consent, a check of the key), rename them '
            '(the exports that use one keep working) and decide who is an administrator or '
            'contributor; the others see which connections they may use.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ConnectionsScreen #connections-table { height: 1fr; margin: 0 1; }
    ConnectionsScreen #connections-empty { height: 1fr; }
    ConnectionsScreen #connections-actions { height: auto; padding: 0 1; margin-top: 1; }
    ConnectionsScreen #connections-actions Button { width: auto; min-width: 8; margin-right: 1; }
    ConnectionsScreen #connections-status { height: auto; padding: 0 1; margin-top: 1; }
    ConnectionsScreen #connections-status.ok { color: $text-success; }
    ConnectionsScreen #connections-status.bad { color: $text-error; }
    ConnectionsScreen #connections-who { height: auto; padding: 0 1; margin-top: 1;
                                         color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="connections.back"),
        Binding("a", "add", "Add", id="connections.add"),
        Binding("enter", "edit", "Edit", id="connections.edit", show=False),
        Binding("r", "rename", "Rename", id="connections.rename"),
        Binding("t", "test", "Test", id="connections.test"),
        Binding("d,delete", "remove", "Remove", id="connections.remove"),
        Binding("u", "add_me", "Add me", id="connections.add-me"),
        Binding("m", "access", "Access", id="connections.access"),
        Binding("c", "noop", show=False, id="connections.here"),
    ]


    class ConnectionTested(Message):
        """A Test finished: ``ok`` with ``sentence`` saying what the key may do, or why not."""

        def __init__(self, ok: bool, sentence: str) -> None:
            super().__init__()
            self.ok, self.sentence = ok, sentence

    class ConnectionRenamed(Message):
        """A new display name was written to ``sgtui.toml``, or ``problem`` says why not."""

        def __init__(self, sentence: str, problem: str | None) -> None:
            super().__init__()
            self.sentence, self.problem = sentence, problem

    class ConnectionRemoved(Message):
        """A removal was written to ``sgtui.toml``, or ``problem`` says why not."""

        def __init__(self, sentence: str, problem: str | None) -> None:
            super().__init__()
            self.sentence, self.problem = sentence, problem

    # -- layout ----------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        """Whether this user sees the set-up actions."""
        return roles.can_manage_connections(self.app.workspace.role)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Connections", classes="screen-title")
        table: DataTable[Text] = DataTable(id="connections-table", cursor_type="row",
                                           zebra_stripes=True)
        yield table
        yield Static("", id="connections-empty", classes="empty-state")
        if self.is_admin:
            with Horizontal(id="connections-actions"):
                yield Button("Add", variant="primary", compact=True, id="action-add")
                yield Button("Edit", compact=True, id="action-edit")
                yield Button("Test", compact=True, id="action-test")
                yield Button("Remove", variant="error", compact=True, id="action-remove")
                yield Button("Add me as export user", compact=True, id="action-add_me")
                yield Button("Access", compact=True, id="action-access")
        else:
            yield Static(Content(roles.who_can("add, change, test or remove connections")),
                         id="connections-who")
        yield Static("", id="connections-status")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        self.title = "Connections"
        self.sub_title = self.app.workspace.role.label
        self.query_one(DataTable).focus()

    async def on_screen_resume(self) -> None:
        shows_actions = bool(self.query("#connections-actions"))
        if self.is_admin != shows_actions:
            await self.recompose()  # the role changed (an admin stepped down)
            self.query_one(DataTable).focus()
        self.fill_table()

    def visible_connections(self) -> list[ConnectionConfig]:
        """The connections this user may see: admins and viewers all, contributors shared."""
        role = self.app.workspace.role
        connections = list(self.app.workspace.connections.values())
        if role is Role.CONTRIBUTOR:
            connections = [c for c in connections if roles.can_use_connection(role, c)]
        return sorted(connections, key=lambda c: c.display_name.casefold())

    def fill_table(self) -> None:
        """(Re)build the table from the workspace, keeping the highlighted row."""
        table = self.query_one("#connections-table", DataTable)
        role = self.app.workspace.role
        keep = self.selected_name
        table.clear(columns=True)
        table.add_column("Name", key="name")
        if role is not Role.VIEWER:
            table.add_column("Type", key="type")
        if role is Role.ADMIN:
            table.add_column("Usable by", key="usable_by")
            table.add_column("Export users", key="export_users")
            table.add_column("Created", key="created")
        connections = self.visible_connections()
        for connection in connections:
            cells = [Text(connection.display_name)]
            if role is not Role.VIEWER:
                cells.append(Text("SendGrid" if connection.type == "sendgrid" else connection.type))
            if role is Role.ADMIN:
                cells.append(Text(SHORT_USABLE_BY[connection.usable_by]))
                cells.append(Text(", ".join(connection.export_users) or "none yet"))
                created = connection.created_at
                cells.append(Text(f"{created:%Y-%m-%d}" if created else "—"))
            table.add_row(*cells, key=connection.name)
        names = [c.name for c in connections]
        if keep in names:
            table.move_cursor(row=names.index(keep))
        table.display = bool(connections)
        for button in self.query("#connections-actions Button").results(Button):
            if button.id not in ("action-add", "action-access"):
                button.disabled = not connections
        self.query_one("#connections-empty", Static).update(Content(self._empty_text(role))
                                                             if not connections else "")
        self.query_one("#connections-empty").display = not connections

    def _empty_text(self, role: Role) -> str:
        if role is Role.ADMIN:
            return (f"No connection yet. Press {bound_key(self, 'connections.add')} (or Add) to "
                    "set up SendGrid: a name, who may use it, the API key, consent, a check, "
                    "and you as export user.")
        if role is Role.CONTRIBUTOR:
            return "No connection is shared with contributors yet."
        return "No connection yet."

    @property
    def selected_name(self) -> str | None:
        """The key of the highlighted connection, if any."""
        table = self.query_one("#connections-table", DataTable)
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # no row under the cursor
            return None

    def _selected(self) -> ConnectionConfig | None:
        name = self.selected_name
        connection = self.app.workspace.connections.get(name or "")
        if connection is None:
            self._status("Pick a connection first (there is none yet: press "
                         f"{bound_key(self, 'connections.add')} to add one).", ok=False)
        return connection

    def _status(self, sentence: str, *, ok: bool | None = None) -> None:
        status = self.query_one("#connections-status", Static)
        status.update(Content(sentence))
        status.set_classes("" if ok is None else ("ok" if ok else "bad"))

    # -- permissions -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ADMIN_ACTIONS:
            return self.is_admin
        return True

    @on(Button.Pressed, "#connections-actions Button")
    def _action_pressed(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("action-")
        getattr(self, f"action_{action}")()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        if self.is_admin:
            self.action_edit()

    # -- actions ---------------------------------------------------------------------------
    def action_noop(self) -> None:
        """Already here (shadows the app's "c")."""

    def action_add(self) -> None:
        """Set up a new connection."""
        from sgtui.tui.screens.connection_setup import add_connection

        self._status("")
        add_connection(self.app)

    def action_edit(self) -> None:
        """Change the highlighted connection."""
        from sgtui.tui.screens.connection_setup import edit_connection

        connection = self._selected()
        if connection is not None:
            self._status("")
            edit_connection(self.app, connection.name)

    def action_rename(self) -> None:
        """Give the highlighted connection another display name, in a small dialog."""
        from sgtui.tui.screens.connection_setup.name import MAX_NAME_LENGTH, display_name_problem
        from sgtui.tui.widgets.connection.rename import RenameConnectionModal

        connection = self._selected()
        if connection is None:
            return
        self._status("")

        def problem(display_name: str) -> str | None:
            return display_name_problem(self.app.workspace, display_name, connection.name)

        def chosen(display_name: str | None) -> None:
            if display_name is not None:
                self.rename_connection(connection, display_name)

        self.app.push_screen(RenameConnectionModal(connection, problem,
                                                   max_length=MAX_NAME_LENGTH), chosen)

    @work(thread=True, exclusive=True, group="rename-connection", exit_on_error=False)
    def rename_connection(self, connection: ConnectionConfig, display_name: str) -> None:
        """Write the new display name to ``sgtui.toml`` (its key, which exports use, stays)."""
        try:
            self.app.workspace.apply_and_save(
                lambda workspace: workspace.rename_connection(connection.name, display_name))
        except WorkspaceError as error:
            self.post_message(self.ConnectionRenamed("", error.sentence))
            return
        if connection.name not in self.app.workspace.connections:
            self.post_message(self.ConnectionRenamed("", (
                f"“{connection.display_name}” was not renamed: someone removed it from "
                "sgtui.toml meanwhile.")))
            return
        using = len(self.app.workspace.exports_using(connection.name))
        done = f"Renamed “{connection.display_name}” to “{display_name}”."
        if using:
            done += (f" Its {using} export{'s' if using != 1 else ''} still "
                     f"use{'' if using != 1 else 's'} it.")
        self.post_message(self.ConnectionRenamed(done, None))

    @on(ConnectionRenamed)
    def _renamed(self, event: ConnectionRenamed) -> None:
        self.fill_table()
        self._status(event.problem or event.sentence, ok=event.problem is None)

    def action_add_me(self) -> None:
        """Enter the key of the highlighted connection again, and become its export user."""
        from sgtui.tui.screens.connection_setup import add_me_as_export_user

        connection = self._selected()
        if connection is not None:
            self._status("")
            add_me_as_export_user(self.app, connection.name)

    def action_access(self) -> None:
        """Manage the workspace's admins and contributors."""
        from sgtui.tui.screens.access import AccessScreen

        self.app.push_screen(AccessScreen())

    def action_test(self) -> None:
        """Check the highlighted connection with this user's key."""
        connection = self._selected()
        if connection is not None:
            self._status(f"Testing “{connection.display_name}”…")
            self.test_connection(connection)

    @work(exclusive=True, group="test-connection", exit_on_error=False)
    async def test_connection(self, connection: ConnectionConfig) -> None:
        """Ask SendGrid what this user's key for ``connection`` may do."""
        from sgtui.sendgrid import REQUIRED_SCOPES, SendGridError, describe_scopes, missing_scopes

        name = connection.display_name
        try:
            key = await asyncio.to_thread(self._key_for, connection)
            if key is None:
                self.post_message(self.ConnectionTested(False, (
                    f"You have no key for “{name}” on this computer: add yourself as export "
                    "user (u), or set SGTUI_API_KEY.")))
                return
            async with self.app.sendgrid_for(connection, key) as client:
                scopes = await client.scopes()
        except (SendGridError, SecretsError) as error:
            self.post_message(self.ConnectionTested(False, f"“{name}”: {error.sentence}"))
        except Exception as error:  # nothing unexpected may end the app
            self.post_message(self.ConnectionTested(False, sentence_for(
                error, f"Testing “{name}” failed unexpectedly ({CAUSE}).")))
        else:
            missing = missing_scopes(scopes)
            if missing:
                self.post_message(self.ConnectionTested(False, (
                    f"“{name}” connects, but the key may not {describe_scopes(missing)}. "
                    "Create a key with Marketing read and write access and add yourself "
                    "as export user again (u).")))
            else:
                may = describe_scopes(REQUIRED_SCOPES, joiner="and")
                self.post_message(self.ConnectionTested(
                    True, f"✓ “{name}” works: the key may {may}."))

    def _key_for(self, connection: ConnectionConfig) -> ApiKey | None:
        return stored_key(self.app, connection.name)

    @on(ConnectionTested)
    def _tested(self, event: ConnectionTested) -> None:
        self._status(event.sentence, ok=event.ok)

    def action_remove(self) -> None:
        """Remove the highlighted connection, asking what to do with exports that use it."""
        connection = self._selected()
        if connection is None or self._refuse_while_running(connection):
            return
        exports = self.app.workspace.exports_using(connection.name)
        if exports:
            def chosen(choice: RemoveChoice | None) -> None:
                if choice is not None and not self._refuse_while_running(connection):
                    self.remove_connection(connection, choice)

            self.app.push_screen(ConfirmRemoveModal(connection, exports), chosen)
            return

        def confirmed(yes: bool | None) -> None:
            if yes and not self._refuse_while_running(connection):
                self.remove_connection(connection, None)

        self.app.push_screen(ConfirmModal(
            f"Remove “{connection.display_name}”?",
            "No export uses it. It leaves sgtui.toml and your key for it is forgotten on this "
            "computer; contacts already in SendGrid stay there.",
            "Remove", destructive=True), confirmed)

    def _refuse_while_running(self, connection: ConnectionConfig) -> bool:
        """Say so and return True when a run of an export using ``connection`` is going."""
        using = {export.name for export in self.app.workspace.exports_using(connection.name)}
        running = [handle.export for handle in self.app.runs.running()
                   if handle.export in using]
        if not running:
            return False
        names = ", ".join(running)
        self._status(f"“{connection.display_name}” is in use: {names} "
                     f"{'is' if len(running) == 1 else 'are'} running with it. Wait until the "
                     "run ends, or cancel it in its run panel, then remove the connection.",
                     ok=False)
        return True

    @work(thread=True, exclusive=True, group="remove-connection", exit_on_error=False)
    def remove_connection(self, connection: ConnectionConfig, choice: object) -> None:
        """Write the removal (and the exports' fate) to ``sgtui.toml``; forget my key."""
        exports = self.app.workspace.exports_using(connection.name)

        def change(workspace: Workspace) -> None:
            for export in exports:
                if choice is RemoveChoice.REMOVE_EXPORTS:
                    workspace.remove_export(export.name)
                else:
                    workspace.put_export(replace(export, connection=None))
            workspace.remove_connection(connection.name)

        try:
            self.app.workspace.apply_and_save(change)
        except WorkspaceError as error:
            self.post_message(self.ConnectionRemoved("", error.sentence))
            return
        self._forget_keys(connection.name)
        done = f"Removed “{connection.display_name}”."
        if exports and choice is RemoveChoice.REMOVE_EXPORTS:
            done += f" Removed {len(exports)} export{'s' if len(exports) != 1 else ''} too."
        elif exports:
            done += (f" {len(exports)} export{'s are' if len(exports) != 1 else ' is'} kept, "
                     "inactive until another connection is attached.")
        self.post_message(self.ConnectionRemoved(done, None))

    def _forget_keys(self, name: str) -> None:
        """Forget this user's key for connection ``name``: keyring and the chosen key file."""
        account = account_name(self.app.workspace.id, name)
        with contextlib.suppress(SecretsError):  # no keyring: nothing of ours is in it
            self.app.secrets.delete(account)
        file = user_key_file()
        if file.path.exists():
            with contextlib.suppress(OSError, ValueError):
                file.delete(account)

    @on(ConnectionRemoved)
    def _removed(self, event: ConnectionRemoved) -> None:
        self.fill_table()
        self._status(event.problem or event.sentence, ok=event.problem is None)
