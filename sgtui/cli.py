"""The ``sgtui`` command line: argument parsing and dispatch to lazily imported commands.

Exit codes: 0 success, 1 run failed or partly rejected, 2 usage or configuration error.
Heavy modules (Textual, httpx, keyring) are imported only by the command that needs them,
so ``sgtui --help`` and ``sgtui check`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from sgtui import __version__
from sgtui.errors import sentence_for

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

# command name -> "module:function"; each function takes the parsed arguments, returns a code.
COMMANDS: dict[str, str] = {
    "tui": "sgtui.commands.tui:main",
    "demo": "sgtui.commands.demo:main",
    "sandbox": "sgtui.sandbox.command:main",
    "run": "sgtui.commands.run:main_run",
    "refresh": "sgtui.commands.run:main_refresh",
    "check": "sgtui.commands.check:main",
    "import": "sgtui.commands.csv_import:main",
    "notify": "sgtui.commands.notify:main",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sgtui command."""
    parser = argparse.ArgumentParser(
        prog="sgtui",
        description="Export customer segments into SendGrid contact lists, from a terminal.",
        epilog="With no command, sgtui opens the terminal app on the workspace.",
    )
    parser.add_argument("--version", action="version", version=f"sgtui {__version__}")
    _add_workspace(parser)
    parser.set_defaults(command="tui")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="a complete local playground: demo data, a sandbox SendGrid, the app"
    )
    demo.add_argument("--profiles", type=_positive_int, default=25_000, metavar="N",
                      help="how many demo profiles to generate (default 25,000)")
    demo.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    _add_workspace(demo, "a new temporary folder, kept after the demo")
    demo.set_defaults(command="demo")

    sandbox = commands.add_parser(
        "sandbox", help="run the SendGrid-compatible sandbox server on loopback"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=0, help="0 picks a free port")
    sandbox.add_argument("--api-key", action="append", default=[], metavar="KEY[:SCOPES]",
                         help="a key to accept, optionally with comma-separated scopes "
                              "(repeatable; one is generated and printed when none is given)")
    sandbox.add_argument("--job-delay", type=float, default=0.0, metavar="SECONDS",
                         help="how long import jobs stay pending")
    sandbox.add_argument("--index-lag", type=float, default=0.0, metavar="SECONDS",
                         help="how long after a job list counts and searches catch up, as "
                              "on real SendGrid (minutes there; default 0)")
    sandbox.add_argument("--rate-limit-contacts", type=int, default=200, metavar="N",
                         help="contact writes allowed a minute (default 200)")
    sandbox.add_argument("--rate-limit-other", type=int, default=600, metavar="N",
                         help="other requests allowed a minute per endpoint (default 600)")
    sandbox.add_argument("--fault-rate", type=float, default=0.0, metavar="F",
                         help="share of requests that meet a fault (0..1)")
    sandbox.add_argument("--seed", type=int, default=None, help="seed for faults and ids")
    sandbox.add_argument("--state", type=Path, default=None, metavar="FILE",
                         help="load the state from FILE at start and save it there at exit")
    sandbox.set_defaults(command="sandbox")

    run = commands.add_parser(
        "run", help="run one export headless, with a progress bar",
        epilog="Exit status: 0 when the run succeeded, also when sgtui set rows aside because "
               "their email is missing or invalid (the summary counts them and names the "
               "rejected-rows CSV that lists them); 1 when the run failed (also when it could "
               "not start, e.g. without an API key here), was cancelled, or SendGrid refused "
               "some rows; 2 for a usage or configuration error.")
    run.add_argument("export", metavar="EXPORT")
    run.add_argument("--dry-run", action="store_true",
                     help="do everything but the writes; one that stops while checking the "
                          "export (no key here, over the limit, a key SendGrid refuses) is "
                          "not recorded in History")
    run.add_argument("--json", action="store_true", help="print one JSON summary")
    run.add_argument("--full", action="store_true", help="send every contact, not only changes")
    run.add_argument("--allow-removals", type=int, default=None, metavar="N",
                     help="allow a mirror run to remove up to N contacts from the list")
    _add_workspace(run)
    run.set_defaults(command="run")

    refresh = commands.add_parser("refresh", help="run every scheduled export (cron, systemd)")
    refresh.add_argument("--json", action="store_true", help="print one JSON summary")
    _add_workspace(refresh)
    refresh.set_defaults(command="refresh")

    check = commands.add_parser(
        "check", help="validate the workspace; exit 0 or explain",
        epilog="Exit status: 0 when the workspace is usable, 2 when it has problems (each one "
               "explained). Exports you cannot run on this computer (no API key for their "
               "connection here, not an export user of it, no consent yet) are warnings, "
               "saying what to do; they do not change the exit status.")
    _add_workspace(check)
    check.set_defaults(command="check")

    csv_import = commands.add_parser("import", help="load profiles from a CSV file")
    csv_import.add_argument("file", type=Path, metavar="FILE.csv")
    csv_import.add_argument("--key", default=None, metavar="COLUMN",
                            help="the column that identifies a profile; into a workspace "
                                 "that has profiles, the file's column holding its key")
    csv_import.add_argument("--segments-column", default=None, metavar="COLUMN",
                            help="a column listing segment names, e.g. 'newsletter;vip'")
    _add_workspace(csv_import)
    csv_import.set_defaults(command="import")

    notify = commands.add_parser(
        "notify", help="alerts: --test sends a test alert to every [notify] target",
        epilog="Exit status: 0 when every target took the test alert, 1 when any did not, "
               "2 when [notify] is missing or has problems.")
    notify.add_argument("--test", action="store_true",
                        help="send a test alert and say what happened to each target")
    _add_workspace(notify)
    notify.set_defaults(command="notify")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _load(COMMANDS[args.command])(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # the last line of defence: a sentence, never a traceback
        log = _log_crash(error)
        sentence = sentence_for(error, "sgtui stopped on an unexpected problem ({cause}).")
        print(f"{sentence} Nothing was lost: sgtui.toml is only ever replaced whole. Details "
              f"for a bug report: {log}", file=sys.stderr)
        return EXIT_RUN_FAILED


def _log_crash(error: BaseException) -> Path:
    """Write the traceback to an owner-only file in the user's cache folder; return its path."""
    import os
    import tempfile
    import traceback

    from platformdirs import user_cache_path

    folder = user_cache_path("sgtui")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        folder = Path(tempfile.gettempdir())
    handle, name = tempfile.mkstemp(prefix="crash-", suffix=".log", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write("".join(traceback.format_exception(error)))
    return Path(name)


def _load(target: str) -> Callable[[argparse.Namespace], int]:
    module, function = target.split(":")
    return getattr(import_module(module), function)


def _add_workspace(parser: argparse.ArgumentParser,
                   default: str = "$SGTUI_WORKSPACE, else a per-user folder") -> None:
    parser.add_argument(
        "--workspace", type=Path, default=argparse.SUPPRESS, metavar="DIR",
        help=f"the workspace folder (default: {default})",
    )


def _positive_int(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
