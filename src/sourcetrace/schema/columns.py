"""Columnar fast path of validation: decide that a whole JSON Lines file of predictions or gold
annotations is certainly clean, on whole columns, without a Python object per item.

The file is parsed by pyarrow's JSON reader straight into typed columns (an explicit schema: a
key the schema does not know, a value of another JSON type, a key twice in one object, a lone
surrogate or a float where an integer belongs makes the reader fail), and every check of the
slow path is then asked of whole numpy arrays: the JSON Schema (required keys, types, enums from
labels.json, id patterns and lengths, ``minimum``, ``score`` in [0, 1], the offsets-or-text
rule, the shapes of an attribution's source) and the semantics (offsets on the document text,
``text`` equal to the slice, no span edge in white space, ids unique per document, one type per
entity id, references that resolve, no nesting cycle, unique doc_ids, the text's sha256).

It answers only "certainly clean" (`clean_count` returns the number of records; of lines
already read, a chunk's, `clean_lines_count`) or "not certain" (None); it never words a
problem. Whatever it does not cover, or doubts, goes to the record-by-record path
(`validation.py`), which decides and words every message, so the messages cannot change. Not
covered, hence always the slow path: ``.json`` files, offsets in another
convention, ``meta``, ``provenance``, ``source_span``, the check-worthiness rubric, any explicit
``null`` other than a source, a cue or ``nested_in`` written ``"key":null`` (the reader cannot
tell a null from a missing key; the bytes can), a line that does not start with ``{`` and end
with ``}``, a line over the line limit, a file over SOURCETRACE_MAX_INPUT_BYTES, a file under
MIN_FILE_BYTES (the record path is as fast there, without importing pyarrow) or over
MAX_FILE_BYTES (read whole into memory here; the record path streams it).

Why pyarrow (measured on 10,000 W3 predictions with their texts, 115 MB, on the shared 2-core
machine under load): its reader puts the whole file into typed columns in about the time orjson
takes to make Python objects of it (1.79 s against 1.80 s), and the columns are then checked by
numpy and pyarrow.compute without a Python object per item; orjson into numpy would walk every
item in Python, and msgspec (not installed) would build an object per item. `sourcetrace
validate` of that file: 1.5-1.8 s of CPU against 6.2-6.4 s record by record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.jsonio import check_regular_file, explicit_max_input_bytes, max_line_bytes
from sourcetrace.schema.labels import names

KINDS_COVERED = ("prediction", "annotation")
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # the schemas' pattern of every item id and reference
DOC_ID_PATTERN = r"^[a-z0-9_-]+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_ID_LENGTH = 128
# below this the record path is as fast, and pyarrow (its import, its memory) is not worth it
MIN_FILE_BYTES = 1 << 20
MAX_FILE_BYTES = 1 << 30  # read whole into memory up to this; a larger file is streamed
READ_BLOCK_BYTES = 1 << 23  # the reader's block: larger than any line, small enough to share
TEXT_CHUNK = 1 << 22  # span-text characters compared at once (memory, not speed)
# explicit nulls the covered schemas allow, as the bytes of a compact or a json.dumps writer
NULLABLE_KEYS = ("source", "cue", "nested_in")

TextFor = Callable[[str], "str | None"]


@cache
def arrow_schema(kind: str) -> Any:
    """The reader's explicit schema: every key the covered part of ``kind``'s JSON Schema
    allows, with its JSON type (a prediction item may carry a score; a gold item may not)."""
    import pyarrow as pa

    text, integer = pa.string(), pa.int64()
    span = [("start", integer), ("end", integer), ("text", text)]
    score = [("score", pa.float64())] if kind == "prediction" else []
    entity = pa.struct(
        [("id", text), *span, ("type", text), ("mention", text), ("entity", text), *score]
    )
    claim = pa.struct(
        [
            ("id", text),
            *span,
            ("polarity", text),
            ("certainty", text),
            ("checkworthy", pa.bool_()),
            ("cluster", text),
            *score,
        ]
    )
    attribution = pa.struct(
        [
            ("id", text),
            ("source", pa.struct([("mention", text), *span])),
            ("cue", pa.struct(span)),
            ("content", pa.struct([*span, ("claims", pa.list_(text))])),
            ("type", text),
            ("content_type", text),
            ("nested_in", text),
            *score,
        ]
    )
    return pa.schema(
        [
            ("doc_id", text),
            ("text_sha256", text),
            ("text", text),
            ("entities", pa.list_(entity)),
            ("claims", pa.list_(claim)),
            ("attributions", pa.list_(attribution)),
        ]
    )


def clean_count(path: str | Path, kind: str, text_for: TextFor | None = None) -> int | None:
    """The number of records of the JSON Lines file ``path`` when the slow path would find no
    problem in any of them (read as ``kind``, offsets in our convention, ``text_for`` giving the
    text of a record without one, as in `validation.validate_file`); None when not certain, and
    for a file under MIN_FILE_BYTES (the record path reads it sooner than pyarrow is imported)."""
    path = Path(path)
    if kind not in KINDS_COVERED or path.suffix.lower() != ".jsonl":
        return None
    try:
        if path.stat().st_size < MIN_FILE_BYTES:
            return None
    except OSError:
        return None
    limit = MAX_FILE_BYTES
    if (explicit := explicit_max_input_bytes()) is not None:
        limit = min(limit, explicit)
    try:
        check_regular_file(path)
        if path.stat().st_size > limit:
            return None  # over SOURCETRACE_MAX_INPUT_BYTES: the reader refuses it, with its message
        data = path.read_bytes()
    except (InputError, OSError):
        return None  # the reader words it
    if len(data) > limit:
        return None  # it grew while it was read
    shape = _line_shape(data)
    if shape is None:
        return None
    rows, longest = shape
    written = _written_nulls(data)
    if written is None:
        return None
    import pyarrow as pa

    default_pool = pa.default_memory_pool()
    pa.set_memory_pool(_memory_pool())  # for the table and every column computed from it
    try:
        table = _read_table(data, kind, longest)
        del data  # the columns hold what is needed
        if table is None or table.num_rows != rows:
            return None
        return rows if _table_clean(table, written, kind, text_for) else None
    except (pa.ArrowException, ValueError, TypeError, OverflowError, IndexError, UnicodeError):
        return None  # anything unforeseen: the slow path decides
    finally:
        pa.set_memory_pool(default_pool)


def clean_lines_count(
    data: bytes, kind: str, text_for: TextFor | None = None, *, file_bytes: int
) -> int | None:
    """`clean_count` of JSON Lines bytes already read: some lines of a file of ``file_bytes``
    bytes (a chunk of a run read a chunk at a time), joined by newlines, read as if the file
    held only them. None as `clean_count` says it, and for lines of a file under
    MIN_FILE_BYTES (a run that small is read sooner than pyarrow is imported)."""
    if kind not in KINDS_COVERED or file_bytes < MIN_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        return None
    shape = _line_shape(data)
    written = None if shape is None else _written_nulls(data)
    if shape is None or written is None:
        return None
    import pyarrow as pa

    default_pool = pa.default_memory_pool()
    pa.set_memory_pool(_memory_pool())
    try:
        table = _read_table(data, kind, shape[1])
        if table is None or table.num_rows != shape[0]:
            return None
        return shape[0] if _table_clean(table, written, kind, text_for) else None
    except (pa.ArrowException, ValueError, TypeError, OverflowError, IndexError, UnicodeError):
        return None  # anything unforeseen: the record path decides
    finally:
        pa.set_memory_pool(default_pool)


def _line_shape(data: bytes) -> tuple[int, int] | None:
    """(lines, longest line) when each line starts with `{` and ends with `}` (before an
    optional CR), none is blank and none is over the line limit: then every line holds whole
    objects, and the reader's row count equals the line count only when each holds exactly
    one. Counted on the bytes (each count is one pass at memory speed)."""
    final = len(data) - 1 if data.endswith(b"\n") else len(data)  # the last line's end
    if not data.startswith(b"{") or data[final - 1 : final] != b"}":
        return None
    lines = data.count(b"\n") + (final == len(data))
    between = data.count(b"}\n{")
    if between != lines - 1 and between + data.count(b"}\r\n{") != lines - 1:
        return None
    if final <= max_line_bytes():
        return lines, final
    import numpy as np

    breaks = np.flatnonzero(np.frombuffer(data, np.uint8)[:final] == 10)
    edges = np.concatenate(([-1], breaks, [final]))
    longest = int(np.diff(edges).max()) - 1
    return (lines, longest) if longest <= max_line_bytes() else None


def _read_table(data: bytes, kind: str, longest: int) -> Any:
    """The file in columns (one chunk each), or None when the reader refuses it."""
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        table = pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=max(READ_BLOCK_BYTES, longest + 2)),
            parse_options=pj.ParseOptions(
                explicit_schema=arrow_schema(kind), unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowException, UnicodeError, ValueError, OverflowError):
        return None
    return table.combine_chunks()


def _memory_pool() -> Any:
    """jemalloc where pyarrow has it, else the system allocator: with pyarrow's default
    (mimalloc) the table's pages cost twice the system time (measured: 0.8 s against 0.3 s of
    10,000 W3 predictions)."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.system_memory_pool()


