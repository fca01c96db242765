"""Fixtures for the demo journey: demo data, a real sandbox on loopback, a fresh keyring."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.sandbox import SandboxServer
from sgtui.workspace.config import Workspace

DEMO_KEY = "SG." + "d" * 22 + "." + "e" * 43
VALID = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    from sgtui.sandbox import FULL_ACCESS_SCOPES

    with SandboxServer(api_keys={DEMO_KEY: FULL_ACCESS_SCOPES}, job_delay=0.0, seed=5) as server:
        for name in ("Newsletter", "Spring promo", "VIP customers"):
            server.create_list(name)
        yield server


@pytest.fixture
def demo_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)
    return prepare_demo_workspace(Path("ws"), profiles=1_500, seed=11, user="alice")


def expected_emails(database: Path, segments: list[str]) -> set[str]:
    """Computed apart from sgtui: unique lower-cased trimmed valid emails of ``segments``."""
    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(segments))
        rows = db.execute(
            f"SELECT p.email FROM profiles p JOIN segment_members m "
            f"ON m.profile_id = p.customer_id WHERE m.segment_id IN ({marks})", segments,
        ).fetchall()
    emails = {(email or "").strip().lower() for (email,) in rows}
    return {email for email in emails if VALID.fullmatch(email)}
