"""What every converter shares: options, label maps, span building, and the final schema check.

A converter reads what a system or a tool wrote and returns prediction records: code-point
offsets into the corpus text, end exclusive, `text` on every span, our entity types."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from json.encoder import encode_basestring as quoted  # the json writer's own quoting
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, raise_all
from sourcetrace.schema.conventions import DEFAULT_END, DEFAULT_OFFSETS, read_span, unit_boundaries
from sourcetrace.schema.labels import names

MAPS_DIR = Path(__file__).resolve().parent / "maps"
SCHEMES = ("iob2", "iob1", "iobes", "bilou")  # what --scheme accepts; iob2 is the default
LabelMap = Mapping[str, "str | None"]


def shipped_maps() -> tuple[str, ...]:
    """Names of the label maps the package ships (`--labels conll2003`, `--labels ontonotes`)."""
    return tuple(sorted(p.stem for p in MAPS_DIR.glob("*.json")))


@cache
def entity_types() -> tuple[str, ...]:
    return tuple(names("entity_types"))


def _checked_map(value: Any, file: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise InputError(
            "a label map must be a JSON object",
            file=file,
            expected='{"their label": "OUR_TYPE" or null to drop it}',
        )
    checked: dict[str, str | None] = {}
    for label, ours in value.items():
        if label.startswith("$"):  # "$comment"
            continue
        if ours is not None and ours not in entity_types():
            raise InputError(
                f"label {label!r} is mapped to {ours!r}, which is not an entity type",
                file=file,
                pointer="/" + label.replace("~", "~0").replace("/", "~1"),
                expected=f"one of {', '.join(entity_types())}, or null to drop the label",
            )
        checked[label] = ours
    return checked


def load_label_map(spec: str | Path | Mapping[str, Any] | None) -> dict[str, str | None]:
    """A label map from a shipped name, a JSON file, or a dict; None is the identity on our own
    entity types (any other label is then refused as unmapped)."""
    if spec is None:
        return {name: name for name in entity_types()}
    if isinstance(spec, Mapping):
        return _checked_map(dict(spec), "<labels>")
    if str(spec) in shipped_maps():
        path = MAPS_DIR / f"{spec}.json"
        return _checked_map(json.loads(path.read_text(encoding="utf-8")), path)
    from sourcetrace.jsonio import read_json

    return _checked_map(read_json(Path(spec)), Path(spec))


@dataclass
class Options:
    """What a reader may need besides its input files. ``texts``: doc_id -> corpus text;
    ``doc_ids``: ids for documents that do not name themselves, in order."""

    texts: Mapping[str, str] = field(default_factory=dict)
    labels: LabelMap = field(default_factory=lambda: load_label_map(None))
    scheme: str = SCHEMES[0]
    offsets: str = DEFAULT_OFFSETS
    end: str = DEFAULT_END
    doc_ids: tuple[str, ...] = ()
    # doc_id -> the sha256 of its text, where a validated gold record carried it (`convert`
    # fills it; validation proved each equal to `sha256_text` of the text): not computed twice
    text_sha256: Mapping[str, str] = field(default_factory=dict)

    def sha256_of(self, doc_id: str, text: str) -> str:
        """The `text_sha256` of a record on ``text``, the text of ``doc_id``."""
        known = self.text_sha256.get(doc_id)
        if known is None:
            from sourcetrace.schema.validation import sha256_text

            return sha256_text(text)
        return known


class LabelMapper:
    """Maps labels as a reader meets them and remembers every unmapped one, so that one error
    lists them all (with where each was first seen) instead of stopping at the first."""

    def __init__(self, labels: LabelMap) -> None:
        self.labels = labels
        self.unmapped: dict[str, str] = {}

    def __call__(self, label: str, *where: Any) -> str | None:
        """Our type for ``label`` (None: dropped or unmapped); ``where`` is the place it was
        met, as parts joined only when the label is unmapped (the fast path builds no string)."""
        if label in self.labels:
            return self.labels[label]
        self.unmapped.setdefault(label, "".join(map(str, where)))
        return None

    def check(self) -> None:
        if not self.unmapped:
            return
        listed = "; ".join(
            f"{label!r} (first at {where})" for label, where in self.unmapped.items()
        )
        example = json.dumps({label: entity_types()[0] for label in list(self.unmapped)[:2]})
        raise InputError(
            f"{len(self.unmapped)} label(s) have no sourcetrace type: {listed}",
            expected=f"--labels MAP.json mapping each to one of {', '.join(entity_types())} or "
            f"to null to drop it (e.g. {example}), or a shipped map: " + ", ".join(shipped_maps()),
        )


def document_text(texts: Mapping[str, str], doc_id: str, file: Any, line: int | None) -> str:
    if doc_id not in texts:
        known = ", ".join(sorted(texts)[:8]) + (", ..." if len(texts) > 8 else "")
        raise InputError(
            f"unknown document {doc_id!r}",
            file=file,
            line=line,
            expected=f"a doc_id of the corpus or of --gold ({known})",
        )
    return texts[doc_id]


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at its edges (our spans never start or end in it, and
    `evaluate` refuses those that do; tokenizers often keep a space or a no-break space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def entity(
    text: str, start: int, end: int, kind: str | None, score: Any = None
) -> dict[str, Any] | None:
    """One predicted entity mention, trimmed of white space; None for a dropped label (kind
    None) or when nothing is left. ``score`` kept only where the prediction schema allows it."""
    if kind is None:  # a dropped label: None whatever the span
        return None
    if start >= end or text[start].isspace() or text[end - 1].isspace():
        start, end = trimmed(text, start, end)
        if start >= end:
            return None
    record: dict[str, Any] = {"start": start, "end": end, "text": text[start:end], "type": kind}
    if score is not None and score_allowed():
        record["score"] = score
    return record


@cache
def score_allowed() -> bool:
    """Whether the prediction schema lets an entity carry `score` (looked up at run time: the
    confidence is kept as soon as the schema has it, dropped before)."""
    from sourcetrace.schema.validation import load_schema

    entity_schema = load_schema("prediction")["$defs"]["entity"]
    return "score" in entity_schema.get("properties", {})


class SpanReader:
    """Reads one document's `start`/`end` in the file's convention into code points."""

    def __init__(self, text: str, options: Options) -> None:
        self.text = text
        self.end = options.end
        self.unit = options.offsets
        self.ours = (options.offsets, options.end) == (DEFAULT_OFFSETS, DEFAULT_END)
        self.boundaries = [] if self.ours else unit_boundaries(text, options.offsets)

    def __call__(self, start: Any, end: Any, file: Any, *pointer: Any) -> tuple[int, int]:
        """``pointer``: parts of the span's JSON pointer, joined only for an error."""
        span = None
        if self.ours:  # our own convention: no table to look offsets up in
            if type(start) is int and type(end) is int and 0 <= start < end <= len(self.text):
                return start, end
        elif type(start) is int and type(end) is int:
            span = read_span(self.boundaries, start, end, end_convention=self.end)
        if span is None or span[0] >= span[1]:
            raise InputError(
                f"span start={start!r} end={end!r} cannot be placed in the text "
                f"({self._length()} {self.unit} units, end {self.end})",
                file=file,
                pointer="".join(map(str, pointer)),
                expected="integer offsets inside the text with start < end; check --offsets "
                "and --end",
            )
        return span

    def _length(self) -> int:
        return self.boundaries[-1] if self.boundaries else len(self.text)


