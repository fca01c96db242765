"""Widgets of the export wizard: the list picker, the field mapping, the custom fields, the
preview of contacts, the segment picker."""

from sgtui.tui.widgets.export.contact_preview import ContactPreview
from sgtui.tui.widgets.export.custom_fields_part import CustomFieldsPart
from sgtui.tui.widgets.export.field_mapping import FieldMappingTable
from sgtui.tui.widgets.export.list_picker import ListPicker
from sgtui.tui.widgets.export.segment_picker import SegmentPicker

__all__ = ["ContactPreview", "CustomFieldsPart", "FieldMappingTable", "ListPicker",
           "SegmentPicker"]
