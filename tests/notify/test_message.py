"""What an alert says: one line first, the details after, never an address or a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sgtui.notify.message import Place, ago, first_sentence, run_alert, scrub
from sgtui.workspace.notify_settings import AlertKind
from sgtui.workspace.run_records import RunStatus, RunSummary

NOW = datetime(2026, 12, 1, 6, 17, tzinfo=UTC)
PLACE = Place(host="db1", workspace="/srv/sgtui/marketing")


def test_the_issue_example_line() -> None:
    summary = RunSummary(run_id=42, export="spring-newsletter", status=RunStatus.FAILED,
                         sentence="SendGrid did not accept the API key. Create a key with "
                                  "Marketing access and try again.",
                         started_at=NOW, finished_at=NOW, profiles=3000, valid=2950)
    alert = run_alert(AlertKind.FAILED, "spring-newsletter", summary, summary.sentence, PLACE,
                      last_success=NOW - timedelta(hours=3, minutes=5), failing_since=None,
                      now=NOW)
    assert alert.line == ("sgtui: export spring-newsletter failed on host db1: SendGrid did "
                          "not accept the API key. Last success 3 h ago.")
    body = alert.body.splitlines()
    assert body[0] == alert.line and body[1] == ""
    assert "Workspace:     /srv/sgtui/marketing" in body
    assert "Run:           42, failed at 2026-12-01 06:17 UTC" in body
    assert any(line.startswith("What to do:") and "sgtui run spring-newsletter --workspace "
               "/srv/sgtui/marketing" in line for line in body)
    assert alert.webhook_payload()["text"].startswith(alert.line)
    assert alert.fields["counts"]["contacts"] == 2950


def test_scrub_removes_addresses_even_malformed_and_keys() -> None:
    key = "SG." + "x" * 22 + "." + "y" * 43
    text = f"Refused a@@b.example and jo.smith@example.com: bad; key {key}."
    assert scrub(text) == ("Refused [an email address] and [an email address]: bad; key "
                           "[redacted].")
    assert scrub("Refused jo smith@x", emails=["jo smith@x"]) == "Refused [an email address]"


def test_small_words_for_time_and_sentences() -> None:
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=12), NOW) == "12 min ago"
    assert ago(NOW - timedelta(days=3), NOW) == "3 days ago"
    assert first_sentence("Sent 42 contacts. Nothing else.") == "Sent 42 contacts"


def test_a_recovery_says_since_when_it_had_failed() -> None:
    summary = RunSummary(run_id=43, export="news", status=RunStatus.SUCCEEDED,
                         sentence="Sent 42 contacts; SendGrid confirmed them all.",
                         started_at=NOW, finished_at=NOW)
    alert = run_alert(AlertKind.RECOVERED, "news", summary, summary.sentence, PLACE,
                      last_success=None, failing_since=NOW - timedelta(hours=5), now=NOW)
    assert alert.line == ("sgtui: export news recovered on host db1: Sent 42 contacts; "
                          "SendGrid confirmed them all. It first failed 5 h ago.")
    assert alert.fields["what_to_do"] == "Nothing: the export works again."