def finished(
    records: Iterable[dict[str, Any]],
    file: Any,
    texts: Mapping[str, str],
    vouched: Container[str] = (),
) -> list[dict[str, Any]]:
    """The records, each checked as `evaluate` checks predictions (schema, then offsets against
    the text): a converter's bug shows here, never as a refusal later or a silent wrong score.
    ``vouched``: the doc_ids of records a reader's fast path made, which are valid as made (its
    tests prove it on any input it takes) and are not checked again; a None stands for a
    record a fast path wrote as JSON Lines (`JsonLines`), counted but not checked."""
    from sourcetrace.schema.validation import validate_record

    out = list(records)
    problems: list[InputError] = []
    for number, record in enumerate(out, start=1):
        if record is not None and record["doc_id"] not in vouched:
            problems += validate_record(record, "prediction", file, number, text_for=texts.get)
    raise_all(problems)
    return out


def entity_line(item: Mapping[str, Any]) -> str:
    """An entity as the json writer writes it, for one as `entity` makes it (start and end
    integers, text and type strings, and a score, a float, where kept): ``encode_basestring``
    is the writer's own quoting of a string (ensure_ascii off), and an int or a float is written
    as its repr (a score is finite: every reader keeps only scores in [0, 1])."""
    score = item.get("score")
    return (
        f'{{"start": {item["start"]}, "end": {item["end"]}, "text": {quoted(item["text"])}, '
        f'"type": {quoted(item["type"])}' + ("}" if score is None else f', "score": {score!r}}}')
    )


