"""The dataset card (corpus/README.md): YAML generated from the features, body from a template."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from sourcetrace.schema.labels import load_labels
from sourcetrace.schema.validation import LAYERS

LICENSE_NAME = "sourcetrace-annotations-cc-by-4.0-texts-publishers"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def card_yaml(version: str, config_files: dict[str, str], num_documents: int) -> str:
    from datasets.info import DatasetInfo, DatasetInfosDict
    from huggingface_hub import DatasetCardData

    from sourcetrace.corpus.dataset import SPLIT, config_features

    features = config_features()
    configs = [
        {
            "config_name": name,
            "data_files": [{"split": SPLIT, "path": path}],
            **({"default": True} if name == "documents" else {}),
        }
        for name, path in config_files.items()
    ]
    size = "n<1K"
    card = DatasetCardData(
        pretty_name="sourcetrace: who-said-what in news about North Korean missiles",
        language=["en"],
        license="other",
        license_name=LICENSE_NAME,
        license_details=(
            "Annotations (offsets, labels, links, metadata) under CC BY 4.0; the "
            "article texts remain the copyright of their publishers and are included "
            "for research evaluation only."
        ),
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition", "fact-checking"],
        size_categories=[size],
        tags=["attribution", "claim-detection", "quotation-attribution", "news", "evaluation"],
        configs=configs,
        version=version,
    )
    infos = DatasetInfosDict(
        {
            name: DatasetInfo(features=features[name], config_name=name, version=version)
            for name in config_files
        }
    )
    infos.to_dataset_card_data(card)
    return card.to_yaml()


class CardDocument(NamedTuple):
    """What the card shows of one document: its line in the documents table and, when it has
    gold, its line in the counts table. Small, so a build of many documents keeps one each
    instead of the documents."""

    doc_id: str
    seed_file: str
    outlet: str
    published: str
    story_id: str
    characters: int
    counts: list[int] | None  # entities, mentions by kind, claims, attributions, nested


def card_document(document: Mapping[str, Any], gold: Mapping[str, Any] | None) -> CardDocument:
    """The card's summary of a document record (with its text) and its gold annotation."""
    counts = None
    if gold is not None:
        entities, kinds = gold["entities"], load_labels()["mention_kinds"]
        counts = [
            len(entities),
            *(sum(e["mention"] == kind for e in entities) for kind in kinds),
            len(gold["claims"]),
            len(gold["attributions"]),
            sum(a["nested_in"] is not None for a in gold["attributions"]),
        ]
    return CardDocument(
        document["doc_id"],
        document["seed_file"],
        document["outlet"],
        document["published"],
        document["story_id"],
        len(document["text"]),
        counts,
    )


def document_counts_table(documents: Iterable[CardDocument]) -> str:
    """Items per document and layer, entity mentions split by kind: what the gold holds."""
    kinds = list(load_labels()["mention_kinds"])
    header = ["doc_id", "entities", *(f"{k} mentions" for k in kinds), "claims", "attributions"]
    header += ["nested attributions"]
    rows = []
    totals = [0] * (len(header) - 1)
    for document in documents:
        if document.counts is None:
            continue
        totals = [t + v for t, v in zip(totals, document.counts, strict=True)]
        rows.append([document.doc_id, *document.counts])
    rows.append(["all", *totals])
    return _table(header, rows)


def data_instance(first_row: dict[str, Any]) -> str:
    """The first document row as the card shows it: long strings cut, each layer one item."""
    row = dict(first_row)
    for key in ("text", "date_note"):
        if isinstance(row.get(key), str) and len(row[key]) > 80:
            row[key] = row[key][:80] + "..."
    for layer in LAYERS:
        row[layer] = row[layer][:1]
    fields = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in row.items()]
    return "{" + ",\n ".join(fields) + "}"


def demote_headings(markdown: str, levels: int) -> str:
    """Push every ATX heading down `levels` levels, so a generated page nests in the card."""
    return "\n".join(
        "#" * levels + line if line.startswith("#") else line for line in markdown.splitlines()
    )


def render_card(
    root: Path,
    version: str,
    documents: Sequence[CardDocument],
    first_row: dict[str, Any],
    counts: dict[str, int],
    data_sha256: str,
    paths: list[str],
) -> str:
    """The dataset card; ``first_row`` is the documents config's first row (its example)."""
    template = (
        resources.files("sourcetrace.corpus")
        .joinpath("templates/dataset_card.md")
        .read_text(encoding="utf-8")
    )
    config_files = {
        p.removeprefix("data/").removesuffix(".jsonl"): p for p in paths if p.startswith("data/")
    }
    labels = load_labels()
    documents_table = _table(
        ["doc_id", "seed file", "outlet", "published", "story_id", "characters", "annotated"],
        [
            [
                d.doc_id,
                d.seed_file,
                d.outlet,
                d.published,
                d.story_id,
                d.characters,
                "no" if d.counts is None else "yes",
            ]
            for d in documents
        ],
    )
    agreement_file = Path(root) / "annotations" / "AGREEMENT.md"
    agreement = (
        demote_headings(agreement_file.read_text(encoding="utf-8"), 3)
        if agreement_file.is_file()
        else "No agreement figures were computed for this build."
    )
    body = template.format(
        version=version,
        data_sha256=data_sha256,
        num_documents=len(documents),
        documents_table=documents_table,
        layer_counts_table=_table(["layer", "items"], [[k, v] for k, v in counts.items()]),
        document_counts_table=document_counts_table(documents),
        data_instance=data_instance(first_row),
        agreement=agreement.strip(),
        entity_types_table=_table(
            ["type", "definition"], [[k, v] for k, v in labels["entity_types"].items()]
        ),
        configs_list="\n".join(f"- `{name}`: `{path}`" for name, path in config_files.items()),
    )
    yaml = card_yaml(version, config_files, len(documents))
    return f"---\n{yaml}\n---\n\n{body.strip()}\n"
