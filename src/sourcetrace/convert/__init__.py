"""Converters: what systems and tools write, read into prediction records, and the gold written
out for them. One module per format; each has `read(inputs, options)` and, where the format can
hold the gold, `write(gold, texts, out_dir)`. Every entity span read is trimmed of white space at
its edges (tokenizers keep a space or a no-break space; our spans never start or end in one),
and every record is a valid prediction when it is returned: checked as `evaluate` checks
predictions, except the records of the fast paths (a CoNLL file read in bulk or in one loop, an
HF list of aggregated items in text order), which are valid as made; the property tests in
tests/convert/test_conll_properties.py and tests/convert/test_hf.py prove that, and that they
equal the step-by-step reading, on any input those paths take.

| format | reads | writes |
|---|---|---|
| conll | CoNLL-2003 / BIO token files, --scheme iob1, iob2, iobes, bilou | gold.conll |
| nervaluate | span lists {label, start, end} per document | |
| brat | standoff .ann + .txt pairs (entities, attributions) | <doc_id>.txt/.ann |
| hf | token-classification pipeline output (aggregated or per token) | |
| spacy | DocBin (.spacy) files: doc.ents | |
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from sourcetrace.convert.common import (
    SCHEMES,
    JsonLines,
    Options,
    load_label_map,
    prediction_jsonl,
    prediction_jsonl_parts,
    shipped_maps,
)
from sourcetrace.errors import InputError

__all__ = [
    "FORMATS",
    "SCHEMES",
    "JsonLines",
    "Options",
    "convert",
    "convert_jsonl",
    "export",
    "load_label_map",
    "prediction_jsonl",
    "prediction_jsonl_parts",
    "shipped_maps",
]

FORMATS: dict[str, str] = {  # name -> module of this package
    "conll": "conll",
    "nervaluate": "nervaluate",
    "brat": "brat",
    "hf": "hf",
    "spacy": "spacy_docs",
}
EXPORT_FORMATS = ("brat", "conll")  # the formats with a `write`


def module(name: str) -> ModuleType:
    if name not in FORMATS:
        raise InputError(f"unknown format {name!r}", expected=f"one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{FORMATS[name]}")


def convert(
    fmt: str,
    inputs: Sequence[str | Path],
    *,
    gold: Any = None,
    labels: str | Path | Mapping[str, Any] | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Prediction records from a system's output files in ``fmt``. ``gold``: where the document
    texts come from (None: the packaged corpus; as `evaluate --gold`); ``labels``: a label map
    (a shipped name, a JSON file, or a dict; None: our own types only); ``options``: scheme,
    offsets, end, doc_ids (see `Options`)."""
    from sourcetrace.jsonio import gc_paused

    module(fmt)  # an unknown format is refused before the gold is read
    with gc_paused():  # what a reader builds holds no cycle; collections would walk it again
        return _read(fmt, list(inputs), _options(gold, labels, options))


def convert_jsonl(
    fmt: str,
    inputs: Sequence[str | Path],
    *,
    gold: Any = None,
    labels: str | Path | Mapping[str, Any] | None = None,
    **options: Any,
) -> JsonLines:
    """`convert`'s records as `prediction_jsonl_parts` writes them (``.parts()``), with their
    counts: what `sourcetrace convert` writes. The readers that can (conll, hf) write the
    records of their fast paths as they read them, without holding them (the same bytes,
    and the same refusals: every check runs before ``.parts()`` is returned)."""
    from sourcetrace.jsonio import gc_paused

    reader = module(fmt)
    with gc_paused():
        read_options = _options(gold, labels, options)
        if hasattr(reader, "read_jsonl"):
            return _read(fmt, list(inputs), read_options, jsonl=True)  # type: ignore[no-any-return]
        lines = JsonLines()
        for record in _read(fmt, list(inputs), read_options):
            lines.add_record(record)
        return lines


def _options(gold: Any, labels: Any, options: Mapping[str, Any]) -> Options:
    """A reader's Options: the gold's texts and hashes, the label map, the caller's options."""
    texts, hashes = _texts(gold)
    return Options(texts=texts, labels=load_label_map(labels), text_sha256=hashes, **options)


# the formats whose spans are offsets alone, with no text of their own that a wrong convention
# would fail to match: the records written carry the text of each span as read, so `evaluate`
# can no longer tell, and `convert` says it instead (their readers take ``as_written``)
OFFSETS_ONLY_FORMATS = ("nervaluate", "hf")


def _read(fmt: str, inputs: list[str | Path], options: Options, *, jsonl: bool = False) -> Any:
    """The reader's records (``jsonl``: its `read_jsonl`'s JsonLines); for a format of
    OFFSETS_ONLY_FORMATS read in our convention (no `--offsets` or `--end` given), an
    OffsetConventionWarning (the command prints it as a `note:`) when the spans of its first
    documents, as written, fall on the text's word edges far more often read in another
    convention, as `evaluate` says of a predictions file whose spans carry no text."""
    reader = module(fmt)
    read = reader.read_jsonl if jsonl else reader.read
    from sourcetrace.schema.conventions import Convention

    if fmt not in OFFSETS_ONLY_FORMATS or not Convention(options.offsets, options.end).is_ours:
        return read(inputs, options)
    sample: list[dict[str, Any]] = []
    records = read(inputs, options, as_written=sample)
    from sourcetrace.schema.conventions import OffsetConventionWarning, diagnose

    diagnosis = diagnose(sample, options.texts)
    if diagnosis is not None:
        import warnings

        from sourcetrace.convert.common import SAMPLE_DOCUMENTS
        from sourcetrace.paths import path_text

        source = ", ".join(path_text(path) for path in inputs)
        if len(sample) == SAMPLE_DOCUMENTS:
            source = f"the first {SAMPLE_DOCUMENTS} documents of {source}"
        warnings.warn(diagnosis.message(source), OffsetConventionWarning, stacklevel=3)
    return records


