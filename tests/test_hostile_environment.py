"""The environment a command runs in, made hostile: a read-only or full cache, undecodable file
names, an ASCII-only output, a memory cap, closed or full standard streams, NO_COLOR on a
terminal, control sequences in names, bad SOURCETRACE_ settings. Each is a real process where
the real exit code matters: a clear exit 2 or a correct run, never a traceback or exit 3."""

from __future__ import annotations

import json
import os
import pty
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
# the console script's entry point (it also fits OpenBLAS into a memory cap)
ENTRY = "import sys; from sourcetrace.cli.entry import main; sys.exit(main())"
UNSAFE_IN_OUTPUT = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (9, 10)]


def run_entry(
    *args: str | bytes | Path,
    env: dict[str, str] | None = None,
    **options,
) -> subprocess.CompletedProcess:
    """`sourcetrace ARGS...` in a fresh interpreter; stdout and stderr as bytes."""
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    argv = [sys.executable, "-c", ENTRY, *(a if isinstance(a, bytes) else str(a) for a in args)]
    options.setdefault("capture_output", "stdout" not in options and "stderr" not in options)
    return subprocess.run(argv, env=environment, timeout=120, **options)


def assert_clean_failure(done: subprocess.CompletedProcess, *phrases: str) -> str:
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "Traceback" not in err and "internal error" not in err
    for phrase in phrases:
        assert phrase in err
    return err


def corpus_rows() -> list[dict]:
    """The corpus documents read with the standard library (what load() must hand out)."""
    lines = (REPO / "corpus" / "data" / "documents.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines() if line.strip()]


# ---------------------------------------------------------------- load() and its cache


LOAD_AND_SHOW = (
    "import json, sourcetrace; rows = sourcetrace.load()['test']; "
    "print(json.dumps([[r['doc_id'], r['text']] for r in rows]))"
)


def _load_with_cache(cache: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "SOURCETRACE_"))}
    env |= {
        "HOME": str(cache),
        "HF_DATASETS_CACHE": str(cache / "datasets"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO / "src"),
    }
    return subprocess.run(
        [sys.executable, "-c", LOAD_AND_SHOW], env=env, capture_output=True, text=True, timeout=300
    )


