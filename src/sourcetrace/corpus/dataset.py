"""The corpus as a Hugging Face `datasets` object: declared features, loading, story-grouped folds.

Features are built from schema/labels.json, so the card's `dataset_info`, the loaded ClassLabels and
the JSON Schema enums cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from sourcetrace.errors import InputError
from sourcetrace.paths import corpus_dir
from sourcetrace.schema.labels import names
from sourcetrace.schema.validation import excerpt

SPLIT = "test"


def _span_fields() -> dict[str, Any]:
    from datasets import Value

    return {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}


def layer_item_features() -> dict[str, dict[str, Any]]:
    """Features of one item of each annotation layer (without doc_id)."""
    from datasets import ClassLabel, List, Value

    span = _span_fields()
    return {
        "entities": {
            "id": Value("string"),
            **span,
            "type": ClassLabel(names=names("entity_types")),
            "mention": ClassLabel(names=names("mention_kinds")),
            "entity": Value("string"),
        },
        "claims": {
            "id": Value("string"),
            **span,
            "polarity": ClassLabel(names=names("claim_polarity")),
            "certainty": ClassLabel(names=names("claim_certainty")),
            "checkworthy": Value("bool"),
            "checkworthiness": {
                "answers": {q: Value("bool") for q in names("checkworthiness_questions")},
                "score": Value("int8"),
            },
            "cluster": Value("string"),
        },
        "attributions": {
            "id": Value("string"),
            "source": {"mention": Value("string"), **_span_fields()},
            # the whole source phrase after PARC 3.0 (null with the article's own voice)
            "source_span": _span_fields(),
            "cue": _span_fields(),
            "content": {"claims": List(Value("string")), **_span_fields()},
            "type": ClassLabel(names=names("attribution_types")),
            "content_type": ClassLabel(names=names("attribution_content_types")),
            "nested_in": Value("string"),
        },
    }


def config_features() -> dict[str, Any]:
    """config name -> datasets.Features, for every config the corpus may have."""
    from datasets import ClassLabel, Features, List, Value

    items = layer_item_features()
    string = Value("string")
    documents = Features(
        {
            "doc_id": string,
            "text": string,
            "text_sha256": string,
            "seed_file": string,
            "title": string,
            "outlet": string,
            "author": string,
            "url": string,
            "published": Value("date32"),
            "date_source": ClassLabel(names=names("date_sources")),
            "date_note": string,
            "language": string,
            "story_id": string,
            "zones": List(
                {
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "kind": ClassLabel(names=names("zone_kinds")),
                }
            ),
            "annotated": Value("bool"),
            **{layer: List(item) for layer, item in items.items()},
        }
    )
    configs = {"documents": documents}
    for layer, item in items.items():
        configs[layer] = Features({"doc_id": string, **item})
    configs["links"] = Features(
        {
            "from": string,
            "to": string,
            "relation": ClassLabel(names=names("link_relations")),
            "note": string,
        }
    )
    return configs


def config_file(config: str) -> str:
    """The data file of a config, as the dataset card declares it."""
    return f"data/{config}.jsonl"


def load(config: str = "documents", corpus: str | Path | None = None) -> Any:
    """The corpus as a `datasets.DatasetDict` with one split, `test`; works offline.

    The same call works from a checkout and from an installed wheel (which carries the corpus).
    The rows are the ones the MANIFEST check read and hashed (`check_folder`), turned into a
    Dataset with the declared features: `datasets` never reads the folder a second time, so a
    build publishing meanwhile, or a file edited after the check, cannot slip other rows in.
    """
    import datasets

    from sourcetrace.corpus.release import check_folder

    features = config_features()
    if config not in features:
        raise InputError(
            f"unknown config {config!r}",
            file="config",
            expected="one of " + ", ".join(features),
        )
    folder = Path(corpus) if corpus is not None else corpus_dir()
    folder = folder.resolve()
    release = check_folder(folder, parse=[config_file(config)])
    rows = release.rows.get(config_file(config))
    if rows is None:
        raise InputError(
            f"corpus {release.version} has no {config!r} rows (the build leaves out a config "
            "without rows)",
            file=folder / "MANIFEST.json",
            expected="a config listed in its MANIFEST.json: "
            + ", ".join(sorted(r.split("/")[-1] for r in release.file_sha256 if "/" in r)),
        )
    info = datasets.DatasetInfo(
        dataset_name=folder.name,
        config_name=config,
        version=release.version,
        features=features[config],
    )
    table = rows_table(rows, features[config], folder / config_file(config))
    return datasets.DatasetDict({SPLIT: datasets.Dataset(table, info=info, split=SPLIT)})


def rows_table(rows: list[dict[str, Any]], features: Any, file: Path) -> Any:
    """The Arrow table of ``rows`` with the declared ``features``, made as `datasets` makes it
    from JSON (Arrow's conversion, then its cast to the features); rows that do not fit the
    features (a label outside the inventory) are an InputError naming the file."""
    import pyarrow as pa
    from datasets.table import InMemoryTable, table_cast

    try:
        return InMemoryTable(table_cast(pa.Table.from_pylist(rows), features.arrow_schema))
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise InputError(
            f"rows that do not fit the declared features: {excerpt(str(exc))}",
            file=file,
            expected="rows as `sourcetrace corpus build` writes them",
        ) from None


class Fold(NamedTuple):
    train: list[str]
    test: list[str]


def folds(k: int, corpus: str | Path | None = None) -> list[Fold]:
    """k story-grouped folds of doc ids: documents retelling one story never straddle a split."""
    from sklearn.model_selection import GroupKFold

    from sourcetrace.corpus.release import check_folder

    folder = Path(corpus) if corpus is not None else corpus_dir()
    documents = check_folder(folder).documents  # folds of rows not of the version mislead
    doc_ids = [d["doc_id"] for d in documents]
    stories = [d.get("story_id") or d["doc_id"] for d in documents]  # no story: its own
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be a whole number, not {k!r}")
    if not 2 <= k <= len(set(stories)):
        raise ValueError(
            f"k must be between 2 and the number of stories ({len(set(stories))}), got {k}"
        )
    splitter = GroupKFold(n_splits=k)
    return [
        Fold([doc_ids[i] for i in train], [doc_ids[i] for i in test])
        for train, test in splitter.split(doc_ids, groups=stories)
    ]
