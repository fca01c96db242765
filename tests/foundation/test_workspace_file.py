"""sgtui.toml: comments survive, saves are atomic, files get the right modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sgtui.workspace.config import Workspace, WorkspaceError
from sgtui.workspace.model import Access, ConnectionConfig, ExportConfig, UsableBy
from tests.workspace_helpers import fill_the_disk, in_memory_is_the_file

HAND_WRITTEN = """\
# Our team's sgtui workspace
version = 1

[access]
admins = ["alice"]   # the boss
contributors = ["bob"]

[source]
type = "sqlite"
path = "customers.db"   # relative to the workspace folder

# The main account
[connections.marketing]
type = "sendgrid"
display_name = "Marketing SendGrid"
usable_by = "admins"
base_url = "https://api.sendgrid.com"
export_users = ["alice"]

[exports.spring-newsletter]
connection = "marketing"
list_id = "6b1a3b7c"
segments = ["high-value"]   # grow this in March
schedule = "refresh"
mode = "upsert"

[exports.spring-newsletter.mapping]
email = "email"
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def hand_written(tmp_path: Path) -> Workspace:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "sgtui.toml").write_text(HAND_WRITTEN)
    return Workspace.open(folder, user="alice")


def test_saving_keeps_comments_and_key_order(hand_written: Workspace) -> None:
    hand_written.save()
    assert hand_written.path.read_text() == HAND_WRITTEN


def test_editing_an_export_keeps_the_comments_around_it(hand_written: Workspace) -> None:
    export = hand_written.exports["spring-newsletter"]
    hand_written.put_export(
        ExportConfig(
            name=export.name, connection=export.connection, list_id=export.list_id,
            segments=("high-value", "newsletter-optin"),
            mapping={"email": "email", "first_name": "first_name"},
        )
    )
    hand_written.save()
    text = hand_written.path.read_text()
    assert "# Our team's sgtui workspace" in text
    assert 'admins = ["alice"]   # the boss' in text
    assert "# The main account" in text
    assert 'first_name = "first_name"' in text
    reopened = Workspace.open(hand_written.folder, user="alice")
    assert reopened.exports["spring-newsletter"].segments == ("high-value", "newsletter-optin")


def test_adding_a_connection_round_trips(hand_written: Workspace) -> None:
    hand_written.put_connection(
        ConnectionConfig(name="eu", display_name="EU account",
                         usable_by=UsableBy.ADMINS_AND_CONTRIBUTORS,
                         base_url="https://api.eu.sendgrid.com", export_users=("alice",))
    )
    hand_written.save()
    reopened = Workspace.open(hand_written.folder, user="bob")
    assert reopened.connections["eu"].usable_by is UsableBy.ADMINS_AND_CONTRIBUTORS
    assert reopened.connections["marketing"].display_name == "Marketing SendGrid"


