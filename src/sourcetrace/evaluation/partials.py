"""Scoring in shards: `evaluate --partial` writes a shard's sufficient statistics, `merge` adds
shards up into the report one run would have written.

A partial file holds, for the gold documents of one shard, the per-document tallies of every
scored layer (and of the `--compare` system), with everything that must agree for shards to be
added up: the toolkit version, the corpus identity, the settings, the scored layers, the
predictions' identity and the shard. Since the bootstrap and the paired test resample
per-document tallies, they are computed at merge time from the merged table, and give the same
intervals and p-values as one run.

A partial defends itself: it records the number of gold and predicted items of each document and
the sha256 of its own canonical form, and `merge` refuses, naming the file and the JSON pointer,
a partial whose hash does not match, whose shard numbering or documents do not make one run, or
whose counts break a bound or an identity of their layer (partial_checks.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sourcetrace._version import __version__
from sourcetrace.errors import InputError
from sourcetrace.evaluation.confidence import refuse_in_shards
from sourcetrace.evaluation.inputs import (
    GoldSet,
    Predictions,
    check_coverage,
    load_gold,
    load_predictions,
    reading_options,
    scored_layers,
)
from sourcetrace.evaluation.partial_checks import AS_WRITTEN
from sourcetrace.evaluation.run import (
    EMPTY_PREDICTION,
    build_report,
    compared_system,
    comparing_stage,
    corpus_identity,
    reading_stage,
    scoring_stage,
    tally_run,
)
from sourcetrace.evaluation.settings import Settings, make_settings
from sourcetrace.schema.column_records import items_count
from sourcetrace.schema.conventions import OURS, Convention
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.tallies import TallyTable

PARTIAL_FORMAT = "sourcetrace-partial"
PARTIAL_VERSION = 3  # 3: cluster scores as pooled counts of cluster pairs, not rows
HASH_KEY = "statistics_sha256"
# what every shard of one run must share (the rest is per shard)
_SHARED = ("toolkit", "corpus", "gold_documents", "settings", "layers")


def shard_documents(doc_ids: Sequence[str], shard: tuple[int, int]) -> list[str]:
    """Shard k of n (1-based) of the corpus documents: the k-th of n contiguous blocks of the
    sorted ids, so any process computes the same split from the gold alone."""
    index, count = shard
    if not (isinstance(count, int) and isinstance(index, int) and 1 <= index <= count):
        raise InputError(
            f"shard {index}/{count} does not exist",
            expected="--shard K/N with 1 <= K <= N, e.g. --shard 3/10",
        )
    ordered = sorted(doc_ids)
    return ordered[(index - 1) * len(ordered) // count : index * len(ordered) // count]


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` from the command line."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise InputError(
            f"shard {text!r} is not K/N", expected="--shard K/N, e.g. --shard 3/10"
        ) from None
    shard_documents([], (index, count))
    return index, count


def evaluate_partial(
    predictions: Any,
    gold: Any = None,
    *,
    shard: tuple[int, int] = (1, 1),
    compare: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """The partial of one shard: what `evaluate --partial OUT --shard K/N` writes.

    Shard membership is over every corpus document (annotated or not), so that the prediction
    records of each shard add up to the whole file. Predictions for other shards' documents are
    validated (they are in the file) and left to their shard.
    """
    convention, options = reading_options(options)
    settings = make_settings(**options)
    gold_set = load_gold(gold)
    mine = set(shard_documents(list(gold_set.texts), shard))
    within = _shard_test(mine, gold_set, first=shard[0] == 1)
    with reading_stage(len(mine)):
        preds = load_predictions(predictions, gold_set, within, convention)
    return shard_partial(
        _restricted(gold_set, mine),  # `within` kept the shard's predictions only
        preds,
        settings,
        shard=shard,
        whole=whole_gold(gold_set),
        compare=None if compare is None else (compare, gold_set, within),
        convention=convention,
    )


def whole_gold(gold: GoldSet) -> dict[str, Any]:
    """What every shard records of the whole gold: its identity and its documents' sha256."""
    return {"corpus": corpus_identity(gold), "gold_documents": ids_sha256(gold.documents)}


