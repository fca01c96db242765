"""The export wizard, step by step, against a sandbox SendGrid and demo customer data."""

from __future__ import annotations

import tomllib

from textual.widgets import Input, OptionList, Select, SelectionList

from sgtui.sandbox import FULL_ACCESS_SCOPES, SandboxServer
from sgtui.tui.screens.export_wizard import ExportWizardScreen
from sgtui.tui.widgets.export import FieldMappingTable, ListPicker, SegmentPicker
from sgtui.tui.widgets.export.list_picker import NEW_LIST, TYPED_ID
from tests.tui.exports.conftest import (
    KEY,
    WRONG_KEY,
    app_for,
    connection,
    next_step,
    open_wizard,
    problem_text,
    screen_text,
    segments_counted,
    settle,
)


def step_title(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.step.title


async def go_to_list_step(pilot, name: str = "spring-newsletter") -> None:  # type: ignore[no-untyped-def]
    await open_wizard(pilot)
    await next_step(pilot)  # the highlighted connection
    pilot.app.screen.query_one("#export-name", Input).value = name
    await next_step(pilot)


async def save_a_first_export(pilot) -> str:  # type: ignore[no-untyped-def]
    """Through the wizard with its defaults: export "first" into the account's second list,
    segment churn-risk, saved on the review; the list's ID."""
    app = pilot.app
    await go_to_list_step(pilot, "first")
    list_id: str = app.screen.query_one(ListPicker).lists[1].id
    app.screen.query_one("#list-select", Select).value = list_id
    for _ in range(5):
        await next_step(pilot)
        if step_title(app) == "Segments":
            app.screen.query_one(SelectionList).select("churn-risk")
            await segments_counted(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return list_id


async def test_an_export_is_built_through_every_step_and_saved(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_wizard(pilot)
        assert isinstance(app.screen, ExportWizardScreen)
        assert step_title(app) == "Connection"
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt).strip()
                for i in range(options.option_count)] == ["SendGrid", "Marketing SendGrid"]
        await next_step(pilot)

        assert step_title(app) == "Name"
        app.screen.query_one("#export-name", Input).value = "spring-newsletter"
        await next_step(pilot)

        assert step_title(app) == "SendGrid list"
        assert KEY not in app.export_screenshot()
        picker = app.screen.query_one(ListPicker)
        assert [found.name for found in picker.lists] == ["Newsletter", "Spring promo",
                                                          "VIP customers"]
        newsletter = picker.lists[0]
        app.screen.query_one("#list-select", Select).value = newsletter.id
        await next_step(pilot)

        assert step_title(app) == "Data matching"
        table = app.screen.query_one(FieldMappingTable)
        assert table.mapping["email"] == "email"
        assert table.mapping["state_province_region"] == "state"
        table.set_field("postal_code", None)
        await pilot.pause()
        preview = app.screen.query_one("#mapping-preview")
        assert preview.row_count == 3
        assert "postal_code" not in [str(c.label) for c in preview.columns.values()]
        await next_step(pilot)

        assert step_title(app) == "Segments"
        segments = app.screen.query_one(SelectionList)
        segments.select("high-value")
        segments.select("vip-europe")
        await segments_counted(pilot)
        picker = app.screen.query_one(SegmentPicker)
        assert not picker.counting and picker.profiles and picker.emails
        assert "unique profiles" in screen_text(app)
        await next_step(pilot)

        assert step_title(app) == "Schedule"
        await pilot.click("#schedule-manual")
        await next_step(pilot)

        assert step_title(app) == "Review"
        assert KEY not in app.export_screenshot()
        text = screen_text(app)
        assert "Marketing SendGrid" in text and "Newsletter" in text
        assert "contacts would be sent to SendGrid" in text
        assert "would be set aside" in text and "invalid email" in text
        assert "saving does not run it" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportWizardScreen)
        assert any("Saving does not run it" in n.message for n in app._notifications)

    saved = tomllib.loads(workspace.path.read_text())["exports"]["spring-newsletter"]
    assert saved["connection"] == "marketing"
    assert saved["list_id"] == newsletter.id
    assert saved["list_name"] == "Newsletter"
    assert saved["segments"] == ["high-value", "vip-europe"]
    assert saved["schedule"] == "manual"
    assert saved["mode"] == "upsert"
    assert saved["mapping"] == {
        "email": "email", "first_name": "first_name", "last_name": "last_name",
        "country": "country", "state_province_region": "state", "city": "city",
    }
    assert sandbox.list_emails(newsletter.id) == []  # saving sent nothing
    assert KEY not in workspace.path.read_text()


