"""The rejected-rows CSV holds hostile profile data safely for the person who opens it.

Before, a NUL byte in a profile went raw into the file (tools stop reading there), and a
cell like ``=HYPERLINK(...)`` ran as a formula when the file was opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import stat
from pathlib import Path

from sgtui.export.rejected import RejectedCsv
from sgtui.workspace.run_records import RejectedRow


def written(tmp_path: Path, *rows: RejectedRow) -> list[list[str]]:
    path = tmp_path / "run-1-news-rejected.csv"
    out = RejectedCsv(path)
    out.write(list(rows), by_sendgrid=False)
    out.close()
    assert b"\x00" not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def test_a_nul_byte_in_a_profile_is_written_as_a_visible_escape(tmp_path: Path) -> None:
    rows = written(tmp_path, RejectedRow("c\x001", "ana\x00@example.com", "invalid email"))
    assert rows == [["c\\x001", "ana\\x00@example.com", "invalid email", "sgtui"]]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_shown_as_text(tmp_path: Path) -> None:
    rows = written(
        tmp_path,
        RejectedRow("=HYPERLINK(\"http://evil.example\",\"x\")", "+1@x", "invalid email"),
        RejectedRow("@SUM(A1)", "-cmd|' /C calc'!A0", "invalid email"),
    )
    assert [row[:2] for row in rows] == [
        ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1@x"],
        ["'@SUM(A1)", "'-cmd|' /C calc'!A0"],
    ]


def test_plain_numbers_and_ordinary_text_are_written_as_they_are(tmp_path: Path) -> None:
    rows = written(tmp_path, RejectedRow("-42", "ana@example.com", "quoted \"name\", x\ny"))
    assert rows == [["-42", "ana@example.com", "quoted \"name\", x\ny", "sgtui"]]
