"""Scoring in shards: `evaluate --partial` writes a shard's sufficient statistics, `merge` adds
shards up into the report one run would have written.

A partial file holds, for the gold documents of one shard, the per-document tallies of every
scored layer (and of the `--compare` system), with everything that must agree for shards to be
added up: the toolkit version, the corpus identity, the settings, the scored layers, the
predictions' identity and the shard. Since the bootstrap and the paired test resample
per-document tallies, they are computed at merge time from the merged table, and give the same
intervals and p-values as one run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError
from .evaluation import build_report, compared_system, corpus_identity, tally_run
from .inputs import check_coverage, load_gold, load_predictions, scored_layers
from .settings import make_settings
from .tallies import TallyTable

PARTIAL_FORMAT = "sourcetrace-partial"
PARTIAL_VERSION = 1
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
    settings = make_settings(**options)
    gold_set = load_gold(gold)
    mine = set(shard_documents(list(gold_set.texts), shard))
    within = _shard_test(mine, gold_set, first=shard[0] == 1)
    preds = load_predictions(predictions, gold_set, within)
    layers = scored_layers(preds, settings)
    shard_gold = _restricted(gold_set, mine)  # `within` kept the shard's predictions only
    missing, unscored = check_coverage(shard_gold, preds, settings, preds.source)
    table = tally_run(shard_gold, preds, layers, settings)
    partial: dict[str, Any] = {
        "format": PARTIAL_FORMAT,
        "format_version": PARTIAL_VERSION,
        "toolkit": {"name": "sourcetrace", "version": __version__},
        "corpus": corpus_identity(gold_set),
        "gold_documents": _ids_sha256(gold_set.documents),
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
        "tallies": table.to_json(),
    }
    if compare is not None:
        identity, other_table = compared_system(
            compare, gold_set, layers, settings, within=within, scored=shard_gold
        )
        partial["compare"] = identity
        partial["compare_tallies"] = other_table.to_json()
    return partial


def merge_partials(
    partials: Sequence[Mapping[str, Any]],
    *,
    files: Sequence[Any] | None = None,
    per_document: bool = False,
) -> dict[str, Any]:
    """The report of the run whose shards these are; refuses shards of different runs, a shard
    twice, or a missing shard."""
    files = (
        list(files) if files is not None else [f"<partial {i + 1}>" for i in range(len(partials))]
    )
    if not partials:
        raise InputError("no partial to merge", expected="sourcetrace merge PARTIAL.json ...")
    for partial, file in zip(partials, files, strict=True):
        _check_partial(partial, file)
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
    _check_shards(partials, files)
    settings = make_settings(**_settings_options(first["settings"]))
    layers = tuple(first["layers"])
    table = TallyTable.stacked([TallyTable.from_json(p["tallies"]) for p in partials])
    other = None
    if first["compare"] is not None:
        other_table = TallyTable.stacked(
            [TallyTable.from_json(p["compare_tallies"]) for p in partials]
        )
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


def _merged_identity(identities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One input's identity when every shard read the same file; else the shards' sources
    and a sha256 of their sorted sha256s."""
    if all(identity == identities[0] for identity in identities):
        return dict(identities[0])
    if any(identity is None for identity in identities):
        raise InputError(
            "some shards were compared with another system and some were not",
            pointer="/compare",
            expected="every shard made with the same --compare, or none",
        )
    shas = sorted(identity["sha256"] for identity in identities)
    return {
        "source": " + ".join(sorted({identity["source"] for identity in identities})),
        "sha256": hashlib.sha256("\n".join(shas).encode("utf-8")).hexdigest(),
    }


def read_partials(paths: Sequence[Path]) -> list[dict[str, Any]]:
    from .jsonio import read_json

    return [read_json(path) for path in paths]


def _restricted(gold: Any, documents: set[str]) -> Any:
    from .inputs import GoldSet

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


def _ids_sha256(doc_ids: Any) -> str:
    return hashlib.sha256("\n".join(sorted(doc_ids)).encode("utf-8")).hexdigest()


def _check_partial(partial: Any, file: Any) -> None:
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
            expected=f"version {PARTIAL_VERSION} (made by sourcetrace {__version__})",
        )
    from .fast_validation import compiled_says_valid, is_plain_json
    from .schema import schema_problems

    if not (is_plain_json(partial) and compiled_says_valid("partial", partial)):
        problems = schema_problems(partial, "partial", file, 1)  # jsonschema words the message
        if problems:
            raise problems[0]
    for key in ("tallies", "compare_tallies"):
        tallies = partial.get(key)
        if tallies is None:
            continue
        rows = len(tallies["documents"])
        shapes = [
            (len(tallies[name]), rows) for name in ("counts", "present", "lists", "list_present")
        ]
        shapes += [(len(row), len(tallies["fields"])) for row in tallies["counts"]]
        shapes += [(len(row), len(tallies["list_fields"])) for row in tallies["lists"]]
        if any(found != wanted for found, wanted in shapes):
            raise InputError(
                "the tallies' rows and columns do not fit their documents and fields",
                file=file,
                pointer=f"/{key}",
                expected="a partial file as `evaluate --partial` wrote it",
            )
    if (partial["compare"] is None) != ("compare_tallies" not in partial):
        raise InputError(
            "compare and compare_tallies must come together",
            file=file,
            pointer="/compare_tallies",
            expected="both (a run with --compare) or neither",
        )


def _check_shards(partials: Sequence[Mapping[str, Any]], files: Sequence[Any]) -> None:
    count = partials[0]["shard"]["count"]
    seen: dict[int, Any] = {}
    for partial, file in zip(partials, files, strict=True):
        shard = partial["shard"]
        if shard["count"] != count:
            raise InputError(
                f"shard {shard['index']}/{shard['count']} mixed with shards of {count}",
                file=file,
                pointer="/shard",
                expected=f"shards k/{count} of one run",
            )
        if shard["index"] in seen:
            raise InputError(
                f"shard {shard['index']}/{count} is given twice (also {seen[shard['index']]})",
                file=file,
                pointer="/shard",
                expected="each shard once",
            )
        seen[shard["index"]] = file
    absent = sorted(set(range(1, count + 1)) - set(seen))
    if absent:
        raise InputError(
            f"shard(s) {', '.join(f'{k}/{count}' for k in absent)} missing",
            file=files[-1],
            expected=f"all {count} shards of the run",
        )


def _settings_options(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """Settings back from their report form (`Settings.as_dict`)."""
    options = dict(recorded)
    options["layers"] = tuple(options["layers"])
    if options.get("mentions") is not None:
        options["mentions"] = frozenset(options["mentions"])
    return options


__all__ = ["evaluate_partial", "merge_partials", "parse_shard", "shard_documents"]
