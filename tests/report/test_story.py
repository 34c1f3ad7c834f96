"""The story view: rows per claim cluster, relations drawn, found/missed marks, escaping, CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from release_factory import write_release
from sourcetrace.evaluation.run import evaluate_and_explain
from sourcetrace.report.story import story_html, story_page

REPO = Path(__file__).resolve().parents[2]
FT_STORY = "ukraine-nk-rockets-ft-2023-07"


class Elements(HTMLParser):
    """Every start tag with its attributes, and for each claim the cluster of its row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.row: str | None = None
        self.claim_rows: dict[tuple[str, str], str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "tr":
            self.row = found.get("data-cluster")
        if "data-claim" in found:
            self.claim_rows[found["data-doc"] or "", found["data-claim"] or ""] = self.row

    def having(self, name: str) -> list[dict[str, str | None]]:
        return [found for _, found in self.tags if name in found]


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def _corpus_rows() -> list[dict[str, Any]]:
    path = REPO / "corpus" / "data" / "documents.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _story(story_id: str) -> list[dict[str, Any]]:
    return [row for row in _corpus_rows() if row["story_id"] == story_id]


def test_one_column_per_document_and_one_row_per_cluster() -> None:
    documents = _story(FT_STORY)
    page = parsed(story_html(FT_STORY))
    assert [t["data-column"] for t in page.having("data-column")] == sorted(
        d["doc_id"] for d in documents
    )
    assert {d["doc_id"] for d in documents} == {"st-000", "st-001", "st-003"}
    clusters = {c["cluster"] for d in documents for c in d["claims"]}
    rows = [t["data-cluster"] for tag, t in page.tags if tag == "tr" and "data-cluster" in t]
    assert sorted(rows) == sorted(clusters)
    expected = {(d["doc_id"], c["id"]): c["cluster"] for d in documents for c in d["claims"]}
    assert page.claim_rows == expected  # every claim in its document's column, in its row


def test_relations_among_the_story_clusters_are_drawn() -> None:
    links = json.loads((REPO / "annotations" / "links.json").read_text(encoding="utf-8"))
    clusters = {c["cluster"] for d in _story(FT_STORY) for c in d["claims"]}
    expected = sorted(
        (r["from"], r["to"], r["relation"])
        for r in links["relations"]
        if r["from"] in clusters and r["to"] in clusters
    )
    drawn = sorted(
        (t["data-from"], t["data-to"], t["data-relation"])
        for t in parsed(story_html(FT_STORY)).having("data-relation")
    )
    assert drawn == expected
    # both can be true (a friendly country may have seized them from a ship): a drift, not a
    # contradiction (issue 26)
    assert (
        "nk-rockets-seized-from-ship",
        "nk-rockets-seized-by-friendly-country",
        "distorts",
    ) in drawn
    assert (
        "ukrainian-forces-fired-nk-missiles-near-bakhmut",
        "ukrainian-troops-use-nk-rockets",
        "elaborates",
    ) in drawn
    assert (
        "nk-arms-captured-by-russian-forces",
        "nk-arms-captured-from-russians",
        "distorts",
    ) in drawn


def test_the_drifting_claims_are_shown_in_their_rows() -> None:
    html = story_html(FT_STORY)
    for words in (
        "seized from a ship",
        "seized by a",
        "captured from the Russians",
        "captured by Russian forces",
    ):
        assert words in html


def test_found_and_missed_marks_equal_the_claim_matches(tmp_path: Path) -> None:
    predictions = _dropping_claims(tmp_path)
    _, explanation = evaluate_and_explain(predictions, layers=["claims"])
    expected = {
        (d["doc_id"], claim["id"]): item["outcome"] != "missed"
        for d in _story(FT_STORY)
        for claim, item in zip(d["claims"], explanation[d["doc_id"]]["claims"]["gold"], strict=True)
    }
    marks = {
        (t["data-doc"], t["data-claim"]): t["data-found"] == "true"
        for t in parsed(story_page(FT_STORY, predictions=predictions)).having("data-found")
    }
    assert marks == expected
    assert set(marks.values()) == {True, False}
    assert "data-found" not in story_html(FT_STORY)


def _dropping_claims(folder: Path) -> Path:
    """Predictions that are the gold with every third claim left out (and the attributions,
    which refer to claims, left out too)."""
    records = []
    for row in _corpus_rows():
        claims = [c for i, c in enumerate(row["claims"]) if i % 3 != 1]
        records.append({"doc_id": row["doc_id"], "claims": claims})
    path = folder / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_everything_from_the_data_is_escaped(tmp_path: Path) -> None:
    text = 'Title <script>window.pwned=1</script>\nBody <img src=x onerror="pwned()"> said.'
    claim = '<img src=x onerror="pwned()"> said'
    start = text.index(claim)
    attributes = {"polarity": "positive", "certainty": "certain", "checkworthy": True}
    document = {
        "doc_id": "x-1",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "seed_file": "x.txt",
        "title": "<script>alert(1)</script>",
        "outlet": "<i>outlet</i>",
        "author": None,
        "url": None,
        "published": None,
        "date_source": "unknown",
        "date_note": None,
        "language": "en",
        "story_id": "x-story",
        "zones": [{"start": 0, "end": len(text), "kind": "body"}],
        "annotated": True,
        "entities": [],
        "attributions": [],
        "claims": [
            {
                "id": "c1",
                "start": start,
                "end": start + len(claim),
                "text": claim,
                "cluster": "a.b",
                **attributes,
            },
            {"id": "c2", "start": 0, "end": 5, "text": "Title", "cluster": "x-y", **attributes},
        ],
    }
    corpus = tmp_path / "corpus"
    write_release(corpus, [document])
    links = {
        "clusters": {"a.b": "<script>window.pwned=2</script>"},
        "relations": [
            {"from": "a.b", "to": "x-y", "relation": "contradicts", "note": "<script>n()</script>"}
        ],
    }
    # story ids are [a-z0-9_-]+ in a published corpus (a row with another is refused)
    html = story_html("x-story", corpus=corpus, links=links)
    assert "<script" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=&quot;pwned()&quot;&gt; said" in html
    assert "&lt;script&gt;window.pwned=2&lt;/script&gt;" in html
    page = parsed(html)
    assert [t["data-relation"] for t in page.having("data-relation")] == ["contradicts"]
    # cluster ids are [A-Za-z0-9_.:-]+ in a published corpus (a row with other ids is refused)
    assert sorted(t["data-cluster"] for t in page.having("data-cluster")) == ["a.b", "x-y"]


def _depths(document: dict[str, Any]) -> dict[str, int]:
    """Each edge's depth worked out from the data: an edge from the byline is at depth 0, an
    edge whose reporter is the referent another edge reported sits one below that edge."""
    entity_of = {e["id"]: e["entity"] for e in document["entities"]}

    def referent(node: Any) -> Any:
        if node == "byline":
            return "byline"
        if "mention" in node:
            return entity_of[node["mention"]]
        return (node["start"], node["end"])

    depth: dict[str, int] = {}
    reached = {"byline": 0}
    pending = list(document["provenance"])
    while pending:
        edge = next(e for e in pending if referent(e["reporter"]) in reached)
        pending.remove(edge)
        depth[edge["id"]] = reached[referent(edge["reporter"])]
        reached.setdefault(referent(edge["reported"]), depth[edge["id"]] + 1)
    return depth


def test_the_provenance_chain_of_every_document_is_drawn_edge_by_edge() -> None:
    documents = _story(FT_STORY)
    assert sum(len(d["provenance"]) for d in documents) > 0
    page = parsed(story_html(FT_STORY))
    drawn = {
        (t["data-doc"], t["data-edge"]): int(t["data-depth"]) for t in page.having("data-edge")
    }
    expected = {
        (d["doc_id"], edge_id): depth for d in documents for edge_id, depth in _depths(d).items()
    }
    assert drawn == expected
    # st-003: the byline credits Reuters, which reports the Financial Times, which reports
    # what "they" (the soldiers) said
    assert [drawn["st-003", edge] for edge in ("v1", "v3", "v4")] == [0, 1, 2]


def test_provenance_spans_are_escaped_and_chains_nest(tmp_path: Path) -> None:
    text = "Body: <b>wire</b> said <i>people</i> said so."
    wire, people = (
        {"start": text.index(part), "end": text.index(part) + len(part), "text": part}
        for part in ("<b>wire</b>", "<i>people</i>")
    )
    document = {
        "doc_id": "x-1",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "seed_file": "x.txt",
        "title": None,
        "outlet": None,
        "author": None,
        "url": None,
        "published": None,
        "date_source": "unknown",
        "date_note": None,
        "language": "en",
        "story_id": "x-story",
        "zones": [{"start": 0, "end": len(text), "kind": "body"}],
        "annotated": True,
        "entities": [],
        "claims": [],
        "attributions": [],
        "provenance": [
            {"id": "v2", "reporter": wire, "reported": people, "evidence": []},
            {"id": "v1", "reporter": "byline", "reported": wire, "evidence": []},
        ],
    }
    corpus = tmp_path / "corpus"
    write_release(corpus, [document])
    html = story_html("x-story", corpus=corpus, links={"relations": []})
    assert "<b>wire" not in html and "<i>people" not in html
    assert "&lt;b&gt;wire&lt;/b&gt;" in html and "&lt;i&gt;people&lt;/i&gt;" in html
    page = parsed(html)
    assert [(t["data-edge"], t["data-depth"]) for t in page.having("data-edge")] == [
        ("v1", "0"),
        ("v2", "1"),
    ]
    section = html.split('class="provenance"', 1)[1]
    assert section.index('data-edge="v2"') > section.index('data-edge="v1"')
    assert section.count("<ul>") == section.count("</ul>") == 2


def test_unknown_story_exits_2_naming_the_known_ones(run_cli: Callable[..., Any]) -> None:
    result = run_cli("story", "no-such-story")
    assert result.code == 2
    message = result.err.strip()
    assert "no-such-story" in message and "\n" not in message
    for story_id in {row["story_id"] for row in _corpus_rows()}:
        assert story_id in message


def test_cli_prints_the_page_or_writes_it(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    printed = run_cli("story", FT_STORY)
    assert printed.code == 0 and printed.out == story_html(FT_STORY)
    output = tmp_path / "story.html"
    written = run_cli("story", FT_STORY, "--output", output)
    assert written.code == 0 and written.out == ""
    assert output.read_text(encoding="utf-8") == printed.out


@pytest.mark.parametrize("folder", ["corpus", "annotations"])
def test_cli_refuses_to_write_into_data_folders(run_cli: Callable[..., Any], folder: str) -> None:
    target = REPO / folder / "story-should-not-exist.html"
    result = run_cli("story", FT_STORY, "--output", target)
    assert result.code == 2 and not target.exists()
    assert f"refusing to write into {folder}/" in result.err
