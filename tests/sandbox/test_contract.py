"""The contract checker itself, and the sandbox's routes against the spec's operations."""

from __future__ import annotations

import httpx
import pytest
from openapi_contract import contract_hooks, operations, validate_request, validate_response

from sgtui.sandbox import SandboxServer
from sgtui.sandbox.dispatch import API_ROUTES

from .helpers import KEY

#: Spec operations the sandbox does not serve, and why.
NOT_SERVED = {
    # The CSV import flow (upload to a returned URL); sgtui sends JSON batches under 4 MiB.
    ("PUT", "/v3/marketing/contacts/imports"),
}


def test_every_spec_operation_is_served_and_nothing_else() -> None:
    spec_operations = {(operation.method, operation.template) for operation in operations()}
    served = {(route.method, route.template) for route in API_ROUTES}
    assert served == spec_operations - NOT_SERVED


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PUT", "/v3/marketing/contacts", {"contacts": []}),
    ("PUT", "/v3/marketing/contacts", {"list_ids": ["not-a-uuid"], "contacts": [{}]}),
    ("PUT", "/v3/marketing/contacts", {"contacts": [{"first_name": "x" * 51}]}),
    ("PUT", "/v3/marketing/contacts", {"contacts": [{"custom_fields": {"e1_T": True}}]}),
    ("POST", "/v3/marketing/lists", {}),
    ("GET", "/v3/marketing/lists?page_size=0", None),
    ("GET", "/v3/marketing/lists?pagesize=10", None),
    ("DELETE", "/v3/marketing/lists/abc/contacts", None),
    ("GET", "/v3/marketing/nowhere", None),
    ("POST", "/v3/marketing/contacts/count", None),
])
def test_requests_that_break_the_spec_are_caught(method: str, path: str, body: object) -> None:
    with pytest.raises(AssertionError):
        validate_request(method, path, body)


@pytest.mark.parametrize(("method", "path", "status", "body"), [
    ("GET", "/v3/scopes", 200, {}),
    ("GET", "/v3/marketing/lists", 404, {"errors": [{"message": "x"}]}),
    ("GET", "/v3/marketing/lists", 429, {"errors": []}),
    ("GET", "/v3/marketing/lists", 500, {"message": "no envelope"}),
    ("POST", "/v3/marketing/lists", 201, {"id": "too-short"}),
    ("DELETE", "/v3/marketing/lists/abc", 204, {"unexpected": True}),
    ("GET", "/v3/marketing/contacts/imports/x", 200, {"status": "done"}),
    ("GET", "/v3/marketing/contacts/imports/x", 200, {"job_type": "import"}),
    ("GET", "/v3/marketing/contacts/count", 200, {"billable_count": 1}),
    ("PUT", "/v3/marketing/contacts", 202, None),
])
def test_answers_that_break_the_spec_are_caught(method: str, path: str, status: int,
                                                body: object) -> None:
    with pytest.raises(AssertionError):
        validate_response(method, path, status, body)


def test_real_forms_the_notes_record_are_accepted() -> None:
    validate_response("GET", "/v3/marketing/contacts/imports/x", 200, {
        "id": "x", "status": "pending", "job_type": "upsert_contacts",
        "results": {"requested_count": 3}, "started_at": "2026-01-01T00:00:00Z"})
    validate_response("DELETE", "/v3/marketing/contacts", 202, {"job_id": "a-uuid-string"})
    validate_response("GET", "/v3/marketing/lists/abc", 404,
                      {"errors": [{"field": None, "message": "list not found"}]})
    validate_response("GET", "/v3/marketing/lists", 429,
                      {"errors": [{"field": None, "message": "too many requests"}]})
    validate_response("DELETE", "/v3/marketing/lists/abc", 204, None)
    validate_request("GET", "/_sandbox/anything", None)  # not SendGrid: never checked
    validate_response("GET", "/_sandbox/anything", 418, "teapot")


async def test_hooks_work_on_an_async_client(server: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, event_hooks=contract_hooks(),
                                 headers={"Authorization": f"Bearer {KEY}"}) as client:
        assert (await client.get("/v3/scopes")).status_code == 200
        created = await client.post("/v3/marketing/lists", json={"name": "Async"})
        assert created.status_code == 201
        with pytest.raises(AssertionError, match="page_size"):
            await client.get("/v3/marketing/lists", params={"page_size": 0})


def test_hooks_catch_a_bad_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"count": "not a number"})

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://sendgrid",
                      event_hooks=contract_hooks()) as client, \
            pytest.raises(AssertionError, match="contact_count"):
        client.get("/v3/marketing/contacts/count")
