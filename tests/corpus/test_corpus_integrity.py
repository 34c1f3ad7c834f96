"""Corpus integrity as a whole: `corpus build` publishes all its files or none, under a lock, and
every reader checks the data against MANIFEST.json before it trusts the version.

The kill test forks a build and SIGKILLs it at each named step of the publication (the test-only
SOURCETRACE_TEST_KILL_AT variable, read by corpus._step), then asks every reader what it sees.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sourcetrace
from checkout import add_gold, bump_version, copy_checkout, make_checkout
from sourcetrace.corpus import build as corpus_module
from sourcetrace.corpus.build import build, build_lock, info, verify, verify_folder
from sourcetrace.errors import InputError


def fork_build(root: Path, env: dict[str, str]) -> int:
    """Run `build(root)` in a forked child with ``env`` set; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.environ.update(env)
            build(root)
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A checkout with release 0.2.0 published and the sources of 0.3.0 ready (one gold entity
    fewer), and what each release shows: version -> (data sha256, strict F1 of the 0.2.0 gold)."""
    root = make_checkout(tmp_path_factory.mktemp("releases") / "repo")
    add_gold(root)
    bump_version(root, "0.2.0", "gold for st-000")
    build(root)
    gold_file = root / "annotations" / "gold" / "st-000.json"
    prediction = {"doc_id": "st-000", "entities": json.loads(gold_file.read_text())["entities"]}
    old = corpus_module.read_manifest(root / "corpus")
    ready = root.parent / "ready"
    shutil.copytree(root, ready)
    gold = json.loads(gold_file.read_text())
    gold["entities"] = gold["entities"][:1]
    (ready / "annotations" / "gold" / "st-000.json").write_text(json.dumps(gold, indent=2))
    bump_version(ready, "0.3.0", "one entity fewer")
    reference = root.parent / "reference"
    shutil.copytree(ready, reference)
    build(reference)
    new = corpus_module.read_manifest(reference / "corpus")
    seen = {}
    for manifest, folder in ((old, root / "corpus"), (new, reference / "corpus")):
        report = sourcetrace.evaluate([prediction], gold=folder, layers=["entities"])
        seen[manifest["version"]] = (
            manifest["data_sha256"],
            report["layers"]["entities"]["overall"]["strict"]["f1"],
            info(folder)["totals"]["entities"],
        )
    assert seen["0.2.0"][1] == 1.0 and seen["0.3.0"][1] < 1.0  # the releases score apart
    return {"ready": ready, "prediction": prediction, "seen": seen}


def build_steps(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The named steps of one publication, in order, recorded from a build of a copy."""
    steps: list[str] = []
    monkeypatch.setattr(corpus_module, "_step", steps.append)
    build(root)
    monkeypatch.undo()
    return steps


def readers_see(folder: Path, prediction: dict[str, Any]) -> dict[str, Any]:
    """What each reader of a corpus folder reports: its (version, data sha256, figure), or the
    InputError it refused with."""
    seen: dict[str, Any] = {}
    readers: dict[str, Callable[[], Any]] = {
        "verify": lambda: verify_folder(folder),
        "evaluate": lambda: sourcetrace.evaluate([prediction], gold=folder, layers=["entities"]),
        "load": lambda: sourcetrace.load("entities", corpus=folder),
        "info": lambda: info(folder),
    }
    for name, read in readers.items():
        try:
            seen[name] = read()
        except InputError as exc:
            seen[name] = exc
    return seen


# The release the kill test publishes: its data files, then the card, then the MANIFEST last.
RELEASE_FILES = (
    "data/documents.jsonl",
    "data/entities.jsonl",
    "data/claims.jsonl",
    "data/attributions.jsonl",
    "README.md",
    "MANIFEST.json",
)
KILL_STEPS = corpus_module.publish_steps(RELEASE_FILES)


