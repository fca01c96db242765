"""What an alert says: one line a person understands at a glance, then the details.

```
sgtui: export spring-newsletter failed on host db1: SendGrid did not accept the API key.
Last success 3 h ago.

Workspace:  /srv/sgtui/marketing
Host:       db1
Export:     spring-newsletter
Run:        42, failed at 2026-12-01 03:17 UTC
What happened: SendGrid did not accept the API key. Create a key ...
Counts:     3,000 profiles read, 2,950 contacts, 0 sent, 0 refused by SendGrid
What to do: ...
```

Everything that comes from a run passes :func:`scrub`: no email address (a customer's, in a
SendGrid error message) and nothing shaped like an API key ever leaves in an alert. An alert
carries no other profile data: only counts.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sgtui.workspace.notify_settings import AlertKind
from sgtui.workspace.redaction import redact
from sgtui.workspace.run_records import RunSummary

_EMAIL_SHAPE = re.compile(r"[^\s<>()\[\]\"',;]*@[^\s<>()\[\]\"',;]*")
_TRAILING = ".:!?"
EMAIL_REMOVED = "[an email address]"
TEST = "test"
"""The kind of a test alert (``sgtui notify --test``, or the Schedule screen)."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert, ready for any target."""

    kind: str
    """An :class:`AlertKind` value, or :data:`TEST`."""
    line: str
    """The first line: what happened, where, since when."""
    details: tuple[tuple[str, str], ...]
    """(label, text) pairs for the body."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The same as plain JSON values, for webhooks."""

    @property
    def subject(self) -> str:
        """The mail subject: the first line (mail clients shorten it where they must)."""
        return self.line

    @property
    def body(self) -> str:
        """The plain-text body: the line, a blank line, the details."""
        width = max((len(label) for label, _ in self.details), default=0) + 1
        lines = [self.line, ""]
        lines += [f"{label + ':':<{width}} {text}" for label, text in self.details]
        return "\n".join(lines) + "\n"

    def webhook_payload(self) -> dict[str, Any]:
        """``text`` (what Slack, Mattermost and Teams workflows show) plus the fields."""
        return {"text": self.body.rstrip("\n"), **self.fields}


