"""``/_sandbox``: the sandbox's own paths (not SendGrid's), for tests and curious users.

They need no key and are never faulted, rate-limited or counted in the stats.
"""

from __future__ import annotations

from sgtui.sandbox.jobs import ContactsJob, ExportJob
from sgtui.sandbox.protocol import ApiError, Call, Reply
from sgtui.sandbox.routing import Route
from sgtui.sandbox.state import SandboxState


def list_members(state: SandboxState, call: Call) -> Reply:
    """``GET /_sandbox/lists/{id}`` -> ``{"emails": [...]}``: exact members, sorted."""
    with state.lock:
        try:
            emails = state.store.list_emails(call.params["id"])
        except KeyError:
            raise ApiError(404, "list not found", "id") from None
    return Reply.json(200, {"emails": emails})


def stats(state: SandboxState, call: Call) -> Reply:
    """``GET /_sandbox/stats``: requests by method and path template, contacts written."""
    return Reply.json(200, state.stats.to_json())


def export_file(state: SandboxState, call: Call) -> Reply:
    """``GET /_sandbox/exports/{id}/{file}``: the file behind an export's URL."""
    with state.lock:
        export = state.work.by_id.get(call.params["id"])
        if not isinstance(export, ExportJob) or export.content is None \
                or call.params["file"] != export.file_name:
            raise ApiError(404, "export file not found")
        return Reply(200, export.content, "application/gzip")


def job_errors(state: SandboxState, call: Call) -> Reply:
    """``GET /_sandbox/jobs/{id}/errors.csv``: the file behind a job's ``errors_url``."""
    with state.lock:
        job = state.work.by_id.get(call.params["id"])
        if not isinstance(job, ContactsJob) or not job.errors:
            raise ApiError(404, "no errors file for this job")
        return Reply(200, job.errors_csv(), "text/csv")


ROUTES: list[Route] = [
    Route("GET", "/_sandbox/lists/{id}", list_members),
    Route("GET", "/_sandbox/stats", stats),
    Route("GET", "/_sandbox/exports/{id}/{file}", export_file),
    Route("GET", "/_sandbox/jobs/{id}/errors.csv", job_errors),
]
