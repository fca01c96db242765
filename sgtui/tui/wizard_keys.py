"""The keys both wizards move with, the connection set-up flow and the export wizard: one home,
so Back, Next and Save are the same keys in both.

The keys have to arrive over SSH, in tmux, in GNU screen and in a plain xterm, and must not
be taken by the fields on the steps. That rules out ``ctrl+b`` (tmux's prefix), ``ctrl+a``
(screen's prefix, and start of line in a field), ``alt+…`` and ``alt+left`` (xterm sends
8-bit meta by default and screen drops modified arrows), ``ctrl+p`` (the command palette),
the letters a text field keeps (``ctrl+a/c/d/e/k/u/v/w/x``) and plain letters (typed into
fields). ``ctrl+s`` arrives too: sgtui switches XON/XOFF flow control off, and screen follows
the terminal's setting. Each wizard keeps its own binding ids (``setup.…``, ``wizard.…``), so
a user's keymap keeps working; the defaults come from here.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

CANCEL = "escape"
BACK = "ctrl+o"
NEXT = "ctrl+n"
SAVE = "ctrl+s"
SAVE_AND_RUN = "ctrl+r"


def wizard_bindings(prefix: str, *, cancel: str, back: str, forward: str, save: str,
                    save_and_run: str | None = None) -> list[BindingType]:
    """Cancel, Back, Next, Save (and Save and run now) on their keys, in that order in the
    footer; the ids are ``prefix.cancel``, ``prefix.back``… and the arguments are the actions."""
    bindings: list[BindingType] = [
        Binding(CANCEL, cancel, "Cancel", id=f"{prefix}.cancel"),
        Binding(BACK, back, "Back", id=f"{prefix}.back"),
        Binding(NEXT, forward, "Next", id=f"{prefix}.next"),
        Binding(SAVE, save, "Save", id=f"{prefix}.save"),
    ]
    if save_and_run is not None:
        bindings.append(Binding(SAVE_AND_RUN, save_and_run, "Save and run now",
                                id=f"{prefix}.save-run"))
    return bindings
