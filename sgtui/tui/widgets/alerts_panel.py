"""The Schedule screen's alerts: the ``[notify]`` settings, the last alert per export, the
deliveries that failed, and **Send a test alert**.

Everything is read and sent in thread workers (the state database, SMTP and HTTP block);
results come back as past-tense messages. Nothing shown names a password, and a webhook
only by its host (its path is the secret that lets anyone post).
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from sgtui.errors import sentence_for
from sgtui.notify.delivery import Delivery
from sgtui.notify.ledger import REFRESH, SentAlert
from sgtui.notify.message import TEST
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.plain_marks import Button
from sgtui.workspace.notify_settings import AlertKind, NotifySettings, read_notify

KIND_STYLES = {"failed": "bold $error", "partial": "$warning", "recovered": "$success",
               "test": "$accent"}


def _time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class AlertsPanel(OfSgtuiApp, Vertical):
    """Where alerts go, what was last sent, and a button that sends a test alert."""

    DEFAULT_CSS = """
    AlertsPanel { height: auto; }
    AlertsPanel > Static { height: auto; }
    AlertsPanel > #alerts-sent { color: $text; margin-top: 1; }
    AlertsPanel > #test-alert { margin-top: 1; width: auto; min-width: 22; }
    AlertsPanel > #test-alert-result { height: auto; }
    """

    class Loaded(Message):
        """The alerts sent so far were read (or could not be)."""

        def __init__(self, last: dict[str, list[SentAlert]], failures: list[SentAlert],
                     problem: str | None) -> None:
            super().__init__()
            self.last, self.failures, self.problem = last, failures, problem

    class TestSent(Message):
        """A test alert went to every target; what happened to each."""

        def __init__(self, deliveries: tuple[Delivery, ...],
                     problems: tuple[tuple[str, str], ...]) -> None:
            super().__init__()
            self.deliveries, self.problems = deliveries, problems

    def compose(self) -> ComposeResult:
        yield Static(self._settings(), id="notify-settings")
        yield Static(Content("Reading the alerts sent…"), id="alerts-sent")
        yield Button("Send a test alert", id="test-alert", compact=True)
        yield Static("", id="test-alert-result")

    @property
    def settings(self) -> NotifySettings:
        """``[notify]`` as the workspace file says now."""
        return read_notify(self.app.workspace.document)

    # -- the settings ----------------------------------------------------------------------
    def _settings(self) -> Content:
        from sgtui.notify.service import configured_targets

        settings = self.settings
        if "notify" not in self.app.workspace.document:
            return Content(
                "No alerts are set up: nobody hears when a scheduled export starts failing. "
                "Add a [notify] table to sgtui.toml with webhook = \"https://...\" (a Slack "
                "incoming webhook, say) or email = [\"ops@example.com\"] with smtp and from; "
                "the README's Alerts section shows both. sgtui check tells what is wrong in it."
            )
        lines: list[Content] = []
        for target, destination in configured_targets(settings):
            lines.append(Content(f"  {target:<8} {destination}\n"))
        if not lines:
            lines.append(Content.styled("  no target can be used; see the problems below\n",
                                        "$error"))
        kinds = ", ".join(kind.value for kind in AlertKind if kind in settings.on) or "nothing"
        threshold = (f"; partial runs only past {settings.partial_above_percent:g}% refused "
                     "rows" if settings.partial_above_percent else "")
        lines.append(Content(f"  alerts on {kinds}{threshold}"))
        for key, sentence in settings.problems:
            where = "notify" if key == "notify" else f"notify.{key}"
            lines.append(Content.styled(f"\n  problem: {where}: {sentence}", "$error"))
        return Content("").join([Content("Alerts go to:\n"), *lines])

    # -- what was sent ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="schedule-alerts", exit_on_error=False)
    def load(self) -> None:
        """Read the last alert per export and the failed deliveries, off the UI thread."""
        from sgtui.notify.ledger import AlertLedger

        workspace = self.app.workspace
        last: dict[str, list[SentAlert]] = {}
        failures: list[SentAlert] = []
        problem = None
        try:
            if workspace.state_path.exists():
                ledger = AlertLedger(workspace.state_path)
                last, failures = ledger.last_alerts(), ledger.failures()
        except Exception as error:  # an unreadable database must not end the app
            problem = sentence_for(error, "The alerts sent could not be read ({cause}).")
        self.post_message(self.Loaded(last, failures, problem))

    def on_alerts_panel_loaded(self, event: Loaded) -> None:
        self.query_one("#notify-settings", Static).update(self._settings())
        self.query_one("#alerts-sent", Static).update(self._sent(event))

    @staticmethod
    def _sent(event: Loaded) -> Content:
        if event.problem:
            return Content.styled(event.problem, "$error")
        if not event.last and not event.failures:
            return Content("No alert has been sent yet.")
        lines: list[Content] = [Content("Last alert per export:")]
        width = max((len(_subject(name)) for name in event.last), default=0)
        for name, sent in sorted(event.last.items()):
            first = sent[0]
            targets = ", ".join(f"{s.target} {'delivered' if s.delivered else 'NOT delivered'}"
                                for s in sent)
            lines.append(Content.assemble(
                f"\n  {_subject(name):<{width}}  ",
                (f"{first.kind:<9}", KIND_STYLES.get(first.kind, "")),
                f" {_time(first.sent_at)}  {targets}",
            ))
        if event.failures:
            lines.append(Content("\n\nDeliveries that failed (newest first):"))
            for failed in event.failures:
                what = ("test alert" if failed.kind == TEST
                        else f"{failed.kind} alert about {_subject(failed.subject)}")
                lines.append(Content.styled(
                    f"\n  {_time(failed.sent_at)}  {what} by {failed.target} to "
                    f"{failed.destination}: {failed.detail}", "$error"))
        return Content("").join(lines)

    # -- the test alert --------------------------------------------------------------------
    @on(Button.Pressed, "#test-alert")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.send_test()

    def send_test(self) -> None:
        """Send a test alert to every target (the screen's key calls this too)."""
        if not self.settings.has_targets:
            self.query_one("#test-alert-result", Static).update(Content.styled(
                "There is nowhere to send a test alert: set up [notify] first (see above).",
                "$warning"))
            return
        self.query_one("#test-alert-result", Static).update(Content("Sending a test alert…"))
        self._send_test()

    @work(thread=True, exclusive=True, group="schedule-test-alert", exit_on_error=False)
    def _send_test(self) -> None:
        from sgtui.notify.service import send_test

        report = send_test(self.app.workspace)
        self.post_message(self.TestSent(report.deliveries, report.problems))

    def on_alerts_panel_test_sent(self, event: TestSent) -> None:
        lines: list[Content] = []
        for result in event.deliveries:
            lines.append(Content.styled(f"{result}\n", "" if result.delivered else "$error"))
        if event.problems:
            lines.append(Content.styled("Targets with a problem above were not tried.",
                                        "$warning"))
        self.query_one("#test-alert-result", Static).update(Content("").join(lines).rstrip())
        self.load()


def _subject(name: str) -> str:
    return "the refresh" if name == REFRESH else name