def record_line(doc_id: str, text_sha256: str, entities: list[str]) -> str:
    """A prediction record with entities alone, as the json writer writes it (a line of
    `jsonio.jsonl_text`), from its entities so written (`entity_line`)."""
    return (
        f'{{"doc_id": {quoted(doc_id)}, "text_sha256": {quoted(text_sha256)}, '
        f'"entities": [{", ".join(entities)}]}}\n'
    )


class JsonLines:
    """What a reader makes, in order, as `prediction_jsonl_parts` would write its records, for
    `convert_jsonl`: the records a fast path vouches for are written as they come, so that
    their dicts are never all held (on 10,000 CoNLL documents their 120,000 entities took 46 MB
    and 14,000 page faults), either as the bytes of their lines, made without a dict as they
    are read (`add_lines`, `record_line`), or PART_RECORDS at a time (`add_valid`); any other
    record is kept as itself (`add_record`), to be checked and written at the end."""

    def __init__(self) -> None:
        self.pieces: list[bytes | str | list[dict[str, Any]]] = []
        self.valid: list[dict[str, Any]] = []  # records of `add_valid` not yet written
        self.documents = 0
        self.items = 0

    def add_lines(self, lines: bytes, documents: int, items: int) -> None:
        """The bytes of ``documents`` records' lines, with ``items`` entities in all."""
        self._write_valid()
        self.pieces.append(lines)
        self.documents += documents
        self.items += items

    def add_valid(self, record: dict[str, Any]) -> None:
        """A record valid as made (a fast path's): written with the next PART_RECORDS."""
        self.valid.append(record)
        self._count(record)
        if len(self.valid) == PART_RECORDS:
            self._write_valid()

    def add_record(self, record: dict[str, Any]) -> None:
        self._write_valid()
        if not self.pieces or type(self.pieces[-1]) is not list:
            self.pieces.append([])
        self.pieces[-1].append(record)  # type: ignore[union-attr]
        self._count(record)

    def _count(self, record: dict[str, Any]) -> None:
        self.documents += 1
        self.items += len(record.get("entities", ())) + len(record.get("attributions", ()))

    def _write_valid(self) -> None:
        if self.valid:
            self.pieces += prediction_jsonl_parts(self.valid)
            self.valid = []

    def parts(self) -> list[bytes | str]:
        """The file's pieces, to be written one after the other: the bytes made as read, and
        `prediction_jsonl_parts` of each run of records between them."""
        self._write_valid()
        if not self.pieces:
            return [b""]
        parts: list[bytes | str] = []
        for piece in self.pieces:
            if type(piece) is list:
                parts += prediction_jsonl_parts(piece)
            else:
                parts.append(piece)  # type: ignore[arg-type]
        return parts


FIRST_KEY = b'{"doc_id":'  # how orjson starts a record; never inside a string (`"` is escaped)
PART_RECORDS = 100  # `prediction_jsonl` makes the bytes of this many records at a time


def prediction_jsonl(records: list[dict[str, Any]]) -> str | bytes:
    """`jsonio.jsonl_text(records)`, as UTF-8 bytes where orjson made it, for records as
    `finished` returns them (valid predictions: every number an integer or a score in [0, 1]):
    `prediction_jsonl_parts` joined."""
    parts = prediction_jsonl_parts(records)
    return parts[0] if len(parts) == 1 else b"".join(parts)  # type: ignore[arg-type]


