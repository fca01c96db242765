"""Three real contacts as SendGrid would receive them: reserved fields and custom fields."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from sgtui.export import wording
from sgtui.export.custom_values import convert
from sgtui.export.matching import preview_contact
from sgtui.tui.widgets.plain_marks import DataTable
from sgtui.workspace.model import WRITABLE_FIELDS, CustomFieldConfig

LEFT_OUT = "(left out)"
"""How the preview shows a value that would not be sent (the contact still is)."""


class ContactPreview(Vertical):
    """A table of sample contacts: one column per mapped field, values as they are sent.

    Reserved fields are trimmed and cut as a run does; custom values are converted as a
    run converts them (numbers as numbers, dates as ISO 8601 UTC), and a value a run would
    leave out reads ``(left out)``.
    """

    DEFAULT_CSS = """
    ContactPreview { height: auto; }
    ContactPreview #preview-title { height: 1; margin-top: 1; text-style: bold; }
    ContactPreview #mapping-preview { height: auto; max-height: 6; }
    ContactPreview #preview-note { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Preview: three contacts as SendGrid would receive them", id="preview-title")
        table: DataTable[Text] = DataTable(id="mapping-preview", show_cursor=False,
                                           zebra_stripes=True)
        yield table
        yield Static("", id="preview-note")

    def show(self, rows: Sequence[Mapping[str, object]], mapping: Mapping[str, str],
             custom_fields: Sequence[CustomFieldConfig] = ()) -> None:
        """Preview ``rows`` (by column) with ``mapping`` and the complete ``custom_fields``."""
        table = self.query_one("#mapping-preview", DataTable)
        table.clear(columns=True)
        note = self.query_one("#preview-note", Static)
        note.display = False
        fields = [field for field in WRITABLE_FIELDS if field in mapping]
        if not (fields or custom_fields) or not rows:
            return
        cells: list[dict[str, Text]] = []
        for row in rows:
            contact = preview_contact(mapping, row)
            cells.append({field: Text(wording.shown(contact.get(field))) for field in fields})
        custom_keys = [f"custom:{index}" for index in range(len(custom_fields))]
        left_out = False
        for key, field in zip(custom_keys, custom_fields, strict=True):
            for row, shown in zip(rows, cells, strict=True):
                shown[key] = sent_text(field, row.get(field.column))
                left_out = left_out or shown[key].plain == LEFT_OUT
        headers = [*fields, *(field.name for field in custom_fields)]
        for key, header in zip([*fields, *custom_keys], headers, strict=True):
            # Explicit widths: after clear(columns=True) DataTable keeps stale automatic ones.
            width = max([cell_len(header), *(cell.get(key, Text()).cell_len for cell in cells)])
            table.add_column(Text(header), key=key, width=width)  # never markup
        for shown in cells:
            table.add_row(*(shown[key] for key in [*fields, *custom_keys]))
        if left_out:
            note.update(Content(f"{LEFT_OUT}: a value SendGrid would refuse for that field's "
                                "type; the contact is still sent, without it."))
            note.display = True


def sent_text(field: CustomFieldConfig, value: object) -> Text:
    """``value`` of ``field``'s column as the preview shows it: as sent, or left out."""
    converted = convert(field.type, value)
    if converted.value is None:
        return Text(LEFT_OUT, style="italic") if converted.reason else Text(wording.MISSING)
    if isinstance(converted.value, str):
        return Text(converted.value)
    return Text(json.dumps(converted.value), justify="right")
