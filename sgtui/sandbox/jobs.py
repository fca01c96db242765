"""Asynchronous work: contact import/delete jobs and contact exports, with SendGrid's lifecycle.

A job is ``pending`` for the job delay in force when it was submitted, then it is carried out
and becomes ``completed`` (no errors), ``errored`` (some contacts failed) or ``failed`` (all
failed). Work completes in submission order, so an upsert followed by a removal of the same
contact always ends with the contact removed. While pending, ``results`` holds only
``requested_count``; zero counts are left out and ``finished_at`` appears when done, as in
recorded real traffic.

``job_type`` is ``upsert_contacts`` for upserts (recorded) and, by analogy, ``delete_contacts``
for account deletions and for removals from a list (the spec only says "upsert or delete").

A contact whose email domain ends in ``.invalid`` (RFC 2606) passes the synchronous checks but
fails in its job ("email domain does not exist"): the sandbox's deterministic way to produce
``errored`` and ``failed`` jobs. A contact that would end up on more than 250 lists fails too,
and so does one with a custom field value of the wrong kind: the real API accepted an
invalid custom date with 202 (recorded), so values are checked here, not in the ``PUT``.

With an index lag set (see ``index_lag``), a job's results fill in while it is still
``pending``: its work is carried out half-way through its delay, and it reports its final
status only at the end, as real jobs do.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from sgtui.sandbox.custom_values import custom_value
from sgtui.sandbox.index_lag import SearchIndex
from sgtui.sandbox.stats import Stats
from sgtui.sandbox.store import WRITABLE_FIELDS, Store, iso

EXPORT_LIFETIME_SECONDS = 72 * 3600


class Work:
    """Something the sandbox carries out later, when ``due`` (on the sandbox's clock)."""

    kind: ClassVar[str] = "work"

    def __init__(self, work_id: str, due: float, started: float) -> None:
        self.id = work_id
        self.due = due
        self.reported_at = due  # sandbox clock: when the job says it is done
        self.started = started  # wall-clock time of submission
        self.finished: float | None = None

    @property
    def done(self) -> bool:
        """Whether the work has been carried out."""
        return self.finished is not None

    def complete(self, store: Store, stats: Stats, now: float) -> None:
        """Carry the work out at wall-clock time ``now``."""
        self.run(store, stats, now)
        self.finished = now

    def run(self, store: Store, stats: Stats, now: float) -> None:
        """The effect of the work (subclasses)."""
        raise NotImplementedError

    def to_state(self) -> dict[str, Any]:
        """Everything needed to rebuild this work from a state file."""
        return {"kind": self.kind, "id": self.id, "started": self.started,
                "finished": self.finished}


class ContactsJob(Work):
    """A job reported by ``GET /v3/marketing/contacts/imports/{id}``."""

    job_type: ClassVar[str] = ""

    def __init__(self, work_id: str, due: float, started: float, requested: int) -> None:
        super().__init__(work_id, due, started)
        self.requested = requested
        self.counts: dict[str, int] = {}
        self.errors: list[tuple[str, str]] = []  # (identifier, reason)

    def status(self, now: float) -> str:
        """``pending``, ``completed``, ``errored`` or ``failed`` at sandbox time ``now``."""
        if not self.reported(now):
            return "pending"
        errored = self.counts.get("errored_count", 0)
        if errored and errored >= self.requested:
            return "failed"
        return "errored" if errored else "completed"

    def reported(self, now: float) -> bool:
        """Whether the job says it is done at sandbox time ``now``."""
        return self.done and now >= self.reported_at

    def to_json(self, base_url: str, now: float) -> dict[str, Any]:
        """The job as SendGrid reports it at sandbox time ``now``."""
        results: dict[str, Any] = {"requested_count": self.requested}
        if self.done:
            results.update(self.counts)
            if self.errors:
                results["errors_url"] = f"{base_url}/_sandbox/jobs/{self.id}/errors.csv"
        body: dict[str, Any] = {
            "id": self.id,
            "status": self.status(now),
            "job_type": self.job_type,
            "results": {key: value for key, value in results.items() if value},
            "started_at": iso(self.started),
        }
        if self.finished is not None and self.reported(now):
            body["finished_at"] = iso(self.finished + max(0.0, self.reported_at - self.due))
        return body

    def errors_csv(self) -> bytes:
        """The file behind ``errors_url``."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["identifier", "error"])
        writer.writerows(self.errors)
        return out.getvalue().encode()

    def to_state(self) -> dict[str, Any]:
        """See ``Work.to_state``."""
        return {**super().to_state(), "requested": self.requested, "counts": self.counts,
                "errors": self.errors}

    def _count(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount


class UpsertJob(ContactsJob):
    """``PUT /v3/marketing/contacts``: create or merge contacts, then add them to lists."""

    kind = "upsert"
    job_type = "upsert_contacts"

    def __init__(self, work_id: str, due: float, started: float, list_ids: tuple[str, ...],
                 contacts: list[dict[str, Any]]) -> None:
        super().__init__(work_id, due, started, len(contacts))
        self.list_ids = list_ids
        self.contacts: list[dict[str, Any]] | None = contacts

    def run(self, store: Store, stats: Stats, now: float) -> None:
        """See ``Work.run``."""
        assert self.contacts is not None
        for values in self.contacts:
            identifier = _identifier(values)
            email = values.get("email")
            if email is not None and email.endswith(".invalid"):
                self._fail(identifier, "email domain does not exist")
                continue
            problem = _check_custom_values(store, values)
            if problem is not None:
                self._fail(identifier, problem)
                continue
            created, problem = store.upsert(values, self.list_ids, now)
            if problem is not None:
                self._fail(identifier, problem)
            else:
                self._count("created_count" if created else "updated_count")
                stats.contacts_upserted += 1
        self.contacts = None  # the payload is not needed any more

    def _fail(self, identifier: str, reason: str) -> None:
        self._count("errored_count")
        self.errors.append((identifier, reason))

    def to_state(self) -> dict[str, Any]:
        """See ``Work.to_state``."""
        return {**super().to_state(), "list_ids": list(self.list_ids), "contacts": self.contacts}


class DeleteContactsJob(ContactsJob):
    """``DELETE /v3/marketing/contacts`` (or a list deleted with its contacts)."""

    kind = "delete"
    job_type = "delete_contacts"

    def __init__(self, work_id: str, due: float, started: float,
                 contact_ids: list[str] | None) -> None:
        super().__init__(work_id, due, started, len(contact_ids or ()))
        self.contact_ids = contact_ids  # None: every contact

    def run(self, store: Store, stats: Stats, now: float) -> None:
        """See ``Work.run``."""
        if self.contact_ids is None:
            indices = store.all_indices()
            self.requested = len(indices)
        else:
            found = (store.index_of(contact_id) for contact_id in self.contact_ids)
            indices = [index for index in found if index is not None]
        deleted = store.delete_contacts(indices)
        self._count("deleted_count", deleted)
        stats.contacts_removed += deleted

    def to_state(self) -> dict[str, Any]:
        """See ``Work.to_state``."""
        return {**super().to_state(), "contact_ids": self.contact_ids}


class RemoveFromListJob(ContactsJob):
    """``DELETE /v3/marketing/lists/{id}/contacts``: members leave the list, stay contacts."""

    kind = "remove"
    job_type = "delete_contacts"

    def __init__(self, work_id: str, due: float, started: float, list_id: str,
                 contact_ids: list[str]) -> None:
        super().__init__(work_id, due, started, len(contact_ids))
        self.list_id = list_id
        self.contact_ids = contact_ids

    def run(self, store: Store, stats: Stats, now: float) -> None:
        """See ``Work.run``."""
        found = (store.index_of(contact_id) for contact_id in self.contact_ids)
        removed = store.remove_from_list(self.list_id, [i for i in found if i is not None])
        self._count("deleted_count", removed)
        stats.contacts_removed += removed

    def to_state(self) -> dict[str, Any]:
        """See ``Work.to_state``."""
        return {**super().to_state(), "list_id": self.list_id, "contact_ids": self.contact_ids}


class ExportJob(Work):
    """``POST /v3/marketing/contacts/exports``: a gzipped file of contacts, served locally."""

    kind = "export"

    def __init__(self, work_id: str, due: float, started: float, list_ids: list[str],
                 file_type: str) -> None:
        super().__init__(work_id, due, started)
        self.list_ids = list_ids
        self.file_type = file_type
        self.content: bytes | None = None
        self.contact_count = 0

    @property
    def file_name(self) -> str:
        """The name of the export's one file."""
        return f"contacts.{self.file_type}.gz"

    def run(self, store: Store, stats: Stats, now: float) -> None:
        """See ``Work.run``."""
        wanted = set(self.list_ids)
        indices = [i for i, contact in enumerate(store.contacts) if contact is not None
                   and (not wanted or wanted.intersection(contact.lists))]
        self.contact_count = len(indices)
        out = io.StringIO()
        if self.file_type == "json":
            for index in indices:
                out.write(json.dumps(store.contact_json(index), ensure_ascii=False) + "\n")
        else:
            _write_csv(out, store, indices)
        self.content = gzip.compress(out.getvalue().encode(), compresslevel=5)

    def to_json(self, base_url: str) -> dict[str, Any]:
        """The export as SendGrid reports it (``ContactExport``)."""
        body: dict[str, Any] = {
            "id": self.id,
            "status": "ready" if self.done else "pending",
            "created_at": iso(self.started),
            "updated_at": iso(self.finished or self.started),
            "expires_at": iso(self.started + EXPORT_LIFETIME_SECONDS),
        }
        if self.finished is not None:
            body["completed_at"] = iso(self.finished)
            body["urls"] = [f"{base_url}/_sandbox/exports/{self.id}/{self.file_name}"]
            body["contact_count"] = self.contact_count
        return body


def _write_csv(out: io.StringIO, store: Store, indices: list[int]) -> None:
    custom = list(store.custom_fields.values())
    writer = csv.writer(out)
    writer.writerow(["CONTACT_ID", "EMAIL", *(name.upper() for name in WRITABLE_FIELDS),
                     "CREATED_AT", "UPDATED_AT", *(field.name for field in custom)])
    for index in indices:
        fields = store.fields_of(index)
        contact = store.contacts[index]
        assert contact is not None
        row = [store.contact_id(index), fields.get("email", "")]
        for name in WRITABLE_FIELDS:
            value = fields.get(name, "")
            row.append(",".join(value) if isinstance(value, list) else value)
        row += [iso(contact.created), iso(contact.updated)]
        row += [fields.get(field.id, "") for field in custom]
        writer.writerow(row)


def _check_custom_values(store: Store, values: dict[str, Any]) -> str | None:
    """Check and normalise the custom field values of one contact (in place); the reason it
    fails, or None."""
    for field_id in [key for key in values if key in store.custom_fields]:
        field = store.custom_fields[field_id]
        value, problem = custom_value(field.field_type, values[field_id])
        if problem is not None:
            return f"{field.name}: {problem}"
        values[field_id] = value
    return None


def _identifier(values: dict[str, Any]) -> str:
    for kind in ("email", "phone_number_id", "external_id", "anonymous_id"):
        if values.get(kind):
            return str(values[kind])
    return ""


def work_from_state(data: dict[str, Any], due: float) -> Work:
    """Rebuild a job saved by ``to_state`` (exports are not saved)."""
    kind = data["kind"]
    work: ContactsJob
    if kind == "upsert":
        work = UpsertJob(data["id"], due, data["started"], tuple(data["list_ids"]),
                         data["contacts"] or [])
        if data["contacts"] is None:
            work.contacts = None
    elif kind == "delete":
        work = DeleteContactsJob(data["id"], due, data["started"], data["contact_ids"])
    elif kind == "remove":
        work = RemoveFromListJob(data["id"], due, data["started"], data["list_id"],
                                 data["contact_ids"])
    else:
        raise ValueError(f"unknown job kind {kind!r}")
    work.requested = data["requested"]
    work.counts = dict(data["counts"])
    work.errors = [tuple(error) for error in data["errors"]]
    work.finished = data["finished"]
    return work


class WorkQueue:
    """Pending work in submission order, and every job and export by id."""

    def __init__(self) -> None:
        self.pending: deque[Work] = deque()
        self.by_id: dict[str, Work] = {}

    def submit(self, work: Work) -> None:
        """Queue ``work``."""
        self.by_id[work.id] = work
        if not work.done:
            self.pending.append(work)

    def settle(self, clock_now: float, store: Store, stats: Stats,
               wall_now: Callable[[], float], index: SearchIndex) -> int:
        """Carry out the work that is due, in order; returns how many were completed.

        The list changes of each job go to ``index`` (for index lag).
        """
        completed = 0
        while self.pending and self.pending[0].due <= clock_now:
            work = self.pending.popleft()
            store.changes = {} if index.recording else None
            try:
                work.complete(store, stats, wall_now())
            finally:
                changes, store.changes = store.changes, None
            if changes:
                index.record(work.due, changes)
            completed += 1
        return completed

    def next_due(self) -> float | None:
        """When the next pending work is due, or None."""
        return self.pending[0].due if self.pending else None
