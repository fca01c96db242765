"""The key travels only over TLS (or to this computer) and never shows up in text."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from sendgrid_fakes import KEY, FakeApi, answer, sendgrid_error

from sgtui.sendgrid import (
    InsecureBaseUrl,
    InvalidBaseUrl,
    NetworkError,
    SendGridClient,
    SendGridError,
)
from sgtui.sendgrid.security import is_loopback_host, redact
from sgtui.workspace.secrets import ApiKey

SECRET_PART = KEY.split(".")[2]


@pytest.mark.parametrize("base_url", [
    "http://api.sendgrid.com", "http://10.0.0.5:8080", "http://sandbox.internal",
    "http://[2001:db8::1]", "http://127.example.com", "http://sendgrid.localhost",
    "http://localhost.", "http://127.1", "http://2130706433",
])
def test_plain_http_to_another_host_is_refused(base_url):
    with pytest.raises(InsecureBaseUrl) as caught:
        SendGridClient(ApiKey(KEY), base_url=base_url)
    assert caught.value.sentence.startswith("sgtui will not send the API key over plain http://")


@pytest.mark.parametrize("base_url", [
    "http://127.0.0.1:8025", "http://127.1.2.3", "http://localhost:9000", "http://[::1]:8080",
    "https://api.sendgrid.com", "https://api.eu.sendgrid.com/", "http://LOCALHOST",
])
async def test_https_anywhere_and_http_to_this_computer_are_fine(base_url):
    async with SendGridClient(ApiKey(KEY), base_url=base_url) as client:
        assert client.base_url == base_url.rstrip("/").replace("LOCALHOST", "localhost")


@pytest.mark.parametrize("base_url", [
    "ftp://api.sendgrid.com", "api.sendgrid.com", "https://", f"https://u:{KEY}@x.example",
    "https://api.sendgrid.com/?x=1",
])
def test_nonsense_base_urls_are_refused_without_echoing_secrets(base_url):
    with pytest.raises(InvalidBaseUrl) as caught:
        SendGridClient(ApiKey(KEY), base_url=base_url)
    assert SECRET_PART not in caught.value.sentence


def test_loopback_hosts():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert is_loopback_host("localhost") and is_loopback_host("[::1]")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("localhost.example.com")


async def test_the_client_repr_hides_the_key():
    async with SendGridClient(ApiKey(KEY)) as client:
        assert SECRET_PART not in repr(client)
        assert "SG.••••" in repr(client)


def test_a_plain_string_is_not_accepted_as_a_key():
    with pytest.raises(TypeError) as caught:
        SendGridClient(KEY)  # type: ignore[arg-type]
    assert SECRET_PART not in str(caught.value)


def test_redact_removes_keys_and_bearer_tokens():
    text = f"headers: {{'authorization': 'Bearer {KEY}'}} and SG.abcdefgh.ijklmnopqrs"
    cleaned = redact(text, KEY)
    assert SECRET_PART not in cleaned and "ijklmnopqrs" not in cleaned
    assert redact("Bearer sometoken") == "Bearer [redacted]"


def assert_clean(error: BaseException) -> None:
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, SendGridError):
        shown.append(error.sentence)
    for text in shown:
        assert SECRET_PART not in text


async def test_an_httpx_error_quoting_the_headers_does_not_leak_the_key(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="sgtui.sendgrid")

    def leaky(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed sending {dict(request.headers)!r}", request=request)

    async with make_client(FakeApi(leaky), max_retries=1) as client:
        with pytest.raises(NetworkError) as caught:
            await client.scopes()
    assert_clean(caught.value)
    assert caught.value.__cause__ is None
    assert "[redacted]" in caught.value.detail
    for record in caplog.records:
        assert SECRET_PART not in record.getMessage()


async def test_sendgrid_echoing_the_key_in_an_error_is_redacted(make_client):
    api = FakeApi().script(sendgrid_error(400, f"bad key {KEY} in header Bearer {KEY}"))
    async with make_client(api) as client:
        with pytest.raises(SendGridError) as caught:
            await client.create_list("x")
    assert_clean(caught.value)


async def test_logs_name_method_path_status_never_the_key_or_personal_data(
    make_client, caplog
):
    caplog.set_level(logging.DEBUG, logger="sgtui.sendgrid")
    api = FakeApi().script(
        answer(200, {"scopes": ["marketing.read"]}),
        sendgrid_error(500, "oops"),
        answer(202, {"job_id": "j1"}),
        httpx.ReadTimeout("timed out"),
        answer(200, {"result": {}}),
        sendgrid_error(401, "authorization required"),
    )
    async with make_client(api) as client:
        await client.scopes()
        await client.upsert_contacts([], [{"email": "ann.private@example.com",
                                           "first_name": "Annabel"}])
        await client.search_emails(["ann.private@example.com"])
        with pytest.raises(SendGridError) as caught:
            await client.lists()
    assert_clean(caught.value)
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("GET /v3/scopes -> 200 in ") for m in messages)
    assert any(m.startswith("PUT /v3/marketing/contacts -> 202 in ") and "(1 contacts" in m
               for m in messages)
    assert any("server error 500" in m for m in messages)
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert SECRET_PART not in text
        assert "ann.private" not in text and "Annabel" not in text
