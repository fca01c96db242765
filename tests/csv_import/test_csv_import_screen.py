"""The Import CSV screen: pick a file, see its first rows, import it without freezing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, Select, Static

from sgtui.tui.app import make_app
from sgtui.workspace.config import Workspace
from sgtui.workspace.model import Access
from sgtui.workspace.secrets import MemorySecrets
from tests.pilot_helpers import until

CSV = (
    "customer_id;email;first_name;segments\n"
    "c1;ana@example.com;[b]Ana[/b];Newsletter|VIP\n"
    "c2;ben@example.com;Ben;Newsletter\n"
)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)  # relative paths keep snapshots free of tmp folders
    Path("data").mkdir()
    Path("data/people.csv").write_text(CSV, encoding="utf-8")
    Path("data/broken.csv").write_text("customer_id,email\nc1\n", encoding="utf-8")
    Path("data/notes.md").write_text("not a csv", encoding="utf-8")
    return Workspace.create(Path("ws"), user="alice")


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#import-status", Static).render())


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the screens' own workers (the file tree's loader never ends by design)."""
    ours = [w for w in app.workers if w.group in ("csv-preview", "csv-import", "home-data")]
    if ours:  # an empty list would mean "every worker"
        await app.workers.wait_for_complete(ours)
    await pilot.pause()


async def choose(app, pilot, path: str) -> None:  # type: ignore[no-untyped-def]
    app.screen.query_one("#csv-path", Input).value = path
    await pilot.press("enter")
    await settle(app, pilot)