def prediction_jsonl_parts(records: list[dict[str, Any]]) -> list[bytes] | list[str]:
    """`prediction_jsonl(records)` in pieces, to be written one after the other: the bytes of
    PART_RECORDS records at a time (`_spaced_lines`: the memory of one part is used again by
    the next, and no copy of the whole file is made), or, when any part cannot be made so, the
    json writer's own text (a str) alone."""
    from sourcetrace.jsonio import jsonl_text

    if not records:
        return [b""]
    parts = []
    for first in range(0, len(records), PART_RECORDS):
        written = _spaced_lines(records[first : first + PART_RECORDS])
        if written is None:
            return [jsonl_text(records)]
        parts.append(written)
    return parts


# what orjson spells otherwise than the json writer, as values (after `:`, `,` or `[`): a number
# with a negative exponent (`1.5e-7`), one with four or more leading zeros (`0.00001`) and null.
# Strings match only by chance ("re-elected", "annulled" and hex digests do not). Positive
# exponents (1e16 and above) are not looked for: a score is in [0, 1] and offsets are integers.
_ORJSON_OWN_SPELLING = re.compile(rb"[:,\[]-?[0-9.]+e|0\.0000|[:,\[]null")


def _spelled_by_orjson(lines: bytes) -> bool:
    """Whether ``lines`` hold a value orjson spells otherwise. The substring tests are fast
    searches; the pattern, a scan ten times slower, runs only where one of them hits (`e-` of a
    word, "null" of "annulled")."""
    return (b"e-" in lines or b"0.0000" in lines or b"null" in lines) and bool(
        _ORJSON_OWN_SPELLING.search(lines)
    )


def _spaced_lines(records: list[dict[str, Any]]) -> bytes | None:
    """`jsonl_text(records)` as bytes, made by one `orjson.dumps` of the list where that provably
    gives the same bytes once the records are cut into lines and `, `, `: ` put back: each record
    starts with doc_id, every object is flat or holds lists of flat objects, no string holds `,`
    or `:` (the counts of both equal the separators the shape has), and no score is one orjson
    writes otherwise (under 1e-4: `1e-5`, `0.0000`; a null). None otherwise, or for anything orjson
    refuses (a lone surrogate)."""
    try:
        if set(map(type, records)) != {dict}:
            return None
        lists = [value for record in records for value in record.values() if type(value) is list]
        items = list(chain.from_iterable(lists))
        if items and set(map(type, items)) != {dict}:
            return None
        record_keys, item_keys = sum(map(len, records)), sum(map(len, items))
        colons = record_keys + item_keys
        # within each record and each item, and between the items of each list
        commas = record_keys - len(records) + item_keys - len(lists) + lists.count([])
        import orjson

        compact = orjson.dumps(records)
    except (TypeError, ValueError):  # orjson's errors subclass these
        return None
    lines = compact[1:-1].replace(b"}," + FIRST_KEY, b"}\n" + FIRST_KEY)
    if compact.count(FIRST_KEY) != len(records) or _spelled_by_orjson(lines):
        return None
    spaced = lines.replace(b",", b", ")
    written = spaced.replace(b":", b": ")
    if len(spaced) - len(lines) != commas or len(written) - len(spaced) != colons:
        return None  # a `,` or `:` in a string (each put back adds one byte)
    return written + b"\n"


def named_documents(value: Any, path: Path, doc_ids: list[str]) -> list[tuple[str, str, Any]]:
    """(doc_id, JSON pointer, items) of a JSON file holding one list per document: an object
    {doc_id: [...]}, or a list of lists named by ``doc_ids`` in order (taken from the list)."""
    if isinstance(value, dict):
        return [(doc_id, "/" + doc_id, items) for doc_id, items in value.items()]
    if isinstance(value, list):
        if len(doc_ids) < len(value):
            raise InputError(
                f"{len(value)} unnamed document(s) but {len(doc_ids)} --doc-id value(s) left",
                file=path,
                expected="one --doc-id per document list, in order, or a JSON object "
                "{doc_id: [...]}",
            )
        named = [doc_ids.pop(0) for _ in value]
        return [(d, f"/{i}", items) for i, (d, items) in enumerate(zip(named, value, strict=True))]
    raise InputError(
        "expected one list per document", file=path, expected="{doc_id: [...]} or [[...], ...]"
    )


