"""Concurrent uploads share one rate-limit window: losing it to a sibling is not failing."""

from __future__ import annotations

import asyncio
import json

import httpx

from sgtui.sendgrid.client import SendGridClient
from sgtui.workspace.secrets import ApiKey

from .conftest import KEY

JOB = {"job_id": "2e7a4e23-1f1d-4b6e-9a3c-7f6c2b8d9a10"}
LIMITED = {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}
LOSSES = 9


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


async def test_a_request_losing_the_window_to_its_siblings_again_and_again_gets_through() -> None:
    """Upload A meets a 429 nine times in a row (more than the six the client allows), but
    between any two of them a sibling upload B got through: the run was making progress."""
    turn = asyncio.Condition()
    a_tries = b_done = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal a_tries
        email = json.loads(request.content)["contacts"][0]["email"]
        async with turn:
            if email == "a@example.com":
                await turn.wait_for(lambda: b_done >= a_tries)
                a_tries += 1
                turn.notify_all()
                if a_tries <= LOSSES:
                    return httpx.Response(429, headers=LIMITED, json={"errors": []})
            else:
                await turn.wait_for(lambda: a_tries > b_done)
        return httpx.Response(202, headers=LIMITED, json=JOB)

    async def siblings(client: SendGridClient) -> None:
        nonlocal b_done
        for number in range(LOSSES):
            await client.upsert_contacts([], [{"email": f"b{number}@example.com"}])
            async with turn:
                b_done += 1
                turn.notify_all()

    async with SendGridClient(ApiKey(KEY), base_url="https://api.sendgrid.com",
                              transport=httpx.MockTransport(handler), sleep=no_wait,
                              max_retries=6) as client:
        job, _ = await asyncio.wait_for(asyncio.gather(
            client.upsert_contacts([], [{"email": "a@example.com"}]), siblings(client)), 10)
    assert job == JOB["job_id"] and a_tries == LOSSES + 1