def scrub(text: str, emails: Iterable[str] = ()) -> str:
    """``text`` without ``emails``, anything else with an ``@`` in it (a customer's address,
    well-formed or not), or anything shaped like a key or a bearer token."""
    text = redact(text)
    for email in sorted({e.strip() for e in emails if e.strip()}, key=len, reverse=True):
        text = text.replace(email, EMAIL_REMOVED)

    def removed(match: re.Match[str]) -> str:
        token = match.group(0)
        kept = len(token) - len(token.rstrip(_TRAILING))
        return EMAIL_REMOVED + (token[-kept:] if kept else "")

    return _EMAIL_SHAPE.sub(removed, text)


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, without its full stop."""
    text = " ".join(text.split())
    match = re.search(r"[.!?](\s|$)", text)
    head = text[:match.start()] if match else text
    return head.rstrip(".!? ") or "no details were given"


def ago(moment: datetime | None, now: datetime) -> str:
    """``3 h ago``, ``12 min ago``, ``2 days ago``, ``just now``."""
    if moment is None:
        return "at an unknown time"
    seconds = max((now - moment).total_seconds(), 0.0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


@dataclass(frozen=True, slots=True)
class Place:
    """Where sgtui runs: the host and the workspace folder."""

    host: str
    workspace: str


def run_alert(kind: AlertKind, export: str, summary: RunSummary | None, sentence: str,
              place: Place, *, last_success: datetime | None, failing_since: datetime | None,
              now: datetime | None = None, emails: Iterable[str] = ()) -> Alert:
    """The alert about one export's run (``summary`` None: it could not even start).

    ``emails``: addresses the run set aside or SendGrid refused, never to be repeated.
    """
    now = now or datetime.now(UTC)
    sentence = scrub(sentence, emails)
    head = first_sentence(sentence)
    if kind is AlertKind.RECOVERED:
        since = f" It first failed {ago(failing_since, now)}." if failing_since else ""
        line = f"sgtui: export {export} recovered on host {place.host}: {head}.{since}"
    else:
        verb = "failed" if kind is AlertKind.FAILED else "partly failed"
        success = (f"Last success {ago(last_success, now)}." if last_success
                   else "It has not succeeded yet.")
        line = f"sgtui: export {export} {verb} on host {place.host}: {head}. {success}"
    details: list[tuple[str, str]] = [
        ("Workspace", place.workspace), ("Host", place.host), ("Export", export)]
    fields: dict[str, Any] = {
        "kind": kind.value, "workspace": place.workspace, "host": place.host,
        "export": export, "sentence": sentence, "what_to_do": "",
        "last_success_at": _iso(last_success),
    }
    if summary is not None:
        status = summary.status.value
        details.append(("Run", f"{summary.run_id}, {status} at {_stamp(summary.finished_at)}"))
        fields |= {"run_id": summary.run_id, "status": status, "counts": _counts(summary),
                   "finished_at": _iso(summary.finished_at)}
    else:
        status = "failed"
        details.append(("Run", "none: the export could not start"))
        fields |= {"run_id": None, "status": status, "counts": {}}
    details.append(("What happened", sentence))
    if summary is not None:
        details.append(("Counts", _counts_line(summary)))
    todo = _what_to_do(kind, export, summary, place)
    details.append(("What to do", todo))
    fields["what_to_do"] = todo
    fields["line"] = line
    return Alert(kind.value, line, tuple(details), fields)


def refresh_alert(kind: AlertKind, sentence: str, place: Place, *,
                  failing_since: datetime | None, now: datetime | None = None) -> Alert:
    """The alert about the refresh as a whole (it could not run any export, or can again)."""
    now = now or datetime.now(UTC)
    sentence = scrub(sentence)
    if kind is AlertKind.RECOVERED:
        since = f" It first failed {ago(failing_since, now)}." if failing_since else ""
        line = f"sgtui: the refresh on host {place.host} runs again.{since}"
        todo = "Nothing: scheduled exports run again (each export alerts on its own)."
    else:
        line = f"sgtui: the refresh on host {place.host} failed: {first_sentence(sentence)}."
        todo = ("Fix what happened, above; until then no scheduled export runs. "
                f"Try it by hand with: {_command('refresh', place)}")
    details = (("Workspace", place.workspace), ("Host", place.host),
               ("What happened", sentence), ("What to do", todo))
    fields = {"kind": kind.value, "workspace": place.workspace, "host": place.host,
              "export": None, "run_id": None, "status": "failed" if kind is not
              AlertKind.RECOVERED else "succeeded", "sentence": sentence,
              "what_to_do": todo, "line": line}
    return Alert(kind.value, line, details, fields)


def trial_alert(place: Place, now: datetime | None = None) -> Alert:
    """A test alert: says where it comes from and that this target works."""
    now = now or datetime.now(UTC)
    line = (f"sgtui: test alert from host {place.host}: alerts about this workspace's "
            "exports reach you here.")
    todo = "Nothing: this is a test. Real alerts come when an export fails and when it recovers."
    details = (("Workspace", place.workspace), ("Host", place.host),
               ("Sent", _stamp(now)), ("What to do", todo))
    fields = {"kind": TEST, "workspace": place.workspace, "host": place.host, "export": None,
              "run_id": None, "status": TEST, "sentence": line, "what_to_do": todo,
              "line": line}
    return Alert(TEST, line, details, fields)


# -- pieces ------------------------------------------------------------------------------
def _what_to_do(kind: AlertKind, export: str, summary: RunSummary | None, place: Place) -> str:
    if kind is AlertKind.RECOVERED:
        return "Nothing: the export works again."
    again = _command(f"run {shlex.quote(export)}", place)
    if kind is AlertKind.PARTIAL and summary is not None:
        where = f" (they are listed in {summary.rejected_csv})" if summary.rejected_csv else ""
        return (f"Look at the rows SendGrid refused{where} and fix them in the customer "
                "data; the next run sends them again. History in sgtui (h) shows why.")
    return (f"Fix what happened, above, then run it again with: {again} "
            "(or wait for the next refresh). History in sgtui (h) shows every run.")


def _command(arguments: str, place: Place) -> str:
    return f"sgtui {arguments} --workspace {shlex.quote(place.workspace)}"


def _counts(summary: RunSummary) -> dict[str, int]:
    return {"profiles": summary.profiles, "contacts": summary.valid,
            "sent": summary.uploaded, "unchanged": summary.unchanged,
            "created": summary.created, "updated": summary.updated,
            "refused_by_sendgrid": summary.rejected_by_sendgrid,
            "set_aside": summary.invalid_email + summary.missing_email,
            "removed": summary.removed}


def _counts_line(summary: RunSummary) -> str:
    return (f"{summary.profiles:,} profiles read, {summary.valid:,} contacts, "
            f"{summary.uploaded:,} sent, {summary.rejected_by_sendgrid:,} refused by SendGrid, "
            f"{summary.invalid_email + summary.missing_email:,} set aside (no usable email)")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