# ---------------------------------------------------------------- helpers on arrow arrays


def _np(array: Any, fill: Any) -> Any:

    import numpy as np

    values = _values(array)
    return np.where(_nulls(array), fill, values) if array.null_count else values


def _take(array: Any, indices: Any) -> Any:
    """``array`` at the numpy ``indices``, increasing and distinct (made an arrow array from
    their buffer: `pa.array` imports pandas, a third of a second)."""
    import numpy as np
    import pyarrow as pa

    if len(indices) == len(array):  # every index once, in order (a mask's flatnonzero)
        return array
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    index = pa.Array.from_buffers(pa.int64(), len(indices), [None, pa.py_buffer(indices)])
    return array.take(index)


def _strings(values: list[str]) -> Any:
    """An arrow string array of ``values``, built from its buffers (see `_take`)."""
    import numpy as np
    import pyarrow as pa

    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(value) for value in encoded], out=offsets[1:])
    data = b"".join(encoded)
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _values(array: Any) -> Any:
    """The values of a numeric arrow array without nulls, as numpy reads its buffer (no copy;
    pyarrow's own `to_numpy` imports pandas, a third of a second)."""
    import numpy as np

    dtype = np.dtype(str(array.type).replace("double", "float64"))
    buffer = array.buffers()[1]
    if buffer is None:  # every value null: no data buffer
        return np.zeros(len(array), dtype=dtype)
    data = np.frombuffer(buffer, dtype=dtype)
    return data[array.offset : array.offset + len(array)]