async def test_editing_reopens_the_wizard_with_its_values(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        list_id = await save_a_first_export(pilot)

        await pilot.press("e")  # edit the selected export
        await settle(pilot)
        assert app.screen.draft.original_name == "first"
        await next_step(pilot)
        name = app.screen.query_one("#export-name", Input)
        assert name.value == "first"
        name.value = "renamed"
        await next_step(pilot)
        assert app.screen.query_one("#list-select", Select).value == list_id
        await next_step(pilot)
        await next_step(pilot)
        assert app.screen.query_one(SelectionList).selected == ["churn-risk"]
        await next_step(pilot)
        await next_step(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    exports = tomllib.loads(workspace.path.read_text())["exports"]
    assert list(exports) == ["renamed"]
    assert exports["renamed"]["list_id"] == list_id


async def test_no_connection_says_so_and_who_can_fix_it(make_workspace) -> None:
    app = app_for(make_workspace())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        assert "There is no SendGrid connection yet" in screen_text(app)
        await next_step(pilot)
        assert step_title(app) == "Connection"

    bob = make_workspace(connection("private", "http://127.0.0.1:9"), user="bob")
    app = app_for(bob)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        text = screen_text(app)
        assert "No SendGrid connection is shared with contributors" in text
        assert "(alice)" in text


async def test_lists_that_cannot_be_fetched_are_explained(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url), key=WRONG_KEY)
    app = app_for(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        text = screen_text(app)
        assert "could not be fetched" in text
        assert "key" in text.lower()
        assert WRONG_KEY not in text
        await next_step(pilot)
        assert step_title(app) == "SendGrid list"
        assert "Choose a list" in problem_text(app)


async def test_a_stopped_sendgrid_is_explained(make_workspace) -> None:
    with SandboxServer(api_keys={KEY: FULL_ACCESS_SCOPES}) as server:
        base_url = server.base_url
    app = app_for(make_workspace(connection("marketing", base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        assert "could not be fetched" in screen_text(app)


async def test_no_key_for_this_user_says_ask_an_export_user(make_workspace, sandbox) -> None:
    shared = connection("shared", sandbox.base_url, shared=True, display="Shared SendGrid")
    app = app_for(make_workspace(shared, user="bob"))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        assert "ask an export user (alice)" in screen_text(app)
        app.screen.query_one("#list-select", Select).value = TYPED_ID
        await pilot.pause()
        app.screen.query_one("#typed-list-id", Input).value = "6b1a3b7c-typed"
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert app.screen.draft.list_checked is False
        await next_step(pilot)
        app.screen.query_one(SelectionList).select("recent-signups")
        await segments_counted(pilot)
        await next_step(pilot)
        await next_step(pilot)
        text = screen_text(app)
        assert "(not checked with SendGrid yet)" in text
        assert "Before it can run:" in text
        assert "runs with the next scheduled refresh, or with an export user" in text


async def test_a_typed_unknown_list_id_is_refused(make_workspace, sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = TYPED_ID
        await pilot.pause()
        app.screen.query_one("#typed-list-id", Input).value = "no-such-list"
        await next_step(pilot)
        assert step_title(app) == "SendGrid list"
        assert "no contact list with the ID 'no-such-list'" in screen_text(app)

        known = sandbox.create_list("Typed")["id"]
        app.screen.query_one("#typed-list-id", Input).value = known
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert app.screen.draft.list_id == known and app.screen.draft.list_name == "Typed"


async def test_creating_a_list_makes_it_in_sendgrid(make_workspace, sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = NEW_LIST
        await pilot.pause()
        app.screen.query_one("#new-list-name", Input).value = "Winter sale"
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        created = app.screen.draft.list_id
    lists = {item["name"]: item["id"] for item in _sandbox_lists(sandbox)}
    assert lists["Winter sale"] == created


async def test_the_list_count_follows_a_created_list(make_workspace, sandbox) -> None:
    from tests.pilot_helpers import text

    app = app_for(make_workspace(connection("marketing", sandbox.base_url,
                                            display="Marketing SendGrid")))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        before = len(app.screen.query_one(ListPicker).lists)
        assert text(app.screen, "#list-status") == f"{before} lists in Marketing SendGrid."
        app.screen.query_one("#list-select", Select).value = NEW_LIST
        await pilot.pause()
        app.screen.query_one("#new-list-name", Input).value = "Winter sale"
        await pilot.press("enter")
        await settle(pilot)
        assert "Created the list 'Winter sale'" in text(app.screen, "#list-note")
        assert text(app.screen, "#list-status") == f"{before + 1} lists in Marketing SendGrid."


def _sandbox_lists(sandbox: SandboxServer) -> list[dict]:
    import httpx

    response = httpx.get(f"{sandbox.base_url}/v3/marketing/lists",
                         headers={"Authorization": f"Bearer {KEY}"})
    return response.json()["result"]


async def test_email_must_be_mapped(make_workspace, sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one(ListPicker).query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        app.screen.query_one(FieldMappingTable).set_field("email", None)
        await next_step(pilot)
        assert step_title(app) == "Data matching"
        assert "Map Email" in problem_text(app)


async def test_a_mostly_invalid_email_column_is_warned_about(make_workspace, sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        app.screen.query_one(FieldMappingTable).set_field("email", "first_name")
        await pilot.pause()
        assert "are not email addresses" in screen_text(app)


async def test_past_100000_profiles_sendgrids_advice_is_shown(make_workspace, sandbox,
                                                               big_db) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url), db=big_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        await next_step(pilot)
        app.screen.query_one(SelectionList).select("all-customers")
        await segments_counted(pilot)
        text = screen_text(app)
        assert "100,100 unique profiles" in text
        assert ("SendGrid recommends at most 100,000 profiles; your SendGrid plan's contact "
                "limit applies.") in text
        await next_step(pilot)
        assert step_title(app) == "Schedule"  # a warning, not a stop


async def test_past_the_cap_the_wizard_stops(make_workspace, sandbox) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    workspace.document["limits"] = {"max_profiles_per_export": 1_000}
    app = app_for(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        await next_step(pilot)
        app.screen.query_one(SelectionList).select("all-customers")
        await segments_counted(pilot)
        await next_step(pilot)
        assert step_title(app) == "Segments"
        assert "more than the 1,000 one export may send" in problem_text(app)


async def test_a_contributor_sees_only_shared_connections(make_workspace, sandbox) -> None:
    workspace = make_workspace(
        connection("private", sandbox.base_url, display="Admins only"),
        connection("shared", sandbox.base_url, shared=True, export_users=("alice", "bob"),
                   display="Shared SendGrid"),
        user="bob",
    )
    app = app_for(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Shared SendGrid" in p for p in prompts)
        assert not any("Admins only" in p for p in prompts)
        await next_step(pilot)
        app.screen.query_one("#export-name", Input).value = "bobs"
        await next_step(pilot)
        assert len(app.screen.query_one(ListPicker).lists) == 3  # bob has his own key


async def test_save_and_run_now_saves_then_starts_the_run(make_workspace, sandbox,
                                                          monkeypatch) -> None:
    workspace = make_workspace(connection("marketing", sandbox.base_url))
    app = app_for(workspace)
    started: list[str] = []
    monkeypatch.setattr(app, "start_run", lambda name, **_: started.append(name))
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to_list_step(pilot, "now")
        app.screen.query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        await next_step(pilot)
        app.screen.query_one(SelectionList).select("vip-europe")
        await segments_counted(pilot)
        await next_step(pilot)
        await next_step(pilot)
        await pilot.click("#wizard-save-run")
        await settle(pilot)
    assert started == ["now"]
    assert "now" in tomllib.loads(workspace.path.read_text())["exports"]


async def test_editing_an_export_whose_list_is_gone_says_so(make_workspace, sandbox) -> None:
    from sgtui.workspace.model import ExportConfig

    workspace = make_workspace(connection("marketing", sandbox.base_url))
    workspace.put_export(ExportConfig(name="old", connection="marketing",
                                      list_id="6b1a3b7c-0000-4000-8000-00000000dead",
                                      list_name="Deleted", segments=("high-value",),
                                      mapping={"email": "email"}))
    workspace.save()
    app = app_for(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await next_step(pilot)
        await next_step(pilot)
        assert step_title(app) == "SendGrid list"
        assert "not among the account's lists" in screen_text(app)
        await next_step(pilot)
        assert step_title(app) == "SendGrid list"
        assert "no contact list with the ID" in screen_text(app)


async def test_space_ticks_the_first_segment_as_soon_as_the_step_opens(make_workspace,
                                                                       sandbox) -> None:
    app = app_for(make_workspace(connection("marketing", sandbox.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await go_to_list_step(pilot)
        app.screen.query_one("#list-select", Select).value = (
            app.screen.query_one(ListPicker).lists[0].id)
        await next_step(pilot)
        await next_step(pilot)
        assert step_title(app) == "Segments"
        segments = app.screen.query_one(SelectionList)
        assert segments.has_focus and segments.highlighted == 0
        await pilot.press("space")  # no Down first
        await segments_counted(pilot)
        assert app.screen.query_one(SegmentPicker).selected == [
            segments.get_option_at_index(0).value]
        await pilot.press("down", "space")
        assert len(app.screen.query_one(SegmentPicker).selected) == 2


async def test_a_name_with_spaces_runs_by_its_slug_and_a_slash_is_refused(
        make_workspace, sandbox) -> None:
    from sgtui.workspace.config import Workspace

    workspace = make_workspace(connection("marketing", sandbox.base_url,
                                          display="Marketing SendGrid"))
    app = app_for(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        await next_step(pilot)
        assert step_title(app) == "Name"
        field = app.screen.query_one("#export-name", Input)
        field.value = "news/letter"
        await pilot.pause()
        await next_step(pilot)
        assert step_title(app) == "Name"
        assert "cannot hold “/”" in problem_text(app)

        field.value = "Spring newsletter"
        await pilot.pause()
        assert ("Shown as “Spring newsletter”; runs as: sgtui run spring-newsletter"
                in screen_text(app))
        await next_step(pilot)
        assert step_title(app) != "Name"
        draft = app.screen.draft
        assert (draft.name, draft.display_name) == ("spring-newsletter", "Spring newsletter")

    config = draft.to_config()
    workspace.put_export(config)
    workspace.save()
    saved = Workspace.open(workspace.folder, user="alice").exports["spring-newsletter"]
    assert saved.display_name == "Spring newsletter" and saved.label == "Spring newsletter"
    assert tomllib.loads(workspace.path.read_text())["exports"]["spring-newsletter"][
        "display_name"] == "Spring newsletter"


def test_the_review_counts_set_aside_rows_as_the_run_summary_does() -> None:
    from sgtui.tui.screens.export_wizard.review_step import DryRun, dry_run_text

    text = dry_run_text(DryRun(profiles=25_000, sent=24_817, missing_email=125,
                               invalid_email=46, duplicates=12, trimmed_fields=0), None).plain
    # 171 set aside, as the summary and the rejected-rows CSV count them; the 12 duplicates
    # are said apart, as merged, not added to the 171.
    assert "171 would be set aside: 46 invalid email; 125 no email" in text
    assert "12 share an email with another profile: sent once" in text
    assert "183" not in text
