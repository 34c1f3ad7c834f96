"""`evaluate`: read and validate predictions, score every layer against gold, build the report.

The report is plain data (the shape of schema/report.schema.json); formatting lives in report.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .annotation_files import read_pass
from .corpus import check_folder
from .errors import InputError, raise_all
from .jsonio import Record, canonical_sha256, read_records_with_sha256
from .paths import corpus_dir
from .schema import LAYERS, DocIdRegister, sha256_text, validate_record
from .scoring.attributions import summarize_attributions, tally_attributions
from .scoring.claims import lenient_claim_pairs, summarize_claims, tally_claims
from .scoring.clusters import summarize_clusters, tally_clusters
from .scoring.common import Tally, add_tallies
from .scoring.entities import (
    ignored_prediction_indices,
    summarize_entities,
    tally_entities,
)
from .scoring.matching import match_items, same_piece

MISSING_POLICIES = ("error", "empty")
# the most resamples a run may ask for: 100,000 x a few hundred documents stays in memory
MAX_SAMPLES = 100_000
COMPARE_METHODS = ("approximate-randomization", "paired-bootstrap")


@dataclass(frozen=True)
class Settings:
    """Everything that changes a number; all of it goes into the signature."""

    layers: tuple[str, ...] | None = None
    mentions: frozenset[str] | None = None
    claim_threshold: float = 0.5
    bootstrap: int = 0
    seed: int = 0
    confidence: float = 0.95
    missing: str = "error"
    compare_method: str = "approximate-randomization"
    compare_samples: int = 1000

    def as_dict(self, layers: Iterable[str]) -> dict[str, Any]:
        return {
            "layers": list(layers),
            "mentions": sorted(self.mentions) if self.mentions else None,
            "claim_threshold": self.claim_threshold,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "confidence": self.confidence,
            "missing": self.missing,
            "compare_method": self.compare_method,
            "compare_samples": self.compare_samples,
        }


@dataclass
class GoldSet:
    """The gold documents to score against, with the texts and the identity of the data."""

    documents: dict[str, dict[str, Any]]
    texts: dict[str, str]
    version: str
    data_sha256: str
    source: str
    unannotated: frozenset[str] = frozenset()


# ---------------------------------------------------------------- gold


def load_gold(gold: Any = None) -> GoldSet:
    """Gold from the packaged corpus, a corpus folder, a gold JSONL with texts, or records."""
    if gold is None or (isinstance(gold, (str, Path)) and is_corpus_folder(Path(gold))):
        folder = corpus_dir() if gold is None else Path(gold)
        return _gold_from_corpus(folder)
    if isinstance(gold, (str, Path)) and Path(gold).is_dir():
        return _gold_from_folder(Path(gold))
    if isinstance(gold, (str, Path)):
        path = Path(gold)
        _, records, digest = read_records_with_sha256(path)
        return _gold_from_records(records, path, "custom", digest, str(path))
    records = [Record(value, index + 1) for index, value in enumerate(_records(gold, "gold"))]
    digest = canonical_sha256([r.value for r in records])
    return _gold_from_records(records, "<gold>", "custom", digest, "<python>")


def _gold_from_corpus(folder: Path) -> GoldSet:
    manifest, rows = check_folder(folder)
    problems = [
        problem
        for line, row in enumerate(rows, start=1)
        if row.get("annotated")
        for problem in validate_record(
            {"doc_id": row["doc_id"], "text_sha256": row.get("text_sha256")}
            | {layer: row.get(layer, []) for layer in LAYERS},
            "annotation",
            folder / "data" / "documents.jsonl",
            line,
            text_for={row["doc_id"]: row["text"]}.get,
        )
    ]
    raise_all(problems)  # gold that `build` would not have written is not scored against
    texts = {row["doc_id"]: row["text"] for row in rows}
    documents = {
        row["doc_id"]: {
            "doc_id": row["doc_id"],
            "text": row["text"],
            **{layer: row.get(layer, []) for layer in LAYERS},
        }
        for row in rows
        if row.get("annotated")
    }
    version = manifest.get("version", "unknown")
    if not documents:
        raise InputError(
            f"corpus {version} has no gold annotations yet, so there is nothing to score against",
            file=folder / "data" / "documents.jsonl",
            expected="a corpus version with annotated documents, or --gold PATH (a gold JSONL "
            "with the document texts)",
        )
    return GoldSet(
        documents,
        texts,
        version,
        manifest.get("data_sha256", "unknown"),
        str(folder),
        frozenset(texts) - frozenset(documents),
    )


def is_corpus_folder(path: Path) -> bool:
    """A built corpus folder (data/documents.jsonl), as against a folder of gold files."""
    return path.is_dir() and (path / "data" / "documents.jsonl").is_file()


def _gold_from_folder(folder: Path) -> GoldSet:
    """`annotations/gold` or a pass folder: <doc_id>.json files bound to the corpus texts."""
    from .texts import corpus_texts

    texts = corpus_texts()
    documents = {
        doc_id: {**annotation, "text": texts[doc_id]}
        for doc_id, annotation in read_pass(folder, texts).items()
    }
    digest = canonical_sha256([documents[d] for d in sorted(documents)])
    return GoldSet(
        documents, texts, "custom", digest, str(folder), frozenset(texts) - set(documents)
    )


def _gold_from_records(
    records: list[Record], file: Any, version: str, digest: str, source: str
) -> GoldSet:
    problems: list[InputError] = []
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister()
    for record in records:
        value = record.value
        if not isinstance(value, Mapping) or not isinstance(value.get("text"), str):
            problems.append(
                InputError(
                    "gold record without its document text",
                    file=file,
                    line=record.line,
                    pointer="/text",
                    expected="each gold record to carry `text`",
                )
            )
            continue
        found = validate_record(value, "annotation", file, record.line)
        found += register.check(value, file, record.line)
        problems += found
        if not found:
            documents[value["doc_id"]] = dict(value)
    raise_all(problems)
    if not documents:
        raise InputError(
            "the gold holds no document", file=file, expected="at least one gold record"
        )
    return GoldSet(documents, {d: v["text"] for d, v in documents.items()}, version, digest, source)


def _records(value: Any, what: str) -> list[Any]:
    """Records handed over from Python: a list (or other iterable) of dicts, never a bare value
    such as None, a number or one dict, which would fail deep inside with a TypeError."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InputError(
            f"{what} is a {type(value).__name__}",
            file=f"<{what}>",
            expected="a path to a .jsonl/.json file or folder, or a list of records"
            + (", or a dict doc_id -> record" if what == "predictions" else ""),
        )
    return list(value)


