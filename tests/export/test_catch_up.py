"""Telling SendGrid's lagging list count from a list that really changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from sgtui.export.catch_up import CATCH_UP_WINDOW, SAMPLE_SIZE, judge_count

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LIST = "list-1"
SAMPLE = [f"p{n}@example.com" for n in range(150)]
Lookup = Callable[[Sequence[str]], Awaitable[dict[str, frozenset[str]]]]


def memberships(off_the_list: frozenset[str] = frozenset(),
                calls: list[list[str]] | None = None) -> Lookup:
    """A stand-in for the client's exact look-up: every contact on LIST but ``off_the_list``."""

    async def look_up(emails: Sequence[str]) -> dict[str, frozenset[str]]:
        if calls is not None:
            calls.append(list(emails))
        return {email: frozenset() if email in off_the_list else frozenset({LIST})
                for email in emails}

    return look_up


async def test_a_low_count_right_after_a_confirmed_job_is_catching_up() -> None:
    calls: list[list[str]] = []
    verdict = await judge_count(0, 3000, NOW - timedelta(seconds=40), NOW, SAMPLE,
                                memberships(calls=calls), LIST)
    assert verdict.catching_up and verdict.behind == 3000
    assert calls == [SAMPLE[:SAMPLE_SIZE]]  # a bounded sample, one look-up
    assert verdict.catching_up_sentence() == (
        "SendGrid's count has not caught up yet: the list shows 0 of the 3,000 contacts "
        "sgtui confirmed (3,000 to go); SendGrid's counts catch up within minutes")


async def test_a_low_count_long_after_the_last_job_is_a_change() -> None:
    calls: list[list[str]] = []
    verdict = await judge_count(0, 3000, NOW - CATCH_UP_WINDOW - timedelta(seconds=1), NOW,
                                SAMPLE, memberships(calls=calls), LIST)
    assert not verdict.catching_up and calls == []


async def test_a_sampled_contact_off_the_list_is_a_change_even_right_after() -> None:
    verdict = await judge_count(2990, 3000, NOW - timedelta(seconds=40), NOW, SAMPLE,
                                memberships(frozenset({SAMPLE[7]})), LIST)
    assert not verdict.catching_up


async def test_a_count_in_step_needs_no_look_up() -> None:
    calls: list[list[str]] = []
    verdict = await judge_count(3000, 3000, None, NOW, SAMPLE, memberships(calls=calls), LIST)
    assert verdict.in_step and not verdict.catching_up and calls == []
