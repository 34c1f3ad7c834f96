"""Inter-annotator agreement: the same scorers as `evaluate`, between annotation passes.

Pass B is scored against pass A exactly as a system is scored against gold, and categorical
attributes of matched items get Cohen's kappa. Entity and claim F1 are symmetric in the two passes;
attribution source scores are not quite: pass A's source stands for its whole entity (every
mention with its entity id), pass B's for the one mention it names, as for a system.
With more than two passes, Krippendorff's alpha is computed over units that do not depend on the
order of the passes: the connected groups of items matched between any two passes, each pass giving
the label of its one item in the group (missing when it has none, or more than one).
An attribute is scored for a pair only when both passes annotate it (a pass without the
check-worthiness rubric has no answers to compare); a label-only pass (`label_only.py`) is scored
on claim attributes only, every other layer of its pairs being "not scored". Each kappa has a
95 % percentile bootstrap interval over documents (docs/statistics.md), the resampling unit of
every interval in the project.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

from sourcetrace.agreement.coefficients import cohen_kappa, krippendorff_alpha
from sourcetrace.agreement.label_only import is_label_only, read_label_only_pass
from sourcetrace.corpus.annotation_files import read_pass
from sourcetrace.errors import InputError, shown
from sourcetrace.evaluation.run import UNITS, GoldSet, Predictions, make_settings, score, signature
from sourcetrace.evaluation.stats import bootstrap_ci
from sourcetrace.jsonio import canonical_sha256
from sourcetrace.paths import path_text
from sourcetrace.schema.labels import names
from sourcetrace.scoring.claims import lenient_claim_pairs
from sourcetrace.scoring.entity_clusters import entity_pairs as entity_pairs_of

ENTITY_ATTRIBUTES = {"type": "entity_types", "mention": "mention_kinds"}
CLAIM_ATTRIBUTES = {
    "polarity": "claim_polarity",
    "certainty": "claim_certainty",
    "checkworthy": None,
    # the rubric's answers (GUIDELINES.md 2.4), one attribute per question
    **{f"checkworthiness.{q}": None for q in names("checkworthiness_questions")},
}
KAPPA_BOOTSTRAP = {"n": 1000, "seed": 0, "confidence": 0.95}  # the interval of every kappa


def attribute_value(item: dict, attribute: str) -> Any:
    """An item's value of a (dotted) attribute: `checkworthiness.verifiable` is
    item["checkworthiness"]["answers"]["verifiable"]; None when the item does not carry it."""
    if attribute.startswith("checkworthiness."):
        answers = (item.get("checkworthiness") or {}).get("answers") or {}
        return answers.get(attribute.split(".", 1)[1])
    return item.get(attribute)


def _annotates(items: list[dict], attribute: str) -> bool:
    return any(attribute_value(item, attribute) is not None for item in items)


def _paired_labels(
    a_items: list[dict], b_items: list[dict], pairs: list[tuple[int, int]], attribute: str
) -> tuple[list[Any], list[Any]]:
    return (
        [attribute_value(a_items[i], attribute) for i, _ in pairs],
        [attribute_value(b_items[j], attribute) for _, j in pairs],
    )


def paired_attribute_labels(
    a_docs: dict[str, dict], b_docs: dict[str, dict], doc_ids: list[str], claim_threshold: float
) -> dict[str, dict[str, tuple[list[Any], list[Any]]]]:
    """attribute -> doc_id -> (A's labels, B's labels) of the items matched between two passes,
    for the attributes both passes annotate (each somewhere in these documents); a pair where
    one item lacks the attribute is left out."""
    names_by_layer: dict[str, list[tuple[str, str]]] = {}
    for layer, prefix, attributes in (
        ("entities", "entity", ENTITY_ATTRIBUTES),
        ("claims", "claim", CLAIM_ATTRIBUTES),
    ):
        names_by_layer[layer] = [
            (f"{prefix}.{attribute}", attribute)
            for attribute in attributes
            if all(
                any(_annotates(docs[d][layer], attribute) for d in doc_ids)
                for docs in (a_docs, b_docs)
            )
        ]
    labels: dict[str, dict[str, tuple[list[Any], list[Any]]]] = {
        name: {} for scored in names_by_layer.values() for name, _ in scored
    }
    for doc_id in doc_ids:
        a, b = a_docs[doc_id], b_docs[doc_id]
        pairs = {
            "entities": entity_pairs_of(a["entities"], b["entities"]),
            "claims": lenient_claim_pairs(
                a["claims"], b["claims"], claim_threshold=claim_threshold
            ),
        }
        for layer, scored in names_by_layer.items():
            for name, attribute in scored:
                left, right = _paired_labels(a[layer], b[layer], pairs[layer], attribute)
                kept = [(x, y) for x, y in zip(left, right, strict=True) if None not in (x, y)]
                labels[name][doc_id] = ([x for x, _ in kept], [y for _, y in kept])
    return labels


def kappas(
    a_docs: dict[str, dict], b_docs: dict[str, dict], doc_ids: list[str], claim_threshold: float
) -> dict[str, dict[str, Any]]:
    """Cohen's kappa per attribute on items matched between two passes (attributes both
    annotate)."""
    return kappas_of_labels(paired_attribute_labels(a_docs, b_docs, doc_ids, claim_threshold))


def kappas_of_labels(
    labels: dict[str, dict[str, tuple[list[Any], list[Any]]]],
) -> dict[str, dict[str, Any]]:
    result = {}
    for name, per_doc in labels.items():
        left = [x for doc_left, _ in per_doc.values() for x in doc_left]
        right = [y for _, doc_right in per_doc.values() for y in doc_right]
        result[name] = {
            "pairs": len(left),
            "kappa": cohen_kappa(left, right, _inventory(name)) if left else None,
        }
    return result


def kappa_intervals(
    labels: dict[str, dict[str, tuple[list[Any], list[Any]]]],
) -> dict[str, dict[str, Any] | None]:
    """Per attribute, the percentile bootstrap interval of its kappa with documents drawn with
    replacement (KAPPA_BOOTSTRAP, `evaluation.stats.bootstrap_ci`); None when kappa is
    undefined on the data or on some replicate (a draw of documents where one label is used
    throughout), since an interval over the defined replicates only would be biased."""
    result: dict[str, dict[str, Any] | None] = {}
    for name, per_doc in labels.items():
        inventory = _inventory(name)
        tallies = {doc_id: _confusion_tally(inventory, pair) for doc_id, pair in per_doc.items()}
        try:
            result[name] = bootstrap_ci(tallies, _tally_kappa, **KAPPA_BOOTSTRAP)
        except ValueError:
            result[name] = None
    return result


def _confusion_tally(inventory: list[Any], labels: tuple[list[Any], list[Any]]) -> dict[str, Any]:
    """One document's paired labels as an additive tally: the count of every (a, b) cell of the
    inventory, zeros included, so that every document has the same keys."""
    size = len(inventory)
    cells = {f"{i}|{j}": 0 for i in range(size) for j in range(size)}
    for x, y in zip(*labels, strict=True):
        cells[f"{inventory.index(x)}|{inventory.index(y)}"] += 1
    return {"cells": cells}


def _tally_kappa(tally: dict[str, Any]) -> float | None:
    """Kappa of a summed confusion tally: the cell codes repeated by their counts."""
    left: list[int] = []
    right: list[int] = []
    for cell, count in tally["cells"].items():
        i, j = (int(code) for code in cell.split("|"))
        left += [i] * int(count)
        right += [j] * int(count)
    return cohen_kappa(left, right) if left else None


def _inventory(name: str) -> list[Any] | None:
    kind, attribute = name.split(".", 1)
    source = (ENTITY_ATTRIBUTES if kind == "entity" else CLAIM_ATTRIBUTES)[attribute]
    return names(source) if source else [False, True]


def aligned_units(
    layers: list[list[dict]], match: Callable[[list[dict], list[dict]], list[tuple[int, int]]]
) -> list[list[int | None]]:
    """Groups of items matched between any two passes: per group, each pass's item index.

    Items are nodes (pass, index); every pairwise match is an edge; a connected group is one
    unit. A pass with no item in the group, or with several (an ambiguous alignment), is missing.
    """
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(node: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for k, items in enumerate(layers):
        for i in range(len(items)):
            root((k, i))
    for first, second in combinations(range(len(layers)), 2):
        for i, j in match(layers[first], layers[second]):
            parent[root((second, j))] = root((first, i))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for node in sorted(parent):
        groups.setdefault(root(node), []).append(node)
    units = []
    for members in groups.values():
        row: list[int | None] = []
        for k in range(len(layers)):
            own = [i for pass_index, i in members if pass_index == k]
            row.append(own[0] if len(own) == 1 else None)
        units.append(row)
    return units


def alphas(
    passes: list[dict[str, dict]], doc_ids: list[str], claim_threshold: float
) -> dict[str, dict[str, Any]]:
    """Krippendorff's alpha (nominal) per attribute over order-independent aligned units."""

    def claim_pairs(a: list[dict], b: list[dict]) -> list[tuple[int, int]]:
        return lenient_claim_pairs(a, b, claim_threshold=claim_threshold)

    units: dict[str, list[list[Any]]] = {}
    for doc_id in doc_ids:
        for layer, prefix, attributes, match in (
            ("entities", "entity", ENTITY_ATTRIBUTES, entity_pairs_of),
            ("claims", "claim", CLAIM_ATTRIBUTES, claim_pairs),
        ):
            items = [annotation[doc_id][layer] for annotation in passes]
            for unit in aligned_units(items, match):
                for attribute in attributes:
                    row = [
                        None if i is None else attribute_value(items[k][i], attribute)
                        for k, i in enumerate(unit)
                    ]
                    units.setdefault(f"{prefix}.{attribute}", []).append(row)
    annotated = {  # an attribute that fewer than two passes annotate has no alpha to give
        name
        for name, rows in units.items()
        if sum(any(row[k] is not None for row in rows) for k in range(len(passes))) >= 2
    }
    return {
        name: {"units": len(rows), "alpha": krippendorff_alpha(rows)}
        for name, rows in units.items()
        if name in annotated
    }


