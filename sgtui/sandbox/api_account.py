"""Account-wide endpoints: ``/v3/scopes`` and ``/v3/marketing/field_definitions``."""

from __future__ import annotations

from typing import Any

from sgtui.sandbox.protocol import ApiError, Call, Reply
from sgtui.sandbox.routing import Route
from sgtui.sandbox.state import SandboxState
from sgtui.sandbox.store import FIELD_TYPE_SUFFIX, RESERVED_FIELDS, CustomField, StoreError

MAX_FIELD_NAME = 100


def get_scopes(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/scopes``: the calling key's scopes."""
    scopes = state.keys.scopes_for(call.headers.get("Authorization"))
    return Reply.json(200, {"scopes": sorted(scopes)})


def _field_json(field: CustomField, base_url: str) -> dict[str, Any]:
    return {"id": field.id, "name": field.name, "field_type": field.field_type,
            "_metadata": {"self": f"{base_url}/v3/marketing/field_definitions/{field.id}"}}


def _reserved_json(field_id: str, name: str, kind: str, read_only: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": field_id, "name": name, "field_type": kind}
    if read_only:  # recorded: the key is there only where it is true
        body["read_only"] = True
    return body


def get_field_definitions(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/field_definitions``: custom fields, then SendGrid's reserved ones."""
    with state.lock:
        custom = [_field_json(field, call.base_url)
                  for field in state.store.custom_fields.values()]
    reserved = [_reserved_json(*field) for field in RESERVED_FIELDS]
    return Reply.json(200, {
        "custom_fields": custom,
        "reserved_fields": reserved,
        "_metadata": {"self": f"{call.base_url}/v3/marketing/field_definitions"},
    })


def create_field_definition(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/field_definitions {"name", "field_type"}`` -> 200."""
    body = call.json_object()
    name, field_type = body.get("name"), body.get("field_type")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required", "name")
    if len(name) > MAX_FIELD_NAME:
        raise ApiError(400, f"name must be at most {MAX_FIELD_NAME} characters", "name")
    if field_type not in FIELD_TYPE_SUFFIX:
        raise ApiError(400, "field_type must be one of Text, Number, Date", "field_type")
    with state.lock:
        try:
            field = state.store.create_field(name, field_type)
        except StoreError as error:
            raise ApiError(error.status, error.message, error.field) from None
    return Reply.json(200, _field_json(field, call.base_url))


ROUTES: list[Route] = [
    Route("GET", "/v3/scopes", get_scopes),
    Route("GET", "/v3/marketing/field_definitions", get_field_definitions),
    Route("POST", "/v3/marketing/field_definitions", create_field_definition),
]