def export(fmt: str, out_dir: str | Path, *, gold: Any = None) -> list[Path]:
    """Write the gold (the packaged corpus's, or ``gold`` as `evaluate --gold` takes it) in
    ``fmt`` into ``out_dir``; returns the files written."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"cannot export to {fmt!r}", expected=f"one of {', '.join(EXPORT_FORMATS)}"
        )
    from sourcetrace.evaluation.inputs import load_gold
    from sourcetrace.paths import checked_output

    folder = checked_output(out_dir, folder=True)
    gold_set = load_gold(gold)
    records = [gold_set.documents[d] for d in sorted(gold_set.documents)]
    return module(fmt).write(records, gold_set.texts, folder)


def _texts(gold: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The texts spans are placed on, and the sha256 of those whose gold record carried one
    (validated: equal to the text's). From the packaged corpus, its checked release's documents
    (hash-checked, as every reader's); the annotation layers are not needed, so not validated."""
    if gold is None:
        from sourcetrace.corpus.texts import corpus_texts

        return corpus_texts(), {}
    if isinstance(gold, str | Path):
        path = Path(gold)
        if path.suffix.lower() == ".jsonl" and not path.is_dir():  # (a corpus is a folder)
            return _gold_jsonl(path)
    from sourcetrace.evaluation.inputs import load_gold

    gold_set = load_gold(gold)
    texts = gold_set.texts
    hashes = {
        doc_id: record["text_sha256"]
        for doc_id, record in gold_set.documents.items()
        if "text_sha256" in record and record["text"] is texts[doc_id]
    }
    return dict(texts), hashes


def _gold_jsonl(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """`_texts` of a gold JSONL file, read as `load_gold` reads one (the same records, checks
    and refusals, in the same order: `evaluation.inputs.gold_from_records`, record by record)
    but as a stream: each record is checked as it is read and only its text and sha256 are
    kept (the records of 10,000 documents held 26 MB), and without the sha256 of the file's
    bytes, which names the data in `evaluate`'s reports and which `convert` does not use. A
    line the reader refuses is said before any record's problem, as when the records are all
    read first: the reading goes on past an error raised by a check, which is raised after.
    A file of bare records (`_bare_gold_file`) is read without a Record or a check per line."""
    bare = _bare_gold_file(path)
    if bare is not None:
        return bare
    from sourcetrace.errors import raise_all
    from sourcetrace.jsonio import iter_jsonl_records, placed
    from sourcetrace.schema.validation import DocIdRegister, gold_record_problems

    problems: list[InputError] = []
    texts: dict[str, str] = {}
    hashes: dict[str, str] = {}
    register = DocIdRegister()
    failed: Exception | None = None
    for record in iter_jsonl_records(path):
        if failed is not None:
            continue
        try:
            found = gold_record_problems(record, path, register)
        except Exception as error:  # raised once every line is read
            failed = error
            continue
        if found:
            problems += found
        else:
            value = record.value
            texts[value["doc_id"]] = value["text"]
            hashes[value["doc_id"]] = value["text_sha256"]  # required: validated
    if failed is not None:
        raise failed
    raise_all(placed(problems))
    if not texts:
        raise InputError(
            "the gold holds no document", file=path, expected="at least one gold record"
        )
    return texts, hashes


def _bare_gold_file(path: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    """`_gold_jsonl` of a file whose every line is a gold record that only brings its text
    (`validation.bare_gold`: no item, so nothing to check but its keys, its doc_id and its
    sha256), read as `jsonio.iter_jsonl_records` reads it, with no doc_id twice and every
    text's sha256 right; None for any other file, or any doubt (then read record by record,
    which words every problem). Why the value is the reader's: orjson parsed the line (valid
    UTF-8, no NaN, no lone surrogate); a bare record holds no number and no nested object;
    and the line holds as many `:` as its six keys and its text do (none is escaped, doc_ids
    and hashes hold none), so no key was written twice (orjson keeps the last: each dropped
    key takes its `:` with it). 10,000 records: 0.06 s against 0.09 s."""
    from hashlib import sha256

    from orjson import loads

    from sourcetrace.jsonio import check_regular_file, explicit_max_input_bytes, max_line_bytes
    from sourcetrace.schema.validation import bare_gold

    texts: dict[str, str] = {}
    hashes: dict[str, str] = {}
    try:
        check_regular_file(path)
        if explicit_max_input_bytes() is not None:
            return None
        longest = max_line_bytes()
        with path.open("rb") as handle:
            tail = b""
            while chunk := handle.read(1 << 20):
                lines = (tail + chunk).split(b"\n")
                tail = lines.pop()
                if len(tail) > longest:
                    return None
                for line in lines:
                    if len(line) > longest or b"\\u003" in line:
                        return None
                    value = loads(line)
                    if not bare_gold(value):
                        return None
                    text, doc_id, digest = value["text"], value["doc_id"], value["text_sha256"]
                    if (
                        line.count(b":") != 6 + text.count(":")
                        or doc_id in texts
                        or sha256(text.encode("utf-8")).hexdigest() != digest
                    ):
                        return None
                    texts[doc_id] = text
                    hashes[doc_id] = digest
    except (InputError, OSError, ValueError):  # orjson's refusals are ValueErrors
        return None
    if tail or not texts:
        return None  # (a last line without its newline: read record by record)
    return texts, hashes