def shard_partial(
    shard_gold: GoldSet,
    preds: Predictions,
    settings: Settings,
    *,
    shard: tuple[int, int],
    whole: Mapping[str, Any],
    compare: tuple[Any, GoldSet, Any] | None = None,
    convention: Convention = OURS,
    in_memory: bool = False,
) -> dict[str, Any]:
    """The partial of a shard whose gold and predictions are read: ``whole`` is `whole_gold` of
    the run; ``compare`` the other system as (input, gold to read it against, shard test).
    ``in_memory``: for `merge_partials(from_memory=True)` of this run only (a chunk, or a Dask
    shard): the tallies stay TallyTables (compact to hold and to pickle), no sha256 is made, and
    its stages are not announced (the run announces its chunks once)."""
    layers = scored_layers(preds, settings)  # those of the whole input, as one run infers them
    if settings.min_score is not None:
        raise InputError(
            "--min-score with sharded scoring (--partial, --workers)",
            expected="evaluate without --partial/--workers when scores are used",
        )
    refuse_in_shards(preds, layers)
    missing, unscored = check_coverage(shard_gold, preds, settings, preds.source)
    with nullcontext() if in_memory else scoring_stage(layers, len(shard_gold.documents)):
        table = tally_run(shard_gold, preds, layers, settings)
    partial: dict[str, Any] = {
        "format": PARTIAL_FORMAT,
        "format_version": PARTIAL_VERSION,
        HASH_KEY: "",
        "toolkit": {"name": "sourcetrace", "version": __version__},
        "corpus": dict(whole["corpus"]),
        "gold_documents": whole["gold_documents"],
        "settings": settings.as_dict(layers),
        "layers": list(layers),
        "predictions": {"source": preds.source, "sha256": preds.sha256},
        "compare": None,
        "shard": {"index": shard[0], "count": shard[1]},
        "documents": {
            "scored": sorted(shard_gold.documents),
            "missing_scored_as_empty": missing,
            "not_scored_unannotated": unscored,
            "predicted": len(preds.documents),
        },
        "items": item_counts(shard_gold, preds, layers, settings),
        "tallies": table if in_memory else table.to_json(),
    }
    if compare is not None:
        other, other_gold, within = compare
        with nullcontext() if in_memory else comparing_stage(len(shard_gold.documents)):
            identity, other_table, other_preds = compared_system(
                other,
                other_gold,
                layers,
                settings,
                within=within,
                scored=shard_gold,
                convention=convention,
            )
        refuse_in_shards(other_preds, layers)
        partial["compare"] = identity
        partial["compare_items"] = item_counts(shard_gold, other_preds, layers, settings)
        partial["compare_tallies"] = other_table if in_memory else other_table.to_json()
    if not in_memory:
        partial[HASH_KEY] = statistics_sha256(partial)
    return partial


def item_counts(
    gold: GoldSet, predictions: Predictions, layers: Sequence[str], settings: Settings
) -> dict[str, list[list[int]]]:
    """Per scored document (in id order) and layer, how many gold items are scored (entities:
    those the mention filter keeps) and how many items the prediction has: the bounds that
    `merge` checks every count of the document against."""
    rows: dict[str, list[list[int]]] = {"gold": [], "predicted": []}
    for doc_id in sorted(gold.documents):
        gold_doc = gold.documents[doc_id]
        predicted = predictions.documents.get(doc_id, EMPTY_PREDICTION)
        rows["gold"].append([_scored_gold(gold_doc, layer, settings) for layer in layers])
        rows["predicted"].append([items_count(predicted, layer) for layer in layers])
    return rows


def _scored_gold(document: Mapping[str, Any], layer: str, settings: Settings) -> int:
    if layer == "entities" and settings.mentions is not None:
        return items_count(document, layer, settings.mentions)
    return items_count(document, layer)


