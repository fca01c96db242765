"""Helpers for the sandbox's tests: keys, a hand-moved clock, a checked client, job polling."""

from __future__ import annotations

import time
from typing import Any

import httpx
from openapi_contract import contract_hooks

from sgtui.sandbox import SandboxServer

KEY = "SG.sandbox-tests-key-0001.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
READ_ONLY_KEY = "SG.sandbox-tests-key-0002.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"


class ManualClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


def client_for(server: SandboxServer, key: str | None = KEY) -> httpx.Client:
    """An httpx client on ``server`` that checks every exchange against the spec."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base_url, headers=headers,
                        event_hooks=contract_hooks(), timeout=10)


def wait_for_job(api: httpx.Client, job_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """Poll a job until it is no longer pending; returns its last status."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/v3/marketing/contacts/imports/{job_id}").json()
        if job["status"] != "pending":
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still pending after {timeout} s")
        time.sleep(0.01)


def upsert(api: httpx.Client, contacts: list[dict[str, Any]],
           list_ids: list[str] | None = None) -> dict[str, Any]:
    """Upsert and wait for the job; returns the finished job."""
    body: dict[str, Any] = {"contacts": contacts}
    if list_ids is not None:
        body["list_ids"] = list_ids
    response = api.put("/v3/marketing/contacts", json=body)
    assert response.status_code == 202, response.text
    return wait_for_job(api, response.json()["job_id"])
