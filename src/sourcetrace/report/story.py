"""The story view: the retellings of one story side by side, one row per claim cluster, and the
relations between clusters (annotations/links.json) drawn between the rows, so that claim drift
(`contradicts`, `distorts`) is seen at a glance.

Below the grid, each document's provenance (who reports whom: the byline, the wires and outlets
it cites, their speakers) is drawn as a chain, each edge under the edge that reported its
reporter.

Countable elements: one `tr[data-cluster]` per cluster row, one `[data-claim]` per gold claim
(with `data-doc`, and `data-found` when a system's predictions are given), one `[data-relation]`
per relation drawn, one `th[data-column]` per document, one `[data-edge]` per provenance edge
(with `data-doc` and `data-depth`, 0 for an edge from the byline).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sourcetrace.corpus.release import Release, check_folder, checked_rows
from sourcetrace.errors import InputError
from sourcetrace.report.page import attrs, esc, page
from sourcetrace.scoring.provenance import BYLINE, gold_entity_by_span, node_key

DRIFT = ("contradicts", "distorts")


def story_page(
    story_id: str,
    *,
    corpus: str | Path | None = None,
    links: Any = None,
    predictions: Any = None,
) -> str:
    """The page for one story of the corpus (`links`: a links.json / links.jsonl path or data;
    `predictions`: a path or records, as evaluate takes them, to mark each gold claim found):
    the claims are scored here, the page is drawn by `story_html` from the result."""
    release = read_corpus(corpus)  # one read: the documents, links and found marks come from it
    found = None
    if predictions is not None:
        from sourcetrace.evaluation.run import claims_found

        found = claims_found(predictions, release, story_documents(story_id, release))
    source = predictions if isinstance(predictions, (str, Path)) else "<records>"
    if links is None:
        links = default_links(corpus, release)  # the checkout's links.json for its own corpus
    return story_html(story_id, corpus=release, links=links, found=found, system=source)


def story_html(
    story_id: str,
    *,
    corpus: str | Path | Release | None = None,
    links: Any = None,
    found: Mapping[tuple[str, str], bool] | None = None,
    system: str = "<records>",
) -> str:
    """The page for one story, drawn from data: `found` maps (doc_id, claim id) to whether the
    system named `system` found that gold claim (`evaluation.claims_found`)."""
    release = read_corpus(corpus)
    documents = story_documents(story_id, release)
    relations, descriptions = load_links(
        links if links is not None else default_links(corpus, release)
    )
    rows = cluster_rows(documents)
    drawn = relations_among(relations, rows)
    body = "".join(
        [
            _heading(story_id, documents, system, found),
            _grid(documents, rows, drawn, descriptions, found),
            _relation_list(drawn),
            _provenance_section(documents),
        ]
    )
    return page(f"sourcetrace story {story_id}", body, CSS)


# ---------------------------------------------------------------- data


LINKS_FILE = "data/links.jsonl"
CorpusArgument = str | Path | Release | None


def read_corpus(corpus: CorpusArgument = None) -> Release:
    """The corpus folder (the packaged one by default) read once and checked against its
    MANIFEST.json, with its links; a Release already read is used as it is."""
    from sourcetrace.paths import corpus_dir

    if isinstance(corpus, Release):
        return corpus
    return check_folder(Path(corpus) if corpus is not None else corpus_dir(), parse=[LINKS_FILE])


def story_documents(story_id: str, corpus: CorpusArgument = None) -> list[dict[str, Any]]:
    """The corpus documents of one story, by doc_id; an unknown story names the known ones."""
    release = read_corpus(corpus)
    rows = release.documents
    chosen = sorted((r for r in rows if r.get("story_id") == story_id), key=lambda r: r["doc_id"])
    checked_rows(release, [r["doc_id"] for r in chosen])  # the page relies on their claims
    if not chosen:
        known = sorted({str(r.get("story_id")) for r in rows if r.get("story_id")})
        raise InputError(
            f"unknown story id {story_id!r}; the corpus has "
            + (", ".join(known) if known else "no stories"),
            expected="one of the story ids listed (see `sourcetrace corpus info`)",
        )
    return chosen


def load_links(links: Any, corpus: CorpusArgument = None) -> tuple[list[dict], dict[str, str]]:
    """(relations, cluster descriptions) from links data, a links.json, or a links.jsonl.

    By default the checkout's annotations/links.json (it also describes the clusters) when the
    corpus is the checkout's own, else the corpus's data/links.jsonl (relations only), as read
    and checked with its documents."""
    if links is None:
        links = default_links(corpus)
    if isinstance(links, (str, Path)):
        links = _read_links(Path(links))
    if isinstance(links, Mapping):
        return list(links.get("relations") or []), dict(links.get("clusters") or {})
    return list(links), {}


def default_links(corpus: CorpusArgument, release: Release | None = None) -> Any:
    """The checkout's annotations/links.json for the checkout's own corpus (``corpus`` None),
    else the relations of the corpus's data/links.jsonl from ``release`` (read if not given)."""
    from sourcetrace.paths import repo_root

    root = repo_root()
    if corpus is None and root is not None and (root / "annotations/links.json").is_file():
        return root / "annotations" / "links.json"
    return (release or read_corpus(corpus)).rows.get(LINKS_FILE, [])