def test_corpus_build_is_atomic_as_a_whole_when_killed_at_every_step(
    releases: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every step of a real build is a kill point here: after each write and fsync of each file,
    # the folder fsync, the swap and the clean-up
    steps = build_steps(shutil.copytree(releases["ready"], tmp_path / "steps"), monkeypatch)
    assert steps == KILL_STEPS
    seen_versions = set()
    for step in steps:
        root = shutil.copytree(releases["ready"], tmp_path / step.replace("/", "_"))
        status = fork_build(root, {corpus_module.KILL_AT_VARIABLE: step})
        assert killed(status), step
        seen = readers_see(root / "corpus", releases["prediction"])
        assert seen["verify"] == [], (step, seen["verify"])
        report = seen["evaluate"]
        version = report["corpus"]["version"]
        sha, f1, entity_rows = releases["seen"][version]  # the old release or the new one
        assert report["corpus"]["data_sha256"] == sha, step
        assert report["layers"]["entities"]["overall"]["strict"]["f1"] == f1, step
        assert seen["info"]["version"] == version and seen["info"]["data_sha256"] == sha, step
        assert seen["info"]["totals"]["entities"] == entity_rows, step
        assert len(seen["load"]["test"]) == entity_rows, step
        seen_versions.add(version)
        # the next build finishes the job: no leftover, the new release, verified
        assert build(root).version == "0.3.0"
        assert verify(root) == [], step
        assert not list(root.glob(".corpus.build-*")) and not list(root.glob(".corpus.old-*"))
    assert seen_versions == {"0.2.0", "0.3.0"}  # kills before and after the swap were tried


def test_corpus_build_interrupted_between_fallback_renames_is_put_back(
    releases: dict[str, Any], tmp_path: Path
) -> None:
    # where the system has no atomic exchange of two folders, the old release is moved aside
    # first: a kill then leaves no corpus/ (readers refuse, never mix), and the next build
    # puts the old release back before it publishes
    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    env = {"SOURCETRACE_TEST_NO_EXCHANGE": "1", corpus_module.KILL_AT_VARIABLE: "retire"}
    assert killed(fork_build(root, env))
    assert not (root / "corpus").exists()
    with pytest.raises(InputError):
        sourcetrace.evaluate([releases["prediction"]], gold=root / "corpus")
    assert fork_build(root, {"SOURCETRACE_TEST_NO_EXCHANGE": "1"}) == 0
    assert (root / "corpus" / "CHANGELOG.md").is_file()
    assert verify(root) == []
    assert corpus_module.read_manifest(root / "corpus")["version"] == "0.3.0"


def test_corpus_build_lock_serialises_two_builds(releases: dict[str, Any], tmp_path: Path) -> None:
    # a second build waits for the lock (the kernel lists it as a blocked waiter in /proc/locks)
    # and goes on only once the first releases it: it then reaches the step after the lock
    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    with build_lock(root):
        pid = os.fork()
        if pid == 0:
            os.environ[corpus_module.KILL_AT_VARIABLE] = "locked"
            try:
                build(root)
            finally:
                os._exit(0)
        for _ in range(6000):  # until the child waits on the lock, or 60 s at most
            if any("-> FLOCK" in line and f" {pid} " in line for line in _proc_locks()):
                break
            assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the build ran past a held lock"
            time.sleep(0.01)
        else:
            pytest.fail("the second build never waited on the lock")
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)
    _, status = os.waitpid(pid, 0)
    assert killed(status)  # it got the lock once released, and reached the step after it


def _proc_locks() -> list[str]:
    return Path("/proc/locks").read_text().splitlines()


def test_corpus_build_concurrent_builds_all_succeed(releases: dict[str, Any], tmp_path: Path):
    # two builds at once used to delete each other's temp files: one crashed
    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                build(root)
            except BaseException:
                code = 1
            os._exit(code)
        pids.append(pid)
    assert [os.waitpid(pid, 0)[1] for pid in pids] == [0, 0, 0, 0]
    assert verify(root) == []


def test_corpus_build_keeps_the_changelog_where_it_is(releases: dict[str, Any], tmp_path: Path):
    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    changelog = root / "corpus" / "CHANGELOG.md"
    before = (changelog.stat().st_ino, changelog.read_bytes())
    build(root)
    assert (changelog.stat().st_ino, changelog.read_bytes()) == before  # the same file


def test_corpus_build_version_never_repeats_with_other_data_after_a_swap(
    releases: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sourcetrace.cli.main import main

    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    build(root)
    gold_file = root / "annotations" / "gold" / "st-000.json"
    gold = json.loads(gold_file.read_text())
    gold["claims"][0]["polarity"] = "negative"
    gold_file.write_text(json.dumps(gold))
    published = corpus_module.read_manifest(root / "corpus")
    assert main(["corpus", "build", "--root", str(root)]) == 2
    assert "version stays 0.3.0" in capsys.readouterr().err
    assert corpus_module.read_manifest(root / "corpus") == published  # nothing published


def test_corpus_leftover_temp_files_do_not_survive_a_rebuild_nor_pass_verify(
    releases: dict[str, Any], tmp_path: Path
) -> None:
    root = shutil.copytree(releases["ready"], tmp_path / "repo")
    build(root)
    leftovers = [
        root / "corpus" / ".MANIFEST.json.abc123.tmp",
        root / "corpus" / "data" / ".documents.jsonl.abc123.tmp",
    ]
    for path in leftovers:
        path.write_text("half a file")
    problems = verify(root)
    assert len([p for p in problems if "interrupted write" in p or "not listed" in p]) == 2
    assert verify_folder(root / "corpus")
    result = build(root)
    assert not any(path.exists() for path in leftovers)
    assert result.written == []  # the release did not change, only the leftovers went
    assert verify(root) == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda m: m.update(files=list(m["files"])), "/files"),
        (lambda m: m.update(version="[/bogus]"), "/version"),
        (lambda m: m.update(version=["0.1.0"]), "/version"),
        (lambda m: m["files"].update({"../../../../etc/passwd": {"sha256": "0" * 64}}), "out of"),
        (lambda m: m.update(data_sha256=None), "/data_sha256"),
        (lambda m: m.update(documents=[]), "/documents"),
    ],
)
def test_corpus_malformed_manifest_is_exit_2_or_a_verify_finding(
    tmp_path: Path, run_cli: Callable[..., Any], change: Callable[[dict], None], says: str
) -> None:
    from gold_factory import ROOT

    folder = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    change(manifest)
    (folder / "MANIFEST.json").write_text(json.dumps(manifest))
    verified = run_cli("corpus", "verify", "--corpus", folder)
    assert verified.code == 1 and says in verified.err and "Traceback" not in verified.err
    assert "passwd" not in verified.out
    for args in (
        ("corpus", "info", "--corpus", folder),
        ("corpus", "diff", folder, ROOT / "corpus"),
    ):
        result = run_cli(*args)
        assert result.code == 2, args
        assert "MANIFEST.json" in result.err and len(result.err.splitlines()) == 1
    with pytest.raises(InputError):
        sourcetrace.evaluate([], gold=folder)
    with pytest.raises(InputError):
        sourcetrace.folds(2, corpus=folder)


