"""A real Label Studio server for the bridge tests, and the command line with the studio commands.

`label-studio` pins packages that clash with ours, so it lives in its own virtual environment in
a cache folder outside the repository (installed once, under a lock, reused by later runs):
``$SOURCETRACE_CACHE`` or ``~/.cache/sourcetrace``, then ``label-studio-<version>/``. Per session
a template data folder is migrated once (`label-studio version`); each server starts on a copy
of it, on 127.0.0.1 and a free port, with a pre-created user, a legacy API token and no
telemetry, and is stopped with its process group. If the install fails (no network) the tests
fail, they do not skip: the bridge is not tested without a server.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

LABEL_STUDIO_VERSION = "1.23.2"
USERNAME = "annotator@example.com"
READY_SECONDS = 180
NO_TELEMETRY = {
    "LATEST_VERSION_CHECK": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "COLLECT_ANALYTICS": "false",
}


def cache_dir() -> Path:
    base = os.environ.get("SOURCETRACE_CACHE") or Path.home() / ".cache" / "sourcetrace"
    return Path(base) / f"label-studio-{LABEL_STUDIO_VERSION}"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes, so parallel sessions do not install twice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.splitlines()[-lines:])


def install_label_studio() -> Path:
    """The `label-studio` executable of the cached venv, installing it first if needed."""
    folder = cache_dir()
    venv, marker = folder / "venv", folder / "installed.ok"
    executable = venv / "bin" / "label-studio"
    with locked(folder / ".lock"):
        if marker.is_file() and executable.is_file():
            return executable
        shutil.rmtree(venv, ignore_errors=True)  # a half-made venv from an interrupted install
        started = time.monotonic()
        steps = (
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", f"label-studio=={LABEL_STUDIO_VERSION}"],
        )  # fmt: skip
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=1800)
            if done.returncode != 0:
                pytest.fail(
                    f"could not install label-studio=={LABEL_STUDIO_VERSION} into {venv} "
                    f"(needs the package registry; the Label Studio tests need a real server): "
                    f"{' '.join(step[:3])} ... exited {done.returncode}:\n"
                    f"{_tail(done.stdout + done.stderr)}",
                    pytrace=False,
                )
        marker.write_text(
            f"label-studio=={LABEL_STUDIO_VERSION} {time.monotonic() - started:.0f}s\n"
        )
    return executable


def child_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment, built on purpose: Label Studio reads bare HOST, PORT,
    USERNAME, PASSWORD too, so nothing of ours leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # the log line that names the port, in time
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        **NO_TELEMETRY,
    }
    return {**env, **(extra or {})}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    log: Path
    data_dir: Path
    password: str  # of USERNAME, for the browser tests' login form


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200 and json.load(response).get("status") == "UP"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_server(
    executable: Path, template: Path, workdir: Path
) -> tuple[subprocess.Popen, Server]:
    data_dir = workdir / "data"
    shutil.copytree(template, data_dir)
    port, token, password = free_port(), secrets.token_hex(20), secrets.token_urlsafe(12)
    env = child_env(
        data_dir,
        {
            "LABEL_STUDIO_USERNAME": USERNAME,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        },
    )
    log = workdir / "label-studio.log"
    command = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"label-studio exited {process.returncode}:\n{_tail(log.read_text())}")
        if _healthy(url):
            break
        time.sleep(0.5)
    else:
        stop(process)
        pytest.fail(f"label-studio not ready after {READY_SECONDS} s:\n{_tail(log.read_text())}")
    line = f"Starting development server at http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 15
    while line not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"the log does not say {line!r} (another server on the port?)")
        time.sleep(0.2)
    return process, Server(url, token, log, data_dir, password)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def label_studio_executable() -> Path:
    return install_label_studio()


@pytest.fixture(scope="session")
def label_studio_template(label_studio_executable: Path, tmp_path_factory) -> Path:
    """A data folder with every migration applied and no user: copied for each server."""
    template = tmp_path_factory.mktemp("ls-template") / "data"
    template.mkdir()
    done = subprocess.run(
        [str(label_studio_executable), "version"],
        env=child_env(template),
        cwd=template,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"label-studio version (migration) failed:\n{_tail(done.stdout + done.stderr)}")
    return template


@pytest.fixture(scope="session")
def label_studio(
    label_studio_executable, label_studio_template, tmp_path_factory
) -> Iterator[Server]:
    """A running server: (url, token, log, data_dir). One per session; tests make own projects."""
    workdir = tmp_path_factory.mktemp("ls-server")
    process, server = start_server(label_studio_executable, label_studio_template, workdir)
    try:
        yield server
    finally:
        stop(process)


# ---------------------------------------------------------------- the command line


def build_parser() -> argparse.ArgumentParser:
    """sourcetrace's parser with the studio commands, whether or not cli.py wires them yet."""
    from sourcetrace.cli import main as cli
    from sourcetrace.cli import studio as cli_studio

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "studio" not in commands.choices:
        cli_studio.add_commands(commands)
    corpus = commands.choices["corpus"]
    actions = next(a for a in corpus._actions if isinstance(a, argparse._SubParsersAction))
    if "add" not in actions.choices:
        cli_studio.add_corpus_add_parser(actions)
    return parser


def main(argv: list[str]) -> int:
    from sourcetrace.cli import main as cli

    args = build_parser().parse_args(argv)
    return cli.run(args.handler, args)


# what a subprocess runs: the same, in a fresh interpreter (PYTHONPATH picks the package)
ENTRY = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from conftest import main; sys.exit(main(sys.argv[1:]))"
)
TESTS_STUDIO = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def studio_cli(capsys) -> Callable[..., Run]:
    """Run `sourcetrace ARGS...` (with the studio commands) in-process."""

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_subprocess(
    args: list[str], *, env: dict[str, str], cwd: Path, tests_dir: Path = TESTS_STUDIO
) -> Run:
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, str(tests_dir), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Run(done.returncode, done.stdout, done.stderr)


# ---------------------------------------------------------------- checkouts to work on

REPO = Path(__file__).resolve().parents[2]


def copy_checkout(
    target: Path, folders: tuple[str, ...] = ("seeds", "annotations", "corpus")
) -> Path:
    """A copy of the parts of the checkout a command reads and writes (never the real one)."""
    for folder in folders:
        shutil.copytree(
            REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# A made-up article with a non-BMP emoji, Bengali and a no-break space before a name.
ARTICLE = (
    "Rocket parts found near Kharkiv\n\n"
    "\U0001f680 Officials in Kharkiv said on Monday that debris from a North Korean missile was "
    "found in a field. The regional governor, Oleh Syniehubov, told reporters: "
    "\u201cThe markings are in Korean.\u201d A Bengali-language outlet, "
    "\u09aa\u09cd\u09b0\u09a5\u09ae \u0986\u09b2\u09cb, quoted\u00a0Reuters as saying the "
    "fragments were being examined.\n"
)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return copy_checkout(tmp_path / "checkout")


# ---------------------------------------------------------------- hostile-input areas


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """A checkout copy in a folder of its own, hashed whole (hostile_area.Area), one per test
    module: the examples of a property test share it and reset it."""
    from hostile_area import Area

    return Area(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def fresh(area):
    """The module's area, with no pass folder of an earlier test left in it."""
    area.reset()
    yield area
    area.reset()
