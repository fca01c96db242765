"""Each endpoint method sends a request the spec allows and reads both the spec's and the
real API's answers."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
from sendgrid_fakes import KEY, FakeApi, answer, sendgrid_error

from sgtui.sendgrid import (
    BadRequest,
    ContactExport,
    ContactList,
    ImportJob,
    InvalidContacts,
    ListNotFound,
)

LIST_A = "ca7a3796-e8a8-4029-9ccb-df8937940562"
LIST_B = "199abb98-0af3-4a8d-b371-6811ff85d062"
JOB = "2e7a4e23-1f1d-4b6e-9a3c-7f6c2b8d9a10"


def a_list(number: int) -> dict[str, object]:
    list_id = f"00000000-0000-4000-8000-{number:012d}"
    return {"id": list_id, "name": f"list {number}", "contact_count": number,
            "_metadata": {"self": f"https://api.sendgrid.com/v3/marketing/lists/{list_id}"}}


def contact(contact_id: str, email: str) -> dict[str, object]:
    return {"id": contact_id, "email": email, "list_ids": [], "segment_ids": [],
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}


async def test_every_request_carries_the_key_as_a_bearer_token(make_client):
    api = FakeApi().script(answer(200, {"scopes": ["marketing.read", "marketing.write"]}))
    async with make_client(api) as client:
        scopes = await client.scopes()
    assert scopes == frozenset({"marketing.read", "marketing.write"})
    request = api.requests[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.url == httpx.URL("https://api.sendgrid.com/v3/scopes")


async def test_lists_follow_next_pages_with_their_page_token(make_client):
    pages = {
        None: ([a_list(1), a_list(2)], "tok-2"),
        "tok-2": ([a_list(3)], "tok-3"),
        "tok-3": ([a_list(4)], None),
    }

    def lists_page(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page_token")
        items, next_token = pages[token]
        metadata = {"self": str(request.url), "count": 4}
        if next_token:
            # `next` deliberately names another host: only its token may be used.
            metadata["next"] = ("https://elsewhere.example/v3/marketing/lists"
                                f"?page_size=1000&page_token={next_token}")
        return answer(200, {"result": items, "_metadata": metadata})

    api = FakeApi(lists_page)
    async with make_client(api) as client:
        lists = await client.lists()
    assert [item.name for item in lists] == ["list 1", "list 2", "list 3", "list 4"]
    assert lists[2] == ContactList(a_list(3)["id"], "list 3", 3)
    assert all(r.url.host == "api.sendgrid.com" for r in api.requests)
    assert [r.url.params.get("page_token") for r in api.requests] == [None, "tok-2", "tok-3"]
    assert {r.url.params["page_size"] for r in api.requests} == {"1000"}


async def test_lists_stop_when_a_page_token_repeats(make_client):
    page = {"result": [a_list(1)], "_metadata": {
        "next": "https://api.sendgrid.com/v3/marketing/lists?page_token=same"}}
    api = FakeApi(lambda request: answer(200, page))
    async with make_client(api) as client:
        lists = await client.lists()
    assert len(api.requests) == 2
    assert len(lists) == 2


async def test_create_get_and_count_a_list(make_client):
    api = FakeApi().script(
        answer(201, {"id": LIST_A, "name": "Spring", "contact_count": 0}),
        answer(200, {"id": LIST_A, "name": "Spring", "contact_count": 12}),
        answer(200, {"contact_count": 12, "billable_count": 12}),
    )
    async with make_client(api) as client:
        created = await client.create_list("Spring")
        fetched = await client.get_list(LIST_A)
        count = await client.list_contact_count(LIST_A)
    assert created == ContactList(LIST_A, "Spring", 0)
    assert fetched.contact_count == 12
    assert count == 12
    assert api.bodies()[0] == {"name": "Spring"}
    assert [r.url.path for r in api.requests] == [
        "/v3/marketing/lists", f"/v3/marketing/lists/{LIST_A}",
        f"/v3/marketing/lists/{LIST_A}/contacts/count"]


async def test_a_taken_list_name_is_a_bad_request_with_sendgrids_words(make_client):
    api = FakeApi().script(sendgrid_error(400, "list name already exists", "name"))
    async with make_client(api) as client:
        with pytest.raises(BadRequest) as caught:
            await client.create_list("Spring")
    assert "list name already exists" in caught.value.sentence


@pytest.mark.parametrize("body", [
    [{"field": None, "message": "list not found"}],            # the spec's bare array
    {"errors": [{"field": None, "message": "list not found"}]},  # the real envelope
])
async def test_an_unknown_list_is_list_not_found(make_client, body):
    api = FakeApi(check_answers=False).script(answer(404, body))
    async with make_client(api) as client:
        with pytest.raises(ListNotFound) as caught:
            await client.get_list(LIST_B)
    assert caught.value.list_id == LIST_B
    assert LIST_B in caught.value.sentence


async def test_a_typed_list_id_cannot_escape_its_path(make_client):
    api = FakeApi().script(sendgrid_error(404, "not found"))
    async with make_client(api) as client:
        with pytest.raises(ListNotFound):
            await client.get_list("a/../../scopes")
    assert api.requests[0].url.raw_path.startswith(b"/v3/marketing/lists/a%2F..%2F")


async def test_an_empty_list_id_is_not_sent(make_client):
    api = FakeApi()
    async with make_client(api) as client:
        with pytest.raises(ListNotFound):
            await client.list_contact_count("  ")
    assert api.requests == []


async def test_upsert_sends_list_ids_and_contacts_and_returns_the_job(make_client):
    api = FakeApi().script(answer(202, {"job_id": JOB}))
    contacts = [{"email": "ann@example.com", "first_name": "Ann"},
                {"email": "bob@example.com", "custom_fields": {"e1_T": "gold"}}]
    async with make_client(api) as client:
        job_id = await client.upsert_contacts([LIST_A], contacts)
    assert job_id == JOB
    assert api.bodies() == [{"list_ids": [LIST_A], "contacts": contacts}]
    assert api.requests[0].method == "PUT"
    assert api.requests[0].headers["content-type"] == "application/json"


async def test_upsert_body_sends_the_callers_bytes_unchanged(make_client):
    body = json.dumps({"list_ids": [LIST_A], "contacts": [{"email": "zoë@example.com"}]},
                      ensure_ascii=False).encode()
    api = FakeApi().script(answer(202, {"job_id": JOB}))
    async with make_client(api) as client:
        assert await client.upsert_body(body, 1) == JOB
    assert api.requests[0].content == body


async def test_upsert_refused_for_some_contacts_names_them(make_client):
    api = FakeApi().script(answer(400, {"errors": [
        {"field": "contacts[3].email", "message": "email '000' is not valid"},
        {"field": "contacts[0].first_name", "message": "first_name too long"},
        {"field": "contacts[3]", "message": "contact needs an identifier"},
    ]}))
    contacts = [{"email": f"p{i}@example.com"} for i in range(5)]
    async with make_client(api) as client:
        with pytest.raises(InvalidContacts) as caught:
            await client.upsert_contacts([LIST_A], contacts)
    error = caught.value
    assert [tuple(problem) for problem in error.problems] == [
        (3, "email", "email '000' is not valid"),
        (0, "first_name", "first_name too long"),
        (3, "", "contact needs an identifier"),
    ]
    assert error.indexes == {0, 3}
    assert error.sentence.startswith("SendGrid refused this batch because 2 contacts")
    assert "000" not in error.sentence  # the sentence never quotes personal data


async def test_upsert_400_without_contact_paths_is_a_bad_request(make_client):
    api = FakeApi().script(sendgrid_error(400, "invalid custom field ids supplied"))
    async with make_client(api) as client:
        with pytest.raises(BadRequest) as caught:
            await client.upsert_contacts([], [{"email": "a@example.com"}])
    assert not isinstance(caught.value, InvalidContacts)
    assert api.bodies() == [{"contacts": [{"email": "a@example.com"}]}]


async def test_upsert_to_an_unknown_list_is_list_not_found(make_client):
    api = FakeApi().script(sendgrid_error(404, "list ids not found", "list_ids"))
    async with make_client(api) as client:
        with pytest.raises(ListNotFound) as caught:
            await client.upsert_contacts([LIST_B], [{"email": "a@example.com"}])
    assert LIST_B in caught.value.sentence


async def test_upsert_needs_contacts(make_client):
    async with make_client(FakeApi()) as client:
        with pytest.raises(ValueError):
            await client.upsert_contacts([LIST_A], [])


async def test_import_status_reads_the_real_forms(make_client):
    api = FakeApi().script(
        answer(200, {"id": JOB, "status": "pending", "job_type": "upsert_contacts",
                     "results": {"requested_count": 3}, "started_at": "2026-01-01T00:00:00Z"}),
        answer(200, {"id": JOB, "status": "errored", "job_type": "upsert_contacts",
                     "results": {"requested_count": 3, "created_count": 1.0,
                                 "errored_count": 2, "errors_url": "https://x.example/e"},
                     "started_at": "2026-01-01T00:00:00Z",
                     "finished_at": "2026-01-01T00:00:09Z"}),
    )
    async with make_client(api) as client:
        pending = await client.import_status(JOB)
        done = await client.import_status(JOB)
    assert pending == ImportJob(JOB, "pending", "upsert_contacts", 3, 0, 0, 0, 0, None, False)
    assert done == ImportJob(JOB, "errored", "upsert_contacts", 3, 1, 0, 0, 2,
                             "https://x.example/e", True)


async def test_import_status_reads_the_spec_form(make_client):
    api = FakeApi().script(answer(200, {
        "id": JOB, "status": "completed", "job_type": "upsert",
        "results": {"requested_count": 2, "created_count": 1, "updated_count": 1,
                    "deleted_count": 0, "errored_count": 0}}))
    async with make_client(api) as client:
        job = await client.import_status(JOB)
    assert (job.finished, job.created, job.updated, job.errored) == (True, 1, 1, 0)


async def test_search_emails_in_chunks_of_100_lower_cased(make_client):
    emails = [f"Person{i}@Example.com" for i in range(250)] + ["person0@example.com", " "]

    def search(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["emails"]
        if asked[0] == "person200@example.com":
            return sendgrid_error(404, "no contacts found")
        result = {}
        for email in asked:
            number = int(email.removeprefix("person").split("@")[0])
            result[email] = ({"contact": contact(f"id-{number}", email)}
                             if number % 2 == 0 else {"error": "contact not found"})
        return answer(200, {"result": result})

    api = FakeApi(search)
    async with make_client(api) as client:
        found = await client.search_emails(emails)
    sizes = [len(body["emails"]) for body in api.bodies()]
    assert sizes == [100, 100, 50]
    assert found == {f"person{i}@example.com": f"id-{i}" for i in range(0, 200, 2)}


async def test_search_skips_emails_the_spec_does_not_allow(make_client):
    api = FakeApi().script(answer(200, {"result": {}}))
    async with make_client(api) as client:
        await client.search_emails(["a@example.com", "x" * 95 + "@example.com"])
    assert api.bodies() == [{"emails": ["a@example.com"]}]


async def test_remove_from_list_in_chunks_returns_every_job(make_client):
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(150)]
    jobs = iter(["job-1", "job-2"])
    api = FakeApi(lambda request: answer(202, {"job_id": next(jobs)}))
    async with make_client(api) as client:
        assert await client.remove_from_list(LIST_A, [*ids, ids[0]]) == ["job-1", "job-2"]
        assert await client.remove_from_list(LIST_A, []) == []
    sent = [parse_qs(r.url.query.decode())["contact_ids"][0].split(",") for r in api.requests]
    assert [len(chunk) for chunk in sent] == [100, 50]
    assert [contact_id for chunk in sent for contact_id in chunk] == ids
    assert {r.url.path for r in api.requests} == {f"/v3/marketing/lists/{LIST_A}/contacts"}


async def test_start_and_poll_an_export(make_client):
    api = FakeApi().script(
        answer(202, {"id": "exp-1", "_metadata": {}}),
        answer(200, {"id": "exp-1", "status": "ready", "created_at": "2026-01-01T00:00:00Z",
                     "updated_at": "2026-01-01T00:00:01Z", "expires_at": "2026-01-04T00:00:00Z",
                     "urls": ["https://files.example/exp-1.csv"], "contact_count": 2}),
    )
    async with make_client(api) as client:
        export_id = await client.start_export([LIST_A])
        export = await client.export_status(export_id)
    assert api.bodies()[0] == {"list_ids": [LIST_A], "file_type": "csv"}
    assert export == ContactExport("exp-1", "ready", ("https://files.example/exp-1.csv",), 2,
                                   None, "2026-01-04T00:00:00Z", True)


async def test_field_definitions_name_reserved_and_custom_fields(make_client):
    api = FakeApi().script(answer(200, {
        "custom_fields": [{"id": "e1_T", "name": "tier", "field_type": "Text"}],
        "reserved_fields": [
            {"id": "_rf2_T", "name": "email", "field_type": "Text"},
            {"id": "_rf23_T", "name": "contact_id", "field_type": "Text", "read_only": True}],
    }))
    async with make_client(api) as client:
        fields = await client.field_definitions()
    assert fields.custom_field_id("tier") == "e1_T"
    assert fields.custom_field_id("nope") is None
    assert fields.writable_reserved_names == {"email"}


async def test_a_body_that_is_not_json_is_an_unexpected_answer(make_client):
    from sgtui.sendgrid import UnexpectedResponse

    api = FakeApi(check_answers=False).script(answer(200, text="<html>portal</html>"))
    async with make_client(api) as client:
        with pytest.raises(UnexpectedResponse) as caught:
            await client.scopes()
    assert "GET /v3/scopes" in caught.value.sentence
