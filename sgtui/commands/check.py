"""``sgtui check``: validate the workspace against its customer data; exit 0 or explain.

Problems with the workspace are errors (exit 2). Exports that this user cannot run here
(no API key on this computer, not an export user, no consent yet) are warnings: the
workspace is fine, and someone else, or a scheduled job with ``SGTUI_API_KEY``, can run them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sgtui.cli import EXIT_OK, EXIT_USAGE
from sgtui.source import SourceError, open_source
from sgtui.workspace.config import Workspace, WorkspaceError, default_workspace_folder
from sgtui.workspace.secrets import SecretsError
from sgtui.workspace.state import StateDamaged, state_damage
from sgtui.workspace.validation import validate

if TYPE_CHECKING:
    from sgtui.source.base import CustomerSource
    from sgtui.workspace.secrets import ApiKey, SecretStore


def main(args: argparse.Namespace) -> int:
    """Print a short summary (exit 0) or every problem in a sentence (exit 2), and a
    warning for each export this user cannot run here (no key, not an export user, ...),
    which does not change the exit status."""
    folder: Path = getattr(args, "workspace", None) or default_workspace_folder()
    try:
        workspace = Workspace.open(folder, create=False)
    except WorkspaceError as error:
        print(f"sgtui check: {error.sentence}", file=sys.stderr)
        return EXIT_USAGE
    source = None
    source_problem = None
    try:
        source = open_source(workspace)
    except SourceError as error:
        source_problem = error.sentence
    try:
        problems = validate(workspace, source)
        summary = _summary(workspace, source) if source is not None else ""
    except SourceError as error:  # e.g. the database connection dropped mid-check
        problems = validate(workspace, None)
        source_problem, summary = error.sentence, ""
    finally:
        if source is not None:
            source.close()
    sentences = [str(problem) for problem in problems]
    if source_problem and not any(p.key.startswith("source") for p in problems):
        sentences.append(f"source: {source_problem}")
    damage = state_damage(workspace.state_path)
    if damage is not None:
        sentences.append(f"state: {StateDamaged(workspace.state_path, damage).sentence}")
    warnings = cannot_run_here(workspace)
    if sentences:
        print(f"sgtui check: {workspace.path} has {len(sentences)} "
              f"problem{'s' if len(sentences) != 1 else ''}:", file=sys.stderr)
        for sentence in sentences:
            print(f"  - {sentence}", file=sys.stderr)
        _warn(warnings)
        return EXIT_USAGE
    print(f"{workspace.path}: OK")
    print(summary)
    _warn(warnings)
    return EXIT_OK


def cannot_run_here(workspace: Workspace) -> list[str]:
    """One warning per reason an export cannot run in this process, as this user (the
    judge ``sgtui run`` asks: :func:`~sgtui.export.plan.run_here_problems`); exports that
    stop for the same reason share a line. Never the key itself."""
    if not workspace.exports:
        return []
    from sgtui.export.plan import run_here_problems
    from sgtui.workspace.secrets import KeyringSecrets

    secrets = _AskedOnce(KeyringSecrets())
    stopped: dict[str, list[str]] = {}
    for name, export in sorted(workspace.exports.items()):
        for sentence in run_here_problems(workspace, export, secrets):
            stopped.setdefault(sentence, []).append(name)
    return [f"{', '.join(names)} cannot run here: {sentence}"
            for sentence, names in stopped.items()]


class _AskedOnce:
    """A key store read-only and asked once per account (a keyring over D-Bus takes a
    while to answer, and many exports share one connection)."""

    def __init__(self, store: SecretStore) -> None:
        self.store = store
        self.answers: dict[str, ApiKey | SecretsError | None] = {}

    def get(self, account: str) -> ApiKey | None:
        if account not in self.answers:
            try:
                self.answers[account] = self.store.get(account)
            except SecretsError as error:
                self.answers[account] = error
        answer = self.answers[account]
        if isinstance(answer, SecretsError):
            raise answer
        return answer

    def set(self, account: str, key: ApiKey) -> None:
        raise NotImplementedError("sgtui check never stores a key")

    def delete(self, account: str) -> None:
        raise NotImplementedError("sgtui check never forgets a key")


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _summary(workspace: Workspace, source: CustomerSource) -> str:
    segments = source.segments()
    engine = getattr(source, "label", None)  # the sql source says which engine it reached
    kind = f"{workspace.source.type} ({engine})" if engine else workspace.source.type
    lines = [
        f"  you: {workspace.user} ({workspace.role.label})",
        f"  customer data: {kind}, {len(segments)} segments",
        f"  connections: {len(workspace.connections)}",
        f"  exports: {len(workspace.exports)} "
        f"({sum(1 for e in workspace.exports.values() if e.schedule == 'refresh')} scheduled)",
    ]
    return "\n".join(lines)
