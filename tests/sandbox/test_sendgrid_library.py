"""The official ``sendgrid`` Python library, pointed at the sandbox, works as against SendGrid.

Every request the library sends and every answer it gets is checked against the spec by
wrapping python_http_client's one network call.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import python_http_client
import sendgrid
from openapi_contract import validate_request, validate_response

from sgtui.sandbox import SandboxServer

from .helpers import KEY


class _Recorded:
    """Stands in for urllib's response after its body was read for checking."""

    def __init__(self, status: int, body: bytes, headers: Any) -> None:
        self._status, self._body, self._headers = status, body, headers

    def getcode(self) -> int:
        return self._status

    def read(self) -> bytes:
        return self._body

    def info(self) -> Any:
        return self._headers


@pytest.fixture(autouse=True)
def checked_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every exchange of python_http_client against the spec."""
    original = python_http_client.client.Client._make_request

    def make_request(self: Any, opener: Any, request: Any, timeout: Any = None) -> Any:
        body = json.loads(request.data) if request.data else None
        validate_request(request.get_method(), request.full_url, body)
        try:
            response = original(self, opener, request, timeout)
        except python_http_client.exceptions.HTTPError as error:
            validate_response(request.get_method(), request.full_url, error.status_code,
                              json.loads(error.body) if error.body else None)
            raise
        content = response.read()
        validate_response(request.get_method(), request.full_url, response.getcode(),
                          json.loads(content) if content else None)
        return _Recorded(response.getcode(), content, response.info())

    monkeypatch.setattr(python_http_client.client.Client, "_make_request", make_request)


def test_the_official_library_creates_upserts_polls_and_counts(server: SandboxServer) -> None:
    sg = sendgrid.SendGridAPIClient(api_key=KEY, host=server.base_url)
    created = sg.client.marketing.lists.post(request_body={"name": "From the library"})
    assert created.status_code == 201
    list_id = json.loads(created.body)["id"]
    upserted = sg.client.marketing.contacts.put(request_body={
        "list_ids": [list_id],
        "contacts": [{"email": "Lib@Example.com", "first_name": "Lib"},
                     {"email": "rary@example.com"}],
    })
    assert upserted.status_code == 202
    job_id = json.loads(upserted.body)["job_id"]
    deadline = time.monotonic() + 5
    while True:
        job = json.loads(sg.client.marketing.contacts.imports._(job_id).get().body)
        if job["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert job["status"] == "completed"
    count = sg.client.marketing.lists._(list_id).contacts.count.get()
    assert json.loads(count.body)["contact_count"] == 2
    assert server.list_emails(list_id) == ["lib@example.com", "rary@example.com"]


def test_the_official_library_sees_400_for_an_invalid_email(server: SandboxServer) -> None:
    sg = sendgrid.SendGridAPIClient(api_key=KEY, host=server.base_url)
    with pytest.raises(python_http_client.exceptions.BadRequestsError) as caught:
        sg.client.marketing.contacts.put(request_body={"contacts": [{"email": "000"}]})
    assert json.loads(caught.value.body)["errors"][0]["field"] == "contacts[0].email"


def test_the_official_library_sees_401_for_a_wrong_key(server: SandboxServer) -> None:
    sg = sendgrid.SendGridAPIClient(api_key="SG.not-a-key", host=server.base_url)
    with pytest.raises(python_http_client.exceptions.UnauthorizedError) as caught:
        sg.client.marketing.lists.get(query_params={"page_size": 10})
    assert json.loads(caught.value.body)["errors"][0]["message"] == "authorization required"
