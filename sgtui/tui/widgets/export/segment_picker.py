"""Picking segments: each with its member count, and a live total of unique people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.widgets.selection_list import Selection
from textual.worker import get_current_worker

from sgtui.errors import sentence_for
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.plain_marks import SelectionList
from sgtui.workspace.limits import DEFAULT_MAX_PROFILES, RECOMMENDED_MAX_PROFILES

if TYPE_CHECKING:
    from sgtui.source.base import Segment

RECOMMENDED_SENTENCE = (f"SendGrid recommends at most {RECOMMENDED_MAX_PROFILES:,} profiles; "
                        "your SendGrid plan's contact limit applies.")
COALESCE_SECONDS = 0.15


class SegmentPicker(OfSgtuiApp, Vertical):
    """A multi-select of segments and the totals of the selection.

    Totals are counted in a thread worker: unique profiles first (fast), then unique emails
    (slower on big data). Rapid toggles are coalesced; a superseded count is dropped.
    """

    DEFAULT_CSS = """
    SegmentPicker { height: auto; }
    SegmentPicker > SelectionList { height: auto; max-height: 12; }
    SegmentPicker > #segment-total { height: auto; margin-top: 1; }
    SegmentPicker > #segment-warning { height: auto; color: $warning; }
    SegmentPicker > #segment-warning.-stop { color: $error; }
    """

    class Counted(Message):
        """Totals of a selection (``emails`` None while they are still being counted)."""

        def __init__(self, selection: tuple[str, ...], profiles: int | None,
                     emails: int | None, problem: str | None = None) -> None:
            super().__init__()
            self.selection, self.profiles, self.emails = selection, profiles, emails
            self.problem = problem

    class Changed(Message):
        """The selection changed."""

        def __init__(self, segments: list[str]) -> None:
            super().__init__()
            self.segments = segments

    def __init__(self, *, cap: int = DEFAULT_MAX_PROFILES, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cap = cap
        self.email_column: str | None = None
        self.profiles: int | None = 0
        self.emails: int | None = 0
        self.counted_for: tuple[str, ...] = ()
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SelectionList[str](id="segment-list")
        yield Static("", id="segment-total")
        yield Static("", id="segment-warning")

    # -- public ----------------------------------------------------------------------------
    def set_segments(self, segments: Sequence[Segment], selected: Sequence[str],
                     email_column: str | None) -> None:
        """Offer ``segments`` with ``selected`` ticked, and count them."""
        self.email_column = email_column
        chosen = set(selected)
        listing = self.query_one(SelectionList)
        name_width = max((len(segment.name) for segment in segments), default=0)
        count_width = max((len(f"{segment.member_count:,}") for segment in segments), default=0)
        with self.prevent(SelectionList.SelectedChanged):
            listing.clear_options()
            listing.add_options([
                Selection(self._prompt(segment, name_width, count_width), segment.id,
                          segment.id in chosen)
                for segment in segments
            ])
            if segments:  # Space ticks at once, without a Down first
                listing.highlighted = 0
        self.counted_for = ("?",)
        self._count_soon(now=True)

    @property
    def selected(self) -> list[str]:
        """The ids of the ticked segments, in list order."""
        return list(self.query_one(SelectionList).selected)

    @property
    def counting(self) -> bool:
        """Whether the totals shown are not yet those of the selection."""
        return self.counted_for != tuple(self.selected) or self.profiles is None

    def problem(self) -> str | None:
        """Why these segments cannot be exported, or None."""
        if not self.selected:
            return "Tick at least one segment (space ticks the highlighted one)."
        if self.counting:
            return "Still counting the people in these segments; try again in a moment."
        if self.profiles is not None and self.profiles > self.cap:
            return (f"These segments hold {self.profiles:,} profiles, more than the "
                    f"{self.cap:,} one export may send. Pick fewer segments.")
        return None

    # -- counting --------------------------------------------------------------------------
    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self.post_message(self.Changed(self.selected))
        self._count_soon()

    def _count_soon(self, *, now: bool = False) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.profiles = None
        self._show()
        if now:
            self.count(tuple(self.selected), self.email_column)
        else:
            self._timer = self.set_timer(
                COALESCE_SECONDS, lambda: self.count(tuple(self.selected), self.email_column))

    @work(thread=True, exclusive=True, group="segment-totals", exit_on_error=False)
    def count(self, selection: tuple[str, ...], email_column: str | None) -> None:
        """Count unique profiles, then unique emails, of ``selection``."""
        worker = get_current_worker()
        if not selection:
            self.post_message(self.Counted(selection, 0, 0))
            return
        try:
            source = self.app.open_source()
            try:
                profiles = source.totals(selection, None).profiles
                if worker.is_cancelled:
                    return
                self.post_message(self.Counted(selection, profiles, None))
                if email_column is None:
                    return
                emails = source.totals(selection, email_column).emails
            finally:
                source.close()
        except Exception as error:  # SourceError or a database surprise: one sentence
            sentence = sentence_for(error, "The segments could not be counted ({cause}).")
            self.post_message(self.Counted(selection, None, None, sentence))
            return
        if not worker.is_cancelled:
            self.post_message(self.Counted(selection, profiles, emails))

    def on_segment_picker_counted(self, event: Counted) -> None:
        event.stop()
        if event.selection != tuple(self.selected):
            return  # an older selection
        if event.problem:
            self.counted_for, self.profiles, self.emails = event.selection, None, None
            self.query_one("#segment-total", Static).update(Content(event.problem))
            return
        self.counted_for, self.profiles, self.emails = (
            event.selection, event.profiles, event.emails)
        self._show()

    # -- showing ---------------------------------------------------------------------------
    @staticmethod
    def _prompt(segment: Segment, name_width: int, count_width: int) -> Content:
        """``Name   1,234 members  Description``, names and counts in columns."""
        text = Content.styled(segment.name.ljust(name_width), "bold") + Content(
            f"  {segment.member_count:>{count_width},} "
            f"{'member ' if segment.member_count == 1 else 'members'}")  # columns stay aligned
        if segment.description:
            text += Content.styled(f"  {segment.description}", "dim")
        return text

    def _show(self) -> None:
        total = self.query_one("#segment-total", Static)
        warning = self.query_one("#segment-warning", Static)
        if not self.selected:
            total.update(Content("No segment ticked yet."))
            warning.update("")
            return
        if self.profiles is None:
            total.update(Content("Counting unique profiles…"))
            warning.update("")
            return
        if self.email_column is None:
            emails = "no Email column mapped"
        elif self.emails is None:
            emails = "counting unique emails…"
        else:
            emails = f"{self.emails:,} unique emails"
        total.update(Content.styled("Total: ", "bold") +
                     Content(f"{self.profiles:,} unique profiles · {emails}"))
        if self.profiles > self.cap:
            warning.update(Content(f"⛔ More than {self.cap:,} profiles: this is past the limit "
                                   "for one export. Pick fewer segments."))
            warning.add_class("-stop")
        elif self.profiles > RECOMMENDED_MAX_PROFILES:
            warning.update(Content(f"⚠ {RECOMMENDED_SENTENCE}"))
            warning.remove_class("-stop")
        else:
            warning.update("")
            warning.remove_class("-stop")