def _texts_of_passes(
    passes: list[Path], loaded: list[dict[str, dict]], corpus: dict[str, str]
) -> dict[str, str]:
    """Corpus texts, plus the texts that gold-JSONL passes carry (one text per document)."""
    texts = dict(corpus)
    for path, documents in zip(passes, loaded, strict=True):
        for doc_id, record in documents.items():
            own = record.get("text")
            if own is None:
                continue
            if doc_id in texts and texts[doc_id] != own:
                raise InputError(
                    f"the text of {doc_id!r} in this pass differs from its text elsewhere",
                    file=path,
                    pointer="/text",
                    expected="one text per document across the corpus and all passes",
                )
            texts[doc_id] = own
    return texts


def agreement(
    passes: list[Path], *, claim_threshold: float = 0.5, texts: dict[str, str] | None = None
) -> dict[str, Any]:
    """Pairwise scores and kappas between passes, plus alpha across all when more than two."""
    make_settings(claim_threshold=claim_threshold)  # refuse a bad threshold before reading
    if len(passes) < 2:
        raise InputError(
            "agreement needs at least two annotation passes",
            expected="sourcetrace agreement PASS_A PASS_B [PASS_C ...]",
        )
    if texts is None:
        from sourcetrace.corpus.texts import corpus_texts

        texts = corpus_texts()
    loaded = [
        read_label_only_pass(path, texts) if is_label_only(path) else read_pass(path, texts)
        for path in passes
    ]
    texts = _texts_of_passes(passes, loaded, texts)
    common = sorted(set.intersection(*(set(docs) for docs in loaded)))
    if not common:
        raise InputError(
            "the passes share no annotated document",
            file=passes[1],
            expected="passes over the same documents",
        )
    settings = make_settings(claim_threshold=claim_threshold)
    pairs = []
    for (i, a_docs), (j, b_docs) in combinations(enumerate(loaded), 2):
        labels = paired_attribute_labels(a_docs, b_docs, common, claim_threshold)
        label_only = any(docs[d].get("label_only") for docs in (a_docs, b_docs) for d in common)
        gold = GoldSet(
            {d: {**a_docs[d], "text": texts[d]} for d in common},
            {d: texts[d] for d in common},
            "pass",
            canonical_sha256([a_docs[d] for d in common]),
            str(passes[i]),
        )
        # the reference pass is identified by its content, not its path, and so is pass B
        b_sha256 = canonical_sha256([b_docs[d] for d in common])
        preds = Predictions({d: b_docs[d] for d in common}, str(passes[j]), b_sha256)
        # a label-only pass was given its claims: spans, entities, clusters and attributions
        # are not its work, so no layer is scored (not scored, never 0), only claim attributes
        sections, layers = (
            ({}, ("claim-attributes",)) if label_only else score(gold, preds, settings)[::2]
        )
        report = {
            "signature": signature(
                gold.version, gold.data_sha256, layers, settings, reference=_pass_name(passes[i])
            ),
            "corpus": {
                "version": "pass",
                "data_sha256": gold.data_sha256,
                "source": path_text(passes[i]),
                "documents": len(common),
            },
            "predictions": {"source": path_text(passes[j]), "sha256": b_sha256},
            "layers": sections,
            "statistics": {},
        }
        pairs.append(
            {
                "a": str(passes[i]),
                "b": str(passes[j]),
                "report": report,
                "label_only": label_only,
                "kappa": kappas_of_labels(labels),
                "kappa_ci": kappa_intervals(labels),
            }
        )
    result: dict[str, Any] = {
        "units": UNITS,
        "passes": [str(p) for p in passes],
        "methods": {str(p): method for p in passes if (method := pass_method(p))},
        "documents": common,
        "pairs": pairs,
    }
    only_some = sorted(set().union(*(set(d) for d in loaded)) - set(common))
    result["documents_not_in_every_pass"] = only_some
    if len(loaded) > 2:
        result["alpha"] = alphas(loaded, common, claim_threshold)
    return result


METHOD_FILE = "METHOD.md"  # in a pass folder: who made the pass, how, and what it saw


def pass_method(path: Path) -> dict[str, str] | None:
    """How a pass was made, as its folder's METHOD.md says in its first paragraph (the one an
    agreement table needs beside its figures); None for a pass without one."""
    method = Path(path) / METHOD_FILE
    if not method.is_file():
        return None
    text = method.read_text(encoding="utf-8", errors="replace")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    body = [p for p in paragraphs if not p.startswith("#")]
    plain = body[0].replace("**", "").replace("`", "") if body else ""  # shown as text
    summary = " ".join(plain.split())
    return {"file": path_text(method), "summary": summary}


def _pass_name(path: Path) -> str:
    """Pass A as a signature names it: its folder or file name (`gold`, `pass-a`), made inert
    (control characters as their code, `|` escaped so the signature's fields stay apart); the
    `data:` field next to it identifies its content."""
    return shown(Path(path).name).replace("|", "\\x7c")
