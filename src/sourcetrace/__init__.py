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
    from .dataset import load as _load

    return _load(config, corpus)


def folds(k: int, corpus: Any = None) -> Any:
    from .dataset import folds as _folds

    return _folds(k, corpus)


def evaluate(predictions: Any, gold: Any = None, **settings: Any) -> dict[str, Any]:
    from .evaluation import evaluate as _evaluate

    return _evaluate(predictions, gold=gold, **settings)
