"""Each failure a user can meet becomes one typed error with a sentence that says what to do."""

from __future__ import annotations

import pytest
from sendgrid_fakes import FakeApi, answer, sendgrid_error

from sgtui.sendgrid import (
    REQUIRED_SCOPES,
    BadRequest,
    MissingScope,
    NotFound,
    PayloadTooLarge,
    SendGridError,
    Unauthorized,
    UnexpectedResponse,
    describe_scopes,
    missing_scopes,
)
from sgtui.sendgrid.errors import parse_contact_path

LIST_A = "ca7a3796-e8a8-4029-9ccb-df8937940562"


async def test_a_wrong_key_says_so_and_what_to_do(make_client):
    api = FakeApi().script(sendgrid_error(401, "authorization required"))
    async with make_client(api) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.scopes()
    assert str(caught.value) == caught.value.sentence == (
        "SendGrid did not accept this API key: it is wrong, or it was deleted. Create a new "
        "key in SendGrid (Settings > API Keys), enter it for this connection and try again.")
    assert not caught.value.revoked


async def test_a_revoked_key_says_it_was_revoked(make_client):
    api = FakeApi().script(sendgrid_error(
        401, "The provided authorization grant is invalid, expired, or revoked"))
    async with make_client(api) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.lists()
    assert caught.value.revoked
    assert caught.value.sentence.startswith("SendGrid says this API key was revoked")


async def test_a_forbidden_write_names_the_missing_permission(make_client):
    api = FakeApi().script(sendgrid_error(403, "access forbidden"))
    async with make_client(api) as client:
        with pytest.raises(MissingScope) as caught:
            await client.upsert_contacts([LIST_A], [{"email": "a@example.com"}])
    assert caught.value.scopes == {"marketing.write"}
    assert caught.value.sentence.startswith("This API key may not add and remove contacts.")


async def test_a_forbidden_read_names_the_read_permission(make_client):
    api = FakeApi().script(sendgrid_error(403, "access forbidden"))
    async with make_client(api) as client:
        with pytest.raises(MissingScope) as caught:
            await client.lists()
    assert caught.value.sentence.startswith(
        "This API key may not read your Marketing lists and contacts.")


async def test_payload_too_large_even_as_html_from_the_edge(make_client):
    api = FakeApi().script(answer(413, text="<html><body>413 Request Entity Too Large"
                                            "</body></html>"))
    async with make_client(api) as client:
        with pytest.raises(PayloadTooLarge) as caught:
            await client.upsert_body(b'{"contacts":[{"email":"a@example.com"}]}', 1)
    assert "under 4 MiB and 30,000 contacts" in caught.value.sentence
    assert caught.value.status == 413


async def test_an_unknown_job_is_not_found(make_client):
    api = FakeApi().script(sendgrid_error(404, "job not found"))
    async with make_client(api) as client:
        with pytest.raises(NotFound) as caught:
            await client.import_status("no-such-job")
    assert "no job with the ID 'no-such-job'" in caught.value.sentence


async def test_an_odd_status_is_an_unexpected_answer(make_client):
    api = FakeApi(check_answers=False).script(
        answer(302, headers={"Location": "https://elsewhere.example/"}))
    async with make_client(api) as client:
        with pytest.raises(UnexpectedResponse) as caught:
            await client.scopes()
    assert len(api.requests) == 1  # redirects are never followed with the key
    assert "HTTP 302 on GET /v3/scopes" in caught.value.sentence


async def test_a_bad_request_with_an_empty_body_still_reads_well(make_client):
    api = FakeApi(check_answers=False).script(answer(400))
    async with make_client(api) as client:
        with pytest.raises(BadRequest) as caught:
            await client.create_list("x")
    assert caught.value.sentence == ("SendGrid refused the request: no reason given. "
                                     "Correct it and try again.")


def test_every_error_is_a_sendgrid_error_with_a_sentence():
    from sgtui import sendgrid

    for name in sendgrid.__all__:
        value = getattr(sendgrid, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, SendGridError), name


def test_required_scopes_and_missing_scopes():
    assert {"marketing.read", "marketing.write"} == REQUIRED_SCOPES
    assert missing_scopes(["mail.send", "marketing.read"]) == {"marketing.write"}
    assert missing_scopes(["marketing.read", "marketing.write", "alerts.read"]) == frozenset()


def test_scopes_in_plain_words():
    assert describe_scopes({"marketing.read"}) == "read your Marketing lists and contacts"
    assert describe_scopes({"marketing.write"}) == "add and remove contacts"
    assert describe_scopes(REQUIRED_SCOPES, joiner="and") == (
        "read your Marketing lists and contacts and add and remove contacts")
    assert describe_scopes({"marketing.write", "mail.send"}) == (
        "add and remove contacts or use mail.send")


@pytest.mark.parametrize(("path", "parsed"), [
    ("contacts[0].email", (0, "email")),
    ("contacts[12].custom_fields.e1_T", (12, "custom_fields.e1_T")),
    ("contacts[7]", (7, "")),
    ("list_ids", None),
    (None, None),
    ("contacts[x].email", None),
])
def test_contact_paths(path, parsed):
    assert parse_contact_path(path) == parsed
