"""A real Label Studio server for the bridge tests, and the command line with the studio commands.

The server is the one `sourcetrace studio serve` runs (`sourcetrace.studio.serve`): its own
virtual environment in ``$SOURCETRACE_CACHE`` or ``~/.cache/sourcetrace``, installed once under a
lock (the terminal says so before it starts), reused by later runs. A template data folder
is migrated once per machine beside it (`label-studio version`); each server starts on a copy
of it, on 127.0.0.1 and a free port, with a pre-created user, a legacy API token and no
telemetry, and is stopped with its process group. If the install fails (no network) the tests
fail, they do not skip: the bridge is not tested without a server.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sourcetrace.errors import InputError
from sourcetrace.studio import serve

USERNAME = "annotator@example.com"


def announce(config: pytest.Config, message: str) -> None:
    """One line on the terminal now, past pytest's capture: says what a wait of minutes is for
    (`make test` otherwise sits silent on the first Label Studio test). In a pytest-xdist worker
    the line goes to the worker's own standard error, which is the terminal's: its terminal
    reporter writes to a channel that the controller shows only at the end."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(message, file=sys.stderr, flush=True)
        return
    with capture.global_and_fixture_disabled():
        if reporter is not None and not hasattr(config, "workerinput"):
            reporter.write_line(message)
        else:
            print(message, file=sys.stderr, flush=True)


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


def start_server(
    executable: Path, template: Path, workdir: Path
) -> tuple[subprocess.Popen, Server]:
    """The library's server (`studio serve` starts the same), on a copy of the migrated
    template, a free port and a login made for this session."""
    data_dir = workdir / "data"
    shutil.copytree(template, data_dir)
    login = serve.Login(USERNAME, secrets.token_urlsafe(12), secrets.token_hex(20))
    try:
        running = serve.start_server(
            executable, data_dir, login, port=free_port(), log=workdir / "label-studio.log"
        )
    except InputError as exc:
        pytest.fail(str(exc), pytrace=False)
    server = Server(running.url, login.token, running.log, data_dir, login.password)
    return running.process, server


def pulled_folder(ls, pass_name: str) -> str:
    """The pass folder `studio pull` writes for the server's own user: `<pass>-user<id>` (an
    export names annotators by id only, so pull and import name them alike)."""
    return f"{pass_name}-user{ls.users.whoami().id}"


stop = serve.stop_server


@pytest.fixture(scope="session")
def label_studio_executable(pytestconfig: pytest.Config) -> Path:
    """The cached server environment (`studio serve`'s); a first install says so first."""
    try:
        return serve.install_server(lambda message: announce(pytestconfig, message))
    except InputError as exc:  # no registry: the bridge is not tested without a server
        pytest.fail(f"{exc} (the Label Studio tests need a real server)", pytrace=False)


@pytest.fixture(scope="session")
def label_studio_template(label_studio_executable: Path, pytestconfig: pytest.Config) -> Path:
    """A data folder with every migration applied and no user: copied for each server. Made
    once per machine, beside the cached server environment (whose folder names the Label
    Studio version), under its lock: the test sessions that a workflow test starts inside a
    copy of the checkout, and later sessions, copy it instead of migrating again."""
    folder = serve.cache_dir() / "test-template"
    template, marker = folder / "data", folder / "migrated.ok"
    with serve.locked(serve.cache_dir() / ".template-lock"):
        if marker.is_file() and template.is_dir():
            return template
        shutil.rmtree(folder, ignore_errors=True)  # a half-migrated folder of an interrupted run
        template.mkdir(parents=True)
        announce(
            pytestconfig,
            "preparing a Label Studio data folder for the tests' servers (its migrations take "
            "a minute or two, once per machine)",
        )
        done = subprocess.run(
            [str(label_studio_executable), "version"],
            env=serve.server_env(template),
            cwd=template,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(
                f"label-studio version (migration) failed:\n{serve.tail(done.stdout + done.stderr)}"
            )
        marker.write_text("label-studio version: migrations applied\n")
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
