"""The exports screen: every export, searchable, and what can be done with each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from sgtui.export.wording import shown
from sgtui.tui.keys import bound_key, hint
from sgtui.tui.screens.export_words import custom_field_words, mapping_words
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import DataTable
from sgtui.workspace.config import WorkspaceError
from sgtui.workspace.model import ExportConfig, Schedule
from sgtui.workspace.roles import Role, can_create_exports, can_edit_export

if TYPE_CHECKING:
    from sgtui.export.events import RunSummary
    from sgtui.tui.screens.export_wizard import SavedExport
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ConnectionConfig

COLUMNS = ("Export", "Connection", "List", "Segments", "Schedule", "Last run")
KEPT_FIRST = ("Export", "Last run", "Schedule", "Connection", "List", "Segments")
"""The columns by what they are worth at a glance: a narrow terminal shows those that fit
whole, in this order (the details under the table show the rest for the selected export)."""
TABLE_GUTTER = 4
"""The table's margins and its vertical scrollbar: columns fit in the width left."""
CELL_PADDING = 2
"""A table cell's padding, one blank each side."""
EDITING_ACTIONS = {"new_export", "edit_export", "run_export", "run_full", "duplicate_export",
                   "toggle_schedule", "detach_connection", "remove_export", "run_scheduled"}
KEYS_HINT = (("exports.new", "new"), ("exports.edit", "edit"), ("exports.run", "run"),
             ("exports.run-full", "run full"), ("exports.duplicate", "duplicate"),
             ("exports.schedule", "schedule on/off"), ("exports.detach", "detach"),
             ("exports.remove", "remove"), ("exports.run-scheduled", "run all"),
             ("exports.search", "search"))
"""The line of keys under the title: binding id, then what it does (see tui/keys.py)."""
VIEWER_SENTENCE = ("You can look at the exports here; an administrator can make you a "
                   "contributor to define and run them.")


def last_run_text(summary: RunSummary | None, *, contacts: bool = True) -> str:
    """``succeeded · Nov 28 10:04 · 1,234 contacts`` (without the contacts when not
    ``contacts``), or ``never``."""
    if summary is None:
        return "never"
    when = summary.finished_at or summary.started_at
    stamp = when.astimezone().strftime("%b %d %H:%M") if isinstance(when, datetime) else ""
    status = str(getattr(summary.status, "value", summary.status))
    if summary.dry_run:
        status = f"dry run {status}"
    if not contacts:
        return f"{status} · {stamp}"
    return f"{status} · {stamp} · {summary.uploaded or summary.valid:,} contacts"


def read_last_runs(workspace: Workspace, names: list[str]) -> dict[str, tuple[str, str]]:
    """Each export's last run in words, for the details and for the table (blocking; a
    missing state database means never)."""
    if not workspace.state_path.exists():
        return dict.fromkeys(names, ("never", "never"))
    try:
        from sgtui.workspace.state import StateStore

        store = StateStore(workspace.state_path)
        runs = {name: store.last_run(name) for name in names}
    except Exception:  # an unreadable history must not hide the exports
        return dict.fromkeys(names, ("unknown (history unreadable)", "unknown"))
    return {name: (last_run_text(run), last_run_text(run, contacts=False))
            for name, run in runs.items()}


def column_widths(rows: list[list[str]]) -> list[int]:
    """The width of each of the COLUMNS: its heading or its longest value."""
    return [max([cell_len(heading), *(cell_len(row[index]) for row in rows)])
            for index, heading in enumerate(COLUMNS)]


def fitting_columns(rows: list[list[str]], width: int) -> list[int]:
    """The indexes of the COLUMNS to show in ``width`` cells: in the order of KEPT_FIRST,
    each column whose heading and values fit whole in what is left (the first always)."""
    widths = [cells + CELL_PADDING for cells in column_widths(rows)]
    shown: list[int] = []
    for heading in KEPT_FIRST:
        index = COLUMNS.index(heading)
        if not shown or sum(widths[i] for i in shown) + widths[index] <= width:
            shown.append(index)
    return sorted(shown)


