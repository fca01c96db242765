"""SendGrid fields on the left, a dropdown of profile columns for each, a sample beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, Static

from sgtui.export.matching import ColumnHealth, mapping_warnings
from sgtui.tui.widgets.plain_marks import Select
from sgtui.workspace.model import MAPPABLE_FIELDS, REQUIRED_FIELDS


class FieldMappingTable(Vertical):
    """SendGrid reserved fields (by default Email, required, and the six optional ones of
    the wizard), each a ``Select`` of columns.

    Blank means "not mapped". :meth:`set_columns` fills the dropdowns; each mapped field
    shows a sample value, and a warning when its column is mostly empty (or, for Email,
    mostly not email addresses).
    """

    DEFAULT_CSS = """
    FieldMappingTable { height: auto; }
    FieldMappingTable .mapping-row { height: 1; margin-bottom: 0; }
    FieldMappingTable .mapping-row > Label { width: 16; }
    FieldMappingTable .mapping-row > Select { width: 1fr; max-width: 40; }
    FieldMappingTable .mapping-row > .mapping-sample {
        width: 1fr; padding-left: 2; color: $text-muted;
    }
    FieldMappingTable .mapping-warnings { height: auto; color: $warning; margin-top: 1; }
    """

    class Changed(Message):
        """The mapping changed (a dropdown was changed by the user or by code)."""

        def __init__(self, mapping: dict[str, str]) -> None:
            super().__init__()
            self.mapping = mapping

    def __init__(self, fields: Mapping[str, str] = MAPPABLE_FIELDS, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = dict(fields)
        """SendGrid field -> its label, in the order shown."""
        self.columns: list[str] = []
        self.samples: dict[str, str] = {}
        self.health: dict[str, ColumnHealth] = {}

    def compose(self) -> ComposeResult:
        for field, label in self.fields.items():
            required = field in REQUIRED_FIELDS
            with Horizontal(classes="mapping-row"):
                yield Label(Content(f"{label}{' *' if required else ''}"))
                yield Select[str]([], prompt="not mapped", id=f"map-{field}", compact=True)
                yield Static("", id=f"sample-{field}", classes="mapping-sample")
        yield Static("", classes="mapping-warnings")

    # -- public ----------------------------------------------------------------------------
    def set_columns(
        self,
        columns: Sequence[str],
        rows: Sequence[Mapping[str, object]],
        health: Mapping[str, ColumnHealth],
        mapping: Mapping[str, str],
    ) -> None:
        """Offer ``columns``; ``rows`` (by column) give the samples; select ``mapping``."""
        self.columns = list(columns)
        self.health = dict(health)
        self.samples = {}
        for column in self.columns:
            sample = next((row[column] for row in rows if row.get(column) not in (None, "")),
                          None)
            self.samples[column] = "" if sample is None else str(sample).strip()
        for field in self.fields:
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
        for field in self.fields:
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
        for field in self.fields:
            column = mapping.get(field)
            sample = self.samples.get(column, "") if column else ""
            self.query_one(f"#sample-{field}", Static).update(
                Content(f"e.g. {sample}") if sample else Content(""))
        lines = [f"⚠ {self.fields[field]}: {sentence}"
                 for field, sentence in self.warnings.items()]
        warning_box = self.query_one(".mapping-warnings", Static)
        warning_box.update(Content("\n".join(lines)))
        warning_box.display = bool(lines)
