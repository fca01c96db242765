"""Contacts: upserts and their synchronous checks, merging, lower-casing, searches, deletes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from typing import Any

import httpx
import pytest
from openapi_contract import SKIP_REQUEST_CHECK

from sgtui.sandbox import SandboxServer

from .helpers import upsert, wait_for_job

MISSING_LIST = "00000000-0000-4000-8000-000000000000"


def refused(api: httpx.Client, body: Any, *, spec_valid: bool = True) -> httpx.Response:
    """PUT an upsert that must be refused; returns the answer."""
    extensions = {} if spec_valid else SKIP_REQUEST_CHECK
    response = api.put("/v3/marketing/contacts", json=body, extensions=extensions)
    assert response.status_code in (400, 404), response.text
    assert "job_id" not in response.json()
    return response


def fields_of(response: httpx.Response) -> list[str | None]:
    """The ``field`` of each error in an error answer."""
    return [error["field"] for error in response.json()["errors"]]


def test_upsert_is_accepted_with_a_job_and_lands_when_the_job_completes(
        server: SandboxServer, api: httpx.Client, news: str) -> None:
    response = api.put("/v3/marketing/contacts", json={
        "list_ids": [news],
        "contacts": [{"email": "ann@example.com", "first_name": "Ann"},
                     {"email": "bob@example.com"}],
    })
    assert response.status_code == 202
    job = wait_for_job(api, response.json()["job_id"])
    assert job["status"] == "completed"
    assert job["job_type"] == "upsert_contacts"
    assert job["results"] == {"requested_count": 2, "created_count": 2}
    assert server.list_emails(news) == ["ann@example.com", "bob@example.com"]
    assert server.stats()["contacts_upserted"] == 2


def test_emails_are_stored_lower_cased_and_upserts_merge(server: SandboxServer,
                                                         api: httpx.Client, news: str) -> None:
    upsert(api, [{"email": "Ann.Lee@Example.COM", "first_name": "Ann", "city": "Paris"}])
    job = upsert(api, [{"email": "ann.lee@example.com", "last_name": "Lee"}], [news])
    assert job["results"] == {"requested_count": 1, "updated_count": 1}
    found = api.post("/v3/marketing/contacts/search/emails",
                     json={"emails": ["ANN.LEE@example.com"]}).json()
    contact = found["result"]["ANN.LEE@example.com"]["contact"]
    assert contact["email"] == "ann.lee@example.com"
    assert (contact["first_name"], contact["last_name"], contact["city"]) == ("Ann", "Lee",
                                                                              "Paris")
    assert contact["list_ids"] == [news]
    assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 1
    assert server.list_emails(news) == ["ann.lee@example.com"]


def test_a_later_upsert_adds_lists_without_leaving_earlier_ones(
        server: SandboxServer, api: httpx.Client, news: str) -> None:
    other = server.create_list("Other")["id"]
    upsert(api, [{"email": "c@example.com"}], [news])
    upsert(api, [{"email": "c@example.com"}], [other])
    assert server.list_emails(news) == server.list_emails(other) == ["c@example.com"]


def test_contacts_can_be_identified_by_external_id(api: httpx.Client) -> None:
    upsert(api, [{"external_id": "crm-1", "first_name": "Zoe"}])
    job = upsert(api, [{"external_id": "crm-1", "last_name": "Ng"}])
    assert job["results"]["updated_count"] == 1
    found = api.post("/v3/marketing/contacts/search/identifiers/external_id",
                     json={"identifiers": ["crm-1"]}).json()
    contact = found["result"]["crm-1"]["contact"]
    assert (contact["first_name"], contact["last_name"]) == ("Zoe", "Ng")


def test_invalid_email_is_refused_whole_with_its_path(api: httpx.Client) -> None:
    response = refused(api, {"contacts": [{"email": "ok@example.com"}, {"email": "000"}]})
    assert response.json() == {"errors": [{"field": "contacts[1].email",
                                           "message": "email '000' is not valid"}]}
    assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 0


def test_every_problem_is_listed(api: httpx.Client) -> None:
    response = refused(api, {"contacts": [
        {"email": "a@"}, {"first_name": "Nobody"}, {"email": "x@example.com", "state": "CA"},
    ]})
    assert fields_of(response) == ["contacts[0].email", "contacts[1]", "contacts[2].state"]


@pytest.mark.parametrize(("field", "limit"), [
    ("first_name", 50), ("last_name", 50), ("city", 60), ("state_province_region", 50),
    ("country", 50), ("address_line_1", 100), ("address_line_2", 100),
])
def test_field_length_limits(api: httpx.Client, field: str, limit: int) -> None:
    upsert(api, [{"email": "fits@example.com", field: "x" * limit}])
    response = refused(api, {"contacts": [{"email": "long@example.com", field: "x" * (limit + 1)}]},
                       spec_valid=False)
    assert fields_of(response) == [f"contacts[0].{field}"]


def test_email_longer_than_254_is_refused(api: httpx.Client) -> None:
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
    assert len(email) > 254
    refused(api, {"contacts": [{"email": email}]}, spec_valid=False)


def test_postal_code_has_no_limit(api: httpx.Client) -> None:
    job = upsert(api, [{"email": "zip@example.com", "postal_code": "9" * 500}])
    assert job["status"] == "completed"


def test_more_than_five_alternate_emails_are_refused(api: httpx.Client) -> None:
    emails = [f"alt{n}@example.com" for n in range(6)]
    response = refused(api, {"contacts": [{"email": "a@example.com", "alternate_emails": emails}]},
                       spec_valid=False)
    assert fields_of(response) == ["contacts[0].alternate_emails"]


def test_batch_size_must_be_1_to_30000(api: httpx.Client) -> None:
    assert fields_of(refused(api, {"contacts": []}, spec_valid=False)) == ["contacts"]
    many = [{"email": f"p{n}@example.com"} for n in range(30_001)]
    assert fields_of(refused(api, {"contacts": many}, spec_valid=False)) == ["contacts"]


def test_30000_contacts_are_accepted(server: SandboxServer, api: httpx.Client, news: str) -> None:
    contacts = [{"email": f"p{n}@example.com", "first_name": "P"} for n in range(30_000)]
    job = upsert(api, contacts, [news])
    assert job["results"] == {"requested_count": 30_000, "created_count": 30_000}
    assert api.get(f"/v3/marketing/lists/{news}/contacts/count").json()["contact_count"] == 30_000


def test_unknown_list_id_answers_404(api: httpx.Client) -> None:
    response = refused(api, {"list_ids": [MISSING_LIST], "contacts": [{"email": "a@example.com"}]})
    assert response.status_code == 404


def test_body_that_is_not_json_is_refused(api: httpx.Client) -> None:
    response = api.put("/v3/marketing/contacts", content=b"{nope",
                       headers={"Content-Type": "application/json"},
                       extensions=SKIP_REQUEST_CHECK)
    assert response.status_code == 400


def three_custom_fields(api: httpx.Client) -> tuple[str, str, str]:
    """The ids of new custom fields tier (Text), score (Number) and joined (Date)."""
    made = [api.post("/v3/marketing/field_definitions",
                     json={"name": name, "field_type": kind}).json()["id"]
            for name, kind in (("tier", "Text"), ("score", "Number"), ("joined", "Date"))]
    return made[0], made[1], made[2]


def test_custom_fields_go_by_id_and_come_back_by_name_with_dates_in_iso_8601(
        api: httpx.Client) -> None:
    tier, score, joined = three_custom_fields(api)
    upsert(api, [{"email": "cf@example.com", "custom_fields": {
        tier: "gold", score: 15.5, joined: "2021-02-11T23:03:03.000Z"}},
        {"email": "us@example.com", "custom_fields": {score: 12, joined: "01/31/2026"}}])
    found = api.post("/v3/marketing/contacts/search/emails",
                     json={"emails": ["cf@example.com", "us@example.com"]}).json()["result"]
    assert found["cf@example.com"]["contact"]["custom_fields"] == {
        "tier": "gold", "score": 15.5, "joined": "2021-02-11T23:03:03Z"}
    assert found["us@example.com"]["contact"]["custom_fields"] == {
        "score": 12, "joined": "2026-01-31T00:00:00Z"}
    by_name = refused(api, {"contacts": [{"email": "x@example.com",
                                          "custom_fields": {"tier": "gold"}}]})
    assert by_name.json()["errors"][0]["message"] == "invalid custom field ids supplied"


def test_custom_values_are_checked_in_the_job_not_in_the_put(api: httpx.Client) -> None:
    tier, score, joined = three_custom_fields(api)
    job = upsert(api, [{"email": "date@example.com", "custom_fields": {joined: "AAAAA"}},
                       {"email": "num@example.com", "custom_fields": {score: "many"}},
                       {"email": "text@example.com", "custom_fields": {tier: "x" * 1001}},
                       {"email": "fine@example.com", "custom_fields": {tier: "ok"}}])
    assert job["status"] == "errored"
    assert job["results"]["errored_count"] == 3 and job["results"]["created_count"] == 1
    errors = list(csv.reader(io.StringIO(httpx.get(job["results"]["errors_url"]).text)))
    assert errors[1:] == [["date@example.com", "joined: 'AAAAA' is not a valid date"],
                          ["num@example.com", "score: 'many' is not a number"],
                          ["text@example.com", "tier: text longer than 1000 characters"]]
    not_a_value = refused(api, {"contacts": [{"email": "x@example.com",
                                              "custom_fields": {tier: ["a", "b"]}}]},
                          spec_valid=False)
    assert fields_of(not_a_value) == [f"contacts[0].custom_fields.{tier}"]


def test_phone_number_and_messaging_fields_are_accepted_and_empty_fields_answer_empty(
        api: httpx.Client) -> None:
    upsert(api, [{"email": "ph@example.com", "first_name": "Caio",
                  "phone_number": "+5583999999999", "whatsapp": "x"}])
    upsert(api, [{"email": "ph@example.com", "first_name": "", "phone_number": "000"}])
    contact = api.post("/v3/marketing/contacts/search/emails",
                       json={"emails": ["ph@example.com"]}).json()["result"]["ph@example.com"]
    contact = contact["contact"]
    assert contact["first_name"] == "" and contact["phone_number"] == "000"
    assert contact["whatsapp"] == "x" and contact["city"] == "" and contact["last_name"] == ""
    assert contact["alternate_emails"] == [] and contact["segment_ids"] is None
    assert contact["_metadata"]["self"].endswith(f"/v3/marketing/contacts/{contact['id']}")


def test_field_definitions_list_reserved_and_custom_fields(api: httpx.Client) -> None:
    api.post("/v3/marketing/field_definitions", json={"name": "tier", "field_type": "Text"})
    body = api.get("/v3/marketing/field_definitions").json()
    reserved = {field["name"]: field["id"] for field in body["reserved_fields"]}
    assert reserved["first_name"] == "_rf0_T" and reserved["email"] == "_rf2_T"
    assert reserved["country"] == "_rf9_T"
    assert [field["name"] for field in body["custom_fields"]] == ["tier"]
    duplicate = api.post("/v3/marketing/field_definitions",
                         json={"name": "tier", "field_type": "Text"})
    assert duplicate.status_code == 400
    bad_type = api.post("/v3/marketing/field_definitions",
                        json={"name": "flag", "field_type": "Boolean"},
                        extensions=SKIP_REQUEST_CHECK)
    assert bad_type.status_code == 400


def test_search_by_email_answers_per_email_or_404(api: httpx.Client) -> None:
    upsert(api, [{"email": "here@example.com"}])
    both = api.post("/v3/marketing/contacts/search/emails",
                    json={"emails": ["here@example.com", "gone@example.com"]})
    assert both.status_code == 200
    result = both.json()["result"]
    assert result["gone@example.com"] == {"error": "contact not found"}
    assert result["here@example.com"]["contact"]["email"] == "here@example.com"
    none = api.post("/v3/marketing/contacts/search/emails", json={"emails": ["no@example.com"]})
    assert none.status_code == 404
    too_many = api.post("/v3/marketing/contacts/search/emails",
                        json={"emails": [f"e{n}@example.com" for n in range(101)]})
    assert too_many.status_code == 400


def test_search_by_identifier_refuses_unknown_types_and_answers_404_for_no_match(
        api: httpx.Client) -> None:
    bad_type = api.post("/v3/marketing/contacts/search/identifiers/nickname",
                        json={"identifiers": ["x"]}, extensions=SKIP_REQUEST_CHECK)
    assert bad_type.status_code == 400
    none = api.post("/v3/marketing/contacts/search/identifiers/anonymous_id",
                    json={"identifiers": ["anon-1"]})
    assert none.status_code == 404


def test_delete_contacts_by_id_and_all(server: SandboxServer, api: httpx.Client,
                                       news: str) -> None:
    upsert(api, [{"email": f"d{n}@example.com"} for n in range(3)], [news])
    found = api.post("/v3/marketing/contacts/search/emails",
                     json={"emails": ["d0@example.com"]}).json()
    contact_id = found["result"]["d0@example.com"]["contact"]["id"]
    response = api.delete("/v3/marketing/contacts", params={"ids": contact_id})
    assert response.status_code == 202
    job = wait_for_job(api, response.json()["job_id"])
    assert job["job_type"] == "delete_contacts" and job["results"]["deleted_count"] == 1
    assert server.list_emails(news) == ["d1@example.com", "d2@example.com"]
    everything = api.delete("/v3/marketing/contacts", params={"delete_all_contacts": "true"})
    wait_for_job(api, everything.json()["job_id"])
    assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 0
    assert server.stats()["contacts_removed"] == 3
    neither = api.delete("/v3/marketing/contacts")
    assert neither.status_code == 400


def test_contact_sample_lists_recent_contacts(api: httpx.Client) -> None:
    upsert(api, [{"email": f"s{n}@example.com"} for n in range(60)])
    body = api.get("/v3/marketing/contacts").json()
    assert body["contact_count"] == 60 and len(body["result"]) == 50


def test_exports_are_served_by_the_sandbox(server: SandboxServer, api: httpx.Client,
                                          news: str) -> None:
    upsert(api, [{"email": "x1@example.com", "first_name": "X"}], [news])
    upsert(api, [{"email": "other@example.com"}])
    created = api.post("/v3/marketing/contacts/exports", json={"list_ids": [news]})
    assert created.status_code == 202
    export_id = created.json()["id"]
    export = wait_ready(api, export_id)
    assert export["contact_count"] == 1
    content = gzip.decompress(httpx.get(export["urls"][0]).content).decode()
    assert "x1@example.com" in content and "other@example.com" not in content
    as_json = api.post("/v3/marketing/contacts/exports", json={"file_type": "json"}).json()
    ready = wait_ready(api, as_json["id"])
    lines = gzip.decompress(httpx.get(ready["urls"][0]).content).decode().splitlines()
    assert sorted(json.loads(line)["email"] for line in lines) == ["other@example.com",
                                                                    "x1@example.com"]
    listed = api.get("/v3/marketing/contacts/exports").json()["result"]
    assert {item["id"] for item in listed} == {export_id, as_json["id"]}
    assert api.get(f"/v3/marketing/contacts/exports/{MISSING_LIST}").status_code == 404
    missing = api.post("/v3/marketing/contacts/exports", json={"list_ids": [MISSING_LIST]})
    assert missing.status_code == 404
    bad_type = api.post("/v3/marketing/contacts/exports", json={"file_type": "xml"},
                        extensions=SKIP_REQUEST_CHECK)
    assert bad_type.status_code == 400


def wait_ready(api: httpx.Client, export_id: str) -> dict[str, Any]:
    """Poll an export until it is ready."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        export = api.get(f"/v3/marketing/contacts/exports/{export_id}").json()
        if export["status"] == "ready":
            return export
        time.sleep(0.01)
    raise AssertionError("export never became ready")


def test_unknown_job_answers_404(api: httpx.Client) -> None:
    assert api.get(f"/v3/marketing/contacts/imports/{MISSING_LIST}").status_code == 404
