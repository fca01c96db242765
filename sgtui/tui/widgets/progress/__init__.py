"""The live progress panel of a run and its parts."""

from sgtui.tui.widgets.progress.panel import RunProgressPanel

__all__ = ["RunProgressPanel"]