def _assert_loaded_the_corpus(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [[row["doc_id"], row["text"]] for row in corpus_rows()]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Callable[[str], Path]:
    """Mount a small tmpfs (root only): `ro` for a read-only file system, `size=64k` for one
    that is full after a few blocks."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / f"mount{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)])
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=True)


def test_load_with_a_read_only_cache_is_a_correct_run(tmpfs) -> None:
    _assert_loaded_the_corpus(_load_with_cache(tmpfs("ro,size=64k")))


def test_load_with_a_full_cache_is_a_correct_run_and_leaves_nothing(tmpfs) -> None:
    cache = tmpfs("size=64k")
    _assert_loaded_the_corpus(_load_with_cache(cache))
    left = [p for p in cache.rglob("*") if p.is_file() and p.stat().st_size > 0]
    assert sum(p.stat().st_size for p in left) < 64 * 1024  # it never filled up silently


def test_load_with_a_cache_path_through_a_file_is_a_correct_run(tmp_path: Path) -> None:
    """Without root: a cache folder that cannot be made (its parent is a file)."""
    blocker = tmp_path / "home"
    blocker.write_text("a file where the cache folder should be")
    _assert_loaded_the_corpus(_load_with_cache(blocker))


# ---------------------------------------------------------------- file names and encodings


@pytest.fixture
def undecodable_copy(tmp_path: Path) -> Path:
    """The rules run under a file name with bytes that are not UTF-8."""
    name = os.path.join(os.fsencode(tmp_path), b"run-\xff\xfe.jsonl")
    with open(name, "wb") as handle:
        handle.write(RUN.read_bytes())
    return Path(os.fsdecode(name))


@pytest.mark.parametrize("fmt", ["json", "markdown", "table", "html"])
def test_file_name_with_invalid_utf8_bytes_is_a_correct_run(
    undecodable_copy: Path, tmp_path: Path, fmt: str
) -> None:
    argv = os.fsencode(undecodable_copy)
    done = run_entry("evaluate", argv, "--format", fmt)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8")  # valid UTF-8: the bytes are shown as escapes
    if fmt != "table":  # the table does not name the predictions file
        assert "run-\\xff\\xfe.jsonl" in out.replace("\\\\", "\\")
    if fmt == "json":
        assert json.loads(out)["predictions"]["source"].endswith("run-\\xff\\xfe.jsonl")
    report = os.path.join(os.fsencode(tmp_path), b"report-\xff.json")
    written = run_entry("evaluate", argv, "--output", report)
    assert written.returncode == 0, written.stderr
    assert json.loads(Path(os.fsdecode(report)).read_text("utf-8"))["corpus"]["documents"] == len(
        corpus_rows()
    )


def test_file_name_with_invalid_utf8_bytes_in_validate_and_errors_is_escaped(
    undecodable_copy: Path,
) -> None:
    valid = run_entry("validate", os.fsencode(undecodable_copy))
    assert valid.returncode == 0
    assert valid.stdout.decode("utf-8").startswith(str(undecodable_copy.parent))
    assert "run-\\udcff\\udcfe.jsonl: valid prediction" in valid.stdout.decode("utf-8")
    missing = run_entry("evaluate", b"missing-\xff.jsonl")
    err = assert_clean_failure(missing, "missing-\\udcff.jsonl", "file not found")
    assert err.isascii()


def test_ascii_only_output_encoding_is_exit_2_naming_it(tmp_path: Path) -> None:
    named = tmp_path / "prédictions.jsonl"
    named.write_bytes(RUN.read_bytes())
    env = {"PYTHONIOENCODING": "ascii"}
    done = run_entry("evaluate", named, "--format", "markdown", env=env)
    assert_clean_failure(done, "standard output (ascii) cannot encode", "--output")
    assert done.stdout == b""  # nothing half-written
    # the same report to a file is a correct run: files are always UTF-8
    report = tmp_path / "report.md"
    written = run_entry("evaluate", named, "--output", report, env=env)
    assert written.returncode == 0, written.stderr
    assert "`" + str(named) + "`" in report.read_text("utf-8")


# ---------------------------------------------------------------- memory


def _capped(megabytes: int) -> Callable[[], None]:
    def cap() -> None:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


@pytest.mark.parametrize(
    ("megabytes", "extra"),
    [(400, []), (1000, ["--bootstrap", "100000"])],
    ids=["400MB-address-space", "bootstrap-100000-under-1000MB"],
)
def test_memory_limit_is_exit_2_saying_what_to_lower(megabytes: int, extra: list[str]) -> None:
    done = run_entry("evaluate", RUN, "--format", "json", *extra, preexec_fn=_capped(megabytes))
    err = assert_clean_failure(done, "out of memory", "--bootstrap", f"{megabytes:,} MiB")
    assert "OpenBLAS" not in err


# ---------------------------------------------------------------- standard streams


def test_closed_stdout_is_exit_2_when_the_command_prints(tmp_path: Path) -> None:
    closed = run_entry("corpus", "info", "--format", "json", preexec_fn=lambda: os.close(1),
                       stdout=None, stderr=subprocess.PIPE)  # fmt: skip
    assert_clean_failure(closed, "standard output is closed")
    # a command that writes its result to a file does not need stdout
    report = tmp_path / "info.json"
    to_file = run_entry(
        "corpus", "info", "--output", report, preexec_fn=lambda: os.close(1),
        stdout=None, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert to_file.returncode == 0, to_file.stderr
    assert len(json.loads(report.read_text())["documents"]) == len(corpus_rows())


def test_full_stderr_still_exits_2() -> None:
    with open("/dev/full", "w") as full:
        done = run_entry("evaluate", "no-such-file.jsonl", stderr=full, stdout=subprocess.PIPE)
    assert done.returncode == 2


def _on_a_terminal(*args: str, env: dict[str, str]) -> bytes:
    """What `sourcetrace ARGS` prints when its stdout is a terminal (a pty)."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    environment |= {"TERM": "xterm-256color", "COLUMNS": "200", **env}
    process = subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**environment, "PYTHONPATH": str(REPO / "src")},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    assert process.returncode == 0, process.stderr.read()
    return b"".join(chunks)


