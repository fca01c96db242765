"""Every step screen of the connection set-up flow, in order."""

from sgtui.tui.screens.connection_setup.api_key import ApiKeyStep
from sgtui.tui.screens.connection_setup.connect import ConnectStep
from sgtui.tui.screens.connection_setup.consent import ConsentStep
from sgtui.tui.screens.connection_setup.export_user import ExportUserStep
from sgtui.tui.screens.connection_setup.name import NameStep
from sgtui.tui.screens.connection_setup.save import SaveStep
from sgtui.tui.screens.connection_setup.usable_by import UsableByStep

__all__ = ["ApiKeyStep", "ConnectStep", "ConsentStep", "ExportUserStep", "NameStep",
           "SaveStep", "UsableByStep"]
