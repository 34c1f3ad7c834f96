"""sourcetrace: an annotated news corpus of who said what, and a toolkit to score systems on it.

import sourcetrace
ds = sourcetrace.load()                 # datasets.DatasetDict, split "test"
folds = sourcetrace.folds(3)            # story-grouped train/test doc ids
report = sourcetrace.evaluate(predictions)   # plain dict, the same as `evaluate --format json`
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "evaluate", "folds", "load"]


def load(config: str = "documents", corpus: Any = None) -> Any:
    """The corpus as a `datasets.DatasetDict` with one split, `test`; works offline.

    ``config``: "documents" (one row per document, layers nested), or once gold exists the flat
    "entities", "claims", "attributions", "links". ``corpus``: a corpus folder (default: the
    packaged corpus, from a checkout or an installed wheel).
    """
    from .dataset import load as _load

    return _load(config, corpus)


def folds(k: int, corpus: Any = None) -> Any:
    """k story-grouped folds of doc ids, ``[Fold(train, test), ...]`` (scikit-learn GroupKFold):
    documents retelling one story never straddle a split; 2 <= k <= number of stories."""
    from .dataset import folds as _folds

    return _folds(k, corpus)


def evaluate(predictions: Any, gold: Any = None, **settings: Any) -> dict[str, Any]:
    """Score predictions against gold; the report as plain data (what `evaluate --format json`
    prints). ``predictions``: a JSONL/JSON path, a folder of per-document JSON files, or records.
    ``gold``: None (packaged corpus), a corpus folder, a folder of <doc_id>.json gold files
    (``annotations/gold``, a pass), a gold JSONL with texts, or records.
    ``settings``: layers, mentions, claim_threshold, bootstrap, seed, confidence, missing,
    compare_method, compare_samples; ``compare=OTHER`` adds a paired significance test.
    """
    from .evaluation import evaluate as _evaluate

    return _evaluate(predictions, gold=gold, **settings)
