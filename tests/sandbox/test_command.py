"""``sgtui sandbox``: the first line names the URL, keys are printed, SIGTERM stops it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import client_for

REPO = Path(__file__).resolve().parents[2]
Start = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def start_sandbox() -> Iterator[Start]:
    """Start ``python -m sgtui sandbox ARGS``; every process is ended after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        process = subprocess.Popen([sys.executable, "-m", "sgtui", "sandbox", *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   cwd=REPO, env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_first_line_names_the_url_and_the_key_follows(start_sandbox: Start) -> None:
    process = start_sandbox("--port", "0", "--seed", "4")
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.fullmatch(r"sandbox listening on (http://127\.0\.0\.1:(\d+))\n", first)
    assert match, first
    key_line = process.stdout.readline()
    key = re.search(r"(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})", key_line)
    assert key, key_line
    scopes = httpx.get(f"{match[1]}/v3/scopes",
                       headers={"Authorization": f"Bearer {key[1]}"})
    assert scopes.status_code == 200 and "marketing.write" in scopes.json()["scopes"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_keys_with_scopes_and_state_saved_on_ctrl_c(start_sandbox: Start, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process = start_sandbox("--api-key", "SG.reader:marketing.read", "--api-key", "SG.admin",
                            "--state", str(state), "--job-delay", "0.5")
    assert process.stdout is not None
    url = process.stdout.readline().removeprefix("sandbox listening on ").strip()

    class Running:
        base_url = url

    with client_for(Running, "SG.reader") as reader:  # type: ignore[arg-type]
        assert reader.get("/v3/scopes").json() == {"scopes": ["marketing.read"]}
        assert reader.post("/v3/marketing/lists", json={"name": "x"}).status_code == 403
    with client_for(Running, "SG.admin") as admin:  # type: ignore[arg-type]
        assert admin.post("/v3/marketing/lists", json={"name": "Saved"}).status_code == 201
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert '"Saved"' in state.read_text()
