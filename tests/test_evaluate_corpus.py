"""evaluate against a built corpus folder (what the packaged corpus becomes once gold lands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.corpus.build import build
from sourcetrace.errors import InputError
from test_corpus import bump_version, make_checkout

from gold_factory import story_gold


@pytest.fixture
def corpus_with_gold(tmp_path: Path) -> Path:
    root = make_checkout(tmp_path / "repo")
    for record in story_gold(with_text=False):
        (root / "annotations" / "gold" / f"{record['doc_id']}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )
    bump_version(root, "0.2.0", "story gold for three documents")
    build(root)
    return root / "corpus"


def test_a_built_corpus_is_gold_and_its_identity_is_in_the_signature(corpus_with_gold):
    manifest = json.loads((corpus_with_gold / "MANIFEST.json").read_text())
    predictions = story_gold(with_text=False)
    # a prediction for a corpus document that has no gold yet is reported, not scored
    predictions.append({"doc_id": "st-004", "entities": [], "claims": [], "attributions": []})
    report = sourcetrace.evaluate(predictions, gold=corpus_with_gold)
    assert report["corpus"]["version"] == "0.2.0"
    assert report["corpus"]["data_sha256"] == manifest["data_sha256"]
    assert f"|corpus:0.2.0|data:{manifest['data_sha256'][:12]}|" in report["signature"]
    assert report["corpus"]["documents"] == 3  # st-000, st-001, st-003 are annotated
    assert report["documents"]["scored"] == ["st-000", "st-001", "st-003"]
    assert report["documents"]["not_scored_unannotated"] == ["st-004"]
    assert report["layers"]["entities"]["overall"]["strict"]["f1"] == 1.0
    assert report["layers"]["attributions"]["triple"]["strict"]["f1"] == 1.0


def test_a_prediction_for_a_document_outside_the_corpus_is_refused(corpus_with_gold):
    predictions = story_gold(with_text=False)
    predictions.append({"doc_id": "st-999", "entities": []})
    with pytest.raises(InputError) as caught:
        sourcetrace.evaluate(predictions, gold=corpus_with_gold)
    assert "unknown doc_id 'st-999'" in str(caught.value)


def test_notes_tell_what_the_numbers_do_not_show_in_every_format(corpus_with_gold, tmp_path):
    from sourcetrace.report import render_text

    predictions = story_gold(with_text=False)
    predictions[0]["entities"].append({"text": "Atlantis", "type": "GPE"})  # not in the text
    predictions.append({"doc_id": "st-004", "entities": [], "claims": [], "attributions": []})
    report = sourcetrace.evaluate(predictions, gold=corpus_with_gold, bootstrap=20)
    assert report["notes"] == [
        "1 text-only entity prediction(s) were not found in the text and count as spurious",
        "predictions for documents that have no gold yet were not scored: st-004",
        "only 3 document(s) are resampled: intervals and p-values are unreliable (a paired "
        "bootstrap with identical per-document differences gives p = 1/(n+1))",
    ]
    table = render_text(report, "table")
    markdown = render_text(report, "markdown")
    for note in report["notes"]:
        assert f"note: {note}" in table
        assert f"- {note}" in markdown
    # the signature is printed whole on one line, ready to copy
    assert f"signature: {report['signature']}\n" in table


@pytest.mark.parametrize(
    ("name", "starts_with"), [("r.json", "{"), ("r.md", "# sourcetrace"), ("r.txt", "")]
)
def test_output_ending_chooses_the_format(run_cli, corpus_with_gold, tmp_path, name, starts_with):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in story_gold(with_text=False)))
    output = tmp_path / name
    result = run_cli("evaluate", predictions, "--gold", corpus_with_gold, "--output", output)
    assert result.code == 0
    text = output.read_text()
    assert text.startswith(starts_with)
    if name == "r.json":
        assert json.loads(text)["layers"]["claims"]["span"]["strict"]["f1"] == 1.0
    if name == "r.txt":  # the rich table, as text
        assert "sourcetrace evaluation" in text and "signature: sourcetrace:" in text


def test_evaluate_has_a_version_option(run_cli):
    assert run_cli("evaluate", "--version").out.strip() == f"sourcetrace {sourcetrace.__version__}"


def test_the_report_names_the_predictions_file_by_its_sha256(corpus_with_gold, tmp_path):
    import hashlib

    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in story_gold(with_text=False)))
    report = sourcetrace.evaluate(path, gold=corpus_with_gold)
    assert report["predictions"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corpus_copy_edited_by_hand_is_refused_not_scored_under_its_manifest(tmp_path):
    # an ORG turned into a PERSON in the data, the manifest left as it was: the version and data
    # sha256 of the manifest would sign a score of other gold
    import shutil

    from gold_factory import ROOT

    copy = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", copy)
    data = copy / "data" / "documents.jsonl"
    edited = data.read_text(encoding="utf-8").replace('"type": "ORG"', '"type": "PERSON"', 1)
    assert edited != data.read_text(encoding="utf-8")
    data.write_text(edited, encoding="utf-8")
    predictions = [
        json.loads(p.read_text()) for p in sorted((ROOT / "annotations" / "gold").glob("*.json"))
    ]
    with pytest.raises(InputError) as caught:
        sourcetrace.evaluate(predictions, gold=copy)
    assert "does not match its MANIFEST.json" in str(caught.value)
    assert "documents.jsonl" in str(caught.value)
    with pytest.raises(InputError):
        sourcetrace.load(corpus=copy)
