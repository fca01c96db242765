"""SendGrid fields on the left, a dropdown of profile columns for each, a live preview below."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, Static

from sgtui.export.matching import ColumnHealth, mapping_warnings, preview_contact
from sgtui.export.wording import shown
from sgtui.tui.widgets.plain_marks import DataTable, Select
from sgtui.workspace.model import MAPPABLE_FIELDS, REQUIRED_FIELDS


class FieldMappingTable(Vertical):
    """Email (required) and the optional SendGrid fields, each a ``Select`` of columns.

    Blank means "not mapped". :meth:`set_columns` fills the dropdowns; the table then shows
    three real contacts as SendGrid would receive them, and a warning for each mapped
    column that is mostly empty (or, for Email, mostly not email addresses).
    """

    DEFAULT_CSS = """
    FieldMappingTable { height: auto; }
    FieldMappingTable .mapping-row { height: 1; margin-bottom: 0; }
    FieldMappingTable .mapping-row > Label { width: 16; }
    FieldMappingTable .mapping-row > Select { width: 1fr; max-width: 40; }
    FieldMappingTable .mapping-row > .mapping-sample {
        width: 1fr; padding-left: 2; color: $text-muted;
    }
    FieldMappingTable #mapping-warnings { height: auto; color: $warning; margin-top: 1; }
    FieldMappingTable #preview-title { height: 1; margin-top: 1; text-style: bold; }
    FieldMappingTable #mapping-preview { height: auto; max-height: 6; }
    """

    class Changed(Message):
        """The mapping changed (a dropdown was changed by the user or by code)."""

        def __init__(self, mapping: dict[str, str]) -> None:
            super().__init__()
            self.mapping = mapping

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[str] = []
        self.samples: dict[str, str] = {}
        self.rows: list[dict[str, object]] = []
        self.health: dict[str, ColumnHealth] = {}

    def compose(self) -> ComposeResult:
        for field, label in MAPPABLE_FIELDS.items():
            required = field in REQUIRED_FIELDS
            with Horizontal(classes="mapping-row"):
                yield Label(Content(f"{label}{' *' if required else ''}"))
                yield Select[str]([], prompt="not mapped", id=f"map-{field}", compact=True)
                yield Static("", id=f"sample-{field}", classes="mapping-sample")
        yield Static("", id="mapping-warnings")
        yield Static("Preview: three contacts as SendGrid would receive them", id="preview-title")
        table: DataTable[Text] = DataTable(id="mapping-preview", show_cursor=False,
                                           zebra_stripes=True)
        yield table

    # -- public ----------------------------------------------------------------------------
    def set_columns(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[object]],
        health: Mapping[str, ColumnHealth],
        mapping: Mapping[str, str],
    ) -> None:
        """Offer ``columns``; ``rows`` (in column order) feed the preview; select ``mapping``."""
        self.columns = list(columns)
        self.rows = [dict(zip(self.columns, row, strict=False)) for row in rows[:3]]
        self.health = dict(health)
        self.samples = {}
        for column in self.columns:
            sample = next((row[column] for row in self.rows if row.get(column) not in (None, "")),
                          None)
            self.samples[column] = "" if sample is None else str(sample).strip()
        for field in MAPPABLE_FIELDS:
            select = self.query_one(f"#map-{field}", Select)
            with self.prevent(Select.Changed):
                select.set_options([(Content(column), column) for column in self.columns])
                chosen = mapping.get(field)
                select.value = chosen if chosen in self.columns else Select.NULL
        self._refresh()

    @property
    def mapping(self) -> dict[str, str]:
        """SendGrid field -> profile column, for the mapped fields."""
        result: dict[str, str] = {}
        for field in MAPPABLE_FIELDS:
            value = self.query_one(f"#map-{field}", Select).value
            if value != Select.NULL:
                result[field] = str(value)
        return result

    def set_field(self, field: str, column: str | None) -> None:
        """Map ``field`` to ``column`` (None: not mapped), as if picked in the dropdown."""
        self.query_one(f"#map-{field}", Select).value = column if column else Select.NULL

    @property
    def warnings(self) -> dict[str, str]:
        """The current warning sentences, by field."""
        return mapping_warnings(self.mapping, self.health)

    # -- reacting --------------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._refresh()
        self.post_message(self.Changed(self.mapping))

    def _refresh(self) -> None:
        mapping = self.mapping
        for field in MAPPABLE_FIELDS:
            column = mapping.get(field)
            sample = self.samples.get(column, "") if column else ""
            self.query_one(f"#sample-{field}", Static).update(
                Content(f"e.g. {sample}") if sample else Content(""))
        warnings = self.warnings
        lines = [f"⚠ {MAPPABLE_FIELDS[field]}: {sentence}" for field, sentence in warnings.items()]
        warning_box = self.query_one("#mapping-warnings", Static)
        warning_box.update(Content("\n".join(lines)))
        warning_box.display = bool(lines)
        self._show_preview(mapping)

    def _show_preview(self, mapping: dict[str, str]) -> None:
        table = self.query_one("#mapping-preview", DataTable)
        table.clear(columns=True)
        fields = [field for field in MAPPABLE_FIELDS if field in mapping]
        if not fields or not self.rows:
            return
        contacts = [preview_contact(mapping, row) for row in self.rows]
        for field in fields:
            # Explicit widths: after clear(columns=True) DataTable keeps stale automatic ones.
            width = max([len(field), *(cell_len(shown(c.get(field))) for c in contacts)])
            table.add_column(field, key=field, width=width)
        for contact in contacts:
            table.add_row(*(Text(shown(contact.get(field))) for field in fields))
