"""Fetching a job's errors file: never with the key, https or loopback only, bounded."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest

from sgtui.sendgrid.errors_file import (
    ErrorsFileUnavailable,
    FailedRow,
    fetch_errors_file,
    parse_errors_file,
)

CSV = b"identifier,error\r\nbad@nowhere.invalid,email domain does not exist\r\n"


def serving(content: bytes, status: int = 200, seen: list[httpx.Request] | None = None,
            **headers: str) -> httpx.MockTransport:
    """A transport answering every request with ``content``."""

    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=content, headers=headers)

    return httpx.MockTransport(answer)


async def test_rows_and_reasons_come_from_the_file_and_the_key_never_goes_there() -> None:
    seen: list[httpx.Request] = []
    rows = await fetch_errors_file("https://storage.example.com/errors.csv?sig=1",
                                   transport=serving(CSV, seen=seen))
    assert rows == [FailedRow("bad@nowhere.invalid", "email domain does not exist")]
    assert "authorization" not in {name.lower() for name in seen[0].headers}


@pytest.mark.parametrize("url", ["http://storage.example.com/errors.csv", "ftp://x/errors",
                                 "http://localhost.example.com/e.csv", "not a url"])
async def test_only_https_or_this_computer(url: str) -> None:
    with pytest.raises(ErrorsFileUnavailable):
        await fetch_errors_file(url, transport=serving(CSV))


async def test_plain_http_to_loopback_is_fine_for_the_sandbox() -> None:
    rows = await fetch_errors_file("http://127.0.0.1:9/errors.csv", transport=serving(CSV))
    assert len(rows) == 1


async def test_a_file_too_large_a_refusal_or_a_redirect_is_unavailable() -> None:
    with pytest.raises(ErrorsFileUnavailable, match="larger"):
        await fetch_errors_file("https://s.example.com/e", transport=serving(CSV * 100),
                                max_bytes=1000)
    with pytest.raises(ErrorsFileUnavailable, match="403"):
        await fetch_errors_file("https://s.example.com/e", transport=serving(b"", 403))
    with pytest.raises(ErrorsFileUnavailable, match="302"):
        await fetch_errors_file("https://s.example.com/e", transport=serving(
            b"", 302, location="https://elsewhere.example.com/"))


async def test_a_download_that_never_ends_is_given_up_in_time() -> None:
    async def stall(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, content=CSV)

    with pytest.raises(ErrorsFileUnavailable, match="within"):
        await fetch_errors_file("https://s.example.com/e", transport=httpx.MockTransport(stall),
                                seconds=0.05)


def test_columns_are_found_by_heading_and_gzip_is_read() -> None:
    content = b"Email,Line,Errors\nA@Example.com,3,invalid phone\n,4,skipped\n"
    assert parse_errors_file(gzip.compress(content)) == [
        FailedRow("a@example.com", "invalid phone")]
    with pytest.raises(ErrorsFileUnavailable):
        parse_errors_file(b"one,two\n1,2\n")
