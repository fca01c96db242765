"""In a group-shared workspace anyone in the group can plant a link where sgtui will write.

Before, the next run wrote through it: the target (any file the running user may write)
was overwritten with customer emails, world-readable. Now every file sgtui writes is made
fresh and renamed into place, opened without following links, or refused with a sentence;
the link's target is never touched.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.workspace.secrets import ApiKey, KeyFileSecrets

from .conftest import Setup

PRECIOUS = "the victim's own file\n"


@pytest.fixture
def shared(setup: Setup) -> Setup:
    """The workspace shared with a group the way the README says (chmod 2770)."""
    os.chmod(setup.workspace.folder, 0o2770)
    return setup


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / "notes.txt"
    path.parent.mkdir()
    path.write_text(PRECIOUS)
    os.chmod(path, 0o644)
    return path


def untouched(victim: Path) -> bool:
    return victim.read_text() == PRECIOUS and stat.S_IMODE(victim.stat().st_mode) == 0o644


def plain_and_private(path: Path) -> bool:
    info = path.lstat()
    return stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o660


def run_news(setup: Setup, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["run", "news", "--workspace", str(setup.workspace.folder)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def runs(setup: Setup) -> Path:
    return setup.workspace.runs_folder


def test_a_planted_run_log_link_never_receives_the_log(
        shared: Setup, victim: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (runs(shared) / "sgtui.log").symlink_to(victim)
    code, said = run_news(shared, capsys)
    assert code in (0, 1), said
    assert untouched(victim)
    log = runs(shared) / "sgtui.log"
    assert plain_and_private(log) and log.read_text()


def test_a_planted_rejected_rows_link_never_receives_customer_emails(
        shared: Setup, victim: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planted = runs(shared) / "run-1-news-rejected.csv"
    planted.symlink_to(victim)
    code, said = run_news(shared, capsys)
    assert code in (0, 1), said
    assert untouched(victim)
    own = runs(shared) / "run-2-news-rejected.csv"  # run numbers go past the planted name
    assert plain_and_private(own)
    assert "@" in own.read_text()  # the rejected rows went to sgtui's own file


def test_a_link_planted_at_the_rejected_rows_name_is_replaced_not_followed(
        shared: Setup, victim: Path) -> None:
    from sgtui.export.events import RejectedRow
    from sgtui.export.rejected import RejectedCsv

    planted = runs(shared) / "run-7-news-rejected.csv"
    planted.symlink_to(victim)
    csv = RejectedCsv(planted)
    csv.write([RejectedRow("k1", "someone@example.com", "no")], by_sendgrid=False)
    csv.close()
    assert untouched(victim)
    assert plain_and_private(planted) and "someone@example.com" in planted.read_text()


def test_a_world_readable_log_someone_left_is_replaced_not_appended_to(
        shared: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    log = runs(shared) / "sgtui.log"
    log.write_text("planted\n")
    os.chmod(log, 0o666)
    run_news(shared, capsys)
    assert plain_and_private(log) and "planted" not in log.read_text()


def test_a_planted_fifo_does_not_hang_the_run(
        shared: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(runs(shared) / "sgtui.log")
    finished = threading.Event()
    outcome: list[int] = []

    def run() -> None:
        outcome.append(main(["run", "news", "--workspace", str(shared.workspace.folder)]))
        finished.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    if not finished.wait(60):
        os.unlink(runs(shared) / "sgtui.log")  # lets a blocked open() fail, ending the thread
        pytest.fail("the run hung opening a FIFO planted as its log")
    assert outcome[0] in (0, 1)
    assert plain_and_private(runs(shared) / "sgtui.log")


def test_planted_lock_and_state_journal_links_are_not_followed(
        shared: Setup, victim: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (runs(shared) / "export-news.lock").symlink_to(victim)
    folder = shared.workspace.folder
    (folder / "state.db-wal").unlink(missing_ok=True)
    (folder / "state.db-wal").symlink_to(victim)
    code, said = run_news(shared, capsys)
    assert code in (0, 1), said
    assert untouched(victim)
    assert shared.list_emails() == shared.expected()


def test_a_state_database_that_is_a_link_is_refused_with_a_sentence(
        shared: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "victim.db"
    elsewhere.write_bytes(b"")
    state = shared.workspace.folder / "state.db"
    state.unlink(missing_ok=True)
    state.symlink_to(elsewhere)
    code, said = run_news(shared, capsys)
    assert code != 0
    assert f"{state} is a symbolic link, and sgtui never writes through a link" in said
    assert elsewhere.read_bytes() == b""
    assert shared.put_count() == 0


def test_a_planted_runs_folder_link_is_replaced_by_a_folder(
        shared: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (shared.workspace.folder / "runs").symlink_to(elsewhere, target_is_directory=True)
    code, said = run_news(shared, capsys)
    assert code in (0, 1), said
    assert list(elsewhere.iterdir()) == []
    folder = shared.workspace.folder / "runs"
    assert folder.is_dir() and not folder.is_symlink() and any(folder.iterdir())


def test_planted_config_and_last_refresh_links_are_replaced(
        shared: Setup, victim: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = shared.workspace
    toml_text = workspace.path.read_text()
    (runs(shared) / "last-refresh.json").symlink_to(victim)
    assert main(["refresh", "--json", "--workspace", str(workspace.folder)]) in (0, 1)
    capsys.readouterr()
    assert untouched(victim)
    assert json.loads((runs(shared) / "last-refresh.json").read_text())["exports"]
    assert plain_and_private(runs(shared) / "last-refresh.json")
    # sgtui.toml: saving replaces a link with the file, whose target stays as it was.
    real = workspace.folder / "real.toml"
    real.write_text(toml_text)
    workspace.path.unlink()
    workspace.path.symlink_to(real)
    workspace.reload()
    workspace.save()
    assert real.read_text() == toml_text
    assert plain_and_private(workspace.path)


def test_a_planted_customer_database_link_is_refused_by_import(
        shared: Setup, victim: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = shared.workspace
    csv = tmp_path / "people.csv"
    csv.write_text("customer_id,email\nc1,ana@example.com\n")
    workspace.source_path.unlink()
    workspace.source_path.symlink_to(victim)
    assert main(["import", str(csv), "--workspace", str(workspace.folder)]) == 2
    err = capsys.readouterr().err
    assert "is a symbolic link, and sgtui never writes through a link" in err
    assert "Nothing was imported." in err
    assert untouched(victim)


def test_a_planted_import_journal_link_is_not_followed(
        shared: Setup, victim: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = shared.workspace
    csv = tmp_path / "people.csv"
    csv.write_text("customer_id,email\nc1,ana@example.com\n")
    Path(f"{workspace.source_path}-journal").symlink_to(victim)
    assert main(["import", str(csv), "--workspace", str(workspace.folder)]) == 0
    capsys.readouterr()
    assert untouched(victim)


def test_a_planted_key_file_link_never_receives_the_key(victim: Path, tmp_path: Path) -> None:
    path = tmp_path / "keys.unencrypted"
    path.symlink_to(victim)
    KeyFileSecrets(path).set("ws/marketing", ApiKey("SG.secret-part.more-secret"))
    assert untouched(victim)
    assert not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_planted_log_link_never_receives_alert_lines(shared: Setup, victim: Path) -> None:
    from sgtui.notify.logbook import log_line

    (runs(shared) / "sgtui.log").symlink_to(victim)
    log_line(shared.workspace, "WARNING", "alert to ops@example.com failed")
    assert untouched(victim)
    log = runs(shared) / "sgtui.log"
    assert plain_and_private(log) and "alert to ops@example.com failed" in log.read_text()
