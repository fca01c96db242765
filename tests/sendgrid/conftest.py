"""Fixtures for the SendGrid client tests (helpers live in ``sendgrid_fakes``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sendgrid_fakes import KEY, FakeApi, FakeClock

from sgtui.sendgrid import SendGridClient
from sgtui.workspace.secrets import ApiKey


@pytest.fixture
def clock() -> FakeClock:
    """A clock that never waits."""
    return FakeClock()


@pytest.fixture
def events() -> list[object]:
    """Events the client emitted, in order."""
    return []


@pytest.fixture
def make_client(clock: FakeClock, events: list[object]) -> Iterator[Callable[..., SendGridClient]]:
    """Build a client on a :class:`FakeApi`; every wait is instant and recorded."""

    def build(api: FakeApi, **options: Any) -> SendGridClient:
        settings: dict[str, Any] = {
            "transport": httpx.MockTransport(api),
            "sleep": clock.sleep,
            "clock": clock.monotonic,
            "wall_clock": clock.time,
            "rng": random.Random(7),
            "on_event": events.append,
        }
        settings.update(options)
        return SendGridClient(ApiKey(KEY), **settings)

    yield build