def _nulls(array: Any) -> Any:
    import numpy as np

    if not array.null_count:
        return np.zeros(len(array), dtype=bool)
    flags = array.is_null()  # a boolean array without nulls: its bits, unpacked
    bits = np.frombuffer(flags.buffers()[1], dtype=np.uint8)
    unpacked = np.unpackbits(bits, bitorder="little")
    return unpacked[flags.offset : flags.offset + len(flags)].astype(bool)


def _field(struct: Any, name: str) -> Any:
    """A child of a struct array, null where the struct itself is null."""
    import pyarrow.compute as pc

    return pc.struct_field(struct, name)


def _ids_ok(array: Any) -> bool:
    """Every non-null value matches the id pattern and is at most 128 code points long."""
    return _strings_ok(array, ID_PATTERN)


def _strings_ok(array: Any, pattern: str, max_length: int = MAX_ID_LENGTH) -> bool:
    import pyarrow.compute as pc

    present = array.drop_null()
    if len(present) == 0:
        return True
    matches = pc.match_substring_regex(present, pattern)
    if not pc.all(matches).as_py():
        return False
    return pc.max(pc.utf8_length(present)).as_py() <= max_length


def _in(array: Any, inventory: str) -> bool:
    """Every non-null value is in the labels.json inventory (the schemas' enums come from it)."""
    import pyarrow.compute as pc

    present = array.drop_null()
    if len(present) == 0:
        return True
    return pc.all(pc.is_in(present, value_set=_strings(names(inventory)))).as_py()


