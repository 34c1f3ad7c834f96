"""The corpus as a Hugging Face `datasets` object: declared features, loading, story-grouped folds.

Features are built from schema/labels.json, so the card's `dataset_info`, the loaded ClassLabels and
the JSON Schema enums cannot drift apart.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError
from .labels import names
from .paths import corpus_dir

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
            "cluster": Value("string"),
        },
        "attributions": {
            "id": Value("string"),
            "source": {"mention": Value("string"), **_span_fields()},
            "cue": _span_fields(),
            "content": {"claims": List(Value("string")), **_span_fields()},
            "type": ClassLabel(names=names("attribution_types")),
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


def _cache_dir(corpus: Path) -> str:
    """A cache folder keyed by the corpus data hash: `datasets` does not notice edited files."""
    import datasets

    from .corpus import read_manifest

    manifest = read_manifest(corpus) or {}
    key = (manifest.get("data_sha256") or "unversioned")[:16]
    return os.path.join(str(datasets.config.HF_DATASETS_CACHE), "sourcetrace", key)


def load(config: str = "documents", corpus: str | Path | None = None) -> Any:
    """The corpus as a `datasets.DatasetDict` with one split, `test`; works offline.

    The same call works from a checkout and from an installed wheel (which carries the corpus).
    """
    import datasets

    from .corpus import check_folder

    folder = Path(corpus) if corpus is not None else corpus_dir()
    folder = folder.resolve()
    check_folder(folder)  # never hand out rows that are not the manifest's version
    cache = _cache_dir(folder)
    try:
        return datasets.load_dataset(str(folder), config, cache_dir=cache)
    except Exception as exc:
        problem = _storage_problem(exc)
        if problem is None:
            raise
    return _load_in_memory(folder, config, cache, problem)


_STORAGE_ERRNOS = {
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.ENOTDIR,
}


def _storage_problem(exc: BaseException) -> OSError | None:
    """The file-system error (read-only, full, not allowed) behind a failed load, if that is
    what it was: `datasets` wraps it in its own errors."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _STORAGE_ERRNOS:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _load_in_memory(folder: Path, config: str, cache: str, problem: OSError) -> Any:
    """The rows held in memory, prepared in a temporary folder that is removed afterwards: a
    read-only or full cache (HOME, HF_DATASETS_CACHE) does not stop load(), it only costs the
    cache."""
    import tempfile

    import datasets

    try:
        with tempfile.TemporaryDirectory(prefix="sourcetrace-load-") as scratch:
            loaded = datasets.load_dataset(
                str(folder), config, cache_dir=scratch, keep_in_memory=True
            )
    except Exception as exc:
        second = _storage_problem(exc)
        if second is None:
            raise
        raise InputError(
            f"cannot prepare the dataset: its cache cannot be written ({problem.strerror}: "
            f"{problem.filename}), nor a temporary folder ({second.strerror}: {second.filename})",
            file=cache,
            expected="HF_DATASETS_CACHE (or TMPDIR) pointing at a writable folder with free space",
        ) from None
    return loaded


class Fold(NamedTuple):
    train: list[str]
    test: list[str]


def folds(k: int, corpus: str | Path | None = None) -> list[Fold]:
    """k story-grouped folds of doc ids: documents retelling one story never straddle a split."""
    from sklearn.model_selection import GroupKFold

    from .corpus import check_folder

    folder = Path(corpus) if corpus is not None else corpus_dir()
    _, documents = check_folder(folder)  # folds of rows not of the manifest's version mislead
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
