"""Import CSV: pick a file, look at its first rows and columns, load it into the SQLite source."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Header, Input, Static

from sgtui.errors import CAUSE, sentence_for
from sgtui.export.wording import MISSING
from sgtui.source.csv_import import (
    CsvImportError,
    CsvPreview,
    ImportResult,
    describe_key,
    import_csv,
    preview_csv,
    stored_key_column,
)
from sgtui.tui.keys import bound_key
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.footer import FooterWithHelp
from sgtui.tui.widgets.plain_marks import Button, DataTable, DirectoryTree, Select
from sgtui.workspace.roles import IMPORT_ACTION, can_import_profiles, who_can

PREVIEW_ROWS = 5
NO_SEGMENTS = MISSING


class PathSuggester(Suggester):
    """Completes the path typed so far with the first matching file or folder."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = Path(value).expanduser()
        folder, prefix = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(
                entry.name + ("/" if entry.is_dir() else "")
                for entry in folder.iterdir()
                if entry.name.startswith(prefix) and not entry.name.startswith(".")
                and (entry.is_dir() or entry.suffix.lower() in (".csv", ".txt"))
            )
        except OSError:
            return None
        return value + names[0][len(prefix):] if names else None


class PathInput(Input):
    """The path field: Tab takes the completion shown (then moves on when there is none)."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def action_complete(self) -> None:
        """Take the suggested completion, or move to the next field when none is shown."""
        if self._suggestion and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


def _shortest(path: Path) -> Path:
    """``path`` relative to the working folder when it lies inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except (OSError, ValueError):
        return path


class CsvFileTree(DirectoryTree):
    """Folders and CSV files only."""

    def filter_paths(self, paths):  # type: ignore[no-untyped-def]
        return [path for path in paths if not path.name.startswith(".")
                and (path.is_dir() or path.suffix.lower() in (".csv", ".txt"))]


