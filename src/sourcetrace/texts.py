"""Document texts by doc_id, for checking offsets of files that do not carry their text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .corpus import read_corpus_documents
from .paths import corpus_dir


@cache
def corpus_texts(corpus: Path | None = None) -> dict[str, str]:
    folder = corpus or corpus_dir()
    return {d["doc_id"]: d["text"] for d in read_corpus_documents(folder)}
