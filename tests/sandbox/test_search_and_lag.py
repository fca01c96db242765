"""SGQL search, index lag (counts and searches catching up after jobs), and hostile inputs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_contract import SKIP_REQUEST_CHECK

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import KEY, ManualClock, client_for, upsert

SEARCH = "/v3/marketing/contacts/search"
REPO = Path(__file__).resolve().parents[2]


def search(api: httpx.Client, query: str) -> list[str]:
    """The emails a query finds (sorted), checking the count matches."""
    response = api.post(SEARCH, json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contact_count"] == len(body["result"])
    return sorted(contact["email"] for contact in body["result"])


@pytest.fixture
def people(api: httpx.Client, news: str) -> str:
    """Four contacts, two on the Newsletter list, with a custom Number field "score"."""
    score = api.post("/v3/marketing/field_definitions",
                     json={"name": "score", "field_type": "Number"}).json()["id"]
    upsert(api, [{"email": "ann@example.com", "first_name": "Ann", "custom_fields": {score: 3}},
                 {"email": "bob@example.com", "first_name": "Bob", "custom_fields": {score: 5}}],
           [news])
    upsert(api, [{"email": "cy@example.org", "first_name": "Cy", "city": "Lyon"},
                 {"email": "dee@example.org", "first_name": "Dee", "city": "Oslo"}])
    return news


def test_sgql_finds_contacts_by_reserved_and_custom_fields(api: httpx.Client,
                                                           people: str) -> None:
    assert search(api, "email = 'ann@example.com'") == ["ann@example.com"]
    assert search(api, "email != 'ann@example.com'") == [
        "bob@example.com", "cy@example.org", "dee@example.org"]
    assert search(api, "first_name IN ('Bob', 'Cy')") == ["bob@example.com", "cy@example.org"]
    assert search(api, "email LIKE '%@example.org'") == ["cy@example.org", "dee@example.org"]
    assert search(api, "email like 'a__@%'") == ["ann@example.com"]
    assert search(api, "score = 5") == ["bob@example.com"]
    assert search(api, f"CONTAINS(list_ids, '{people}')") == ["ann@example.com",
                                                              "bob@example.com"]
    assert search(api, f"CONTAINS(list_ids, '{people}') AND (score = 3 OR city = 'Oslo')") \
        == ["ann@example.com"]
    assert search(api, "(city = 'Oslo' OR city = 'Lyon') and first_name != 'Cy'") == [
        "dee@example.org"]
    assert search(api, "email IN ('nobody@example.com')") == []


@pytest.mark.parametrize("query", [
    "email = ", "email == 'a'", "(email = 'a'", "nonsense = 'x'", "email = 'a' AND",
    "CONTAINS(list_ids 'x')", "email LIKE 5", "", "email = 'unterminated",
])
def test_a_query_it_cannot_read_is_refused_with_sendgrids_error_body(
        api: httpx.Client, people: str, query: str) -> None:
    response = api.post(SEARCH, json={"query": query})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "query" and error["message"]


def test_search_has_its_own_rate_limit_of_200(api: httpx.Client) -> None:
    response = api.post(SEARCH, json={"query": "email = 'x@example.com'"})
    assert response.headers["X-RateLimit-Limit"] == "200"
    assert api.get("/v3/marketing/lists").headers["X-RateLimit-Limit"] == "600"


@pytest.fixture
def clock() -> ManualClock:
    """The sandbox's clock, moved by hand."""
    return ManualClock()


@pytest.fixture
def lagging(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox whose jobs take 10 s and whose index catches up 300 s after a job."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=10, index_lag=300,
                       clock=clock) as server:
        yield server


def counts(api: httpx.Client, list_id: str) -> tuple[int, int, int]:
    """The list's count as the lists page, the list and the count endpoint show it."""
    page = api.get("/v3/marketing/lists").json()["result"]
    listed = next(item["contact_count"] for item in page if item["id"] == list_id)
    one = api.get(f"/v3/marketing/lists/{list_id}").json()["contact_count"]
    counted = api.get(f"/v3/marketing/lists/{list_id}/contacts/count").json()["contact_count"]
    return listed, one, counted


