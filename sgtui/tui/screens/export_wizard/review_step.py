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
from sgtui.export.wording import MISSING, counted, shown
from sgtui.tui.screens.export_wizard.draft import ExportDraft
from sgtui.tui.screens.export_wizard.step import WizardStep
from sgtui.tui.screens.export_words import custom_field_words, mapping_words
from sgtui.workspace.model import ExportConfig, Schedule, SyncMode

if TYPE_CHECKING:
    from sgtui.export.removals import Departures
    from sgtui.sendgrid.models import FieldDefinitions

SCHEDULE_WORDS = {Schedule.REFRESH: "With every refresh", Schedule.MANUAL: "On demand only"}
MODE_WORDS = {SyncMode.UPSERT: "Add and update", SyncMode.MIRROR: "Mirror (also removes people "
              "who left the segments)"}
NOTHING_SENT = "Nothing was sent yet, so nobody would be removed."
CHECKED_AT_RUN = ("looked up in the account when the export runs; a run creates the ones the "
                  "account does not have yet, with their type.")
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
    left_out: tuple[LeftOut, ...] = ()
    """Custom fields some of whose values a run would leave out, in the export's order."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A custom field's values a run would leave out: how many, and why (``not a number``)
    with how many each, the commonest first."""

    field: str
    count: int
    reasons: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Removals:
    """Who a mirror run would remove: ``departed``, or ``sentence`` saying why nobody."""

    departed: Departures | None = None
    sentence: str = ""


class ReviewStep(WizardStep):
    """The whole export at a glance; Save and Save and run now are in the wizard's bar."""

    DEFAULT_CSS = """
    ReviewStep > #review-summary { height: auto; }
    ReviewStep > #review-fields { height: auto; margin-top: 1; }
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
        yield Static("", id="review-fields")
        yield Static("", id="review-plan")
        yield Static("", id="review-dry-run")
        yield Static("", id="review-removals")
        yield Static(Content(SAVE_NOTE), id="review-note")

    def show(self, draft: ExportDraft) -> None:
        export = draft.to_config()
        self.query_one("#review-summary", Static).update(self.summary(draft))
        fields = self.query_one("#review-fields", Static)
        fields.display = bool(export.custom_fields)
        fields.update(custom_fields_text(export, draft.field_definitions))
        self.query_one("#review-dry-run", Static).update(
            Content.styled("Dry run: ", "bold") + Content("reading the segments…"))
        self.query_one("#review-plan", Static).display = False
        mirror = draft.mode is SyncMode.MIRROR
        removals = self.query_one("#review-removals", Static)
        removals.display = mirror
        removals.update(Content.styled("Removals: ", "bold") + Content("comparing…"))
        self.dry_run(export, draft.name.strip() if mirror else None)
        self.plan(export)

    @work(thread=True, exclusive=True, group="review-plan", exit_on_error=False)
    def plan(self, export: ExportConfig) -> None:
        """Ask the engine what would stop this export from running (no network)."""
        import copy

        from sgtui.export.plan import plan_export
        from sgtui.workspace.config import Workspace

        workspace = self.context.workspace
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
        workspace = self.context.workspace
        connection = workspace.connections.get(draft.connection or "")
        info = self.context.source_info
        names = {segment.id: segment.name for segment in (info.segments if info else ())}
        list_text = draft.list_name or "(name unknown)"
        list_text += f"  ID {draft.list_id}"
        if not draft.list_checked:
            list_text += "  (not checked with SendGrid yet)"
        export = draft.to_config()
        mapping = mapping_words(export)
        custom = custom_field_words(export)
        lines = [
            ("Name", f"{draft.display_name} (sgtui run {draft.name})" if draft.display_name
             else draft.name),
            ("Connection", connection.display_name if connection else MISSING),
            ("SendGrid list", list_text),
            ("Mapping", shown(mapping)),
            *([("Custom fields", custom)] if custom else []),
            ("Segments", shown(", ".join(names.get(s, s) for s in draft.segments))),
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
    def dry_run(self, export: ExportConfig, mirror_of: str | None = None) -> None:
        """Prepare every member as a run would, counting what would be sent and dropped.

        The run's own preparer does it, so the counts are the ones a run's summary and its
        rejected-rows CSV give; custom fields get stand-in ids (no SendGrid call). With
        ``mirror_of`` (the export's name, mirror mode) it also finds who a run would
        remove: people sgtui sent to the list whom the segments no longer hold.
        """
        from sgtui.export.custom_fields import unresolved_fields
        from sgtui.export.prepare import ContactPreparer, columns_to_read

        worker = get_current_worker()
        current: set[str] | None = set() if mirror_of is not None else None
        list_id = export.list_id
        custom = unresolved_fields(export)
        try:
            source = self.app.open_source()
            try:
                columns = columns_to_read(source.key_column, export.mapping,
                                          (field.column for field in custom))
                preparer = ContactPreparer(list_id or "dry-run", export.mapping, columns,
                                           custom_fields=custom)
                for chunk in source.stream_members(export.segments, columns):
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
        left_out = tuple(
            LeftOut(field.name, sum(why.values()), tuple(why.most_common()))
            for field in custom if (why := preparer.left_out_why.get(field.name)))
        self.post_message(self.DryRunDone(DryRun(
            counts.profiles, counts.valid, counts.missing_email, counts.invalid_email,
            counts.duplicates, counts.trimmed_fields, removals, left_out), None))

    def _removals(self, export: str, list_id: str, current: set[str]) -> Removals:
        """Compare what sgtui sent to the export's list with ``current`` (blocking)."""
        from sgtui.export.removals import departures
        from sgtui.workspace.state import StateError, StateStore

        path = self.context.workspace.state_path
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
    for field in result.left_out:
        text += Content(f"\n  {field.field}: {counted(field.count, 'value')} left out "
                        f"({left_out_reasons(field)})")
    if result.left_out:
        text += Content("\n  A value left out does not cost the contact: it is sent without "
                        "that field, and the rejected-rows CSV names each value.")
    return text


def left_out_reasons(field: LeftOut) -> str:
    """Why a field's values would be left out: ``not a number``, or with counts when the
    reasons differ (``4 not a number; 2 not a finite number``)."""
    if len(field.reasons) == 1:
        return field.reasons[0][0]
    return "; ".join(f"{count:,} {why}" for why, count in field.reasons)


def custom_fields_text(export: ExportConfig, definitions: FieldDefinitions | None) -> Content:
    """Which custom fields a run would create in the account, when the wizard knows the
    account's fields; otherwise that they are checked when the export runs."""
    from sgtui.export.custom_fields import created_sentence, fields_to_create

    head = Content.styled("Custom fields in SendGrid: ", "bold")
    if definitions is None:
        return head + Content(CHECKED_AT_RUN)
    created = created_sentence(fields_to_create(export, definitions), dry_run=True)
    return head + Content(created or "the account has all of them already.")