def test_an_interrupted_save_leaves_the_old_file_intact(
    hand_written: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand_written.remove_export("spring-newsletter")

    def power_cut(*args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        hand_written.save()
    assert hand_written.path.read_text() == HAND_WRITTEN
    leftovers = [p.name for p in hand_written.folder.iterdir() if p.name != "sgtui.toml"]
    assert leftovers == []


def test_a_new_workspace_is_private_and_its_creator_is_admin(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "new", user="carol")
    assert mode_of(workspace.folder) == 0o700
    assert mode_of(workspace.path) == 0o600
    assert workspace.access.admins == ("carol",)
    assert workspace.role == "admin"


def test_a_group_shared_folder_stays_shared_and_files_are_group_writable(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o2770)
    workspace = Workspace.open(folder, user="alice")
    assert mode_of(folder) == 0o2770
    assert mode_of(workspace.path) == 0o660
    assert mode_of(workspace.runs_folder) & 0o2770 == 0o2770


def test_resaving_a_private_file_keeps_it_private(hand_written: Workspace) -> None:
    os.chmod(hand_written.path, 0o644)
    hand_written.save()
    assert mode_of(hand_written.path) == 0o600


def test_two_people_saving_the_same_workspace_keep_both_changes(hand_written: Workspace) -> None:
    alice = hand_written
    bob = Workspace.open(alice.folder, user="bob")
    alice.put_connection(ConnectionConfig(name="eu", display_name="EU account"))
    bob.put_export(ExportConfig(name="vip", connection="marketing", list_id="l2",
                                segments=("vip-europe",), mapping={"email": "email"}))
    alice.save()
    bob.save()  # bob read the file before alice saved: his save must not undo hers
    reopened = Workspace.open(alice.folder, user="alice")
    assert set(reopened.connections) == {"marketing", "eu"}
    assert set(reopened.exports) == {"spring-newsletter", "vip"}
    assert "# The main account" in reopened.path.read_text()


def test_a_hand_edit_made_while_the_app_was_open_survives_its_save(
    hand_written: Workspace,
) -> None:
    edited = hand_written.path.read_text().replace(
        "[exports.spring-newsletter]", "# edited by hand\n[exports.spring-newsletter]")
    hand_written.path.write_text(edited.replace('"6b1a3b7c"', '"7c8d9e0f"'))
    hand_written.remove_connection("nothing-by-that-name")
    hand_written.set_access(Access(admins=("alice", "carol"), contributors=("bob",)))
    hand_written.save()
    text = hand_written.path.read_text()
    assert "# edited by hand" in text and '"7c8d9e0f"' in text
    assert Workspace.open(hand_written.folder, user="carol").role == "admin"


def test_apply_and_save_keeps_what_a_teammate_saved_meanwhile(hand_written: Workspace) -> None:
    bob = Workspace.open(hand_written.folder, user="bob")
    bob.apply_and_save(lambda ws: ws.put_connection(ConnectionConfig(name="eu",
                                                                    display_name="EU")))
    hand_written.apply_and_save(lambda ws: ws.remove_export("spring-newsletter"))
    assert in_memory_is_the_file(hand_written)
    reopened = Workspace.open(hand_written.folder, user="alice")
    assert set(reopened.connections) == {"marketing", "eu"}
    assert reopened.exports == {}
    assert "# The main account" in reopened.path.read_text()


def test_a_failed_save_is_a_sentence_and_the_workspace_shows_the_file_again(
    hand_written: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = Workspace.open(hand_written.folder, user="bob")
    bob.apply_and_save(lambda ws: ws.put_connection(ConnectionConfig(name="eu",
                                                                    display_name="EU")))
    before = hand_written.path.read_text()
    fill_the_disk(monkeypatch)
    with pytest.raises(WorkspaceError) as failed:
        hand_written.apply_and_save(lambda ws: ws.remove_export("spring-newsletter"))
    assert failed.value.sentence.startswith(
        "sgtui.toml could not be written (No space left on device); nothing was changed.")
    assert hand_written.path.read_text() == before
    assert in_memory_is_the_file(hand_written)
    assert set(hand_written.exports) == {"spring-newsletter"}
    assert set(hand_written.connections) == {"marketing", "eu"}, "bob's edit is shown now"


def test_a_change_that_fails_half_way_leaves_nothing_behind(hand_written: Workspace) -> None:
    def half_done(workspace: Workspace) -> None:
        workspace.remove_export("spring-newsletter")
        raise LookupError("no such segment")

    with pytest.raises(WorkspaceError) as failed:
        hand_written.apply_and_save(half_done)
    assert "could not be written (LookupError)" in failed.value.sentence
    assert "no such segment" not in failed.value.sentence
    assert set(hand_written.exports) == {"spring-newsletter"}
    assert in_memory_is_the_file(hand_written)


def test_a_file_broken_by_hand_meanwhile_is_named_and_not_overwritten(
    hand_written: Workspace,
) -> None:
    broken = hand_written.path.read_text().replace("[access]", "[access")
    hand_written.path.write_text(broken)
    with pytest.raises(WorkspaceError) as failed:
        hand_written.apply_and_save(lambda ws: ws.remove_export("spring-newsletter"))
    assert "is not valid TOML on line 4" in failed.value.sentence
    assert hand_written.path.read_text() == broken
    assert set(hand_written.exports) == {"spring-newsletter"}, "the unsaved change is undone"
