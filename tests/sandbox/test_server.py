"""The server as a server: concurrency, big bodies, chunking, keep-alive, shutdown, state."""

from __future__ import annotations

import http.client
import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from openapi_contract import SKIP_CONTRACT, SKIP_REQUEST_CHECK, validate_response

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer

from .helpers import KEY, client_for, upsert, wait_for_job

FOUR_MIB = 4 * 1024 * 1024


def padded_upsert(size: int) -> bytes:
    """A valid one-contact upsert body padded with spaces to exactly ``size`` bytes."""
    body = json.dumps({"contacts": [{"email": "pad@example.com"}]}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_concurrent_requests_are_all_answered(server: SandboxServer, api: httpx.Client) -> None:
    def create(n: int) -> int:
        return api.post("/v3/marketing/lists", json={"name": f"C{n}"}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(create, range(64)))
    assert statuses == [201] * 64
    assert server.stats()["requests"]["POST /v3/marketing/lists"] == 64
    names = {item["name"] for item in api.get("/v3/marketing/lists?page_size=100").json()[
        "result"]}
    assert names == {f"C{n}" for n in range(64)}


def test_the_4_mib_ceiling_is_exact(api: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    at_limit = api.put("/v3/marketing/contacts", content=padded_upsert(FOUR_MIB),
                       headers=headers)
    assert at_limit.status_code == 202
    over = api.put("/v3/marketing/contacts", content=padded_upsert(FOUR_MIB + 1),
                   headers=headers)
    assert over.status_code == 413
    assert over.json()["errors"][0]["message"] == "request entity too large"


def test_a_10_mb_body_is_read_and_refused_on_a_connection_that_stays_usable(
        server: SandboxServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = padded_upsert(10_000_000)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    connection.request("PUT", "/v3/marketing/contacts", body=body, headers=headers)
    first = connection.getresponse()
    refusal = json.loads(first.read())
    assert first.status == 413
    validate_response("PUT", "/v3/marketing/contacts", 413, refusal)
    connection.request("GET", "/v3/marketing/contacts/count", headers=headers)
    second = connection.getresponse()
    count = json.loads(second.read())
    assert second.status == 200 and count["contact_count"] == 0
    validate_response("GET", "/v3/marketing/contacts/count", 200, count)
    connection.close()


def test_keep_alive_serves_many_requests_on_one_connection(server: SandboxServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    headers = {"Authorization": f"Bearer {KEY}"}
    connection.connect()
    local = connection.sock.getsockname()
    for _ in range(5):
        connection.request("GET", "/v3/scopes", headers=headers)
        response = connection.getresponse()
        validate_response("GET", "/v3/scopes", response.status, json.loads(response.read()))
        assert response.status == 200
        assert response.getheader("Connection") != "close"
        assert connection.sock is not None and connection.sock.getsockname() == local
    connection.close()


def test_a_chunked_body_is_read(server: SandboxServer, api: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"contacts": ['
        yield b'{"email": "chunk@example.com"}'
        yield b"]}"

    response = api.put("/v3/marketing/contacts", content=chunks(),
                       headers={"Content-Type": "application/json"})
    assert response.status_code == 202
    assert wait_for_job(api, response.json()["job_id"])["status"] == "completed"


def test_unknown_paths_and_methods(api: httpx.Client) -> None:
    unknown = api.get("/v3/marketing/nothing-here", extensions=SKIP_CONTRACT)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["message"] == "not found"
    wrong_method = api.post("/v3/marketing/contacts/count", extensions=SKIP_CONTRACT)
    assert wrong_method.status_code == 405


def test_stop_is_prompt_even_with_an_idle_keep_alive_connection() -> None:
    server = SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}).start()
    port = server.port
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    idle.request("GET", "/_sandbox/stats")
    idle.getresponse().read()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    assert not server.running
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.stop()  # a second stop is harmless
    idle.close()


def test_base_url_needs_a_running_server() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = SandboxServer().base_url


def test_state_file_round_trip(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    keys = {KEY: FULL_ACCESS_SCOPES}
    with SandboxServer(api_keys=keys, seed=9, state_file=state_file) as first, \
            client_for(first) as api:
        list_id = api.post("/v3/marketing/lists", json={"name": "Kept"}).json()["id"]
        field_id = api.post("/v3/marketing/field_definitions",
                            json={"name": "tier", "field_type": "Text"}).json()["id"]
        job = upsert(api, [{"email": "Kept@Example.com", "first_name": "Kay",
                            "custom_fields": {field_id: "gold"}},
                           {"email": "two@example.com", "external_id": "x-2"}], [list_id])
        before = api.post("/v3/marketing/contacts/search/emails",
                          json={"emails": ["kept@example.com"]}).text
        before = before.replace(first.base_url, "")
        first.job_delay = 3600
        pending = api.put("/v3/marketing/contacts", json={
            "list_ids": [list_id], "contacts": [{"email": "later@example.com"}]}).json()["job_id"]
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    with SandboxServer(api_keys=keys, seed=9, state_file=state_file) as second, \
            client_for(second) as api:
        assert second.list_emails(list_id) == ["kept@example.com", "two@example.com"]
        after = api.post("/v3/marketing/contacts/search/emails",
                         json={"emails": ["kept@example.com"]}).text
        assert after.replace(second.base_url, "") == before
        assert api.get(f"/v3/marketing/contacts/imports/{job['id']}").json() == job
        assert api.get(f"/v3/marketing/contacts/imports/{pending}").json()["status"] == "pending"
        assert api.post("/v3/marketing/contacts/search/identifiers/external_id",
                        json={"identifiers": ["x-2"]}).status_code == 200
        new_list = api.post("/v3/marketing/lists", json={"name": "New"}).json()["id"]
        assert new_list != list_id
        assert second.stats()["contacts_upserted"] == 2
    document = json.loads(state_file.read_text())
    assert document["version"] == 1


def test_a_broken_state_file_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    state_file.write_text('{"version": 99}')
    with pytest.raises(ValueError, match="version"):
        SandboxServer(state_file=state_file).start()


def test_stats_count_requests_by_path_template(server: SandboxServer, api: httpx.Client,
                                               news: str) -> None:
    api.get(f"/v3/marketing/lists/{news}")
    api.get(f"/v3/marketing/lists/{news}")
    api.get("/v3/marketing/nothing", extensions=SKIP_CONTRACT)
    api.put("/v3/marketing/contacts", json={"contacts": []}, extensions=SKIP_REQUEST_CHECK)
    requests = httpx.get(f"{server.base_url}/_sandbox/stats").json()["requests"]
    assert requests == {
        "GET /v3/marketing/lists/{id}": 2,
        "GET (unmatched)": 1,
        "POST /v3/marketing/lists": 1,
        "PUT /v3/marketing/contacts": 1,
    }
    assert server.stats()["requests"] == requests
