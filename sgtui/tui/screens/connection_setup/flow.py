"""The set-up flow: which steps, in what order, and moving between them."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from sgtui.tui.screens.connection_setup.draft import ConnectionDraft, SetupMode
from sgtui.workspace.secrets import SecretsError, account_name

if TYPE_CHECKING:
    from sgtui.tui.app import SgtuiApp
    from sgtui.tui.screens.connection_setup.base import SetupStep


class SetupFlow:
    """Walks one :class:`ConnectionDraft` through its step screens.

    The first step is pushed on top of the current screen; Next and Back switch the step
    screen in place, so Escape (or finishing) goes back to where the flow started.
    """

    def __init__(
        self, app: SgtuiApp, draft: ConnectionDraft, steps: list[type[SetupStep]]
    ) -> None:
        self.app = app
        self.draft = draft
        self.steps = steps
        self.index = 0

    @property
    def titles(self) -> list[str]:
        """The step titles, for the step indicator."""
        return [step.STEP_TITLE for step in self.steps]

    @property
    def is_last(self) -> bool:
        """Whether the current step is the last."""
        return self.index == len(self.steps) - 1

    def screen_for(self, index: int) -> SetupStep:
        """A fresh screen for step ``index`` (each step reads the draft when it mounts)."""
        self.index = index
        return self.steps[index](self)

    def start(self) -> None:
        """Show the first step."""
        self.app.push_screen(self.screen_for(0))

    def go(self, index: int) -> None:
        """Show step ``index`` in place of the current one."""
        self.app.switch_screen(self.screen_for(index))

    def next(self) -> None:
        """The next step, or close the flow after the last."""
        if self.is_last:
            self.close()
        else:
            self.go(self.index + 1)

    def back(self) -> None:
        """The step before (the first step's Back is Cancel, handled by the step)."""
        if self.index > 0:
            self.go(self.index - 1)

    def close(self) -> None:
        """Leave the flow; a key stored for a connection that was never saved is forgotten."""
        draft = self.draft
        if draft.key_stored_in and draft.is_new and not draft.saved:
            self._forget_stored_key()
        self.app.pop_screen()

    def _forget_stored_key(self) -> None:
        from sgtui.workspace.secrets import user_key_file

        draft, workspace = self.draft, self.app.workspace
        store = user_key_file() if draft.key_stored_in == "file" else self.app.secrets
        account = account_name(workspace.id, draft.name)

        def forget() -> None:
            # Nothing saved refers to it, so a stale entry left behind is harmless.
            with contextlib.suppress(SecretsError, OSError):
                store.delete(account)

        self.app.run_worker(forget, thread=True, exit_on_error=False, group="setup-forget")



def _full_steps() -> list[type[SetupStep]]:
    from sgtui.tui.screens.connection_setup import steps

    return [steps.NameStep, steps.UsableByStep, steps.ApiKeyStep, steps.ConsentStep,
            steps.ConnectStep, steps.ExportUserStep, steps.SaveStep]


def add_connection(app: SgtuiApp) -> SetupFlow:
    """Start setting up a new connection (the demo's sandbox is pre-selected as base URL)."""
    demo_url = app.demo.sandbox_url if app.demo is not None else None
    draft = ConnectionDraft.new(base_url=demo_url) if demo_url else ConnectionDraft.new()
    flow = SetupFlow(app, draft, _full_steps())
    flow.start()
    return flow


def edit_connection(app: SgtuiApp, name: str) -> SetupFlow:
    """Start editing the connection ``name`` (the key is optional: empty keeps the stored one)."""
    draft = ConnectionDraft.of(app.workspace.connections[name], SetupMode.EDIT)
    flow = SetupFlow(app, draft, _full_steps())
    flow.start()
    return flow


def add_me_as_export_user(app: SgtuiApp, name: str) -> SetupFlow:
    """Let the current admin enter the key of ``name`` again and become its export user."""
    from sgtui.tui.screens.connection_setup import steps

    connection = app.workspace.connections[name]
    draft = ConnectionDraft.of(connection, SetupMode.ADD_ME)
    chosen: list[type[SetupStep]] = [steps.ApiKeyStep]
    if connection.consent is None:  # a hand-written connection nobody agreed for yet
        chosen.append(steps.ConsentStep)
    chosen += [steps.ConnectStep, steps.ExportUserStep, steps.SaveStep]
    flow = SetupFlow(app, draft, chosen)
    flow.start()
    return flow