def statistics_sha256(partial: Mapping[str, Any]) -> str:
    """sha256 of a partial's canonical JSON (keys sorted, no spaces), its own hash left out."""
    content = {key: value for key, value in partial.items() if key != HASH_KEY}
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def merge_partials(
    partials: Sequence[Mapping[str, Any]],
    *,
    files: Sequence[Any] | None = None,
    per_document: bool = False,
    from_memory: bool = False,
) -> dict[str, Any]:
    """The report of the run whose shards these are; refuses shards of different runs, a shard
    twice, or a missing shard. ``from_memory``: the partials come straight from this run's own
    shards (never a file anyone could edit), so each one's schema, sha256 and statistics are
    not checked again (a third of the merge of 10,000 documents); how they fit together is."""
    files = (
        list(files) if files is not None else [f"<partial {i + 1}>" for i in range(len(partials))]
    )
    if not partials:
        raise InputError("no partial to merge", expected="sourcetrace merge PARTIAL.json ...")
    settings = None
    for partial, file in zip(partials, files, strict=True):
        settings = (
            _recorded_settings(partial, file) if from_memory else _check_partial(partial, file)
        )
    first, first_file = partials[0], files[0]
    for partial, file in zip(partials[1:], files[1:], strict=True):
        for key in _SHARED:
            if partial[key] != first[key]:
                raise InputError(
                    f"this partial's {key} differs from that of {first_file}: they are shards "
                    "of different runs",
                    file=file,
                    pointer=f"/{key}",
                    expected=f"shards made with the same {key}",
                )
        if (partial["compare"] is None) != (first["compare"] is None):
            raise InputError(
                f"this partial {'was' if partial['compare'] else 'was not'} made with --compare, "
                f"{first_file} {'was not' if partial['compare'] else 'was'}",
                file=file,
                pointer="/compare",
                expected="every shard made with the same --compare, or none",
            )
    _check_shards(partials, files)
    _check_documents(partials, files)
    assert settings is not None  # the settings of every shard, equal as checked
    layers = tuple(first["layers"])
    table = TallyTable.stacked([_table(p["tallies"]) for p in partials])
    other = None
    if first["compare"] is not None:
        other_table = TallyTable.stacked([_table(p["compare_tallies"]) for p in partials])
        other = (_merged_identity([p["compare"] for p in partials]), other_table)
    documents = [p["documents"] for p in partials]
    return build_report(
        table,
        layers,
        settings,
        corpus=first["corpus"],
        predictions={
            **_merged_identity([p["predictions"] for p in partials]),
            "documents": sum(d["predicted"] for d in documents),
        },
        documents={
            "scored": table.doc_ids,
            "missing_scored_as_empty": sorted(
                doc for d in documents for doc in d["missing_scored_as_empty"]
            ),
            "not_scored_unannotated": sorted(
                doc for d in documents for doc in d["not_scored_unannotated"]
            ),
        },
        other=other,
        per_document=per_document,
    )


def _table(tallies: Any) -> TallyTable:
    """A partial's tallies: kept as a table by a shard of this run (`in_memory`), else JSON."""
    return tallies if isinstance(tallies, TallyTable) else TallyTable.from_json(tallies)


