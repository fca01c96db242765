"""Every way a workspace can be wrong, each told in one sentence that names the key.

:func:`validate` checks ``sgtui.toml`` against itself and, when a customer source can be
opened, against the real data (mapped columns, segment ids).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sgtui.workspace.base_url import BaseUrlRefused, judge_base_url
from sgtui.workspace.fields import field_name_problem
from sgtui.workspace.limits import limit_problems
from sgtui.workspace.model import (
    WRITABLE_FIELDS,
    CustomFieldConfig,
    CustomFieldType,
    Schedule,
    SyncMode,
    UsableBy,
)
from sgtui.workspace.notify_settings import notify_problems

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace

SOURCE_TYPES = ("sqlite", "postgresql", "sql")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the workspace."""

    key: str
    sentence: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.key}: {self.sentence}"


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class CustomerData(Protocol):
    """What :func:`validate` reads of an opened customer source: its column names and
    segment ids (the workspace layer knows nothing of the source layer)."""

    def columns(self) -> Iterable[_Named]: ...

    def segments(self) -> Iterable[_Identified]: ...


def validate(workspace: Workspace, source: CustomerData | None = None) -> list[Problem]:
    """Every problem in ``workspace``; pass the opened ``source`` to check against the data."""
    text = workspace.path.read_text(encoding="utf-8") if workspace.path.exists() else ""
    locate = _Locator(text)
    document: Mapping[str, Any] = workspace.document
    problems: list[Problem] = []

    def report(table: str, key: str | None, sentence: str) -> None:
        name = f"{table}.{key}" if key else table
        problems.append(Problem(name, sentence, locate(table, key)))

    version = document.get("version", 1)
    if version != 1:
        report("version", None, f"this sgtui understands version 1 of the file, not {version!r}.")

    access = document.get("access", {})
    for role in ("admins", "contributors"):
        names = access.get(role, []) if isinstance(access, Mapping) else []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            report("access", role, "must be a list of user names, like [\"alice\"].")
            continue
        for name, count in Counter(names).items():
            if count > 1:
                report("access", role, f"names {name!r} {count} times; list each user once.")

    config = workspace.source
    if config.type not in SOURCE_TYPES:
        report("source", "type", _enum_sentence(config.type, SOURCE_TYPES))
    elif config.type == "sqlite" and not workspace.source_path.exists():
        report("source", "path", f"the customer database {workspace.source_path} does not exist. "
               "Import a CSV (sgtui import FILE.csv) or point path at your SQLite file.")
    elif config.type == "postgresql" and not config.dsn:
        report("source", "dsn", "a PostgreSQL source needs a dsn, like "
               "\"postgresql://sgtui@db.internal/crm\" (no password: use PGPASSWORD or ~/.pgpass).")
    elif config.type == "sql" and not config.url:
        report("source", "url", "a sql source needs a url, like "
               "\"mysql+pymysql://sgtui@db.internal/crm\" or \"duckdb:///customers.duckdb\" "
               "(no password: use SGTUI_SOURCE_PASSWORD).")

    connections = workspace.connections
    raw_connections = document.get("connections", {})
    display_names = Counter(c.display_name.strip().lower() for c in connections.values())
    for name, connection in connections.items():
        table = f"connections.{name}"
        raw = raw_connections.get(name, {})
        if connection.type != "sendgrid":
            report(table, "type",
                   f"the connection type {connection.type!r} is unknown; use \"sendgrid\".")
        if "usable_by" in raw and raw["usable_by"] not in set(UsableBy):
            report(table, "usable_by", _enum_sentence(raw["usable_by"], list(UsableBy)))
        if display_names[connection.display_name.strip().lower()] > 1:
            report(table, "display_name", f"another connection is also called "
                   f"{connection.display_name!r}; give each connection its own display name.")
        try:
            judge_base_url(connection.base_url)
        except BaseUrlRefused as refused:
            report(table, "base_url", refused.sentence)
        if "consent" in raw and connection.consent is None:
            report(table, "consent", "needs accepted_by and accepted_at (a date and time).")

    for key, sentence in limit_problems(document):
        report("limits", key or None, sentence)

    columns: set[str] | None = None
    segments: set[str] | None = None
    if source is not None:
        columns = {column.name for column in source.columns()}
        segments = {segment.id for segment in source.segments()}
    for name in workspace.exports:
        for table, export_key, sentence in _export_findings(workspace, name, columns,
                                                            segments):
            report(table, export_key, sentence)

    for key, sentence in notify_problems(document):
        report("notify", None if key == "notify" else key, sentence)
    return problems


def export_problems(workspace: Workspace, name: str, *, columns: Collection[str] | None = None,
                    segments: Collection[str] | None = None) -> list[Problem]:
    """What is wrong with the export ``name`` as written: the one judge of whether its
    settings let it run (``sgtui check``, ``sgtui run`` and every run's plan ask it).

    With the customer data's ``columns`` and segment ids (``segments``), mapped columns and
    chosen segments are checked against the data too.
    """
    return [Problem(f"{table}.{key}" if key else table, sentence)
            for table, key, sentence in _export_findings(workspace, name, columns, segments)]


