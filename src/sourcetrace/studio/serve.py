"""A local Label Studio server for annotators, without the web UI's token page.

`label-studio` pins packages that clash with ours, so it lives in a virtual environment of its
own under ``$SOURCETRACE_CACHE`` (default ``~/.cache/sourcetrace``), installed on first use and
shared with the test suite. The first start on an empty data folder creates the user and a
legacy API token (``LABEL_STUDIO_USER_TOKEN``, the only headless route to a token: Label Studio
turns legacy tokens on only on that first start); both are kept in the data folder, readable by
the owner only, so later starts and `studio push`/`pull` find them. The server listens on
127.0.0.1 only, sends no telemetry, and is stopped with its whole process group.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.errors import InputError
from sourcetrace.paths import checked_output

LABEL_STUDIO_VERSION = "1.23.2"
DEFAULT_PORT = 8080
DEFAULT_USERNAME = "annotator@example.org"
READY_SECONDS = 300.0  # a first start migrates an empty database: 20-60 s here
LOGIN_FILE = "sourcetrace-login.json"  # in the data folder, mode 600
TOKEN_FILE = "sourcetrace-api-token"  # the token alone, for `$(cat ...)`, mode 600
NO_TELEMETRY = {
    "LATEST_VERSION_CHECK": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "COLLECT_ANALYTICS": "false",
}

Say = Callable[[str], None]


def cache_dir() -> Path:
    base = os.environ.get("SOURCETRACE_CACHE") or Path.home() / ".cache" / "sourcetrace"
    return Path(base) / f"label-studio-{LABEL_STUDIO_VERSION}"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "sourcetrace" / "label-studio"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes, so two sessions never install at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.splitlines()[-lines:])


def install_server(say: Say = lambda line: None) -> Path:
    """The `label-studio` executable of the cached environment, installed first if missing.
    ``say`` hears one line before a long install starts (about 100 s, once per machine)."""
    folder = cache_dir()
    venv, marker = folder / "venv", folder / "installed.ok"
    executable = venv / "bin" / "label-studio"
    with locked(folder / ".lock"):
        if marker.is_file() and executable.is_file():
            return executable
        say(
            f"installing label-studio=={LABEL_STUDIO_VERSION} into {venv} (once per machine, "
            "about 100 s; it has an environment of its own because its pins clash with ours)"
        )
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
                raise InputError(
                    f"could not install label-studio=={LABEL_STUDIO_VERSION}: "
                    f"{' '.join(step[:3])} ... exited {done.returncode}: "
                    f"{tail(done.stdout + done.stderr, 8)}",
                    file=str(venv),
                    expected="access to the package registry and room on disk",
                )
        marker.write_text(
            f"label-studio=={LABEL_STUDIO_VERSION} {time.monotonic() - started:.0f}s\n"
        )
        say(f"installed label-studio=={LABEL_STUDIO_VERSION} in {time.monotonic() - started:.0f} s")
    return executable


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment, built on purpose: Label Studio reads bare HOST, PORT,
    USERNAME, PASSWORD too, so nothing of the caller's leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # the log line that names the port, in time
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        **NO_TELEMETRY,
    }
    return {**env, **(extra or {})}


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    token: str


def login_of(data_dir: Path, username: str = DEFAULT_USERNAME) -> tuple[Login, bool]:
    """The login kept in the data folder, or a new one (True) for a folder never started."""
    path = data_dir / LOGIN_FILE
    if path.is_file():
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            return Login(kept["username"], kept["password"], kept["token"]), False
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"the login file is not what `studio serve` wrote ({exc})",
                file=str(path),
                expected='{"username": ..., "password": ..., "token": ...}; delete the data '
                "folder to start afresh",
            ) from None
    if data_dir.is_dir() and any(data_dir.iterdir()):
        raise InputError(
            "this data folder holds a Label Studio that `studio serve` did not start, so its "
            "API token is unknown (Label Studio sets a legacy token only on the first start)",
            file=str(data_dir),
            expected="an empty or new folder (--data-dir), or one `studio serve` made",
        )
    login = Login(username, secrets.token_urlsafe(12), secrets.token_hex(20))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    for name, text in (
        (LOGIN_FILE, json.dumps(login.__dict__, indent=2)),
        (TOKEN_FILE, login.token),
    ):
        descriptor = os.open(data_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return login, True


def healthy(url: str) -> bool:
    import urllib.error  # imported here: every command line builds the parser of `serve`
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200 and json.load(response).get("status") == "UP"
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class RunningServer:
    process: subprocess.Popen
    url: str
    log: Path


def start_server(
    executable: Path,
    data_dir: Path,
    login: Login,
    *,
    port: int = DEFAULT_PORT,
    log: Path | None = None,
    ready_seconds: float = READY_SECONDS,
) -> RunningServer:
    """Start Label Studio on 127.0.0.1 and wait until it answers; the URL is read from its own
    log, since it moves to the next port, with only a warning, when the one asked is taken."""
    log = log or data_dir / "label-studio.log"
    env = server_env(
        data_dir,
        {
            "LABEL_STUDIO_USERNAME": login.username,
            "LABEL_STUDIO_PASSWORD": login.password,
            "LABEL_STUDIO_USER_TOKEN": login.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        },
    )
    command = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + ready_seconds
    marker = "Starting development server at "
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise server_error(f"label-studio exited {process.returncode}", log)
        text = log.read_text(errors="replace")
        if marker in text:
            url = text.split(marker, 1)[1].split()[0].rstrip("/")
            if healthy(url):
                return RunningServer(process, url, log)
        time.sleep(0.5)
    stop_server(process)
    raise server_error(f"label-studio did not answer within {ready_seconds:g} s", log)


def server_error(what: str, log: Path) -> InputError:
    """A server that would not start or stopped: the end of its log says why."""
    return InputError(
        f"{what}; the end of its log: {tail(log.read_text('utf-8', 'replace'), 8)}",
        file=str(log),
        expected="a Label Studio that starts (a free port, a data folder it can write)",
    )


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 15 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


def serve(
    data_dir: Path,
    *,
    port: int = DEFAULT_PORT,
    username: str = DEFAULT_USERNAME,
    say: Say = print,
    progress: Say = lambda line: None,
) -> int:
    """Install if needed, start, say how to reach the server, and run until SIGTERM or Ctrl-C
    (which stop the server's whole process group). 0 when stopped by SIGTERM; Ctrl-C raises
    KeyboardInterrupt once the server is down (the command line makes it exit 130)."""
    data_dir = checked_output(data_dir, folder=True)  # never into seeds/, corpus/, ... or a FIFO
    executable = install_server(progress)
    login, first = login_of(data_dir, username)
    progress(
        "starting Label Studio"
        + (" (first start: migrating a new database, about 20-60 s)" if first else "")
    )
    server = start_server(executable, data_dir, login, port=port)

    def stop_on_term(signum: int, frame: object) -> None:
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, stop_on_term)
    try:
        say(f"Label Studio {LABEL_STUDIO_VERSION} at {server.url} (log: {server.log})")
        say(f"log in as {login.username}; the password is in {data_dir / LOGIN_FILE}")
        say("for `sourcetrace studio push/pull` in another shell:")
        say(f"  export LABEL_STUDIO_URL={server.url}")
        say(f'  export LABEL_STUDIO_API_KEY="$(cat {shlex.quote(str(data_dir / TOKEN_FILE))})"')
        say("stop with Ctrl-C")
        sys.stdout.flush()
        while server.process.poll() is None:
            time.sleep(0.5)
        raise server_error(f"label-studio exited {server.process.returncode}", server.log)
    except _Stopped:
        return 0
    finally:
        stop_server(server.process)
        signal.signal(signal.SIGTERM, previous)


class _Stopped(Exception):
    """SIGTERM: stop the server, exit 0."""
