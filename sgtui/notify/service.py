"""What the commands and the app call after a run: decide, build, deliver, remember.

Every function here is blocking (call it from a thread in the app) and never raises: an
alert that cannot be sent is a line in ``runs/sgtui.log`` and a row the Schedule screen
shows, never a different outcome or exit code for the run. Targets are tried at the same
time, so a run waits at most one :attr:`DeliveryPolicy.bound` for its alerts.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from sgtui.errors import sentence_for
from sgtui.notify import delivery
from sgtui.notify.decide import Decision, Health, decide, health_of
from sgtui.notify.delivery import Delivery, DeliveryPolicy
from sgtui.notify.ledger import REFRESH, AlertLedger, Known, SentAlert
from sgtui.notify.logbook import log_line
from sgtui.notify.mail import TARGET as MAIL
from sgtui.notify.mail import mail_destination, send_mail
from sgtui.notify.message import Alert, Place, refresh_alert, run_alert, scrub, trial_alert
from sgtui.notify.webhook import TARGET as WEBHOOK
from sgtui.notify.webhook import send_webhook
from sgtui.workspace.config import Workspace
from sgtui.workspace.notify_settings import (
    AlertKind,
    NotifySettings,
    read_notify,
    webhook_host,
)
from sgtui.workspace.run_records import RunStatus, RunSummary
from sgtui.workspace.state import StateStore

Sender = Callable[[Alert], Delivery]


@dataclass(frozen=True, slots=True)
class TestReport:
    """What ``sgtui notify --test`` (and the Schedule screen's test) found."""

    __test__ = False  # not a pytest test class

    problems: tuple[tuple[str, str], ...]
    """[notify] problems (key, sentence); their targets were not tried."""
    deliveries: tuple[Delivery, ...]

    @property
    def ok(self) -> bool:
        """Every configured target got the alert, and [notify] has no problem."""
        return not self.problems and bool(self.deliveries) and all(
            d.delivered for d in self.deliveries)


def place_of(workspace: Workspace) -> Place:
    """This host's name and the workspace's folder, as alerts name them."""
    return Place(host=socket.gethostname() or "unknown", workspace=str(workspace.folder.absolute()))


def notice_run(workspace: Workspace, summary: RunSummary, *,
               policy: DeliveryPolicy | None = None) -> list[Delivery]:
    """Alert about ``summary`` if it changed what the targets know about its export."""
    def alert(kind: AlertKind, known: dict[str, Known]) -> Alert:
        return run_alert(kind, summary.export, summary, summary.sentence, place_of(workspace),
                         last_success=_last_success(workspace, summary.export, summary.run_id),
                         failing_since=_failing_since(known),
                         emails=_rejected_emails(workspace, summary.run_id))

    def health(settings: NotifySettings) -> Health | None:
        return health_of(summary, settings.partial_above_percent)

    return _notice(workspace, summary.export, health, alert, summary.run_id, policy)


def notice_unstarted(workspace: Workspace, export: str, sentence: str, *,
                     policy: DeliveryPolicy | None = None) -> list[Delivery]:
    """Alert that ``export`` failed before a run could start (``sentence`` says why)."""
    def alert(kind: AlertKind, known: dict[str, Known]) -> Alert:
        return run_alert(kind, export, None, sentence, place_of(workspace),
                         last_success=_last_success(workspace, export, None),
                         failing_since=_failing_since(known))

    return _notice(workspace, export, lambda _: Health.FAILED, alert, None, policy)


def notice_refresh(workspace: Workspace, problem: str | None, *,
                   policy: DeliveryPolicy | None = None) -> list[Delivery]:
    """The refresh as a whole failed (``problem`` says why), or ran (None: maybe recovered)."""
    def alert(kind: AlertKind, known: dict[str, Known]) -> Alert:
        return refresh_alert(kind, problem or "", place_of(workspace),
                             failing_since=_failing_since(known))

    health = Health.OK if problem is None else Health.FAILED
    return _notice(workspace, REFRESH, lambda _: health, alert, None, policy)


def send_test(workspace: Workspace, *, policy: DeliveryPolicy | None = None) -> TestReport:
    """A test alert to every configured target; what happened to each."""
    settings = read_notify(workspace.document)
    senders = _senders(settings, _policy(policy))
    alert = trial_alert(place_of(workspace))
    at = datetime.now(UTC)
    deliveries = _deliver(senders, {target: alert for target in senders})
    try:
        ledger = AlertLedger(workspace.state_path)
        for result in deliveries:
            ledger.record(_sent("(test)", alert, None, result, at))
    except Exception as error:  # the report still says what happened
        log_line(workspace, "WARNING", sentence_for(
            error, "could not record the test alert ({cause})."))
    for result in deliveries:
        _log_delivery(workspace, "test alert", result)
    return TestReport(settings.problems, tuple(deliveries))


def configured_targets(settings: NotifySettings) -> list[tuple[str, str]]:
    """(target, destination) of each target alerts go to."""
    targets = []
    if settings.webhook:
        targets.append((WEBHOOK, webhook_host(settings.webhook)))
    if settings.mail_ready and settings.smtp:
        targets.append((MAIL, mail_destination(settings.email, settings.smtp)))
    return targets


# -- the one path every notice takes ---------------------------------------------------------
def _notice(workspace: Workspace, subject: str,
            health_for: Callable[[NotifySettings], Health | None],
            make_alert: Callable[[AlertKind, dict[str, Known]], Alert], run_id: int | None,
            policy: DeliveryPolicy | None) -> list[Delivery]:
    try:
        settings = read_notify(workspace.document)
        senders = _senders(settings, _policy(policy))
        now = health_for(settings)
        if not senders or now is None:
            return []
        for key, sentence in settings.problems:
            log_line(workspace, "WARNING", f"[notify] {key}: {sentence}")
        ledger = AlertLedger(workspace.state_path)
        known = ledger.known(subject, senders)
        decisions: dict[str, Decision] = {
            target: decide(known[target].health, now, settings.on) for target in senders}
        at = datetime.now(UTC)
        alerts: dict[AlertKind, Alert] = {}
        outgoing: dict[str, Alert] = {}
        for target, decision in decisions.items():
            if decision.alert is None:
                if decision.remember is not known[target].health:
                    ledger.remember(subject, target, decision.remember, at)
                continue
            if decision.alert not in alerts:
                alerts[decision.alert] = make_alert(decision.alert, known)
            outgoing[target] = alerts[decision.alert]
        deliveries = _deliver({t: senders[t] for t in outgoing}, outgoing)
        for result in deliveries:
            ledger.record(_sent(subject, outgoing[result.target], run_id, result, at))
            if result.delivered:
                ledger.remember(subject, result.target, decisions[result.target].remember, at)
            _log_delivery(workspace, f"{outgoing[result.target].kind} alert about {subject}",
                          result)
        return deliveries
    except Exception as error:  # an alert never changes a run's outcome
        log_line(workspace, "ERROR", f"alerts about {subject} were not sent: " + sentence_for(
            error, "sgtui met an unexpected problem ({cause})."))
        return []


def _senders(settings: NotifySettings, policy: DeliveryPolicy) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    webhook, relay, sender = settings.webhook, settings.smtp, settings.sender
    if webhook:
        senders[WEBHOOK] = lambda alert: send_webhook(webhook, alert, policy)
    if settings.mail_ready and relay and sender:
        recipients = settings.email
        senders[MAIL] = lambda alert: send_mail(alert, relay, sender, recipients, policy)
    return senders


def _deliver(senders: dict[str, Sender], alerts: dict[str, Alert]) -> list[Delivery]:
    if not senders:
        return []
    with ThreadPoolExecutor(max_workers=len(senders),
                            thread_name_prefix="sgtui-alert") as pool:
        futures = [pool.submit(senders[target], alerts[target]) for target in senders]
        return [future.result() for future in futures]


def _policy(policy: DeliveryPolicy | None) -> DeliveryPolicy:
    return policy if policy is not None else delivery.DEFAULT_POLICY


def _sent(subject: str, alert: Alert, run_id: int | None, result: Delivery,
          at: datetime) -> SentAlert:
    return SentAlert(subject=subject, kind=alert.kind, run_id=run_id, target=result.target,
                     destination=result.destination, delivered=result.delivered,
                     detail=result.detail, line=alert.line, sent_at=at)


def _log_delivery(workspace: Workspace, what: str, result: Delivery) -> None:
    if result.delivered:
        log_line(workspace, "INFO", f"{what} sent by {result.target} to {result.destination}: "
                 f"{result.detail}")
    else:
        log_line(workspace, "WARNING", f"{what} NOT delivered by {result.target} to "
                 f"{result.destination}: {scrub(result.detail)}")


def _last_success(workspace: Workspace, export: str, run_id: int | None) -> datetime | None:
    try:
        runs = StateStore(workspace.state_path).list_runs(export, limit=200)
    except Exception:
        return None
    return next((run.finished_at for run in runs if run.status is RunStatus.SUCCEEDED
                 and not run.dry_run and run.run_id != run_id), None)


def _rejected_emails(workspace: Workspace, run_id: int) -> list[str]:
    try:
        return [row.email for row in StateStore(workspace.state_path).rejected_rows(run_id)]
    except Exception:
        return []


def _failing_since(known: dict[str, Known]) -> datetime | None:
    moments = [k.since for k in known.values() if k.health is not Health.OK and k.since]
    return min(moments) if moments else None

