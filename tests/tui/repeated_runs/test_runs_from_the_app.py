"""Issue 8 in the app: full runs, confirming removals past the limit, a list changed outside."""

from __future__ import annotations

import asyncio
import sqlite3

from sgtui.export.events import RunStatus
from sgtui.sendgrid.client import SendGridClient
from sgtui.tui.screens.exports import ExportsScreen
from sgtui.tui.screens.progress import RunProgressScreen
from sgtui.tui.widgets.confirm import ConfirmModal
from sgtui.workspace.model import SyncMode
from sgtui.workspace.secrets import ApiKey

from .conftest import KEY, News
from .helpers import button, open_exports, run_number, text


async def test_run_full_sends_everything_again_on_an_unchanged_rerun(news: News) -> None:
    app = news.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        assert "f run full" in text(app, "#exports-role")
        assert "f: run full (send everything)" in text(app, "#exports-detail")
        await pilot.press("r")
        first = await run_number(pilot, 1)
        assert first.state.status is RunStatus.SUCCEEDED
        everyone = len(news.members())
        assert news.upserted() == everyone

        await pilot.press("escape", "r")
        again = await run_number(pilot, 2)
        assert not again.full and news.upserted() == everyone  # unchanged: nothing sent
        assert text(app, "#run-summary").startswith("Nothing changed")

        await pilot.press("escape")
        assert isinstance(app.screen, ExportsScreen)
        await pilot.press("f")
        full = await run_number(pilot, 3)
        assert full.full and full.state.status is RunStatus.SUCCEEDED
        assert news.upserted() == 2 * everyone
        assert news.list_emails() == news.members()


async def test_removals_past_the_limit_are_confirmed_then_made(news: News) -> None:
    news.set_mode(SyncMode.MIRROR)
    app = news.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("r")
        await run_number(pilot, 1)
        before = news.list_emails()
        assert before == news.members()

        news.leave_newsletter(1_300)
        after = news.members()
        left = set(before) - set(after)
        assert len(left) > 1_000  # the limit: 10% of about 2,000, or 1,000

        await pilot.press("escape", "r")
        refused = await run_number(pilot, 2)
        assert refused.state.status is RunStatus.FAILED
        assert refused.state.removals_to_allow == len(left)
        assert "Nobody was removed" in text(app, "#run-summary")
        offer = button(app, "#run-allow-removals")
        assert offer is not None and str(offer.label) == (
            f"Remove {len(left):,} people from the list")
        assert button(app, "#run-full") is None
        assert news.list_emails() == before

        await pilot.press("a")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # changed their mind: nothing runs
        await pilot.pause()
        assert isinstance(app.screen, RunProgressScreen) and app.screen.handle is refused

        await pilot.click("#run-allow-removals")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        body = text(app, "#confirm-body")
        assert f"{len(left):,} people who left the segments of news" in body
        assert "removed from the list only, never deleted from the SendGrid account" in body
        await pilot.press("y")
        allowed = await run_number(pilot, 3)
        assert allowed.allow_removals == len(left)
        assert allowed.state.status is RunStatus.SUCCEEDED, allowed.state.summary_line()
        assert allowed.state.removed == len(left)
        assert news.list_emails() == after
        assert news.sandbox.stats()["contacts_removed"] == len(left)
        assert len(app.screen_stack) == 3  # home, exports, the new run's panel: no pile-up


async def take_off_the_list(news: News, count: int) -> None:
    """Remove ``count`` people from the list in SendGrid itself (not through sgtui)."""
    async with SendGridClient(ApiKey(KEY), base_url=news.sandbox.base_url) as client:
        found = await client.search_emails(news.list_emails()[:count])
        for job in await client.remove_from_list(news.list_id, list(found.values())):
            while not (await client.import_status(job)).finished:
                await asyncio.sleep(0.01)


def age_sgtuis_jobs(news: News) -> None:
    """Make every job sgtui recorded look finished long ago."""
    db = sqlite3.connect(news.workspace.state_path)
    with db:
        db.execute("UPDATE jobs SET updated_at = '2020-01-01T00:00:00.000+00:00'")
    db.close()


async def test_a_list_changed_outside_sgtui_is_warned_and_a_full_run_offered(
        news: News) -> None:
    app = news.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exports(pilot)
        await pilot.press("r")
        await run_number(pilot, 1)
        await take_off_the_list(news, 40)
        assert len(news.list_emails()) == len(news.members()) - 40
        # The change comes well after sgtui's last job, so a lower count cannot be SendGrid
        # still catching up with that job (see export.catch_up).
        age_sgtuis_jobs(news)

        await pilot.press("escape", "r")
        warned = await run_number(pilot, 2)
        notes = text(app, "#run-notes")
        assert "⚠" in notes and "changed outside sgtui" in notes
        assert button(app, "#run-full") is not None
        assert warned.state.uploaded == 0  # a delta run cannot see what SendGrid dropped

        await pilot.press("f")
        full = await run_number(pilot, 3)
        assert full.full and full.state.status is RunStatus.SUCCEEDED
        assert news.list_emails() == news.members()
        assert button(app, "#run-full") is None