async def open_people_csv(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """The import screen on the data folder, with people.csv chosen and previewed."""
    from sgtui.tui.screens.csv_import import CsvImportScreen

    await pilot.pause()
    await app.push_screen(CsvImportScreen(start=Path("data")))
    await pilot.pause()
    await choose(app, pilot, "data/people.csv")


async def test_a_picked_file_is_previewed_then_imported(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "CsvImportScreen"
        await choose(app, pilot, "data/people.csv")
        table = app.screen.query_one("#csv-preview", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "customer_id", "email", "first_name", "segments"]
        assert table.row_count == 2
        assert str(table.get_row_at(0)[2]) == "[b]Ana[/b]"  # shown as typed, not as markup
        assert app.screen.query_one("#key-column", Select).value == "customer_id"
        assert app.screen.query_one("#segments-column", Select).value == "segments"
        assert "4 columns separated by semicolons" in status(app)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert status(app).startswith("Imported 2 profiles (2 new, 0 updated)")
        await pilot.press("escape")
        await settle(app, pilot)
        assert "2 profiles in segments, 2 segments" in str(
            app.screen.query_one("#data-line", Static).render())
    with sqlite3.connect(workspace.source_path) as db:
        assert db.execute("SELECT COUNT(*) FROM segment_members").fetchone() == (3,)


async def test_bad_rows_are_shown_and_nothing_is_imported(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await choose(app, pilot, "data/broken.csv")
        app.screen.query_one("#import-run", Button).press()
        await settle(app, pilot)
        assert "line 2: 1 field where the header has 2" in status(app)
        assert not app.screen.query_one("#import-run", Button).disabled
    assert not workspace.source_path.exists()


async def test_a_missing_file_is_said_plainly(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await choose(app, pilot, "data/nope.csv")
        assert status(app) == "There is no file data/nope.csv."
        assert app.screen.query_one("#import-run", Button).disabled


async def test_the_path_input_completes_folders_and_csv_files(workspace: Workspace) -> None:
    from sgtui.tui.screens.csv_import import PathSuggester

    suggester = PathSuggester()
    assert await suggester.get_suggestion("da") == "data/"
    assert await suggester.get_suggestion("data/p") == "data/people.csv"
    assert await suggester.get_suggestion("data/n") is None  # notes.md is not offered


def test_import_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    app = make_app(workspace, secrets=MemorySecrets())

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_people_csv(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_a_file_picked_in_the_tree_is_previewed(workspace: Workspace) -> None:
    from sgtui.tui.screens.csv_import import CsvImportScreen

    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(CsvImportScreen(start=Path("data")))
        tree = app.screen.query_one("#csv-tree")
        while len(tree.root.children) < 2:  # the tree lists the folder in its own worker
            await pilot.pause()
        assert [str(node.label) for node in tree.root.children] == ["broken.csv", "people.csv"]
        tree.focus()
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        assert app.screen.query_one("#csv-path", Input).value == "data/people.csv"
        assert app.screen.query_one("#csv-preview", DataTable).row_count == 2


async def test_a_postgresql_workspace_is_told_where_csv_import_goes(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "pg", user="alice")
    workspace.document["source"] = {"type": "postgresql", "dsn": "postgresql://sgtui@127.0.0.1:1/crm"}
    workspace.save()
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert status(app).startswith("This workspace reads its customer data from PostgreSQL")
        await choose(app, pilot, str(Path(__file__)))
        assert app.screen.query_one("#import-run", Button).disabled


async def test_a_contributor_is_told_only_administrators_import(workspace: Workspace) -> None:
    workspace.set_access(Access(admins=("alice",), contributors=("bob",)))
    workspace.save()
    app = make_app(workspace.as_user("bob"), secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "CsvImportScreen"
        assert status(app).startswith("Only an administrator of this workspace can import")
        assert not app.screen.query(Input) and not app.screen.query(Button)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not [w for w in app.workers if w.group == "csv-import"]
    assert not workspace.source_path.exists()


async def test_a_file_keyed_by_another_name_is_imported_by_the_workspace_key(
        workspace: Workspace) -> None:
    from sgtui.source.csv_import import import_csv

    import_csv(Path("data/people.csv"), workspace.source_path)  # keyed by customer_id
    Path("data/members.csv").write_text("member_no,email\nc1,ana@new.example.com\n"
                                        "c9,zoe@example.com\n", encoding="utf-8")
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await choose(app, pilot, "data/members.csv")
        assert app.screen.query_one("#key-column", Select).value == "member_no"
        # Said before importing, not only after.
        assert "'member_no' holds the workspace's key 'customer_id'" in status(app)
        app.screen.query_one("#key-column", Select).value = "email"
        await pilot.pause()
        assert "'email' holds the workspace's key 'customer_id'" in status(app)
        app.screen.query_one("#key-column", Select).value = "member_no"
        await pilot.pause()
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert status(app).startswith("Imported 2 profiles (1 new, 1 updated)")
    with sqlite3.connect(workspace.source_path) as db:
        assert db.execute("SELECT customer_id, email FROM profiles ORDER BY customer_id"
                          ).fetchall() == [("c1", "ana@new.example.com"),
                                           ("c2", "ben@example.com"),
                                           ("c9", "zoe@example.com")]


async def test_tab_in_the_path_field_takes_the_completion(workspace: Workspace) -> None:
    app = make_app(workspace, secrets=MemorySecrets())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        field = app.screen.query_one("#csv-path", Input)
        assert field.has_focus
        await pilot.press("d", "a")
        await until(pilot, lambda: field._suggestion == "data/")
        await pilot.press("tab")
        assert field.value == "data/" and field.has_focus
        await pilot.press("p")
        await until(pilot, lambda: field._suggestion == "data/people.csv")
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert field.value == "data/people.csv"
        assert "4 columns separated by semicolons" in status(app)
        await pilot.press("tab")  # nothing left to complete: on to the next field
        assert not field.has_focus


def test_the_tree_cursor_and_an_open_dropdown_read_without_colour(
        workspace: Workspace, snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    """With NO_COLOR the file the tree's cursor is on, the dropdown option the arrow keys are
    on and the dropdown's current value each read as text."""
    from tests.pilot_helpers import screen_plain_text

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(workspace, secrets=MemorySecrets())

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_people_csv(app, pilot)
        tree = app.screen.query_one("#csv-tree")
        await until(pilot, lambda: len(tree.root.children) == 2)
        tree.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        text = screen_plain_text(app)
        assert "▸📄 people.csv" in text and " 📄 broken.csv" in text

        app.screen.query_one("#segments-column", Select).focus()
        await pilot.press("enter", "up")
        await pilot.pause()
        text = screen_plain_text(app)
        assert " ● segments" in text, "the current value"
        assert "▸  first_name" in text, "the option the arrow keys are on"

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
