"""``/v3/marketing/contacts/exports``: export contacts to a file the sandbox serves itself.

An export is ``pending`` for the job delay, then ``ready`` with one URL under
``/_sandbox/exports/{id}/`` (a gzipped CSV, or JSON lines for ``file_type: json``). The
sandbox has no segments, so any ``segment_ids`` is answered 404.
"""

from __future__ import annotations

from typing import Any

from sgtui.sandbox.jobs import ExportJob
from sgtui.sandbox.protocol import ApiError, Call, Reply
from sgtui.sandbox.routing import Route
from sgtui.sandbox.state import SandboxState

FILE_TYPES = ("csv", "json")


def create_export(state: SandboxState, call: Call) -> Reply:
    """``POST /v3/marketing/contacts/exports`` -> 202 ``{"id", "_metadata"}``."""
    body: dict[str, Any] = call.json_object() if call.body.strip() else {}
    list_ids = body.get("list_ids", [])
    if not isinstance(list_ids, list) or not all(isinstance(x, str) for x in list_ids):
        raise ApiError(400, "list_ids must be an array of strings", "list_ids")
    segment_ids = body.get("segment_ids", [])
    if not isinstance(segment_ids, list):
        raise ApiError(400, "segment_ids must be an array of strings", "segment_ids")
    file_type = body.get("file_type", "csv")
    if file_type not in FILE_TYPES:
        raise ApiError(400, "file_type must be csv or json", "file_type")
    if segment_ids:
        raise ApiError(404, f"segment {segment_ids[0]} does not exist", "segment_ids")
    with state.lock:
        for list_id in list_ids:
            if list_id not in state.store.lists:
                raise ApiError(404, f"list {list_id} does not exist", "list_ids")
        export = ExportJob(state.new_id(), state.due(), state.wall(), list_ids, file_type)
        state.submit(export)
    self_url = f"{call.base_url}/v3/marketing/contacts/exports/{export.id}"
    return Reply.json(202, {"id": export.id, "_metadata": {"self": self_url}})


def get_export(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/contacts/exports/{id}``: status, and download URLs when ready."""
    with state.lock:
        export = state.work.by_id.get(call.params["id"])
        if not isinstance(export, ExportJob):
            raise ApiError(404, "export not found", "id")
        return Reply.json(200, export.to_json(call.base_url))


def list_exports(state: SandboxState, call: Call) -> Reply:
    """``GET /v3/marketing/contacts/exports``: every export, newest first."""
    with state.lock:
        exports = [w for w in state.work.by_id.values() if isinstance(w, ExportJob)]
        result = []
        for export in reversed(exports):
            item = export.to_json(call.base_url)
            item.pop("updated_at", None)
            item.pop("contact_count", None)
            item["export_type"] = "contacts_export"
            item["segments"] = []
            item["lists"] = [{"ID": list_id, "Name": state.store.lists[list_id].name}
                             for list_id in export.list_ids if list_id in state.store.lists]
            result.append(item)
    return Reply.json(200, {"result": result, "_metadata": {}})


ROUTES: list[Route] = [
    Route("POST", "/v3/marketing/contacts/exports", create_export),
    Route("GET", "/v3/marketing/contacts/exports", list_exports),
    Route("GET", "/v3/marketing/contacts/exports/{id}", get_export),
]
