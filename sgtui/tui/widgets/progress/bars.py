"""A progress bar with counts, rate and time remaining, drawn as one line."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from sgtui.export.progress_state import Progress, format_duration

LABEL_WIDTH = 23


class ProgressLine(Widget):
    """``Label  ━━━━━━━╸━━━━  12,345 / 25,000  1,204/s  0:10 left`` in one line."""

    DEFAULT_CSS = """
    ProgressLine { height: 1; padding: 0 1; }
    ProgressLine > .progress-line--bar { color: $accent; }
    ProgressLine > .progress-line--track { color: $panel-lighten-2; }
    ProgressLine > .progress-line--done { color: $success; }
    """

    COMPONENT_CLASSES = {"progress-line--bar", "progress-line--track", "progress-line--done"}

    def __init__(self, label: str, unit: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.unit = unit
        self.progress = Progress(0, None, None, None)

    def show(self, progress: Progress) -> None:
        """Redraw with ``progress`` if it changed."""
        if progress != self.progress:
            self.progress = progress
            self.refresh()

    def _figures(self) -> str:
        progress = self.progress
        total = f" / {progress.total:,}" if progress.total is not None else ""
        text = f"{progress.done:,}{total}"
        if progress.rate is not None:
            text += f"  {progress.rate:,.0f}/s"
        if progress.remaining_seconds is not None:
            text += f"  {format_duration(progress.remaining_seconds)} left"
        return text

    def render(self) -> Content:
        figures = self._figures()
        width = self.content_size.width
        bar_width = max(0, width - LABEL_WIDTH - len(figures) - 2)
        fraction = self.progress.fraction
        complete = fraction is not None and fraction >= 1.0
        bar_style = self.get_visual_style(
            "progress-line--done" if complete else "progress-line--bar", partial=True
        )
        track_style = self.get_visual_style("progress-line--track", partial=True)
        filled = round(bar_width * fraction) if fraction is not None else 0
        bar = Content.styled("━" * filled, bar_style)
        if filled < bar_width:
            bar += Content.styled("━" * (bar_width - filled), track_style)
        label = Content.styled(f"{self.label:<{LABEL_WIDTH}}"[:LABEL_WIDTH], "bold")
        return label + bar + Content("  " + figures) if bar_width else label + Content(figures)
