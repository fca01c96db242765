"""Alerts as a JSON POST: ``{"text": ..., "kind": ..., "export": ..., ...}``.

Slack incoming webhooks, Mattermost and Teams workflows show ``text`` as it is; anything
else can read the fields. Messages name the webhook by its host only: the rest of such a URL
is the secret that lets anyone post.
"""

from __future__ import annotations

import httpx

from sgtui.errors import CAUSE, sentence_for
from sgtui.notify.delivery import (
    DEFAULT_POLICY,
    Delivery,
    DeliveryPolicy,
    Permanent,
    Transient,
    with_retries,
)
from sgtui.notify.message import Alert
from sgtui.workspace.notify_settings import webhook_host

TARGET = "webhook"


def send_webhook(url: str, alert: Alert, policy: DeliveryPolicy = DEFAULT_POLICY, *,
                 transport: httpx.BaseTransport | None = None) -> Delivery:
    """POST ``alert`` to ``url``; what came of it (never raises)."""
    host = webhook_host(url)
    payload = alert.webhook_payload()

    def attempt() -> str:
        try:
            with httpx.Client(timeout=httpx.Timeout(policy.timeout), transport=transport,
                              follow_redirects=False) as client:
                response = client.post(url, json=payload,
                                       headers={"User-Agent": "sgtui-alerts"})
        except httpx.TimeoutException:
            raise Transient(f"{host} did not answer within {policy.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise Transient(f"{host} could not be reached ({_reason(error)})") from None
        status = response.status_code
        if status < 300:
            return f"{host} took it (HTTP {status})."
        if status in (408, 429) or status >= 500:
            raise Transient(f"{host} answered HTTP {status}")
        if 300 <= status < 400:
            raise Permanent(f"{host} answered with a redirect (HTTP {status}); put the address "
                            "it points to in webhook.")
        raise Permanent(f"{host} refused it (HTTP {status}): check the webhook URL, or make "
                        "a new webhook if this one was removed.")

    try:
        return Delivery(TARGET, host, True, with_retries(attempt, policy))
    except Permanent as failure:
        sentence = failure.sentence
        return Delivery(TARGET, host, False, sentence if sentence.endswith(".")
                        else sentence + ".")


def _reason(error: httpx.HTTPError) -> str:
    text = str(error).strip()
    if "refused" in text.lower():
        return "connection refused"
    if "name or service" in text.lower() or "nodename" in text.lower():
        return "no such host"
    if "certificate" in text.lower() or "ssl" in text.lower():
        return "its TLS certificate was not accepted"
    return sentence_for(error, CAUSE)
