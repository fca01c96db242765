"""Opening the customer data a workspace points at, when an optional package is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sgtui.source import SourceError, open_source
from sgtui.workspace.config import Workspace


@pytest.fixture
def postgres_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace.open(tmp_path / "ws", user="alice")
    workspace.document["source"] = {"type": "postgresql",
                                    "dsn": "postgresql://sgtui@127.0.0.1:9/crm"}
    monkeypatch.delitem(sys.modules, "sgtui.source.postgresql", raising=False)
    return workspace


def test_without_psycopg_the_sentence_names_the_extra_to_install(
    postgres_workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(SourceError) as missing:
        open_source(postgres_workspace)
    assert "pip install 'sgtui[postgresql]'" in missing.value.sentence


def test_a_broken_import_inside_sgtui_is_not_passed_off_as_a_missing_driver(
    postgres_workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sgtui.source.postgresql", None)
    with pytest.raises(ModuleNotFoundError) as broken:
        open_source(postgres_workspace)
    assert broken.value.name == "sgtui.source.postgresql"


def test_without_sqlalchemy_the_sentence_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = Workspace.open(tmp_path / "ws", user="alice")
    workspace.document["source"] = {"type": "sql", "url": "duckdb:///customers.duckdb"}
    monkeypatch.delitem(sys.modules, "sgtui.source.sql", raising=False)
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    with pytest.raises(SourceError) as missing:
        open_source(workspace)
    assert "pip install 'sgtui[sql]'" in missing.value.sentence
