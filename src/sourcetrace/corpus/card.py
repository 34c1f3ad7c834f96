"""The dataset card (corpus/README.md): YAML generated from the features, body from a template."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

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


def document_counts_table(source: Any) -> str:
    """Items per document and layer, entity mentions split by kind: what the gold holds."""
    kinds = list(load_labels()["mention_kinds"])
    header = ["doc_id", "entities", *(f"{k} mentions" for k in kinds), "claims", "attributions"]
    header += ["nested attributions"]
    rows = []
    totals = [0] * (len(header) - 1)
    for document in source.documents:
        gold = source.gold.get(document["doc_id"])
        if gold is None:
            continue
        entities = gold["entities"]
        values = [
            len(entities),
            *(sum(e["mention"] == kind for e in entities) for kind in kinds),
            len(gold["claims"]),
            len(gold["attributions"]),
            sum(a["nested_in"] is not None for a in gold["attributions"]),
        ]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        rows.append([document["doc_id"], *values])
    rows.append(["all", *totals])
    return _table(header, rows)


def data_instance(source: Any) -> str:
    """The first document row as the card shows it: long strings cut, each layer one item."""
    from sourcetrace.corpus.build import document_rows

    row = dict(document_rows(source)[0])
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


def render_card(source: Any, counts: dict[str, int], data_sha256: str, paths: list[str]) -> str:
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
                d["doc_id"],
                d["seed_file"],
                d["outlet"],
                d["published"],
                d["story_id"],
                len(d["text"]),
                "yes" if d["doc_id"] in source.gold else "no",
            ]
            for d in source.documents
        ],
    )
    agreement_file = source.root / "annotations" / "AGREEMENT.md"
    agreement = (
        demote_headings(agreement_file.read_text(encoding="utf-8"), 3)
        if agreement_file.is_file()
        else "No agreement figures were computed for this build."
    )
    body = template.format(
        version=source.version,
        data_sha256=data_sha256,
        num_documents=len(source.documents),
        documents_table=documents_table,
        layer_counts_table=_table(["layer", "items"], [[k, v] for k, v in counts.items()]),
        document_counts_table=document_counts_table(source),
        data_instance=data_instance(source),
        agreement=agreement.strip(),
        entity_types_table=_table(
            ["type", "definition"], [[k, v] for k, v in labels["entity_types"].items()]
        ),
        configs_list="\n".join(f"- `{name}`: `{path}`" for name, path in config_files.items()),
    )
    yaml = card_yaml(source.version, config_files, len(source.documents))
    return f"---\n{yaml}\n---\n\n{body.strip()}\n"
