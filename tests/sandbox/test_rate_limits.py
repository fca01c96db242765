"""Rate limits: headers on every answer, per endpoint, 429 once used up, reset per window."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.sandbox.ratelimit import RateLimiter

from .helpers import KEY, ManualClock, client_for


@pytest.fixture
def clock() -> ManualClock:
    """The sandbox's clock, moved by hand."""
    return ManualClock()


@pytest.fixture
def limited(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox allowing 2 contact writes and 3 other requests per endpoint a minute."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, rate_limit_contacts=2,
                       rate_limit_other=3, clock=clock) as server:
        yield server


def quota(response: httpx.Response) -> tuple[int, int, int]:
    """(limit, remaining, reset) from the answer's headers."""
    headers = response.headers
    return (int(headers["X-RateLimit-Limit"]), int(headers["X-RateLimit-Remaining"]),
            int(headers["X-RateLimit-Reset"]))


def test_headers_count_down_then_429_with_sendgrids_body(limited: SandboxServer,
                                                         clock: ManualClock) -> None:
    with client_for(limited) as api:
        seen = [quota(api.get("/v3/marketing/lists")) for _ in range(3)]
        assert seen == [(3, 2, 60), (3, 1, 60), (3, 0, 60)]
        clock.advance(12.5)
        over = api.get("/v3/marketing/lists")
    assert over.status_code == 429
    assert over.json() == {"errors": [{"field": None, "message": "too many requests"}]}
    assert quota(over) == (3, 0, 48)  # seconds until the window ends, rounded up


def test_a_new_window_restores_the_quota(limited: SandboxServer, clock: ManualClock) -> None:
    with client_for(limited) as api:
        for _ in range(3):
            api.get("/v3/marketing/lists")
        assert api.get("/v3/marketing/lists").status_code == 429
        clock.advance(60)
        again = api.get("/v3/marketing/lists")
    assert again.status_code == 200
    assert quota(again) == (3, 2, 60)


def test_contact_writes_have_their_own_smaller_limit(limited: SandboxServer) -> None:
    body = {"contacts": [{"email": "a@example.com"}]}
    with client_for(limited) as api:
        statuses = [api.put("/v3/marketing/contacts", json=body).status_code for _ in range(3)]
        assert statuses == [202, 202, 429]
        assert quota(api.get("/v3/marketing/contacts/count"))[0] == 3


def test_each_endpoint_has_its_own_window(limited: SandboxServer) -> None:
    with client_for(limited) as api:
        for _ in range(3):
            api.get("/v3/marketing/lists")
        assert api.get("/v3/marketing/lists").status_code == 429
        assert api.get("/v3/scopes").status_code == 200


def test_limits_can_be_changed_while_running(limited: SandboxServer) -> None:
    limited.rate_limit_other = 100
    with client_for(limited) as api:
        assert quota(api.get("/v3/marketing/lists"))[:2] == (100, 99)


def test_refused_requests_do_not_use_the_quota(limited: SandboxServer) -> None:
    with client_for(limited, "SG.wrong") as stranger:
        assert stranger.get("/v3/marketing/lists").status_code == 401
    with client_for(limited) as api:
        assert quota(api.get("/v3/marketing/lists"))[1] == 2


def test_sandbox_paths_are_never_limited(limited: SandboxServer) -> None:
    for _ in range(10):
        assert httpx.get(f"{limited.base_url}/_sandbox/stats").status_code == 200


def test_the_window_length_is_injectable() -> None:
    clock = ManualClock()
    limiter = RateLimiter(window_seconds=0.5, clock=clock)
    assert limiter.take("b", 1).allowed
    assert not limiter.take("b", 1).allowed
    clock.advance(0.5)
    assert limiter.take("b", 1).allowed
