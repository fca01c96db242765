"""Step 7: everything on one screen, with a dry run of what would be sent and dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from sgtui.errors import sentence_for
from sgtui.export.removals import REMOVAL_FLOOR
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.workspace.model import MAPPABLE_FIELDS, ExportConfig, Schedule, SyncMode

if TYPE_CHECKING:
    from sgtui.export.removals import Departures

SCHEDULE_WORDS = {Schedule.REFRESH: "With every refresh", Schedule.MANUAL: "On demand only"}
MODE_WORDS = {SyncMode.UPSERT: "Add and update", SyncMode.MIRROR: "Mirror (also removes people "
              "who left the segments)"}
NOTHING_SENT = "Nothing was sent yet, so nobody would be removed."
SAVE_NOTE = ("Save writes the export to sgtui.toml; saving does not run it. Run it with "
             "Save and run now, r in the exports list, or sgtui run NAME.")


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a run of the draft would do with today's data (no SendGrid call)."""

    profiles: int
    sent: int
    missing_email: int
    invalid_email: int
    duplicates: int
    trimmed_fields: int
    removals: Removals | None = None
    """Mirror mode only: who a run would remove from the list."""


@dataclass(frozen=True, slots=True)
class Removals:
    """Who a mirror run would remove: ``departed``, or ``sentence`` saying why nobody."""

    departed: Departures | None = None
    sentence: str = ""


class ReviewStep(WizardStep):
    """The whole export at a glance; Save and Save and run now are in the wizard's bar."""

    DEFAULT_CSS = """
    ReviewStep > #review-summary { height: auto; }
    ReviewStep > #review-plan { height: auto; margin-top: 1; color: $warning; }
    ReviewStep > #review-dry-run { height: auto; margin-top: 1; }
    ReviewStep > #review-removals { height: auto; margin-top: 1; }
    ReviewStep > #review-note { height: auto; margin-top: 1; color: $text-muted; }
    """

    title = "Review"
    help = "Check the export. Nothing has been sent or saved yet."

    class DryRunDone(Message):
        """The dry run finished (in a thread worker), or says why it could not."""

        def __init__(self, result: DryRun | None, problem: str | None) -> None:
            super().__init__()
            self.result, self.problem = result, problem

    class Planned(Message):
        """What would stop a run of the draft today (thread worker), one sentence each."""

        def __init__(self, problems: list[str]) -> None:
            super().__init__()
            self.problems = problems

    def compose(self) -> ComposeResult:
        yield Static("", id="review-summary")
        yield Static("", id="review-plan")
        yield Static("", id="review-dry-run")
        yield Static("", id="review-removals")
        yield Static(Content(SAVE_NOTE), id="review-note")

    def enter(self, draft: ExportDraft) -> None:
        self.query_one("#review-summary", Static).update(self.summary(draft))
        self.query_one("#review-dry-run", Static).update(
            Content.styled("Dry run: ", "bold") + Content("reading the segments…"))
        self.query_one("#review-plan", Static).display = False
        mirror = draft.mode is SyncMode.MIRROR
        removals = self.query_one("#review-removals", Static)
        removals.display = mirror
        removals.update(Content.styled("Removals: ", "bold") + Content("comparing…"))
        self.dry_run(dict(draft.mapping), tuple(draft.segments), draft.list_id,
                     draft.name.strip() if mirror else None)
        self.plan(draft.to_config())

    @work(thread=True, exclusive=True, group="review-plan", exit_on_error=False)
    def plan(self, export: ExportConfig) -> None:
        """Ask the engine what would stop this export from running (no network)."""
        import copy

        from sgtui.export.plan import plan_export
        from sgtui.workspace.config import Workspace

        workspace = self.app.workspace
        scratch = Workspace(workspace.folder, copy.deepcopy(workspace.document),
                            user=workspace.user)
        try:
            scratch.put_export(export)
            problems = plan_export(scratch, export.name, self.app.secrets)
        except Exception:  # the review still shows everything else
            problems = []
        self.post_message(self.Planned(problems))

    def on_review_step_planned(self, event: Planned) -> None:
        event.stop()
        box = self.query_one("#review-plan", Static)
        box.display = bool(event.problems)
        text = Content.styled("Before it can run:", "bold")
        for sentence in event.problems:
            text += Content(f"\n• {sentence}")
        box.update(text)

    def summary(self, draft: ExportDraft) -> Content:
        """The draft as label/value lines."""
        workspace = self.app.workspace
        connection = workspace.connections.get(draft.connection or "")
        info = self.wizard.source_info
        names = {segment.id: segment.name for segment in (info.segments if info else ())}
        list_text = draft.list_name or "(name unknown)"
        list_text += f"  ID {draft.list_id}"
        if not draft.list_checked:
            list_text += "  (not checked with SendGrid yet)"
        mapping = ", ".join(f"{MAPPABLE_FIELDS[field]} ← {column}"
                            for field, column in draft.mapping.items() if column)
        lines = [
            ("Name", f"{draft.display_name} (sgtui run {draft.name})" if draft.display_name
             else draft.name),
            ("Connection", connection.display_name if connection else "(none)"),
            ("SendGrid list", list_text),
            ("Mapping", mapping),
            ("Segments", ", ".join(names.get(s, s) for s in draft.segments)),
            ("Schedule", SCHEDULE_WORDS[draft.schedule]),
            ("Sync mode", MODE_WORDS[draft.mode]),
        ]
        content = Content("")
        for index, (label, value) in enumerate(lines):
            content += Content.styled(f"{label:<14}", "bold") + Content(value)
            if index < len(lines) - 1:
                content += Content("\n")
        return content

    @work(thread=True, exclusive=True, group="dry-run", exit_on_error=False)
    def dry_run(self, mapping: dict[str, str], segments: tuple[str, ...], list_id: str,
                mirror_of: str | None = None) -> None:
        """Prepare every member as a run would, counting what would be sent and dropped.

        With ``mirror_of`` (the export's name, mirror mode) it also finds who a run would
        remove: people sgtui sent to the list whom the segments no longer hold.
        """
        from sgtui.export.prepare import ContactPreparer

        worker = get_current_worker()
        current: set[str] | None = set() if mirror_of is not None else None
        try:
            source = self.app.open_source()
            try:
                columns = list(dict.fromkeys([source.key_column, *mapping.values()]))
                preparer = ContactPreparer(list_id or "dry-run", mapping, columns)
                for chunk in source.stream_members(segments, columns):
                    if worker.is_cancelled:
                        return
                    prepared = preparer.prepare(chunk)
                    if current is not None:
                        current.update(prepared.emails)
            finally:
                source.close()
            removals = (self._removals(mirror_of, list_id, current)
                        if mirror_of is not None and current is not None else None)
        except Exception as error:  # SourceError or a surprise: one sentence
            sentence = sentence_for(
                error, "The dry run could not read the customer data ({cause}).")
            self.post_message(self.DryRunDone(None, sentence))
            return
        counts = preparer.counts
        self.post_message(self.DryRunDone(DryRun(
            counts.profiles, counts.valid, counts.missing_email, counts.invalid_email,
            counts.duplicates, counts.trimmed_fields, removals), None))

    def _removals(self, export: str, list_id: str, current: set[str]) -> Removals:
        """Compare what sgtui sent to the export's list with ``current`` (blocking)."""
        from sgtui.export.removals import departures
        from sgtui.workspace.state import StateError, StateStore

        path = self.app.workspace.state_path
        if not export or not path.exists():
            return Removals(sentence=NOTHING_SENT)
        try:
            sent_to, emails = StateStore(path).sent_emails(export)
        except StateError as error:
            return Removals(sentence=error.sentence)
        if not emails:
            return Removals(sentence=NOTHING_SENT)
        if sent_to is not None and sent_to != list_id.strip():
            return Removals(sentence="The export now fills another list, so nobody would be "
                                     "removed; the next run sends everyone to the new list.")
        return Removals(departures(emails, current))

    def on_review_step_dry_run_done(self, event: DryRunDone) -> None:
        event.stop()
        self.last_dry_run = event.result
        self.query_one("#review-dry-run", Static).update(dry_run_text(event.result, event.problem))
        removals = self.query_one("#review-removals", Static)
        if event.result is None:
            removals.display = False
        elif event.result.removals is not None:
            removals.update(removals_text(event.result.removals))