def _written_nulls(data: bytes) -> dict[str, int] | None:
    """How many times each of NULLABLE_KEYS is written null (``"key":null`` or ``"key": null``)
    when every ``null`` of the bytes is one of those; None when some other ``null`` is there (an
    explicit null elsewhere, or the word inside a string: a doubt, for the slow path)."""
    import numpy as np

    counts = dict.fromkeys(NULLABLE_KEYS, 0)
    if b"null" not in data:
        return counts
    array = np.frombuffer(data, dtype=np.uint8)
    at = _positions(data, b"null")
    claimed = np.zeros(len(at), dtype=bool)
    for key in NULLABLE_KEYS:
        for form in (f'"{key}":'.encode(), f'"{key}": '.encode()):
            fits = at >= len(form)
            for back, byte in enumerate(reversed(form), start=1):
                fits &= array[np.maximum(at - back, 0)] == byte
            counts[key] += int(fits.sum())
            claimed |= fits
    return counts if bool(claimed.all()) else None


def _positions(data: bytes, word: bytes) -> Any:
    """Where the 4-byte ``word`` starts in ``data``: four aligned 32-bit compares, cheaper
    than a compare per byte when the word is rare."""
    import numpy as np

    target = np.frombuffer(word, dtype="<u4")[0]
    found = []
    for shift in range(4):
        words = np.frombuffer(data, dtype="<u4", offset=shift, count=(len(data) - shift) // 4)
        found.append(np.flatnonzero(words == target) * 4 + shift)
    return np.sort(np.concatenate(found))


def _all_distinct(keys: Any) -> bool:
    """No value twice (by sorting: numpy's hashing unique is slower on millions of keys)."""
    import numpy as np

    ordered = np.sort(keys)
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def _all_in(values: Any, pool: Any) -> bool:
    """Every value is in ``pool``."""
    import numpy as np

    if len(values) == 0:
        return True
    if len(pool) == 0:
        return False
    ordered = np.sort(pool)
    position = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return bool(np.all(ordered[position] == values))


def _any_space(points: Any) -> bool:
    """Whether any of these code points is white space to `str.isspace` (a table for ASCII,
    `str.isspace` once per distinct other character)."""
    import numpy as np

    ascii_ = points < 128
    if np.any(_ascii_space()[points[ascii_]]):
        return True
    others = np.unique(points[~ascii_])
    return any(chr(point).isspace() for point in others.tolist())


def _alnum(points: Any) -> Any:
    """`str.isalnum` of each code point (a table for ASCII, one call per distinct other)."""
    import numpy as np

    result = np.zeros(len(points), dtype=bool)
    ascii_ = points < 128
    result[ascii_] = _ascii_alnum()[points[ascii_]]
    others = ~ascii_
    if np.any(others):
        distinct, index = np.unique(points[others], return_inverse=True)
        result[others] = np.array([chr(p).isalnum() for p in distinct.tolist()], bool)[index]
    return result


@cache
def _ascii_alnum() -> Any:
    import numpy as np

    return np.array([chr(point).isalnum() for point in range(128)], dtype=bool)


@cache
def _ascii_space() -> Any:
    import numpy as np

    return np.array([chr(point).isspace() for point in range(128)], dtype=bool)


def _ranges(starts: Any, lengths: Any) -> Any:
    """The indices start, start+1, ... start+length-1 of every range, laid end to end (every
    length at least 1)."""
    import numpy as np

    steps = np.ones(int(lengths.sum()), dtype=np.int64)
    heads = np.cumsum(lengths) - lengths
    steps[0] = starts[0]
    steps[heads[1:]] = starts[1:] - (starts[:-1] + lengths[:-1]) + 1
    return np.cumsum(steps)


# ---------------------------------------------------------------- the checks


class _Spans:
    """Span columns gathered from every layer: document index, start, end, own text."""

    def __init__(self) -> None:
        self.docs: list[Any] = []
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        self.texts: list[Any] = []  # arrow string arrays, null where the span has no text


def _table_clean(table: Any, written: dict[str, int], kind: str, text_for: TextFor | None) -> bool:
    """Every check of the slow path on the columns of ``table``; ``written``: the nulls the
    bytes hold, per key (`_written_nulls`)."""
    import numpy as np
    import pyarrow.compute as pc

    gold = kind == "annotation"
    rows = table.num_rows
    column = {name: table.column(name).chunk(0) for name in table.column_names}

    doc_ids = column["doc_id"]
    if doc_ids.null_count or not _strings_ok(doc_ids, DOC_ID_PATTERN):
        return False
    if len(pc.unique(doc_ids)) != rows:
        return False  # a doc_id twice
    shas = column["text_sha256"]
    if gold and shas.null_count:
        return False
    if not _strings_ok(shas, SHA256_PATTERN, 64):
        return False

    layers = {name: column[name] for name in ("entities", "claims", "attributions")}
    if gold and any(layer.null_count for layer in layers.values()):
        return False  # missing (an explicit null was refused above)

    texts, has_text = _texts(column["text"], doc_ids, text_for)
    if texts is False:
        return False
    if not _sha256_ok(texts, shas):
        return False

    entities = layers["entities"].flatten()
    entity_doc = _values(pc.list_parent_indices(layers["entities"]))
    claims = layers["claims"].flatten()
    claim_doc = _values(pc.list_parent_indices(layers["claims"]))
    attributions = layers["attributions"].flatten()
    attribution_doc = _values(pc.list_parent_indices(layers["attributions"]))

    spans = _Spans()
    required_entity = (
        ("id", "start", "end", "text", "type", "mention", "entity") if gold else ("type",)
    )
    required_claim = (
        ("id", "start", "end", "text", "polarity", "certainty", "checkworthy", "cluster")
        if gold
        else ()
    )
    for items, doc, required in (
        (entities, entity_doc, required_entity),
        (claims, claim_doc, required_claim),
    ):
        if any(_field(items, name).null_count for name in required):
            return False
        if not _span_shapes_ok(items, doc, spans, gold, np.ones(len(items), dtype=bool)):
            return False
    if not (
        _in(_field(entities, "type"), "entity_types")
        and _in(_field(entities, "mention"), "mention_kinds")
        and _in(_field(claims, "polarity"), "claim_polarity")
        and _in(_field(claims, "certainty"), "claim_certainty")
        and _in(_field(attributions, "type"), "attribution_types")
        and _in(_field(attributions, "content_type"), "attribution_content_types")
    ):
        return False
    for items, name in (
        (entities, "id"),
        (entities, "entity"),
        (claims, "id"),
        (claims, "cluster"),
        (attributions, "id"),
        (attributions, "nested_in"),
    ):
        if not _ids_ok(_field(items, name)):
            return False
    if kind == "prediction" and not all(
        _scores_ok(_field(items, "score")) for items in (entities, claims, attributions)
    ):
        return False

    # attributions: source (null, {mention} or a span), cue (null or a span), content (a span
    # with its claims), each null written as such (counted above)
    source, cue, content = (_field(attributions, name) for name in ("source", "cue", "content"))
    if source.null_count != written["source"] or cue.null_count != written["cue"]:
        return False
    if gold and _field(attributions, "nested_in").null_count != written["nested_in"]:
        return False
    if gold and any(_field(attributions, name).null_count for name in ("id", "type")):
        return False
    if content.null_count:
        return False
    mention = _field(source, "mention")
    if not _ids_ok(mention):
        return False
    source_is_mention = ~_nulls(mention)
    source_is_span = ~_nulls(source) & ~source_is_mention
    if np.any(
        source_is_mention
        & ~(
            _nulls(_field(source, "start"))
            & _nulls(_field(source, "end"))
            & _nulls(_field(source, "text"))
        )
    ):
        return False  # a mention with span keys: neither shape of the schema
    if not _span_shapes_ok(source, attribution_doc, spans, gold, source_is_span):
        return False
    if not _span_shapes_ok(cue, attribution_doc, spans, gold, ~_nulls(cue)):
        return False
    if not _span_shapes_ok(content, attribution_doc, spans, gold, np.ones(len(content), bool)):
        return False
    content_claims = _field(content, "claims")
    if gold and content_claims.null_count:
        return False
    claim_refs = content_claims.flatten()
    claim_ref_attribution = _values(pc.list_parent_indices(content_claims))
    if claim_refs.null_count or not _ids_ok(claim_refs):
        return False

    if not _span_texts_ok(texts, has_text, spans):
        return False
    return _references_ok(
        entities,
        entity_doc,
        claims,
        claim_doc,
        attributions,
        attribution_doc,
        mention,
        source_is_mention,
        claim_refs,
        claim_ref_attribution,
    )


def _texts(text_column: Any, doc_ids: Any, text_for: TextFor | None) -> tuple[Any, Any]:
    """The text of each record (its own, else ``text_for``'s) as one arrow string array, and
    which records have one; (False, None) when a record's doc_id is unknown to ``text_for``."""
    import numpy as np

    if not text_column.null_count:
        return text_column, np.ones(len(text_column), dtype=bool)
    own = text_column.to_pylist()  # a str per record, never per item
    if text_for is None:
        return _strings([t or "" for t in own]), np.array([t is not None for t in own])
    filled = []
    for text, doc_id in zip(own, doc_ids.to_pylist(), strict=True):
        if text is None:
            text = text_for(doc_id)
            if text is None:
                return False, None  # unknown doc_id
        filled.append(text)
    return _strings(filled), np.ones(len(filled), dtype=bool)


def _sha256_ok(texts: Any, shas: Any) -> bool:
    """Each given text_sha256 is the sha256 of its text (one hash per record, of the UTF-8
    bytes as the column holds them)."""
    import numpy as np

    if shas.null_count == len(shas):
        return True
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[
        texts.offset : texts.offset + len(texts) + 1
    ].tolist()
    data = memoryview(texts.buffers()[2] or b"")
    for index, sha in enumerate(shas.to_pylist()):
        if sha is not None:
            digest = hashlib.sha256(data[offsets[index] : offsets[index + 1]]).hexdigest()
            if digest != sha:
                return False
    return True


def _scores_ok(scores: Any) -> bool:
    """Every given score is a number in [0, 1] (NaN is not)."""
    import numpy as np

    if scores.null_count == len(scores):
        return True
    values = _np(scores, 0.5)
    return bool(np.all((values >= 0) & (values <= 1)))


def _span_shapes_ok(items: Any, doc: Any, spans: _Spans, gold: bool, present: Any) -> bool:
    """Offsets (both or neither; integers >= 0, start < end) or a non-blank text, as the schema
    and `Checker.span` ask of the ``present`` items; their offsets are kept for the text checks."""
    import numpy as np
    import pyarrow.compute as pc

    start, end, text = (_field(items, name) for name in ("start", "end", "text"))
    no_start, no_end, no_text = _nulls(start), _nulls(end), _nulls(text)
    no_start, no_end, no_text = no_start[present], no_end[present], no_text[present]
    if np.any(no_start != no_end):
        return False
    if gold and (np.any(no_start) or np.any(no_text)):
        return False
    if np.any(no_start & no_text):
        return False  # neither offsets nor text
    picked = np.flatnonzero(present)
    start_values = _np(start, 0)[picked]
    end_values = _np(end, 1)[picked]
    with_offsets = ~no_start
    if np.any(with_offsets & ~((start_values >= 0) & (start_values < end_values))):
        return False
    span_text = _take(text, picked)
    lengths = _np(pc.utf8_length(span_text), 1)
    if np.any(lengths < 1):
        return False  # minLength 1
    # text only: not blank (decided by its first character; a doubt goes to the slow path)
    text_only = np.flatnonzero(no_start & ~no_text)
    if len(text_only):
        first = pc.utf8_slice_codeunits(_take(span_text, text_only), 0, 1)
        if _any_space(_code_points(first)):
            return False
    keep = np.flatnonzero(with_offsets)
    spans.docs.append(doc[picked][keep])
    spans.starts.append(start_values[keep])
    spans.ends.append(end_values[keep])
    spans.texts.append(_take(span_text, keep))
    return True


def _code_points(strings: Any) -> Any:
    """The code points of an arrow string array's values, laid end to end (uint32; uint8 when
    every one is ASCII)."""
    import numpy as np

    buffers = strings.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    if len(offsets) == 0 or buffers[2] is None:
        return np.zeros(0, dtype=np.uint32)
    raw = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    if not len(raw) or int(raw.max()) < 128:  # ASCII: a byte is a code point
        return raw
    return np.frombuffer(raw.tobytes().decode("utf-8").encode("utf-32-le"), dtype=np.uint32)


def _span_texts_ok(texts: Any, has_text: Any, spans: _Spans) -> bool:
    """Every span with offsets lies in its document's text, its own text (when given) equals the
    slice, and neither edge is white space (`str.isspace`)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not spans.docs:
        return True
    doc = np.concatenate(spans.docs).astype(np.int64)
    start = np.concatenate(spans.starts).astype(np.int64)
    end = np.concatenate(spans.ends).astype(np.int64)
    own = pa.concat_arrays(spans.texts) if spans.texts else _strings([])
    known = has_text[doc]
    doc, start, end = doc[known], start[known], end[known]
    own = _take(own, np.flatnonzero(known))
    if len(doc) == 0:
        return True
    lengths = _np(pc.utf8_length(texts), 0).astype(np.int64)
    if np.any(end > lengths[doc]):
        return False
    points = _code_points(texts)
    base = np.concatenate(([0], np.cumsum(lengths)))
    first, last = base[doc] + start, base[doc] + end - 1
    if _any_space(np.concatenate((points[first], points[last]))):
        return False
    given = ~_nulls(own)
    # a span without its own text that cuts a word would make `conventions.diagnose` try the
    # other conventions: not certain (a clean file whose spans all fit cannot be diagnosed)
    bare = np.flatnonzero(~given)
    if len(bare):
        inner = (start[bare] > 0, end[bare] < lengths[doc[bare]])
        outside = (np.maximum(first[bare] - 1, 0), np.minimum(last[bare] + 1, len(points) - 1))
        word = _alnum(
            np.concatenate(
                (points[outside[0]], points[first[bare]], points[last[bare]], points[outside[1]])
            )
        )
        before, at_first, at_last, after = np.split(word, 4)
        if np.any((inner[0] & before & at_first) | (inner[1] & at_last & after)):
            return False
    if not np.any(given):
        return True
    own_lengths = _np(pc.utf8_length(own), 0).astype(np.int64)
    if np.any(given & (own_lengths != end - start)):
        return False
    own_points = _code_points(_take(own, np.flatnonzero(given)))
    own_base = np.concatenate(([0], np.cumsum(own_lengths[given])))
    from_text = first[given]
    counts = own_lengths[given]
    # compare a chunk of spans at a time: the gathered characters stay small
    at = 0
    while at < len(counts):
        stop = int(np.searchsorted(own_base, own_base[at] + TEXT_CHUNK, side="right")) - 1
        stop = min(max(stop, at + 1), len(counts))
        text_index = _ranges(from_text[at:stop], counts[at:stop])
        if not np.array_equal(points[text_index], own_points[own_base[at] : own_base[stop]]):
            return False
        at = stop
    return True


def _references_ok(
    entities: Any,
    entity_doc: Any,
    claims: Any,
    claim_doc: Any,
    attributions: Any,
    attribution_doc: Any,
    mention: Any,
    source_is_mention: Any,
    claim_refs: Any,
    claim_ref_attribution: Any,
) -> bool:
    """Ids unique per document across the layers, one type per entity id, every source mention
    an entity id, every content claim a claim id (each once), every nested_in another
    attribution's id, and no nesting cycle."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = {
        "entity": _field(entities, "id"),
        "claim": _field(claims, "id"),
        "attribution": _field(attributions, "id"),
        "mention": mention,
        "claim_ref": claim_refs,
        "nested_in": _field(attributions, "nested_in"),
    }
    everything = pa.concat_arrays([p.cast(pa.string()) for p in pieces.values()])
    encoded = pc.dictionary_encode(everything)
    codes = _np(encoded.indices, -1).astype(np.int64)
    width = max(len(encoded.dictionary), 1) + 1
    split, at = {}, 0
    for name, piece in pieces.items():
        split[name] = codes[at : at + len(piece)]
        at += len(piece)

    def keys(doc: Any, code: Any) -> Any:
        return doc.astype(np.int64) * width + code

    entity_keys = keys(entity_doc, split["entity"])[split["entity"] >= 0]
    claim_keys = keys(claim_doc, split["claim"])[split["claim"] >= 0]
    attribution_codes = split["attribution"]
    attribution_keys = keys(attribution_doc, attribution_codes)
    all_ids = np.concatenate((entity_keys, claim_keys, attribution_keys[attribution_codes >= 0]))
    if not _all_distinct(all_ids):
        return False
    # one type per entity id in a document
    entity_ids = _field(entities, "entity")
    types = _field(entities, "type")
    both = np.flatnonzero(~_nulls(entity_ids) & ~_nulls(types))
    if len(both):
        entity_codes = _values(pc.dictionary_encode(_take(entity_ids, both)).indices)
        type_codes = _values(pc.dictionary_encode(_take(types, both)).indices)
        pair = entity_doc[both].astype(np.int64) * (len(both) + 1) + entity_codes
        order = np.lexsort((type_codes, pair))
        same_entity = pair[order][1:] == pair[order][:-1]
        if np.any(same_entity & (type_codes[order][1:] != type_codes[order][:-1])):
            return False
    # source mentions resolve
    mentions = keys(attribution_doc, split["mention"])[source_is_mention]
    if not _all_in(mentions, entity_keys):
        return False
    # content claims resolve, each once per content
    ref_doc = attribution_doc[claim_ref_attribution]
    if not _all_in(keys(ref_doc, split["claim_ref"]), claim_keys):
        return False
    if not _all_distinct(claim_ref_attribution.astype(np.int64) * width + split["claim_ref"]):
        return False
    # nested_in: another attribution of the document, and no cycle
    nested = split["nested_in"]
    has_outer = nested >= 0
    if not np.any(has_outer):
        return True
    outer_keys = keys(attribution_doc, nested)
    if np.any(has_outer & (nested == attribution_codes)):
        return False  # nested in itself
    order = np.argsort(attribution_keys, kind="stable")
    position = np.searchsorted(attribution_keys[order], outer_keys[has_outer])
    position = np.minimum(position, len(order) - 1)
    found = attribution_keys[order][position] == outer_keys[has_outer]
    if not np.all(found):
        return False
    count = len(attribution_keys)
    outer = np.full(count + 1, count, dtype=np.int64)  # index `count`: the outermost end
    outer[np.flatnonzero(has_outer)] = order[position]
    steps = 1
    while steps <= count:  # pointer doubling: 2**k links followed at once
        outer = outer[outer]
        steps *= 2
    return bool(np.all(outer[:count] == count))
