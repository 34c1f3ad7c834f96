"""sourcetrace: an annotated news corpus of who said what, and a toolkit to score systems on it.

import sourcetrace
ds = sourcetrace.load()                 # datasets.DatasetDict, split "test"
folds = sourcetrace.folds(3)            # story-grouped train/test doc ids
report = sourcetrace.evaluate(predictions)   # plain dict, the same as `evaluate --format json`
"""

from __future__ import annotations

from typing import Any

from sourcetrace._version import __version__

__all__ = ["__version__", "evaluate", "evaluate_partial", "folds", "load", "merge_partials"]


def _check_environment() -> None:
    from sourcetrace.jsonio import check_limit_settings

    check_limit_settings()


def load(config: str = "documents", corpus: Any = None) -> Any:
    """The corpus as a `datasets.DatasetDict` with one split, `test`; works offline.

    ``config``: "documents" (one row per document, layers nested), or once gold exists the flat
    "entities", "claims", "attributions", "provenance", "links". ``corpus``: a corpus folder
    (default: the packaged corpus, from a checkout or an installed wheel).
    """
    _check_environment()
    from sourcetrace.corpus.dataset import load as _load

    return _load(config, corpus)


def folds(k: int, corpus: Any = None) -> Any:
    """k story-grouped folds of doc ids, ``[Fold(train, test), ...]`` (scikit-learn GroupKFold):
    documents retelling one story never straddle a split; 2 <= k <= number of stories."""
    _check_environment()
    from sourcetrace.corpus.dataset import folds as _folds

    return _folds(k, corpus)


def evaluate(predictions: Any, gold: Any = None, **settings: Any) -> dict[str, Any]:
    """Score predictions against gold; the report as plain data (what `evaluate --format json`
    prints). ``predictions``: a JSONL/JSON path, a folder of per-document JSON files, or records.
    ``gold``: None (packaged corpus), a corpus folder, a folder of <doc_id>.json gold files
    (``annotations/gold``, a pass), a gold JSONL with texts, or records.
    ``settings``: layers, mentions, claim_threshold, bootstrap, seed, confidence, missing,
    compare_method, compare_samples, alpha; ``compare=OTHER`` adds a paired significance test.
    Scores are fractions (0.8363), as the report's ``units`` says.
    ``offsets`` ("codepoint", "utf16", "utf8") and ``end`` ("exclusive", "inclusive"): how the
    predictions count their spans (default: code points, end exclusive); a file that seems to
    count otherwise is named in the error, or in an OffsetConventionWarning.
    """
    _check_environment()
    from sourcetrace.evaluation.byte_ranges import evaluate_by_chunks_or_whole

    return evaluate_by_chunks_or_whole(predictions, gold=gold, **settings)


def evaluate_partial(predictions: Any, gold: Any = None, **settings: Any) -> dict[str, Any]:
    """One shard's per-document statistics (`evaluate --partial OUT --shard K/N`):
    ``shard=(K, N)`` plus the arguments of `evaluate`. Merge the shards with `merge_partials`."""
    _check_environment()
    from sourcetrace.evaluation.partials import evaluate_partial as _partial

    return _partial(predictions, gold, **settings)


def merge_partials(partials: Any, per_document: bool = False) -> dict[str, Any]:
    """The report of the run whose shards these partials are (`sourcetrace merge`): equal to
    what `evaluate` gives in one process, bootstrap and --compare included."""
    _check_environment()
    from sourcetrace.evaluation.partials import merge_partials as _merge

    return _merge(list(partials), per_document=per_document)
