"""The connection set-up flow (Add, Edit, Add me as export user), one step per screen."""

from sgtui.tui.screens.connection_setup.draft import ConnectionDraft, Region, SetupMode
from sgtui.tui.screens.connection_setup.flow import (
    SetupFlow,
    add_connection,
    add_me_as_export_user,
    edit_connection,
)

__all__ = ["ConnectionDraft", "Region", "SetupFlow", "SetupMode", "add_connection",
           "add_me_as_export_user", "edit_connection"]