def _read_links(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read links: {exc}", file=path, expected="links JSON") from exc


def cluster_rows(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per claim cluster: per document its claims. Clusters joined by a relation are
    kept together; otherwise rows follow the order in which the documents tell them."""
    rows: dict[str, dict[str, Any]] = {}
    for doc in documents:
        length = max(len(doc["text"]), 1)
        for claim in doc.get("claims") or []:
            cluster = claim.get("cluster") or f"(no cluster: {doc['doc_id']} {claim['id']})"
            row = rows.setdefault(cluster, {"cluster": cluster, "claims": {}, "at": 1.0})
            row["claims"].setdefault(doc["doc_id"], []).append(claim)
            row["at"] = min(row["at"], claim["start"] / length)
    return sorted(rows.values(), key=lambda row: row["at"])


def relations_among(relations: Sequence[Mapping[str, Any]], rows: list[dict[str, Any]]) -> list:
    """The relations whose both clusters are rows of this story; reorders `rows` in place so
    that related clusters sit next to each other (short connectors)."""
    present = {row["cluster"] for row in rows}
    drawn = [r for r in relations if r.get("from") in present and r.get("to") in present]
    group = {cluster: cluster for cluster in present}

    def root(cluster: str) -> str:
        while group[cluster] != cluster:
            cluster = group[cluster]
        return cluster

    for relation in drawn:
        group[root(relation["from"])] = root(relation["to"])
    first_at: dict[str, float] = {}
    for row in rows:
        first_at[root(row["cluster"])] = min(first_at.get(root(row["cluster"]), 1.0), row["at"])
    rows.sort(key=lambda row: (first_at[root(row["cluster"])], root(row["cluster"]), row["at"]))
    return drawn


# ---------------------------------------------------------------- markup


def _heading(
    story_id: str,
    documents: Sequence[Mapping[str, Any]],
    source: str,
    found: Mapping[tuple[str, str], bool] | None,
) -> str:
    lines = [
        f"<header><h1>Story <code>{esc(story_id)}</code></h1>",
        f"<p>{len(documents)} retelling(s): "
        + ", ".join(esc(d["doc_id"]) for d in documents)
        + ". One row per claim cluster; an empty cell: that document does not tell the "
        "claim. Brackets on the left join related clusters; red and orange ones are drift "
        "(<em>contradicts</em>, <em>distorts</em>); blue dotted ones join a retelling that adds "
        "detail to another (<em>elaborates</em>).</p>",
    ]
    if found is not None:
        hits = sum(found.values())
        lines.append(
            f'<p class="system">Claims found by <code>{esc(source)}</code> '
            f"(lenient span match): {hits} of {len(found)}. "
            '<span class="claim found">found</span> '
            '<span class="claim missed">missed</span></p>'
        )
    lines.append("</header>")
    return "".join(lines)


def _lanes(drawn: Sequence[Mapping[str, Any]], index: Mapping[str, int]) -> list[tuple]:
    """(first row, last row, lane, relation) with overlapping relations in different lanes."""
    spans = sorted(
        (min(index[r["from"]], index[r["to"]]), max(index[r["from"]], index[r["to"]]), n)
        for n, r in enumerate(drawn)
    )
    lane_ends: list[int] = []
    placed = []
    for first, last, n in spans:
        lane = next((k for k, end in enumerate(lane_ends) if end < first), None)
        if lane is None:
            lane_ends.append(last)
            lane = len(lane_ends) - 1
        lane_ends[lane] = last
        placed.append((first, last, lane, drawn[n]))
    return placed


def _grid(
    documents: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
    drawn: Sequence[Mapping[str, Any]],
    descriptions: Mapping[str, str],
    found: Mapping[tuple[str, str], bool] | None,
) -> str:
    index = {row["cluster"]: i for i, row in enumerate(rows)}
    placed = _lanes(drawn, index)
    lanes = max((lane for _, _, lane, _ in placed), default=-1) + 1
    starting = {(first, lane): (first, last, rel) for first, last, lane, rel in placed}
    covered = {(r, lane) for first, last, lane, _ in placed for r in range(first + 1, last + 1)}
    drift = {c for r in drawn if r.get("relation") in DRIFT for c in (r["from"], r["to"])}
    head = '<th class="lane"></th>' * lanes + "<th>claim cluster</th>"
    head += "".join(_column_head(doc) for doc in documents)
    body = []
    for i, row in enumerate(rows):
        cells = [_lane_cell(i, lane, starting, covered) for lane in range(lanes)]
        cluster = row["cluster"]
        cells.append(
            f'<td class="cluster"><code>{esc(cluster)}</code>'
            f'<span class="desc">{esc(descriptions.get(cluster, ""))}</span></td>'
        )
        cells += [_claim_cell(doc["doc_id"], row, found) for doc in documents]
        classes = "drift" if cluster in drift else ""
        body.append(f'<tr class="{classes}"{attrs(data_cluster=cluster)}>{"".join(cells)}</tr>')
    return (
        f'<table class="story"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _column_head(doc: Mapping[str, Any]) -> str:
    details = [
        doc.get("outlet") or "outlet unknown",
        doc.get("published") or "date unknown",
        doc.get("seed_file"),
    ]
    title = doc.get("title") or _title_zone(doc)
    return (
        f'<th class="doc"{attrs(data_column=doc["doc_id"])}><b>{esc(doc["doc_id"])}</b>'
        f'<span class="title">{esc(title)}</span>'
        f'<span class="meta">{esc(" · ".join(str(d) for d in details if d))}</span></th>'
    )


def _title_zone(doc: Mapping[str, Any]) -> str:
    """The page's own headline (its first title zone) when the metadata has no title."""
    zone = next((z for z in doc.get("zones") or [] if z.get("kind") == "title"), None)
    return doc["text"][zone["start"] : zone["end"]][:160] if zone else ""


def _lane_cell(row: int, lane: int, starting: Mapping, covered: set) -> str:
    if (row, lane) in covered:
        return ""
    if (row, lane) not in starting:
        return '<td class="lane"></td>'
    first, last, relation = starting[row, lane]
    kind = str(relation.get("relation"))
    classes = "lane rel " + ("drift" if kind in DRIFT else "kin") + f" k-{_slug(kind)}"
    return (
        f'<td class="{classes}" rowspan="{last - first + 1}">'
        f"<div{attrs(data_relation=kind, data_from=relation['from'], data_to=relation['to'])}"
        f'{attrs(title=relation.get("note") or kind)} class="bracket">'
        f'<span class="label">{esc(kind)}</span></div></td>'
    )


def _claim_cell(
    doc_id: str, row: Mapping[str, Any], found: Mapping[tuple[str, str], bool] | None
) -> str:
    claims = row["claims"].get(doc_id)
    if not claims:
        return '<td class="absent"></td>'
    parts = []
    for claim in claims:
        mark = None if found is None else found[doc_id, claim["id"]]
        status = "" if mark is None else (" found" if mark else " missed")
        facts = " · ".join(
            str(claim.get(k)) for k in ("polarity", "certainty") if claim.get(k) is not None
        )
        parts.append(
            f'<div class="claim{status}"'
            + attrs(
                data_doc=doc_id,
                data_claim=claim["id"],
                data_found=None if mark is None else str(mark).lower(),
                title=f"{doc_id} {claim['id']} [{claim['start']}:{claim['end']}]",
            )
            + f">{esc(claim['text'])}"
            f'<span class="facts">{esc(claim["id"])} · {esc(facts)}</span></div>'
        )
    return f"<td>{''.join(parts)}</td>"


def _relation_list(drawn: Sequence[Mapping[str, Any]]) -> str:
    if not drawn:
        return "<p>No relation of links.json joins two clusters of this story.</p>"
    items = "".join(
        f'<li class="{"drift" if r.get("relation") in DRIFT else "kin"}">'
        f"<code>{esc(r['from'])}</code> <b>{esc(r.get('relation'))}</b> "
        f"<code>{esc(r['to'])}</code>: {esc(r.get('note') or '')}</li>"
        for r in drawn
    )
    return f'<section><h2>Relations drawn</h2><ul class="relations">{items}</ul></section>'


# ---------------------------------------------------------------- provenance


def provenance_tree(document: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """The document's provenance edges as (depth, edge), depth first from the byline: an edge
    sits under the edge that reported its reporter. Endpoints are compared as the scorer
    resolves them (any mention of one referent is one node); each edge is listed once, and edges
    no path from the byline reaches follow at depth 0."""
    keys = gold_entity_by_span(document)
    mentions = {m["id"]: m for m in document.get("entities") or [] if m.get("id") is not None}
    edges = list(document.get("provenance") or [])
    ends = [
        (node_key(e["reporter"], mentions, keys), node_key(e["reported"], mentions, keys))
        for e in edges
    ]
    listed: list[tuple[int, Mapping[str, Any]]] = []
    done: set[int] = set()

    def walk(node: tuple, depth: int) -> None:
        for index, (reporter, reported) in enumerate(ends):
            if reporter == node and index not in done:
                done.add(index)
                listed.append((depth, edges[index]))
                walk(reported, depth + 1)

    walk(("byline",), 0)
    for index, (reporter, _) in enumerate(ends):
        if index not in done:
            walk(reporter, 0)
    return listed


def _node_label(node: Any, document: Mapping[str, Any]) -> str:
    if node == BYLINE:
        who = document.get("outlet") or document.get("author")
        return f"byline ({who})" if who else "byline (the publisher)"
    if isinstance(node, Mapping) and "mention" in node:
        mention = next(
            (m for m in document.get("entities") or [] if m.get("id") == node["mention"]), {}
        )
        return (
            f"{mention.get('text', node['mention'])} [{mention.get('start')}:{mention.get('end')}]"
        )
    return f"“{node.get('text')}” [{node.get('start')}:{node.get('end')}]"


def _edge_item(edge: Mapping[str, Any], depth: int, document: Mapping[str, Any]) -> str:
    evidence = ", ".join(edge.get("evidence") or [])
    return (
        '<li class="edge"'
        + attrs(
            data_doc=document["doc_id"],
            data_edge=edge.get("id"),
            data_depth=str(depth),
            title="evidence: " + (evidence or "none"),
        )
        + f'><span class="node">{esc(_node_label(edge["reporter"], document))}</span>'
        f' <span class="arrow">reports</span> '
        f'<span class="node">{esc(_node_label(edge["reported"], document))}</span>'
        f'<span class="facts">{esc(edge.get("id") or "")}'
        + (f" · {esc(evidence)}" if evidence else "")
        + "</span>"
    )


def _nested(tree: Sequence[tuple[int, Mapping[str, Any]]], document: Mapping[str, Any]) -> str:
    """The (depth, edge) list as nested lists: an edge's continuations inside its item."""
    parts = ["<ul>"]
    depth = 0
    for index, (edge_depth, edge) in enumerate(tree):
        if index:
            if edge_depth > depth:
                parts.append("<ul>")
            else:
                parts.append("</li>" + "</ul></li>" * (depth - edge_depth))
        depth = edge_depth
        parts.append(_edge_item(edge, edge_depth, document))
    if tree:
        parts.append("</li>" + "</ul></li>" * depth)
    parts.append("</ul>")
    return "".join(parts)


def _provenance_section(documents: Sequence[Mapping[str, Any]]) -> str:
    """Per document, who reports whom: each edge inside the one that reported its reporter."""
    blocks = [
        f'<div class="chain"{attrs(data_provenance=document["doc_id"])}>'
        f"<h3>{esc(document['doc_id'])}</h3>{_nested(tree, document)}</div>"
        for document in documents
        if (tree := provenance_tree(document))
    ]
    if not blocks:
        return ""
    return (
        '<section class="provenance"><h2>Provenance: who reports whom</h2>'
        "<p>Each line: the reporter passes on what the reported source says (an entity by any "
        "of its mentions, or a source phrase); a line inside another continues its chain. "
        "Hover for the attributions that show the edge.</p>" + "".join(blocks) + "</section>"
    )


def _slug(value: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in value.lower())


CSS = """
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.2rem 3rem;
  color: #1d1d1f; background: #fafafa; }
h1 { margin: 1rem 0 .3rem; }
code { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; }
table.story { border-collapse: collapse; width: 100%; table-layout: fixed; background: #fff; }
table.story th, table.story td { border-bottom: 1px solid #ddd; padding: 5px 7px;
  vertical-align: top; text-align: left; }
table.story th.lane, table.story td.lane { width: 34px; padding: 0; border-bottom: none; }
table.story th.doc { background: #f0f0f4; }
table.story th { position: sticky; top: 0; z-index: 2; background: #f0f0f4; }
th.doc .title { display: block; font-weight: 400; font-family: Georgia, serif; }
th.doc .meta, .desc, .facts { display: block; font-weight: 400; color: #666; font-size: 12px; }
td.cluster { width: 17%; background: #fcfcfc; }
tr.drift td.cluster { background: #fff1e6; }
td.absent { background: repeating-linear-gradient(135deg, #fafafa 0 6px, #f0f0f0 6px 12px); }
.claim { font-family: Georgia, "DejaVu Serif", serif; padding: 2px 5px; margin: 2px 0;
  border-left: 4px solid #9aa5b1; background: #f7f9fb; }
tr.drift .claim { border-left-color: #e65100; background: #fff4ea; }
.story .claim.found, .claim.found { border-left-color: #2e7d32; background: #e3f6e3; }
.story .claim.missed, .claim.missed { border-left-color: #c62828; background: #ffe3e3; }
span.claim { display: inline-block; font-family: inherit; }
td.rel { position: relative; }
.bracket { position: absolute; top: 14px; bottom: 14px; left: 12px; right: 2px;
  border: 2px solid #7a8a99; border-right: none; border-radius: 6px 0 0 6px; }
td.drift .bracket { border-color: #d32f2f; border-style: solid; }
td.k-distorts .bracket { border-color: #ef6c00; border-style: dashed; }
td.k-paraphrase .bracket { border-color: #558b2f; }
td.k-elaborates .bracket { border-color: #1565c0; border-style: dotted; }
.bracket .label { position: absolute; left: -11px; top: 50%; transform: translateY(-50%);
  writing-mode: vertical-rl; rotate: 180deg; font-size: 11px; background: #fff; padding: 3px 0;
  color: #333; font-weight: 600; line-height: 1; }
td.drift .label { color: #b71c1c; } td.k-distorts .label { color: #e65100; }
td.k-elaborates .label { color: #0d47a1; }
ul.relations li { margin: .35rem 0; } ul.relations li.drift b { color: #b71c1c; }
section.provenance .chain { display: inline-block; vertical-align: top; margin: 0 2rem 1rem 0; }
section.provenance ul { list-style: none; padding: 0 0 0 1.4rem; margin: 0; }
section.provenance .chain > ul { padding-left: 0; }
li.edge { margin: .2rem 0; } li.edge .node { font-family: Georgia, serif; background: #eef3f8;
  padding: 0 4px; border-radius: 3px; } li.edge .arrow { color: #666; font-size: 12px; }
li.edge .facts { display: inline; margin-left: .5rem; }
"""
