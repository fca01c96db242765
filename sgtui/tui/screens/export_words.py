"""How an export's fields read on screen (the exports list's details, the wizard's review)."""

from __future__ import annotations

from sgtui.workspace.model import WRITABLE_FIELDS, ExportConfig


def mapping_words(export: ExportConfig) -> str:
    """The reserved fields it fills: ``Email ← email, First name ← first_name``."""
    return ", ".join(f"{WRITABLE_FIELDS.get(field, field)} ← {column}"
                     for field, column in export.mapping.items() if column)


def custom_field_words(export: ExportConfig) -> str:
    """Its custom fields, name, type and column: ``lifetime_value (number) ← ltv``."""
    return ", ".join(f"{field.name} ({field.type.value}) ← {field.column}"
                     for field in export.custom_fields)
