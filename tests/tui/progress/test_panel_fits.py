"""Every detail of the run panel reads whole at 80x24 and 120x40: stage details wrap at word
boundaries instead of being cut, and the rejected-rows CSV path breaks only after a ``/``."""

from __future__ import annotations

import pytest
from pilot_helpers import screen_plain_text

from sgtui.export.events import (
    BatchUploaded,
    ContactsPrepared,
    JobUpdated,
    ProfilesRead,
    RowsRejected,
    RunCounts,
    RunFinished,
    RunStatus,
    Stage,
    StageChanged,
    StageState,
)
from sgtui.export.outcome import RunFacts, cancel_sentence, outcome
from sgtui.export.progress_state import RunProgressState
from sgtui.tui.runs import RunHandle
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.progress.stages import StageList
from sgtui.tui.widgets.wrapping import WrappedText, wrap_words

from .scripted import EXPORT, REJECTED, FakeClock, finished_summary, opening_events

CSV_NAME = "run-3-spring-newsletter-rejected.csv"
CSV_PATH = f"/home/alice/.local/share/sgtui/workspace/runs/{CSV_NAME}"
PLAN_DETAIL = "Created the custom fields lifetime_value, last_order and tier in SendGrid."
PREPARE_DETAIL = "5,364 contacts, 0 unchanged"
UPLOAD_DETAIL = "5,364 contacts in 2 batches"
VERIFY_DETAIL = "the list holds 5,364 contacts"
FAILED_DETAIL = ("SendGrid refused the API key (401 Unauthorized): it was revoked or mistyped. "
                 "Create a key with Marketing access in SendGrid (Settings > API Keys) and "
                 "put it in with Connections, Edit.")
COUNTS = RunCounts(profiles=5_400, valid=5_364, invalid_email=24, missing_email=12)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def running_state() -> RunProgressState:
    """A run past its reading, uploading its second batch, with rows set aside."""
    clock = FakeClock()
    state = RunProgressState(export=EXPORT, clock=clock)
    for event in opening_events(5_400):
        state.apply(event)
    state.apply(StageChanged(Stage.PLAN, StageState.DONE, PLAN_DETAIL))
    state.apply(RowsRejected(REJECTED, False, CSV_PATH))
    clock.advance(2.0)
    state.apply(ProfilesRead(5_400, 5_400))
    state.apply(ContactsPrepared(COUNTS))
    state.apply(StageChanged(Stage.READ, StageState.DONE, "5,400 profiles"))
    state.apply(StageChanged(Stage.PREPARE, StageState.DONE, PREPARE_DETAIL))
    state.apply(StageChanged(Stage.UPLOAD, StageState.RUNNING))
    state.apply(BatchUploaded(1, 4_000, 4_000 * 212, "job-0001", 4_000))
    state.apply(StageChanged(Stage.PROCESS, StageState.RUNNING))
    clock.advance(1.0)
    state.sample()
    return state


def finished_state() -> RunProgressState:
    """The run above, ended: rows set aside, listed in a CSV file deep in the workspace."""
    state = running_state()
    state.apply(BatchUploaded(2, 1_364, 1_364 * 212, "job-0002", 5_364))
    state.apply(StageChanged(Stage.UPLOAD, StageState.DONE, UPLOAD_DETAIL))
    state.apply(JobUpdated(1, "job-0001", "completed", 1_000, 3_000, 0, 4_000))
    state.apply(JobUpdated(2, "job-0002", "completed", 364, 1_000, 0, 5_364))
    state.apply(StageChanged(Stage.PROCESS, StageState.DONE))
    state.apply(StageChanged(Stage.VERIFY, StageState.DONE, VERIFY_DETAIL))
    counts = RunCounts(profiles=5_400, valid=5_364, invalid_email=24, missing_email=12,
                       uploaded=5_364, batches=2, created=1_364, updated=4_000)
    status, sentence = outcome(RunFacts(counts, rejected_csv=CSV_PATH))
    state.apply(RunFinished(finished_summary(
        status, sentence=sentence, profiles=5_400, valid=5_364, duplicates=0,
        invalid_email=24, missing_email=12, trimmed_fields=0, uploaded=5_364, created=1_364,
        updated=4_000, batches=2, jobs=("job-0001", "job-0002"), rejected_csv=CSV_PATH)))
    return state


