"""The ``[notify]`` table of ``sgtui.toml``: where alerts go, and every way it can be wrong.

```toml
[notify]
on = ["failed", "partial", "recovered"]          # the default
webhook = "https://hooks.slack.com/services/..."  # any URL that takes a JSON POST
email = ["ops@example.com"]
smtp = "smtp://alerts@relay.example.com:587"      # STARTTLS when offered; smtps:// for TLS
from = "sgtui@example.com"
partial_above_percent = 5                         # a partial run alerts only past this share
```

:func:`read_notify` reads it leniently: a target that is wrong is left out (and its problem
kept in :attr:`NotifySettings.problems`), so one typo never stops the other target.
:func:`notify_problems` is what ``sgtui check`` reports. Both use the same rules, decided
from the text alone (no DNS): no password in a URL; plain ``http://`` webhooks and SMTP
without TLS only to this computer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sgtui.workspace.base_url import is_loopback_host

ENV_SMTP_PASSWORD = "SGTUI_SMTP_PASSWORD"
"""Where the SMTP user's password comes from (never from sgtui.toml)."""

SMTP_PORTS = {"smtp": 587, "smtps": 465}
"""The port when the URL names none: mail submission with STARTTLS, or implicit TLS."""

_ADDRESS = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+$")
_KNOWN_KEYS = ("on", "webhook", "email", "smtp", "from", "partial_above_percent")


class AlertKind(StrEnum):
    """The changes of an export's state that can raise an alert (the values of ``on``)."""

    FAILED = "failed"
    PARTIAL = "partial"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    """The mail relay from ``smtp = "smtp[s]://[user@]host[:port]"``."""

    host: str
    port: int
    implicit_tls: bool
    """``smtps://``: TLS from the first byte; ``smtp://`` upgrades with STARTTLS."""
    user: str | None = None

    @property
    def shown(self) -> str:
        """How messages name the relay (``relay.example.com:587``; never a password)."""
        return f"{self.host}:{self.port}"

    @property
    def plaintext_allowed(self) -> bool:
        """Whether mail may go without TLS: only to this computer."""
        return is_loopback_host(self.host)


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """What ``[notify]`` asks for; only targets without problems are set."""

    on: frozenset[AlertKind] = frozenset(AlertKind)
    webhook: str | None = None
    email: tuple[str, ...] = ()
    smtp: SmtpRelay | None = None
    sender: str | None = None
    partial_above_percent: float = 0.0
    problems: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(key, sentence) for each thing wrong, as :func:`notify_problems` reports them."""

    @property
    def mail_ready(self) -> bool:
        """Whether alerts can go by mail (recipients, a relay and a sender)."""
        return bool(self.email and self.smtp and self.sender)

    @property
    def has_targets(self) -> bool:
        """Whether any alert can go anywhere."""
        return bool(self.webhook) or self.mail_ready


def webhook_host(url: str) -> str:
    """How messages name a webhook: its host only, since the path of many webhooks (Slack's
    among them) is itself the secret that lets anyone post."""
    try:
        return urlsplit(url.strip()).hostname or "the webhook"
    except ValueError:
        return "the webhook"


def read_notify(document: Mapping[str, Any]) -> NotifySettings:
    """The ``[notify]`` settings of a parsed ``sgtui.toml`` (empty when there is none)."""
    table = document.get("notify")
    if table is None:
        return NotifySettings()
    if not isinstance(table, Mapping):
        return NotifySettings(problems=(("notify", "must be a table: write it as [notify] "
                                         "with webhook = ... or email = [...] under it."),))
    problems: list[tuple[str, str]] = []

    def keep(key: str, sentence: str | None) -> bool:
        if sentence:
            problems.append((key, sentence))
        return sentence is None

    for key in table:
        if str(key) not in _KNOWN_KEYS:
            problems.append((str(key), f"is not a [notify] setting; the settings are "
                                       f"{', '.join(_KNOWN_KEYS)}."))
    on = _on(table.get("on"), problems)
    webhook = table.get("webhook")
    webhook = str(webhook).strip() if webhook is not None else None
    if webhook is not None and not keep("webhook", _webhook_problem(webhook)):
        webhook = None
    email = _addresses(table.get("email"), problems)
    relay = None
    if "smtp" in table:
        relay, sentence = _relay(table.get("smtp"))
        keep("smtp", sentence)
    sender = table.get("from")
    if sender is not None and not keep("from", _address_problem(sender, "from")):
        sender = None
    if email and "smtp" not in table:
        problems.append(("smtp", "is missing: mail needs a relay, like "
                                 "smtp = \"smtp://alerts@relay.example.com:587\"."))
    if email and "from" not in table:
        problems.append(("from", "is missing: mail needs a sender address the relay accepts, "
                                 "like from = \"sgtui@example.com\"."))
    if ("smtp" in table or "from" in table) and "email" not in table:
        problems.append(("email", "is missing: list who gets alert mail, like "
                                  "email = [\"ops@example.com\"]."))
    if "webhook" not in table and "email" not in table:
        problems.append(("notify", "has no target: set webhook = \"https://...\" or "
                                   "email = [...] with smtp and from."))
    percent = _percent(table.get("partial_above_percent", 0), problems)
    return NotifySettings(on=on, webhook=webhook, email=email, smtp=relay,
                          sender=str(sender) if sender is not None else None,
                          partial_above_percent=percent, problems=tuple(problems))


def notify_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem of ``[notify]`` as (key, sentence); empty when it is right or absent."""
    return list(read_notify(document).problems)


