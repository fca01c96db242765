"""Help for the screen you are on: what it is for, and its keys as you have them.

Every screen says what it is for in a ``HELP`` class attribute; the keys come from the
screen's active bindings at the moment help opens, so a key remapped in ``config.toml`` and
a key that does nothing right now (no export selected, say) show as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from sgtui.tui.keys import HELP_BINDING, bound_key

PALETTE_ACTION = "command_palette"


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One line of the help: the keys, what they do, and whether they do it right now."""

    keys: str
    description: str
    enabled: bool


def screen_keys(screen: Screen[object]) -> tuple[list[KeyLine], list[KeyLine]]:
    """The keys of ``screen`` (and of sgtui's widgets on it), then the keys of the whole app.

    Only sgtui's bindings (each has an id) and the command palette's key are listed; a
    binding on several keys (``d``, ``delete``) is one line.
    """
    app = screen.app
    here: dict[tuple[int, str], KeyLine] = {}
    everywhere: dict[tuple[int, str], KeyLine] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not (binding.id or binding.action == PALETTE_ACTION):
            continue  # Textual's own keys (tab, ctrl+q), a table's cursor keys
        lines = everywhere if active.node is app else here
        slot = (id(active.node), binding.id or binding.action)
        shown = app.get_key_display(binding)
        known = lines.get(slot)
        keys = shown if known is None else f"{known.keys} / {shown}"
        lines[slot] = KeyLine(keys, binding.tooltip or binding.description, active.enabled)
    return list(here.values()), list(everywhere.values())


class HelpScreen(ModalScreen[None]):
    """What the screen below is for, and its keys; Escape (or the help key) closes it."""

    HELP = "This help: what the screen you were on is for, and its keys."

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > #help-dialog {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $panel; padding: 0 1;
        border-title-style: bold; border-subtitle-color: $text-muted;
    }
    HelpScreen #help-body { height: auto; max-height: 100%; }
    HelpScreen #help-purpose { height: auto; margin-bottom: 1; }
    HelpScreen #help-columns { height: auto; }
    HelpScreen .help-column { width: 1fr; height: auto; }
    HelpScreen .help-heading { height: auto; text-style: bold; color: $accent; }
    HelpScreen #help-remap { height: auto; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "close", "Close help", id="help.close"), HELP_BINDING]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.title_text = str(getattr(screen, "HELP_TITLE", "") or _title(screen))
        self.purpose = str(getattr(screen, "HELP", "") or "")
        self.here, self.everywhere = screen_keys(screen)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = Content(f"Help: {self.title_text}")
            dialog.border_subtitle = Content(f"{bound_key(self, 'help.close')} closes")
            with VerticalScroll(id="help-body"):
                if self.purpose:
                    yield Static(Content(self.purpose), id="help-purpose")
                with Horizontal(id="help-columns"):
                    if self.here:
                        with Vertical(classes="help-column"):
                            yield Static(Content("On this screen"), classes="help-heading")
                            yield Static(_key_table(self.here), id="help-here")
                    if self.everywhere:
                        with Vertical(classes="help-column"):
                            yield Static(Content("Everywhere"), classes="help-heading")
                            yield Static(_key_table(self.everywhere), id="help-everywhere")
                yield Static(Content("Keys can be changed in config.toml: see the README, "
                                     "Keys."), id="help-remap", classes="muted")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


def _title(screen: Screen[object]) -> str:
    name = type(screen).__name__.removesuffix("Screen").removesuffix("Modal")
    return "".join(f" {c}" if c.isupper() else c for c in name).strip() or "sgtui"


def _key_table(lines: list[KeyLine]) -> Content:
    width = max(len(line.keys) for line in lines) + 2
    rows = []
    for line in lines:
        words = line.description if line.enabled else f"{line.description} (not now)"
        rows.append(Content.styled(f"{line.keys:<{width}}", "bold")
                    + Content.styled(words, "" if line.enabled else "dim"))
    return Content("\n").join(rows)
