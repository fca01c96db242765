"""A run of the app in a child process, so the engine's CPU work never starves the UI.

The engine reads, prepares, hashes and serializes in threads that hold the GIL; in the
app's own process that makes keys wait for hundreds of milliseconds during a big run. So
the app runs each export in ``python -m sgtui.tui.run_process``, a child that runs
:func:`sgtui.export.engine.run_export` and streams its events back.

The pipes carry everything, never argv, the environment or a file: the parent writes one
:class:`RunRequest` frame to the child's stdin (the API key included), then single bytes:
``c`` cancel (the engine stops at its next step), ``s`` stop now (the engine's task is
cancelled; it records the run as cancelled). The child writes frames to its stdout: every
event, then the summary or a sentence saying why there is none. Closing the child's stdin
(the app quit or died) stops the run as ``s`` does; SIGTERM and SIGHUP cancel it, as they
do ``sgtui run``. Frames are a 4-byte length and a
pickle; both ends are this program.

This module imports no Textual, so the child starts quickly.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from sgtui.errors import SgtuiError, sentence_for

if TYPE_CHECKING:
    from sgtui.export.events import RunEvent, RunSummary
    from sgtui.workspace.config import Workspace
    from sgtui.workspace.secrets import ApiKey

CANCEL = b"c"
STOP = b"s"
HEADER = struct.Struct("<I")


@dataclass(frozen=True, slots=True)
class RunRequest:
    """Everything the child needs to run one export as the app would."""

    folder: str
    document: str
    """``sgtui.toml`` as the app holds it."""
    user: str
    export: str
    full: bool
    allow_removals: int | None
    key: str

    def __repr__(self) -> str:  # the key never shows, not even in a traceback
        return f"RunRequest(export={self.export!r}, folder={self.folder!r})"


class ChildEnded(SgtuiError):
    """The child process ended without a summary; ``sentence`` says so."""


def encode(item: object) -> bytes:
    """One frame: the pickled ``item`` after its length."""
    body = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


# ------------------------------------------------------------------------------- parent
class RunProcess:
    """The parent's end: start the child, read its events, cancel or stop it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, workspace: Workspace, export: str, key: ApiKey, *, full: bool,
                    allow_removals: int | None) -> RunProcess:
        """Start a child running ``export`` with ``key`` (sent over its stdin)."""
        import tomlkit

        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sgtui.tui.run_process",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        request = RunRequest(str(workspace.folder), tomlkit.dumps(workspace.document),
                             workspace.user, export, full, allow_removals, key.reveal())
        assert process.stdin is not None
        process.stdin.write(encode(request))
        await process.stdin.drain()
        return cls(process)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

    def cancel(self) -> None:
        """Ask the engine to stop at its next step."""
        self._send(CANCEL)

    def stop(self) -> None:
        """Stop the engine now; it records the run as cancelled."""
        self._send(STOP)

    def _send(self, signal: bytes) -> None:
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.write(signal)

    async def follow(self, on_event: Callable[[RunEvent], None]) -> RunSummary:
        """Pass each event of the child to ``on_event``; the summary when the run ended.

        Raises :class:`ChildEnded` when the child ended without one.
        """
        stdout = self._process.stdout
        assert stdout is not None
        summary: RunSummary | None = None
        problem: str | None = None
        while True:
            try:
                header = await stdout.readexactly(HEADER.size)
                body = await stdout.readexactly(HEADER.unpack(header)[0])
            except asyncio.IncompleteReadError:
                break
            kind, value = pickle.loads(body)
            if kind == "event":
                on_event(value)
            elif kind == "summary":
                summary = value
            else:
                problem = value
        code = await self._process.wait()
        if summary is not None:
            return summary
        raise ChildEnded(problem or f"The run's process ended unexpectedly (exit code {code}); "
                                    "the next run of the export picks up where it stopped.")

    def abandon(self) -> None:
        """Stop the child and stop listening: it records the run and exits by itself."""
        self.stop()
        stdin = self._process.stdin
        if stdin is not None:
            stdin.close()


# -------------------------------------------------------------------------------- child
def child_main() -> int:
    """Read one request from stdin, run it, write frames to stdout."""
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else prints goes to stderr, never into the frames
    commands = sys.stdin.buffer
    header = commands.read(HEADER.size)
    if len(header) < HEADER.size:
        return 2
    request: RunRequest = pickle.loads(commands.read(HEADER.unpack(header)[0]))
    asyncio.run(_serve(request, commands, frames))
    return 0


async def _serve(request: RunRequest, commands: IO[bytes], frames: IO[bytes]) -> None:
    from pathlib import Path

    from sgtui.export.engine import RunOptions, run_export
    from sgtui.workspace.config import Workspace, parse_document
    from sgtui.workspace.secrets import ApiKey, MemorySecrets

    loop = asyncio.get_running_loop()
    lock = threading.Lock()

    def send(kind: str, value: Any) -> None:
        frame = encode((kind, value))
        with lock:  # the engine may report from its threads
            frames.write(frame)
            frames.flush()

    folder = Path(request.folder)
    workspace = Workspace(folder, parse_document(request.document, folder / "sgtui.toml"),
                          user=request.user, base_text=request.document)
    cancel = asyncio.Event()
    task = asyncio.ensure_future(run_export(
        workspace, request.export, secrets=MemorySecrets(),
        on_event=lambda event: send("event", event),
        options=RunOptions(full=request.full, allow_removals=request.allow_removals),
        cancel=cancel, key=ApiKey(request.key)))

    def stop() -> None:
        cancel.set()
        task.cancel()

    def listen() -> None:
        while True:
            signal = commands.read(1)
            if signal == CANCEL:
                loop.call_soon_threadsafe(cancel.set)
            else:  # STOP, or the app closed the pipe
                loop.call_soon_threadsafe(stop)
                return

    threading.Thread(target=listen, name="run-commands", daemon=True).start()
    for number in (signal.SIGTERM, signal.SIGHUP):  # as sgtui run: a signal cancels
        loop.add_signal_handler(number, cancel.set)
    try:
        send("summary", await task)
    except asyncio.CancelledError:
        send("problem", "The run was stopped before it could record its outcome; the next "
                        "run of the export picks up where it stopped.")
    except Exception as error:  # the parent shows a sentence, never a traceback
        send("problem", sentence_for(
            error, "The run stopped unexpectedly ({cause}); nothing more was sent."))
    frames.close()


if __name__ == "__main__":
    raise SystemExit(child_main())
