"""The workspace: a folder holding ``sgtui.toml``, the customer database and sgtui's state.

``sgtui.toml`` is read and written with tomlkit, so the comments and key order a person
wrote survive every save; saves are atomic (see :mod:`sgtui.workspace.files`). Reading is
lenient (a bad value falls back to the safest meaning) and :mod:`sgtui.workspace.validation`
reports every problem in a sentence.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from sgtui.errors import CAUSE, SgtuiError, sentence_for
from sgtui.workspace.files import atomic_write_text, ensure_private_dir, ensure_subdir
from sgtui.workspace.model import (
    Access,
    ConnectionConfig,
    Consent,
    CustomFieldConfig,
    CustomFieldType,
    ExportConfig,
    Schedule,
    SourceConfig,
    SyncMode,
    UsableBy,
)
from sgtui.workspace.roles import Role, role_of

FILE_NAME = "sgtui.toml"
FORMAT_VERSION = 1
ENV_WORKSPACE = "SGTUI_WORKSPACE"

Edit = Callable[[TOMLDocument], None]
"""One replayable change of the document (see :meth:`Workspace.save`)."""


class WorkspaceError(SgtuiError):
    """The workspace cannot be opened or saved; ``sentence`` says why and what to do."""

    def __init__(self, sentence: str, *, line: int | None = None) -> None:
        super().__init__(sentence)
        self.line = line


def default_workspace_folder() -> Path:
    """``$SGTUI_WORKSPACE``, else a per-user data folder."""
    configured = os.environ.get(ENV_WORKSPACE, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("sgtui") / "workspace"


def current_user() -> str:
    """The OS user running sgtui (roles are decided by this name)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def slugify(display_name: str) -> str:
    """The ``sgtui.toml`` key for a display name: ``Marketing SendGrid``, ``marketing-sendgrid``."""
    slug = re.sub(r"[^a-z0-9]+", "-", display_name.strip().lower()).strip("-")
    return slug or "connection"


EXPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""An export name that ``sgtui run NAME`` and a crontab take without quoting."""


def export_name_for(typed: str) -> str:
    """The export name for what someone typed: itself when it needs no quoting, else a slug
    (``Spring newsletter`` → ``spring-newsletter``)."""
    typed = typed.strip()
    if EXPORT_NAME.fullmatch(typed):
        return typed
    return re.sub(r"[^a-z0-9]+", "-", typed.lower()).strip("-") or "export"


class Workspace:
    """One workspace folder, seen by one OS user."""

    def __init__(self, folder: Path, document: TOMLDocument, *, user: str,
                 base_text: str | None = None) -> None:
        self.folder = folder
        self.document = document
        self.user = user
        # What the file said when we read it, and the changes made since: when someone else
        # saved in between, :meth:`save` replays these changes on their version.
        self._base_text = base_text
        self._changes: list[Edit] = []

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | str, *, user: str | None = None, create: bool = True) -> Workspace:
        """Open the workspace in ``folder``; create a new one there if ``create`` and none exists.

        The first user of a new workspace becomes its admin.
        """
        folder = Path(folder).expanduser()
        user = user or current_user()
        path = folder / FILE_NAME
        if not path.exists():
            if not create:
                raise WorkspaceError(
                    f"There is no {FILE_NAME} in {folder}. Run sgtui there once to create a "
                    "workspace, or pass --workspace with the right folder."
                )
            return cls.create(folder, user=user)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            sentence = sentence_for(error, f"sgtui cannot read {path}: {CAUSE}.")
            raise WorkspaceError(sentence) from None
        return cls(folder, parse_document(text, path), user=user, base_text=text)

    @classmethod
    def create(cls, folder: Path, *, user: str) -> Workspace:
        """A new workspace in ``folder`` (0700 when sgtui creates it), with ``user`` as admin."""
        ensure_private_dir(folder)
        document = tomlkit.document()
        document.add(tomlkit.comment("sgtui workspace: edit here or in the app; comments are kept"))
        document["version"] = FORMAT_VERSION
        document["id"] = uuid.uuid4().hex
        access = tomlkit.table()
        access["admins"] = [user]
        access["contributors"] = []
        document["access"] = access
        source = tomlkit.table()
        source["type"] = "sqlite"
        source["path"] = "customers.db"
        source["path"].comment("relative to this folder")
        document["source"] = source
        workspace = cls(folder, document, user=user)
        workspace.save()
        return workspace

    def as_user(self, user: str) -> Workspace:
        """The same workspace seen by another OS user (tests, and admins previewing roles)."""
        return Workspace(self.folder, self.document, user=user, base_text=self._base_text)

    def reload(self) -> None:
        """Read ``sgtui.toml`` again (another user or an editor may have changed it)."""
        text = self.path.read_text(encoding="utf-8")
        self.document = parse_document(text, self.path)
        self._base_text, self._changes = text, []

    def apply_and_save(self, change: Callable[[Workspace], None]) -> None:
        """Make ``change`` (calls such as :meth:`put_export`) and write ``sgtui.toml``.

        The one way the app changes the file (blocking: call it from a thread worker). Like
        :meth:`save`, it keeps what another person saved meanwhile. If anything fails, the
        workspace goes back to what the file holds, so no screen shows an unsaved change,
        and :class:`WorkspaceError` says why.
        """
        before = tomlkit.dumps(self.document), self._base_text, list(self._changes)
        try:
            change(self)
            self.save()
        except Exception as error:  # WorkspaceError, the disk said no, or a surprise
            self._go_back(before)
            raise WorkspaceError(sentence_for(
                error, f"{FILE_NAME} could not be written ({CAUSE}); nothing was changed. "
                "Check the workspace folder's free space and permissions, then try again."
            )) from error

    def _go_back(self, before: tuple[str, str | None, list[Edit]]) -> None:
        """Reload the file after a failed save; if it cannot be read, undo the change instead."""
        try:
            self.reload()
        except Exception:  # unreadable or broken meanwhile: show what was there before
            text, self._base_text, self._changes = before
            self.document = tomlkit.parse(text)

    def save(self) -> None:
        """Write ``sgtui.toml`` atomically, keeping comments and key order.

        If the file changed on disk since it was read (a teammate saved, or someone edited it
        by hand), this workspace's changes are replayed on that version instead of
        overwriting it, so neither side's edits are lost.
        """
        try:
            on_disk = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            on_disk = None
        if on_disk is not None and self._base_text is not None and on_disk != self._base_text:
            merged = parse_document(on_disk, self.path)
            for change in self._changes:
                change(merged)
            self.document = merged
        text = tomlkit.dumps(self.document)
        atomic_write_text(self.path, text)
        self._base_text, self._changes = text, []

    def _change(self, change: Edit) -> None:
        """Apply ``change`` to the document now, and remember it for :meth:`save`."""
        change(self.document)
        self._changes.append(change)

    # -- places ----------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The ``sgtui.toml`` file."""
        return self.folder / FILE_NAME

    @property
    def id(self) -> str:
        """A stable id, so keyring entries of two workspaces never collide."""
        value = self.document.get("id")
        return str(value) if value else str(self.folder.resolve())

    @property
    def state_path(self) -> Path:
        """The SQLite file where runs and their history are kept."""
        return self.folder / "state.db"

    @property
    def runs_folder(self) -> Path:
        """Where rejected-row CSVs and run logs go (created on first use)."""
        return ensure_subdir(self.folder / "runs")

    @property
    def source_path(self) -> Path:
        """The SQLite customer database, resolved against the workspace folder."""
        return (self.folder / self.source.path).expanduser()

    # -- reading ---------------------------------------------------------------------------
    @property
    def role(self) -> Role:
        """The current user's role."""
        return role_of(self.user, self.access)

    @property
    def access(self) -> Access:
        """Admins and contributors."""
        table = _table(self.document, "access")
        return Access(
            admins=_names(table.get("admins")),
            contributors=_names(table.get("contributors")),
        )

    @property
    def source(self) -> SourceConfig:
        """Where the customer data lives."""
        table = _table(self.document, "source")
        return SourceConfig(
            type=str(table.get("type", "sqlite")),
            path=str(table.get("path", "customers.db")),
            dsn=_optional_str(table.get("dsn")),
            url=_optional_str(table.get("url")),
            profiles=str(table.get("profiles", "profiles")),
            segments=str(table.get("segments", "segments")),
            segment_members=str(table.get("segment_members", "segment_members")),
            key_column=_optional_str(table.get("key_column")),
        )

    @property
    def connections(self) -> dict[str, ConnectionConfig]:
        """Every connection, by its key in ``sgtui.toml``."""
        tables = _table(self.document, "connections")
        return {
            str(name): _connection(str(name), table)
            for name, table in tables.items()
            if isinstance(table, Mapping)
        }

    @property
    def exports(self) -> dict[str, ExportConfig]:
        """Every export, by its name."""
        tables = _table(self.document, "exports")
        return {
            str(name): _export(str(name), table)
            for name, table in tables.items()
            if isinstance(table, Mapping)
        }

    # -- changing --------------------------------------------------------------------------
    def set_access(self, access: Access) -> None:
        """Replace the admins and contributors (call :meth:`save` after)."""

        def change(document: TOMLDocument) -> None:
            table = _ensure_table(document, "access")
            table["admins"] = list(access.admins)
            table["contributors"] = list(access.contributors)

        self._change(change)

    def put_connection(self, connection: ConnectionConfig) -> None:
        """Add or update a connection, keeping the comments in its table."""
        self._change(lambda document: _put_connection(document, connection))

    def rename_connection(self, name: str, display_name: str) -> None:
        """Give connection ``name`` another display name, and change nothing else.

        Its key in ``sgtui.toml`` stays: exports refer to the connection by it, and every
        export user's keyring entry is named after it. Replayed on a teammate's newer file,
        it touches that one value (and nothing, if they removed the connection meanwhile).
        """

        def change(document: TOMLDocument) -> None:
            table = _table(document, "connections").get(name)
            if isinstance(table, Table):
                table["display_name"] = display_name

        self._change(change)

    def remove_connection(self, name: str) -> None:
        """Remove a connection (exports that use it must be removed or detached first)."""
        self._change(lambda document: _remove(document, "connections", name))

    def put_export(self, export: ExportConfig) -> None:
        """Add or update an export, keeping the comments in its tables."""
        self._change(lambda document: _put_export(document, export))

    def remove_export(self, name: str) -> None:
        """Remove an export from the file (its run history stays in the state database)."""
        self._change(lambda document: _remove(document, "exports", name))

    def exports_using(self, connection: str) -> list[ExportConfig]:
        """The exports attached to ``connection``."""
        return [export for export in self.exports.values() if export.connection == connection]

    def unique_connection_name(self, display_name: str, *, keep: str | None = None) -> str:
        """The key for a new connection called ``display_name`` that no other connection has."""
        base = slugify(display_name)
        taken = set(self.connections) - ({keep} if keep else set())
        name, number = base, 2
        while name in taken:
            name, number = f"{base}-{number}", number + 1
        return name


