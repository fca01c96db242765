"""Choosing the SendGrid list an export fills: pick one, create one, or type its ID."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from sgtui.errors import sentence_for
from sgtui.tui.sgtui_node import OfSgtuiApp
from sgtui.tui.widgets.plain_marks import Button, Select

if TYPE_CHECKING:
    from sgtui.sendgrid.models import ContactList
    from sgtui.workspace.model import ConnectionConfig
    from sgtui.workspace.secrets import ApiKey

NEW_LIST = "__sgtui_new_list__"
TYPED_ID = "__sgtui_typed_id__"
MODE_HINTS = {
    NEW_LIST: "Type the name of the new list, then press Create (or Next).",
    TYPED_ID: "Type the list's ID as SendGrid shows it, then press Check (or Next).",
}
"""What to do next in a mode that asks for typing; choosing an account's list needs none."""


class ListPicker(OfSgtuiApp, Vertical):
    """The account's lists (fetched in a worker), "Create a new list", or a typed list ID.

    Call :meth:`load` with the connection; the picker finds this user's key, fetches the
    lists and posts :class:`ListPicker.Chosen` whenever a list is settled on.
    """

    DEFAULT_CSS = """
    ListPicker { height: auto; }
    ListPicker #list-status { height: auto; color: $text-muted; margin-bottom: 1; }
    ListPicker #list-status.-problem { color: $error; }
    ListPicker #list-select { width: 1fr; max-width: 72; }
    ListPicker .list-row { height: auto; margin-top: 1; }
    ListPicker .list-row Input { width: 1fr; max-width: 56; }
    ListPicker .list-row Button { margin-left: 1; min-width: 10; }
    ListPicker #list-chosen { height: auto; margin-top: 1; }
    ListPicker #list-note { height: auto; margin-top: 1; color: $text-muted; }
    ListPicker #list-note.-problem { color: $error; }
    """

    class Chosen(Message):
        """A list was settled on (``checked`` is False when it could not be checked), or
        none is (``list_id`` empty: the mode changed, or creating or checking one failed,
        which the picker says itself)."""

        def __init__(self, list_id: str, list_name: str | None, checked: bool) -> None:
            super().__init__()
            self.list_id, self.list_name, self.checked = list_id, list_name, checked

    class KeyFound(Message):
        """This user's key for the connection was looked up (in a thread)."""

        def __init__(self, key: ApiKey | None) -> None:
            super().__init__()
            self.key = key

    class ListsFetched(Message):
        """The account's lists arrived, or the sentence saying why they did not."""

        def __init__(self, lists: list[ContactList] | None, problem: str | None) -> None:
            super().__init__()
            self.lists, self.problem = lists, problem

    class ListSettled(Message):
        """A list was created or a typed ID checked; ``problem`` when that failed."""

        def __init__(self, found: ContactList | None, problem: str | None, typed: bool) -> None:
            super().__init__()
            self.found, self.problem, self.typed = found, problem, typed

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.connection: ConnectionConfig | None = None
        self.key: ApiKey | None = None
        self.key_known = False
        self.lists: list[ContactList] = []
        self.fetched = False
        self.chosen_id = ""
        self.chosen_name: str | None = None
        self.checked = False
        self.busy = False
        self._wanted: tuple[str, str | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("Looking for your API key…"), id="list-status")
        yield Select[str]([], prompt="Choose a list", id="list-select", compact=True)
        with Horizontal(id="new-list-row", classes="list-row"):
            yield Input(placeholder="Name of the new list", id="new-list-name", compact=True)
            yield Button("Create", id="create-list", compact=True)
        with Horizontal(id="list-id-row", classes="list-row"):
            yield Input(placeholder="List ID from SendGrid", id="typed-list-id", compact=True)
            yield Button("Check", id="check-list", compact=True)
        yield Static("", id="list-chosen")
        yield Static("", id="list-note")

    def on_mount(self) -> None:
        self.query_one("#new-list-row").display = False
        self.query_one("#list-id-row").display = False

    # -- public ----------------------------------------------------------------------------
    def load(self, connection: ConnectionConfig, list_id: str = "", list_name: str | None = None,
             checked: bool = False) -> None:
        """Show the lists of ``connection``, with ``list_id`` chosen when it is one of them."""
        same = self.connection is not None and self.connection.name == connection.name
        if same and self.key_known and (self.fetched or self.key is None):
            return  # already shown; a failed fetch is tried again
        self.connection = connection
        self.key, self.key_known, self.lists, self.fetched = None, False, [], False
        self.chosen_id, self.chosen_name, self.checked = list_id, list_name, checked
        self._wanted = (list_id, list_name) if list_id else None
        self._status("Looking for your API key…")
        self._show_chosen()
        self.find_key(connection.name)

    @property
    def mode(self) -> str | None:
        """``NEW_LIST``, ``TYPED_ID``, a list id, or None."""
        value = self.query_one("#list-select", Select).value
        return None if value == Select.NULL else str(value)

    def settle(self) -> str | None:
        """Finish what the user started (create / check); the problem sentence, or None.

        Returns a sentence while SendGrid is being asked (the caller waits for ``Chosen``).
        """
        if self.busy:
            return "Still waiting for SendGrid…"
        mode = self.mode
        if mode == NEW_LIST:
            name = self.query_one("#new-list-name", Input).value.strip()
            if self.chosen_id and self.checked and self.chosen_name == name:
                return None
            if not name:
                return "Type a name for the new list, then press Create."
            self.busy = True
            self.create_list(name)
            return "Creating the list in SendGrid…"
        if mode == TYPED_ID:
            typed = self.query_one("#typed-list-id", Input).value.strip()
            if self.chosen_id == typed and typed:
                return None
            if not typed:
                return "Type the list's ID, as SendGrid shows it, then press Check."
            return self._check_typed(typed)
        if not self.chosen_id:
            return "Choose a list, create a new one, or type a list ID."
        return None

    # -- the key, then the lists -----------------------------------------------------------
    @work(thread=True, exclusive=True, group="list-key", exit_on_error=False)
    def find_key(self, connection: str) -> None:
        """Look up this user's key for ``connection`` (keyring access blocks)."""
        from sgtui.tui.screens.export_wizard.keys import key_for

        app = self.app
        self.post_message(self.KeyFound(key_for(app.workspace, connection, app.secrets)))

    def on_list_picker_key_found(self, event: KeyFound) -> None:
        event.stop()
        self.key, self.key_known = event.key, True
        assert self.connection is not None
        if event.key is None:
            from sgtui.tui.screens.export_wizard.keys import no_key_sentence

            self._status(no_key_sentence(self.connection, what="read its lists",
                                         user=self.app.workspace.user) +
                         " You can still type a list ID.", problem=True)
            self._fill_options([])
            return
        self._status(f"Fetching the lists in {self.connection.display_name}…")
        self.fetch_lists()

    def _client(self):  # type: ignore[no-untyped-def]
        """A client that gives up after one retry: someone is waiting at the screen."""
        assert self.connection is not None and self.key is not None
        return self.app.sendgrid_for(self.connection, self.key)

    @work(exclusive=True, group="list-fetch", exit_on_error=False)
    async def fetch_lists(self) -> None:
        """Read every list of the account."""
        try:
            async with self._client() as client:
                lists = await client.lists()
        except Exception as error:  # a surprise must not end the app
            self.post_message(self.ListsFetched(None, sentence_for(
                error, "sgtui could not read the lists ({cause}); try again in a moment.")))
        else:
            self.post_message(self.ListsFetched(lists, None))

    def on_list_picker_lists_fetched(self, event: ListsFetched) -> None:
        event.stop()
        assert self.connection is not None
        if event.lists is None:
            self._status(f"The lists of {self.connection.display_name} could not be fetched: "
                         f"{event.problem} (Back, then Next, fetches them again; or type a "
                         "list ID.)",
                         problem=True)
            self._fill_options([])
            return
        self.fetched = True
        self.lists = sorted(event.lists, key=lambda found: found.name.lower())
        self._show_count()
        self._fill_options(self.lists)

    def _show_count(self) -> None:
        """``3 lists in Marketing SendGrid``: after fetching, and after creating one."""
        if self.connection is None:
            return
        count = len(self.lists)
        self._status(f"{count} list{'' if count == 1 else 's'} in "
                     f"{self.connection.display_name}.")

    def _fill_options(self, lists: list[ContactList]) -> None:
        select = self.query_one("#list-select", Select)
        options: list[tuple[Content, str]] = [
            (Content(f"{found.name}  ·  {found.contact_count:,} contacts"), found.id)
            for found in lists
        ]
        if self.key is not None:
            options.append((Content("Create a new list…"), NEW_LIST))
        options.append((Content("Type a list ID…"), TYPED_ID))
        with self.prevent(Select.Changed):
            select.set_options(options)
        wanted = self._wanted
        self._wanted = None
        if wanted and any(found.id == wanted[0] for found in lists):
            with self.prevent(Select.Changed):
                select.value = wanted[0]
            self._choose(wanted[0], next(f.name for f in lists if f.id == wanted[0]), True)
        elif wanted:
            with self.prevent(Select.Changed):
                select.value = TYPED_ID
            self.query_one("#typed-list-id", Input).value = wanted[0]
            self._show_rows()
            if self.key is not None:  # not among the lists: Next checks it with SendGrid
                self.chosen_id, self.checked = "", False
                if self.fetched:
                    self._note("This export's list is not among the account's lists: check "
                               "the ID, or choose another list.", problem=True)
            self._show_chosen()

    # -- the user's choice -----------------------------------------------------------------
    @on(Select.Changed, "#list-select")
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_rows()
        value = self.mode
        self._note(MODE_HINTS.get(value or "", ""))
        if value == NEW_LIST:
            self.query_one("#new-list-name", Input).focus()
        elif value == TYPED_ID:
            self.query_one("#typed-list-id", Input).focus()
        if value in (None, NEW_LIST, TYPED_ID):
            self.chosen_id, self.chosen_name, self.checked = "", None, False
            self._show_chosen()
            self.post_message(self.Chosen("", None, False))  # what was said of the last mode goes
            return
        found = next((item for item in self.lists if item.id == value), None)
        self._choose(value, found.name if found else None, True)

    def _show_rows(self) -> None:
        mode = self.mode
        self.query_one("#new-list-row").display = mode == NEW_LIST
        self.query_one("#list-id-row").display = mode == TYPED_ID

    @on(Button.Pressed, "#create-list")
    @on(Input.Submitted, "#new-list-name")
    def _create_pressed(self, event: Message) -> None:
        event.stop()
        name = self.query_one("#new-list-name", Input).value.strip()
        if not name:
            self._note("Type a name for the new list first.", problem=True)
            return
        if not self.busy:
            self.busy = True
            self.create_list(name)

    @on(Button.Pressed, "#check-list")
    @on(Input.Submitted, "#typed-list-id")
    def _check_pressed(self, event: Message) -> None:
        event.stop()
        typed = self.query_one("#typed-list-id", Input).value.strip()
        if not typed:
            self._note("Type the list's ID first.", problem=True)
            return
        if not self.busy:
            problem = self._check_typed(typed)
            if problem and not self.busy:
                self._note(problem, problem=True)

    def _check_typed(self, typed: str) -> str | None:
        if not self.key_known:
            return "Still looking for your API key…"
        if self.key is None:
            self._choose(typed, None, False)
            self._note("sgtui cannot check this ID without an API key; the first run with an "
                       "export user's key will.")
            return None
        self.busy = True
        self.check_list(typed)
        return "Checking the list ID with SendGrid…"

    @work(exclusive=True, group="list-settle", exit_on_error=False)
    async def create_list(self, name: str) -> None:
        """Create a list called ``name`` in SendGrid (unless one with that name exists)."""
        self._note(f"Creating {name!r} in SendGrid…")
        existing = next((item for item in self.lists if item.name == name), None)
        if existing is not None:
            self.post_message(self.ListSettled(None, f"There is already a list called {name!r}; "
                                               "choose it from the lists instead.", False))
            return
        try:
            async with self._client() as client:
                created = await client.create_list(name)
        except Exception as error:
            self.post_message(self.ListSettled(None, sentence_for(
                error, "sgtui could not create the list ({cause}); try again in a moment."), False))
        else:
            self.post_message(self.ListSettled(created, None, False))

    @work(exclusive=True, group="list-settle", exit_on_error=False)
    async def check_list(self, list_id: str) -> None:
        """Ask SendGrid whether ``list_id`` is a list of this account."""
        self._note("Checking the list ID with SendGrid…")
        try:
            async with self._client() as client:
                found = await client.get_list(list_id)
        except Exception as error:
            self.post_message(self.ListSettled(None, sentence_for(
                error, "sgtui could not check the list ({cause}); try again in a moment."), True))
        else:
            self.post_message(self.ListSettled(found, None, True))

    def on_list_picker_list_settled(self, event: ListSettled) -> None:
        event.stop()
        self.busy = False
        if event.found is None:
            self.chosen_id, self.chosen_name, self.checked = "", None, False
            self._show_chosen()
            self._note(event.problem or "", problem=True)
            self.post_message(self.Chosen("", None, False))
            return
        found = event.found
        if not event.typed:
            self.lists = sorted([*self.lists, found], key=lambda item: item.name.lower())
            self._show_count()
            self._fill_options(self.lists)
            with self.prevent(Select.Changed):
                self.query_one("#list-select", Select).value = found.id
            self._show_rows()
            self._note(f"Created the list {found.name!r} in SendGrid.")
        else:
            self._note("SendGrid knows this list.")
        self._choose(found.id, found.name, True)

    def _choose(self, list_id: str, name: str | None, checked: bool) -> None:
        self.chosen_id, self.chosen_name, self.checked = list_id, name, checked
        self._show_chosen()
        self.post_message(self.Chosen(list_id, name, checked))

    # -- showing ---------------------------------------------------------------------------
    def _show_chosen(self) -> None:
        chosen = self.query_one("#list-chosen", Static)
        if not self.chosen_id:
            chosen.update("")
            return
        name = self.chosen_name or "(name unknown)"
        text = Content.styled("Export to: ", "bold") + Content(f"{name}  ") + Content.styled(
            f"ID {self.chosen_id}", "dim")
        chosen.update(text)

    def _status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#list-status", Static)
        status.update(Content(text))
        status.set_class(problem, "-problem")

    def _note(self, text: str, *, problem: bool = False) -> None:
        note = self.query_one("#list-note", Static)
        note.update(Content(text))
        note.set_class(problem, "-problem")
