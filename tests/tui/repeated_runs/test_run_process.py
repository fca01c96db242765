"""A run from the app goes on in its own process: the key travels by pipe, cancel still works."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sgtui.export.events import RunStatus

from .conftest import KEY, News
from .helpers import open_exports, run_number, until


async def test_a_run_from_the_app_runs_in_a_child_that_gets_the_key_only_by_pipe(
        news: News) -> None:
    app = news.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("r")
        await until(pilot, lambda: len(app.runs) == 1 and app.runs.latest().process is not None)
        process = app.runs.latest().process
        assert process.pid != os.getpid()
        seen_by_others = (Path(f"/proc/{process.pid}/cmdline").read_bytes()
                          + Path(f"/proc/{process.pid}/environ").read_bytes())
        handle = await run_number(pilot, 1)
    assert KEY.encode() not in seen_by_others
    assert handle.state.status is RunStatus.SUCCEEDED
    assert news.list_emails() == news.members()  # the child's events reached the panel...
    assert handle.state.uploaded == len(news.members())  # ...with the numbers the list has
    for path in news.workspace.folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


async def test_cancelling_a_run_in_its_child_stops_it_at_once(news: News) -> None:
    news.sandbox.job_delay = 5.0  # jobs stay pending: the run would wait on them
    app = news.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("r")
        await until(pilot, lambda: app.runs.latest() is not None
                    and app.runs.latest().state.accepted_batches > 0)
        handle = app.runs.latest()
        asked = time.monotonic()
        handle.request_cancel()
        await until(pilot, lambda: not handle.running)
        took = time.monotonic() - asked
        await until(pilot, lambda: handle.worker.is_finished)  # the child has exited
    assert handle.state.status is RunStatus.CANCELLED
    assert took < 2.0
