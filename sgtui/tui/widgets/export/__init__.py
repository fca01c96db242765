"""Widgets of the export wizard: the list picker, the field mapping, the segment picker."""

from sgtui.tui.widgets.export.field_mapping import FieldMappingTable
from sgtui.tui.widgets.export.list_picker import ListPicker
from sgtui.tui.widgets.export.segment_picker import SegmentPicker

__all__ = ["FieldMappingTable", "ListPicker", "SegmentPicker"]