# ---------------------------------------------------------------- predictions


@dataclass
class Predictions:
    documents: dict[str, dict[str, Any]]
    source: str
    sha256: str
    where: dict[str, str] = field(default_factory=dict)  # doc_id -> "file, line N"


def load_predictions(predictions: Any, gold: GoldSet) -> Predictions:
    """Read JSONL / JSON / a folder of per-document JSON files / records, validating everything."""
    problems: list[InputError] = []
    items: list[tuple[Any, Record]] = []
    if isinstance(predictions, (str, Path)):
        path = Path(predictions)
        if not path.exists():
            raise InputError(
                "file not found",
                file=path,
                expected="a predictions .jsonl/.json file or a folder of them",
            )
        files = (
            sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl"))
            if path.is_dir()
            else [path]
        )
        if not files:
            raise InputError(
                "folder has no .json or .jsonl files",
                file=path,
                expected="one JSON file per document, or a predictions.jsonl",
            )
        file_hashes = []
        for file in files:
            _, records, file_sha256 = read_records_with_sha256(file)
            file_hashes.append(f"{file.name} {file_sha256}\n")
            items += [(file, record) for record in records]
        # one file: its own sha256 (what sha256sum prints); a folder: a hash of the file hashes
        sha = file_sha256 if not path.is_dir() else sha256_text("".join(file_hashes))
        source = str(path)
    elif isinstance(predictions, Mapping):
        items = [
            ("<predictions>", Record(dict(v, doc_id=k), i + 1))
            for i, (k, v) in enumerate(sorted(predictions.items()))
        ]
        source, sha = "<python>", ""
    else:
        records = _records(predictions, "predictions")
        items = [("<predictions>", Record(v, i + 1)) for i, v in enumerate(records)]
        source, sha = "<python>", ""
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister("one prediction record per document")
    for file, record in items:
        value = record.value
        found = _text_mismatch(value, gold, file, record.line) or validate_record(
            value, "prediction", file, record.line, text_for=gold.texts.get
        )
        found += register.check(value, file, record.line)
        if not found:
            documents[value["doc_id"]] = value
        problems += found
    raise_all(problems)
    if not sha:
        sha = canonical_sha256(list(documents.values()))
    return Predictions(documents, source, sha, register.first)


