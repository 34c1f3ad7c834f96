"""Every reader of a corpus folder checks it against its MANIFEST.json, and a run reads the release
once: a corpus edited by hand, with its MANIFEST edited, missing or malformed, with a file that the
MANIFEST does not list, or with a malformed row under a forged MANIFEST is refused by each reader
with exit 2 / InputError naming the file; `verify` calls the same folders a failed check (exit 1);
a read limit is exit 2 saying so; and readers racing a build's swap never mix two releases.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sourcetrace
from release_factory import rehash
from sourcetrace.corpus.build import build
from sourcetrace.corpus.release import check_folder
from sourcetrace.errors import InputError
from sourcetrace.evaluation.run import load_gold
from test_corpus import add_gold, bump_version, make_checkout

from gold_factory import ROOT

STORY = "ukraine-nk-rockets-ft-2023-07"
RUN = ROOT / "evaluate" / "runs" / "rules" / "predictions.jsonl"


# ---------------------------------------------------------------- the ways a folder goes wrong


def _edit_documents(corpus: Path) -> str:
    data = corpus / "data" / "documents.jsonl"
    text = data.read_text(encoding="utf-8")
    edited = text.replace('"type": "ORG"', '"type": "PERSON"', 1)
    assert edited != text
    data.write_text(edited, encoding="utf-8")
    return "data/documents.jsonl"


def _edit_manifest(corpus: Path) -> str:
    path = corpus / "MANIFEST.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["data_sha256"] = hashlib.sha256(b"another release").hexdigest()
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return "MANIFEST.json"


def _remove_manifest(corpus: Path) -> str:
    (corpus / "MANIFEST.json").unlink()
    return "MANIFEST.json"


def _truncate_manifest(corpus: Path) -> str:
    path = corpus / "MANIFEST.json"
    path.write_bytes(path.read_bytes()[:200])
    return "MANIFEST.json"


def _add_file(corpus: Path) -> str:
    (corpus / "data" / "extra.jsonl").write_text('{"doc_id": "st-999"}\n', encoding="utf-8")
    return "data/extra.jsonl"


def _forge_rows(corpus: Path, change: Callable[[list[dict[str, Any]]], int]) -> str:
    """Edit the document rows and rewrite the MANIFEST to match (a forged release); the file and
    line that ``change`` broke."""
    data = corpus / "data" / "documents.jsonl"
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    index = change(rows)
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    rehash(corpus)
    return f"documents.jsonl, line {index + 1}"


def _malformed_row_under_a_forged_manifest(corpus: Path) -> str:
    def drop_doc_id(rows: list[dict[str, Any]]) -> int:
        del rows[1]["doc_id"]
        return 1

    return _forge_rows(corpus, drop_doc_id)


def _claim_without_offsets_under_a_forged_manifest(corpus: Path) -> str:
    # `story` once crashed on it (exit 3)
    def drop_start(rows: list[dict[str, Any]]) -> int:
        annotated = next(i for i, row in enumerate(rows) if row["claims"])
        del rows[annotated]["claims"][0]["start"]
        return annotated

    return _forge_rows(corpus, drop_start)


BREAKS: dict[str, Callable[[Path], str]] = {
    "edited-documents": _edit_documents,
    "edited-manifest": _edit_manifest,
    "missing-manifest": _remove_manifest,
    "malformed-manifest": _truncate_manifest,
    "extra-file": _add_file,
    "malformed-row": _malformed_row_under_a_forged_manifest,
}


# ---------------------------------------------------------------- the readers


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout with the committed sources and corpus (a real data root for SOURCETRACE_ROOT)."""
    root = tmp_path_factory.mktemp("pristine") / "repo"
    for folder in ("seeds", "annotations", "schema", "corpus"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def _article(root: Path) -> Path:
    path = root.parent / "article.txt"
    path.write_text("A new headline\n\nThe body of a new article, said a source.\n", "utf-8")
    return path


# name -> (command-line arguments given the checkout) or a Python call
CLI_READERS: dict[str, Callable[[Path], list[Any]]] = {
    "story": lambda root: ["story", STORY],
    "evaluate-corpus": lambda root: ["evaluate", RUN, "--gold", root / "corpus"],
    "evaluate-gold-folder": lambda root: ["evaluate", RUN, "--gold", root / "annotations/gold"],
    "corpus-info": lambda root: ["corpus", "info", "--corpus", root / "corpus"],
    "corpus-diff": lambda root: ["corpus", "diff", ROOT / "corpus", root / "corpus"],
    "corpus-add": lambda root: ["corpus", "add", _article(root), "--root", root],
    "studio-tasks": lambda root: ["studio", "tasks", "--root", root],
    "studio-push": lambda root: ["studio", "push", "--root", root],
    "baseline": lambda root: ["baseline", "rules"],
    "validate": lambda root: ["validate", ROOT / "annotations" / "gold" / "st-000.json"],
}
API_READERS: dict[str, Callable[[Path], Any]] = {
    "load": lambda root: sourcetrace.load(corpus=root / "corpus"),
    "load-entities": lambda root: sourcetrace.load("entities", corpus=root / "corpus"),
    "folds": lambda root: sourcetrace.folds(2, corpus=root / "corpus"),
    "evaluate-api": lambda root: sourcetrace.evaluate(RUN, gold=root / "corpus"),
}


def _sources(root: Path) -> dict[str, bytes]:
    """What a refused command must leave as it was: the sources and the runs."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("seeds", "annotations", "evaluate")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("broken", sorted(BREAKS))
@pytest.mark.parametrize("reader", sorted(CLI_READERS) + sorted(API_READERS))
def test_corpus_reader_refuses_a_folder_that_fails_its_manifest(
    pristine: Path,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
    broken: str,
) -> None:
    root = shutil.copytree(pristine, tmp_path / "repo")
    monkeypatch.setenv("SOURCETRACE_ROOT", str(root))
    for variable in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    names = BREAKS[broken](root / "corpus")
    before = _sources(root)
    if reader in API_READERS:
        with pytest.raises(InputError) as caught:
            API_READERS[reader](root)
        message = str(caught.value)
    else:
        result = run_cli(*CLI_READERS[reader](root))
        assert result.code == 2, (result.code, result.err)
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
        message = result.err
    assert names in message, message
    assert str(root / "corpus") in message  # the corpus file, never the gold or the run
    assert _sources(root) == before  # nothing written: no seed, no run, no metadata record


@pytest.mark.parametrize(
    "reader", ["story", "evaluate-corpus", "evaluate-api", "baseline", "corpus-verify"]
)
def test_corpus_readers_of_the_gold_refuse_a_malformed_claim_under_a_forged_manifest(
    pristine: Path,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
) -> None:
    # the readers that score, draw or run on the gold validate the rows they rely on (counting
    # readers need only the row shape every read checks)
    root = shutil.copytree(pristine, tmp_path / "repo")
    monkeypatch.setenv("SOURCETRACE_ROOT", str(root))
    names = _claim_without_offsets_under_a_forged_manifest(root / "corpus")
    if reader == "evaluate-api":
        with pytest.raises(InputError, match=names):
            API_READERS[reader](root)
        return
    args = ["corpus", "verify", "--corpus", root / "corpus"]
    result = run_cli(*(args if reader == "corpus-verify" else CLI_READERS[reader](root)))
    assert result.code == (1 if reader == "corpus-verify" else 2), result.err
    assert names in result.err and "/claims/0" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("broken", sorted(BREAKS))
def test_corpus_verify_calls_each_broken_folder_a_failed_check(
    pristine: Path, tmp_path: Path, run_cli: Callable[..., Any], broken: str
) -> None:
    # `verify --root` once exited 2 on a malformed MANIFEST: a published corpus whose MANIFEST is
    # malformed is a failed check, as SECURITY.md says, with --root as with --corpus
    root = shutil.copytree(pristine, tmp_path / "repo")
    names = BREAKS[broken](root / "corpus")
    for where in (["--corpus", root / "corpus"], ["--root", root]):
        result = run_cli("corpus", "verify", *where)
        assert result.code == 1, (where, result.err)
        assert names.split(",")[0] in result.err and "Traceback" not in result.err


def test_corpus_verify_names_unlisted_files_and_folders_and_allows_the_changelog(
    pristine: Path, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    corpus = shutil.copytree(pristine / "corpus", tmp_path / "corpus")
    (corpus / "CHANGELOG.md").write_text("# Changelog\n\n## 9.0.0 - next\n", encoding="utf-8")
    assert run_cli("corpus", "verify", "--corpus", corpus).code == 0  # edited by hand: allowed
    added = [corpus / "notes.txt", corpus / "data" / "nested" / "rows.jsonl", corpus / ".hidden"]
    for path in added:
        path.parent.mkdir(exist_ok=True)
        path.write_text("x\n", encoding="utf-8")
    (corpus / "empty").mkdir()
    result = run_cli("corpus", "verify", "--corpus", corpus)
    assert result.code == 1
    reported = sorted(line for line in result.err.splitlines() if line.startswith("  - "))
    assert reported == sorted(
        f"  - {path}: {what}"
        for path, what in [
            (corpus / "notes.txt", "not listed in MANIFEST.json"),
            (corpus / ".hidden", "not listed in MANIFEST.json"),
            (corpus / "data" / "nested", "a folder not listed in MANIFEST.json"),
            (corpus / "empty", "a folder not listed in MANIFEST.json"),
        ]
    )


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize("variable", ["SOURCETRACE_MAX_INPUT_BYTES", "SOURCETRACE_MAX_LINE_BYTES"])
def test_corpus_verify_under_a_read_limit_is_exit_2_naming_the_limit_not_drift(
    pristine: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    corpus = pristine / "corpus"
    documents = corpus / "data" / "documents.jsonl"
    longest = max(len(line) for line in documents.read_bytes().split(b"\n"))
    # a limit the MANIFEST (and every line of the smaller files) passes, documents.jsonl does not
    limit = longest - 1 if variable.endswith("LINE_BYTES") else documents.stat().st_size - 1
    assert (corpus / "MANIFEST.json").stat().st_size < limit
    monkeypatch.setenv(variable, str(limit))
    result = run_cli("corpus", "verify", "--corpus", corpus)
    assert result.code == 2, result.err
    assert "documents.jsonl" in result.err and f"{limit:,} bytes" in result.err
    assert "the read limit stopped the check" in result.err and "differs" not in result.err
    with pytest.raises(InputError, match="the read limit stopped the check"):
        check_folder(corpus)
    monkeypatch.delenv(variable)
    assert run_cli("corpus", "verify", "--corpus", corpus).code == 0  # the data were fine


def test_corpus_gold_folder_over_edited_corpus_texts_names_the_corpus_file(
    pristine: Path, tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the gold files are right; the corpus text they are bound to was edited: the message used
    # to blame annotations/gold/<doc>.json
    root = shutil.copytree(pristine, tmp_path / "repo")
    monkeypatch.setenv("SOURCETRACE_ROOT", str(root))
    data = root / "corpus" / "data" / "documents.jsonl"
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    rows[0]["text"] = rows[0]["text"].replace("North Korea", "South Korea", 1)
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = run_cli("evaluate", RUN, "--gold", root / "annotations" / "gold")
    assert result.code == 2
    assert f"{data}: corpus folder refused: does not match its MANIFEST.json" in result.err
    assert "annotations/gold" not in result.err.split(";")[0]


# ---------------------------------------------------------------- one read while a build swaps


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step, as `corpus build` publishes (renameat2 RENAME_EXCHANGE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) != 0:
        error = ctypes.get_errno()
        if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            pytest.skip("no atomic exchange of folders here")
        raise OSError(error, os.strerror(error))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two published corpus folders of one checkout's history: 0.2.0, and 0.3.0 with one gold
    entity fewer (built by `corpus build`)."""
    root = make_checkout(tmp_path_factory.mktemp("swap") / "repo")
    add_gold(root)
    bump_version(root, "0.2.0", "gold for st-000")
    build(root)
    old = shutil.copytree(root / "corpus", root.parent / "old")
    gold_file = root / "annotations" / "gold" / "st-000.json"
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    gold["entities"] = gold["entities"][:-1]
    gold_file.write_text(json.dumps(gold, indent=2), encoding="utf-8")
    bump_version(root, "0.3.0", "one entity fewer")
    build(root)
    return old, root / "corpus"


def test_corpus_readers_racing_a_swap_never_mix_two_releases(
    two_releases: tuple[Path, Path], tmp_path: Path
) -> None:
    # check_folder() read MANIFEST.json again after the data, load() a third time and the files
    # again through `datasets`: 2,810 of 45,878 calls signed one release's rows with the other's
    # version. Each result's signature must name the release whose rows it returns.
    old, new = (shutil.copytree(f, tmp_path / f"r{i}") for i, f in enumerate(two_releases))
    expected: dict[str, dict[str, str]] = {"check_folder": {}, "load_gold": {}, "load": {}}
    for folder in (old, new):
        release = check_folder(folder)
        gold = load_gold(folder)
        loaded = sourcetrace.load("entities", corpus=folder)["test"]
        expected["check_folder"][release.data_sha256] = _digest(release.documents)
        expected["load_gold"][gold.data_sha256] = _digest(gold.documents)
        expected["load"][loaded.info.version] = _digest(loaded.to_list())
    assert all(len(set(by.values())) == 2 for by in expected.values())  # the releases differ
    live = tmp_path / "corpus"
    os.rename(old, live)
    readers: dict[str, Callable[[], tuple[str, str]]] = {
        "check_folder": lambda: (lambda r: (r.data_sha256, _digest(r.documents)))(
            check_folder(live)
        ),
        "load_gold": lambda: (lambda g: (g.data_sha256, _digest(g.documents)))(load_gold(live)),
        "load": lambda: (lambda d: (d.info.version, _digest(d.to_list())))(
            sourcetrace.load("entities", corpus=live)["test"]
        ),
    }
    calls = {"check_folder": 120, "load_gold": 120, "load": 40}
    seen: dict[str, list[tuple[str, str]]] = {name: [] for name in readers}
    refused: list[str] = []
    done = threading.Event()

    def swapper() -> None:
        swaps = 0
        while not done.is_set() and swaps < 200_000:
            _exchange(live, new)
            swaps += 1

    def read(name: str) -> None:
        for _ in range(calls[name]):
            try:
                seen[name].append(readers[name]())
            except InputError as exc:  # a refusal is not a mix, but it is counted
                refused.append(f"{name}: {exc}")

    threads = [threading.Thread(target=read, args=(name,)) for name in readers]
    swapping = threading.Thread(target=swapper)
    swapping.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    swapping.join()
    mixed = [
        (name, signature)
        for name, results in seen.items()
        for signature, rows in results
        if expected[name].get(signature) != rows
    ]
    assert mixed == []
    assert refused == []
    assert {name: len(results) for name, results in seen.items()} == calls
    signatures = {signature for results in seen.values() for signature, _ in results}
    assert len(signatures & set(expected["check_folder"])) == 2  # both releases were read


def test_validate_under_a_read_limit_on_the_corpus_says_its_texts_were_not_read(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the corpus texts are context for `validate`, not its input: a limit that stops their read
    # is said (they used to be dropped in silence), and the file is still checked without them
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps({"doc_id": "st-000", "entities": []}) + "\n", encoding="utf-8")
    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "200")
    result = run_cli("validate", path)
    assert result.code == 0, result.err
    (note,) = [line for line in result.err.splitlines() if line.startswith("note:")]
    assert "not checked against the corpus texts" in note
    assert "corpus/data/documents.jsonl" in note and "the read limit stopped" in note
