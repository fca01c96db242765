"""The custom fields an export fills: rows of field and column, the account's fields fetched
from SendGrid in a worker, "Add a custom field", and the checks before the wizard goes on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from sgtui.errors import sentence_for
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.export.custom_field_row import CustomFieldRow, first_upper
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType

if TYPE_CHECKING:
    from sgtui.sendgrid.models import FieldDefinitions
    from sgtui.workspace.model import ConnectionConfig
    from sgtui.workspace.secrets import ApiKey


class CustomFieldsPart(OfSgtuiApp, Vertical):
    """Rows of custom fields. :meth:`load` shows an export's rows and fetches the account's
    custom fields (``GET /v3/marketing/field_definitions``) with this user's key; without a
    key, or when SendGrid cannot be reached, it says so and new fields can still be added.
    """

    DEFAULT_CSS = """
    CustomFieldsPart { height: auto; }
    CustomFieldsPart #cf-status { height: auto; color: $text-muted; margin-bottom: 1; }
    CustomFieldsPart #cf-status.-problem { color: $error; }
    CustomFieldsPart #cf-rows { height: auto; margin-bottom: 1; }
    CustomFieldsPart #cf-add { min-width: 20; }
    """

    class Changed(Message):
        """A row was added, removed or changed."""

    class KeyFound(Message):
        """This user's key for the connection was looked up (in a thread)."""

        def __init__(self, connection: str, key: ApiKey | None) -> None:
            super().__init__()
            self.connection, self.key = connection, key

    class FieldsFetched(Message):
        """The account's custom fields arrived (name -> type, and the definitions as
        SendGrid gave them), or why they did not."""

        def __init__(self, connection: str, fields: dict[str, CustomFieldType] | None,
                     problem: str | None, definitions: FieldDefinitions | None = None) -> None:
            super().__init__()
            self.connection, self.fields, self.problem = connection, fields, problem
            self.definitions = definitions

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.connection: ConnectionConfig | None = None
        self.existing: dict[str, CustomFieldType] | None = None
        """The account's custom fields sgtui can fill, once fetched."""
        self.definitions: FieldDefinitions | None = None
        """The account's field definitions as fetched (the review says what a run would
        create from them); None until fetched for the current connection."""
        self.columns: tuple[str, ...] = ()
        self.values: Mapping[str, Sequence[object]] = {}
        self.loaded = False
        self.ready = False
        """True once the rows of the export are on screen (they are shown the first time only)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="cf-status")
        yield Vertical(id="cf-rows")
        yield Button("Add a custom field", id="cf-add", compact=True)

    # -- public ----------------------------------------------------------------------------
    @property
    def rows(self) -> list[CustomFieldRow]:
        """The rows, in order."""
        return list(self.query_one("#cf-rows").query_children(CustomFieldRow))

    @property
    def custom_fields(self) -> tuple[CustomFieldConfig, ...]:
        """The complete rows, as ``sgtui.toml`` keeps them."""
        return tuple(config for row in self.rows if (config := row.config) is not None)

    async def load(self, connection: ConnectionConfig | None,
                   fields: Sequence[CustomFieldConfig], columns: Sequence[str],
                   values: Mapping[str, Sequence[object]]) -> None:
        """Show ``fields`` (the first time only: later the rows on screen are kept), offer
        ``columns`` and fetch the custom fields of ``connection``'s account."""
        self.columns, self.values = tuple(columns), values
        if not self.loaded:
            self.loaded = True
            for field in fields:
                await self._add_row(field)
            self.ready = True
        same = (connection is not None and self.connection is not None
                and connection.name == self.connection.name)
        if not same:
            self.connection, self.existing, self.definitions = connection, None, None
            if connection is None:
                self._status("Pick a connection to see its custom fields.", problem=True)
            else:
                self._status(f"Looking for your API key for {connection.display_name}…")
                self.find_key(connection.name)
        for row in self.rows:
            row.offer(self.existing, self.columns, self.values)
        self.post_message(self.Changed())

    def problem(self, mapping: Mapping[str, str]) -> str | None:
        """Why these rows cannot be saved, in one sentence (the first problem); else None."""
        from sgtui.workspace.validation import custom_field_problems

        rows = self.rows
        for row in rows:
            if (sentence := row.incomplete()) is not None:
                return sentence
        named = [row for row in rows if row.field_name]
        for name, count in Counter(row.field_name for row in named).items():
            if count > 1:
                numbers = [str(row.number) for row in named if row.field_name == name]
                return (f"Custom fields {' and '.join(numbers)} both fill {name}; keep one "
                        "(remove the other row).")
        problems = custom_field_problems(self.custom_fields, mapping, self.columns or None)
        if problems:
            name, sentence = problems[0]
            number = next((row.number for row in named if row.field_name == name), None)
            where = f"Custom field {number}" if number is not None else "Custom fields"
            return f"{where}: {sentence}"
        return None

    # -- rows ------------------------------------------------------------------------------
    async def _add_row(self, field: CustomFieldConfig | None = None) -> CustomFieldRow:
        row = CustomFieldRow(len(self.rows) + 1, field)
        await self.query_one("#cf-rows").mount(row)
        row.offer(self.existing, self.columns, self.values)
        return row

    @on(Button.Pressed, "#cf-add")
    async def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = await self._add_row()
        self.call_after_refresh(row.focus_field)
        self.post_message(self.Changed())

    async def on_custom_field_row_remove_requested(self,
                                                   event: CustomFieldRow.RemoveRequested) -> None:
        event.stop()
        await event.row.remove()
        for number, row in enumerate(self.rows, start=1):
            row.number = number
        self.query_one("#cf-add", Button).focus()
        self.post_message(self.Changed())

    def on_custom_field_row_changed(self, event: CustomFieldRow.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    # -- the key, then the account's fields ------------------------------------------------
    @work(thread=True, exclusive=True, group="custom-fields-key", exit_on_error=False)
    def find_key(self, connection: str) -> None:
        """Look up this user's key for ``connection`` (keyring access blocks)."""
        from sgtui.tui.screens.export_wizard.keys import key_for

        app = self.app
        self.post_message(self.KeyFound(connection,
                                        key_for(app.workspace, connection, app.secrets)))

    def on_custom_fields_part_key_found(self, event: KeyFound) -> None:
        event.stop()
        connection = self.connection
        if connection is None or connection.name != event.connection:
            return
        if event.key is None:
            from sgtui.tui.screens.export_wizard.keys import no_key_sentence

            self._status(no_key_sentence(connection, what="read its custom fields",
                                         user=self.app.workspace.user)
                         + " You can still add new custom fields.", problem=True)
            return
        self._status(f"Fetching the custom fields of {connection.display_name}…")
        self.fetch_fields(connection, event.key)

    @work(exclusive=True, group="custom-fields-fetch", exit_on_error=False)
    async def fetch_fields(self, connection: ConnectionConfig, key: ApiKey) -> None:
        """Read the account's custom fields and their types."""
        try:
            async with self.app.sendgrid_for(connection, key) as client:
                definitions = await client.field_definitions()
        except Exception as error:  # a surprise must not end the app
            self.post_message(self.FieldsFetched(connection.name, None, sentence_for(
                error, "sgtui could not read the custom fields ({cause}).")))
            return
        fields: dict[str, CustomFieldType] = {}
        for definition in definitions.custom:
            kind = CustomFieldType.from_sendgrid(definition.field_type)
            if kind is not None and definition.name:
                fields[definition.name] = kind
        self.post_message(self.FieldsFetched(connection.name, fields, None, definitions))

    def on_custom_fields_part_fields_fetched(self, event: FieldsFetched) -> None:
        event.stop()
        connection = self.connection
        if connection is None or connection.name != event.connection:
            return
        if event.fields is None:
            self._status(f"The custom fields of {connection.display_name} could not be "
                         f"fetched: {event.problem} You can still add new custom fields "
                         "(Back, then Next, fetches them again).", problem=True)
            self.connection = None  # so the next load tries again
            return
        self.existing, self.definitions = event.fields, event.definitions
        count = len(event.fields)
        if count:
            self._status(f"{count:,} custom field{'' if count == 1 else 's'} in "
                         f"{connection.display_name}: pick one, or make a new one.")
        else:
            self._status(f"{connection.display_name} has no custom fields yet: make a new "
                         "one (the first run creates it in SendGrid).")
        for row in self.rows:
            row.offer(self.existing, self.columns, self.values)
        self.post_message(self.Changed())

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#cf-status", Static)
        status.update(Content(first_upper(text)))
        status.set_class(problem, "-problem")
