"""Whether an export can run, checked without the network, each problem in one sentence.

:func:`plan_export` is what the wizard's review, ``sgtui run`` and every run ask; the
export's own settings are judged by :func:`sgtui.workspace.validation.export_problems`, the
same judge ``sgtui check`` uses, so all of them say the same thing. :func:`plan_locally` is
the run's first step: the plan, checked against the customer data and the workspace's
``[limits]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sgtui.errors import SgtuiError
from sgtui.workspace.limits import max_profiles_per_export, over_cap, over_cap_while_reading
from sgtui.workspace.model import ConnectionConfig, ExportConfig, SyncMode
from sgtui.workspace.roles import can_edit_export
from sgtui.workspace.secrets import (
    ENV_API_KEY,
    ApiKey,
    KeyringUnavailable,
    SecretsError,
    SecretStore,
    account_name,
    find_key,
    key_from_environment,
)
from sgtui.workspace.validation import export_problems

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace


class PlanProblem(SgtuiError):
    """An export cannot run; ``sentences`` say every reason (``sentence``: all of them).

    ``profiles``: what the segments hold, when the plan counted them before it stopped.
    """

    def __init__(self, sentences: list[str], *, profiles: int | None = None) -> None:
        self.sentences = list(sentences)
        self.profiles = profiles
        super().__init__(" ".join(self.sentences))


def resolve_key(workspace: Workspace, connection_name: str, secrets: SecretStore) -> ApiKey | None:
    """The key a run uses: the current user's keyring if they are an export user of the
    connection, else ``$SGTUI_API_KEY``; None when neither has one."""
    connection = workspace.connections.get(connection_name)
    if connection is not None and workspace.user in connection.export_users:
        try:
            key = find_key(secrets, account_name(workspace.id, connection_name))
        except SecretsError:
            key = None
        if key:
            return key
    return key_from_environment()


def plan_export(workspace: Workspace, export_name: str, secrets: SecretStore, *,
                key_given: bool = False) -> list[str]:
    """Why ``export_name`` cannot run, one sentence each ([] when it can). No network.

    ``key_given``: the caller supplies the key itself, so the keyring is not consulted.
    """
    export = workspace.exports.get(export_name)
    if export is None:
        known = ", ".join(sorted(workspace.exports)) or "none"
        return [f"There is no export called {export_name!r} in this workspace (exports: {known})."]
    settings = [str(problem) for problem in export_problems(workspace, export_name)]
    return [*_who_problems(workspace, export), *settings,
            *_where_problems(workspace, export, secrets, key_given=key_given)]


def run_here_problems(workspace: Workspace, export: ExportConfig,
                      secrets: SecretStore) -> list[str]:
    """Why this user cannot run ``export`` in this process, whatever its settings: their
    role, a missing connection or consent, no API key here. One sentence each ([] when
    nothing stops it); what ``sgtui check`` warns about. No network."""
    return [*_who_problems(workspace, export), *_where_problems(workspace, export, secrets)]


def _who_problems(workspace: Workspace, export: ExportConfig) -> list[str]:
    """The user's role, and the export's connection."""
    problems: list[str] = []
    if not can_edit_export(workspace.role, export, workspace.connections):
        problems.append(
            f"As {workspace.role.label.lower()} of this workspace, {workspace.user} may not run "
            f"the export {export.name!r}; ask an administrator."
        )
    if export.is_detached:
        problems.append(f"The export {export.name!r} has no connection: attach a SendGrid "
                        "connection to it in the app.")
    return problems


def _where_problems(workspace: Workspace, export: ExportConfig, secrets: SecretStore, *,
                    key_given: bool = False) -> list[str]:
    """The connection's consent, and a key for it in this process (unless ``key_given``)."""
    connection = workspace.connections.get(export.connection or "")
    if connection is None:
        return []
    problems: list[str] = []
    if connection.consent is None:
        problems.append(f"Nothing is sent through {_shown(connection)!r} until an administrator "
                        "accepts the data-privacy and compliance consent in the connection's "
                        "set-up.")
    if not key_given:
        problem = no_key_problem(workspace, connection, secrets)
        if problem is not None:
            problems.append(problem)
    return problems


