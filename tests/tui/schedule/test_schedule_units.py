"""The crontab line and systemd units run ``sgtui refresh`` on this workspace, quoted right,
and never hold the API key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sgtui.export.schedule_units import (
    LastRefreshUnreadable,
    RefreshCommand,
    crontab_line,
    load_last_refresh,
    refresh_command,
    service_unit,
    sgtui_program,
    systemd_commands,
    systemd_quote,
    timer_unit,
)

from .conftest import KEY

SPACED = RefreshCommand(("/opt/my tools/sgtui",), Path("/srv/team data/marketing"))

FAKE_SGTUI = """#!/bin/sh
# Stands in for sgtui: records its arguments and whether the key reached it.
for word in "$@"; do printf '%s\\n' "$word"; done > "$(dirname "$0")/argv.txt"
if [ -n "$SGTUI_API_KEY" ]; then echo "key present"; else echo "no key"; fi
echo "a problem" >&2
"""


def run_crontab_command(line: str, home: Path) -> None:
    """Run a crontab line's command the way cron does: ``%`` unescaped, through /bin/sh."""
    command = line.split(" ", 5)[5].replace("\\%", "%")
    environment = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}
    subprocess.run(["/bin/sh", "-c", command], env=environment, check=True, timeout=10)


def test_the_crontab_line_runs_refresh_hourly_on_the_absolute_workspace() -> None:
    command = RefreshCommand(("/usr/local/bin/sgtui",), Path("/srv/sgtui/marketing"))
    assert crontab_line(command) == (
        "17 * * * * set -a; [ -r ~/.config/sgtui/env ] && . ~/.config/sgtui/env; set +a; "
        "/usr/local/bin/sgtui refresh --workspace /srv/sgtui/marketing "
        ">> /srv/sgtui/marketing/runs/refresh.log 2>&1"
    )
    assert crontab_line(command, "*/15 * * * *").startswith("*/15 * * * * set -a;")


def test_paths_with_spaces_and_percent_signs_are_quoted_for_sh_and_cron() -> None:
    command = RefreshCommand(("/opt/my tools/sgtui",), Path("/srv/50% off/ws"))
    line = crontab_line(command)
    assert "'/opt/my tools/sgtui' refresh --workspace '/srv/50\\% off/ws'" in line
    assert ">> '/srv/50\\% off/ws/runs/refresh.log' 2>&1" in line
    assert "%" not in line.replace("\\%", "")
    assert "--json" not in line


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs /bin/sh")
def test_the_crontab_command_reads_the_key_file_and_appends_to_the_log(tmp_path: Path) -> None:
    tools = tmp_path / "my tools"
    tools.mkdir()
    program = tools / "sgtui"
    program.write_text(FAKE_SGTUI)
    program.chmod(0o755)
    workspace = tmp_path / "50% off" / "ws"
    (workspace / "runs").mkdir(parents=True)
    home = tmp_path / "home"
    line = crontab_line(RefreshCommand((str(program),), workspace))

    run_crontab_command(line, home)  # no key file yet: it still runs, without a key
    env_file = home / ".config" / "sgtui" / "env"
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"SGTUI_API_KEY={KEY}\n")
    env_file.chmod(0o600)
    run_crontab_command(line, home)

    assert (tools / "argv.txt").read_text().splitlines() == [
        "refresh", "--workspace", str(workspace)]
    log = (workspace / "runs" / "refresh.log").read_text()
    assert log.splitlines() == ["no key", "a problem", "key present", "a problem"]


def test_the_service_runs_the_same_command_as_a_oneshot_user_unit() -> None:
    service = service_unit(SPACED)
    lines = service.splitlines()
    assert lines[0] == "# ~/.config/systemd/user/sgtui-refresh.service"
    assert "Type=oneshot" in lines
    assert "WorkingDirectory=/srv/team data/marketing" in lines
    assert "EnvironmentFile=-%h/.config/sgtui/env" in lines
    assert ('ExecStart="/opt/my tools/sgtui" refresh --workspace "/srv/team data/marketing"'
            in lines)


def test_systemd_quoting_escapes_specifiers_variables_and_quotes() -> None:
    assert systemd_quote("/usr/bin/sgtui") == "/usr/bin/sgtui"
    assert systemd_quote("/srv/50% off") == '"/srv/50%% off"'
    assert systemd_quote("/srv/$HOME") == "/srv/$$HOME"
    assert systemd_quote('/srv/say "hi"') == '"/srv/say \\"hi\\""'


def test_the_timer_runs_hourly_and_catches_up_missed_runs() -> None:
    timer = timer_unit().splitlines()
    assert timer[0] == "# ~/.config/systemd/user/sgtui-refresh.timer"
    assert {"OnCalendar=hourly", "Persistent=true", "WantedBy=timers.target"} <= set(timer)
    assert "OnCalendar=*:0/15" in timer_unit("*:0/15")
    commands = systemd_commands()
    assert "systemctl --user enable --now sgtui-refresh.timer" in commands
    assert "loginctl enable-linger" in commands


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    tools = tmp_path / "my tools"
    tools.mkdir()
    program = tools / "sgtui"
    program.write_text(FAKE_SGTUI)
    program.chmod(0o755)
    workspace = tmp_path / "50% off"
    workspace.mkdir()
    units = tmp_path / "units"
    units.mkdir()
    (units / "sgtui-refresh.service").write_text(
        service_unit(RefreshCommand((str(program),), workspace)))
    (units / "sgtui-refresh.timer").write_text(timer_unit())
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--user", str(units / "sgtui-refresh.service"),
         str(units / "sgtui-refresh.timer")],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, capture_output=True, text=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr


def test_no_text_holds_the_key_even_when_it_is_in_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SGTUI_API_KEY", KEY)
    command = refresh_command(tmp_path)
    for text in (crontab_line(command), service_unit(command), timer_unit(),
                 systemd_commands()):
        assert KEY not in text
        assert "SG.aaaa" not in text


def test_the_program_is_the_running_sgtui_else_the_one_on_the_path_else_python_m(
        tmp_path: Path) -> None:
    installed = tmp_path / "venv bin" / "sgtui"
    installed.parent.mkdir()
    installed.write_text("#!/bin/sh\n")
    assert sgtui_program(str(installed), which=lambda _: None) == (str(installed),)
    main = str(tmp_path / "site-packages" / "sgtui" / "__main__.py")
    assert sgtui_program(main, which=lambda _: "/usr/bin/sgtui", executable="/py") == (
        "/py", "-m", "sgtui")
    assert sgtui_program("/usr/bin/pytest", which=lambda _: "/usr/bin/sgtui") == (
        "/usr/bin/sgtui",)
    assert sgtui_program("/usr/bin/pytest", which=lambda _: None, executable="/py") == (
        "/py", "-m", "sgtui")
    assert sgtui_program("", which=lambda _: None)[0] == sys.executable


def test_the_workspace_folder_is_made_absolute(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    command = refresh_command(Path("ws"), ("/usr/bin/sgtui",))
    assert command.workspace == tmp_path / "ws"
    assert command.argv == ("/usr/bin/sgtui", "refresh", "--workspace", str(tmp_path / "ws"))


def test_the_last_refresh_is_none_until_one_finished_and_a_broken_file_says_so(
        tmp_path: Path) -> None:
    assert load_last_refresh(tmp_path) is None
    (tmp_path / "last-refresh.json").write_text("{not json")
    with pytest.raises(LastRefreshUnreadable) as caught:
        load_last_refresh(tmp_path)
    assert "is not valid JSON; the next refresh writes it again" in caught.value.sentence
