"""Document texts by doc_id, for checking offsets of files that do not carry their text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .paths import corpus_dir
from .release import check_folder


def corpus_texts(corpus: Path | None = None) -> dict[str, str]:
    """doc_id -> text of the corpus folder (the packaged one by default), refused unless its data
    match its MANIFEST.json. Read afresh on each call: a cache would outlive a new release."""
    folder = corpus or corpus_dir()
    return {d["doc_id"]: d["text"] for d in check_folder(folder).documents}


def with_registered_texts(
    released: Callable[[str], str | None], root: Path
) -> Callable[[str], str | None]:
    """doc_id -> text: the release's text first, else the seed text of a document registered in
    the checkout's annotations/documents.json (`corpus add`) but not yet built, so gold made for
    a new document validates before the build that publishes it. The registered documents are
    read (and validated) only when the release lacks a doc_id."""
    from .studio.tasks import read_documents

    registered: dict[str, str] | None = None

    def text_for(doc_id: str) -> str | None:
        nonlocal registered
        text = released(doc_id)
        if text is not None:
            return text
        if registered is None:
            registered = {d: record["text"] for d, record in read_documents(root).items()}
        return registered.get(doc_id)

    return text_for
