"""The batches SendGrid accepted with their jobs, and the rows set aside."""

from __future__ import annotations

from rich.text import Text

from sgtui.export.progress_state import BatchRow, RunProgressState
from sgtui.export.wording import shown
from sgtui.tui.widgets.plain_marks import DataTable

JOB_ID_WIDTH = 13
FULL_JOB_IDS_FROM = 120
"""Terminals at least this wide show whole job ids; narrower ones the first characters."""

JOB_STYLES = {"completed": "green", "pending": "yellow", "errored": "red", "failed": "bold red"}


def _bytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"


def _right(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


class BatchTable(DataTable[object]):
    """One row per batch: contacts, bytes, job id, status, created/updated/errored."""

    DEFAULT_CSS = """
    BatchTable { height: auto; max-height: 12; margin: 0 1; }
    """

    COLUMNS = ("Batch", "Contacts", "Size", "Job", "Status", "Created", "Updated", "Errored")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=True)
        self._shown: dict[int, tuple[object, ...]] = {}

    def on_mount(self) -> None:
        for column in self.COLUMNS:
            self.add_column(column, key=column.lower())

    def _cells(self, row: BatchRow) -> tuple[object, ...]:
        status = Text(row.status or "—", style=JOB_STYLES.get(row.status, ""))
        job = row.job_id or "—"
        if len(job) > JOB_ID_WIDTH and self.app.size.width < FULL_JOB_IDS_FROM:
            job = job[:JOB_ID_WIDTH - 1] + "…"
        return (
            _right(row.batch), _right(row.contacts), Text(_bytes(row.bytes), justify="right"),
            Text(job), status,
            _right(row.created), _right(row.updated),
            Text(f"{row.errored:,}", justify="right", style="red" if row.errored else ""),
        )

    def show(self, state: RunProgressState) -> None:
        """Add new batches and update the rows whose job changed."""
        for number, row in state.batches.items():
            key = (row.contacts, row.bytes, row.job_id, row.status, row.created, row.updated,
                   row.errored)
            previous = self._shown.get(number)
            if previous == key:
                continue
            cells = self._cells(row)
            if previous is None:
                self.add_row(*cells, key=str(number))
            else:
                for column, cell in zip(self.COLUMNS, cells, strict=True):
                    self.update_cell(str(number), column.lower(), cell, update_width=True)
            self._shown[number] = key


class RejectedRowsTable(DataTable[object]):
    """The rows that did not go to SendGrid: profile key, email and the reason."""

    DEFAULT_CSS = """
    RejectedRowsTable { height: auto; max-height: 10; margin: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=True)
        self._count = 0

    def on_mount(self) -> None:
        self.add_column("Profile", key="key")
        self.add_column("Email", key="email")
        self.add_column("Reason", key="reason")

    def show(self, state: RunProgressState) -> None:
        """Append the rows that arrived since the last redraw."""
        new = state.rejected[self._count:]
        if not new:
            return
        # User data: wrapped in Text so nothing in it is read as markup.
        self.add_rows(
            (Text(shown(row.key)), Text(shown(row.email)), Text(row.reason)) for row in new
        )
        self._count = len(state.rejected)
