"""Inter-annotator agreement: the same scorers as `evaluate`, between annotation passes.

Pass B is scored against pass A exactly as a system is scored against gold, and categorical
attributes of matched items get Cohen's kappa. Entity and claim F1 are symmetric in the two passes;
attribution source scores are not quite: pass A's source stands for its whole entity (every
mention with its entity id), pass B's for the one mention it names, as for a system.
With more than two passes, Krippendorff's alpha is computed over units that do not depend on the
order of the passes: the connected groups of items matched between any two passes, each pass giving
the label of its one item in the group (missing when it has none, or more than one).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

from sourcetrace.agreement.coefficients import cohen_kappa, krippendorff_alpha
from sourcetrace.corpus.annotation_files import read_pass
from sourcetrace.errors import InputError
from sourcetrace.evaluation.run import GoldSet, Predictions, make_settings, score, signature
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
}


def _paired_labels(
    a_items: list[dict], b_items: list[dict], pairs: list[tuple[int, int]], attribute: str
) -> tuple[list[Any], list[Any]]:
    return ([a_items[i][attribute] for i, _ in pairs], [b_items[j][attribute] for _, j in pairs])


def kappas(
    a_docs: dict[str, dict], b_docs: dict[str, dict], doc_ids: list[str], claim_threshold: float
) -> dict[str, dict[str, Any]]:
    """Cohen's kappa per attribute on items matched between two passes."""
    labels: dict[str, tuple[list[Any], list[Any]]] = {}
    for doc_id in doc_ids:
        a, b = a_docs[doc_id], b_docs[doc_id]
        entity_pairs = entity_pairs_of(a["entities"], b["entities"])
        claim_pairs = lenient_claim_pairs(a["claims"], b["claims"], claim_threshold=claim_threshold)
        for attribute in ENTITY_ATTRIBUTES:
            got = _paired_labels(a["entities"], b["entities"], entity_pairs, attribute)
            labels.setdefault(f"entity.{attribute}", ([], []))
            labels[f"entity.{attribute}"][0].extend(got[0])
            labels[f"entity.{attribute}"][1].extend(got[1])
        for attribute in CLAIM_ATTRIBUTES:
            got = _paired_labels(a["claims"], b["claims"], claim_pairs, attribute)
            labels.setdefault(f"claim.{attribute}", ([], []))
            labels[f"claim.{attribute}"][0].extend(got[0])
            labels[f"claim.{attribute}"][1].extend(got[1])
    result = {}
    for name, (left, right) in labels.items():
        inventory = _inventory(name)
        result[name] = {
            "pairs": len(left),
            "kappa": cohen_kappa(left, right, inventory) if left else None,
        }
    return result


def _inventory(name: str) -> list[Any] | None:
    kind, attribute = name.split(".")
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
                        None if i is None else items[k][i][attribute] for k, i in enumerate(unit)
                    ]
                    units.setdefault(f"{prefix}.{attribute}", []).append(row)
    return {
        name: {"units": len(rows), "alpha": krippendorff_alpha(rows)}
        for name, rows in units.items()
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
    loaded = [read_pass(path, texts) for path in passes]
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
        sections, _, layers = score(gold, preds, settings)
        report = {
            "signature": signature(gold.version, gold.data_sha256, layers, settings),
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
                "kappa": kappas(a_docs, b_docs, common, claim_threshold),
            }
        )
    result: dict[str, Any] = {
        "passes": [str(p) for p in passes],
        "documents": common,
        "pairs": pairs,
    }
    only_some = sorted(set().union(*(set(d) for d in loaded)) - set(common))
    result["documents_not_in_every_pass"] = only_some
    if len(loaded) > 2:
        result["alpha"] = alphas(loaded, common, claim_threshold)
    return result
