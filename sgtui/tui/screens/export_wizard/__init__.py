"""The export wizard: connection, name, list, data matching, segments, schedule, review."""

from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.screen import ExportWizardScreen, SavedExport

__all__ = ["ExportDraft", "ExportWizardScreen", "SavedExport"]
