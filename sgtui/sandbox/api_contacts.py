"""``/v3/marketing/contacts``: upserts, deletes, counts, searches and job status."""

from __future__ import annotations

from typing import Any

from sgtui.sandbox import sgql
from sgtui.sandbox.jobs import ContactsJob, DeleteContactsJob, UpsertJob
from sgtui.sandbox.protocol import ApiError, Call, Reply
from sgtui.sandbox.routing import Route
from sgtui.sandbox.state import SandboxState
from sgtui.sandbox.store import IDENTIFIERS, RESERVED_FIELDS
from sgtui.sandbox.validation import check_upsert

MAX_SEARCH = 100
SAMPLE_SIZE = 50
SEARCH_RESULTS = 50  # "Only the first 50 contacts that meet the search criteria"
NOT_FOUND = "contact not found"


def upsert_contacts(state: SandboxState, call: Call) -> Reply:
    """``PUT /v3/marketing/contacts``: checked now (400, no job), carried out by a job (202)."""
    body = call.json()
    with state.lock:
        types = {f.id: f.field_type for f in state.store.custom_fields.values()}
    request, problems = check_upsert(body, types)
    if request is None:
        raise ApiError.many(400, problems)
    with state.lock:
        for list_id in request.list_ids:
            if list_id not in state.store.lists:
                raise ApiError(404, f"list {list_id} does not exist", "list_ids")
        job = UpsertJob(state.new_id(), state.due(), state.wall(), request.list_ids,
                        request.contacts)
        state.submit(job)
    return Reply.json(state.accepted(202), {"job_id": job.id})


def delete_contacts(state: SandboxState, call: Call) -> Reply:
    """``DELETE /v3/marketing/contacts?ids=a,b`` or ``?delete_all_contacts=true`` -> 202."""
    ids_text = call.query.get("ids")
    delete_all = call.query.get("delete_all_contacts")
    if (ids_text is None) == (delete_all is None):
        raise ApiError(400, "set either ids or delete_all_contacts")
    if delete_all is not None and delete_all != "true":
        raise ApiError(400, "delete_all_contacts must be \"true\"", "delete_all_contacts")
    ids = None
    if ids_text is not None:
        ids = [part.strip() for part in ids_text.split(",") if part.strip()]
        if not ids:
            raise ApiError(400, "ids must list at least one contact id", "ids")
    with state.lock:
        job = DeleteContactsJob(state.new_id(), state.due(), state.wall(), ids)
        if ids is None:
            job.requested = state.store.live_contacts
        state.submit(job)
    return Reply.json(state.accepted(202), {"job_id": job.id})


def count_contacts(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/contacts/count``, with ``identifier_counts``: how many contacts
    carry each identifier (the shape is the sandbox's guess; no recording shows it)."""
    with state.lock:
        store = state.store
        count = store.live_contacts
        identifiers = {"email": len(store.by_email),
                       **{kind: len(found) for kind, found in store.by_identifier.items()}}
    return Reply.json(200, {"contact_count": count, "billable_count": count,
                            "identifier_counts": identifiers})


def sample_contacts(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/contacts``: the 50 most recent contacts and the total."""
    with state.lock:
        store = state.store
        recent: list[dict[str, Any]] = []
        for index in range(len(store.contacts) - 1, -1, -1):
            if len(recent) == SAMPLE_SIZE:
                break
            if store.contacts[index] is not None:
                recent.append(state.contact_json(index, call.base_url))
        body = {"result": recent, "contact_count": store.live_contacts,
                "_metadata": {"self": f"{call.base_url}/v3/marketing/contacts"}}
    return Reply.json(200, body)


def _search_terms(body: dict[str, Any], key: str) -> list[str]:
    terms = body.get(key)
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise ApiError(400, f"{key} must be a non-empty array of strings", key)
    if len(terms) > MAX_SEARCH:
        raise ApiError(400, f"{key} can hold at most {MAX_SEARCH} items", key)
    return terms


def _search(state: SandboxState, kind: str, terms: list[str], base_url: str) -> Reply:
    result: dict[str, Any] = {}
    found_any = False
    with state.lock:
        store = state.store
        for term in terms:
            value = term.lower() if kind == "email" else term
            index = store.find({kind: value})
            if index is None:
                result[term] = {"error": NOT_FOUND}
            else:
                found_any = True
                # An exact look-up reads the contact itself: memberships show at once.
                result[term] = {"contact": state.store.contact_json(index, base_url)}
    if not found_any:
        raise ApiError(404, "No contacts found")
    return Reply.json(200, {"result": result})


def search_emails(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/contacts/search/emails {"emails": [...]}`` (at most 100)."""
    return _search(state, "email", _search_terms(call.json_object(), "emails"), call.base_url)


def search_identifiers(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/contacts/search/identifiers/{identifier_type}``."""
    kind = call.params["identifier_type"]
    if kind not in IDENTIFIERS:
        raise ApiError(400, f"identifier_type must be one of {', '.join(IDENTIFIERS)}",
                       "identifier_type")
    return _search(state, kind, _search_terms(call.json_object(), "identifiers"),
                   call.base_url)


def search_contacts(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/contacts/search {"query": SGQL}``: 200 with ``contact_count`` and
    the first 50 ``result``; 400 for a query it cannot read. List memberships are those the
    search index shows (behind under index lag)."""
    body = call.json_object()
    text = body.get("query")
    if not isinstance(text, str):
        raise ApiError(400, "query is required", "query")
    with state.lock:
        store = state.store
        names = {name for _, name, _, _ in RESERVED_FIELDS}
        names |= {field.name for field in store.custom_fields.values()}
        try:
            query = sgql.parse(text, names)
        except sgql.QueryError as error:
            raise ApiError(400, f"invalid query: {error}", "query") from None
        if query.emails is not None:
            found = (store.by_email.get(email) for email in sorted(query.emails))
            candidates = sorted(index for index in found if index is not None)
        else:
            candidates = store.all_indices()
        result: list[dict[str, Any]] = []
        count = 0
        for index in candidates:
            details = state.contact_json(index, call.base_url)
            if query.matches(_searchable(details)):
                count += 1
                if len(result) < SEARCH_RESULTS:
                    result.append(details)
    return Reply.json(200, {"contact_count": count, "result": result, "_metadata": {
        "self": f"{call.base_url}/v3/marketing/contacts/search"}})


def _searchable(details: dict[str, Any]) -> dict[str, Any]:
    """A contact answer as a query sees it: custom fields by name beside the reserved ones."""
    fields = {**details, "contact_id": details["id"]}
    fields.update(details["custom_fields"])
    return fields


def get_job(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/contacts/imports/{id}``: a job's status and counts."""
    with state.lock:
        job = state.work.by_id.get(call.params["id"])
        if not isinstance(job, ContactsJob):
            raise ApiError(404, "job not found", "id")
        return Reply.json(200, job.to_json(call.base_url, state.clock()))


ROUTES: list[Route] = [
    Route("PUT", "/v3/marketing/contacts", upsert_contacts, limit_class="contacts"),
    Route("DELETE", "/v3/marketing/contacts", delete_contacts, limit_class="contacts"),
    Route("GET", "/v3/marketing/contacts", sample_contacts),
    Route("GET", "/v3/marketing/contacts/count", count_contacts),
    Route("POST", "/v3/marketing/contacts/search", search_contacts, limit_class="search"),
    Route("POST", "/v3/marketing/contacts/search/emails", search_emails),
    Route("POST", "/v3/marketing/contacts/search/identifiers/{identifier_type}",
          search_identifiers),
    Route("GET", "/v3/marketing/contacts/imports/{id}", get_job),
]
