"""The export being defined: what the wizard's steps fill in, turned into an ExportConfig."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sgtui.workspace.model import (
    MAPPABLE_FIELDS,
    CustomFieldConfig,
    ExportConfig,
    Schedule,
    SyncMode,
)

if TYPE_CHECKING:
    from sgtui.sendgrid.models import FieldDefinitions


@dataclass
class ExportDraft:
    """Everything the wizard asks for; ``original_name`` is set when editing an export."""

    name: str = ""
    display_name: str | None = None
    connection: str | None = None
    list_id: str = ""
    list_name: str | None = None
    list_checked: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    mapping_touched: bool = False
    more_fields: dict[str, str] = field(default_factory=dict)
    """Reserved fields beyond the wizard's seven (``address_line_1``...), kept as they are."""
    custom_fields: tuple[CustomFieldConfig, ...] = ()
    """Custom fields, kept as they are."""
    field_definitions: FieldDefinitions | None = None
    """The connection's contact fields as the wizard last fetched them from SendGrid (None:
    not fetched); the review says from them which custom fields a run would create."""
    segments: list[str] = field(default_factory=list)
    schedule: Schedule = Schedule.REFRESH
    mode: SyncMode = SyncMode.UPSERT
    original_name: str | None = None

    @classmethod
    def from_config(cls, export: ExportConfig, *, copy_as: str | None = None) -> ExportDraft:
        """A draft of ``export``'s values: to edit it, or to start a copy named ``copy_as``."""
        return cls(
            name=copy_as or export.name,
            display_name=None if copy_as else export.display_name,
            connection=export.connection,
            list_id=export.list_id,
            list_name=export.list_name,
            list_checked=bool(export.list_id),
            mapping={k: v for k, v in export.mapping.items() if k in MAPPABLE_FIELDS},
            mapping_touched=True,
            more_fields={k: v for k, v in export.mapping.items() if k not in MAPPABLE_FIELDS},
            custom_fields=export.custom_fields,
            segments=list(export.segments),
            schedule=export.schedule,
            mode=export.mode,
            original_name=None if copy_as else export.name,
        )

    def to_config(self) -> ExportConfig:
        """The export as ``sgtui.toml`` stores it."""
        return ExportConfig(
            name=self.name.strip(),
            display_name=self.display_name,
            connection=self.connection,
            list_id=self.list_id.strip(),
            list_name=self.list_name,
            segments=tuple(self.segments),
            mapping={k: v for k, v in {**self.mapping, **self.more_fields}.items() if v},
            custom_fields=self.custom_fields,
            schedule=self.schedule,
            mode=self.mode,
        )
