"""The stages of a run, each with where it is."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from sgtui.export.events import StageState
from sgtui.export.progress_state import RunProgressState
from sgtui.tui.widgets.wrapping import wrap_words

MARKS = {
    StageState.WAITING: ("·", "dim"),
    StageState.RUNNING: ("▶", "bold $accent"),
    StageState.DONE: ("✓", "$success"),
    StageState.SKIPPED: ("–", "dim"),
    StageState.FAILED: ("✗", "bold $error"),
}
STATE_WIDTH = 7
"""``running``, ``stopped``: the longest state word."""
MIN_DETAIL_WIDTH = 24
"""Narrower than this beside the stage (or longer than two lines there), a detail goes on
the lines under it instead, across the whole width."""
UNDER_INDENT = 4


class StageList(Static):
    """One line per stage: a mark, its name, its state and the engine's detail.

    A detail that does not fit beside its stage wraps at word boundaries: onto a second line
    beside the stage when that is enough, else on the lines below the stage; never cut.
    """

    DEFAULT_CSS = """
    StageList { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._state: RunProgressState | None = None
        self._shown: tuple[object, ...] | None = None

    def show(self, state: RunProgressState) -> None:
        """Redraw from ``state`` if the stages or the width changed."""
        self._state = state
        stages = tuple(state.stages_to_show())
        width = self.content_size.width
        key = (stages, frozenset(state.stopped), width)
        if key == self._shown:
            return
        self._shown = key
        label_width = max(len(stage.label) for stage, _, _ in stages) + 2
        lines: list[Content] = []
        for stage, stage_state, detail in stages:
            mark, style = MARKS[stage_state]
            line = Content.styled(f"{mark} ", style) + Content.styled(
                f"{stage.label:<{label_width}}",
                "bold" if stage_state is StageState.RUNNING else "")
            word = "stopped" if stage in state.stopped else stage_state.value
            line += Content.styled(f"{word:<{STATE_WIDTH}}", style)
            beside = 2 + label_width + STATE_WIDTH + 2
            if not detail:
                lines.append(line)
            elif not width or len(detail) <= width - beside:
                lines.append(line + Content.styled(f"  {detail}", "dim"))
            elif (width - beside >= MIN_DETAIL_WIDTH
                  and len(beside_lines := wrap_words(detail, width - beside)) <= 2):
                first, *more = beside_lines
                lines.append(line + Content.styled(f"  {first}", "dim"))
                lines.extend(Content.styled(" " * beside + part, "dim") for part in more)
            else:
                lines.append(line)
                lines.extend(Content.styled(" " * UNDER_INDENT + part, "dim")
                             for part in wrap_words(detail, width - UNDER_INDENT))
        self.update(Content("\n").join(lines))

    def on_resize(self) -> None:
        if self._state is not None:  # after this layout pass, so the new lines get room
            self.call_after_refresh(self.show, self._state)