def _merged_identity(identities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One input's identity when every shard read the same file; else the shards' sources
    and a sha256 of their sorted sha256s."""
    if all(identity == identities[0] for identity in identities):
        return dict(identities[0])
    shas = sorted(identity["sha256"] for identity in identities)
    return {
        "source": " + ".join(sorted({identity["source"] for identity in identities})),
        "sha256": hashlib.sha256("\n".join(shas).encode("utf-8")).hexdigest(),
    }


def read_partials(paths: Sequence[Path]) -> list[dict[str, Any]]:
    from sourcetrace.jsonio import read_json

    return [read_json(path) for path in paths]


def _restricted(gold: Any, documents: set[str]) -> Any:
    from sourcetrace.evaluation.inputs import GoldSet

    return GoldSet(
        {d: v for d, v in gold.documents.items() if d in documents},
        {d: t for d, t in gold.texts.items() if d in documents},
        gold.version,
        gold.data_sha256,
        gold.source,
        frozenset(d for d in gold.unannotated if d in documents),
    )


def _shard_test(mine: set[str], gold: Any, *, first: bool) -> Any:
    """Which prediction records a shard validates: those of its documents, and (shard 1) those
    whose doc_id is no corpus document, so that every record is checked by exactly one shard."""

    def within(doc_id: Any) -> bool:
        return doc_id in mine or (first and not (isinstance(doc_id, str) and doc_id in gold.texts))

    return within


def ids_sha256(doc_ids: Any) -> str:
    """sha256 of sorted document ids, one a line: which documents a run scored."""
    return hashlib.sha256("\n".join(sorted(doc_ids)).encode("utf-8")).hexdigest()


def _check_partial(partial: Any, file: Any) -> Settings:
    """One partial on its own: its format, its schema, its hash, its settings, its documents
    and every statistic (partial_checks.py). Returns its settings."""
    if not isinstance(partial, Mapping) or partial.get("format") != PARTIAL_FORMAT:
        raise InputError(
            "not a partial file of `evaluate --partial`",
            file=file,
            pointer="/format",
            expected=f'a JSON object with "format": "{PARTIAL_FORMAT}"',
        )
    if partial.get("format_version") != PARTIAL_VERSION:
        raise InputError(
            f"partial format version {partial.get('format_version')!r} is not supported",
            file=file,
            pointer="/format_version",
            expected=f"version {PARTIAL_VERSION}: partials made by sourcetrace {__version__} "
            "(score the shards again with this version)",
        )
    from sourcetrace.schema.fast import compiled_says_valid, is_plain_json
    from sourcetrace.schema.validation import schema_problems

    if not is_plain_json(partial):
        where, what = _not_plain_json(partial)
        raise InputError(
            f"{what} is not a JSON value a partial holds",
            file=file,
            pointer=where,
            expected="finite numbers, strings, lists and objects, as `evaluate --partial` "
            "writes them",
        )
    if not compiled_says_valid("partial", partial):
        problems = schema_problems(partial, "partial", file, None)  # jsonschema words it
        if problems:
            raise problems[0]
    if partial[HASH_KEY] != statistics_sha256(partial):
        raise InputError(
            "the partial was changed after `evaluate --partial` wrote it: its statistics do not "
            "match their sha256",
            file=file,
            pointer=f"/{HASH_KEY}",
            expected="the partial file as written (score the shard again to remake it)",
        )
    settings = _recorded_settings(partial, file)
    if (partial["compare"] is None) != ("compare_tallies" not in partial) or (
        "compare_tallies" in partial
    ) != ("compare_items" in partial):
        raise InputError(
            "compare, compare_items and compare_tallies must come together",
            file=file,
            pointer="/compare_tallies",
            expected="all three (a run with --compare) or none",
        )
    from sourcetrace.evaluation.partial_checks import check_statistics, read_statistics

    sections = [("tallies", "items")]
    if partial["compare"] is not None:
        sections.append(("compare_tallies", "compare_items"))
        if partial["compare_items"]["gold"] != partial["items"]["gold"]:
            raise InputError(
                "the compared system was scored against other gold items",
                file=file,
                pointer="/compare_items/gold",
                expected="the gold items of /items/gold",
            )
    for key, items_key in sections:
        check_statistics(read_statistics(partial, file, key, items_key))
    _check_document_lists(partial, file, settings)
    return settings


def _not_plain_json(value: Any, pointer: str = "") -> tuple[str, str]:
    """Where a value read from JSON (or handed over from Python) stops being plain JSON: a
    number too large for a float (1e400 reads as infinity), a NaN, a tuple, a set, ..."""
    from sourcetrace.schema.fast import is_plain_json

    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return pointer or "/", f"the key {key!r}"
            if not is_plain_json(item):
                return _not_plain_json(item, f"{pointer}/{_escaped(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not is_plain_json(item):
                return _not_plain_json(item, f"{pointer}/{index}")
    return pointer or "/", repr(value)[:60]


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _recorded_settings(partial: Mapping[str, Any], file: Any) -> Settings:
    """The settings a partial was made with, refused unless they are settings `evaluate`
    accepts, written exactly as it writes them, for the layers the partial scored."""
    recorded = partial["settings"]
    try:
        settings = make_settings(**_settings_options(recorded))
        written = settings.as_dict(partial["layers"])
    except InputError as error:
        raise InputError(
            f"settings that `evaluate` refuses: {error.message}",
            file=file,
            pointer="/settings",
            expected=error.expected,
        ) from None
    layers = list(partial["layers"])
    if layers != [layer for layer in LAYERS if layer in layers] or written != recorded:
        raise InputError(
            "the settings are not those `evaluate --partial` writes for the scored layers",
            file=file,
            pointer="/settings",
            expected=f"{written} with the layers, once each, in the order {', '.join(LAYERS)}",
        )
    return settings


def _check_document_lists(partial: Mapping[str, Any], file: Any, settings: Settings) -> None:
    """The scored, missing and unannotated documents of a shard fit each other and the number
    of prediction records it read."""
    documents = partial["documents"]
    lists = {
        name: documents[name]
        for name in ("scored", "missing_scored_as_empty", "not_scored_unannotated")
    }
    for name, doc_ids in lists.items():
        if doc_ids != sorted(set(doc_ids)):
            raise InputError(
                f"the {name.replace('_', ' ')} documents are not sorted ids, each once",
                file=file,
                pointer=f"/documents/{name}",
                expected=AS_WRITTEN,
            )
    scored = set(lists["scored"])
    missing = lists["missing_scored_as_empty"]
    problem = None
    if not scored.issuperset(missing):
        problem = "/documents/missing_scored_as_empty", "a missing document that is not scored"
    elif missing and settings.missing == "error":
        problem = "/documents/missing_scored_as_empty", "missing documents under --missing error"
    elif scored & set(lists["not_scored_unannotated"]):
        problem = "/documents/not_scored_unannotated", "an unannotated document that is scored"
    elif documents["predicted"] != len(scored) - len(missing) + len(
        lists["not_scored_unannotated"]
    ):
        problem = (
            "/documents/predicted",
            (
                "the number of prediction records is not the scored documents less the missing "
                "plus the unannotated ones"
            ),
        )
    else:
        rows = {doc_id: row for row, doc_id in enumerate(lists["scored"])}
        for doc_id in missing:
            if any(partial["items"]["predicted"][rows[doc_id]]):
                problem = (
                    f"/items/predicted/{rows[doc_id]}",
                    f"document {doc_id!r} has no prediction but has predicted items",
                )
                break
    if problem is not None:
        raise InputError(problem[1], file=file, pointer=problem[0], expected=AS_WRITTEN)


def _check_shards(partials: Sequence[Mapping[str, Any]], files: Sequence[Any]) -> None:
    """Shards K/N of one N, each once, none missing."""
    count = partials[0]["shard"]["count"]
    seen: dict[int, Any] = {}
    for partial, file in zip(partials, files, strict=True):
        shard = partial["shard"]
        if shard["count"] != count or shard["index"] > count:
            raise InputError(
                f"shard {shard['index']}/{shard['count']} mixed with shards of {count}"
                if shard["count"] != count
                else f"shard {shard['index']}/{count} does not exist",
                file=file,
                pointer="/shard",
                expected=f"shards k/{count} of one run, 1 <= k <= {count}",
            )
        if shard["index"] in seen:
            raise InputError(
                f"shard {shard['index']}/{count} is given twice (also {seen[shard['index']]})",
                file=file,
                pointer="/shard",
                expected="each shard once",
            )
        seen[shard["index"]] = file
    if len(seen) != count:  # each given once and none beyond `count`: some are missing
        absent = [k for k in range(1, min(count, len(seen) + 10) + 1) if k not in seen][:10]
        raise InputError(
            f"shard(s) {', '.join(f'{k}/{count}' for k in absent)}"
            + (f", ... ({count - len(seen)} in all)" if count - len(seen) > len(absent) else "")
            + " missing",
            file=files[-1],
            expected=f"all {count} shards of the run",
        )


def _check_documents(partials: Sequence[Mapping[str, Any]], files: Sequence[Any]) -> None:
    """Each document in one shard, in the shards' order of sorted ids, and together exactly the
    gold documents of the run (their sha256 and number, as every shard recorded them)."""
    order = sorted(range(len(partials)), key=lambda i: partials[i]["shard"]["index"])
    owner: dict[str, int] = {}
    last: str | None = None
    last_shard = None
    for position in order:
        partial, file = partials[position], files[position]
        scored = partial["documents"]["scored"]
        for doc_id in scored:
            if doc_id in owner:
                raise InputError(
                    f"document {doc_id!r} is in two shards (also in {files[owner[doc_id]]})",
                    file=file,
                    pointer="/documents/scored",
                    expected="each document in exactly one shard",
                )
            owner[doc_id] = position
        if scored and last is not None and scored[0] <= last:
            raise InputError(
                f"document {scored[0]!r} comes before {last!r} of shard {last_shard}: shards are "
                "contiguous blocks of the sorted ids",
                file=file,
                pointer="/documents/scored/0",
                expected="the documents `--shard K/N` gives this shard",
            )
        if scored:
            last, last_shard = scored[-1], partial["shard"]["index"]
    first = partials[0]
    if ids_sha256(owner) != first["gold_documents"] or len(owner) != first["corpus"]["documents"]:
        raise InputError(
            f"the shards score {len(owner)} document(s), which are not the "
            f"{first['corpus']['documents']} gold documents of the run",
            file=files[0],
            pointer="/gold_documents",
            expected="every shard of the run, each as written",
        )


def _settings_options(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """Settings back from their report form (`Settings.as_dict`)."""
    options = dict(recorded)
    options["layers"] = tuple(options["layers"])
    if options.get("mentions") is not None:
        options["mentions"] = frozenset(options["mentions"])
    return options


__all__ = [
    "evaluate_partial",
    "ids_sha256",
    "merge_partials",
    "parse_shard",
    "shard_documents",
    "shard_partial",
    "whole_gold",
]
