"""Customer data: profiles, segments and memberships, wherever they live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sgtui.source.base import Column, CustomerSource, Segment, SegmentTotals, SourceError
from sgtui.source.sqlite import SqliteSource

if TYPE_CHECKING:
    from sgtui.workspace.config import Workspace

__all__ = ["Column", "CustomerSource", "Segment", "SegmentTotals", "SourceError", "open_source"]


def open_source(workspace: Workspace) -> CustomerSource:
    """The customer data the workspace's ``[source]`` table points at."""
    config = workspace.source
    if config.type == "sqlite":
        return SqliteSource(workspace.source_path)
    if config.type == "postgresql":
        try:
            from sgtui.source.postgresql import PostgresSource
        except ModuleNotFoundError as error:
            if error.name != "psycopg":
                raise
            raise SourceError(
                "This workspace reads PostgreSQL, which needs the psycopg driver, an optional "
                "extra: install it with pip install 'sgtui[postgresql]'."
            ) from None
        return PostgresSource.from_config(config)
    if config.type == "sql":
        try:
            from sgtui.source.sql import SqlSource
        except ModuleNotFoundError as error:
            if error.name != "sqlalchemy":
                raise
            from sgtui.source.sql_connect import SQLALCHEMY_MISSING

            raise SourceError(SQLALCHEMY_MISSING) from None
        return SqlSource.from_config(config, folder=workspace.folder)
    raise SourceError(
        f"The source type {config.type!r} is unknown; use \"sqlite\", \"postgresql\" or "
        "\"sql\"."
    )
