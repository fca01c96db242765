"""One custom field an export fills: which field (an existing one, or a new one with its name
and type), the profile column that fills it, and a sample of what would be sent."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from sgtui.export.custom_values import convert
from sgtui.tui.widgets.plain_marks import Button, Select
from sgtui.workspace.fields import field_name_problem
from sgtui.workspace.model import CustomFieldConfig, CustomFieldType

NEW_FIELD = "__sgtui_new_field__"
"""The field dropdown's "New custom field..." choice."""
_EXISTING = "field:"


def first_upper(sentence: str) -> str:
    """``sentence`` starting with a capital (rule sentences start lower-case after a key)."""
    return sentence[:1].upper() + sentence[1:]


class CustomFieldRow(Vertical):
    """A row of the custom-fields part. Until the account's fields are known (see
    :meth:`offer`), a row read from the export shows as a new field with its name and type.
    """

    DEFAULT_CSS = """
    CustomFieldRow { height: auto; }
    CustomFieldRow > Horizontal { height: 1; }
    CustomFieldRow .cf-number { width: 4; }
    CustomFieldRow .cf-field { width: 1fr; max-width: 34; }
    CustomFieldRow .cf-from { width: 6; padding: 0 1; color: $text-muted; }
    CustomFieldRow .cf-column { width: 1fr; max-width: 28; }
    CustomFieldRow .cf-remove { margin-left: 1; min-width: 8; }
    CustomFieldRow .cf-label { width: 10; padding-left: 4; }
    CustomFieldRow .cf-name { width: 1fr; max-width: 30; }
    CustomFieldRow .cf-type-label { width: 7; padding-left: 1; }
    CustomFieldRow .cf-type { width: 14; }
    CustomFieldRow .cf-note { height: auto; padding-left: 4; color: $text-muted; }
    CustomFieldRow .cf-note.-problem { color: $error; }
    """

    class Changed(Message):
        """The row's field, name, type or column changed."""

        def __init__(self, row: CustomFieldRow) -> None:
            super().__init__()
            self.row = row

    class RemoveRequested(Message):
        """The user pressed the row's Remove."""

        def __init__(self, row: CustomFieldRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, number: int, field: CustomFieldConfig | None = None) -> None:
        super().__init__()
        self._number = number
        self._given = field
        self.existing: dict[str, CustomFieldType] = {}
        """The account's custom fields sgtui can fill (name -> type), once known."""
        self.values: Mapping[str, Sequence[object]] = {}
        """Sample values of each profile column, for the note."""
        self.type_note: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="cf-line"):
            yield Label(f"{self._number}.", classes="cf-number")
            yield Select[str]([(Content("New custom field…"), NEW_FIELD)],
                              prompt="Pick a custom field", classes="cf-field", compact=True)
            yield Label("from", classes="cf-from")
            yield Select[str]([], prompt="profile column", classes="cf-column", compact=True)
            yield Button("Remove", classes="cf-remove", compact=True)
        with Horizontal(classes="cf-new"):
            yield Label("Name", classes="cf-label")
            yield Input(placeholder="letters, digits and _", classes="cf-name", compact=True)
            yield Label("Type", classes="cf-type-label")
            yield Select[str]([(Content(kind.sendgrid), kind.value) for kind in CustomFieldType],
                              allow_blank=False, value=CustomFieldType.TEXT.value,
                              classes="cf-type", compact=True)
        yield Static("", classes="cf-note")

    def on_mount(self) -> None:
        given = self._given
        if given is not None:
            with self.prevent(Select.Changed, Input.Changed):
                self._field_select.value = NEW_FIELD
                self.query_one(".cf-name", Input).value = given.name
                self.query_one(".cf-type", Select).value = given.type.value
        self._show_new_part()

    # -- what the row says -----------------------------------------------------------------
    @property
    def number(self) -> int:
        """The row's place in the part, from 1 (shown, and named in sentences)."""
        return self._number

    @number.setter
    def number(self, number: int) -> None:
        self._number = number
        self.query_one(".cf-number", Label).update(f"{number}.")

    @property
    def choice(self) -> str | None:
        """:data:`NEW_FIELD`, the name of an existing field, or None (nothing picked)."""
        value = self._field_select.value
        if value == Select.NULL:
            return None
        text = str(value)
        return text.removeprefix(_EXISTING) if text.startswith(_EXISTING) else text

    @property
    def is_new(self) -> bool:
        """True when the row makes a new custom field."""
        return self.choice == NEW_FIELD

    @property
    def field_name(self) -> str:
        """The custom field's name ("" when none is picked or typed yet)."""
        choice = self.choice
        if choice == NEW_FIELD:
            return self.query_one(".cf-name", Input).value.strip()
        return choice or ""

    @property
    def kind(self) -> CustomFieldType:
        """The field's type: the account's for an existing field, the chosen one for a new."""
        choice = self.choice
        if choice is not None and choice != NEW_FIELD and choice in self.existing:
            return self.existing[choice]
        return CustomFieldType(str(self.query_one(".cf-type", Select).value))

    @property
    def column(self) -> str | None:
        """The profile column that fills the field, or None."""
        value = self.query_one(".cf-column", Select).value
        return None if value == Select.NULL else str(value)

    @property
    def config(self) -> CustomFieldConfig | None:
        """The field as ``sgtui.toml`` keeps it, once it has a name and a column."""
        if not self.field_name or self.column is None:
            return None
        return CustomFieldConfig(self.field_name, self.column, self.kind)

    def incomplete(self) -> str | None:
        """What the row still lacks, as a sentence; None when it has a field and a column."""
        if self.choice is None:
            return (f"Custom field {self.number}: pick an existing custom field or New custom "
                    "field…, or remove the row.")
        if self.is_new and not self.field_name:
            return f"Custom field {self.number}: type a name for the new custom field."
        if self.is_new and (clash := self._existing_named(self.field_name)) is not None:
            return f"Custom field {self.number}: {self._exists_sentence(clash)}"
        if self.column is None:
            return f"Custom field {self.number}: pick the profile column that fills it."
        return None

    # -- filled by the part ----------------------------------------------------------------
    def offer(self, existing: Mapping[str, CustomFieldType] | None,
              columns: Sequence[str], values: Mapping[str, Sequence[object]]) -> None:
        """Offer the account's ``existing`` fields (None: not known) and the profile
        ``columns``; a new field named as an existing one becomes that field."""
        self.values = values
        field_select = self._field_select
        if existing is not None:
            choice, name, kind = self.choice, self.field_name, self.kind  # by the old fields
            self.existing = dict(existing)
            options = [(Content(f"{field}  ·  {field_type.sendgrid}"), _EXISTING + field)
                       for field, field_type in sorted(self.existing.items(),
                                                       key=lambda item: item[0].lower())]
            with self.prevent(Select.Changed, Input.Changed):
                field_select.set_options([*options, (Content("New custom field…"), NEW_FIELD)])
                same = self._existing_named(name) if choice == NEW_FIELD else None
                if same is not None:
                    field_select.value = _EXISTING + same
                    if self.existing[same] is not kind:
                        self.type_note = (f"{same} is a {self.existing[same].sendgrid} field in "
                                          f"the account (this export said {kind.sendgrid}), "
                                          "so it is filled as one.")
                elif choice is not None and choice != NEW_FIELD and choice in self.existing:
                    field_select.value = _EXISTING + choice
                elif choice is not None:  # a field this account does not have: a new one
                    field_select.value = NEW_FIELD
                    self.query_one(".cf-name", Input).value = name
                    self.query_one(".cf-type", Select).value = kind.value
        column_select = self.query_one(".cf-column", Select)
        chosen = self.column or (self._given.column if self._given else None)
        self._given = None
        with self.prevent(Select.Changed):
            column_select.set_options([(Content(column), column) for column in columns])
            column_select.value = chosen if chosen in columns else Select.NULL
        self._show_new_part()
        self.show_note()

    def focus_field(self) -> None:
        """Put the cursor on the field dropdown."""
        self._field_select.focus()

    # -- reacting --------------------------------------------------------------------------
    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select is self._field_select:
            self.type_note = None
            self._show_new_part()
            if self.is_new:
                self.query_one(".cf-name", Input).focus()
            elif self.choice is not None:
                self.query_one(".cf-column", Select).focus()
        elif event.select.has_class("cf-column") and self.is_new and not self.field_name:
            self._suggest_from_column()
        self.show_note()
        self.post_message(self.Changed(self))

    @on(Input.Changed, ".cf-name")
    def _name_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_note()
        self.post_message(self.Changed(self))

    @on(Button.Pressed, ".cf-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RemoveRequested(self))

    def _suggest_from_column(self) -> None:
        """A new field with no name yet: the column's name (when SendGrid would take it) and
        the type its sample values fit (all numbers: Number; all dates: Date; else Text)."""
        column = self.column
        if column is None:
            return
        with self.prevent(Input.Changed, Select.Changed):
            if field_name_problem(column) is None and self._existing_named(column) is None:
                self.query_one(".cf-name", Input).value = column
            values = [value for value in self.values.get(column, ())
                      if value is not None and str(value).strip()]
            self.query_one(".cf-type", Select).value = _fitting_kind(values).value

    # -- showing ---------------------------------------------------------------------------
    @property
    def _field_select(self) -> Select[str]:
        return self.query_one(".cf-field", Select)

    def _show_new_part(self) -> None:
        self.query_one(".cf-new").display = self.is_new

    def _existing_named(self, name: str) -> str | None:
        return next((field for field in self.existing if field.lower() == name.lower()), None)

    def _exists_sentence(self, name: str) -> str:
        return (f"the account already has a custom field called {name} "
                f"({self.existing[name].sendgrid}); pick it from the list instead.")

    def show_note(self) -> None:
        """Say what is wrong with a new field's name, or how a sample value is sent."""
        problem = False
        if self.is_new and self.field_name:
            sentence = field_name_problem(self.field_name)
            clash = self._existing_named(self.field_name)
            if sentence is None and clash is not None:
                sentence = self._exists_sentence(clash)
            text = first_upper(sentence) if sentence else self._sample_text()
            problem = sentence is not None
        elif self.type_note:
            text = " ".join(filter(None, (self.type_note, self._sample_text())))
        else:
            text = self._sample_text()
        note = self.query_one(".cf-note", Static)
        note.update(Content(text))
        note.set_class(problem, "-problem")
        note.display = bool(text)

    def _sample_text(self) -> str:
        """``e.g. 1234.5 is sent as 1234.5``, and how many sample values would be left out."""
        column = self.column
        if column is None or not self.field_name:
            return ""
        values = [value for value in self.values.get(column, ())
                  if value is not None and str(value).strip()]
        if not values:
            return f"{column} is empty in the profiles looked at."
        kind = self.kind
        converted = [convert(kind, value) for value in values]
        sent = next(((value, c) for value, c in zip(values, converted, strict=True)
                     if c.value is not None), None)
        text = ""
        if sent is not None:
            shown = sent[1].value
            text = (f"e.g. {_short(sent[0])} is sent as "
                    f"{_short(shown) if isinstance(shown, str) else json.dumps(shown)}.")
        refused = [c.reason for c in converted if c.reason]
        if refused:
            text += (f" {len(refused):,} of {len(values):,} values looked at would be left out"
                     f" (e.g. {refused[0]}).")
        return text.strip()


def _short(value: object) -> str:
    """A sample value on one line, at most 40 characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _fitting_kind(values: Sequence[object]) -> CustomFieldType:
    """The type every one of ``values`` converts to without being left out (Text if none)."""
    for kind in (CustomFieldType.NUMBER, CustomFieldType.DATE):
        if values and all(convert(kind, value).reason is None for value in values):
            return kind
    return CustomFieldType.TEXT
