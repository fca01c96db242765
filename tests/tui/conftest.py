"""Fixtures for the run panel and history tests: UTC times, a small workspace and an app."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sgtui.commands.demo import prepare_demo_workspace
from sgtui.tui.app import SgtuiApp, make_app
from sgtui.workspace.config import Workspace
from sgtui.workspace.secrets import MemorySecrets


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Times show in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)  # a relative folder keeps snapshots free of tmp paths
    return prepare_demo_workspace(Path("ws"), profiles=200, seed=3, user="alice")


@pytest.fixture
def app(workspace: Workspace) -> SgtuiApp:
    return make_app(workspace, secrets=MemorySecrets())
