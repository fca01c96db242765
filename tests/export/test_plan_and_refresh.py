"""Runs that cannot start say why in a sentence; refresh runs the scheduled exports once."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sgtui.cli import main
from sgtui.export.engine import RunOptions, plan_export, resolve_key
from sgtui.export.events import RunStatus
from sgtui.export.locks import FileLock
from sgtui.workspace.model import Schedule
from sgtui.workspace.secrets import ApiKey, MemorySecrets
from sgtui.workspace.state import StateStore

from .conftest import KEY, Setup, run_news


def test_a_ready_export_has_no_plan_problems(setup: Setup) -> None:
    assert plan_export(setup.workspace, "news", setup.secrets) == []
    assert resolve_key(setup.workspace, "sandbox", setup.secrets) == ApiKey(KEY)


def test_plan_names_every_missing_piece(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = setup.workspace
    workspace.put_connection(replace(workspace.connections["sandbox"], consent=None,
                                     export_users=("someone-else",)))
    problems = plan_export(workspace, "news", MemorySecrets())
    assert any("consent" in sentence for sentence in problems)
    assert any("is not an export user" in sentence and "SGTUI_API_KEY" in sentence
               for sentence in problems)
    monkeypatch.setenv("SGTUI_API_KEY", KEY)
    assert resolve_key(workspace, "sandbox", MemorySecrets()) == ApiKey(KEY)
    assert plan_export(workspace, "missing", MemorySecrets())[0].startswith(
        "There is no export called 'missing'")


async def test_a_plan_problem_fails_the_run_with_a_sentence_and_is_kept(setup: Setup) -> None:
    workspace = setup.workspace
    workspace.put_connection(replace(workspace.connections["sandbox"], consent=None))
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.FAILED and "consent" in summary.sentence
    assert setup.put_count() == 0
    assert StateStore(workspace.state_path).last_run("news").status is RunStatus.FAILED


async def test_hard_cap_stops_before_anything_is_sent(setup: Setup) -> None:
    summary, _ = await run_news(setup, RunOptions(hard_cap=100))
    assert summary.status is RunStatus.FAILED and "limit of 100" in summary.sentence
    assert setup.put_count() == 0


async def test_unknown_list_fails_with_a_sentence(setup: Setup) -> None:
    setup.change_export(list_id="00000000-0000-4000-8000-000000000000")
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.FAILED
    assert "no contact list" in summary.sentence


def test_refresh_runs_every_scheduled_export(setup: Setup,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    workspace = setup.workspace
    news = workspace.exports["news"]
    other = setup.sandbox.create_list("VIP")
    workspace.put_export(replace(news, name="vip", list_id=other["id"], segments=("vip-europe",)))
    workspace.put_export(replace(news, name="manual", schedule=Schedule.MANUAL))
    workspace.save()

    assert main(["refresh", "--json", "--workspace", str(workspace.folder)]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert [run["export"] for run in outcome["exports"]] == ["news", "vip"]
    assert outcome["ok"] is True
    assert setup.list_emails() == setup.expected()
    saved = json.loads((workspace.runs_folder / "last-refresh.json").read_text())
    assert saved["failed"] == 0


def test_a_second_refresh_does_not_overlap_the_first(setup: Setup,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with FileLock(setup.workspace.folder / "refresh.lock"):
        assert main(["refresh", "--workspace", str(setup.workspace.folder)]) == 1
    assert "Another refresh of this workspace is still running" in capsys.readouterr().err
    assert setup.put_count() == 0


def test_refresh_reports_a_failed_export_and_exits_1(setup: Setup,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    setup.change_export(list_id="00000000-0000-4000-8000-000000000000")
    assert main(["refresh", "--workspace", str(setup.workspace.folder)]) == 1
    out, err = capsys.readouterr()
    assert "sgtui refresh: 1 of 1 exports failed: news." in err
    assert (out + err).count("SendGrid has no contact list") == 1  # in news's summary
    assert "Run 1 of news: failed" in out


def cap_profiles(setup: Setup, cap: object) -> None:
    """Set ``[limits] max_profiles_per_export`` in the workspace's sgtui.toml."""
    setup.workspace.document["limits"] = {"max_profiles_per_export": cap}
    setup.workspace.save()


def test_sgtui_run_refuses_an_export_over_the_workspace_cap(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    cap_profiles(setup, 1_000)
    code = main(["run", "news", "--json", "--workspace", str(setup.workspace.folder)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert summary["status"] == "failed"
    assert "more than the limit of 1,000 profiles per export" in summary["sentence"]
    assert "[limits] max_profiles_per_export" in summary["sentence"]
    assert setup.put_count() == 0
    assert setup.list_emails() == []


def test_sgtui_refresh_obeys_the_cap_too(setup: Setup,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cap_profiles(setup, 1_000)
    assert main(["refresh", "--workspace", str(setup.workspace.folder)]) == 1
    out, err = capsys.readouterr()
    assert "limit of 1,000 profiles per export" in out
    counted = f"run 1 of news: {setup.profiles_in_segments():,} profiles in the segments"
    assert counted in err  # counted before it stopped
    assert setup.put_count() == 0


async def test_every_run_obeys_the_cap_without_being_told(setup: Setup) -> None:
    cap_profiles(setup, 1_000)
    summary, _ = await run_news(setup)  # the options the app runs with: no cap of their own
    assert summary.status is RunStatus.FAILED and "limit of 1,000" in summary.sentence
    assert setup.put_count() == 0
    cap_profiles(setup, 1_000_000)
    summary, _ = await run_news(setup)
    assert summary.status is RunStatus.SUCCEEDED
    assert setup.list_emails() == setup.expected()


def test_sgtui_check_names_a_cap_it_cannot_use(setup: Setup,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cap_profiles(setup, "lots")
    assert main(["check", "--workspace", str(setup.workspace.folder)]) == 2
    assert ("limits.max_profiles_per_export: 'lots' is not a number of profiles"
            in capsys.readouterr().err)
