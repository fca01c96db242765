"""The job lifecycle: pending for the job delay, then completed, errored or failed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import KEY, ManualClock, client_for, upsert, wait_for_job


@pytest.fixture
def clock() -> ManualClock:
    """The sandbox's clock, moved by hand."""
    return ManualClock()


@pytest.fixture
def slow_jobs(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox whose jobs stay pending for 30 s of its (hand-moved) clock."""
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}, job_delay=30, clock=clock) as server:
        yield server


def test_a_job_is_pending_for_the_delay_then_completes(slow_jobs: SandboxServer,
                                                       clock: ManualClock) -> None:
    list_id = slow_jobs.create_list("Later")["id"]
    with client_for(slow_jobs) as api:
        accepted = api.put("/v3/marketing/contacts", json={
            "list_ids": [list_id], "contacts": [{"email": "a@example.com"}]})
        job_id = accepted.json()["job_id"]
        pending = api.get(f"/v3/marketing/contacts/imports/{job_id}").json()
        assert pending["status"] == "pending"
        assert pending["results"] == {"requested_count": 1}
        assert "finished_at" not in pending and "started_at" in pending
        assert slow_jobs.list_emails(list_id) == []
        assert api.get("/v3/marketing/contacts/count").json()["contact_count"] == 0
        clock.advance(29)
        assert api.get(f"/v3/marketing/contacts/imports/{job_id}").json()["status"] == "pending"
        clock.advance(1)
        done = api.get(f"/v3/marketing/contacts/imports/{job_id}").json()
    assert done["status"] == "completed"
    assert done["results"] == {"requested_count": 1, "created_count": 1}
    assert "finished_at" in done
    assert slow_jobs.list_emails(list_id) == ["a@example.com"]


def test_jobs_complete_without_anyone_asking(slow_jobs: SandboxServer,
                                             clock: ManualClock) -> None:
    with client_for(slow_jobs) as api:
        api.put("/v3/marketing/contacts", json={"contacts": [{"email": "q@example.com"}]})
    work = slow_jobs._state.work  # look without asking: every request settles due jobs
    clock.advance(31)
    deadline = time.monotonic() + 5
    while work.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not work.pending


def test_jobs_complete_in_submission_order(slow_jobs: SandboxServer, clock: ManualClock) -> None:
    list_id = slow_jobs.create_list("Order")["id"]
    with client_for(slow_jobs) as api:
        api.put("/v3/marketing/contacts", json={"list_ids": [list_id],
                                                "contacts": [{"email": "o@example.com"}]})
        clock.advance(31)
        contact_id = api.post("/v3/marketing/contacts/search/emails",
                              json={"emails": ["o@example.com"]}).json()[
            "result"]["o@example.com"]["contact"]["id"]
        slow_jobs.job_delay = 60
        api.put("/v3/marketing/contacts", json={"list_ids": [list_id],
                                                "contacts": [{"email": "o@example.com"}]})
        slow_jobs.job_delay = 0
        removal = api.delete(f"/v3/marketing/lists/{list_id}/contacts",
                             params={"contact_ids": contact_id}).json()["job_id"]
        clock.advance(10)
        assert api.get(f"/v3/marketing/contacts/imports/{removal}").json()["status"] == "pending"
        clock.advance(60)
        assert wait_for_job(api, removal)["status"] == "completed"
    assert slow_jobs.list_emails(list_id) == []


def test_job_delay_can_change_while_running(server: SandboxServer, api: httpx.Client) -> None:
    server.job_delay = 0.2
    job_id = api.put("/v3/marketing/contacts",
                     json={"contacts": [{"email": "a@example.com"}]}).json()["job_id"]
    assert api.get(f"/v3/marketing/contacts/imports/{job_id}").json()["status"] == "pending"
    assert wait_for_job(api, job_id)["status"] == "completed"


def test_some_contacts_failing_make_an_errored_job(server: SandboxServer,
                                                   api: httpx.Client) -> None:
    job = upsert(api, [{"email": "ok@example.com"}, {"email": "nobody@nowhere.invalid"}])
    assert job["status"] == "errored"
    results = job["results"]
    assert (results["requested_count"], results["created_count"], results["errored_count"]) \
        == (2, 1, 1)
    errors = httpx.get(results["errors_url"]).text
    assert "nobody@nowhere.invalid" in errors and "does not exist" in errors


def test_all_contacts_failing_make_a_failed_job(api: httpx.Client) -> None:
    job = upsert(api, [{"email": "a@x.invalid"}, {"email": "b@x.invalid"}])
    assert job["status"] == "failed"
    assert job["results"] == {"requested_count": 2, "errored_count": 2,
                              "errors_url": job["results"]["errors_url"]}


def test_a_contact_can_be_on_at_most_250_lists(server: SandboxServer, api: httpx.Client) -> None:
    lists = [server.create_list(f"L{n}")["id"] for n in range(251)]
    upsert(api, [{"email": "busy@example.com"}], lists[:250])
    job = upsert(api, [{"email": "busy@example.com"}], lists[250:])
    assert job["status"] == "failed"
