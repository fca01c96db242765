"""The wizard's review shows, in mirror mode, who a run would remove from the list."""

from __future__ import annotations

from sgtui.export.engine import run_export
from sgtui.tui.screens.export_wizard import ExportDraft, ExportWizardScreen
from sgtui.workspace.model import SyncMode
from sgtui.workspace.secrets import KeyringSecrets

from .conftest import News
from .helpers import settle, text

REVIEW = 6


async def review_of(pilot, draft: ExportDraft) -> str:  # type: ignore[no-untyped-def]
    """Open the wizard on ``draft`` at its review step; the removals paragraph, or ''."""
    app = pilot.app
    await pilot.pause()
    app.push_screen(ExportWizardScreen(draft))
    await settle(pilot)
    await app.screen._show(REVIEW)
    await settle(pilot)
    removals = app.screen.query_one("#review-removals")
    return text(app, "#review-removals") if removals.display else ""


async def test_review_names_the_people_who_left_the_segments(news: News) -> None:
    news.set_mode(SyncMode.MIRROR)
    summary = await run_export(news.workspace, "news", secrets=KeyringSecrets(),
                               on_event=lambda event: None)
    assert summary.uploaded == len(news.members())
    before = news.members()
    news.leave_newsletter(25)
    left = sorted(set(before) - set(news.members()))
    assert 15 < len(left) <= 25

    app = news.app()
    async with app.run_test(size=(100, 40)) as pilot:
        shown = await review_of(pilot, ExportDraft.from_config(news.workspace.exports["news"]))
        assert f"{len(left)} people sgtui sent to this list before are no longer" in shown
        assert "never from the SendGrid account" in shown
        assert f"account): {', '.join(left[:10])} and {len(left) - 10} more." in shown
        assert news.list_emails() == before  # the review removed nobody

        await app.screen.action_previous_step()  # Schedule: switch to add-and-update
        app.screen.draft.mode = SyncMode.UPSERT
        await app.screen._show(REVIEW)
        await settle(pilot)
        assert not app.screen.query_one("#review-removals").display


async def test_review_of_a_new_mirror_export_says_nothing_was_sent_yet(news: News) -> None:
    export = news.workspace.exports["news"]
    draft = ExportDraft.from_config(export, copy_as="news-mirror")
    draft.mode = SyncMode.MIRROR
    app = news.app()
    async with app.run_test(size=(100, 40)) as pilot:
        shown = await review_of(pilot, draft)
    assert "Nothing was sent yet, so nobody would be removed." in shown


async def test_review_when_nobody_left_says_so(news: News) -> None:
    news.set_mode(SyncMode.MIRROR)
    await run_export(news.workspace, "news", secrets=KeyringSecrets(),
                     on_event=lambda event: None)
    app = news.app()
    async with app.run_test(size=(100, 40)) as pilot:
        shown = await review_of(pilot, ExportDraft.from_config(news.workspace.exports["news"]))
    assert "Nobody would be removed" in shown