def _export_findings(workspace: Workspace, name: str, columns: Collection[str] | None,
                     segments: Collection[str] | None) -> list[tuple[str, str | None, str]]:
    """``(table, key, sentence)`` for every problem of the export ``name``."""
    export = workspace.exports[name]
    connections = workspace.connections
    raw_exports = workspace.document.get("exports", {})
    raw = raw_exports.get(name, {}) if isinstance(raw_exports, Mapping) else {}
    table = f"exports.{name}"
    found: list[tuple[str, str | None, str]] = []

    def report(where: str, key: str | None, sentence: str) -> None:
        found.append((where, key, sentence))

    if export.connection and export.connection not in connections:
        report(table, "connection", f"no connection is called {export.connection!r}; "
               f"known: {_known(connections)}.")
    if not export.list_id:
        report(table, "list_id", "is missing: every export needs the SendGrid list it fills.")
    if "schedule" in raw and raw["schedule"] not in set(Schedule):
        report(table, "schedule", _enum_sentence(raw["schedule"], list(Schedule)))
    if "mode" in raw and raw["mode"] not in set(SyncMode):
        report(table, "mode", _enum_sentence(raw["mode"], list(SyncMode)))
    if not export.segments:
        report(table, "segments", "is empty: choose at least one segment.")
    for segment, count in Counter(export.segments).items():
        if count > 1:
            report(table, "segments", f"lists {segment!r} twice.")
        if segments is not None and segment not in segments:
            report(table, "segments", f"the segment {segment!r} does not exist in the "
                   f"customer data; known: {_known(segments)}.")
    mapping_table = f"{table}.mapping"
    if not export.mapping.get("email"):
        report(mapping_table, None, "has no email: map the profile column that holds "
               "email addresses, like email = \"email\".")
    for field_name, column in export.mapping.items():
        if field_name not in WRITABLE_FIELDS:
            report(mapping_table, field_name, f"{field_name!r} is not a SendGrid field sgtui "
                   f"maps; use one of {', '.join(WRITABLE_FIELDS)} (or put it under "
                   "custom_fields).")
        elif columns is not None and column not in columns:
            report(mapping_table, field_name, _no_column(column, columns))
    found.extend(_custom_field_findings(f"{table}.custom_fields", raw.get("custom_fields"),
                                        export.mapping, columns))
    return found


def custom_field_problems(custom_fields: Iterable[CustomFieldConfig],
                          mapping: Mapping[str, str],
                          columns: Collection[str] | None = None) -> list[tuple[str, str]]:
    """``(name, sentence)`` for what ``sgtui check`` would say of these custom fields next
    to ``mapping`` (the export wizard asks before it lets an export be saved)."""
    raw = {field.name: {"column": field.column, "type": field.type.value}
           for field in custom_fields}
    return [(str(key), sentence) for _, key, sentence
            in _custom_field_findings("custom_fields", raw, mapping, columns)]


def _custom_field_findings(table: str, raw: object, mapping: Mapping[str, str],
                           columns: Collection[str] | None
                           ) -> list[tuple[str, str | None, str]]:
    """``(table, key, sentence)`` for every problem of an export's ``custom_fields``."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [(table, None, "must be a table of name = { column = \"...\", type = "
                 "\"number\" } entries.")]
    found: list[tuple[str, str | None, str]] = []
    seen: dict[str, str] = {}
    types = list(CustomFieldType)
    for name, entry in raw.items():
        name = str(name)
        if name in mapping:
            found.append((table, name, f"{name!r} is also under mapping; fill each SendGrid "
                          "field once."))
        elif (problem := field_name_problem(name)) is not None:
            found.append((table, name, problem))
        if name.lower() in seen:
            found.append((table, name, f"{name!r} and {seen[name.lower()]!r} are the same "
                          "field to SendGrid (names ignore case); keep one."))
        seen.setdefault(name.lower(), name)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("column"), str):
            found.append((table, name, "needs a column, like { column = \"tier\", "
                          "type = \"text\" }."))
            continue
        kind = entry.get("type", "text")
        if kind not in types:
            found.append((table, name, f"the type {kind!r} is unknown; use "
                          + " or ".join(f'"{choice}"' for choice in types) + "."))
        if columns is not None and entry["column"] not in columns:
            found.append((table, name, _no_column(entry["column"], columns)))
    return found


def _no_column(column: str, columns: Collection[str]) -> str:
    return f"the profiles table has no column {column!r}; it has {_known(columns)}."


def _enum_sentence(value: object, allowed: Iterable[str]) -> str:
    choices = " or ".join(f'"{choice}"' for choice in allowed)
    return f"{value!r} is not allowed here; use {choices}."


def _known(names: Iterable[str]) -> str:
    names = sorted(names)
    if not names:
        return "none"
    shown = ", ".join(names[:12])
    return shown + (f" and {len(names) - 12} more" if len(names) > 12 else "")


class _Locator:
    """Finds the line of ``[table]`` or of ``key =`` inside it in the file's text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def __call__(self, table: str, key: str | None) -> int | None:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(
            rf"(?:{re.escape(part)}|\"{re.escape(part)}\")" for part in table.split(".")
        ) + r"\s*\]")
        start = next((i for i, line in enumerate(self.lines) if header.match(line)), None)
        if start is None:
            return None
        if key is None:
            return start + 1
        key_line = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
        for index in range(start + 1, len(self.lines)):
            if self.lines[index].lstrip().startswith("["):
                break
            if key_line.match(self.lines[index]):
                return index + 1
        return start + 1
