"""People without a key on this computer: `sgtui check` warns, a run says why once, and a dry
run that cannot start leaves no trace in History."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import keyring
import pytest
from keyring.backends import fail

from sgtui.cli import main
from sgtui.workspace.model import Schedule
from sgtui.workspace.secrets import account_name
from sgtui.workspace.state import StateStore

from .conftest import KEY, Setup


@pytest.fixture
def no_keyring() -> None:
    """This computer has no usable keyring at all (cron, a container, SSH without D-Bus)."""
    keyring.set_keyring(fail.Keyring())  # the autouse fixture puts the in-memory one back


def forget_key(setup: Setup) -> None:
    setup.secrets.delete(account_name(setup.workspace.id, "sandbox"))


def not_an_export_user(setup: Setup) -> None:
    workspace = setup.workspace
    workspace.put_connection(replace(workspace.connections["sandbox"],
                                     export_users=("alice",)))
    workspace.save()


def sgtui(setup: Setup, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command line on the workspace; its exit code and stdout + stderr."""
    code = main([*argv, "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def runs(setup: Setup) -> list[int]:
    if not setup.workspace.state_path.exists():
        return []
    return [run.run_id for run in StateStore(setup.workspace.state_path).list_runs("news")]


ZERO_COUNTS = re.compile(r"(?<![\d,])0 (profiles|sent)")
"""A count of nothing, said of a run that never counted (not "the limit of 100 profiles")."""
NO_KEYRING = "is not on this computer, which has no usable keyring"
NO_KEY_IN_KEYRING = "Your keyring holds no API key for 'Sandbox SendGrid'"
NOT_EXPORT_USER = "is not an export user of 'Sandbox SendGrid'"


# ------------------------------------------------------------------------ sgtui check
def test_check_warns_about_an_export_without_a_key_here_and_exits_0(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None) -> None:
    code, said = sgtui(setup, capsys, "check")
    assert code == 0 and "OK" in said
    assert f"warning: news cannot run here: Your API key for 'Sandbox SendGrid' {NO_KEYRING}" \
        in said
    assert "set SGTUI_API_KEY for the process that runs the export" in said


def test_check_warns_when_the_keyring_has_no_key_for_the_connection(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    forget_key(setup)
    code, said = sgtui(setup, capsys, "check")
    assert code == 0
    assert f"warning: news cannot run here: {NO_KEY_IN_KEYRING}" in said


def test_check_warns_someone_who_is_not_an_export_user_and_names_who_is(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    not_an_export_user(setup)
    code, said = sgtui(setup, capsys, "check")
    assert code == 0
    assert NOT_EXPORT_USER in said
    assert "or with an export user (alice); or set SGTUI_API_KEY" in said


def test_check_says_nothing_when_the_key_is_here(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = sgtui(setup, capsys, "check")
    assert code == 0 and "warning" not in said
    assert KEY not in said


def test_check_takes_the_key_from_the_environment_without_showing_it(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SGTUI_API_KEY", KEY)
    code, said = sgtui(setup, capsys, "check")
    assert code == 0 and "warning" not in said
    assert KEY not in said and KEY[3:20] not in said


def test_check_says_a_shared_reason_once_for_every_export_it_stops(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None) -> None:
    workspace = setup.workspace
    workspace.put_export(replace(workspace.exports["news"], name="vip",
                                 schedule=Schedule.MANUAL))
    workspace.save()
    code, said = sgtui(setup, capsys, "check")
    assert code == 0
    assert said.count(NO_KEYRING) == 1
    assert "warning: news, vip cannot run here:" in said


def test_check_errors_still_exit_2_and_the_warnings_come_too(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    forget_key(setup)
    setup.change_export(segments=("no-such-segment",))
    code, said = sgtui(setup, capsys, "check")
    assert code == 2
    assert "the segment 'no-such-segment' does not exist" in said
    assert f"warning: news cannot run here: {NO_KEY_IN_KEYRING}" in said


# -------------------------------------------------------------- a run says it once
@pytest.mark.parametrize("argv", [("run", "news"), ("run", "news", "--dry-run"), ("refresh",)],
                         ids=["run", "dry-run", "refresh"])
def test_a_run_without_a_keyring_says_so_once(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None,
        argv: tuple[str, ...]) -> None:
    code, said = sgtui(setup, capsys, *argv)
    assert code == 1
    assert said.count(NO_KEYRING) == 1
    assert said.count("SGTUI_API_KEY") == 1
    assert not ZERO_COUNTS.search(said)
    assert setup.put_count() == 0


@pytest.mark.parametrize(("make_it_so", "sentence"), [
    (forget_key, NO_KEY_IN_KEYRING), (not_an_export_user, NOT_EXPORT_USER)],
    ids=["no-key-in-keyring", "not-an-export-user"])
def test_a_run_without_a_key_for_its_connection_says_so_once(
        setup: Setup, capsys: pytest.CaptureFixture[str], make_it_so, sentence: str) -> None:
    make_it_so(setup)
    for argv in (("run", "news"), ("refresh",)):
        code, said = sgtui(setup, capsys, *argv)
        assert code == 1
        assert said.count(sentence) == 1, said


def test_the_json_summary_holds_the_sentence_and_nothing_else_is_printed_to_stdout(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None) -> None:
    code = main(["run", "news", "--json", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert code == 1
    summary = json.loads(out)
    assert NO_KEYRING in summary["sentence"] and NO_KEYRING not in err


# -------------------------------------------------------- what a stopped run leaves
def test_a_dry_run_that_cannot_start_takes_no_run_number(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None) -> None:
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    assert code == 1
    assert "news (dry run, not recorded): failed" in said
    assert runs(setup) == []
    assert not any(setup.workspace.runs_folder.glob("*.csv"))


def test_the_next_run_after_a_dry_run_that_could_not_start_is_run_1(
        setup: Setup, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    forget_key(setup)
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    assert code == 1 and NO_KEY_IN_KEYRING in said
    assert runs(setup) == []
    monkeypatch.setenv("SGTUI_API_KEY", KEY)
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    assert code == 0 and "Run 1 of news (dry run): succeeded" in said
    assert runs(setup) == [1]
    assert KEY not in said


def test_a_dry_run_over_the_limit_says_the_real_count_and_is_not_recorded(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.workspace.document["limits"] = {"max_profiles_per_export": 100}
    setup.workspace.save()
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    profiles = setup.profiles_in_segments()
    assert code == 1 and profiles > 100
    assert f"dry run of news: {profiles:,} profiles in the segments" in said
    assert "news (dry run, not recorded): failed" in said
    assert not ZERO_COUNTS.search(said)
    assert runs(setup) == []


def test_a_real_run_that_cannot_start_is_kept_in_history_with_why(
        setup: Setup, capsys: pytest.CaptureFixture[str], no_keyring: None) -> None:
    code, said = sgtui(setup, capsys, "run", "news")
    assert code == 1
    assert "Run 1 of news: failed" in said
    assert "profiles in the segments" not in said  # it stopped before counting them
    last = StateStore(setup.workspace.state_path).last_run("news")
    assert last is not None and last.run_id == 1 and not last.dry_run
    assert last.status.value == "failed" and NO_KEYRING in last.sentence


def test_a_dry_run_whose_key_sendgrid_refuses_takes_no_run_number_and_a_real_one_does(
        setup: Setup, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    forget_key(setup)
    refused = "SG." + "z" * 22 + "." + "y" * 43
    monkeypatch.setenv("SGTUI_API_KEY", refused)
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    assert code == 1 and "news (dry run, not recorded): failed" in said
    assert "Checking the export failed." in said
    assert runs(setup) == []
    code, said = sgtui(setup, capsys, "run", "news")
    assert code == 1 and "Run 1 of news: failed" in said
    assert runs(setup) == [1]
    assert refused not in said


def test_a_dry_run_that_gets_past_its_plan_is_recorded_with_its_counts(
        setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = sgtui(setup, capsys, "run", "news", "--dry-run")
    profiles = setup.profiles_in_segments()
    assert code == 0
    assert f"dry run of news: {profiles:,} profiles in the segments" in said
    assert "Run 1 of news (dry run): succeeded" in said
    last = StateStore(setup.workspace.state_path).last_run("news")
    assert last is not None and last.run_id == 1 and last.dry_run
    assert last.profiles == profiles
    assert setup.put_count() == 0


@pytest.mark.parametrize("plan_done", [False, True], ids=["plan-failed", "plan-done"])
def test_the_terminal_progress_shows_no_empty_bars_for_a_run_its_plan_stopped(
        plan_done: bool) -> None:
    """On a terminal (Rich): a run stopped while checking shows one line, not three
    bars at 0/? nor the sentence its summary says."""
    import io
    from datetime import UTC, datetime

    from sgtui.commands.run import _RichRenderer
    from sgtui.export.events import RunStarted, Stage, StageChanged, StageState

    renderer = _RichRenderer()
    renderer.console.file = screen = io.StringIO()
    with renderer:
        renderer(RunStarted(0, "news", datetime.now(UTC), True, None))
        renderer(StageChanged(Stage.PLAN, StageState.RUNNING))
        renderer(StageChanged(Stage.PLAN, StageState.DONE) if plan_done else
                 StageChanged(Stage.PLAN, StageState.FAILED, "There is no key here."))
    shown = screen.getvalue()
    assert ("Reading segments" in shown) is plan_done
    assert ("Checking the export: failed" in shown) is not plan_done
    assert "There is no key here." not in shown


def test_check_asks_the_keyring_once_per_connection(
        setup: Setup, capsys: pytest.CaptureFixture[str], memory_keyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyring over D-Bus is slow to answer: many exports on one connection cost one
    question, however many of them there are."""
    workspace = setup.workspace
    for name in ("vip", "spring", "autumn"):
        workspace.put_export(replace(workspace.exports["news"], name=name))
    workspace.save()
    forget_key(setup)
    asked: list[str] = []
    answer = memory_keyring.get_password
    monkeypatch.setattr(memory_keyring, "get_password",
                        lambda service, user: asked.append(user) or answer(service, user))
    code, said = sgtui(setup, capsys, "check")
    assert code == 0
    assert "warning: autumn, news, spring, vip cannot run here:" in said
    assert asked == [account_name(workspace.id, "sandbox")]
