"""A damaged state database (empty, cut short, not SQLite, corrupt) never blocks the export:
``sgtui check`` names it, the next run keeps it aside and sends everyone once, the run after
that is a normal delta run, and no run number (nor rejected-rows file) is used twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sgtui.cli import main
from sgtui.export.events import RunStatus, Warned
from sgtui.workspace.state import StateStore
from tests.export.conftest import Setup, run_news


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_sqlite(path: Path) -> None:
    path.write_text("these are not the runs you are looking for\n" * 50)


def _cut_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _corrupt_pages(path: Path) -> None:
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    for start in range(page_size, len(data), page_size):  # every page but the header's
        data[start:start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "empty": _empty, "not sqlite": _not_sqlite, "cut short": _cut_short,
    "corrupt pages": _corrupt_pages,
}


def _close_state(path: Path) -> None:
    """Fold the WAL into the file, as after sgtui exits, so damage lands in the file."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()


@pytest.mark.parametrize("damage", list(DAMAGE))
async def test_a_damaged_state_database_no_longer_blocks_every_run(
        setup: Setup, damage: str, capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = await run_news(setup)
    assert first.status is RunStatus.SUCCEEDED and first.rejected_csv
    old_csv = Path(first.rejected_csv)
    old_rows = old_csv.read_bytes()
    state = setup.workspace.state_path
    _close_state(state)
    DAMAGE[damage](state)
    damaged_bytes = state.read_bytes()

    assert main(["check", "--workspace", str(setup.workspace.folder)]) == 2
    err = capsys.readouterr().err
    assert f"The state database {state} is damaged" in err
    assert "the next run keeps it aside" in err

    sent_before = setup.upserted()
    fresh, events = await run_news(setup)
    assert fresh.status is RunStatus.SUCCEEDED, fresh.sentence
    assert setup.upserted() - sent_before == fresh.valid  # everyone once, nobody twice
    assert "The state database was damaged" in fresh.sentence
    assert any(isinstance(e, Warned) and "damaged" in e.sentence for e in events)
    kept = [p for p in state.parent.iterdir()
            if p.name.startswith("state.db.damaged-") and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1  # its pages as they were (SQLite may have set its header's mode)
    assert kept[0].read_bytes()[100:] == damaged_bytes[100:]
    assert kept[0].name in fresh.sentence
    assert fresh.run_id > first.run_id  # a fresh state numbers past the old files
    assert old_csv.read_bytes() == old_rows and fresh.rejected_csv != first.rejected_csv

    sent_before = setup.upserted()
    delta, _ = await run_news(setup)
    assert delta.status is RunStatus.SUCCEEDED
    assert setup.upserted() == sent_before
    assert "The state database was damaged" not in delta.sentence
    assert main(["check", "--workspace", str(setup.workspace.folder)]) == 0


async def test_deleting_the_state_database_never_overwrites_an_old_rejected_file(
        setup: Setup) -> None:
    first, _ = await run_news(setup)
    assert first.rejected_csv
    old = Path(first.rejected_csv).read_bytes()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{setup.workspace.state_path}{suffix}").unlink(missing_ok=True)
    again, _ = await run_news(setup)
    assert again.run_id == first.run_id + 1
    assert Path(first.rejected_csv).read_bytes() == old


def test_other_readers_of_a_damaged_state_get_a_sentence(setup: Setup) -> None:
    state = setup.workspace.state_path
    _not_sqlite(state)
    with pytest.raises(Exception) as raised:
        StateStore(state).list_runs()
    assert "is damaged (the file is not an SQLite database)" in str(raised.value)
    assert state.read_text().startswith("these are not")  # only a run sets it aside
