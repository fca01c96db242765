"""``sgtui sandbox``: run the sandbox alone until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from sgtui.sandbox.auth import parse_key_argument
from sgtui.sandbox.server import SandboxServer


def main(args: argparse.Namespace) -> int:
    """Serve until interrupted; the first line printed is ``sandbox listening on URL``."""
    keys = dict(parse_key_argument(text) for text in args.api_key) or None
    server = SandboxServer(
        host=args.host, port=args.port, api_keys=keys, job_delay=args.job_delay,
        index_lag=args.index_lag,
        rate_limit_contacts=args.rate_limit_contacts, rate_limit_other=args.rate_limit_other,
        fault_rate=args.fault_rate, seed=args.seed, state_file=args.state,
    )
    try:
        server.start()
    except OSError as error:
        print(f"The sandbox could not listen on {args.host}:{args.port} ({error.strerror}). "
              f"Pick another --port, or 0 for any free one.", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"The state file {args.state} could not be read: {error}. Move it aside (the "
              f"sandbox then starts empty) or pass another --state.", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"sandbox listening on {server.base_url}", flush=True)
        for key, scopes in server.api_keys.items():
            print(f"api key: {key}  (scopes: {', '.join(sorted(scopes)) or 'none'})")
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    if args.state is not None:
        print(f"state saved to {args.state}", flush=True)
    return 0