class CsvImportScreen(OfSgtuiApp, Screen[None]):
    """Load profiles and segment memberships from a CSV file into the workspace's SQLite data."""

    HELP_TITLE = "Import CSV"
    HELP = ("Loading customer profiles from a CSV file into this workspace's database: pick the "
            'file, look at the preview, then import.')
    """What the screen is for, as its help (? or F1) says."""

    DEFAULT_CSS = """
    CsvImportScreen #import-body { padding: 0 1; }
    CsvImportScreen #csv-path { margin-bottom: 0; }
    CsvImportScreen #import-columns { height: 1fr; }
    CsvImportScreen #csv-tree { width: 24; border: round $primary 50%; }
    CsvImportScreen #csv-tree:focus { border: round $primary; }
    CsvImportScreen #import-side { padding-left: 1; }
    CsvImportScreen #csv-preview { height: 7; border: round $primary 50%; }
    CsvImportScreen #csv-preview:focus { border: round $primary; }
    CsvImportScreen #import-options { height: auto; }
    CsvImportScreen #import-options Select { width: 1fr; }
    CsvImportScreen #import-options .option-label { width: auto; padding: 1 1 0 1; }
    CsvImportScreen #import-status { height: auto; max-height: 4; }
    CsvImportScreen #import-status.-problem { color: $error; }
    CsvImportScreen #import-status.-done { color: $success; }
    CsvImportScreen #import-run { margin-top: 0; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="import.back"),
        Binding("ctrl+r", "run_import", "Import", id="import.run"),
    ]

    class PreviewLoaded(Message):
        """The chosen file's layout and first rows were read (or could not be)."""

        def __init__(self, path: Path, preview: CsvPreview | None, problem: str | None) -> None:
            super().__init__()
            self.path, self.preview, self.problem = path, preview, problem

    class ImportProgressed(Message):
        """Some rows were written (inside the not yet committed transaction)."""

        def __init__(self, rows: int) -> None:
            super().__init__()
            self.rows = rows

    class CsvImported(Message):
        """The import committed."""

        def __init__(self, result: ImportResult) -> None:
            super().__init__()
            self.result = result

    class CsvImportFailed(Message):
        """Nothing was imported; ``sentence`` says why."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or Path.cwd()
        self.preview: CsvPreview | None = None
        self.path: Path | None = None
        self.existing_key: str | None = None
        self.importing = False

    @property
    def may_import(self) -> bool:
        """Whether the current user's role lets them import (administrators only)."""
        return can_import_profiles(self.app.workspace.role)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer Import only to those who may import."""
        return action != "run_import" or self.may_import

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import-body"):
            yield Static("Import CSV", classes="screen-title")
            if self.may_import:
                yield from self._chooser()
            else:
                yield Static(Content(who_can(IMPORT_ACTION)), id="import-status")
        yield FooterWithHelp()

    def _chooser(self) -> ComposeResult:
        yield PathInput(placeholder="Path to a .csv file (Tab completes, Enter previews)",
                        suggester=PathSuggester(), id="csv-path")
        with Horizontal(id="import-columns"):
            yield CsvFileTree(self.start, id="csv-tree")
            with Vertical(id="import-side"):
                table: DataTable[Text] = DataTable(id="csv-preview", zebra_stripes=True)
                table.border_title = "First rows"
                yield table
                with Horizontal(id="import-options"):
                    yield Static("Key", classes="option-label")
                    yield Select[str]([], prompt="Key column", id="key-column")
                    yield Static("Segments", classes="option-label")
                    yield Select[str]([], prompt="Segments column", id="segments-column")
                yield Static(self._intro(), id="import-status")
                yield Button("Import", id="import-run", variant="primary", disabled=True)

    def on_mount(self) -> None:
        if self.may_import:
            self.query_one("#csv-path", Input).focus()

    def _intro(self) -> Content:
        if self.app.workspace.source.type != "sqlite":
            return Content("This workspace reads its customer data from PostgreSQL; CSV import "
                           "loads the SQLite source of another workspace.")
        return Content("Pick a CSV file: a header row, comma or semicolon separated, UTF-8. "
                       "A 'segments' column may list segment names, like newsletter;vip.")

    # -- choosing a file -------------------------------------------------------------------
    @on(Input.Submitted, "#csv-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.load_preview(Path(event.value.strip()).expanduser())

    @on(DirectoryTree.FileSelected, "#csv-tree")
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#csv-path", Input).value = str(_shortest(event.path))
        self.load_preview(event.path)

    @work(thread=True, exclusive=True, group="csv-preview", exit_on_error=False)
    def load_preview(self, path: Path) -> None:
        """Read the file's layout and first rows off the UI thread."""
        try:
            if not path.is_file():
                raise CsvImportError(f"There is no file {path}.")
            self.existing_key = stored_key_column(self.app.workspace.source_path)
            preview = preview_csv(path, limit=PREVIEW_ROWS, existing_key=self.existing_key)
        except Exception as error:  # an odd file must not end the app
            self.post_message(self.PreviewLoaded(
                path, None, sentence_for(error, f"sgtui cannot read {path} ({CAUSE}).")))
        else:
            self.post_message(self.PreviewLoaded(path, preview, None))

    def on_csv_import_screen_preview_loaded(self, event: PreviewLoaded) -> None:
        self.path, self.preview = event.path, event.preview
        table = self.query_one("#csv-preview", DataTable)
        table.clear(columns=True)
        key_select = self.query_one("#key-column", Select)
        segments_select = self.query_one("#segments-column", Select)
        if event.preview is None:
            key_select.set_options([])
            segments_select.set_options([])
            self._status(event.problem or "", "-problem")
            self._update_button()
            return
        layout = event.preview.layout
        table.add_columns(*(Text(name) for name in layout.columns))
        for row in event.preview.rows:
            cells = [Text(cell.replace("\n", " ⏎ ")) for cell in row[: len(layout.columns)]]
            cells += [Text("")] * (len(layout.columns) - len(cells))
            table.add_row(*cells)
        with self.prevent(Select.Changed):
            key_select.set_options([(name, name) for name in layout.columns])
            key_select.value = layout.key_column
            segments_select.set_options([(NO_SEGMENTS, NO_SEGMENTS)]
                                        + [(name, name) for name in layout.columns])
            segments_select.value = layout.segments_column or NO_SEGMENTS
        self._layout_status(layout.key_column)
        self._update_button()

    @on(Select.Changed, "#key-column")
    def key_changed(self, event: Select.Changed) -> None:
        if self.preview is not None and isinstance(event.value, str) and not self.importing:
            self._layout_status(event.value)

    def _layout_status(self, key: str) -> None:
        """What the file looks like and, before importing, which column holds the key."""
        if self.preview is None or self.path is None:
            return
        layout = self.preview.layout
        separator = "semicolons" if layout.delimiter == ";" else "commas"
        stored = self.existing_key if self.existing_key not in (None, key) else None
        shape = f"{self.path.name}: {len(layout.columns)} columns separated by {separator}."
        if stored is not None and stored in layout.columns:
            self._status(f"{shape} This workspace identifies profiles by {stored!r}, and the "
                         f"file has that column: pick {stored!r} as the key column.", "-problem")
            return
        self._status(f"{shape} {describe_key(key, stored)} Check the key and segments "
                     "columns, then Import.", "")

    # -- importing -------------------------------------------------------------------------
    def _update_button(self) -> None:
        ready = (self.preview is not None and not self.importing
                 and self.app.workspace.source.type == "sqlite")
        self.query_one("#import-run", Button).disabled = not ready

    @on(Button.Pressed, "#import-run")
    def import_pressed(self) -> None:
        self.action_run_import()

    def action_run_import(self) -> None:
        """Import the previewed file with the chosen columns."""
        if self.preview is None or self.path is None or self.importing or not self.may_import:
            return
        if self.app.workspace.source.type != "sqlite":
            self._status(self._intro().plain, "-problem")
            return
        key = self.query_one("#key-column", Select).value
        segments = self.query_one("#segments-column", Select).value
        self.importing = True
        self._update_button()
        self._status(f"Importing {self.path.name}…", "")
        self.run_import(self.path, key if isinstance(key, str) else None,
                        segments if isinstance(segments, str) and segments != NO_SEGMENTS
                        else None)

    @work(thread=True, exclusive=True, group="csv-import", exit_on_error=False)
    def run_import(self, path: Path, key: str | None, segments_column: str | None) -> None:
        """Load the file in one transaction, off the UI thread."""
        try:
            result = import_csv(
                path, self.app.workspace.source_path, key=key, segments_column=segments_column,
                on_progress=lambda rows: self.post_message(self.ImportProgressed(rows)))
        except Exception as error:  # nothing half-imported: the transaction rolled back
            self.post_message(self.CsvImportFailed(sentence_for(
                error, "The import stopped on an unexpected problem ({cause}); "
                "nothing was imported.")))
        else:
            self.post_message(self.CsvImported(result))

    def on_csv_import_screen_import_progressed(self, event: ImportProgressed) -> None:
        if self.importing and self.path is not None:
            self._status(f"Importing {self.path.name}… {event.rows:,} rows read", "")

    def on_csv_import_screen_csv_imported(self, event: CsvImported) -> None:
        self.importing = False
        self._update_button()
        self._status(f"{event.result.summary()} Press {bound_key(self, 'import.back')} to go "
                     "back.", "-done")
        self.notify(event.result.summary(), title="CSV imported")
        for screen in self.app.screen_stack:
            refresh = getattr(screen, "summarise_data", None)
            if callable(refresh):
                refresh()

    def on_csv_import_screen_csv_import_failed(self, event: CsvImportFailed) -> None:
        self.importing = False
        self._update_button()
        self._status(event.sentence, "-problem")

    def _status(self, text: str, state: str) -> None:
        status = self.query_one("#import-status", Static)
        status.update(Content(text))
        status.set_class(state == "-problem", "-problem")
        status.set_class(state == "-done", "-done")