def failed_state() -> RunProgressState:
    """The run above, stopped by SendGrid refusing the key while uploading."""
    state = running_state()
    state.apply(StageChanged(Stage.UPLOAD, StageState.FAILED, FAILED_DETAIL))
    state.apply(RunFinished(finished_summary(
        RunStatus.FAILED, sentence=FAILED_DETAIL, uploaded=4_000, created=1_000,
        updated=3_000, batches=1, jobs=("job-0001",), rejected_csv=CSV_PATH)))
    return state


def cancelled_state() -> RunProgressState:
    """The run above, cancelled after SendGrid accepted its first batch."""
    state = running_state()
    sentence = cancel_sentence(RunCounts(uploaded=4_000, batches=1))
    state.apply(RunFinished(finished_summary(
        RunStatus.CANCELLED, sentence=sentence, uploaded=4_000, created=0, updated=0,
        batches=1, jobs=("job-0001",), rejected_csv=CSV_PATH)))
    return state


STATES = {"running": running_state, "finished": finished_state, "failed": failed_state,
          "cancelled": cancelled_state}


def open_panel(app, name: str) -> None:  # type: ignore[no-untyped-def]
    state = STATES[name]()
    if name == "running":
        app.push_screen(RunProgressScreen(RunHandle(EXPORT, state)))
    else:
        app.push_screen(RunProgressScreen(state=state))


def region_lines(app, widget) -> list[str]:  # type: ignore[no-untyped-def]
    """The screen's plain text where ``widget`` is, line by line."""
    region = widget.content_region
    lines = screen_plain_text(app).splitlines()
    return [line[region.x:region.right] for line in lines[region.y:region.bottom]]


def words(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(STATES))
async def test_every_stage_detail_and_the_csv_path_read_whole(app, name: str, size) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        open_panel(app, name)
        await pilot.pause()
        await pilot.pause()
        state = app.screen.state
        stages = words(region_lines(app, app.screen.query_one(StageList)))
        for stage, _, detail in state.stages_to_show():
            assert stage.label in stages
            assert detail in stages, (detail, stages)
        assert "…" not in stages
        summary = app.screen.query_one("#run-summary")
        if name != "running":
            summary_text = "\n".join(region_lines(app, summary))
            assert words(region_lines(app, summary)).startswith(
                " ".join(state.summary_line().split()[:4]))
            if CSV_PATH in state.summary_line():  # named short; the whole path is below
                assert f"…/{CSV_NAME}" in summary_text
        app.screen.query_one("#run-panel").scroll_end(animate=False)
        await pilot.pause()
        csv = app.screen.query_one("#rejected-csv", WrappedText)
        lines = region_lines(app, csv)
        assert any(CSV_NAME in line for line in lines)  # the file name on one line, whole
        assert CSV_PATH in "".join(line.strip() for line in lines)
        assert all(line.rstrip().endswith(("/", ".csv", "reasons:")) for line in lines), lines


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["running", "finished"])
def test_panel_with_long_details_snapshot(snap_compare, app, name: str, size) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        open_panel(app, name)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_finished_panel_scrolled_to_the_rejected_rows_snapshot(snap_compare, app,
                                                               size) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        open_panel(app, "finished")
        await pilot.pause()
        app.screen.query_one("#run-panel").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_words_wrap_at_spaces_and_a_path_only_after_a_slash() -> None:
    sentence = f"36 rows were set aside; {CSV_PATH} lists them."
    assert wrap_words(sentence, 40) == [
        "36 rows were set aside;",
        "/home/alice/.local/share/sgtui/",
        "workspace/runs/",
        CSV_NAME,
        "lists them.",
    ]
    assert wrap_words(sentence, 200) == [sentence]
    assert wrap_words("a-file-name-longer-than-the-line.csv", 10) == [
        "a-file-nam", "e-longer-t", "han-the-li", "ne.csv"]  # the last resort: cut
    assert wrap_words("one\ntwo three", 5) == ["one", "two", "three"]
