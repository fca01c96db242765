"""Lists: create, read, rename, delete, page through, count and remove members."""

from __future__ import annotations

import httpx
from openapi_contract import SKIP_REQUEST_CHECK

from sgtui.sandbox import SandboxServer

from .helpers import upsert, wait_for_job


def test_created_list_is_returned_with_201_and_can_be_read_back(api: httpx.Client) -> None:
    created = api.post("/v3/marketing/lists", json={"name": "Spring"})
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Spring" and body["contact_count"] == 0 and len(body["id"]) == 36
    again = api.get(f"/v3/marketing/lists/{body['id']}")
    assert again.status_code == 200 and again.json()["name"] == "Spring"


def test_duplicate_list_name_is_refused_with_400(api: httpx.Client, news: str) -> None:
    response = api.post("/v3/marketing/lists", json={"name": "Newsletter"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_empty_list_name_is_refused(api: httpx.Client) -> None:
    response = api.post("/v3/marketing/lists", json={"name": ""}, extensions=SKIP_REQUEST_CHECK)
    assert response.status_code == 400


def test_unknown_list_answers_404_everywhere(api: httpx.Client) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/v3/marketing/lists/{missing}").status_code == 404
    assert api.patch(f"/v3/marketing/lists/{missing}", json={"name": "x"}).status_code == 404
    assert api.delete(f"/v3/marketing/lists/{missing}").status_code == 404
    assert api.get(f"/v3/marketing/lists/{missing}/contacts/count").status_code == 404
    response = api.delete(f"/v3/marketing/lists/{missing}/contacts",
                          params={"contact_ids": "a"})
    assert response.status_code == 404


def test_renaming_to_a_taken_name_is_refused(api: httpx.Client, news: str) -> None:
    api.post("/v3/marketing/lists", json={"name": "Taken"})
    response = api.patch(f"/v3/marketing/lists/{news}", json={"name": "Taken"})
    assert response.status_code == 400


def test_rename_and_delete(api: httpx.Client, news: str) -> None:
    renamed = api.patch(f"/v3/marketing/lists/{news}", json={"name": "Weekly"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Weekly"
    deleted = api.delete(f"/v3/marketing/lists/{news}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.get(f"/v3/marketing/lists/{news}").status_code == 404


def test_paging_walks_every_list_once(api: httpx.Client) -> None:
    names = [f"List {n:02}" for n in range(25)]
    for name in names:
        api.post("/v3/marketing/lists", json={"name": name})
    seen: list[str] = []
    url: str | None = "/v3/marketing/lists?page_size=10"
    pages = 0
    while url:
        page = api.get(url).json()
        pages += 1
        assert "count" not in page["_metadata"]  # recorded pages have none
        assert "page_token=" in page["_metadata"]["self"]  # kept, empty on the first page
        seen += [item["name"] for item in page["result"]]
        url = page["_metadata"].get("next")
    assert seen == names and pages == 3


def test_default_page_holds_100_lists(server: SandboxServer, api: httpx.Client) -> None:
    for n in range(101):
        server.create_list(f"L{n}")
    page = api.get("/v3/marketing/lists").json()
    assert len(page["result"]) == 100 and "next" in page["_metadata"]
    big = api.get("/v3/marketing/lists", params={"page_size": 1000}).json()
    assert len(big["result"]) == 101 and "next" not in big["_metadata"]


def test_page_size_out_of_range_and_bad_token_are_refused(api: httpx.Client) -> None:
    for size in ("0", "1001", "ten"):
        response = api.get("/v3/marketing/lists", params={"page_size": size},
                           extensions=SKIP_REQUEST_CHECK)
        assert response.status_code == 400, size
    response = api.get("/v3/marketing/lists", params={"page_token": "nonsense!"})
    assert response.status_code == 400


def test_the_thousand_and_first_list_is_refused(server: SandboxServer,
                                                api: httpx.Client) -> None:
    for n in range(1000):
        server.create_list(f"L{n}")
    response = api.post("/v3/marketing/lists", json={"name": "one too many"})
    assert response.status_code == 400


def test_contact_count_and_sample(api: httpx.Client, news: str) -> None:
    upsert(api, [{"email": f"p{n}@example.com"} for n in range(3)], [news])
    count = api.get(f"/v3/marketing/lists/{news}/contacts/count").json()
    assert count == {"contact_count": 3, "billable_count": 3}
    sample = api.get(f"/v3/marketing/lists/{news}", params={"contact_sample": "true"}).json()
    assert sample["contact_sample"]["email"] == "p0@example.com"


def test_removing_members_is_a_job_and_keeps_the_contacts(server: SandboxServer,
                                                          api: httpx.Client, news: str) -> None:
    upsert(api, [{"email": "keep@example.com"}, {"email": "go@example.com"}], [news])
    found = api.post("/v3/marketing/contacts/search/emails",
                     json={"emails": ["go@example.com"]}).json()
    go_id = found["result"]["go@example.com"]["contact"]["id"]
    response = api.delete(f"/v3/marketing/lists/{news}/contacts", params={"contact_ids": go_id})
    assert response.status_code == 202
    job = wait_for_job(api, response.json()["job_id"])
    assert job["status"] == "completed" and job["results"]["deleted_count"] == 1
    assert server.list_emails(news) == ["keep@example.com"]
    assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 2
    assert server.stats()["contacts_removed"] == 1


def test_removing_members_needs_contact_ids(api: httpx.Client, news: str) -> None:
    response = api.delete(f"/v3/marketing/lists/{news}/contacts", params={"contact_ids": ""},
                          extensions=SKIP_REQUEST_CHECK)
    assert response.status_code == 400


def test_deleting_a_list_with_its_contacts_answers_a_job(server: SandboxServer,
                                                         api: httpx.Client, news: str) -> None:
    upsert(api, [{"email": "a@example.com"}], [news])
    response = api.delete(f"/v3/marketing/lists/{news}", params={"delete_contacts": "true"})
    assert response.status_code == 200
    job = wait_for_job(api, response.json()["job_id"])
    assert job["results"]["deleted_count"] == 1
    assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 0


def test_sandbox_list_members_view(server: SandboxServer, api: httpx.Client, news: str) -> None:
    upsert(api, [{"email": "b@example.com"}, {"email": "a@example.com"}], [news])
    members = httpx.get(f"{server.base_url}/_sandbox/lists/{news}")
    assert members.status_code == 200 and members.json() == {
        "emails": ["a@example.com", "b@example.com"]}
    assert httpx.get(f"{server.base_url}/_sandbox/lists/nope").status_code == 404