def removals_text(removals: Removals) -> Content:
    """Who a mirror run would remove from the list, naming the first few."""
    head = Content.styled("Removals: ", "bold")
    departed = removals.departed
    if departed is None:
        return head + Content(removals.sentence)
    if not departed.count:
        return head + Content("Nobody would be removed: everyone sgtui sent to the list is "
                              "still in the segments.")
    people = f"{departed.count:,} {'person' if departed.count == 1 else 'people'}"
    text = head + Content(f"{people} sgtui sent to this list before "
                          f"{'is' if departed.count == 1 else 'are'} no longer in the chosen "
                          "segments; a run would remove them from the list (never from the "
                          "SendGrid account): ")
    text += Content(", ".join(departed.first))
    text += Content(f" and {departed.more:,} more." if departed.more else ".")
    if departed.count > REMOVAL_FLOOR:
        text += Content("\n  A run stops before removing more than 10% of the list or 1,000 "
                        "people (whichever is larger) until you confirm it.")
    return text


def dry_run_text(result: DryRun | None, problem: str | None) -> Content:
    """The dry run in a few lines: sent, dropped with reasons, shortened values."""
    head = Content.styled("Dry run: ", "bold")
    if result is None:
        return head + Content(problem or "not available.")
    # The same count as the run's summary and rejected-rows CSV: rows set aside for their
    # email; profiles sharing an email are merged into one contact, not set aside.
    set_aside = result.missing_email + result.invalid_email
    text = head + Content(f"{result.profiles:,} profiles in the segments; "
                          f"{result.sent:,} contacts would be sent to SendGrid.")
    if set_aside:
        reasons = [(result.invalid_email, "invalid email"), (result.missing_email, "no email")]
        text += Content(f"\n  {set_aside:,} would be set aside: ") + Content("; ".join(
            f"{count:,} {why}" for count, why in reasons if count)) + Content(
            " (listed with their reasons in the rejected-rows CSV after each run).")
    if result.duplicates:
        text += Content(f"\n  {result.duplicates:,} share an email with another profile: "
                        "sent once, as one contact (not set aside).")
    if not set_aside and not result.duplicates:
        text += Content("\n  Nobody would be left out.")
    if result.trimmed_fields:
        text += Content(f"\n  {result.trimmed_fields:,} values are longer than SendGrid allows "
                        "and would be shortened.")
    return text
