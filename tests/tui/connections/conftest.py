"""Fixtures for the connection set-up tests: a workspace, a sandbox, helpers to drive the flow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.workspace.config import Workspace

KEY = "SG." + "a" * 22 + "." + "b" * 43
OTHER_KEY = "SG." + "c" * 22 + "." + "d" * 43
FIXED_URL = "http://127.0.0.1:9999"
"""The base URL snapshots show; :class:`ForwardingTransport` sends it to the real sandbox."""


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace whose admin is alice, with bob a contributor."""
    workspace = Workspace.open(tmp_path / "ws", user="alice")
    from sgtui.workspace.model import Access

    workspace.set_access(Access(admins=("alice",), contributors=("bob",)))
    workspace.save()
    return workspace


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A sandbox SendGrid on loopback that accepts KEY with full access."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=0.0) as server:
        yield server


class ForwardingTransport(httpx.AsyncBaseTransport):
    """Sends every request to ``target`` (the sandbox), whatever host the URL names."""

    def __init__(self, target: str) -> None:
        self.target = httpx.URL(target)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self.target.scheme, host=self.target.host,
                                            port=self.target.port)
        # A transport per request: each client the app makes closes its transport.
        async with httpx.AsyncHTTPTransport() as inner:
            response = await inner.handle_async_request(request)
            await response.aread()
        return httpx.Response(response.status_code, headers=response.headers,
                              content=response.content, request=request)