def _text_mismatch(value: Any, gold: GoldSet, file: Any, line: int) -> list[InputError]:
    """A prediction that carries a text must carry the gold's text: offsets mean nothing else."""
    if not isinstance(value, Mapping) or not isinstance(value.get("text"), str):
        return []
    doc_id = value.get("doc_id")
    gold_text = gold.texts.get(doc_id) if isinstance(doc_id, str) else None
    if gold_text is None or value["text"] == gold_text:
        return []
    return [
        InputError(
            f"the prediction's text differs from the gold text of {value['doc_id']!r}: it was "
            "made on another text",
            file=file,
            line=line,
            pointer="/text",
            expected=f"the gold text (sha256 {sha256_text(gold_text)[:12]}...), or no text",
        )
    ]


# ---------------------------------------------------------------- scoring


def entity_pairs(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Mentions matched for cluster scoring: same span (or same normalised text if text-only).

    The type plays no part: coreference is about which mentions corefer, not what they are.
    """
    return match_items(gold, pred, same_piece)


def cluster_mentions(
    gold: list[dict],
    pred: list[dict],
    mentions: frozenset[str] | None,
    text: str | None = None,
) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """Gold and predicted mentions that enter entity cluster scores, and their pairs.

    With a mention filter, gold mentions of other kinds leave, and so do exactly the predictions
    that the entity scores ignore (neither correct nor spurious there, so not here either).
    """
    pairs = entity_pairs(gold, pred)
    if mentions is None:
        return gold, pred, pairs
    kept_gold = [i for i, mention in enumerate(gold) if mention["mention"] in mentions]
    dropped_pred = ignored_prediction_indices(gold, pred, text=text, mentions=mentions)
    kept_pred = [j for j in range(len(pred)) if j not in dropped_pred]
    new_gold = {old: new for new, old in enumerate(kept_gold)}
    new_pred = {old: new for new, old in enumerate(kept_pred)}
    kept_pairs = [(new_gold[i], new_pred[j]) for i, j in pairs if i in new_gold and j in new_pred]
    return [gold[i] for i in kept_gold], [pred[j] for j in kept_pred], kept_pairs


def tally_document(
    gold_doc: Mapping[str, Any],
    pred_doc: Mapping[str, Any],
    layers: Iterable[str],
    settings: Settings,
    text: str,
) -> Tally:
    """All additive counts of one document, for every scored layer."""
    tally: Tally = {}
    if "entities" in layers:
        gold, pred = gold_doc["entities"], pred_doc.get("entities") or []
        tally["entities"] = tally_entities(gold, pred, text=text, mentions=settings.mentions)
        cluster_gold, cluster_pred, pairs = cluster_mentions(gold, pred, settings.mentions, text)
        tally["entity_clusters"] = tally_clusters(
            {"entities": cluster_gold}, {"entities": cluster_pred}, pairs, "entity"
        )
    if "claims" in layers:
        gold, pred = gold_doc["claims"], pred_doc.get("claims") or []
        tally["claims"] = tally_claims(gold, pred, claim_threshold=settings.claim_threshold)
        pairs = lenient_claim_pairs(gold, pred, claim_threshold=settings.claim_threshold)
        tally["claim_clusters"] = tally_clusters(gold_doc, {"claims": pred}, pairs, "cluster")
    if "attributions" in layers:
        pred = {
            "entities": pred_doc.get("entities") or [],
            "claims": pred_doc.get("claims") or [],
            "attributions": pred_doc.get("attributions") or [],
        }
        tally["attributions"] = tally_attributions(
            gold_doc, pred, claim_threshold=settings.claim_threshold
        )
    return tally


def summarize(
    tally: Mapping[str, Any], layers: Iterable[str], settings: Settings
) -> dict[str, Any]:
    """The `layers` part of the report from a summed tally."""
    sections: dict[str, Any] = {}
    if "entities" in layers:
        sections["entities"] = summarize_entities(tally.get("entities", {}))
        sections["entities"]["clusters"] = summarize_clusters(tally.get("entity_clusters", {}))
    if "claims" in layers:
        sections["claims"] = summarize_claims(
            tally.get("claims", {}), claim_threshold=settings.claim_threshold
        )
        sections["claims"]["clusters"] = summarize_clusters(tally.get("claim_clusters", {}))
    if "attributions" in layers:
        sections["attributions"] = summarize_attributions(
            tally.get("attributions", {}), claim_threshold=settings.claim_threshold
        )
    return sections


def headline_metrics(layers: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The figures that get confidence intervals and paired tests: name -> path in `layers`."""
    metrics: dict[str, tuple[str, ...]] = {}
    if "entities" in layers:
        for scheme in ("strict", "exact", "partial", "ent_type"):
            metrics[f"entities.{scheme}.f1"] = ("entities", "overall", scheme, "f1")
    if "claims" in layers:
        for level in ("strict", "lenient"):
            metrics[f"claims.span.{level}.f1"] = ("claims", "span", level, "f1")
    if "attributions" in layers:
        for part in ("source", "cue", "content", "triple"):
            for level in ("strict", "lenient"):
                metrics[f"attributions.{part}.{level}.f1"] = ("attributions", part, level, "f1")
    return metrics


def headline_values(
    layers: tuple[str, ...], settings: Settings
) -> Callable[[Mapping[str, Any]], dict[str, float]]:
    """All headline figures of a (resampled) tally, summarising each layer once."""
    paths = headline_metrics(layers)

    def values(tally: Mapping[str, Any]) -> dict[str, float]:
        sections = summarize(tally, layers, settings)
        result = {}
        for name, path in paths.items():
            value: Any = sections
            for key in path:
                value = value[key]
            result[name] = float(value)
        return result

    return values


def numeric_tallies(per_doc: Mapping[str, Tally]) -> dict[str, Tally]:
    """Tallies without their list leaves (paired labels, cluster rows): headline figures are
    counts only, and resampling lists is the slow part."""

    def strip(tally: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: strip(value) if isinstance(value, Mapping) else value
            for key, value in tally.items()
            if not isinstance(value, list)
        }

    return {doc_id: strip(tally) for doc_id, tally in per_doc.items()}


def scored_layers(predictions: Predictions, settings: Settings) -> tuple[str, ...]:
    """Requested layers, or every layer that at least one prediction record has.

    A scored layer must be in every record: a record without it would be scored as "found
    nothing" by accident, so that is refused ([] says "found nothing" on purpose).
    """
    if settings.layers:
        layers = tuple(layer for layer in LAYERS if layer in settings.layers)
    else:
        layers = tuple(
            layer for layer in LAYERS if any(layer in doc for doc in predictions.documents.values())
        )
    problems = [
        InputError(
            f"the record of {doc_id!r} has no {layer!r} layer, which is scored",
            file=predictions.where.get(doc_id, predictions.source),
            pointer=f"/{layer}",
            expected=f'"{layer}": [] for "found nothing", or --layers without {layer}',
        )
        for layer in layers
        for doc_id, doc in sorted(predictions.documents.items())
        if layer not in doc
    ]
    raise_all(problems)
    return layers


def check_coverage(
    gold: GoldSet, predictions: Predictions, settings: Settings, source: str
) -> tuple[list[str], list[str]]:
    """Missing and unknown documents: errors, or (missing="empty") documents scored as empty."""
    unknown = sorted(set(predictions.documents) - set(gold.texts))
    if unknown:
        raise InputError(
            f"predictions for unknown document(s): {', '.join(unknown[:10])}",
            file=source,
            pointer="/doc_id",
            expected="doc ids of the gold: " + ", ".join(sorted(gold.texts)[:10]),
        )
    missing = sorted(set(gold.documents) - set(predictions.documents))
    if missing and settings.missing == "error":
        raise InputError(
            f"{len(missing)} gold document(s) have no prediction: {', '.join(missing[:10])}",
            file=source,
            expected="one prediction line per gold document, or --missing empty to score "
            "missing documents as 'found nothing'",
        )
    unscored = sorted(set(predictions.documents) & gold.unannotated)
    return missing, unscored


def signature(
    gold: GoldSet, layers: Iterable[str], settings: Settings, compared: bool = False
) -> str:
    """A sacrebleu-style line that pins down everything a number depends on."""
    mentions = "+".join(sorted(settings.mentions)) if settings.mentions else "all"
    parts = [
        f"sourcetrace:{__version__}",
        f"corpus:{gold.version}",
        f"data:{gold.data_sha256[:12]}",
        f"layers:{'+'.join(layers)}",
        f"mentions:{mentions}",
        f"claim_threshold:{format_number(settings.claim_threshold)}",
        f"missing:{settings.missing}",
    ]
    if settings.bootstrap:
        parts += [
            f"bootstrap:{settings.bootstrap}",
            f"confidence:{format_number(settings.confidence)}",
        ]
    if compared:
        parts += [
            f"compare:{settings.compare_method}",
            f"compare_samples:{settings.compare_samples}",
        ]
    if settings.bootstrap or compared:
        parts.append(f"seed:{settings.seed}")
    return "|".join(parts)


def score(
    gold: GoldSet,
    predictions: Predictions,
    settings: Settings,
) -> tuple[dict[str, Any], dict[str, Tally], tuple[str, ...]]:
    layers = scored_layers(predictions, settings)
    per_doc: dict[str, Tally] = {}
    empty: dict[str, Any] = {layer: [] for layer in LAYERS}
    for doc_id in sorted(gold.documents):
        pred = predictions.documents.get(doc_id, empty)
        per_doc[doc_id] = tally_document(
            gold.documents[doc_id], pred, layers, settings, gold.texts[doc_id]
        )
    sections = summarize(add_tallies(per_doc.values()), layers, settings)
    for doc_id, tally in per_doc.items():
        doc_sections = summarize(tally, layers, settings)
        if "entities" in sections:
            sections["entities"].setdefault("per_document", {})[doc_id] = doc_sections["entities"][
                "overall"
            ]
        if "claims" in sections:
            sections["claims"].setdefault("per_document", {})[doc_id] = doc_sections["claims"][
                "span"
            ]
        if "attributions" in sections:
            sections["attributions"].setdefault("per_document", {})[doc_id] = {
                part: doc_sections["attributions"][part]
                for part in ("source", "cue", "content", "triple")
            }
    return sections, per_doc, layers


def evaluate(
    predictions: Any, gold: Any = None, *, compare: Any = None, **options: Any
) -> dict[str, Any]:
    """Score predictions against gold; returns the report as plain data.

    ``predictions``/``compare``: a path (JSONL, JSON, or a folder of per-document JSON files), a
    list of prediction records, or a dict doc_id -> record. ``gold``: None for the packaged
    corpus, a corpus folder, a gold JSONL with texts, or a list of gold records with texts.
    ``options`` are the fields of Settings (layers, mentions, claim_threshold, bootstrap, seed,
    confidence, missing, compare_method, compare_samples).
    """
    return _evaluate(predictions, gold, compare, options)[0]


def evaluate_and_explain(
    predictions: Any, gold: Any = None, *, compare: Any = None, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of `evaluate`, and per scored document the outcome of every gold and
    predicted item (see explain.py): what the HTML error-analysis page shows."""
    from .explain import explain_document

    report, gold_set, preds, settings, layers = _evaluate(predictions, gold, compare, options)
    empty: dict[str, Any] = {layer: [] for layer in LAYERS}
    explanation = {
        doc_id: {"text": gold_set.texts[doc_id]}
        | explain_document(
            gold_set.documents[doc_id],
            preds.documents.get(doc_id, empty),
            layers,
            text=gold_set.texts[doc_id],
            mentions=settings.mentions,
            claim_threshold=settings.claim_threshold,
        )
        for doc_id in sorted(gold_set.documents)
    }
    return report, explanation


def _evaluate(
    predictions: Any, gold: Any, compare: Any, options: Mapping[str, Any]
) -> tuple[dict[str, Any], GoldSet, Predictions, Settings, tuple[str, ...]]:
    settings = make_settings(**options)
    gold_set = load_gold(gold)
    preds = load_predictions(predictions, gold_set)
    missing, unscored = check_coverage(gold_set, preds, settings, preds.source)
    sections, per_doc, layers = score(gold_set, preds, settings)
    report: dict[str, Any] = {
        "signature": signature(gold_set, layers, settings, compared=compare is not None),
        "toolkit": {"name": "sourcetrace", "version": __version__},
        "corpus": {
            "version": gold_set.version,
            "data_sha256": gold_set.data_sha256,
            "source": gold_set.source,
            "documents": len(gold_set.documents),
        },
        "predictions": {
            "source": preds.source,
            "sha256": preds.sha256,
            "documents": len(preds.documents),
        },
        "settings": settings.as_dict(layers),
        "layers": sections,
        "documents": {
            "scored": sorted(gold_set.documents),
            "missing_scored_as_empty": missing,
            "not_scored_unannotated": unscored,
        },
        "statistics": {},
    }
    if settings.bootstrap:
        from .stats import bootstrap_cis

        report["statistics"]["bootstrap"] = bootstrap_cis(
            numeric_tallies(per_doc),
            headline_values(layers, settings),
            n=settings.bootstrap,
            seed=settings.seed,
            confidence=settings.confidence,
        )
    if compare is not None:
        report["statistics"]["comparison"] = _compare(compare, gold_set, per_doc, layers, settings)
    report["notes"] = report_notes(report)
    return report, gold_set, preds, settings, layers


SMALL_SAMPLE = 10


def report_notes(report: Mapping[str, Any]) -> list[str]:
    """What a reader of the numbers must know that the numbers do not show."""
    notes = []
    entities = report["layers"].get("entities", {})
    if entities.get("unanchored_predictions"):
        notes.append(
            f"{entities['unanchored_predictions']} text-only entity prediction(s) were not found "
            "in the text and count as spurious"
        )
    if entities.get("ignored_predictions"):
        notes.append(
            f"{entities['ignored_predictions']} entity prediction(s) on gold mentions outside "
            "the mention filter were ignored (neither correct nor spurious)"
        )
    documents = report["documents"]
    if documents["missing_scored_as_empty"]:
        notes.append(
            "no prediction, scored as 'found nothing' (--missing empty): "
            + ", ".join(documents["missing_scored_as_empty"])
        )
    if documents["not_scored_unannotated"]:
        notes.append(
            "predictions for documents that have no gold yet were not scored: "
            + ", ".join(documents["not_scored_unannotated"])
        )
    scored = len(documents["scored"])
    statistics = report["statistics"]
    if (statistics.get("bootstrap") or statistics.get("comparison")) and scored < SMALL_SAMPLE:
        notes.append(
            f"only {scored} document(s) are resampled: intervals and p-values are unreliable "
            "(a paired bootstrap with identical per-document differences gives p = 1/(n+1))"
        )
    return notes


def _compare(
    other: Any,
    gold: GoldSet,
    per_doc: dict[str, Tally],
    layers: tuple[str, ...],
    settings: Settings,
) -> dict[str, Any]:
    from .stats import paired_tests

    other_preds = load_predictions(other, gold)
    check_coverage(gold, other_preds, settings, other_preds.source)
    other_settings = Settings(**{**settings.__dict__, "layers": layers})
    _, other_per_doc, _ = score(gold, other_preds, other_settings)
    metrics = paired_tests(
        numeric_tallies(per_doc),
        numeric_tallies(other_per_doc),
        headline_values(layers, settings),
        n=settings.compare_samples,
        seed=settings.seed,
        method=settings.compare_method,
    )
    return {
        "other": {"source": other_preds.source, "sha256": other_preds.sha256},
        "method": settings.compare_method,
        "samples": settings.compare_samples,
        "seed": settings.seed,
        "metrics": metrics,
    }


def make_settings(**options: Any) -> Settings:
    """Settings from keyword options, refusing unknown names and impossible values."""
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(
            f"unknown setting(s): {', '.join(unknown)}",
            expected="one of " + ", ".join(sorted(known)),
        )
    if options.get("layers") is not None:
        layers = tuple(options["layers"])
        bad = [layer for layer in layers if layer not in LAYERS]
        if bad:
            raise InputError(f"unknown layer(s): {', '.join(bad)}", expected=", ".join(LAYERS))
        options["layers"] = layers
    if options.get("mentions") is not None:
        from .labels import names

        mentions = frozenset(options["mentions"])
        if not mentions:
            raise InputError(
                "an empty mention filter would score no gold mention",
                expected="None (all mentions) or some of " + ", ".join(names("mention_kinds")),
            )
        bad = sorted(mentions - set(names("mention_kinds")))
        if bad:
            raise InputError(
                f"unknown mention kind(s): {', '.join(bad)}",
                expected=", ".join(names("mention_kinds")),
            )
        options["mentions"] = mentions
    _check_types(options)
    settings = Settings(**options)
    if not 0 < settings.claim_threshold <= 1:
        raise InputError(
            f"claim threshold {settings.claim_threshold} is outside (0, 1]",
            expected="a number in (0, 1], default 0.5",
        )
    if not 0 <= settings.bootstrap <= MAX_SAMPLES:
        raise InputError(
            f"bootstrap samples {settings.bootstrap} is outside 0 .. {MAX_SAMPLES:,}",
            expected=f"--bootstrap 0 (off) or e.g. 1000, at most {MAX_SAMPLES:,} (memory grows "
            "with documents x samples)",
        )
    if settings.seed < 0:
        raise InputError(
            f"seed {settings.seed} is negative", expected="a whole number >= 0 (--seed 0)"
        )
    if not 1 <= settings.compare_samples <= MAX_SAMPLES:
        raise InputError(
            f"compare samples {settings.compare_samples} is outside 1 .. {MAX_SAMPLES:,}",
            expected=f"--compare-samples of at least 1, e.g. 1000, at most {MAX_SAMPLES:,}",
        )
    if settings.missing not in MISSING_POLICIES:
        raise InputError(
            f"unknown missing-document policy {settings.missing!r}",
            expected=" or ".join(MISSING_POLICIES),
        )
    if settings.compare_method not in COMPARE_METHODS:
        raise InputError(
            f"unknown comparison method {settings.compare_method!r}",
            expected=" or ".join(COMPARE_METHODS),
        )
    if not 0 < settings.confidence < 1:
        raise InputError(
            f"confidence {settings.confidence} is outside (0, 1)", expected="e.g. 0.95"
        )
    return settings


_NUMBER_SETTINGS = {
    "claim_threshold": float,
    "confidence": float,
    "bootstrap": int,
    "seed": int,
    "compare_samples": int,
}


def _check_types(options: Mapping[str, Any]) -> None:
    for name, kind in _NUMBER_SETTINGS.items():
        if name not in options:
            continue
        value = options[name]
        allowed = (int,) if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise InputError(
                f"setting {name} is {value!r}",
                expected=f"a {'whole number' if kind is int else 'number'}",
            )


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: a signature must tell values apart."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


__all__ = ["Settings", "evaluate", "load_gold", "load_predictions"]