# -- the rules ---------------------------------------------------------------------------
def _on(value: object, problems: list[tuple[str, str]]) -> frozenset[AlertKind]:
    if value is None:
        return frozenset(AlertKind)
    allowed = " or ".join(f'"{kind}"' for kind in AlertKind)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(("on", f"must be a list of {allowed}, like [\"failed\", \"recovered\"]."))
        return frozenset(AlertKind)
    kinds = set()
    for item in value:
        if item in set(AlertKind):
            kinds.add(AlertKind(item))
        else:
            problems.append(("on", f"{item!r} is not a change sgtui alerts on; use {allowed}."))
    return frozenset(kinds)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return None
    return parts


def _webhook_problem(url: str) -> str | None:
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not a web address; use the https:// URL your chat tool gave you."
    if parts.password is not None:
        return (f"the URL to {parts.hostname} holds a password, and sgtui.toml is no place "
                "for one: use a webhook URL without user or password.")
    if parts.username is not None:
        return f"the URL to {parts.hostname} holds a user name; use it without one."
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return (f"http://{parts.hostname} would send alerts in clear text: use https://. "
                "Plain http:// is allowed only to this computer (localhost, 127.0.0.1, ::1).")
    return None


def _relay(value: object) -> tuple[SmtpRelay | None, str | None]:
    example = "like \"smtp://alerts@relay.example.com:587\" or \"smtps://relay.example.com\""
    if not isinstance(value, str):
        return None, f"must be a URL, {example}."
    parts = _split(value.strip())
    if parts is None or parts.scheme not in SMTP_PORTS or not parts.hostname:
        return None, f"is not an SMTP URL; write it {example}."
    if parts.password is not None:
        return None, (f"the URL to {parts.hostname} holds a password: keep only the user "
                      f"there (smtp://user@{parts.hostname}) and put the password in "
                      f"{ENV_SMTP_PASSWORD} in the environment that runs sgtui.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None, f"has more than a relay in it; write it {example}."
    relay = SmtpRelay(host=parts.hostname, port=parts.port or SMTP_PORTS[parts.scheme],
                      implicit_tls=parts.scheme == "smtps",
                      user=parts.username or None)
    return relay, None


def _address_problem(value: object, key: str) -> str | None:
    if isinstance(value, str) and _ADDRESS.match(value.strip()):
        return None
    shown = f"{value!r} is" if isinstance(value, str) else "it is"
    return f"{shown} not an email address; write {key} like \"ops@example.com\"."


def _addresses(value: object, problems: list[tuple[str, str]]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.append(("email", "must list at least one address, like "
                                  "email = [\"ops@example.com\"]."))
        return ()
    good: list[str] = []
    for item in value:
        sentence = _address_problem(item, "each address")
        if sentence:
            problems.append(("email", sentence))
        elif str(item).strip() not in good:
            good.append(str(item).strip())
    return tuple(good)


def _percent(value: object, problems: list[tuple[str, str]]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        problems.append(("partial_above_percent", "must be a number from 0 to 100 (the share "
                                                  "of rejected rows past which a partial run "
                                                  "alerts), like 5."))
        return 0.0
    return float(value)
