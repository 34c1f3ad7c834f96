"""The shipped gold: bound to the seed texts, complete across layers, linked across documents,
scored 1.0 against itself, and described by agreement tables that one command regenerates.

Expectations are derived from the files themselves (never a hard-coded count), so adding or
correcting gold keeps this suite green as long as the gold stays consistent.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest

import sourcetrace

from gold_factory import ROOT, seed_text

GOLD = ROOT / "annotations" / "gold"
PASSES = ROOT / "annotations" / "passes"
LINKS = ROOT / "annotations" / "links.json"
DOC_IDS = [m["doc_id"] for m in json.loads((ROOT / "annotations" / "documents.json").read_text())]


def gold_files() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))}


def spans_of(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(JSON pointer, span) for every span of every layer, read with the standard library."""
    found = []
    for layer in ("entities", "claims"):
        found += [(f"/{layer}/{i}", item) for i, item in enumerate(record[layer])]
    for i, attribution in enumerate(record["attributions"]):
        for part in ("source", "source_span", "cue", "content"):
            value = attribution.get(part)
            if isinstance(value, dict) and "start" in value:
                found.append((f"/attributions/{i}/{part}", value))
    return found


def test_every_document_has_gold():
    assert sorted(gold_files()) == sorted(DOC_IDS)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_gold_is_bound_to_its_seed_text_span_by_span(doc_id):
    # stdlib only: a span whose offsets, text or sha256 drift from the seed fails here even if
    # the validator under test had the same bug
    record = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
    text = seed_text(doc_id)
    assert record["text_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    wrong = [
        (pointer, span["start"], span["end"], span["text"])
        for pointer, span in spans_of(record)
        if text[span["start"] : span["end"]] != span["text"] or span["text"] != span["text"].strip()
    ]
    assert wrong == []


def test_the_gold_the_links_and_the_passes_validate(run_cli):
    from sourcetrace.agreement.label_only import is_label_only, read_label_only_pass
    from sourcetrace.corpus.texts import corpus_texts

    label_only = [p for p in sorted(PASSES.iterdir()) if is_label_only(p)]
    full = [p for p in sorted(PASSES.glob("*/*.json")) if p.parent not in label_only]
    files = [*sorted(GOLD.glob("*.json")), LINKS, *full]
    result = run_cli("validate", *files)
    assert result.code == 0, result.err
    assert result.out.count(": valid ") == len(files)
    # a label-only pass is no annotation file: its reader checks it (labels against the
    # rubric's arithmetic, the claims it was given against the texts), and it labels every
    # claim it was given
    texts = corpus_texts()
    for folder in label_only:
        documents = read_label_only_pass(folder, texts)
        given = (folder / "CLAIMS.jsonl").read_text(encoding="utf-8").splitlines()
        assert sum(len(d["claims"]) for d in documents.values()) == len(given)


def test_every_reported_statement_has_an_attribution():
    # every claim inside an attribution's content is listed by it, and every attribution
    # carries at least one claim: no attributed statement is left without its claims
    for doc_id, record in gold_files().items():
        claims = {c["id"]: c for c in record["claims"]}
        for attribution in record["attributions"]:
            content = attribution["content"]
            inside = {
                cid
                for cid, c in claims.items()
                if content["start"] <= c["start"] and c["end"] <= content["end"]
            }
            assert content["claims"], (doc_id, attribution["id"])
            assert set(content["claims"]) <= inside, (doc_id, attribution["id"])


def test_every_gold_claim_carries_the_check_worthiness_rubric():
    # guidelines v3: every claim has the rubric's answers and score (the validator checks that
    # the score and checkworthy follow from them), and every positive is justified by them
    for doc_id, record in gold_files().items():
        for claim in record["claims"]:
            rubric = claim.get("checkworthiness")
            assert rubric is not None, (doc_id, claim["id"])
            if claim["checkworthy"]:
                answers = rubric["answers"]
                assert answers["verifiable"], (doc_id, claim["id"])
                assert sum(answers.values()) >= 3, (doc_id, claim["id"])