def test_corpus_verify_does_not_follow_a_link_out_of_the_folder(tmp_path: Path) -> None:
    from gold_factory import ROOT

    folder = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    outside = tmp_path / "secret.jsonl"
    outside.write_text("secret\n")
    data = folder / "data" / "links.jsonl"
    data.unlink()
    data.symlink_to(outside)
    problems = verify_folder(folder)
    assert any("out of the corpus folder" in p for p in problems)


@pytest.mark.parametrize("reader", ["info", "diff", "folds", "load", "evaluate"])
def test_corpus_readers_check_the_data_against_the_manifest(tmp_path, run_cli, reader) -> None:
    # data rows without doc_id once gave a KeyError traceback in `corpus diff`, `info`, folds()
    from gold_factory import ROOT

    folder = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    data = folder / "data" / "documents.jsonl"
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    del rows[0]["doc_id"]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    if reader in ("info", "diff"):
        args = ["--corpus", folder] if reader == "info" else [ROOT / "corpus", folder]
        result = run_cli("corpus", reader, *args)
        assert result.code == 2 and "documents.jsonl" in result.err
        assert len(result.err.splitlines()) == 1
        return
    call = {
        "folds": lambda: sourcetrace.folds(2, corpus=folder),
        "load": lambda: sourcetrace.load(corpus=folder),
        "evaluate": lambda: sourcetrace.evaluate([], gold=folder),
    }[reader]
    with pytest.raises(InputError, match="documents.jsonl"):
        call()


def test_corpus_rows_without_doc_id_under_a_matching_manifest_are_input_errors(tmp_path):
    # a forged folder whose MANIFEST was rewritten to match its broken rows still gets a clear
    # error naming the row, not a KeyError
    from gold_factory import ROOT

    folder = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    data = folder / "data" / "documents.jsonl"
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    del rows[1]["doc_id"]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    digest = corpus_module.sha256_bytes(data.read_bytes())
    manifest["files"]["data/documents.jsonl"]["sha256"] = digest
    hashes = {rel: e["sha256"] for rel, e in manifest["files"].items() if rel.startswith("data/")}
    manifest["data_sha256"] = corpus_module.data_sha256(hashes)
    (folder / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as caught:
        info(folder)
    assert "line 2" in str(caught.value) and "/doc_id" in str(caught.value)
    with pytest.raises(InputError):
        sourcetrace.folds(2, corpus=folder)


@pytest.mark.parametrize("where", ["corpus/CHANGELOG.md", "seeds/000_f177e68c088a574d.txt"])
def test_corpus_sources_with_invalid_utf8_are_exit_2(tmp_path, run_cli, where) -> None:
    root = make_checkout(tmp_path / "repo")
    build(root)
    with (root / where).open("ab") as handle:
        handle.write(b"\xff\xfe broken\n")
    result = run_cli("corpus", "build", "--root", root)
    assert result.code == 2
    assert "not valid UTF-8" in result.err and where.split("/")[-1] in result.err
    checked = run_cli("corpus", "verify", "--root", root)
    assert checked.code == 1 and "not valid UTF-8" in checked.err


def test_corpus_build_and_validate_name_the_same_line_of_links_json(tmp_path, run_cli) -> None:
    """links.json is pretty-printed: a fault is at the line of its entry, not of the record."""
    root = copy_checkout(tmp_path / "repo", with_venv=False)
    links_path = root / "annotations" / "links.json"
    links = json.loads(links_path.read_text(encoding="utf-8"))
    links["entities"] = {"zz-unused": "GPE: Nowhere", **links["entities"]}
    links_path.write_text(json.dumps(links, indent=2) + "\n", encoding="utf-8")
    line = next(
        number
        for number, text in enumerate(links_path.read_text(encoding="utf-8").splitlines(), 1)
        if '"zz-unused"' in text
    )
    assert line == 3  # "{", then "entities" before it (json.dumps keeps insertion order)
    built = run_cli("corpus", "build", "--root", root)
    checked = run_cli("validate", links_path)
    for result in (built, checked):
        assert result.code == 2
        assert f"line {line}, at /entities/zz-unused" in result.err + result.out
        assert "expected an entity id of the gold" in result.err + result.out
