"""spaCy `DocBin` files (`.spacy`, what `DocBin(...).to_disk` and `spacy convert` write): the
entities of each `Doc` (`doc.ents`: `start_char`, `end_char`, `label_`, code points, end
exclusive). Needs spaCy (the `baselines` extra); no pipeline is loaded, the DocBin carries its
strings.

Document ids, in this order: `doc.user_data["doc_id"]` (a DocBin written with
`store_user_data=True`); else the corpus document whose text is the Doc's text, character for
character; else the next `--doc-id`. A Doc whose text is not its document's text is refused:
its offsets would count into another string. spaCy's labels are OntoNotes's:
`--labels ontonotes` maps them (the spaCy baseline's table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sourcetrace.convert.common import LabelMapper, Options, entity, finished
from sourcetrace.errors import InputError
from sourcetrace.jsonio import read_checked_bytes
from sourcetrace.schema.validation import sha256_text


def docs_of(path: Path) -> list[Any]:
    """The Docs of one DocBin file, refused in one paragraph when it is not one."""
    try:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab
    except ImportError:
        raise InputError(
            "reading spaCy files needs spaCy, which is not installed",
            file=path,
            expected='the baselines extra: pip install "sourcetrace[baselines]"',
        ) from None
    data = read_checked_bytes(path)
    try:
        return list(DocBin(store_user_data=True).from_bytes(data).get_docs(Vocab()))
    except Exception as exc:  # msgpack, zlib, KeyError, ValueError: a border, not a bug
        raise InputError(
            f"not a spaCy DocBin ({type(exc).__name__})",
            file=path,
            expected="a .spacy file written by DocBin.to_disk",
        ) from None


def read(inputs: Sequence[str | Path], options: Options) -> list[dict[str, Any]]:
    """Prediction records (entities) of spaCy DocBin files."""
    mapper = LabelMapper(options.labels)
    by_text = {text: doc_id for doc_id, text in options.texts.items()}
    doc_ids = list(options.doc_ids)
    records: dict[str, dict[str, Any]] = {}
    for given in inputs:
        path = Path(given)
        for number, doc in enumerate(docs_of(path), start=1):
            doc_id = doc.user_data.get("doc_id") or by_text.get(doc.text)
            if doc_id is None and doc_ids:
                doc_id = doc_ids.pop(0)
            where = f"Doc {number} of the file"
            if doc_id is None or doc_id not in options.texts:
                raise InputError(
                    f"{where} cannot be named: its text is no corpus document's text "
                    f"({doc.text[:40]!r}...)",
                    file=path,
                    expected='doc.user_data["doc_id"] (DocBin(store_user_data=True)), the '
                    "document's text verbatim, or a --doc-id per Doc, in order",
                )
            text = options.texts[doc_id]
            if doc.text != text:
                raise InputError(
                    f"{where} ({doc_id!r}) has another text than the corpus document",
                    file=path,
                    expected="spaCy run on the document's text verbatim",
                )
            if doc_id in records:
                raise InputError(f"document {doc_id!r} appears twice ({where})", file=path)
            entities = []
            for span in doc.ents:
                kind = mapper(span.label_, path, " ", where)
                if (item := entity(text, span.start_char, span.end_char, kind)) is not None:
                    entities.append(item)
            records[doc_id] = {
                "doc_id": doc_id,
                "text_sha256": sha256_text(text),
                "entities": entities,
            }
    mapper.check()
    return finished(records.values(), "<spacy>", options.texts)
