"""The client against the real local sandbox: a real HTTP server on loopback.

Every request and answer is checked against the spec by the contract hooks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openapi_contract import contract_hooks

sandbox = pytest.importorskip("sgtui.sandbox")
if not hasattr(sandbox, "SandboxServer"):  # pragma: no cover - while the sandbox is built
    pytest.skip("sgtui.sandbox does not export SandboxServer yet", allow_module_level=True)

from sgtui.sandbox import SandboxServer  # noqa: E402
from sgtui.sendgrid import (  # noqa: E402
    ImportJob,
    ListNotFound,
    MissingScope,
    RequestPaced,
    RequestRetried,
    SendGridClient,
    Unauthorized,
    missing_scopes,
)
from sgtui.workspace.secrets import ApiKey  # noqa: E402

FULL_KEY = "SG." + "a" * 22 + "." + "b" * 43
READ_ONLY_KEY = "SG." + "c" * 22 + "." + "d" * 43
UNKNOWN_KEY = "SG." + "e" * 22 + "." + "f" * 43


def _full_access() -> frozenset[str]:
    return getattr(sandbox, "FULL_ACCESS_SCOPES", None) or frozenset(
        {"marketing.read", "marketing.write", "mail.send"})


@pytest.fixture
def server() -> Iterator[Any]:
    """A running sandbox with a full-access key and a read-only one."""
    keys = {FULL_KEY: _full_access(), READ_ONLY_KEY: frozenset({"marketing.read"})}
    with SandboxServer(api_keys=keys) as running:
        yield running


async def tiny_sleep(seconds: float) -> None:
    """Backoff against the sandbox needs no real waiting: faults are not time-bound."""
    await asyncio.sleep(min(seconds, 0.005))


@pytest.fixture
def connect(server: Any) -> Callable[..., SendGridClient]:
    """A client on the sandbox whose every exchange is checked against the spec."""

    def build(key: str = FULL_KEY, **options: Any) -> SendGridClient:
        options.setdefault("event_hooks", contract_hooks())
        return SendGridClient(ApiKey(key), base_url=server.base_url, **options)

    return build


async def finish(client: SendGridClient, job_id: str, timeout: float = 10.0) -> ImportJob:
    """Poll a job until SendGrid (the sandbox) says it is done."""
    deadline = time.monotonic() + timeout
    while True:
        job = await client.import_status(job_id)
        if job.finished:
            return job
        assert time.monotonic() < deadline, f"job still {job.status}"
        await asyncio.sleep(0.01)


def emails_of(server: Any, list_id: str) -> set[str]:
    return set(server.list_emails(list_id))


async def test_lists_are_read_across_pages(connect):
    async with connect() as client:
        created = [await client.create_list(f"Segment {n}") for n in range(5)]
        client.list_page_size = 2
        lists = await client.lists()
    assert {item.id for item in lists} >= {item.id for item in created}
    assert len({item.id for item in lists}) == len(lists)


async def test_create_get_and_count_a_list(connect):
    async with connect() as client:
        created = await client.create_list("Spring newsletter")
        fetched = await client.get_list(created.id)
        count = await client.list_contact_count(created.id)
    assert fetched == created
    assert (created.name, count) == ("Spring newsletter", 0)


async def test_an_unknown_list_is_list_not_found(connect):
    async with connect() as client:
        with pytest.raises(ListNotFound):
            await client.get_list("00000000-0000-4000-8000-000000000000")


async def test_upsert_then_the_job_completes_and_the_list_holds_the_contacts(connect, server):
    async with connect() as client:
        target = await client.create_list("Upserted")
        contacts = [{"email": f"Person{n}@Example.com", "first_name": f"P{n}"}
                    for n in range(25)]
        job = await finish(client, await client.upsert_contacts([target.id], contacts))
        count = await client.list_contact_count(target.id)
    assert job.status == "completed"
    assert job.requested == 25 and job.created == 25
    assert count == 25
    assert emails_of(server, target.id) == {f"person{n}@example.com" for n in range(25)}


async def test_search_by_email_then_remove_from_the_list(connect, server):
    async with connect() as client:
        target = await client.create_list("Mirror")
        emails = [f"m{n}@example.com" for n in range(6)]
        await finish(client, await client.upsert_contacts(
            [target.id], [{"email": email} for email in emails]))
        found = await client.search_emails([*emails[:3], "Nobody@Example.com"])
        assert set(found) == set(emails[:3])
        assert await client.search_emails(["ghost@example.com"]) == {}
        for job_id in await client.remove_from_list(target.id, list(found.values())):
            await finish(client, job_id)
    assert emails_of(server, target.id) == set(emails[3:])


async def test_field_definitions_include_the_reserved_fields(connect):
    async with connect() as client:
        fields = await client.field_definitions()
    assert {"email", "first_name", "last_name"} <= fields.writable_reserved_names


async def test_a_wrong_key_is_unauthorized(connect):
    async with connect(UNKNOWN_KEY) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.scopes()
    assert UNKNOWN_KEY not in caught.value.sentence


async def test_a_revoked_key_is_told_it_was_revoked(connect, server):
    server.revoke_api_key(FULL_KEY)
    async with connect() as client:
        with pytest.raises(Unauthorized) as caught:
            await client.lists()
    assert caught.value.revoked


async def test_a_key_without_marketing_write_is_told_so(connect):
    async with connect(READ_ONLY_KEY) as client:
        granted = await client.scopes()
        assert missing_scopes(granted) == {"marketing.write"}
        await client.lists()
        with pytest.raises(MissingScope) as caught:
            await client.create_list("Not allowed")
    assert caught.value.sentence.startswith("This API key may not add and remove contacts.")


async def test_a_fifth_of_requests_failing_still_gets_everything_done():
    events: list[object] = []
    with SandboxServer(api_keys={FULL_KEY: _full_access()}, fault_rate=0.2, seed=11,
                       fault_kinds=("500", "503", "drop")) as server:
        client = SendGridClient(ApiKey(FULL_KEY), base_url=server.base_url,
                                event_hooks=contract_hooks(), on_event=events.append,
                                sleep=tiny_sleep, max_retries=8)
        async with client:
            targets = [await client.create_list(f"Flaky {n}") for n in range(3)]
            target = targets[0]
            jobs = []
            for batch in range(6):
                contacts = [{"email": f"f{batch}-{n}@example.com"} for n in range(10)]
                jobs.append(await client.upsert_contacts([target.id], contacts))
            for job_id in jobs:
                assert (await finish(client, job_id)).status == "completed"
            found = await client.search_emails([f"f0-{n}@example.com" for n in range(10)])
            for job_id in await client.remove_from_list(target.id, list(found.values())):
                await finish(client, job_id)
            lists = await client.lists()
        server.fault_rate = 0.0
        members = emails_of(server, target.id)
    names = [item.name for item in lists]
    assert sorted(names) == ["Flaky 0", "Flaky 1", "Flaky 2"]  # each created exactly once
    assert members == {f"f{batch}-{n}@example.com" for batch in range(1, 6) for n in range(10)}
    assert any(isinstance(event, RequestRetried) for event in events)


class SharedClock:
    """One hand-moved monotonic clock for the sandbox's rate windows and the client's waits:
    waiting out a window costs no real time. Requests go one at a time in these tests, so
    the clock never moves while an answer is on its way."""

    def __init__(self) -> None:
        self.start = self.now = 5_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def test_hard_rate_limits_are_respected_without_running_into_them():
    clock = SharedClock()
    events: list[object] = []
    with SandboxServer(api_keys={FULL_KEY: _full_access()}, rate_limit_contacts=3,
                       rate_limit_other=4, clock=clock) as server:
        client = SendGridClient(ApiKey(FULL_KEY), base_url=server.base_url,
                                event_hooks=contract_hooks(), on_event=events.append,
                                sleep=clock.sleep, clock=clock)
        async with client:
            target = await client.create_list("Limited")
            jobs = [await client.upsert_contacts([target.id], [{"email": f"r{n}@example.com"}])
                    for n in range(10)]
            for job_id in jobs:
                await finish(client, job_id)
            meter = client.rate_limit
        members = emails_of(server, target.id)
        upserts = server.stats()["requests"]["PUT /v3/marketing/contacts"]
    assert members == {f"r{n}@example.com" for n in range(10)}
    assert upserts == 10  # paced ahead of every reset: not one 429
    assert not [event for event in events if isinstance(event, RequestRetried)]
    assert any(isinstance(event, RequestPaced) for event in events)
    assert clock.now - clock.start >= 3 * 60  # ten upserts at three a minute
    assert meter is not None and meter.limit == 4  # the last call was a job poll


async def test_a_429_from_the_sandbox_is_waited_out():
    clock = SharedClock()
    events: list[object] = []
    with SandboxServer(api_keys={FULL_KEY: _full_access()}, rate_limit_other=2,
                       clock=clock) as server:
        others = SendGridClient(ApiKey(FULL_KEY), base_url=server.base_url)
        client = SendGridClient(ApiKey(FULL_KEY), base_url=server.base_url,
                                event_hooks=contract_hooks(), on_event=events.append,
                                sleep=clock.sleep, clock=clock)
        async with others, client:
            await others.field_definitions()  # someone else uses up the window
            await others.field_definitions()
            fields = await client.field_definitions()
    assert fields.reserved
    waits = [e for e in events if isinstance(e, RequestRetried)]
    assert [(e.reason, e.delay) for e in waits] == [("rate limited", pytest.approx(60.05))]


async def test_the_client_takes_200_wherever_the_docs_say_201_or_202(connect, server):
    server.success_200 = True  # what newer real traffic answers
    async with connect() as client:
        target = await client.create_list("Answered 200")
        emails = [f"ok{n}@example.com" for n in range(4)]
        job = await finish(client, await client.upsert_contacts(
            [target.id], [{"email": email} for email in emails]))
        found = await client.search_emails(emails[:2])
        for job_id in await client.remove_from_list(target.id, list(found.values())):
            await finish(client, job_id)
    assert job.created == 4
    assert emails_of(server, target.id) == set(emails[2:])
