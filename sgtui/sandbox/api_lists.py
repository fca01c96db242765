"""``/v3/marketing/lists``: list CRUD with paging, member counts, removing members."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sgtui.sandbox.jobs import DeleteContactsJob, RemoveFromListJob
from sgtui.sandbox.protocol import JSON_TYPE, ApiError, Call, Reply
from sgtui.sandbox.routing import Route
from sgtui.sandbox.state import SandboxState
from sgtui.sandbox.store import MarketingList, StoreError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_LIST_NAME = 100


def list_json(found: MarketingList, base_url: str, count: int | None = None) -> dict[str, Any]:
    """A list as SendGrid describes it (``List``); ``count`` is the contact count to show
    (behind the true one under index lag)."""
    return {
        "id": found.id,
        "name": found.name,
        "contact_count": found.count if count is None else count,
        "_metadata": {"self": f"{base_url}/v3/marketing/lists/{found.id}"},
    }


def _page_size(call: Call) -> int:
    text = call.query.get("page_size")
    if text is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        raise ApiError(400, "page_size must be a whole number", "page_size") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
    return size


def _page_token(after_seq: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after_seq}".encode()).decode().rstrip("=")


def _after_seq(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, seq = text.partition(":")
        if prefix != "after":
            raise ValueError(text)
        return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid page_token", "page_token") from None


def get_lists(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/lists?page_size=&page_token=``.

    As recorded, ``_metadata.self`` always carries ``page_token`` (empty on the first page)
    and there is no ``count``.
    """
    size = _page_size(call)
    token = call.query.get("page_token") or None
    after = _after_seq(token) if token else 0
    base = f"{call.base_url}/v3/marketing/lists?page_size={size}"
    with state.lock:
        every = list(state.store.lists.values())
        remaining = [found for found in every if found.seq > after]
        page = remaining[:size]
        metadata: dict[str, Any] = {"self": f"{base}&page_token={token or ''}"}
        if len(remaining) > size:
            metadata["next"] = f"{base}&page_token={_page_token(page[-1].seq)}"
        result = [list_json(found, call.base_url, state.list_count(found.id)) for found in page]
    return Reply.json(200, {"result": result, "_metadata": metadata})


def _name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required", "name")
    if len(name) > MAX_LIST_NAME:
        raise ApiError(400, f"name must be at most {MAX_LIST_NAME} characters", "name")
    return name


def create_list(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/lists {"name"}`` -> 201 (200 with ``success_200``)."""
    name = _name(call.json_object())
    with state.lock:
        try:
            created = state.store.create_list(name)
        except StoreError as error:
            raise ApiError(error.status, error.message, error.field) from None
        return Reply.json(state.accepted(201), list_json(created, call.base_url))


def _found(state: SandboxState, call: Call) -> MarketingList:
    found = state.store.lists.get(call.params["id"])
    if found is None:
        raise ApiError(404, "list not found", "id")
    return found


def get_list(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/lists/{id}[?contact_sample=true]``."""
    with state.lock:
        found = _found(state, call)
        body = list_json(found, call.base_url, state.list_count(found.id))
        if call.query.get("contact_sample") == "true":
            first = next(state.store.members(found.id), None)
            if first is not None:
                body["contact_sample"] = state.contact_json(first, call.base_url)
        return Reply.json(200, body)


def update_list(state: SandboxState, call: Call) -> Reply:
    """``PATCH /v3/marketing/lists/{id} {"name"}``."""
    name = _name(call.json_object())
    with state.lock:
        found = _found(state, call)
        try:
            state.store.rename_list(found.id, name)
        except StoreError as error:
            raise ApiError(error.status, error.message, error.field) from None
        return Reply.json(200, list_json(found, call.base_url, state.list_count(found.id)))


def delete_list(state: SandboxState, call: Call) -> Reply:
    """``DELETE /v3/marketing/lists/{id}[?delete_contacts=true]`` -> 204, or 200 with a job.

    The 204 says ``Content-Type: application/json`` with an empty body, as recorded.
    """
    with state.lock:
        found = _found(state, call)
        members = state.store.delete_list(found.id)
        if call.query.get("delete_contacts") != "true":
            return Reply(204, b"", JSON_TYPE)
        ids = [state.store.contact_id(index) for index in members]
        job = DeleteContactsJob(state.new_id(), state.due(), state.wall(), ids)
        state.submit(job)
        return Reply.json(200, {"job_id": job.id})


def count_list_contacts(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/lists/{id}/contacts/count``."""
    with state.lock:
        found = _found(state, call)
        count = state.list_count(found.id)
        return Reply.json(200, {"contact_count": count, "billable_count": count})


def remove_list_contacts(state: SandboxState, call: Call) -> Reply:
    """``DELETE /v3/marketing/lists/{id}/contacts?contact_ids=a,b`` -> 202 with a job."""
    ids = [part.strip() for part in call.query.get("contact_ids", "").split(",") if part.strip()]
    if not ids:
        raise ApiError(400, "contact_ids is required", "contact_ids")
    with state.lock:
        found = _found(state, call)
        job = RemoveFromListJob(state.new_id(), state.due(), state.wall(), found.id, ids)
        state.submit(job)
        return Reply.json(state.accepted(202), {"job_id": job.id})


ROUTES: list[Route] = [
    Route("GET", "/v3/marketing/lists", get_lists),
    Route("POST", "/v3/marketing/lists", create_list),
    Route("GET", "/v3/marketing/lists/{id}", get_list),
    Route("PATCH", "/v3/marketing/lists/{id}", update_list),
    Route("DELETE", "/v3/marketing/lists/{id}", delete_list),
    Route("GET", "/v3/marketing/lists/{id}/contacts/count", count_list_contacts),
    Route("DELETE", "/v3/marketing/lists/{id}/contacts", remove_list_contacts),
]
