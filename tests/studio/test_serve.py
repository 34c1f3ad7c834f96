"""`sourcetrace studio serve`: a real Label Studio started for an annotator, the token reached
without the web UI, and the server stopped with its process group on Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_checkout, free_port
from sourcetrace.studio import serve

ENTRY = "import sys; from sourcetrace.cli.entry import main; sys.exit(main())"


def start(data_dir: Path, *extra: str) -> tuple[subprocess.Popen, list[str]]:
    """`studio serve` in a session of its own; its stdout lines up to "stop with Ctrl-C"."""
    process = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "studio", "serve", "--data-dir", str(data_dir), *extra],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    heard: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [heard.put(line) for line in process.stdout], daemon=True
    ).start()
    lines: list[str] = []
    deadline = time.monotonic() + serve.READY_SECONDS + 60
    try:
        while not lines or lines[-1] != "stop with Ctrl-C":
            assert time.monotonic() < deadline and process.poll() is None, (lines, process.poll())
            with contextlib.suppress(queue.Empty):
                lines.append(heard.get(timeout=1).rstrip("\n"))
    except BaseException:  # never leave a server behind a failed start
        process.terminate()
        process.wait(timeout=60)
        raise
    return process, lines


def finished(process: subprocess.Popen, signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    process.wait(timeout=60)
    return process.returncode, process.stderr.read()


def answers(url: str) -> bool:
    return serve.healthy(url)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_serve_starts_a_server_whose_token_works_headless_and_stops_it(tmp_path):
    data_dir, port = tmp_path / "ls-data", free_port()
    checkout = copy_checkout(tmp_path / "checkout")
    doc_id = sorted((checkout / "annotations" / "gold").glob("*.json"))[0].stem
    process, lines = start(data_dir, "--port", str(port))
    try:
        (url,) = re.findall(r"^Label Studio [\d.]+ at (http://127\.0\.0\.1:\d+)", lines[0])
        assert url == f"http://127.0.0.1:{port}" and answers(url)
        exported = dict(re.findall(r"^  export (\w+)=(.*)$", "\n".join(lines), re.M))
        assert exported["LABEL_STUDIO_URL"] == url
        (token_path,) = re.findall(r'"\$\(cat (.+)\)"', exported["LABEL_STUDIO_API_KEY"])
        token_file = Path(token_path)
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert token not in "\n".join(lines)  # the token itself is never printed
        env = {"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": token}
        pushed = cli("studio", "push", "--documents", doc_id, "--root", str(checkout), env=env)
        assert pushed.returncode == 0 and "pushed 1 task(s)" in pushed.stdout, pushed.stderr
    finally:
        code, err = finished(process, signal.SIGINT)
    assert code == 130 and err.strip().splitlines()[-1] == "interrupted", err
    assert not answers(url)
    with pytest.raises(ProcessLookupError):  # nothing of the server's process group is left
        os.killpg(process.pid, 0)

    # the same folder again: the same login, the token still works; SIGTERM stops it with 0
    process, lines = start(data_dir, "--port", str(free_port()))
    try:
        (url,) = re.findall(r"at (http://127\.0\.0\.1:\d+)", lines[0])
        env = {"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": token_file.read_text().strip()}
        assert token_file.read_text().strip() == token
        pulled = cli("studio", "pull", "--pass", "again", "--root", str(checkout), env=env)
        assert pulled.returncode == 0 and "no submitted annotation" in pulled.stderr, pulled.stderr
    finally:
        code, err = finished(process, signal.SIGTERM)
    assert code == 0, err
    assert not answers(url)


def test_serve_refuses_a_data_folder_it_did_not_make(tmp_path):
    data_dir = tmp_path / "someone-elses"
    data_dir.mkdir()
    (data_dir / "label_studio.sqlite3").write_bytes(b"not ours")
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, "studio", "serve", "--data-dir", str(data_dir)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "did not start" in done.stderr and str(data_dir) in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in data_dir.iterdir()) == ["label_studio.sqlite3"]
