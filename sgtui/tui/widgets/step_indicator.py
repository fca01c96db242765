"""A one-line "where am I" for multi-step flows: ``Step 3 of 7 · API key`` plus a row of dots."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget


class StepIndicator(Widget):
    """Shows the steps of a flow, the current one highlighted.

    ``steps`` are the step titles; ``current`` is 0-based. On a wide terminal every title is
    shown (``1 Name > [2 Usable by] > ...``, the current one in brackets, so it reads as
    such without colour); when they do not fit, a compact ``Step 3 of 7: API key`` with a
    dot per step is shown instead.
    """

    DEFAULT_CSS = """
    StepIndicator {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
    }
    StepIndicator > .step-indicator--current { color: $text-accent; text-style: bold; }
    StepIndicator > .step-indicator--done { color: $text-success; }
    """

    COMPONENT_CLASSES = {
        "step-indicator--current",
        "step-indicator--done",
    }

    current: reactive[int] = reactive(0)

    def __init__(
        self,
        steps: list[str],
        current: int = 0,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.steps = list(steps)
        self.set_reactive(StepIndicator.current, max(0, min(current, len(self.steps) - 1)))

    def render(self) -> Content:
        current = self.get_visual_style("step-indicator--current", partial=True)
        done = self.get_visual_style("step-indicator--done", partial=True)

        def style_of(index: int) -> Style | str:
            if index == self.current:
                return current
            return done if index < self.current else ""

        parts: list[tuple[str, Style | str] | str] = []
        for index, title in enumerate(self.steps):
            if index:
                parts.append(" › ")
            label = f"{index + 1} {title}"
            if index == self.current:
                label = f"[{label}]"  # the current step reads as such without colour
            parts.append((label, style_of(index)))
        full = Content.assemble(*parts)
        width = self.content_region.width or self.size.width
        if full.cell_length <= width:
            return full
        title = self.steps[self.current] if self.steps else ""
        compact: list[tuple[str, Style | str] | str] = [
            (f"Step {self.current + 1} of {len(self.steps)}: {title}", current), "  "]
        compact += [("●" if index <= self.current else "○", style_of(index))
                    for index in range(len(self.steps))]
        return Content.assemble(*compact)