# items, text, label map -> entities, or None to read the items one by one
QuickReader = Callable[[list[Any], str, LabelMap], "list[dict[str, Any]] | None"]


@dataclass
class DocumentList:
    """One document's list in a JSON file of per-document lists, and what reading it needs."""

    items: list[Any]
    text: str
    place: SpanReader
    mapper: LabelMapper
    path: Path
    pointer: str
    scheme: str


# `read_document_lists`: the documents whose spans, as written, `convert` judges for the offset
# convention of a file of span offsets (a wrong one shows in every document alike); judging
# the 120,000 spans of 10,000 documents would cost 0.46 s, judging these few milliseconds
SAMPLE_DOCUMENTS = 200


def _offsets_as_written(items: list[Any]) -> list[dict[str, int]]:
    return [
        {"start": item["start"], "end": item["end"]}
        for item in items
        if isinstance(item, dict)
        and type(item.get("start")) is int
        and type(item.get("end")) is int
    ]


def read_document_lists(
    inputs: Sequence[str | Path],
    options: Options,
    name: str,
    expected_item: str,
    entities_of: Callable[[DocumentList], list[dict[str, Any]]],
    quick: QuickReader | None = None,
    lines: JsonLines | None = None,
    as_written: list[dict[str, Any]] | None = None,
) -> list[Any]:
    """Prediction records of JSON files holding one list per document (nervaluate, hf): the
    documents named as `named_documents` says, each list read by ``quick`` (a fast path for
    our own offset convention, whose entities are valid as made; None for a list it does not
    take) or else ``entities_of``. With ``lines``, every record goes there in turn, and one
    that ``quick`` made only there (its place in the list returned is None). ``as_written``
    receives the spans of the first SAMPLE_DOCUMENTS documents as the file writes them
    ({doc_id, entities: [{start, end}]}: no unit, end or trimming applied), for `convert` to
    judge the file's offset convention by."""
    from sourcetrace.jsonio import read_json

    mapper = LabelMapper(options.labels)
    doc_ids = list(options.doc_ids)
    records: dict[str, dict[str, Any] | None] = {}
    vouched: set[str] = set()
    if (options.offsets, options.end) != (DEFAULT_OFFSETS, DEFAULT_END):
        quick = None
    for given in inputs:
        path = Path(given)
        for doc_id, pointer, items in named_documents(read_json(path), path, doc_ids):
            if doc_id in records:
                raise InputError(f"document {doc_id!r} appears twice", file=path, pointer=pointer)
            if not isinstance(items, list):
                raise InputError(
                    "a document's entry must be a list",
                    file=path,
                    pointer=pointer,
                    expected=f"a list of {expected_item}",
                )
            text = document_text(options.texts, doc_id, path, None)
            entities = None if quick is None else quick(items, text, options.labels)
            if entities is None:
                place = SpanReader(text, options)
                found = DocumentList(items, text, place, mapper, path, pointer, options.scheme)
                entities = entities_of(found)
            else:
                vouched.add(doc_id)
            if as_written is not None and len(as_written) < SAMPLE_DOCUMENTS:
                as_written.append({"doc_id": doc_id, "entities": _offsets_as_written(items)})
            items.clear()  # read: its memory is used again for the next records
            record = {
                "doc_id": doc_id,
                "text_sha256": options.sha256_of(doc_id, text),
                "entities": entities,
            }
            records[doc_id] = record
            if lines is not None:
                if doc_id in vouched:
                    records[doc_id] = None  # written as it comes: its memory is used again
                    lines.add_valid(record)
                else:
                    lines.add_record(record)
    if doc_ids:
        raise InputError(
            f"{len(doc_ids)} --doc-id value(s) left over ({', '.join(doc_ids[:5])})",
            expected="one --doc-id per document list",
        )
    mapper.check()
    return finished(records.values(), f"<{name}>", options.texts, vouched)