def no_key_problem(workspace: Workspace, connection: ConnectionConfig,
                   secrets: SecretStore) -> str | None:
    """Why a run of ``connection`` by this user, in this process, has no API key (one
    sentence with what to do), or None when :func:`resolve_key` finds one. Never the key."""
    shown = _shown(connection)
    if not connection.export_users and key_from_environment() is None:
        return (f"The connection {shown!r} has no export user: an administrator adds "
                f"themself as export user (or set {ENV_API_KEY} for scheduled runs).")
    if resolve_key(workspace, connection.name, secrets) is not None:
        return None
    if workspace.user not in connection.export_users:
        users = ", ".join(connection.export_users)
        return (f"{workspace.user} is not an export user of {shown!r}, so there is no key "
                f"to run with: the export runs with the next scheduled refresh, or with an "
                f"export user ({users}); or set {ENV_API_KEY} to the connection's key.")
    try:
        secrets.get(account_name(workspace.id, connection.name))
    except KeyringUnavailable as error:
        why = f" ({error.detail})" if error.detail else ""
        return (f"Your API key for {shown!r} is not on this computer, which has no usable "
                f"keyring{why}: set {ENV_API_KEY} for the process that runs the export, "
                "start a Secret Service for this session (see the README), or choose the "
                "unencrypted key file in the connection's set-up.")
    except SecretsError as error:
        return f"sgtui could not read your API key for {shown!r}: {error.sentence}"
    return (f"Your keyring holds no API key for {shown!r}: enter it again in the "
            f"connection's set-up, or set {ENV_API_KEY}.")


def _shown(connection: ConnectionConfig) -> str:
    return connection.display_name or connection.name


@dataclass(frozen=True, slots=True)
class LocalPlan:
    """An export that can run, as the run's first step found it (no network yet)."""

    export: ExportConfig
    key: ApiKey
    """The API key the run uses."""
    key_column: str
    """The customer data's profile key column (rejected rows name profiles by it)."""
    profiles_expected: int
    """Profiles the segments hold (before de-duplication)."""
    cap: int
    """The most profiles this run may send."""

    @property
    def mirror(self) -> bool:
        """Mirror mode: the run also removes people who left the segments."""
        return self.export.mode is SyncMode.MIRROR

    def over_cap_while_reading(self) -> str:
        """The sentence when reading finds more contacts than :attr:`cap`."""
        return over_cap_while_reading(self.cap)


def plan_locally(workspace: Workspace, export_name: str, secrets: SecretStore, *,
                 key: ApiKey | None = None, cap: int | None = None) -> LocalPlan:
    """Check that ``export_name`` can run, against its settings, the customer data and the
    workspace's limit (``cap`` overrides it); raises :class:`PlanProblem`. Blocking."""
    from sgtui.source import open_source

    problems = plan_export(workspace, export_name, secrets, key_given=key is not None)
    if problems:
        raise PlanProblem(problems)
    export = workspace.exports[export_name]
    key = key or resolve_key(workspace, export.connection or "", secrets)
    if key is None:  # plan_export said there would be one; the keyring changed since
        raise PlanProblem(["The API key is no longer available; enter it again."])
    source = open_source(workspace)
    try:
        columns = {column.name for column in source.columns()}
        segments = {segment.id for segment in source.segments()}
        problems = [str(problem) for problem in export_problems(
            workspace, export_name, columns=columns, segments=segments)]
        if problems:
            raise PlanProblem(problems)
        key_column = source.key_column
        expected = source.totals(list(export.segments), None).profiles
    finally:
        source.close()
    cap = cap or max_profiles_per_export(workspace)
    if expected > cap:
        raise PlanProblem([over_cap(expected, cap)], profiles=expected)
    return LocalPlan(export, key, key_column, expected, cap)
