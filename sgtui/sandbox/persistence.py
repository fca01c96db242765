"""``state_file``: the sandbox's account saved as JSON at stop and loaded at start.

Saved: lists, custom fields, contacts (ids are positional, so they survive), jobs (a pending
job keeps its contacts and the time it still had to wait), request stats and the id generator
(so a seeded sandbox never hands out an id twice). Not saved: API keys (they come from the
command line), exports (their files live in memory and expire anyway), rate-limit windows.
The file is replaced atomically and readable by its owner only.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sgtui.sandbox.jobs import ContactsJob, work_from_state
from sgtui.sandbox.state import SandboxState
from sgtui.sandbox.store import WRITABLE_FIELDS, Contact, CustomField, MarketingList

FORMAT_VERSION = 1


def save_state(state: SandboxState, path: Path) -> None:
    """Write ``state`` to ``path`` atomically (0600)."""
    with state.lock:
        document = _document(state)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, separators=(",", ":"), ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_state(state: SandboxState, path: Path) -> bool:
    """Fill ``state`` from ``path``; False when there is no such file yet.

    Raises ValueError, with the reason as a short phrase, for a file that cannot be read or
    is not a sandbox state file (any JSON that is not one, such as ``[]``, included).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except UnicodeDecodeError:
        raise ValueError("it is not UTF-8 text") from None
    except OSError as error:
        raise ValueError(error.strerror or str(error)) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError("it is nested too deeply to be a sandbox state file") from None
    except ValueError as error:
        raise ValueError(f"it is not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise ValueError(f"it is not a sandbox state file of version {FORMAT_VERSION}")
    try:
        with state.lock:
            _restore(state, document)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"it is damaged ({type(error).__name__}: {error})") from None
    return True


def _document(state: SandboxState) -> dict[str, Any]:
    store = state.store
    now = state.clock()
    jobs = []
    for work in state.work.by_id.values():
        if isinstance(work, ContactsJob):
            jobs.append({**work.to_state(), "wait": max(0.0, work.due - now)})
    return {
        "version": FORMAT_VERSION,
        "id_random": _jsonable(state.ids_random.getstate()),
        "id_prefix": store.id_prefix,
        "list_seq": store.list_seq,
        "lists": [[x.id, x.name, x.seq, x.count] for x in store.lists.values()],
        "custom_fields": [[f.id, f.name, f.field_type] for f in store.custom_fields.values()],
        "slots": store.slots,
        "contacts": [None if c is None else [c.email, c.data, list(c.lists), c.created,
                                             c.updated] for c in store.contacts],
        "jobs": jobs,
        "stats": state.stats.to_json(),
    }


def _restore(state: SandboxState, document: dict[str, Any]) -> None:
    state.ids_random.setstate(_tupled(document["id_random"]))
    store = state.store
    store.id_prefix = document["id_prefix"]
    store.list_seq = document["list_seq"]
    store.lists = {i: MarketingList(i, name, seq, count)
                   for i, name, seq, count in document["lists"]}
    store.custom_fields = {i: CustomField(i, name, kind)
                           for i, name, kind in document["custom_fields"]}
    store.slots = list(document["slots"])
    store.slots += [name for name in WRITABLE_FIELDS if name not in store.slots]
    store.slot_index = {name: i for i, name in enumerate(store.slots)}
    store.contacts = []
    store.by_email = {}
    list_ids = {x: x for x in store.lists}  # share the list id strings
    for row in document["contacts"]:
        if row is None:
            store.contacts.append(None)
            continue
        email, data, lists, created, updated = row
        index = len(store.contacts)
        memberships = store.canonical(tuple(list_ids.get(x, x) for x in lists))
        store.contacts.append(Contact(email, data, memberships, created, updated))
        if email is not None:
            store.by_email[email] = index
        for kind, value in store.identifiers_in(data):
            store.by_identifier[kind][value] = index
    store.live_contacts = sum(1 for c in store.contacts if c is not None)
    now = state.clock()
    for data in document["jobs"]:
        state.work.submit(work_from_state(data, now + data["wait"]))
    stats = document.get("stats", {})
    state.stats.requests.update(stats.get("requests", {}))
    state.stats.contacts_upserted = stats.get("contacts_upserted", 0)
    state.stats.contacts_removed = stats.get("contacts_removed", 0)


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, tuple | list) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