def parse_document(text: str, path: Path | None = None) -> TOMLDocument:
    """Parse ``sgtui.toml`` text, turning a syntax error into a sentence with its line."""
    where = str(path) if path else FILE_NAME
    try:
        tomllib.loads(text)  # tomllib's messages are the clearest about syntax
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = _line_in_message(message)
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        twice = re.match(r"Cannot declare \((.*)\) twice", detail)
        if twice:
            name = ".".join(part.strip(" '") for part in twice.group(1).split(","))
            detail = f"[{name}] is declared twice; every connection and export needs its own name"
        elif detail.startswith("Cannot overwrite a value"):
            detail = "a key is set twice in the same table; keep one"
        at = f" on line {line}" if line else ""
        raise WorkspaceError(
            f"{where} is not valid TOML{at}: {detail[:1].lower()}{detail[1:]}. "
            "Fix that line in a text editor (sgtui will not overwrite the file meanwhile).",
            line=line,
        ) from None
    return tomlkit.parse(text)


def now_utc() -> datetime:
    """The current time, to the second, in UTC (for consent records and created dates)."""
    return datetime.now(UTC).replace(microsecond=0)


# -- edits of the TOML document (replayable, see Workspace.save) -----------------------------
def _put_connection(document: TOMLDocument, connection: ConnectionConfig) -> None:
    table = _ensure_table(_ensure_table(document, "connections"), connection.name)
    table["type"] = connection.type
    table["display_name"] = connection.display_name
    table["usable_by"] = connection.usable_by.value
    table["base_url"] = connection.base_url
    table["export_users"] = list(connection.export_users)
    if connection.consent is not None:
        consent = tomlkit.inline_table()
        consent["accepted_by"] = connection.consent.accepted_by
        consent["accepted_at"] = connection.consent.accepted_at
        table["consent"] = consent
    elif "consent" in table:
        del table["consent"]
    if connection.created_at is not None:
        table["created_at"] = connection.created_at


