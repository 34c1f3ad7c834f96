"""Inter-annotator agreement: the same scorers as `evaluate`, between annotation passes.

Pass B is scored against pass A exactly as a system is scored against gold (so F1 is symmetric in
the two passes at the strict level), and categorical attributes of matched items get Cohen's kappa.
With more than two passes, Krippendorff's alpha is computed over the items of the first pass (the
pivot), each other pass contributing the label of its matched item or a missing value.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

from .agreement_stats import cohen_kappa, krippendorff_alpha
from .errors import InputError, raise_all
from .evaluation import GoldSet, Predictions, make_settings, score, signature
from .jsonio import read_records
from .labels import names
from .schema import DocIdRegister, sha256_text, validate_record
from .scoring.claims import lenient_claim_pairs
from .scoring.matching import match_items, same_piece

ENTITY_ATTRIBUTES = {"type": "entity_types", "mention": "mention_kinds"}
CLAIM_ATTRIBUTES = {
    "polarity": "claim_polarity",
    "certainty": "claim_certainty",
    "checkworthy": None,
}


def read_pass(path: Path, texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A pass folder (<doc_id>.json files) or a JSONL file of gold-shaped annotations."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(
            "annotation pass folder has no .json files",
            file=path,
            expected="one <doc_id>.json gold file per document",
        )
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister("one annotation per document in a pass")
    problems: list[InputError] = []
    for file in files:
        _, records = read_records(file)
        for record in records:
            found = validate_record(
                record.value, "annotation", file, record.line, text_for=texts.get
            )
            if not found and path.is_dir() and record.value["doc_id"] != file.stem:
                found.append(
                    InputError(
                        f"file name does not match doc_id {record.value['doc_id']!r}",
                        file=file,
                        line=record.line,
                        pointer="/doc_id",
                        expected=f"{record.value['doc_id']}.json in a pass folder",
                    )
                )
            found += register.check(record.value, file, record.line)
            problems += found
            if not found:
                documents[record.value["doc_id"]] = record.value
    raise_all(problems)
    return documents


def _entity_span_pairs(a: list[dict], b: list[dict]) -> list[tuple[int, int]]:
    return match_items(a, b, same_piece)


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
        entity_pairs = _entity_span_pairs(a["entities"], b["entities"])
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


def alphas(
    passes: list[dict[str, dict]], doc_ids: list[str], claim_threshold: float
) -> dict[str, dict[str, Any]]:
    """Krippendorff's alpha (nominal) per attribute, items aligned on the first pass."""
    units: dict[str, list[list[Any]]] = {}
    pivot = passes[0]
    for doc_id in doc_ids:
        base = pivot[doc_id]
        entity_maps = [
            dict(_entity_span_pairs(base["entities"], other[doc_id]["entities"]))
            for other in passes[1:]
        ]
        claim_maps = [
            dict(
                lenient_claim_pairs(
                    base["claims"], other[doc_id]["claims"], claim_threshold=claim_threshold
                )
            )
            for other in passes[1:]
        ]
        for layer, attributes, maps in (
            ("entities", ENTITY_ATTRIBUTES, entity_maps),
            ("claims", CLAIM_ATTRIBUTES, claim_maps),
        ):
            prefix = "entity" if layer == "entities" else "claim"
            for index, item in enumerate(base[layer]):
                for attribute in attributes:
                    row = [item[attribute]]
                    for other, mapping in zip(passes[1:], maps, strict=True):
                        j = mapping.get(index)
                        row.append(None if j is None else other[doc_id][layer][j][attribute])
                    units.setdefault(f"{prefix}.{attribute}", []).append(row)
    return {
        name: {"units": len(rows), "alpha": krippendorff_alpha(rows)}
        for name, rows in units.items()
    }


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
        from .texts import corpus_texts

        texts = corpus_texts()
    loaded = [read_pass(path, texts) for path in passes]
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
            sha256_text(str(passes[i])),
            str(passes[i]),
        )
        preds = Predictions({d: b_docs[d] for d in common}, str(passes[j]), "")
        sections, _, layers = score(gold, preds, settings)
        report = {
            "signature": signature(gold, layers, settings),
            "corpus": {
                "version": "pass",
                "data_sha256": "",
                "source": str(passes[i]),
                "documents": len(common),
            },
            "predictions": {"source": str(passes[j])},
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
