"""The annotation layers, at the schema floor: the name of each, what one of its items is as a
`datasets` feature, and the semantic check its items need beyond the JSON Schema.

The order is the layers' order everywhere (`--layers`, reports, the corpus configs). The checks of
entities, claims and attributions are the core of `validation.check_annotation_semantics` (ids
unique across the layers, spans, references), which every layer's items meet; a layer added later
declares its own `check` here, and its scorer in its scoring module (`scoring/registry.py` lists
the scorers). Nothing below the schema floor may import this, and this imports only labels.json.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sourcetrace.schema.labels import names

if TYPE_CHECKING:
    from sourcetrace.schema.validation import Checker

# (record, its problems so far, the document text or None, gold?) -> adds problems to the checker
LayerCheck = Callable[[Mapping[str, Any], "Checker", "str | None", bool], None]


@dataclass(frozen=True)
class AnnotationLayer:
    """One annotation layer: a top-level list of items in gold and prediction records."""

    name: str
    # the `datasets` features of one item (without doc_id); `datasets` is imported when called
    item_features: Callable[[], dict[str, Any]]
    # the semantics of its items that the JSON Schema cannot say; None: the core checks only
    check: LayerCheck | None = None


def _span_fields() -> dict[str, Any]:
    from datasets import Value

    return {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}


def _entity_features() -> dict[str, Any]:
    from datasets import ClassLabel, Value

    return {
        "id": Value("string"),
        **_span_fields(),
        "type": ClassLabel(names=names("entity_types")),
        "mention": ClassLabel(names=names("mention_kinds")),
        "entity": Value("string"),
    }


def _claim_features() -> dict[str, Any]:
    from datasets import ClassLabel, Value

    return {
        "id": Value("string"),
        **_span_fields(),
        "polarity": ClassLabel(names=names("claim_polarity")),
        "certainty": ClassLabel(names=names("claim_certainty")),
        "checkworthy": Value("bool"),
        "checkworthiness": {
            "answers": {q: Value("bool") for q in names("checkworthiness_questions")},
            "score": Value("int8"),
        },
        "cluster": Value("string"),
    }


def _attribution_features() -> dict[str, Any]:
    from datasets import ClassLabel, List, Value

    return {
        "id": Value("string"),
        "source": {"mention": Value("string"), **_span_fields()},
        # the whole source phrase after PARC 3.0 (null with the article's own voice)
        "source_span": _span_fields(),
        "cue": _span_fields(),
        "content": {"claims": List(Value("string")), **_span_fields()},
        "type": ClassLabel(names=names("attribution_types")),
        "content_type": ClassLabel(names=names("attribution_content_types")),
        "nested_in": Value("string"),
    }


def _provenance_features() -> dict[str, Any]:
    from datasets import Json, List, Value

    # a node is "byline", {"mention": id} or a span {start, end, text}: one JSON value each
    return {
        "id": Value("string"),
        "reporter": Json(),
        "reported": Json(),
        "evidence": List(Value("string")),
    }


def _check_provenance(
    record: Mapping[str, Any], check: Checker, text: str | None, gold: bool
) -> None:
    """Edge ids unique in the document (with the ids of the other layers), each mention an
    entity mention of the document, each evidence id an attribution of it, each span node the
    text at its offsets. The schema has checked the shapes."""
    taken: dict[Any, str] = {}
    for layer in ("entities", "claims", "attributions"):
        for index, item in enumerate(record.get(layer) or []):
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                taken.setdefault(item["id"], f"/{layer}/{index}")
    mentions = {e.get("id") for e in record.get("entities") or [] if isinstance(e, Mapping)}
    attributions = {a.get("id") for a in record.get("attributions") or [] if isinstance(a, Mapping)}
    for index, edge in enumerate(record.get("provenance") or []):
        where = f"/provenance/{index}"
        check.unique_id(edge, where, taken)
        for end in ("reporter", "reported"):
            node = edge[end]
            if isinstance(node, Mapping) and "mention" in node:
                if node["mention"] not in mentions:
                    check.add(
                        f"{where}/{end}/mention",
                        f"{end} mention {node['mention']!r} is not an entity id of this document",
                        "the id of one of the document's entities",
                    )
            elif isinstance(node, Mapping):
                check.span(node, f"{where}/{end}", text, offsets_required=gold)
        for position, evidence in enumerate(edge.get("evidence") or []):
            if evidence not in attributions:
                check.add(
                    f"{where}/evidence/{position}",
                    f"evidence {evidence!r} is not an attribution id of this document",
                    "the id of one of the document's attributions",
                )


ANNOTATION_LAYERS: tuple[AnnotationLayer, ...] = (
    AnnotationLayer("entities", _entity_features),
    AnnotationLayer("claims", _claim_features),
    AnnotationLayer("attributions", _attribution_features),
    AnnotationLayer("provenance", _provenance_features, _check_provenance),
)
LAYERS: tuple[str, ...] = tuple(layer.name for layer in ANNOTATION_LAYERS)
