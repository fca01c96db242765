"""Fixtures for the Schedule screen: a small workspace with a scheduled and a manual export."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.export.schedule_units import RefreshCommand
from sgtui.workspace.config import Workspace, now_utc
from sgtui.workspace.model import ConnectionConfig, Consent, ExportConfig, Schedule

KEY = "SG." + "a" * 22 + "." + "b" * 43
SEGMENTS = ("newsletter-optin", "high-value")
MAPPING = {"email": "email", "first_name": "first_name", "last_name": "last_name"}
FIXED_COMMAND = RefreshCommand(("/usr/local/bin/sgtui",), Path("/srv/sgtui/marketing"))
"""What the screen shows in snapshots, the same on every machine."""


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Times show in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def add_exports(workspace: Workspace, base_url: str, list_id: str) -> None:
    """A connection whose export user is the workspace's user, "news" scheduled with the
    refresh and "archive" manual only."""
    workspace.put_connection(ConnectionConfig(
        name="sandbox", display_name="Sandbox SendGrid", base_url=base_url,
        export_users=(workspace.user,), consent=Consent(workspace.user, now_utc()),
    ))
    workspace.put_export(ExportConfig(name="news", connection="sandbox", list_id=list_id,
                                      segments=SEGMENTS, mapping=dict(MAPPING)))
    workspace.put_export(ExportConfig(name="archive", connection="sandbox", list_id=list_id,
                                      segments=SEGMENTS[:1], mapping=dict(MAPPING),
                                      schedule=Schedule.MANUAL))
    workspace.save()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace with 200 demo profiles (opened as the OS user, like ``sgtui refresh``)."""
    return prepare_demo_workspace(tmp_path / "my workspace", profiles=200, seed=3)