def test_every_gold_attribution_carries_its_source_phrase_and_content_type():
    # issue 26 point 4 (GUIDELINES.md 3.8): a phrase exactly when there is a source, holding the
    # mention or span that the source names, and a content type of the inventory
    content_types = set(
        json.loads((ROOT / "schema" / "labels.json").read_text())["attribution_content_types"]
    )
    for doc_id, record in gold_files().items():
        mentions = {e["id"]: e for e in record["entities"]}
        for attribution in record["attributions"]:
            where = (doc_id, attribution["id"])
            assert attribution["content_type"] in content_types, where
            source, phrase = attribution["source"], attribution["source_span"]
            assert (phrase is None) == (source is None), where
            if source is not None:
                named = mentions[source["mention"]] if "mention" in source else source
                assert phrase["start"] <= named["start"] < named["end"] <= phrase["end"], where


def test_every_id_in_links_resolves_and_every_gold_id_is_described():
    links = json.loads(LINKS.read_text(encoding="utf-8"))
    records = gold_files().values()
    clusters = {c["cluster"] for r in records for c in r["claims"]}
    entities = {e["entity"] for r in records for e in r["entities"]}
    assert set(links["clusters"]) == clusters
    assert set(links["entities"]) == entities
    for relation in links["relations"]:
        assert {relation["from"], relation["to"]} <= clusters, relation
        assert relation["from"] != relation["to"]


def test_the_retellings_of_one_story_are_linked_claim_by_claim():
    # every check-worthy claim of a retelling shares its cluster with another retelling of the
    # story, or is related in links.json to a cluster of another document, or is marked in
    # links.json as told by this retelling alone; a cluster marked so sits in no relation
    documents = json.loads((ROOT / "annotations" / "documents.json").read_text())
    links = json.loads(LINKS.read_text(encoding="utf-8"))
    related: dict[str, set[str]] = {}
    for relation in links["relations"]:
        related.setdefault(relation["from"], set()).add(relation["to"])
        related.setdefault(relation["to"], set()).add(relation["from"])
    records = gold_files()
    stories: dict[str, list[str]] = {}
    for meta in documents:
        stories.setdefault(meta["story_id"], []).append(meta["doc_id"])
    for doc_ids in (ids for ids in stories.values() if len(ids) > 1):
        for doc_id in doc_ids:
            others = {c["cluster"] for d in doc_ids if d != doc_id for c in records[d]["claims"]}
            elsewhere = {c["cluster"] for d in records if d != doc_id for c in records[d]["claims"]}
            for claim in records[doc_id]["claims"]:
                if not claim["checkworthy"]:
                    continue
                cluster = claim["cluster"]
                linked = cluster in others or related.get(cluster, set()) & elsewhere
                alone = "only in" in links["clusters"][cluster]
                assert linked or alone, (doc_id, claim["id"], cluster)
    alone = {c for c, said in links["clusters"].items() if "only in" in said}
    assert alone & set(related) == set()


