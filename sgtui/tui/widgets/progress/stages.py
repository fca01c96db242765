"""The stages of a run, each with where it is."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from sgtui.export.events import StageState
from sgtui.export.progress_state import RunProgressState

MARKS = {
    StageState.WAITING: ("·", "dim"),
    StageState.RUNNING: ("▶", "bold $accent"),
    StageState.DONE: ("✓", "$success"),
    StageState.SKIPPED: ("–", "dim"),
    StageState.FAILED: ("✗", "bold $error"),
}


class StageList(Static):
    """One line per stage: a mark, its name, its state and the engine's detail."""

    DEFAULT_CSS = """
    StageList { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[object, ...] | None = None

    def show(self, state: RunProgressState) -> None:
        """Redraw from ``state`` if the stages changed."""
        stages = tuple(state.stages_to_show())
        key = (stages, frozenset(state.stopped))
        if key == self._shown:
            return
        self._shown = key
        content = Content("")
        width = max(len(stage.label) for stage, _, _ in stages) + 2
        for index, (stage, stage_state, detail) in enumerate(stages):
            mark, style = MARKS[stage_state]
            line = Content.styled(f"{mark} ", style) + Content.styled(
                f"{stage.label:<{width}}", "bold" if stage_state is StageState.RUNNING else ""
            )
            word = "stopped" if stage in state.stopped else stage_state.value
            line += Content.styled(f"{word:<7}", style)
            if detail:
                line += Content.styled(f"  {detail}", "dim")
            content += line + (Content("\n") if index < len(stages) - 1 else Content(""))
        self.update(content)