def test_no_color_on_a_terminal_sends_no_escape_sequence() -> None:
    coloured = _on_a_terminal("corpus", "info", env={})
    assert b"\x1b[" in coloured  # the control: this is a terminal, where styles are drawn
    plain = _on_a_terminal("corpus", "info", env={"NO_COLOR": "1"})
    assert b"\x1b" not in plain
    assert b"st-000" in plain and b"total" in plain


# ---------------------------------------------------------------- control sequences in names


HOSTILE_NAMES = {
    "clear-screen": b"\x1b[2Jcleared.jsonl",
    "osc-title": b"\x1b]0;owned\x07title.jsonl",
    "c1-csi-byte": b"\x9b31mred.jsonl",
    "c1-csi-char": "\x9b31mred.jsonl".encode(),
    "bidi-override": "\u202eevil.jsonl".encode(),
}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
@pytest.mark.parametrize("command", ["evaluate", "validate"])
def test_error_message_escapes_control_sequences_in_a_missing_file_name(
    command: str, name: bytes
) -> None:
    from sourcetrace.errors import shown

    done = run_entry(command, name)
    err = assert_clean_failure(done, "not found")
    assert not any(char in err for char in UNSAFE_IN_OUTPUT + ["\u202e"])
    assert shown(os.fsdecode(name)) in err  # the name as the user gave it, escaped


# ---------------------------------------------------------------- messages that mislead


@pytest.mark.parametrize("variable", ["SOURCETRACE_MAX_LINE_BYTES", "SOURCETRACE_MAX_INPUT_BYTES"])
@pytest.mark.parametrize("value", ["abc", "-5", "0", "1.5", ""])
def test_bad_limit_variable_is_exit_2_naming_the_variable(
    run_cli, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    done = run_cli("evaluate", RUN)
    assert done.code == 2
    assert f"{variable} is {value!r}" in done.err
    assert "positive whole number of bytes" in done.err
    assert "MANIFEST" not in done.err and "corpus folder" not in done.err


def test_bad_limit_variable_in_the_api_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    import sourcetrace
    from sourcetrace.errors import InputError

    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "abc")
    for call in (sourcetrace.load, lambda: sourcetrace.evaluate(RUN), lambda: sourcetrace.folds(2)):
        with pytest.raises(InputError, match="SOURCETRACE_MAX_LINE_BYTES is 'abc'") as caught:
            call()
        assert "MANIFEST" not in str(caught.value)


def test_leaderboard_without_matplotlib_is_exit_2_and_writes_nothing(
    run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    out = tmp_path / "X"
    done = run_cli("leaderboard", "--runs", REPO / "evaluate" / "runs", "--output", out / "LB.md")
    assert done.code == 2
    assert "matplotlib" in done.err and "baselines" in done.err
    assert not out.exists()


# ---------------------------------------------------------------- property: any name is inert


def _names():
    from hypothesis import strategies as st

    # any code point a file name can hold (no NUL, no slash), and the undecodable bytes that
    # argv brings in as lone surrogates (U+DC80..U+DCFF, surrogateescape)
    ordinary = st.characters(exclude_characters="\x00/", exclude_categories=("Cs",))
    undecodable = st.integers(0xDC80, 0xDCFF).map(chr)
    return st.text(st.one_of(ordinary, undecodable), min_size=1, max_size=24)


def test_property_any_name_reaches_the_terminal_escaped_and_unambiguous(tmp_path: Path) -> None:
    """For names with arbitrary code points: no raw control character (C0 but newline, C1, DEL,
    bidi override, lone surrogate) reaches stdout or stderr, the name is shown in its escaped
    form, and that form decodes back to the name (so two names never look the same)."""
    import codecs
    import contextlib
    import io

    from hypothesis import given

    from sourcetrace.cli.main import main
    from sourcetrace.errors import shown

    unsafe = set(UNSAFE_IN_OUTPUT) | {"\u2028", "\u2029", "\u202e", "\u2066", "\ufeff"}

    @given(name=_names())
    def check(name: str) -> None:
        escaped = shown(name)
        decoded = codecs.decode(escaped.encode("latin-1", "backslashreplace"), "unicode_escape")
        assert decoded == name
        for command in ("evaluate", "validate"):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([command, str(tmp_path / name)])
            assert code == 2
            text = out.getvalue() + err.getvalue()
            assert not any(char in unsafe or "\ud800" <= char <= "\udfff" for char in text), text
            assert escaped in err.getvalue()

    check()
