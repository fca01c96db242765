"""The errors file of a SendGrid job (``results.errors_url``): which rows failed, and why.

A job that ends ``errored`` or ``failed`` names a file listing the rows it could not take.
It lives outside the API, so it is fetched with a client of its own that never carries the
API key, only over https (or plain http to this computer, for the sandbox), without following
redirects, and within a size and time bound. The file is a CSV; its identifier column (an
email, or another identifier) and its reason column are found by their headings, else the
first and last columns are taken.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
from dataclasses import dataclass

import httpx

from sgtui import __version__
from sgtui.errors import sentence_for
from sgtui.workspace.base_url import is_loopback_host

MAX_ERRORS_FILE_BYTES = 16 * 1024 * 1024
"""A failed 30,000-contact batch with long reasons stays well under this."""
ERRORS_FILE_SECONDS = 60.0
"""The whole download, however slowly the bytes come."""
ERRORS_FILE_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

_IDENTIFIER_HEADINGS = ("email", "identifier", "contact", "external_id", "phone_number_id",
                        "anonymous_id")
_REASON_HEADINGS = ("error", "errors", "reason", "message", "error_message")


@dataclass(frozen=True, slots=True)
class FailedRow:
    """One row a job failed: its identifier (an email, lower-cased) and SendGrid's reason."""

    identifier: str
    reason: str


class ErrorsFileUnavailable(Exception):
    """The errors file could not be fetched or read; ``reason`` is a short phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_errors_url(url: str) -> httpx.URL:
    """``url`` parsed, or ErrorsFileUnavailable when sgtui may not fetch it."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ErrorsFileUnavailable("its address is not a web address") from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and is_loopback_host(parsed.host):
        return parsed
    raise ErrorsFileUnavailable("its address is not https")


async def fetch_errors_file(url: str, *, transport: httpx.AsyncBaseTransport | None = None,
                            max_bytes: int = MAX_ERRORS_FILE_BYTES,
                            seconds: float = ERRORS_FILE_SECONDS) -> list[FailedRow]:
    """The rows the errors file at ``url`` names; ErrorsFileUnavailable when it cannot."""
    parsed = check_errors_url(url)
    try:
        content = await asyncio.wait_for(_download(parsed, transport, max_bytes), seconds)
    except TimeoutError:
        raise ErrorsFileUnavailable(f"it did not arrive within {seconds:g} seconds") from None
    except httpx.HTTPError as error:
        raise ErrorsFileUnavailable(sentence_for(error, "the download failed ({cause})")) from None
    return parse_errors_file(content, max_bytes)


async def _download(url: httpx.URL, transport: httpx.AsyncBaseTransport | None,
                    max_bytes: int) -> bytes:
    async with httpx.AsyncClient(transport=transport, timeout=ERRORS_FILE_TIMEOUT,
                                 follow_redirects=False,
                                 headers={"User-Agent": f"sgtui/{__version__}"}) as http, \
            http.stream("GET", url) as response:
        if response.status_code != 200:
            raise ErrorsFileUnavailable(f"the server answered {response.status_code}")
        parts: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: the bound holds for gzip too
            size += len(chunk)
            if size > max_bytes:
                raise ErrorsFileUnavailable(f"it is larger than {max_bytes / 2**20:g} MB")
            parts.append(chunk)
        return b"".join(parts)


def _gunzip(content: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as unpacked:
            data = unpacked.read(max_bytes + 1)
    except (OSError, EOFError):
        raise ErrorsFileUnavailable("it is not a readable gzip file") from None
    if len(data) > max_bytes:
        raise ErrorsFileUnavailable(f"it is larger than {max_bytes / 2**20:g} MB")
    return data


def parse_errors_file(content: bytes, max_bytes: int = MAX_ERRORS_FILE_BYTES) -> list[FailedRow]:
    """The rows of an errors file's bytes (gzipped or plain CSV)."""
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content, max_bytes)
    text = content.decode("utf-8-sig", errors="replace")
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error:
        raise ErrorsFileUnavailable("it is not a CSV file") from None
    if not rows:
        return []
    heading = [cell.strip().lower() for cell in rows[0]]
    who = _column(heading, _IDENTIFIER_HEADINGS)
    why = _column(heading, _REASON_HEADINGS)
    if who is None or why is None:
        raise ErrorsFileUnavailable("its columns are not the ones sgtui knows")
    failed = []
    for row in rows[1:]:
        identifier = row[who].strip() if who < len(row) else ""
        reason = row[why].strip() if why < len(row) else ""
        if identifier:
            failed.append(FailedRow(identifier.lower(), reason or "failed in SendGrid's job"))
    return failed


def _column(heading: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in heading:
            return heading.index(name)
    return None
