"""`corpus add`: seed copied byte for byte, a record with null metadata and zones by rule."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from conftest import ARTICLE, REPO, snapshot
from sourcetrace.corpus.add import zones_by_rule


def test_an_article_is_registered(studio_cli, checkout, tmp_path):
    article = tmp_path / "article.txt"
    article.write_bytes(ARTICLE.encode("utf-8"))
    before = json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))
    corpus_before = snapshot(checkout / "corpus")
    done = studio_cli("corpus", "add", article, "--story", "kharkiv-debris", "--root", checkout)
    assert done.code == 0, done.err
    after = json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))
    assert after[:-1] == before
    record = after[-1]
    numbers = [int(r["doc_id"].split("-")[1]) for r in before]
    assert record["doc_id"] == f"st-{max(numbers) + 1:03d}"
    digest = hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()
    assert record["seed_file"] == f"{len(before):03d}_{digest[:16]}.txt"
    assert (checkout / "seeds" / record["seed_file"]).read_bytes() == article.read_bytes()
    assert record["text_sha256"] == digest
    assert record["story_id"] == "kharkiv-debris"
    assert [record[k] for k in ("title", "outlet", "author", "url", "published")] == [None] * 5
    assert record["date_source"] == "unknown"
    title_end = ARTICLE.index("\n")
    assert record["zones"] == [
        {"start": 0, "end": title_end, "kind": "title"},
        {"start": ARTICLE.index("\U0001f680"), "end": len(ARTICLE.rstrip()), "kind": "body"},
    ]
    assert snapshot(checkout / "corpus") == corpus_before
    assert done.out.startswith(f"added {record['doc_id']}")


def test_the_new_record_validates(studio_cli, checkout, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    documents = checkout / "annotations" / "documents.json"
    registered = len(json.loads(documents.read_text(encoding="utf-8")))
    assert studio_cli("corpus", "add", article, "--root", checkout).code == 0
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from sourcetrace.cli.main import main; sys.exit(main())",  # noqa: E501
         "validate", "annotations/documents.json"],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"valid document (json, {registered + 1} record(s))" in done.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"  \n\t\n", "empty"),
        (None, "already document st-000"),
    ],
    ids=["not-utf8", "blank", "duplicate"],
)
def test_bad_articles_are_refused_and_nothing_changes(
    studio_cli, checkout, tmp_path, content, needle
):
    article = tmp_path / "article.txt"
    if content is None:
        content = (
            REPO / "seeds" / sorted(p.name for p in (REPO / "seeds").iterdir())[0]
        ).read_bytes()
    article.write_bytes(content)
    before = snapshot(checkout)
    done = studio_cli("corpus", "add", article, "--root", checkout)
    assert done.code == 2
    assert needle.lower() in done.err.lower() and str(article) in done.err
    assert snapshot(checkout) == before


def test_a_taken_doc_id_is_refused(studio_cli, checkout, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = snapshot(checkout)
    done = studio_cli("corpus", "add", article, "--doc-id", "st-001", "--root", checkout)
    assert done.code == 2 and "st-001" in done.err
    assert snapshot(checkout) == before


def test_zone_rule():
    text = "  Headline without a stop\n\nBody one.\nBody two.\n"
    assert zones_by_rule(text) == [
        {"start": 2, "end": 25, "kind": "title"},
        {"start": 27, "end": len(text.rstrip()), "kind": "body"},
    ]
    sentence = "This first line is a sentence.\nMore.\n"
    assert zones_by_rule(sentence) == [{"start": 0, "end": len(sentence.rstrip()), "kind": "body"}]
    long_line = "word " * 40 + "\nrest"
    assert [z["kind"] for z in zones_by_rule(long_line)] == ["body"]
    assert zones_by_rule("Only a title") == [{"start": 0, "end": 12, "kind": "title"}]


def _validate(checkout, *paths):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from sourcetrace.cli.main import main; sys.exit(main())",  # noqa: E501
         "validate", *map(str, paths)],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_gold_of_an_added_document_validates_before_the_build(studio_cli, checkout, tmp_path):
    """The README's order: `corpus add`, gold copied into annotations/gold/, `validate`, and
    only then a new version and `corpus build`; the new gold is checked against its seed."""
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert studio_cli("corpus", "add", article, "--root", checkout).code == 0
    doc_id = json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))[-1]
    doc_id = doc_id["doc_id"]
    start = ARTICLE.index("Kharkiv")
    entity = {"id": "e1", "start": start, "end": start + len("Kharkiv"), "text": "Kharkiv",
              "type": "GPE", "mention": "name", "entity": "kharkiv"}  # fmt: skip
    gold = {"doc_id": doc_id, "text_sha256": hashlib.sha256(ARTICLE.encode()).hexdigest(),
            "entities": [entity], "claims": [], "attributions": []}  # fmt: skip
    path = checkout / "annotations" / "gold" / f"{doc_id}.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    # the README's command: every gold file and the links, whose gold is read beside them
    gold_files = sorted((checkout / "annotations" / "gold").glob("*.json"))
    done = _validate(checkout, *gold_files, checkout / "annotations" / "links.json")
    assert done.returncode == 0, done.stderr
    assert f"{path.name}: valid annotation" in done.stdout
    assert "links.json: valid links" in done.stdout
    # checked against the seed's text, not waved through: one offset off is refused
    path.write_text(json.dumps(gold | {"entities": [entity | {"end": entity["end"] + 1}]}), "utf-8")
    refused = _validate(checkout, path)
    assert refused.returncode == 2 and "/entities/0" in refused.stderr, refused.stderr
    # a doc_id neither released nor registered is still unknown
    path.write_text(json.dumps(gold | {"doc_id": "st-999"}), encoding="utf-8")
    unknown = _validate(checkout, path)
    assert unknown.returncode == 2 and "unknown doc_id 'st-999'" in unknown.stderr
