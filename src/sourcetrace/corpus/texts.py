"""Document texts by doc_id, for checking offsets of files that do not carry their text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from sourcetrace.corpus.release import check_folder
from sourcetrace.paths import corpus_dir


def corpus_texts(corpus: Path | None = None) -> dict[str, str]:
    """doc_id -> text of the corpus folder (the packaged one by default), refused unless its data
    match its MANIFEST.json. Read afresh on each call: a cache would outlive a new release."""
    folder = corpus or corpus_dir()
    return {d["doc_id"]: d["text"] for d in check_folder(folder).documents}


class ReleasedThenRegistered(Mapping[str, str]):
    """doc_id -> text: the release's text first, else the seed text of a document registered in
    the checkout's annotations/documents.json (`corpus add`) but not yet built, so gold made for
    a new document validates before the build that publishes it. The registered documents are
    read (and validated) only when the release lacks a doc_id."""

    def __init__(self, released: Mapping[str, str], root: Path) -> None:
        self._released = released
        self._root = root
        self._registered: dict[str, str] | None = None

    def _registered_texts(self) -> dict[str, str]:
        from sourcetrace.studio.tasks import read_documents

        if self._registered is None:
            documents = read_documents(self._root)
            self._registered = {doc_id: record["text"] for doc_id, record in documents.items()}
        return self._registered

    def __getitem__(self, doc_id: str) -> str:
        if doc_id in self._released:
            return self._released[doc_id]
        return self._registered_texts()[doc_id]

    def __iter__(self) -> Iterator[str]:
        yield from self._released
        yield from (d for d in self._registered_texts() if d not in self._released)

    def __len__(self) -> int:
        return sum(1 for _ in self)