class ExportsScreen(OfSgtuiApp, Screen[None]):
    """Every export with its connection, list, segments, schedule and last run."""

    HELP = ('Every export: which segments go to which SendGrid list, on which schedule, and how '
            "its last run went. Define, edit and run exports here; a run's panel opens on top and "
            'Escape comes back.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    ExportsScreen #exports-search { margin: 0 1; width: 1fr; max-width: 60; }
    ExportsScreen #exports-role { height: auto; padding: 0 1; color: $text-muted; }
    ExportsScreen #exports-table { height: 1fr; margin: 0 1; }
    ExportsScreen #exports-empty { height: auto; }
    ExportsScreen #exports-detail {
        height: auto; max-height: 8; margin: 0 1; padding: 0 1;
        border-top: solid $primary 40%;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="exports.back"),
        Binding("slash", "search", "Search", id="exports.search"),
        Binding("n", "new_export", "New", id="exports.new"),
        # e edits here although it is the Exports key everywhere else: here that key would
        # only reopen the screen you are on, so giving it to Edit hides nothing (Enter edits
        # too). Schedule on/off is on o, so s opens the Schedule screen as it does everywhere.
        Binding("e", "edit_export", "Edit", id="exports.edit"),
        # For viewers, whose Edit is hidden: e must not open a second exports screen.
        Binding("e", "nothing", show=False, id="exports.edit-viewer"),
        Binding("r", "run_export", "Run now", id="exports.run"),
        Binding("f", "run_full", "Run full", tooltip="Run full (send everything)",
                id="exports.run-full"),
        Binding("d", "duplicate_export", "Duplicate", id="exports.duplicate"),
        Binding("o", "toggle_schedule", "Schedule on/off", id="exports.schedule"),
        Binding("x", "detach_connection", "Detach", id="exports.detach"),
        Binding("delete", "remove_export", "Remove", id="exports.remove"),
        Binding("R", "run_scheduled", "Run all scheduled", id="exports.run-scheduled"),
    ]

    class LastRunsRead(Message):
        """The last run of every export was read from the state database, and the segments'
        names from the customer data (thread worker; no names when it cannot be read)."""

        def __init__(self, runs: dict[str, tuple[str, str]],
                     segment_names: dict[str, str] | None) -> None:
            super().__init__()
            self.runs, self.segment_names = runs, segment_names

    class Written(Message):
        """A change was written to ``sgtui.toml`` (thread worker), or ``problem`` says why not."""

        def __init__(self, done: str, problem: str | None) -> None:
            super().__init__()
            self.done, self.problem = done, problem

    class KeyChecked(Message):
        """Whether this session has a key for an export's connection (thread worker)."""

        def __init__(self, names: list[str], without_key: list[str], full: bool = False
                     ) -> None:
            super().__init__()
            self.names, self.without_key, self.full = names, without_key, full

    def __init__(self) -> None:
        super().__init__()
        self.last_runs: dict[str, str] = {}
        self.last_run_cells: dict[str, str] = {}
        """The last runs as the table says them (shorter than in the details)."""
        self.segment_names: dict[str, str] = {}
        """Segment id -> name; ids are shown as they are until (or unless) names are read."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Exports", classes="screen-title")
        yield Static("", id="exports-role")
        yield Input(placeholder="Search exports (name, connection, list, segment)",
                    id="exports-search", compact=True)
        table: DataTable[Text] = DataTable(id="exports-table", cursor_type="row",
                                           zebra_stripes=True)
        yield table
        yield Static("", id="exports-empty", classes="empty-state")
        yield Static("", id="exports-detail")
        yield FooterWithHelp()

    def on_mount(self) -> None:
        role = self.app.workspace.role
        self.query_one("#exports-role", Static).update(
            Content(VIEWER_SENTENCE) if role is Role.VIEWER else Content(hint(self, *KEYS_HINT)))
        self.refresh_rows()
        self.query_one("#exports-table", DataTable).focus()

    def action_nothing(self) -> None:
        """Do nothing (a key that is taken here, but not for this user)."""

    def on_screen_resume(self) -> None:
        """On first show and on coming back: paint first, read the last runs after."""
        self.refresh_rows()
        self.call_after_refresh(self.read_last_runs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Viewers: the editing keys are hidden and do nothing.
        return action not in EDITING_ACTIONS or can_create_exports(self.app.workspace.role)

    # -- rows ------------------------------------------------------------------------------
    def refresh_rows(self) -> None:
        """Show the exports that match the search, keeping the cursor on the same one."""
        workspace = self.app.workspace
        table = self.query_one("#exports-table", DataTable)
        selected = self.selected_name
        query = self.query_one("#exports-search", Input).value.strip().lower()
        exports = sorted(workspace.exports.values(), key=lambda export: export.name.lower())
        segment_names = self.segment_names
        connections = workspace.connections
        rows: list[tuple[str, list[str]]] = []
        for export in exports:
            cells = self._cells(export, segment_names, connections)
            if query and not any(query in cell.lower() for cell in [*cells, export.list_id]):
                continue
            rows.append((export.name, cells))
        all_cells = [cells for _, cells in rows]
        columns = fitting_columns(all_cells, self.app.size.width - TABLE_GUTTER)
        widths = column_widths(all_cells)
        table.clear(columns=True)
        for index in columns:  # widths given: the table's own measure comes a frame late
            table.add_column(COLUMNS[index], width=widths[index], key=COLUMNS[index].lower())
        for name, cells in rows:
            table.add_row(*(Text(cells[index]) for index in columns), key=name)
        shown = len(rows)
        empty = self.query_one("#exports-empty", Static)
        if not exports:
            empty.update(Content(f"No exports yet. Press {bound_key(self, 'exports.new')} to "
                                 "define one: which segments go to which SendGrid list."
                                 if can_create_exports(workspace.role) else "No exports yet."))
        elif not shown:
            empty.update(Content(f"No export matches {query!r}."))
        else:
            empty.update("")
        empty.display = not shown
        table.display = bool(shown)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._show_detail()

    def on_resize(self) -> None:
        """Show the columns that fit the new width."""
        self.refresh_rows()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        """Everything about the export under the cursor, below the table."""
        detail = self.query_one("#exports-detail", Static)
        export = self.app.workspace.exports.get(self.selected_name or "")
        detail.display = export is not None
        if export is None:
            return

        names = self.segment_names
        mapping = mapping_words(export)
        custom = custom_field_words(export)
        lines = [
            *([("Shown as", export.display_name)] if export.display_name else []),
            ("List", f"{export.list_name or '(name unknown)'}  ID {export.list_id}"),
            ("Segments", shown(", ".join(names.get(s, s) for s in export.segments))),
            ("Mapping", shown(mapping)),
            *([("Custom", custom)] if custom else []),
            ("Schedule", ("with every refresh" if export.schedule is Schedule.REFRESH
                          else "on demand only") + f", {export.mode.value} mode"),
            ("Last run", self.last_runs.get(export.name, "…")),
        ]
        workspace = self.app.workspace
        may_edit = can_edit_export(workspace.role, export, workspace.connections)
        if may_edit:
            lines.append(("Runs", hint(self, ("exports.run", "new and changed contacts only"),
                                       ("exports.run-full", "run full (send everything)"),
                                       between=": ")))
        elif workspace.role is Role.CONTRIBUTOR:
            lines.append(("", "Read-only for you: it uses a connection only administrators "
                              "may use."))
        content = Content("")
        for index, (label, value) in enumerate(lines):
            if index:
                content += Content("\n")
            content += Content.styled(f"{label:<10}", "bold") + Content(value)
        detail.update(content)

    def _cells(self, export: ExportConfig, segment_names: dict[str, str],
               connections: dict[str, ConnectionConfig]) -> list[str]:
        connection = connections.get(export.connection or "")
        if export.is_detached:
            where = "(detached)"
        elif connection is None:
            where = f"{export.connection} (missing)"
        else:
            where = connection.display_name
        # The list's whole ID is in the details; its name says which list it is.
        list_text = export.list_name or (
            export.list_id[:8] + "…" if len(export.list_id) > 9 else export.list_id)
        segments = ", ".join(segment_names.get(s, s) for s in export.segments)
        schedule = "every refresh" if export.schedule is Schedule.REFRESH else "on demand"
        if export.mode.value == "mirror":
            schedule += " · mirror"
        return [export.name, where, list_text, segments, schedule,
                self.last_run_cells.get(export.name, "…")]

    @property
    def selected_name(self) -> str | None:
        """The export under the cursor."""
        table = self.query_one("#exports-table", DataTable)
        if not table.row_count or not table.display:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(key.value) if key.value is not None else None

    @work(thread=True, exclusive=True, group="exports-last-runs", exit_on_error=False)
    def read_last_runs(self) -> None:
        """Read every export's last run, and segment names, off the UI thread."""
        workspace = self.app.workspace
        runs = read_last_runs(workspace, list(workspace.exports))
        names: dict[str, str] | None = None
        try:
            source = self.app.open_source()
            try:
                names = {segment.id: segment.name for segment in source.segments()}
            finally:
                source.close()
        except Exception:  # segment ids are shown as they are
            pass
        self.post_message(self.LastRunsRead(runs, names))

    def on_exports_screen_last_runs_read(self, event: LastRunsRead) -> None:
        self.last_runs = {name: words for name, (words, _) in event.runs.items()}
        self.last_run_cells = {name: cell for name, (_, cell) in event.runs.items()}
        if event.segment_names is not None:
            self.segment_names = event.segment_names
        self.refresh_rows()

    # -- search ----------------------------------------------------------------------------
    def action_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#exports-search", Input).focus()

    @on(Input.Changed, "#exports-search")
    def _search_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#exports-search")
    def _search_submitted(self) -> None:
        self.query_one("#exports-table", DataTable).focus()

    def action_back(self) -> None:
        """Leave the search box, or go back to the home screen."""
        search = self.query_one("#exports-search", Input)
        if search.has_focus:
            if search.value:
                search.value = ""
            self.query_one("#exports-table", DataTable).focus()
            return
        self.app.pop_screen()

    # -- actions ---------------------------------------------------------------------------
    def _editable(self, verb: str) -> ExportConfig | None:
        """The selected export if this user may change it; otherwise say why and None."""
        name = self.selected_name
        if name is None:
            self.notify("There is no export to " + verb + " yet.", markup=False)
            return None
        workspace = self.app.workspace
        export = workspace.exports.get(name)
        if export is None:
            return None
        if not can_edit_export(workspace.role, export, workspace.connections):
            self.notify(f"{name} uses a connection that only administrators may use, so you "
                        f"cannot {verb} it. Ask an administrator to share the connection with "
                        "contributors.", severity="warning", markup=False)
            return None
        return export

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if can_create_exports(self.app.workspace.role):
            self.action_edit_export()

    def action_new_export(self) -> None:
        """Open the wizard on a new export."""
        from sgtui.tui.screens.export_wizard import ExportWizardScreen

        self.app.push_screen(ExportWizardScreen(), self._wizard_done)

    def action_edit_export(self) -> None:
        """Open the wizard with the selected export's values."""
        from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen

        export = self._editable("edit")
        if export is not None:
            self.app.push_screen(ExportWizardScreen(ExportDraft.from_config(export)),
                                 self._wizard_done)

    def action_duplicate_export(self) -> None:
        """Open the wizard on a copy of the selected export (saved only when you save)."""
        from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen

        export = self._editable("duplicate")
        if export is None:
            return
        taken = set(self.app.workspace.exports)
        name, number = f"{export.name}-copy", 2
        while name in taken:
            name, number = f"{export.name}-copy-{number}", number + 1
        self.app.push_screen(ExportWizardScreen(ExportDraft.from_config(export, copy_as=name)),
                             self._wizard_done)

    def _wizard_done(self, saved: SavedExport | None) -> None:
        self.refresh_rows()
        if saved is None:
            return
        table = self.query_one("#exports-table", DataTable)
        if saved.name in table.rows:
            table.move_cursor(row=table.get_row_index(saved.name))
        if saved.run:
            self._run([saved.name])

    def action_toggle_schedule(self) -> None:
        """Switch the selected export between every refresh and on demand."""
        export = self._editable("schedule")
        if export is None:
            return
        on = export.schedule is not Schedule.REFRESH
        changed = replace(export, schedule=Schedule.REFRESH if on else Schedule.MANUAL)
        self.write(lambda ws: ws.put_export(changed),
                   f"{export.name} now runs with every refresh." if on
                   else f"{export.name} now runs on demand only.")

    def action_detach_connection(self) -> None:
        """Keep the selected export but detach its connection (it will not run)."""
        export = self._editable("detach")
        if export is None:
            return
        if export.is_detached:
            self.notify(f"{export.name} has no connection attached. Edit it to attach one.",
                        markup=False)
            return
        changed = replace(export, connection=None)

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(lambda ws: ws.put_export(changed),
                           f"Detached {export.name}; it will not run until a connection is "
                           "attached again (Edit).")

        self.app.push_screen(ConfirmModal(
            f"Detach {export.name} from its connection?",
            "The export is kept with its list, mapping and segments, but it will not run "
            "until you attach a connection again with Edit.", "Detach"), answered)

    def action_remove_export(self) -> None:
        """Remove the selected export, after asking."""
        export = self._editable("remove")
        if export is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(lambda ws: ws.remove_export(export.name), f"Removed {export.name}.")

        self.app.push_screen(ConfirmModal(
            f"Remove the export {export.name}?",
            "It is taken out of sgtui.toml. Its run history stays, and nobody is removed from "
            "the SendGrid list.", "Remove", destructive=True), answered)

    def action_run_export(self, full: bool = False) -> None:
        """Run the selected export now (new and changed contacts; ``full``: everyone)."""
        export = self._editable("run")
        if export is None:
            return
        if export.is_detached or export.connection not in self.app.workspace.connections:
            self.notify(f"{export.name} has no connection to run with. Edit it to attach one.",
                        severity="warning", markup=False)
            return
        self._run([export.name], full=full)

    def action_run_full(self) -> None:
        """Run the selected export sending every contact, changed or not."""
        self.action_run_export(full=True)

    def action_run_scheduled(self) -> None:
        """Run every scheduled export (what a refresh does), after asking."""
        workspace = self.app.workspace
        names = [e.name for e in workspace.exports.values()
                 if e.schedule is Schedule.REFRESH and not e.is_detached
                 and e.connection in workspace.connections
                 and can_edit_export(workspace.role, e, workspace.connections)]
        if not names:
            self.notify("No export is scheduled to run with every refresh.", markup=False)
            return
        count = f"{len(names)} scheduled export{'' if len(names) == 1 else 's'}"
        self.app.push_screen(
            ConfirmModal(f"Run {count} now?", ", ".join(names), "Run"),
            lambda yes: self._run(names) if yes else None)

    def _run(self, names: list[str], *, full: bool = False) -> None:
        self.check_keys(names, full)

    @work(thread=True, exclusive=True, group="exports-keys", exit_on_error=False)
    def check_keys(self, names: list[str], full: bool = False) -> None:
        """Find which exports this session has no key for (keyring access blocks)."""
        from sgtui.tui.screens.export_wizard.keys import key_for

        workspace = self.app.workspace
        without = [name for name in names
                   if key_for(workspace, workspace.exports[name].connection or "",
                              self.app.secrets) is None]
        self.post_message(self.KeyChecked(names, without, full))

    def on_exports_screen_key_checked(self, event: KeyChecked) -> None:
        workspace = self.app.workspace
        for name in event.names:
            if name not in event.without_key:
                self.app.start_run(name, full=event.full)
                continue
            export = workspace.exports[name]
            connection = workspace.connections[export.connection or ""]
            if workspace.user in connection.export_users:
                from sgtui.tui.screens.export_wizard.keys import no_key_sentence

                sentence = no_key_sentence(connection, what=f"run {name} from here",
                                           user=workspace.user)
            else:
                users = ", ".join(connection.export_users) or "none yet"
                when = ("It will run with the next refresh, or" if export.schedule is
                        Schedule.REFRESH else "It can run")
                sentence = (f"You have no API key for {connection.display_name}, so {name} "
                            f"cannot run from here. {when} when an export user ({users}) "
                            "runs it.")
            self.notify(sentence, severity="warning", timeout=10, markup=False)

    # -- writing sgtui.toml ----------------------------------------------------------------
    @work(thread=True, group="exports-write", exit_on_error=False)
    def write(self, change: Callable[[Workspace], None], done: str) -> None:
        """Apply ``change`` to the workspace and save ``sgtui.toml``."""
        try:
            self.app.workspace.apply_and_save(change)
        except WorkspaceError as error:
            self.post_message(self.Written(done, error.sentence))
        else:
            self.post_message(self.Written(done, None))

    def on_exports_screen_written(self, event: Written) -> None:
        self.refresh_rows()
        if event.problem:
            self.notify(event.problem, severity="error", markup=False)
        else:
            self.notify(event.done, markup=False)