def job(api: httpx.Client, job_id: str) -> dict[str, Any]:
    """A job's status."""
    return api.get(f"/v3/marketing/contacts/imports/{job_id}").json()


def test_counts_and_searches_catch_up_index_lag_seconds_after_a_job(
        lagging: SandboxServer, clock: ManualClock) -> None:
    list_id = lagging.create_list("Lagging")["id"]
    with client_for(lagging) as api:
        job_id = api.put("/v3/marketing/contacts", json={
            "list_ids": [list_id],
            "contacts": [{"email": f"p{n}@example.com"} for n in range(3)]}).json()["job_id"]
        clock.advance(5)  # half-way: carried out, results in, still pending
        half = job(api, job_id)
        assert half["status"] == "pending" and "finished_at" not in half
        assert half["results"] == {"requested_count": 3, "created_count": 3}
        assert lagging.list_emails(list_id) == ["p0@example.com", "p1@example.com",
                                                "p2@example.com"]
        clock.advance(5)
        assert job(api, job_id)["status"] == "completed"
        assert counts(api, list_id) == (0, 0, 0)
        contains = f"CONTAINS(list_ids, '{list_id}')"
        assert search(api, contains) == []
        found = api.post(SEARCH, json={"query": "email = 'p0@example.com'"}).json()
        assert found["result"][0]["list_ids"] == []  # the contact is there, not its list yet
        exact = api.post("/v3/marketing/contacts/search/emails",
                         json={"emails": ["p0@example.com"]}).json()["result"]
        assert exact["p0@example.com"]["contact"]["list_ids"] == [list_id]  # reads the contact
        clock.advance(294)
        assert counts(api, list_id) == (0, 0, 0)
        clock.advance(2)
        assert counts(api, list_id) == (3, 3, 3)
        assert len(search(api, contains)) == 3
        contact_id = found["result"][0]["id"]
        removal = api.delete(f"/v3/marketing/lists/{list_id}/contacts",
                             params={"contact_ids": contact_id}).json()["job_id"]
        clock.advance(10)
        assert job(api, removal)["status"] == "completed"
        assert counts(api, list_id) == (3, 3, 3)
        assert len(search(api, contains)) == 3
        lagging.index_lag = 0  # live: caught up at once
        assert counts(api, list_id) == (2, 2, 2)
        assert len(search(api, contains)) == 2


def test_the_command_takes_index_lag(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sgtui", "sandbox", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=True)
    assert "--index-lag" in done.stdout


def test_deeply_nested_json_is_a_400_not_a_traceback(
        api: httpx.Client, capfd: pytest.CaptureFixture[str]) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    for path in ("/v3/marketing/contacts", ):
        response = api.put(path, content=body, headers={"Content-Type": "application/json"},
                           extensions=SKIP_REQUEST_CHECK)
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == "request body is nested too deeply"
    response = api.post(SEARCH, content=b'{"query":' + body + b"}",
                        headers={"Content-Type": "application/json"},
                        extensions=SKIP_REQUEST_CHECK)
    assert response.status_code == 400
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("content", ["[]", "42", '"text"', "null", '{"version": 1}',
                                     "[" * 100_000, "\xff"])
def test_a_state_file_that_is_not_a_sandbox_state_is_a_sentence(
        tmp_path: Path, content: str) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_bytes(content.encode("latin-1"))
    with pytest.raises(ValueError) as refused:
        SandboxServer(state_file=state_file).start()
    assert type(refused.value) is ValueError
    done = subprocess.run([sys.executable, "-m", "sgtui", "sandbox", "--state", str(state_file)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"The state file {state_file} could not be read: ")
    assert "Move it aside" in done.stderr


def test_contact_count_tells_how_many_carry_each_identifier(api: httpx.Client) -> None:
    upsert(api, [{"email": "a@example.com", "external_id": "x-1"}, {"email": "b@example.com"}])
    count = api.get("/v3/marketing/contacts/count").json()
    assert count["identifier_counts"] == {"email": 2, "phone_number_id": 0, "external_id": 1,
                                          "anonymous_id": 0}
