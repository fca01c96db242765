"""Every failure reads as a sentence: sgtui's own errors speak for themselves, others get one."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sgtui.errors import SgtuiError, sentence_for
from sgtui.export.plan import PlanProblem
from sgtui.export.schedule_units import LastRefreshUnreadable, load_last_refresh
from sgtui.sendgrid.errors import MissingScope, SendGridError
from sgtui.source.base import SourceError
from sgtui.source.csv_import import CsvImportError, preview_csv
from sgtui.workspace.config import Workspace, WorkspaceError
from sgtui.workspace.secrets import KeyringUnavailable, SecretsError
from sgtui.workspace.state import StateError

KEY = "SG." + "k" * 22 + "." + "s" * 43
FALLBACK = "The run history could not be read ({cause})."


@pytest.mark.parametrize("error", [
    SendGridError("SendGrid said no."),
    MissingScope({"marketing.read"}),
    SourceError("The customer database is locked."),
    CsvImportError("The file is empty."),
    WorkspaceError("sgtui.toml is not valid TOML.", line=3),
    SecretsError("The keyring refused."),
    KeyringUnavailable("no backend"),
    StateError("The state database is locked."),
    PlanProblem(["The export has no list.", "It has no segments."]),
    LastRefreshUnreadable("last-refresh.json is not valid JSON."),
], ids=lambda error: type(error).__name__)
def test_every_error_of_sgtui_is_shown_by_its_own_sentence(error: SgtuiError) -> None:
    assert isinstance(error, SgtuiError)
    assert sentence_for(error, FALLBACK) == error.sentence == str(error)
    assert "{cause}" not in error.sentence


def test_a_plan_problem_says_every_reason() -> None:
    problem = PlanProblem(["The export has no list.", "It has no segments."])
    assert sentence_for(problem, FALLBACK) == "The export has no list. It has no segments."


def test_a_full_disk_is_named_in_the_operating_systems_words(tmp_path: Path) -> None:
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "state.db"))
    assert sentence_for(error, FALLBACK) == (
        "The run history could not be read (No space left on device).")


def test_a_surprise_is_named_by_its_kind_and_never_quotes_what_it_carries() -> None:
    surprise = KeyError(f"Authorization: Bearer {KEY} for ann@example.com")
    sentence = sentence_for(surprise, FALLBACK)
    assert sentence == "The run history could not be read (KeyError)."
    assert KEY not in sentence and "ann@example.com" not in sentence


def test_errors_met_for_real_carry_sentences(tmp_path: Path) -> None:
    (tmp_path / "sgtui.toml").write_text("version = 1\n[access\n", encoding="utf-8")
    (tmp_path / "last-refresh.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    met: list[BaseException] = []
    for attempt in (lambda: Workspace.open(tmp_path), lambda: load_last_refresh(tmp_path),
                    lambda: preview_csv(tmp_path / "empty.csv", limit=5)):
        with pytest.raises(SgtuiError) as caught:
            attempt()
        met.append(caught.value)
    sentences = [sentence_for(error, FALLBACK) for error in met]
    assert "not valid TOML on line 2" in sentences[0]
    assert "not valid JSON" in sentences[1]
    assert "is empty" in sentences[2]


def test_the_error_base_imports_nothing_else_of_sgtui() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, sgtui.errors; "
         "print(sorted(m for m in sys.modules if m.startswith('sgtui')))"],
        capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['sgtui', 'sgtui.errors']"
