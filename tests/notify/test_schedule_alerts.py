"""The Schedule screen's alerts: settings, the last alert per export, failed deliveries and
"Send a test alert", against the real receivers."""

from __future__ import annotations

from textual.widgets import Static

from sgtui.notify.service import notice_run
from sgtui.tui.app import SgtuiApp, make_app
from sgtui.tui.screens.schedule import ScheduleScreen
from sgtui.workspace.config import Workspace
from sgtui.workspace.run_records import RunStatus
from sgtui.workspace.secrets import MemorySecrets

from .conftest import Alerted, set_notify
from .test_alerts import recorded


def shown(app: SgtuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settled(app: SgtuiApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_screen_shows_where_alerts_go_and_sends_a_test(alerted: Alerted) -> None:
    app = make_app(Workspace.open(alerted.workspace.folder), secrets=MemorySecrets())
    async with app.run_test(size=(120, 50)) as pilot:
        await app.push_screen(ScheduleScreen())
        await settled(app, pilot)
        settings = shown(app, "#notify-settings")
        assert "webhook  127.0.0.1" in settings and "secret" not in settings
        assert "email    ops@example.com via 127.0.0.1:" in settings
        assert "alerts on failed, partial, recovered" in settings
        assert shown(app, "#alerts-sent") == "No alert has been sent yet."

        await pilot.press("a")
        await settled(app, pilot)
        result = shown(app, "#test-alert-result")
        assert "webhook to 127.0.0.1: delivered: 127.0.0.1 took it (HTTP 200)." in result
        assert "email to ops@example.com via 127.0.0.1:" in result
        assert alerted.webhook.bodies[0]["kind"] == "test"
        assert len(alerted.smtp.messages) == 1


async def test_the_last_alert_per_export_and_failed_deliveries_show(alerted: Alerted) -> None:
    alerted.webhook.status = 500
    notice_run(alerted.workspace, recorded(alerted, RunStatus.FAILED,
                                           "SendGrid did not accept the API key."))
    app = make_app(Workspace.open(alerted.workspace.folder), secrets=MemorySecrets())
    async with app.run_test(size=(140, 50)) as pilot:
        await app.push_screen(ScheduleScreen())
        await settled(app, pilot)
        sent = shown(app, "#alerts-sent").splitlines()
        assert sent[0] == "Last alert per export:"
        assert sent[1].split()[:2] == ["news", "failed"]
        assert sent[1].endswith("webhook NOT delivered, email delivered")
        assert "Deliveries that failed (newest first):" in sent
        assert any("failed alert about news by webhook to 127.0.0.1: 127.0.0.1 answered "
                   "HTTP 500 (tried 2 times)." in line for line in sent)

        await pilot.click("#test-alert")
        await settled(app, pilot)
        assert "webhook to 127.0.0.1: FAILED: 127.0.0.1 answered HTTP 500" in shown(
            app, "#test-alert-result")


async def test_without_notify_the_screen_says_how_to_set_it_up(alerted: Alerted) -> None:
    text = alerted.workspace.path.read_text()
    alerted.workspace.path.write_text(text.split("[notify]")[0])
    app = make_app(Workspace.open(alerted.workspace.folder), secrets=MemorySecrets())
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(ScheduleScreen())
        await settled(app, pilot)
        assert shown(app, "#notify-settings").startswith("No alerts are set up")
        await pilot.press("a")
        await settled(app, pilot)
        assert "nowhere to send a test alert" in shown(app, "#test-alert-result")
    assert alerted.webhook.bodies == []


async def test_problems_in_notify_are_named_on_the_screen(alerted: Alerted) -> None:
    workspace = set_notify(alerted.workspace, webhook="https://u:pw@hooks.example.com/x")
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ScheduleScreen())
        await settled(app, pilot)
        settings = shown(app, "#notify-settings")
        assert "problem: notify.webhook: the URL to hooks.example.com holds a password" in (
            " ".join(settings.split()))
        assert "pw@" not in settings
