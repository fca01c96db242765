"""Alerts as plain-text mail through an SMTP relay.

``smtp://`` upgrades with STARTTLS when the relay offers it, and refuses to go on without it
unless the relay is this computer; ``smtps://`` speaks TLS from the first byte. The user
comes from the URL, the password from ``SGTUI_SMTP_PASSWORD``, and a login is only ever
sent over TLS (or to loopback). Certificates are checked against the system's roots.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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
from sgtui.workspace.notify_settings import ENV_SMTP_PASSWORD, SmtpRelay
from sgtui.workspace.redaction import redact

TARGET = "email"


def mail_destination(recipients: tuple[str, ...], relay: SmtpRelay) -> str:
    """How people know the mail target: who gets it, through which relay."""
    return f"{', '.join(recipients)} via {relay.shown}"


def build_mail(alert: Alert, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """The alert as a plain-text message."""
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(alert.body)
    return message


def send_mail(alert: Alert, relay: SmtpRelay, sender: str, recipients: tuple[str, ...],
              policy: DeliveryPolicy = DEFAULT_POLICY, *,
              environ: Mapping[str, str] | None = None) -> Delivery:
    """Send ``alert`` to ``recipients`` through ``relay``; what came of it (never raises)."""
    destination = mail_destination(recipients, relay)
    password = (os.environ if environ is None else environ).get(ENV_SMTP_PASSWORD, "")
    message = build_mail(alert, sender, recipients)

    def attempt() -> str:
        try:
            return _deliver(message, relay, sender, recipients, password, policy.timeout)
        except (Permanent, Transient):
            raise
        except smtplib.SMTPAuthenticationError as error:
            raise Permanent(f"{relay.shown} refused the user {relay.user} and the password in "
                            f"{ENV_SMTP_PASSWORD} ({_answer(error, password)})") from None
        except smtplib.SMTPSenderRefused as error:
            raise _by_code(error.smtp_code, f"{relay.shown} refused the sender {sender} "
                           f"({_answer(error, password)}); use a from address the relay "
                           "may send for (in SendGrid: Settings > Sender Authentication)") from None
        except smtplib.SMTPRecipientsRefused as error:
            refused = ", ".join(error.recipients)
            raise Permanent(f"{relay.shown} refused the recipients {refused}") from None
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, f"{relay.shown} answered "
                           f"{_answer(error, password)}") from None
        except ssl.SSLCertVerificationError as error:
            raise Permanent(f"the TLS certificate of {relay.host} was not accepted "
                            f"({error.verify_message})") from None
        except (ssl.SSLError, smtplib.SMTPServerDisconnected) as error:
            raise Transient(f"{relay.shown} closed the connection "
                            f"({type(error).__name__})") from None
        except TimeoutError:
            raise Transient(f"{relay.shown} did not answer within {policy.timeout:g} s") from None
        except ConnectionRefusedError:
            raise Transient(f"{relay.shown} refused the connection") from None
        except socket.gaierror:
            raise Transient(f"{relay.host} was not found (no such host)") from None
        except (OSError, smtplib.SMTPException) as error:
            raise Transient(sentence_for(
                error, f"{relay.shown} could not be reached ({CAUSE})")) from None

    try:
        return Delivery(TARGET, destination, True, with_retries(attempt, policy))
    except Permanent as failure:
        return Delivery(TARGET, destination, False, failure.sentence + ".")


def _deliver(message: EmailMessage, relay: SmtpRelay, sender: str,
             recipients: tuple[str, ...], password: str, timeout: float) -> str:
    client: smtplib.SMTP
    if relay.implicit_tls:
        client = smtplib.SMTP_SSL(relay.host, relay.port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(relay.host, relay.port, timeout=timeout)
    with client:
        client.ehlo()
        secure = relay.implicit_tls
        if not secure and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
            secure = True
        if not secure and not relay.plaintext_allowed:
            raise Permanent(f"{relay.shown} does not offer STARTTLS, and sgtui sends mail "
                            "without TLS only to this computer; use smtps:// or a relay "
                            "that offers TLS")
        if relay.user:
            if not password:
                raise Permanent(f"the relay user {relay.user} needs a password: set "
                                f"{ENV_SMTP_PASSWORD} in the environment that runs sgtui")
            client.login(relay.user, password)
        client.send_message(message, from_addr=sender, to_addrs=list(recipients))
    tls = "over TLS" if secure else "without TLS (loopback)"
    return f"{relay.shown} took it {tls}."


def _answer(error: smtplib.SMTPResponseException, password: str) -> str:
    raw = error.smtp_error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = redact(" ".join(text.split()), password)
    return f"{error.smtp_code} {text}"[:200]


def _by_code(code: int, sentence: str) -> Exception:
    """4xx replies may pass; 5xx are final."""
    return Transient(sentence) if 400 <= code < 500 else Permanent(sentence)
