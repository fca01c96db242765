"""Helpers for the SendGrid client tests: a scripted fake API and a clock that never waits.

Every request the client sends to the fake API is checked against the spec
(``validate_request``); the fake's answers are checked too unless a test says it answers off
the spec on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from openapi_contract import check_response, validate_request

KEY = "SG." + "a" * 22 + "." + "b" * 43
"""A made-up key shaped like a real one. Tests check it never shows up anywhere."""

Answer = httpx.Response | BaseException
Handler = Callable[[httpx.Request], Answer]


def answer(status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None,
           text: str | None = None) -> httpx.Response:
    """An httpx response with a JSON ``body`` (or raw ``text``)."""
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def sendgrid_error(status: int, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
    """SendGrid's error envelope."""
    return answer(status, {"errors": [{"field": field, "message": message}]}, headers=headers)


def limits(limit: int, remaining: int, reset: float | str) -> dict[str, str]:
    """``X-RateLimit-*`` headers."""
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset)}


class FakeApi:
    """A MockTransport handler: checks each request against the spec, records it, answers.

    ``handler`` decides the answer (an ``httpx.Response`` or an exception to raise);
    :meth:`script` queues answers instead. With ``check_answers`` the answers are checked
    against the spec as well.
    """

    def __init__(self, handler: Handler | None = None, *, check_answers: bool = True) -> None:
        self.handler = handler
        self.queue: list[Answer] = []
        self.requests: list[httpx.Request] = []
        self.check_answers = check_answers

    def script(self, *answers: Answer) -> FakeApi:
        """Answer the next requests with ``answers``, in order."""
        self.queue.extend(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        validate_request(request.method, str(request.url), body)
        self.requests.append(request)
        if self.queue:
            result = self.queue.pop(0)
        elif self.handler is not None:
            result = self.handler(request)
        else:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(result, BaseException):
            raise result
        if self.check_answers:
            result.request = request
            result.read()
            check_response(result)
        return result

    def bodies(self) -> list[Any]:
        """The JSON bodies of the requests sent so far."""
        return [json.loads(r.content) if r.content else None for r in self.requests]


class FakeClock:
    """Monotonic and wall clocks that move only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.wall = 1_800_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        self.wall += max(seconds, 0.0)
