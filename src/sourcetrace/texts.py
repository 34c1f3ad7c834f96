"""Document texts by doc_id, for checking offsets of files that do not carry their text."""

from __future__ import annotations

from pathlib import Path

from .paths import corpus_dir
from .release import check_folder


def corpus_texts(corpus: Path | None = None) -> dict[str, str]:
    """doc_id -> text of the corpus folder (the packaged one by default), refused unless its data
    match its MANIFEST.json. Read afresh on each call: a cache would outlive a new release."""
    folder = corpus or corpus_dir()
    return {d["doc_id"]: d["text"] for d in check_folder(folder).documents}
