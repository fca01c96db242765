"""Fixtures for the sandbox's tests: a running sandbox and a contract-checked client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import KEY, READ_ONLY_KEY, client_for


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A running sandbox with a full-access key and a read-only key."""
    keys = {KEY: FULL_ACCESS_SCOPES, READ_ONLY_KEY: frozenset({"marketing.read"})}
    with SandboxServer(api_keys=keys, seed=42) as running:
        yield running


@pytest.fixture
def api(server: SandboxServer) -> Iterator[httpx.Client]:
    """A contract-checked client with the full-access key."""
    with client_for(server) as client:
        yield client


@pytest.fixture
def news(api: httpx.Client) -> str:
    """The id of a fresh list called "Newsletter"."""
    response = api.post("/v3/marketing/lists", json={"name": "Newsletter"})
    assert response.status_code == 201
    return response.json()["id"]
