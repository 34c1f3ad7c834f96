"""What the statistics of a partial file must satisfy before `sourcetrace merge` adds them up.

A partial travels between machines and can be edited. Its `statistics_sha256` catches any edit
that did not recompute it (partials.py); these checks catch what an edit cannot hide even with
the hash recomputed: every count is a whole number within the bounds of its document, and the
identities the scorers guarantee hold for every document, e.g. for each entity scheme
correct + incorrect + partial + missed = the gold entities recorded for the document and
correct + incorrect + partial + spurious + ignored = its predicted entities; gold and predicted
counts of claims and attributions equal the recorded items, a true positive is at most
min(gold, predicted), a whole attribution triple is right at most as often as each of its parts.

What no check can see: an edit that keeps every identity (a true positive moved within its
bounds) with the hash recomputed. The hash is a checksum, not a signature; only scoring the
shard again proves its numbers (docs/scoring/layers.md says so to users).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.schema.labels import names
from sourcetrace.scoring.attributions import CONTENT_TYPE, CONTENT_TYPES, SOURCE_SPAN
from sourcetrace.scoring.claims import ATTRIBUTE_LABELS
from sourcetrace.scoring.entities import COUNT_NAMES
from sourcetrace.scoring.registry import ATTRIBUTION_PARTS, ENTITY_SCHEMES, LEVELS, scorers_for

Path_ = tuple[str, ...]
AS_WRITTEN = "a partial file as `evaluate --partial` wrote it (scoring the shard again remakes it)"
# the leaves of a claim or attribution level (scoring.claims.level_scores reads them)
LEVEL_COUNTS = ("gold", "predicted", "true_positives")
# the list leaves of the attribute agreement of matched claims (scoring.claims)
ATTRIBUTE_SIDES = ("gold", "predicted")
# the counts of the PARC source phrase on matched attributions (scoring.attributions)
SOURCE_SPAN_FIELDS = frozenset(
    {("attributions", SOURCE_SPAN, "pairs")}
    | {("attributions", SOURCE_SPAN, level, count) for level in LEVELS for count in LEVEL_COUNTS}
)


@dataclass
class Statistics:
    """One tallies section of a partial (the system's, or the compared system's) with the items
    recorded for its documents, read into arrays once the layout has been checked."""

    file: Any
    key: str  # "tallies" or "compare_tallies": the JSON pointer of its messages
    items_key: str
    doc_ids: list[str]
    layers: tuple[str, ...]
    fields: dict[Path_, int]
    counts: np.ndarray  # (documents, fields), int64
    present: np.ndarray  # (documents, fields), bool
    list_fields: dict[Path_, int]
    lists: list[list[list[Any]]]
    list_present: np.ndarray  # (documents, list fields), bool
    gold: np.ndarray  # (documents, layers): items recorded per document and layer
    predicted: np.ndarray

    def column(self, *path: str) -> np.ndarray:
        return self.counts[:, self.fields[path]]

    def has(self, *path: str) -> np.ndarray:
        return self.present[:, self.fields[path]]

    def items(self, side: str, layer: str) -> np.ndarray:
        table = self.gold if side == "gold" else self.predicted
        return table[:, self.layers.index(layer)]

    def list_rows(self, *path: str) -> Iterator[tuple[int, list[Any]]]:
        column = self.list_fields[path]
        for row, lists in enumerate(self.lists):
            yield row, lists[column]

    def fail(self, row: int, message: str, pointer: str | None = None) -> InputError:
        return InputError(
            f"document {self.doc_ids[row]!r}: {message}",
            file=self.file,
            pointer=pointer or f"/{self.key}/counts/{row}",
            expected=AS_WRITTEN,
        )

    def require(self, holds: np.ndarray, message: Callable[[int], str]) -> None:
        """Every document satisfies ``holds`` (one bool per document), else the first that does
        not is named with ``message(row)``."""
        broken = np.flatnonzero(~np.asarray(holds, dtype=bool))
        if broken.size:
            row = int(broken[0])
            raise self.fail(row, message(row))


def read_statistics(partial: Mapping[str, Any], file: Any, key: str, items_key: str) -> Statistics:
    """The ``key`` tallies of a schema-valid partial as arrays, refusing any layout that
    `evaluate --partial` does not write: rows that do not fit their documents or fields, a
    field twice, a count that is not an integer, an absent-leaf index out of range."""
    data = partial[key]
    layers = tuple(partial["layers"])
    doc_ids = list(data["documents"])
    if doc_ids != list(partial["documents"]["scored"]):
        raise _layout(file, f"/{key}/documents", "the tallied documents are not the scored ones")
    fields = _index_of_paths(data["fields"], file, f"/{key}/fields")
    list_fields = _index_of_paths(data["list_fields"], file, f"/{key}/list_fields")
    rows = len(doc_ids)
    for name, width in (("counts", len(fields)), ("lists", len(list_fields))):
        if len(data[name]) != rows:
            raise _layout(file, f"/{key}/{name}", f"{len(data[name])} rows for {rows} documents")
        for row, values in enumerate(data[name]):
            if len(values) != width:
                raise _layout(
                    file, f"/{key}/{name}/{row}", f"{len(values)} values for {width} fields"
                )
    counts = _whole_numbers(data["counts"], (rows, len(fields)), file, f"/{key}/counts")
    present = _presence(data["present"], rows, len(fields), file, f"/{key}/present")
    list_present = _presence(
        data["list_present"], rows, len(list_fields), file, f"/{key}/list_present"
    )
    recorded = partial[items_key]
    item_tables = []
    for side in ("gold", "predicted"):
        table = recorded[side]
        pointer = f"/{items_key}/{side}"
        if len(table) != rows:
            raise _layout(file, pointer, f"{len(table)} rows for {rows} documents")
        for row, values in enumerate(table):
            if len(values) != len(layers):
                raise _layout(file, f"{pointer}/{row}", f"{len(values)} values for the layers")
        item_tables.append(_whole_numbers(table, (rows, len(layers)), file, pointer))
    return Statistics(
        file,
        key,
        items_key,
        doc_ids,
        layers,
        fields,
        counts,
        present,
        list_fields,
        [list(values) for values in data["lists"]],
        list_present,
        *item_tables,
    )


def check_statistics(statistics: Statistics) -> None:
    """Every field is one the scored layers write, present where their scorers write it, and
    every document's counts satisfy its layers' identities and bounds (see the module doc)."""
    s = statistics
    scorers = scorers_for(s.layers)
    _check_field_names(s, [scorer.name for scorer in scorers])
    if not s.doc_ids:
        return  # no document, nothing added: an empty shard may list any of the known fields
    for scorer in scorers:
        LAYER_CHECKS[scorer.name](s)


# ---------------------------------------------------------------- layout


def _layout(file: Any, pointer: str, message: str) -> InputError:
    return InputError(message, file=file, pointer=pointer, expected=AS_WRITTEN)


def _index_of_paths(paths: Sequence[Sequence[str]], file: Any, pointer: str) -> dict[Path_, int]:
    index: dict[Path_, int] = {}
    for position, path in enumerate(paths):
        if tuple(path) in index:
            raise _layout(
                file,
                f"{pointer}/{position}",
                f"field {'.'.join(path)} is given twice (also at {pointer}/{index[tuple(path)]})",
            )
        index[tuple(path)] = position
    return index


def _whole_numbers(
    rows: Sequence[Sequence[Any]], shape: tuple[int, int], file: Any, pointer: str
) -> np.ndarray:
    """A matrix of non-negative integers: the schema bounds them, but it also takes 3.0 for an
    integer, which `evaluate --partial` never writes."""
    if shape[0] * shape[1] == 0:
        return np.zeros(shape, dtype=np.int64)
    array = np.array(rows)
    if array.dtype.kind not in "iu" or array.shape != shape:
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise _layout(
                        file, f"{pointer}/{row}/{column}", f"{value!r} is not a whole number"
                    )
        raise _layout(file, pointer, "not a matrix of whole numbers")  # pragma: no cover
    return array.astype(np.int64)


def _presence(
    absent_rows: Sequence[Sequence[int]], rows: int, width: int, file: Any, pointer: str
) -> np.ndarray:
    """``present`` from the per-document lists of absent leaves (increasing indices)."""
    if len(absent_rows) != rows:
        raise _layout(file, pointer, f"{len(absent_rows)} rows for {rows} documents")
    present = np.ones((rows, width), dtype=bool)
    for row, absent in enumerate(absent_rows):
        if any(index >= width for index in absent) or any(
            later <= earlier for earlier, later in zip(absent, absent[1:], strict=False)
        ):
            raise _layout(
                file,
                f"{pointer}/{row}",
                f"absent-leaf indices {absent[:5]}... are not increasing indices below {width}",
            )
        present[row, list(absent)] = False
    return present


# ---------------------------------------------------------------- which fields


def _expected_fields(scorer: str, entity_types: Sequence[str]) -> tuple[set[Path_], set[Path_]]:
    """The numeric and list leaves a scorer writes (entities: with these per-type groups)."""
    if scorer == "entities":
        numeric = {
            (scorer, "overall", scheme, count) for scheme in ENTITY_SCHEMES for count in COUNT_NAMES
        }
        numeric |= {
            (scorer, "per_type", entity_type, scheme, count)
            for entity_type in entity_types
            for scheme in ENTITY_SCHEMES
            for count in COUNT_NAMES
        }
        return numeric | {
            (scorer, "ignored_predictions"),
            (scorer, "unanchored_predictions"),
        }, set()
    if scorer in ("entity_clusters", "claim_clusters"):
        return {(scorer, "cluster_predictions")}, {(scorer, "cluster_mentions")}
    if scorer == "claims":  # the attribute lists are checked by _check_claims
        return {(scorer, "span", level, count) for level in LEVELS for count in LEVEL_COUNTS}, set()
    if scorer == "attributions":
        return {
            (scorer, part, level, count)
            for part in ATTRIBUTION_PARTS
            for level in LEVELS
            for count in LEVEL_COUNTS
        }, set()
    raise _layout(None, "/layers", f"no checks are known for the scorer {scorer!r}")


def _check_field_names(s: Statistics, scorers: Sequence[str]) -> None:
    known_types = set(names("entity_types"))
    entity_types = sorted(
        {path[2] for path in s.fields if path[:2] == ("entities", "per_type") and len(path) > 2}
    )
    for entity_type in entity_types:
        if entity_type not in known_types:
            where = next(p for p in s.fields if p[:3] == ("entities", "per_type", entity_type))
            raise _layout(
                s.file,
                f"/{s.key}/fields/{s.fields[where]}",
                f"per-type counts of {entity_type!r}, which is no entity type",
            )
    numeric: set[Path_] = set()
    lists: set[Path_] = set()
    for scorer in scorers:
        scorer_numeric, scorer_lists = _expected_fields(scorer, entity_types)
        numeric |= scorer_numeric
        lists |= scorer_lists
    optional_lists = set()
    optional_numeric: set[Path_] = set()
    if "claims" in scorers:
        optional_lists = {
            ("claims", "attributes", name, side)
            for name in ATTRIBUTE_LABELS
            for side in ATTRIBUTE_SIDES
        }
    if "attributions" in scorers:  # the PARC extras, tallied where either side carries them
        optional_lists |= {("attributions", CONTENT_TYPE, side) for side in ATTRIBUTE_SIDES}
        optional_numeric = SOURCE_SPAN_FIELDS
    for found, wanted, name in (
        (s.fields, numeric, "fields"),
        (s.list_fields, lists, "list_fields"),
    ):
        unknown = [
            path
            for path in found
            if path not in wanted and path not in optional_lists and path not in optional_numeric
        ]
        if unknown:
            raise _layout(
                s.file,
                f"/{s.key}/{name}/{found[unknown[0]]}",
                f"field {'.'.join(unknown[0])} is not one the layers "
                f"{', '.join(s.layers) or '(none)'} write",
            )
        missing = sorted(wanted - set(found))
        if missing and s.doc_ids:
            raise _layout(s.file, f"/{s.key}/{name}", f"field {'.'.join(missing[0])} is missing")
    if not s.doc_ids:
        return
    grouped = {path for path in s.fields if path[:2] == ("entities", "per_type")}
    grouped |= optional_numeric  # present per document where a side carries source spans
    fixed = [s.fields[path] for path in s.fields if path not in grouped]
    always = s.present[:, fixed].all(axis=1)
    s.require(always, lambda row: "a count that every document has is marked absent")
    fixed_lists = [s.list_fields[path] for path in lists]
    s.require(
        s.list_present[:, fixed_lists].all(axis=1),
        lambda row: "a list that every document has is marked absent",
    )


# ---------------------------------------------------------------- identities per layer


def _check_entities(s: Statistics) -> None:
    gold, predicted = s.items("gold", "entities"), s.items("predicted", "entities")
    ignored = s.column("entities", "ignored_predictions")
    unanchored = s.column("entities", "unanchored_predictions")
    scored = predicted - ignored  # the predictions the schemes count
    s.require(
        ignored + unanchored <= predicted,
        lambda r: (
            f"{ignored[r]} ignored + {unanchored[r]} unanchored entity predictions, but "
            f"{predicted[r]} predicted entities are recorded"
        ),
    )
    _check_schemes(s, ("entities", "overall"), gold, scored, "entities")
    for scheme in ENTITY_SCHEMES:  # a text-only prediction not found in the text is spurious
        spurious = s.column("entities", "overall", scheme, "spurious")
        s.require(
            unanchored <= spurious,
            lambda r, sc=scheme, v=spurious: (
                f"{unanchored[r]} unanchored entity predictions, "
                f"but only {v[r]} spurious ones in the {sc} scheme"
            ),
        )
    possible_sum = np.zeros(len(s.doc_ids), dtype=np.int64)
    actual_sum = np.zeros(len(s.doc_ids), dtype=np.int64)
    entity_types = sorted({path[2] for path in s.fields if path[:2] == ("entities", "per_type")})
    for entity_type in entity_types:
        prefix = ("entities", "per_type", entity_type)
        columns = [
            s.fields[(*prefix, scheme, count)] for scheme in ENTITY_SCHEMES for count in COUNT_NAMES
        ]
        has = s.present[:, columns]
        s.require(
            has.all(axis=1) | ~has.any(axis=1),
            lambda r, t=entity_type: f"the per-type counts of {t} are partly absent",
        )
        s.require(
            has.any(axis=1) | ~s.counts[:, columns].any(axis=1),
            lambda r, t=entity_type: f"absent per-type counts of {t} are not zero",
        )
        possible, actual = _check_schemes(s, prefix, None, None, f"entities of type {entity_type}")
        s.require(
            has[:, 0] == (possible + actual > 0),
            lambda r, t=entity_type: (
                f"the per-type counts of {t} are present exactly when the "
                "document has a gold or predicted entity of that type"
            ),
        )
        possible_sum += possible
        actual_sum += actual
    s.require(
        possible_sum == gold,
        lambda r: (
            f"the per-type gold entities add up to {possible_sum[r]}, but {gold[r]} are recorded"
        ),
    )
    s.require(
        actual_sum == scored,
        lambda r: (
            f"the per-type predicted entities add up to {actual_sum[r]}, but "
            f"{scored[r]} are recorded (predicted less ignored)"
        ),
    )


def _check_schemes(
    s: Statistics,
    prefix: Path_,
    gold: np.ndarray | None,
    scored: np.ndarray | None,
    what: str,
) -> tuple[np.ndarray, np.ndarray]:
    """nervaluate's identities in each scheme: possible (correct + incorrect + partial +
    missed) and actual (correct + incorrect + partial + spurious) are the same in the four
    schemes and, where given, the recorded gold and scored predictions; only the partial scheme
    counts partial matches, and it never counts one incorrect. Returns (possible, actual)."""
    first_possible = first_actual = None
    for scheme in ENTITY_SCHEMES:
        correct, incorrect, partial, missed, spurious = (
            s.column(*prefix, scheme, count) for count in COUNT_NAMES
        )
        possible = correct + incorrect + partial + missed
        actual = correct + incorrect + partial + spurious
        if gold is not None:
            s.require(
                possible == gold,
                lambda r, sc=scheme, v=possible: (
                    f"{what}, {sc}: correct + incorrect + partial + "
                    f"missed = {v[r]}, but {gold[r]} gold entities are recorded"
                ),
            )
        if scored is not None:
            s.require(
                actual == scored,
                lambda r, sc=scheme, v=actual: (
                    f"{what}, {sc}: correct + incorrect + partial + "
                    f"spurious = {v[r]}, but {scored[r]} predicted entities (less the ignored) are "
                    "recorded"
                ),
            )
        if first_possible is None:
            first_possible, first_actual = possible, actual
        else:
            s.require(
                (possible == first_possible) & (actual == first_actual),
                lambda r, sc=scheme: (
                    f"{what}: the {sc} scheme counts other gold or predicted "
                    f"entities than the {ENTITY_SCHEMES[0]} scheme"
                ),
            )
        never = incorrect if scheme == "partial" else partial
        s.require(
            never == 0,
            lambda r, sc=scheme: (
                f"{what}, {sc}: "
                + (
                    "an incorrect match, which"
                    if sc == "partial"
                    else "a partial match, which only"
                )
                + (
                    " the partial scheme never counts"
                    if sc == "partial"
                    else " the partial scheme counts"
                )
            ),
        )
    assert first_possible is not None and first_actual is not None
    return first_possible, first_actual


def _check_levels(
    s: Statistics, layer: str, parts: Sequence[Path_]
) -> dict[tuple[Path_, str], np.ndarray]:
    """Claims and attributions: at each part and level, gold and predicted are the recorded
    items and true positives at most the smaller of them. Returns the true positives."""
    gold, predicted = s.items("gold", layer), s.items("predicted", layer)
    true_positives = {}
    for part in parts:
        for level in LEVELS:
            path = (*part, level)
            name = " ".join(path)
            found_gold, found_predicted, hits = (s.column(*path, count) for count in LEVEL_COUNTS)
            s.require(
                found_gold == gold,
                lambda r, n=name, v=found_gold: (
                    f"{n}: {v[r]} gold, but {gold[r]} gold {layer} are recorded"
                ),
            )
            s.require(
                found_predicted == predicted,
                lambda r, n=name, v=found_predicted: (
                    f"{n}: {v[r]} predicted, but {predicted[r]} predicted {layer} are recorded"
                ),
            )
            s.require(
                hits <= np.minimum(gold, predicted),
                lambda r, n=name, v=hits: (
                    f"{n}: {v[r]} true positives among {gold[r]} gold and "
                    f"{predicted[r]} predicted {layer}"
                ),
            )
            true_positives[part, level] = hits
    return true_positives


def _check_claims(s: Statistics) -> None:
    hits = _check_levels(s, "claims", [("claims", "span")])
    matched = hits[("claims", "span"), "lenient"]
    predicted = s.items("predicted", "claims")
    for name, labels in ATTRIBUTE_LABELS.items():
        paths = [("claims", "attributes", name, side) for side in ATTRIBUTE_SIDES]
        if not any(path in s.list_fields for path in paths):
            continue  # no predicted claim of the shard gave this attribute
        if not all(path in s.list_fields for path in paths):
            raise _layout(s.file, f"/{s.key}/list_fields", f"one side of {name} labels only")
        columns = [s.list_fields[path] for path in paths]
        has = s.list_present[:, columns]
        for row in range(len(s.doc_ids)):
            pair = [s.lists[row][column] for column in columns]
            pointer = f"/{s.key}/lists/{row}/{columns[0]}"
            if has[row, 0] != has[row, 1] or (has[row, 0] and not predicted[row]):
                raise s.fail(
                    row,
                    f"{name} labels marked present on one side only, or for a document "
                    "without predicted claims",
                    f"/{s.key}/list_present/{row}",
                )
            if not has[row, 0] and (pair[0] or pair[1]):
                raise s.fail(row, f"absent {name} labels are not empty", pointer)
            if len(pair[0]) != len(pair[1]) or len(pair[0]) > matched[row]:
                raise s.fail(
                    row,
                    f"{len(pair[0])} gold and {len(pair[1])} predicted {name} labels for "
                    f"{matched[row]} matched claims",
                    pointer,
                )
            strange = [
                label for labels_of in pair for label in labels_of if not _is_label(label, labels)
            ]
            if strange:
                raise s.fail(row, f"{strange[0]!r} is no {name} label", pointer)


def _is_label(value: Any, labels: Sequence[Any]) -> bool:
    return any(type(value) is type(label) and value == label for label in labels)


def _check_attributions(s: Statistics) -> None:
    hits = _check_levels(s, "attributions", [("attributions", part) for part in ATTRIBUTION_PARTS])
    triple = ("attributions", "triple")
    _check_attribution_extras(s, hits[triple, "lenient"])
    for part in ATTRIBUTION_PARTS:
        for level in LEVELS:
            whole, one = hits[triple, level], hits[("attributions", part), level]
            s.require(
                whole <= one,
                lambda r, p=part, lv=level, w=whole, o=one: (
                    f"attributions {lv}: the whole triple "
                    f"is right {w[r]} times, its {p} only {o[r]} times"
                ),
            )


def _check_attribution_extras(s: Statistics, matched: np.ndarray) -> None:
    """Source-span counts and content-type labels, where written: all of a group present or
    none (and absent ones zero or empty); scored pairs at most the matched triples; per level
    gold and predicted phrases at most the pairs, true positives at most either; content types
    paired one to one, at most the matched triples, labels of the inventory."""
    written = [path for path in SOURCE_SPAN_FIELDS if path in s.fields]
    if written:
        if len(written) != len(SOURCE_SPAN_FIELDS):
            raise _layout(s.file, f"/{s.key}/fields", "source span counts are partly written")
        columns = [s.fields[path] for path in SOURCE_SPAN_FIELDS]
        has = s.present[:, columns]
        s.require(
            has.all(axis=1) | ~has.any(axis=1),
            lambda r: "the source span counts are partly absent",
        )
        s.require(
            has.any(axis=1) | ~s.counts[:, columns].any(axis=1),
            lambda r: "absent source span counts are not zero",
        )
        pairs = s.column("attributions", SOURCE_SPAN, "pairs")
        s.require(
            pairs <= matched,
            lambda r: f"source span scored on {pairs[r]} pairs, but {matched[r]} matched triples",
        )
        for level in LEVELS:
            gold, predicted, hits = (
                s.column("attributions", SOURCE_SPAN, level, count) for count in LEVEL_COUNTS
            )
            s.require(
                (gold <= pairs) & (predicted <= pairs) & (hits <= np.minimum(gold, predicted)),
                lambda r, lv=level, g=gold, p=predicted, h=hits: (
                    f"source span {lv}: {h[r]} true positives, {g[r]} gold and {p[r]} predicted "
                    f"phrases on {pairs[r]} scored pairs"
                ),
            )
    paths = [("attributions", CONTENT_TYPE, side) for side in ATTRIBUTE_SIDES]
    if not any(path in s.list_fields for path in paths):
        return
    if not all(path in s.list_fields for path in paths):
        raise _layout(s.file, f"/{s.key}/list_fields", "one side of content_type labels only")
    columns = [s.list_fields[path] for path in paths]
    has = s.list_present[:, columns]
    for row in range(len(s.doc_ids)):
        pair = [s.lists[row][column] for column in columns]
        pointer = f"/{s.key}/lists/{row}/{columns[0]}"
        if has[row, 0] != has[row, 1] or (not has[row, 0] and (pair[0] or pair[1])):
            raise s.fail(
                row,
                "content_type labels present on one side only, or absent but not empty",
                f"/{s.key}/list_present/{row}",
            )
        if len(pair[0]) != len(pair[1]) or len(pair[0]) > matched[row]:
            raise s.fail(
                row,
                f"{len(pair[0])} gold and {len(pair[1])} predicted content_type labels for "
                f"{matched[row]} matched triples",
                pointer,
            )
        strange = [label for labels in pair for label in labels if label not in CONTENT_TYPES]
        if strange:
            raise s.fail(row, f"{strange[0]!r} is no content_type label", pointer)


def _check_clusters(s: Statistics, scorer: str, layer: str, kept: np.ndarray) -> None:
    """Cluster rows are [gold cluster | null, predicted cluster | null] of one mention each:
    at most the recorded gold items on the gold side, the counted predictions on the other."""
    gold = s.items("gold", layer)
    carrying = s.column(scorer, "cluster_predictions")
    column = s.list_fields[(scorer, "cluster_mentions")]
    for row, rows in s.list_rows(scorer, "cluster_mentions"):
        pointer = f"/{s.key}/lists/{row}/{column}"
        for index, mention in enumerate(rows):
            if not (
                isinstance(mention, list)
                and len(mention) == 2
                and all(side is None or isinstance(side, str) for side in mention)
                and mention != [None, None]
            ):
                raise s.fail(
                    row,
                    f"cluster row {mention!r} is not [gold cluster id or null, predicted "
                    "cluster id or null]",
                    f"{pointer}/{index}",
                )
        gold_side = sum(mention[0] is not None for mention in rows)
        predicted_side = sum(mention[1] is not None for mention in rows)
        if gold_side > gold[row] or predicted_side > kept[row] or predicted_side != carrying[row]:
            raise s.fail(
                row,
                f"{gold_side} gold and {predicted_side} predicted cluster mentions, "
                f"{carrying[row]} counted predictions, for {gold[row]} gold and {kept[row]} "
                f"scored predicted {layer}",
                pointer,
            )


LAYER_CHECKS: dict[str, Callable[[Statistics], None]] = {
    "entities": _check_entities,
    "entity_clusters": lambda s: _check_clusters(
        s,
        "entity_clusters",
        "entities",
        s.items("predicted", "entities") - s.column("entities", "ignored_predictions"),
    ),
    "claims": _check_claims,
    "claim_clusters": lambda s: _check_clusters(
        s, "claim_clusters", "claims", s.items("predicted", "claims")
    ),
    "attributions": _check_attributions,
}
