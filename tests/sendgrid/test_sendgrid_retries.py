"""Retries with backoff, waiting out 429s, pacing when the window runs low, network failures."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpx
import pytest
from sendgrid_fakes import FakeApi, answer, limits, sendgrid_error

from sgtui.sendgrid import (
    ContactList,
    NetworkError,
    RateLimited,
    RateLimitObserved,
    RequestPaced,
    RequestRetried,
    SendGridClient,
    ServiceUnavailable,
)
from sgtui.sendgrid.ratelimit import RateLimiter, parse_reset
from sgtui.sendgrid.retry import backoff_delay
from sgtui.workspace.secrets import ApiKey

SCOPES_OK = {"scopes": ["marketing.read"]}
JOB = {"job_id": "2e7a4e23-1f1d-4b6e-9a3c-7f6c2b8d9a10"}
TOO_MANY = {"errors": [{"field": None, "message": "too many requests"}]}


def retried(events: list[object]) -> list[RequestRetried]:
    return [event for event in events if isinstance(event, RequestRetried)]


async def test_server_errors_are_retried_with_growing_jittered_delays(make_client, clock, events):
    api = FakeApi().script(
        sendgrid_error(500, "internal error"), sendgrid_error(503, "unavailable"),
        sendgrid_error(500, "internal error"), answer(202, JOB))
    async with make_client(api) as client:
        assert await client.upsert_contacts([], [{"email": "a@example.com"}]) == JOB["job_id"]
    assert len(api.requests) == 4
    assert len({r.content for r in api.requests}) == 1  # the same upsert, resent
    reasons = [(e.reason, e.attempt) for e in retried(events)]
    assert reasons == [("server error 500", 1), ("server error 503", 2), ("server error 500", 3)]
    for number, delay in enumerate(clock.sleeps, start=1):
        ceiling = 0.5 * 2 ** (number - 1)
        assert ceiling / 2 <= delay <= ceiling


async def test_server_errors_that_persist_become_service_unavailable(make_client):
    api = FakeApi(lambda request: sendgrid_error(503, "unavailable"))
    async with make_client(api, max_retries=2) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.scopes()
    assert len(api.requests) == 3
    assert caught.value.sentence.startswith("SendGrid is not working properly right now "
                                            "(HTTP 503, 3 tries).")


async def test_retry_after_on_a_503_is_respected(make_client, clock):
    api = FakeApi().script(
        sendgrid_error(503, "unavailable", headers={"Retry-After": "7"}),
        answer(200, SCOPES_OK))
    async with make_client(api) as client:
        await client.scopes()
    assert clock.sleeps == [7.0]


@pytest.mark.parametrize(("failure", "reason"), [
    (httpx.ReadTimeout("read timed out"), "timeout"),
    (httpx.ConnectTimeout("connect timed out"), "timeout"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "connection dropped"),
    (httpx.ReadError("connection reset by peer"), "connection dropped"),
    (httpx.ConnectError("connection refused"), "connection failed"),
])
async def test_transport_failures_are_retried(make_client, events, failure, reason):
    api = FakeApi().script(failure, failure, answer(200, SCOPES_OK))
    async with make_client(api) as client:
        assert await client.scopes() == {"marketing.read"}
    assert [e.reason for e in retried(events)] == [reason, reason]


@pytest.mark.parametrize(("failure", "kind", "words"), [
    (httpx.ReadTimeout("timed out"), "timeout", "did not answer in time (3 tries)"),
    (httpx.RemoteProtocolError("Server disconnected"), "dropped", "kept breaking"),
    (httpx.ConnectError("refused"), "connect", "Could not connect to api.sendgrid.com"),
])
async def test_transport_failures_that_persist_become_network_errors(
    make_client, failure, kind, words
):
    api = FakeApi(lambda request: failure)
    async with make_client(api, max_retries=2) as client:
        with pytest.raises(NetworkError) as caught:
            await client.scopes()
    assert caught.value.kind == kind
    assert words in caught.value.sentence
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_a_tls_failure_is_not_retried_and_says_so(make_client):
    def tls_failure(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed")
        except ssl.SSLError as error:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] "
                                     "certificate verify failed") from error

    api = FakeApi(tls_failure)
    async with make_client(api) as client:
        with pytest.raises(NetworkError) as caught:
            await client.scopes()
    assert len(api.requests) == 1
    assert caught.value.kind == "tls"
    assert caught.value.sentence.startswith(
        "The secure (TLS) connection to api.sendgrid.com failed")


async def test_a_closed_port_on_this_computer_is_a_connect_error(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SendGridClient(ApiKey("SG.x.y"), base_url=f"http://127.0.0.1:{port}",
                            max_retries=1, sleep=clock.sleep)
    async with client:
        with pytest.raises(NetworkError) as caught:
            await client.scopes()
    assert caught.value.kind == "connect"
    assert "Could not connect to 127.0.0.1 (2 tries)" in caught.value.sentence


async def test_create_list_is_not_sent_twice_when_the_first_may_have_worked(make_client, events):
    created = {"id": "ca7a3796-e8a8-4029-9ccb-df8937940562", "name": "Spring",
               "contact_count": 0}
    api = FakeApi().script(
        httpx.ReadTimeout("timed out"),  # did the server create it? nobody knows
        answer(200, {"result": [created], "_metadata": {}}),
    )
    async with make_client(api) as client:
        result = await client.create_list("Spring")
    assert result == ContactList(created["id"], "Spring", 0)
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("POST", "/v3/marketing/lists"), ("GET", "/v3/marketing/lists")]
    assert retried(events)[0].reason == "timeout"


async def test_create_list_tries_again_when_the_list_is_not_there(make_client):
    created = {"id": "ca7a3796-e8a8-4029-9ccb-df8937940562", "name": "Spring",
               "contact_count": 0}
    api = FakeApi().script(
        sendgrid_error(500, "internal error"),
        answer(200, {"result": [], "_metadata": {}}),
        answer(201, created),
    )
    async with make_client(api) as client:
        assert (await client.create_list("Spring")).id == created["id"]
    assert [r.method for r in api.requests] == ["POST", "GET", "POST"]


async def test_create_list_gives_up_after_its_retries(make_client):
    api = FakeApi(lambda request: (answer(200, {"result": [], "_metadata": {}})
                                   if request.method == "GET"
                                   else sendgrid_error(500, "internal error")))
    async with make_client(api, max_retries=2) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.create_list("Spring")
    assert "3 tries" in caught.value.sentence
    assert [r.method for r in api.requests].count("POST") == 3


async def test_429_waits_for_a_reset_given_in_seconds(make_client, clock, events):
    api = FakeApi().script(
        answer(429, TOO_MANY, headers=limits(200, 0, 12)),
        answer(202, JOB, headers=limits(200, 199, 60)),
    )
    async with make_client(api) as client:
        await client.upsert_contacts([], [{"email": "a@example.com"}])
    assert clock.sleeps == [pytest.approx(12.05)]
    assert retried(events)[0].reason == "rate limited"
    assert client.rate_limit is not None
    assert (client.rate_limit.endpoint_class, client.rate_limit.remaining) == (
        "PUT /v3/marketing/contacts", 199)


async def test_429_waits_for_a_reset_given_as_a_unix_time(make_client, clock):
    reset = int(clock.wall) + 30
    api = FakeApi().script(
        answer(429, TOO_MANY, headers=limits(600, 0, reset)),
        answer(200, SCOPES_OK),
    )
    async with make_client(api) as client:
        await client.scopes()
    assert clock.sleeps == [pytest.approx(30.05)]


async def test_429_without_a_reset_backs_off_at_least_a_second(make_client, clock):
    api = FakeApi().script(answer(429, TOO_MANY), answer(200, SCOPES_OK))
    async with make_client(api) as client:
        await client.scopes()
    assert clock.sleeps[0] >= 1.0


async def test_429_that_never_ends_becomes_rate_limited(make_client):
    api = FakeApi(lambda request: answer(429, TOO_MANY, headers=limits(200, 0, 5)))
    async with make_client(api, max_retries=3) as client:
        with pytest.raises(RateLimited) as caught:
            await client.upsert_contacts([], [{"email": "a@example.com"}])
    assert len(api.requests) == 4
    assert "kept limiting" in caught.value.sentence


async def test_rate_limit_waits_do_not_use_up_the_server_error_retries(make_client):
    api = FakeApi().script(
        sendgrid_error(500, "x"), answer(429, TOO_MANY, headers=limits(10, 0, 1)),
        sendgrid_error(503, "x"), answer(429, TOO_MANY, headers=limits(10, 0, 1)),
        answer(200, SCOPES_OK))
    async with make_client(api, max_retries=2) as client:
        assert await client.scopes() == {"marketing.read"}


async def test_plenty_left_means_no_waiting(make_client, clock, events):
    api = FakeApi(lambda request: answer(200, SCOPES_OK, headers=limits(600, 500, 40)))
    async with make_client(api) as client:
        for _ in range(5):
            await client.scopes()
    assert clock.sleeps == []
    observed = [e for e in events if isinstance(e, RateLimitObserved)]
    assert observed[-1] == RateLimitObserved("GET /v3/scopes", 600, 500, 40.0)


async def test_low_remaining_paces_requests_over_the_time_left(make_client, clock, events):
    # Limit 20, the window ends at t=1010. The server counts down from 4 left: the client
    # spaces the last ones out over the time left, then waits for the new window.
    left = iter([4, 3, 2, 1, 0, 19])

    def countdown(request: httpx.Request) -> httpx.Response:
        remaining = next(left)
        reset_in = max(0, round(1010 - clock.now))  # the window ends at t=1010
        return answer(202, JOB, headers=limits(20, remaining, reset_in))

    api = FakeApi(countdown)
    async with make_client(api) as client:
        for _ in range(6):
            await client.upsert_contacts([], [{"email": "a@example.com"}])
    paced = [(e.endpoint_class, e.delay, e.remaining) for e in events
             if isinstance(e, RequestPaced)]
    upserts = "PUT /v3/marketing/contacts"
    assert paced == [(upserts, 5.0, 1), (upserts, pytest.approx(5.05), 0)]
    assert clock.now == pytest.approx(1010.05)
    assert not retried(events)


async def test_nothing_left_waits_for_the_reset_before_sending(make_client, clock):
    api = FakeApi().script(
        answer(200, SCOPES_OK, headers=limits(600, 0, 20)),
        answer(200, SCOPES_OK, headers=limits(600, 599, 60)),
    )
    async with make_client(api) as client:
        await client.scopes()
        await client.scopes()
    assert clock.sleeps == [pytest.approx(20.05)]


async def test_concurrent_requests_all_wait_after_a_429(make_client, clock):
    first = [True]

    def answer_once_limited(request: httpx.Request) -> httpx.Response:
        if first[0]:
            first[0] = False
            return answer(429, TOO_MANY, headers=limits(200, 0, 8))
        return answer(202, JOB, headers=limits(200, 150, 60))

    api = FakeApi(answer_once_limited)
    async with make_client(api) as client:
        await client.upsert_contacts([], [{"email": "a@example.com"}])  # learns the 429
        await asyncio.gather(*(client.upsert_contacts([], [{"email": f"{i}@example.com"}])
                               for i in range(3)))
    assert len(api.requests) == 5
    assert clock.sleeps[0] == pytest.approx(8.05)


def test_reset_above_10_to_the_9_is_a_unix_time():
    assert parse_reset("57", wall_now=1_800_000_000.0) == 57.0
    assert parse_reset("1800000045", wall_now=1_800_000_000.0) == 45.0
    assert parse_reset("1700000000", wall_now=1_800_000_000.0) == 0.0  # in the past
    assert parse_reset("99999999999", wall_now=1_800_000_000.0) == 3600.0  # capped
    assert parse_reset("soon", wall_now=0) is None
    assert parse_reset("-3", wall_now=0) is None
    assert parse_reset(None, wall_now=0) is None


def test_concurrent_reservations_take_successive_slots():
    limiter = RateLimiter()
    limiter.observe("contacts", httpx.Headers(limits(100, 4, 8)), now=0.0, wall_now=0.0)
    delays = [limiter.reserve("contacts", now=0.0)[0] for _ in range(5)]
    assert delays == [0.0, 2.0, 4.0, 6.0, pytest.approx(8.05)]  # the fifth: after the reset


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(1)
    delays = [backoff_delay(attempt, rng) for attempt in range(1, 12)]
    assert delays[0] <= 0.5
    assert max(delays) <= 20.0
    assert delays[-1] >= 10.0
