"""The HTTP wire: a threaded HTTP/1.1 server with keep-alive and a clean, prompt shutdown.

Bodies are read whole, with ``Content-Length`` or chunked transfer encoding, up to 64 MiB
(anything the 4 MiB rule refuses still reads fine, so the client gets its 413 instead of a
reset); a larger body is refused without reading it and the connection closed. Open
connections are tracked so ``close_connections`` can end idle keep-alive ones at shutdown.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sgtui.sandbox.dispatch import Dispatcher, Drop
from sgtui.sandbox.protocol import Reply, error_reply

READ_LIMIT = 64 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 120


class SandboxHTTPServer(ThreadingHTTPServer):
    """A thread per connection; remembers open connections for shutdown."""

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.base_url = ""
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, then serve it on its own thread."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection and close it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection (idle keep-alive ones would otherwise wait)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time from a connection and writes the dispatcher's answer."""

    protocol_version = "HTTP/1.1"
    server_version = "sgtui-sandbox"
    sys_version = ""
    timeout = IDLE_TIMEOUT_SECONDS
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls
    wbufsize = 64 * 1024  # flushed by the base class after each request
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        """Answer a GET."""
        self._serve()

    def do_POST(self) -> None:
        """Answer a POST."""
        self._serve()

    def do_PUT(self) -> None:
        """Answer a PUT."""
        self._serve()

    def do_PATCH(self) -> None:
        """Answer a PATCH."""
        self._serve()

    def do_DELETE(self) -> None:
        """Answer a DELETE."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the sandbox is used by tests and a TUI demo."""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(error_reply(400, [(None, "malformed request body")]))
            return
        if body is None:
            self.close_connection = True
        outcome = self.server.dispatcher.handle(self.command, self.path, self.headers, body,
                                                self.server.base_url)
        if isinstance(outcome, Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(outcome)

    def _read_body(self) -> bytes | None:
        """The request body; None when it is larger than ``READ_LIMIT`` (left unread)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > READ_LIMIT:
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > READ_LIMIT:
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(16)  # the CRLF after the chunk

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))  # "0" on a 204, as recorded
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.status != 204:
                self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True
