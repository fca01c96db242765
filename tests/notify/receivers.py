"""Real servers on loopback that alerts go to: a webhook receiver and an SMTP server."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "relay-cert.pem", folder / "relay-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it.

    ``status`` is what it answers; ``hang`` makes it read the request and never answer
    (until the test ends).
    """

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.status = 200
        self.hang = False
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                receiver.raw.append(data)
                receiver.bodies.append(json.loads(data))
                if receiver.hang:
                    receiver._release.wait(30)
                    return
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/secret"

    def texts(self) -> list[str]:
        return [body["text"] for body in self.bodies]

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class _Handler:
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    over_tls: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1 (no TLS: loopback only), optionally with a login."""

    def __init__(self, user: str | None = None, password: str | None = None, *,
                 starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None) -> None:
        """``starttls``: offer STARTTLS with this context (and require it); ``implicit_tls``:
        speak TLS from the first byte (smtps)."""
        self.handler = _Handler()
        self.user, self.password = user, password
        self.logins: list[tuple[str, str]] = []
        self.stopped = False
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        kwargs: dict[str, Any] = {}
        if user is not None:  # a login over plain SMTP: this server is on loopback only
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        if starttls is not None:
            kwargs |= {"tls_context": starttls, "require_starttls": True}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ssl_context=implicit_tls, **kwargs)

    def _authenticate(self, server: object, session: object, envelope: object,
                      mechanism: str, auth_data: object) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append(login)
            return AuthResult(success=login == (self.user, self.password), handled=False)
        return AuthResult(success=False, handled=False)

    def url(self, user: str | None = None, scheme: str = "smtp") -> str:
        who = f"{user}@" if user else ""
        return f"{scheme}://{who}127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def bodies(self) -> list[str]:
        return [message.get_content() for message in self.messages]  # type: ignore[attr-defined]

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop answering (a relay that is down); safe to call twice."""
        if not self.stopped:
            self.stopped = True
            self.controller.stop()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
