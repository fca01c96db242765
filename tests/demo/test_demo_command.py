"""`sgtui demo` on a machine without a keyring: data, a sandbox with lists, the key to paste."""

from __future__ import annotations

import argparse
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest

from sgtui.commands import demo
from sgtui.tui.app import SgtuiApp
from sgtui.workspace.secrets import MemorySecrets


@pytest.fixture
def no_keyring() -> None:
    """Like a server over SSH: every keyring call fails."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


def test_demo_starts_a_sandbox_with_lists_and_shows_its_key(
    tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    seen: dict[str, object] = {}

    def run(app: SgtuiApp) -> None:  # stands in for the terminal session
        info = app.demo
        answer = httpx.get(f"{info.sandbox_url}/v3/marketing/lists",
                           headers={"Authorization": f"Bearer {info.api_key}"})
        seen.update(app=app, lists=sorted(item["name"] for item in answer.json()["result"]))
        seen["profiles"] = app.workspace.source_path.exists()

    monkeypatch.setattr(SgtuiApp, "run", run)
    args = argparse.Namespace(profiles=300, seed=7, workspace=tmp_path / "ws")
    assert demo.main(args) == 0

    app = seen["app"]
    assert isinstance(app.secrets, MemorySecrets)
    assert app.demo.sandbox_url.startswith("http://127.0.0.1:")
    assert seen["lists"] == sorted(demo.DEMO_LISTS)
    assert seen["profiles"] is True
    out = capsys.readouterr().out
    assert app.demo.api_key in out and "memory" in out
    assert f"sgtui demo --workspace {tmp_path / 'ws'}" in out
    assert (f"  SGTUI_API_KEY={app.demo.api_key} sgtui run NAME --workspace {tmp_path / 'ws'}"
            in out.splitlines())


def test_demo_help_names_its_own_default_workspace(capsys) -> None:
    from sgtui.cli import main

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "default: a new temporary folder" in out and "SGTUI_WORKSPACE" not in out


def test_a_second_demo_points_old_connections_at_the_new_sandbox(tmp_path: Path) -> None:
    from sgtui.workspace.config import now_utc
    from sgtui.workspace.model import ConnectionConfig, Consent

    with demo.demo_session(tmp_path / "ws", profiles=100, seed=1, job_delay=0) as first:
        first.workspace.put_connection(ConnectionConfig(
            name="demo", display_name="Demo", base_url=first.info.sandbox_url,
            consent=Consent("alice", now_utc()),
        ))
        first.workspace.save()
        old_url = first.info.sandbox_url
    with demo.demo_session(tmp_path / "ws", profiles=100, seed=1, job_delay=0) as second:
        url = second.workspace.connections["demo"].base_url
        assert url == second.info.sandbox_url != old_url


def test_a_demo_that_cannot_save_its_workspace_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.model import ConnectionConfig
    from tests.workspace_helpers import fill_the_disk

    workspace = demo.prepare_demo_workspace(tmp_path / "ws", profiles=100, seed=1)
    workspace.put_connection(ConnectionConfig(name="demo", display_name="Demo",
                                              base_url="http://127.0.0.1:9"))
    workspace.save()
    before = workspace.path.read_text()
    fill_the_disk(monkeypatch)
    monkeypatch.setattr(SgtuiApp, "run", lambda app: pytest.fail("the app must not start"))
    args = argparse.Namespace(profiles=100, seed=1, workspace=tmp_path / "ws")
    assert demo.main(args) == 2
    assert ("sgtui.toml could not be written (No space left on device)"
            in capsys.readouterr().err)
    assert Workspace.open(tmp_path / "ws").path.read_text() == before
