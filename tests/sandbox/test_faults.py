"""Faults: 500, 503, dropped connections and slow answers, repeatable with a seed."""

from __future__ import annotations

import time

import httpx
import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import KEY, client_for


def faulty(kinds: tuple[str, ...], rate: float = 1.0, seed: int = 3) -> SandboxServer:
    """A sandbox where every request (by default) meets one of ``kinds``."""
    return SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, fault_rate=rate, seed=seed,
                         fault_kinds=kinds)


@pytest.mark.parametrize(("kind", "message"), [("500", "internal server error"),
                                               ("503", "service unavailable")])
def test_server_errors_carry_sendgrids_body_and_change_nothing(kind: str, message: str) -> None:
    with faulty((kind,)) as server, client_for(server) as api:
        response = api.post("/v3/marketing/lists", json={"name": "Never"})
        assert response.status_code == int(kind)
        assert response.json() == {"errors": [{"field": None, "message": message}]}
        assert "X-RateLimit-Remaining" in response.headers
        server.fault_rate = 0
        assert api.get("/v3/marketing/lists").json()["result"] == []


def test_a_dropped_connection_gets_no_answer() -> None:
    with faulty(("drop",)) as server, client_for(server) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.put("/v3/marketing/contacts", json={"contacts": [{"email": "a@example.com"}]})
        server.fault_rate = 0
        assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 0
        assert server.stats()["requests"]["PUT /v3/marketing/contacts"] == 1


def test_a_slow_answer_comes_late_but_right() -> None:
    with faulty(("slow",)) as server, client_for(server) as api:
        started = time.monotonic()
        response = api.post("/v3/marketing/lists", json={"name": "Eventually"})
        elapsed = time.monotonic() - started
    assert response.status_code == 201
    assert 0.2 <= elapsed < 1.5


def test_the_same_seed_gives_the_same_faults() -> None:
    def pattern(seed: int) -> list[int]:
        with faulty(("500", "503"), rate=0.5, seed=seed) as server, client_for(server) as api:
            return [api.get("/v3/scopes").status_code for _ in range(30)]

    first = pattern(11)
    assert first == pattern(11)
    assert {200, 500, 503} <= set(first)
    assert first != pattern(12)


def test_sandbox_paths_are_never_faulted() -> None:
    with faulty(("500", "drop")) as server:
        for _ in range(5):
            assert httpx.get(f"{server.base_url}/_sandbox/stats").status_code == 200


def test_fault_kinds_must_be_known() -> None:
    with pytest.raises(ValueError, match="fault kinds"):
        faulty(("teapot",))