def _put_export(document: TOMLDocument, export: ExportConfig) -> None:
    table = _ensure_table(_ensure_table(document, "exports"), export.name)
    if export.connection:
        table["connection"] = export.connection
    elif "connection" in table:
        del table["connection"]
    table["list_id"] = export.list_id
    if export.list_name:
        table["list_name"] = export.list_name
    if export.display_name:
        table["display_name"] = export.display_name
    elif "display_name" in table:
        del table["display_name"]
    table["segments"] = list(export.segments)
    table["schedule"] = export.schedule.value
    table["mode"] = export.mode.value
    mapping = _ensure_table(table, "mapping")
    for field_name in [key for key in mapping if key not in export.mapping]:
        del mapping[field_name]
    for field_name, column in export.mapping.items():
        mapping[field_name] = column
    if export.custom_fields or "custom_fields" in table:
        _put_custom_fields(_ensure_table(table, "custom_fields"), export)


def _put_custom_fields(custom: Table, export: ExportConfig) -> None:
    """``[exports.NAME.custom_fields]``: name = { column, type }, in the export's order."""
    wanted = {field.name: field for field in export.custom_fields}
    for name in [key for key in custom if key not in wanted]:
        del custom[name]
    for name, field in wanted.items():
        entry = tomlkit.inline_table()
        entry["column"] = field.column
        entry["type"] = field.type.value
        custom[name] = entry


def _remove(document: TOMLDocument, section: str, name: str) -> None:
    tables = document.get(section)
    if isinstance(tables, MutableMapping) and name in tables:
        del tables[name]


# -- lenient readers -------------------------------------------------------------------------
def _line_in_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _table(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = container.get(key)
    return value if isinstance(value, Mapping) else {}


def _ensure_table(container: Any, key: str) -> Table:
    value = container.get(key)
    if not isinstance(value, Table):
        value = tomlkit.table()
        container[key] = value
    return value


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(item) for item in value)
    return ()


def _optional_str(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _enum(kind: type, value: object, default: Any) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        return default


def _datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _connection(name: str, table: Mapping[str, Any]) -> ConnectionConfig:
    consent_table = table.get("consent")
    consent = None
    if isinstance(consent_table, Mapping):
        accepted_at = _datetime(consent_table.get("accepted_at"))
        accepted_by = consent_table.get("accepted_by")
        if accepted_at and accepted_by:
            consent = Consent(accepted_by=str(accepted_by), accepted_at=accepted_at)
    return ConnectionConfig(
        name=name,
        display_name=str(table.get("display_name", name)),
        usable_by=_enum(UsableBy, table.get("usable_by", "admins"), UsableBy.ADMINS),
        base_url=str(table.get("base_url", "https://api.sendgrid.com")),
        export_users=_names(table.get("export_users")),
        consent=consent,
        type=str(table.get("type", "sendgrid")),
        created_at=_datetime(table.get("created_at")),
    )


def _export(name: str, table: Mapping[str, Any]) -> ExportConfig:
    mapping = table.get("mapping")
    return ExportConfig(
        name=name,
        connection=_optional_str(table.get("connection")),
        list_id=str(table.get("list_id", "")),
        list_name=_optional_str(table.get("list_name")),
        display_name=_optional_str(table.get("display_name")),
        segments=_names(table.get("segments")),
        mapping=(
            {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, Mapping) else {}
        ),
        schedule=_enum(Schedule, table.get("schedule", "refresh"), Schedule.MANUAL),
        mode=_enum(SyncMode, table.get("mode", "upsert"), SyncMode.UPSERT),
        custom_fields=_custom_fields(table.get("custom_fields")),
    )


def _custom_fields(value: object) -> tuple[CustomFieldConfig, ...]:
    """The readable entries of ``custom_fields`` (``sgtui check`` reports the others)."""
    if not isinstance(value, Mapping):
        return ()
    found: list[CustomFieldConfig] = []
    for name, entry in value.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("column"), str):
            continue
        found.append(CustomFieldConfig(
            str(name), str(entry["column"]),
            _enum(CustomFieldType, entry.get("type", "text"), CustomFieldType.TEXT)))
    return tuple(found)
