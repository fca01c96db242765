"""Every refresh, however it ends, prints its one JSON object with --json and records its
outcome in runs/last-refresh.json (which the Schedule screen shows): a refresh that could
not read the data is never left looking fine."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sgtui.cli import main
from sgtui.export.locks import FileLock
from sgtui.export.schedule_units import load_last_refresh
from tests.export.conftest import Setup


def refresh_json(setup: Setup, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = main(["refresh", "--json", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = out.splitlines()
    assert len(lines) == 1, out  # one JSON object, nothing else
    return code, json.loads(lines[0]), err


def recorded(setup: Setup) -> dict:
    return json.loads((setup.workspace.runs_folder / "last-refresh.json").read_text())


def test_a_refresh_that_cannot_read_locked_data_is_not_recorded_as_fine(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, outcome, _ = refresh_json(setup, capsys)
    assert code == 0 and recorded(setup)["ok"] is True
    holder = sqlite3.connect(setup.db_path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, outcome, err = refresh_json(setup, capsys)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert outcome["ok"] is False and outcome["failed"] == 1
    assert "is locked by another program" in outcome["sentence"]
    assert outcome["exports"] == [{"export": "news", "status": "failed",
                                   "sentence": outcome["sentence"]}]
    assert recorded(setup) == outcome
    last = load_last_refresh(setup.workspace.runs_folder)
    assert last is not None and not last.ok and "locked" in last.sentence
    assert "is locked by another program" in err


def test_an_overlapping_refresh_prints_and_records_that_it_did_nothing(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    with FileLock(setup.workspace.folder / "refresh.lock"):
        code, outcome, _ = refresh_json(setup, capsys)
    assert code == 1 and outcome["ok"] is False
    assert "still running" in outcome["sentence"] and recorded(setup) == outcome
    assert setup.put_count() == 0


def test_a_refresh_of_an_unusable_workspace_prints_and_records_why(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.workspace.path.write_text("version = [this is not toml\n")
    code, outcome, _ = refresh_json(setup, capsys)
    assert code == 2 and outcome["ok"] is False and outcome["sentence"]
    assert recorded(setup) == outcome


def test_a_refresh_that_breaks_unexpectedly_still_prints_and_records_it(
        setup: Setup, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sgtui.commands.run._run_one", broken)
    code, outcome, _ = refresh_json(setup, capsys)
    assert code == 1 and outcome["ok"] is False
    assert "unexpected problem (ZeroDivisionError)" in outcome["sentence"]
    assert outcome["exports"][0]["status"] == "failed"
    assert recorded(setup) == outcome
