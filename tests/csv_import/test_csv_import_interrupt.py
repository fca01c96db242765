"""Ctrl-C during ``sgtui import`` stops it at once and leaves the customer data as it was.

Before, a first import of a large file ran for many minutes (each batch scanned every
membership) and Ctrl-C took over ten seconds to be heard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 150_000
STOPPED = ("sgtui import: stopped (Ctrl-C); nothing was imported, the customer database is "
           "as it was.\n")


def big_csv(folder: Path) -> Path:
    path = folder / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("customer_id,email,first_name,segments\n")
        handle.writelines(f"n{number},p{number}@example.com,Person {number},"
                          f"Newsletter;Group {number % 7}\n" for number in range(ROWS))
    return path


def interrupt_import(csv: Path, workspace: Path) -> tuple[int, str, float]:
    """Start ``sgtui import``, press Ctrl-C once its transaction is writing; exit code,
    stderr and the seconds from Ctrl-C to exit."""
    journal = workspace / "customers.db-journal"
    process = subprocess.Popen(
        [sys.executable, "-m", "sgtui", "import", str(csv), "--workspace", str(workspace)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    deadline = time.monotonic() + 60
    while not journal.exists():  # the journal appears with the first rows written
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the import never started writing: {process.communicate()}")
        time.sleep(0.005)
    pressed = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err, time.monotonic() - pressed


def test_ctrl_c_leaves_the_customers_already_imported_untouched(tmp_path: Path) -> None:
    from sgtui.cli import main

    workspace = tmp_path / "ws"
    first = tmp_path / "first.csv"
    first.write_text("customer_id,email,segments\nc1,ana@example.com,VIP\n", encoding="utf-8")
    assert main(["import", str(first), "--workspace", str(workspace)]) == 0
    database = workspace / "customers.db"
    before = database.read_bytes()

    code, err, seconds = interrupt_import(big_csv(tmp_path), workspace)
    assert (code, err) == (130, STOPPED)
    assert seconds < 1.0, f"Ctrl-C took {seconds:.2f} s to stop the import"
    assert database.read_bytes() == before
    assert not (workspace / "customers.db-journal").exists()


def test_ctrl_c_during_a_first_import_leaves_no_customer_database(tmp_path: Path) -> None:
    from sgtui.workspace.config import Workspace

    workspace = Workspace.open(tmp_path / "ws").folder  # a new one: its admin is this user
    code, err, seconds = interrupt_import(big_csv(tmp_path), workspace)
    assert (code, err) == (130, STOPPED)
    assert seconds < 1.0, f"Ctrl-C took {seconds:.2f} s to stop the import"
    assert not (workspace / "customers.db").exists()
