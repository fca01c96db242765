"""How fast contacts go, and how much of SendGrid's rate limit is left."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from sgtui.export.progress_state import RunProgressState, format_duration

MIN_POINTS = 60


class ThroughputSparkline(Vertical):
    """Contacts uploaded per second, one bar a second, with the latest and peak figures."""

    DEFAULT_CSS = """
    ThroughputSparkline { height: auto; padding: 0 1; }
    ThroughputSparkline > Sparkline { height: 2; margin: 0 0; }
    ThroughputSparkline > .caption { height: auto; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[tuple[float, ...], str] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Throughput: waiting for the first batch", classes="caption")
        yield Sparkline([], summary_function=max)

    def show(self, state: RunProgressState) -> None:
        """Redraw from ``state`` if a new sample arrived."""
        points = tuple(state.throughput)
        rate = state.upload_progress.rate
        peak = f", peak {max(points):,.0f}/s" if points else ""
        if rate is not None and not state.finished:
            caption = f"Throughput: {rate:,.0f} contacts/s over the last seconds{peak}"
        elif state.uploaded and state.elapsed > 0:
            average = state.uploaded / state.elapsed
            caption = f"Throughput: {average:,.0f} contacts/s on average{peak}"
        else:
            caption = "Throughput: waiting for the first batch"
        if (points, caption) == self._shown:
            return
        # A run rebuilt from history has no samples: its average is all there is to show.
        self.query_one(Sparkline).display = bool(points) or not state.finished
        if self._shown is None or self._shown[0] != points:
            # Padded on the left, so a short run fills the line from the right, a bar a second.
            padding = [0.0] * max(0, MIN_POINTS - len(points))
            self.query_one(Sparkline).data = padding + list(points)
        self._shown = (points, caption)
        self.query_one(".caption", Static).update(Content(caption))


class RateLimitMeter(Static):
    """``Rate limit  ██████░░░░  420 of 600 left, resets in 0:12``."""

    DEFAULT_CSS = """
    RateLimitMeter { height: auto; padding: 0 1; }
    """

    BAR_WIDTH = 16

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: object = None

    def show(self, state: RunProgressState) -> None:
        """Redraw from ``state`` if the limit or the seconds to reset changed."""
        limit = state.rate_limit
        reset_in = state.rate_limit_reset_in()
        key = (limit.limit, limit.remaining, round(reset_in or 0), state.finished) if limit \
            else None
        if key == self._shown and self._shown is not None:
            return
        self._shown = key
        self.display = limit is not None or not state.finished
        label = Content.styled(f"{'Rate limit':<20}", "bold")
        if limit is None or limit.limit <= 0:
            self.update(label + Content.styled("not reported by SendGrid yet", "dim"))
            return
        fraction = max(0.0, min(1.0, limit.remaining / limit.limit))
        filled = round(self.BAR_WIDTH * fraction)
        style = "$success" if fraction > 0.5 else "$warning" if fraction > 0.1 else "$error"
        bar = Content.styled("█" * filled, style) + Content.styled(
            "░" * (self.BAR_WIDTH - filled), "dim"
        )
        text = f"  {limit.remaining:,} of {limit.limit:,} left"
        if reset_in is not None and not state.finished:
            text += f", resets in {format_duration(reset_in)}"
        self.update(label + bar + Content(text))