def every_f1(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(tree, dict):
        found = []
        for key, value in tree.items():
            if key in ("f1", "conll_f1"):
                found.append((f"{path}/{key}", value))
            else:
                found += every_f1(value, f"{path}/{key}")
        return found
    return []


def test_the_packaged_gold_given_as_a_system_scores_one_everywhere():
    predictions = [
        {"doc_id": doc_id, **{k: record[k] for k in ("entities", "claims", "attributions")}}
        for doc_id, record in gold_files().items()
    ]
    report = sourcetrace.evaluate(predictions)  # no gold given: the packaged corpus
    manifest = json.loads((ROOT / "corpus" / "MANIFEST.json").read_text())
    assert report["corpus"]["version"] == manifest["version"]
    assert report["documents"]["scored"] == DOC_IDS
    f1s = every_f1(report["layers"])
    assert len(f1s) > 30 and all(value == 1.0 for _, value in f1s), [f for f in f1s if f[1] != 1.0]
    # the PARC extras too: every attribution pairs with itself, phrase and content type alike
    attributions = sum(len(record["attributions"]) for record in gold_files().values())
    section = report["layers"]["attributions"]
    assert section["content_type"] == {"pairs": attributions, "accuracy": 1.0, "kappa": 1.0}
    assert section["source_span"]["pairs"] == attributions
    assert section["source_span"]["strict"]["f1"] == section["source_span"]["lenient"]["f1"] == 1.0
    # the same from the editable gold folder
    assert sourcetrace.evaluate(predictions, gold=GOLD)["layers"] == report["layers"]


def test_the_packaged_provenance_is_the_gold_and_scores_one_against_itself(tmp_path):
    """The provenance config holds every gold edge with its nodes as the gold has them (`Json`
    features), and the gold edges as a system score 1.0 under `--layers provenance`."""
    from test_dataset import offline_env

    script = (
        "import json, sys, datasets\n"
        "rows = datasets.load_dataset(sys.argv[1], 'provenance')['test'].to_list()\n"
        "print(json.dumps(rows))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "corpus")],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    expected = [
        {"doc_id": doc_id, **edge}
        for doc_id, record in sorted(gold_files().items())
        for edge in record["provenance"]
    ]
    assert rows == expected
    predictions = [
        {"doc_id": doc_id, **{k: record[k] for k in ("entities", "claims", "attributions")}}
        | {"provenance": record["provenance"]}
        for doc_id, record in gold_files().items()
    ]
    report = sourcetrace.evaluate(predictions, layers=["provenance"])
    assert (
        report["corpus"]["version"]
        == json.loads((ROOT / "corpus" / "MANIFEST.json").read_text())["version"]
    )
    assert report["layers"]["provenance"]["edges"]["f1"] == 1.0


def test_the_agreement_file_is_what_the_command_makes_and_the_card_shows_it(tmp_path):
    from sourcetrace.corpus.card import demote_headings

    committed = (ROOT / "annotations" / "AGREEMENT.md").read_text(encoding="utf-8")
    passes = [GOLD, *sorted(p for p in PASSES.iterdir() if p.is_dir())]
    # run as the README shows it: from the checkout, with paths relative to it
    out = tmp_path / "AGREEMENT.md"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from sourcetrace.cli.main import main; sys.exit(main())",
            "agreement",
            *(str(p.relative_to(ROOT)) for p in passes),
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == committed
    card = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    assert demote_headings(committed, 3).strip() in card


def test_the_card_counts_are_the_gold_counts():
    card = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for doc_id, record in gold_files().items():
        nested = sum(a["nested_in"] is not None for a in record["attributions"])
        kinds = [
            sum(e["mention"] == k for e in record["entities"])
            for k in ("name", "nominal", "pronoun")
        ]
        row = [len(record["entities"]), *kinds, len(record["claims"]), len(record["attributions"])]
        assert f"| {doc_id} | " + " | ".join(map(str, [*row, nested])) + " |" in card


def test_the_shipped_per_layer_configs_load_with_every_gold_item(tmp_path):
    from test_dataset import load_configs

    loaded = load_configs(ROOT / "corpus", tmp_path)
    records = gold_files().values()
    for layer in ("entities", "claims", "attributions"):
        assert loaded[layer]["rows"] == sum(len(r[layer]) for r in records)
    links = json.loads(LINKS.read_text(encoding="utf-8"))
    assert loaded["links"]["rows"] == len(links["relations"])
    assert loaded["documents"]["rows"] == len(DOC_IDS)


def test_the_card_data_instance_is_the_first_row_of_the_data():
    import re

    card = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Data Instances\n.*?```json\n(.*?)```", card, re.S).group(1)
    shown = json.loads(block)
    first = json.loads(
        (ROOT / "corpus" / "data" / "documents.jsonl").read_text(encoding="utf-8").split("\n")[0]
    )
    assert first["text"].startswith(shown["text"].removesuffix("..."))
    for layer in ("entities", "claims", "attributions"):
        assert shown[layer] == first[layer][:1]
    same = ("doc_id", "text_sha256", "zones", "annotated", "story_id", "published")
    assert {k: shown[k] for k in same} == {k: first[k] for k in same}
