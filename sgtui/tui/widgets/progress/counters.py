"""The run's counters: what preparing the profiles found and what SendGrid made of them."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from sgtui.export.progress_state import RunProgressState
from sgtui.export.wording import REFUSED

PAIR_WIDTH = 33


def counter_values(state: RunProgressState) -> list[tuple[str, int, str]]:
    """(label, value, style) for every counter, in reading order."""
    counts = state.counts
    return [
        ("Valid", counts.valid, ""),
        ("Duplicates", counts.duplicates, "warn"),
        ("Invalid email", counts.invalid_email, "warn"),
        ("Missing email", counts.missing_email, "warn"),
        ("Trimmed fields", counts.trimmed_fields, "warn"),
        (f"{REFUSED.capitalize()} by SendGrid", state.rejected_by_sendgrid, "error"),
        ("Created", state.created, "good"),
        ("Updated", state.updated, "good"),
    ]


class RunCounters(Static):
    """Counters in two columns (one when narrow), numbers right-aligned."""

    DEFAULT_CSS = """
    RunCounters { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._state: RunProgressState | None = None
        self._shown: tuple[object, ...] | None = None

    def show(self, state: RunProgressState) -> None:
        """Redraw from ``state`` if a counter or the width changed."""
        self._state = state
        values = counter_values(state)
        columns = 2 if self.content_size.width >= PAIR_WIDTH * 2 or not self.size.width else 1
        key = (tuple(values), columns, state.counts.unchanged)
        if key == self._shown:
            return
        self._shown = key
        styles = {"": "", "warn": "$warning", "error": "$error", "good": "$success"}
        cells = []
        for label, value, kind in values:
            style = styles[kind] if value else "dim"
            cells.append(
                Content(f"{label:<21}")
                + Content.styled(f"{value:>10,}", style)
                + Content("  ")
            )
        if state.counts.unchanged:
            cells.append(
                Content(f"{'Unchanged, not sent':<21}") + Content(f"{state.counts.unchanged:>10,}")
            )
        lines = [
            Content("").join(cells[i:i + columns]) for i in range(0, len(cells), columns)
        ]
        self.update(Content("\n").join(lines))

    def on_resize(self) -> None:
        if self._state is not None:  # a finished run's panel draws no more on its own
            self.call_after_refresh(self.show, self._state)  # after this layout pass
