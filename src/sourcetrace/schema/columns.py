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
already read, a chunk's, `clean_lines_count`), "certainly
refused for doc_ids the text lookup does not know, and for nothing else" (`file_verdict` lists
their lines; the caller words them as the slow path does) or "not certain" (None); it never
words any other problem. Whatever it does not cover, or doubts, goes to the record-by-record
path (`validation.py`), which decides and words every message, so the messages cannot change.
Not covered, hence always the slow path: ``.json`` files, offsets in another convention,
``meta``, ``provenance``, ``source_span``, the check-worthiness rubric, any explicit ``null``
other than a source, a cue or ``nested_in`` written ``"key":null`` (the reader cannot
tell a null from a missing key; the bytes can), a line that does not start with ``{`` and end
with ``}``, a line over the line limit, a file over SOURCETRACE_MAX_INPUT_BYTES, a file under
MIN_FILE_BYTES (the record path is as fast there, without importing pyarrow) or over
MAX_FILE_BYTES.

The file is read in chunks of whole lines (CHUNK_BYTES), each parsed and checked on its own by
one of CHECK_THREADS threads while the next is read (pyarrow's reader and kernels, numpy and
hashlib release the GIL: the two cores share the work); the doc_ids are compared across chunks
at the end. Memory holds a few chunks' columns, not the file's. Measured on 30,000 W3
predictions with their texts (347 MB; see issue 24's report): the reader is about 1.6 s of the
3.0 s of CPU, the checks about 1.1 s, and a quiet 2-core machine runs the process in ~1.6 s.

Why pyarrow (measured on 10,000 W3 predictions with their texts, 115 MB, on the shared 2-core
machine under load): its reader puts the whole file into typed columns in about the time orjson
takes to make Python objects of it (1.79 s against 1.80 s), and the columns are then checked by
numpy and pyarrow.compute without a Python object per item; orjson into numpy would walk every
item in Python, and msgspec (not installed) would build an object per item. `sourcetrace
validate` of that file: 1.5-1.8 s of CPU against 6.2-6.4 s record by record.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
MAX_FILE_BYTES = 1 << 40  # no cap of its own (read in chunks); SOURCETRACE_MAX_INPUT_BYTES applies
CHUNK_BYTES = 1 << 23  # whole lines parsed and checked at once (memory holds a few chunks)
TAIL_BYTES = 1 << 20  # room in a chunk's buffer for the start of a line read with the last
CHECK_THREADS = 2  # chunks in flight: the reader and the kernels release the GIL
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
    found = file_verdict(path, kind, text_for)
    return found.records if found is not None and not found.unknown_doc_ids else None


@dataclass(frozen=True)
class Verdict:
    """What the slow path would say of a file, known without it: how many records, and the
    (line, doc_id) of each record whose doc_id ``text_for`` does not know, in order: the file's
    only problems (the slow path says "unknown doc_id" of each, and nothing else)."""

    records: int
    unknown_doc_ids: list[tuple[int, str]]


def file_verdict(path: str | Path, kind: str, text_for: TextFor | None = None) -> Verdict | None:
    """`clean_count`, and also certain of a file whose only problems are doc_ids that
    ``text_for`` does not know (predictions of documents outside the corpus: refused whole, at
    the speed of a clean file); None when not certain."""
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
        file = path.open("rb")
    except (InputError, OSError):
        return None  # the reader words it
    imports = threading.Thread(target=_import_modules, daemon=True)
    imports.start()  # while the first chunk is read (a read releases the GIL)
    with file:
        try:
            first = _read_chunk(file, b"", limit)
        except OSError:
            return None  # the reader words it
        finally:
            imports.join()
        import pyarrow as pa

        try:
            with _columns_memory_pool():  # for the tables and every column computed from them
                return _chunks_clean(file, first, limit, kind, text_for)
        except (pa.ArrowException, ValueError, TypeError, OverflowError, IndexError, UnicodeError):
            return None  # anything unforeseen: the slow path decides
        except OSError:
            return None  # the reader words it


def clean_lines_count(
    data: bytes, kind: str, text_for: TextFor | None = None, *, file_bytes: int
) -> int | None:
    """`clean_count` of JSON Lines bytes already read: some lines of a file of ``file_bytes``
    bytes (a chunk of a run read a chunk at a time), joined by newlines, read as if the file
    held only them (a doc_id the lookup does not know is a doubt here). None as `clean_count`
    says it, and for lines of a file under MIN_FILE_BYTES (a run that small is read sooner
    than pyarrow is imported)."""
    table = clean_lines_table(data, kind, text_for, file_bytes=file_bytes)
    return None if table is None else table.num_rows


def clean_lines_table(
    data: bytes, kind: str, text_for: TextFor | None = None, *, file_bytes: int
) -> Any:
    """`clean_lines_count`, and the columns it checked: the pyarrow table of the lines (one
    row per line, in order) when they are certainly clean, else None."""
    if kind not in KINDS_COVERED or file_bytes < MIN_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        return None
    if not _ends_a_record(data):  # the last line, which `_line_count` leaves
        return None
    import pyarrow as pa

    try:
        with _columns_memory_pool():
            checked = _chunk_clean(data, kind, text_for, keep_table=True)
    except (pa.ArrowException, ValueError, TypeError, OverflowError, IndexError, UnicodeError):
        return None  # anything unforeseen: the record path decides
    if checked is None or checked[2]:
        return None
    return checked[3]


def _import_modules() -> None:
    """numpy and pyarrow's modules, imported (a third of a second of CPU; not
    `pyarrow.compute`, see `_compute`)."""
    import numpy  # noqa: F401
    import pyarrow.json  # noqa: F401

    _call_function()


class _Chunk:
    """Whole lines of the file (every line of it ends with a newline, but the file's last
    line may not), or the reason there are none: ``ended`` at the end of the file, ``refused``
    when the file cannot be clean (over the size limit, a line over the line limit)."""

    def __init__(self, lines: memoryview | bytes, tail: bytes, size: int, ended: bool) -> None:
        self.lines = lines
        self.tail = tail  # the start of the next line, read with these
        self.size = size  # bytes of the file read so far
        self.ended = ended
        self.refused = False


def _read_chunk(
    file: Any, tail: bytes, limit: int, size: int = 0, spare: list[bytearray] | None = None
) -> _Chunk:
    """The next CHUNK_BYTES or so of whole lines, after ``tail`` (the start of a line read
    before); read into one buffer (a ``spare`` one when it is large enough: its pages are
    mapped already), so the chunk is never copied."""
    line_limit = max_line_bytes()
    while True:
        buffer = spare.pop() if spare else bytearray(CHUNK_BYTES + TAIL_BYTES)
        if len(buffer) < len(tail) + CHUNK_BYTES:
            buffer = bytearray(len(tail) + CHUNK_BYTES)
        buffer[: len(tail)] = tail
        view = memoryview(buffer)
        got = file.readinto(view[len(tail) : len(tail) + CHUNK_BYTES])
        size += got
        filled = len(tail) + got
        if size > limit:
            return _refused(size)  # it grew while it was read
        if got == 0:  # the end: what is left is the last line, without its newline
            return _Chunk(view[:filled], b"", size, ended=True)
        cut = buffer.rfind(b"\n", 0, filled)
        if cut == -1:  # one line longer than a chunk: read on
            tail = bytes(view[:filled])
            if len(tail) > line_limit:
                return _refused(size)
            continue
        return _Chunk(view[: cut + 1], bytes(view[cut + 1 : filled]), size, ended=False)


def _refused(size: int) -> _Chunk:
    chunk = _Chunk(b"", b"", size, ended=True)
    chunk.refused = True
    return chunk


def _chunks_clean(
    file: Any, first: _Chunk, limit: int, kind: str, text_for: TextFor | None
) -> Verdict | None:
    """The verdict on the file when every chunk of it is clean (but for unknown doc_ids) and
    no doc_id is in two of them, else None. The main thread reads chunk after chunk;
    CHECK_THREADS threads parse and check them as they come (the reader, the numpy and arrow
    kernels and hashlib release the GIL, so the cores share the work and the reading), a few
    chunks in flight at most (the memory holds their columns, not the file's)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    lookup = _locked(text_for)
    pending: list[tuple[Future[Any], Any]] = []
    spare: list[bytearray] = []
    doc_ids: list[Any] = []
    unknown: list[tuple[int, str]] = []
    rows = 0
    chunk, last_byte = first, b""

    def settle(count: int) -> bool:
        """Wait for all but ``count`` chunks in flight; False when one is not clean."""
        nonlocal rows
        while len(pending) > count:
            future, buffer = pending.pop(0)
            result = future.result()
            if result is None:
                return False
            chunk_rows, chunk_doc_ids, chunk_unknown = result
            if chunk_unknown:
                names = chunk_doc_ids.to_pylist()
                unknown.extend((rows + index + 1, names[index]) for index in chunk_unknown)
            rows += chunk_rows
            doc_ids.append(chunk_doc_ids)
            spare.append(buffer)  # its columns are made: the buffer can take the next chunk
        return True

    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        try:
            while True:
                if chunk.refused:
                    return None
                if len(chunk.lines):
                    last_byte = bytes(chunk.lines[-2:])
                    future = pool.submit(_chunk_clean, chunk.lines, kind, lookup)
                    pending.append((future, chunk.lines.obj))
                if chunk.ended:
                    break
                if not settle(CHECK_THREADS + 1):
                    return None
                chunk = _read_chunk(file, chunk.tail, limit, chunk.size, spare)
            if not settle(0):
                return None
        finally:
            for future, _ in pending:
                future.cancel()
    # the file's last line ends with `}` (then perhaps a newline; not a CR); a doc_id twice
    # in two chunks (each chunk checked its own)
    if not _ends_a_record(last_byte) or rows == 0:
        return None
    return Verdict(rows, unknown) if _distinct_count(doc_ids) == rows else None


def _locked(text_for: TextFor | None) -> TextFor | None:
    """``text_for`` called by one thread at a time (a lookup may load what it looks up)."""
    if text_for is None:
        return None
    lock = threading.Lock()

    def locked(doc_id: str) -> str | None:
        with lock:
            return text_for(doc_id)

    return locked


def _line_count(lines: memoryview | bytes) -> int | None:
    """How many lines a chunk holds when each starts with `{` and ends with `}` (perhaps `}`
    CR before its newline), none is blank and none is over the line limit: then every line holds
    whole objects, and the reader's row count equals the line count only when each holds exactly
    one. None otherwise. The newlines are found by `bytes.find` (memchr; a JSON string cannot
    hold a raw newline), one call per record, many times cheaper than a numpy pass."""
    import numpy as np

    data = lines if isinstance(lines, bytes) else lines.obj  # the chunk's buffer
    length = len(lines)
    found, find = [], data.find
    at = find(b"\n", 0, length)
    while at != -1:
        found.append(at)
        at = find(b"\n", at + 1, length)
    if not found or found[-1] != length - 1:
        found.append(length)  # the file's last line, without a newline
    ends = np.array(found, dtype=np.int64)
    bytes_ = np.frombuffer(lines, dtype=np.uint8)
    if bytes_[0] != 123:
        return None
    newlines = ends[ends < length]
    before = bytes_[newlines - 1]
    cr_before = (before == 13) & (bytes_[np.maximum(newlines - 2, 0)] == 125)
    if not np.all((before == 125) | cr_before):
        return None
    inner = newlines[newlines + 1 < length]
    if not np.all(bytes_[inner + 1] == 123):
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    if int((ends - starts).max()) > max_line_bytes():
        return None
    return len(ends)


def _chunk_clean(
    lines: memoryview | bytes, kind: str, text_for: TextFor | None, keep_table: bool = False
) -> Any:
    """(records, doc_ids, rows with an unknown doc_id) of a chunk of whole lines when all its
    records are clean but those, which are clean but for their text; else None. With
    ``keep_table``, the table is a fourth member."""
    rows = _line_count(lines)
    if rows is None:
        return None
    written = _written_nulls(lines)
    if written is None:
        return None
    table = _read_table(lines, kind)
    if table is None or table.num_rows != rows:
        return None
    unknown = _table_clean(table, written, kind, text_for)
    if unknown is None:
        return None
    if keep_table:
        return rows, table.column("doc_id").chunk(0), unknown, table
    return rows, table.column("doc_id").chunk(0), unknown


def _distinct_count(doc_ids: list[Any]) -> int:
    import pyarrow as pa

    return _compute("count_distinct", pa.chunked_array(doc_ids, type=pa.string())).as_py()


def _read_table(lines: memoryview | bytes, kind: str) -> Any:
    """The chunk in columns (one array each; read by one thread, as the chunks share the
    cores), or None when the reader refuses it. Predictions are first read with the narrower
    schema of their first record's keys (`_narrow_schema`) and widened to the whole one: the
    same table, at less cost; a chunk with other keys is read again with the whole schema."""
    full = arrow_schema(kind)
    narrow = _narrow_schema(lines, kind)
    if narrow is not None:
        table = _read_with_schema(lines, narrow)
        if table is not None:
            widened = _widened(table, full)
            if widened is not None:
                return widened
    return _read_with_schema(lines, full)


def _read_with_schema(lines: memoryview | bytes, schema: Any) -> Any:
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        table = pj.read_json(
            pa.BufferReader(pa.py_buffer(lines)),
            read_options=pj.ReadOptions(block_size=len(lines) + 2, use_threads=False),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowException, UnicodeError, ValueError, OverflowError):
        return None
    return table.combine_chunks()


# the top-level keys a prediction record may have for `_narrow_schema`
NARROW_RECORD_KEYS = frozenset({"doc_id", "text", "text_sha256", "entities"})


def _narrow_schema(lines: memoryview | bytes, kind: str) -> Any:
    """The whole schema of predictions cut to what the first record of ``lines`` has: its keys
    among doc_id, text, text_sha256 and entities, and its entities' keys. The reader fills
    every key of the schema that an item lacks with a null, so fewer keys cost less (10,000 W1
    predictions of three keys each: 0.34 s against 0.24 s); a record of the chunk with another
    key fails the read (`unexpected_field_behavior="error"`), which is then made again with
    the whole schema. None for gold, and when the first record has another key (or does not
    parse)."""
    import orjson

    if kind != "prediction":
        return None
    end = bytes(lines[: 1 << 16]).find(b"\n")
    first = bytes(lines[: end if end != -1 else 1 << 16])
    try:
        record = orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not set(record) <= NARROW_RECORD_KEYS:
        return None
    entities = record.get("entities")
    if not isinstance(entities, list) or not all(isinstance(item, dict) for item in entities):
        return None
    entity_keys = {key for item in entities for key in item}
    import pyarrow as pa

    full = arrow_schema(kind)
    entity_type = full.field("entities").type.value_type
    names = [field.name for field in entity_type]
    if not entity_keys <= set(names):
        return None
    entity = pa.struct([field for field in entity_type if field.name in entity_keys])
    return pa.schema(
        [
            pa.field("entities", pa.list_(entity)) if field.name == "entities" else field
            for field in full
            if field.name in NARROW_RECORD_KEYS
        ]
    )


def _widened(table: Any, full: Any) -> Any:
    """``table``, read with a narrower schema than ``full``, as the reader makes it with
    ``full``: each missing column, and each missing field of the entities, all nulls. None when
    its entity lists are not laid out as a fresh read lays them (no offset)."""
    import pyarrow as pa

    rows = table.num_rows
    columns = []
    for field in full:
        if field.name not in table.column_names:
            columns.append(pa.nulls(rows, field.type))
            continue
        column = table.column(field.name).combine_chunks()
        if field.name == "entities" and column.type != field.type:
            column = _widened_items(column, field.type)
            if column is None:
                return None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=full)


def _widened_items(lists: Any, list_type: Any) -> Any:
    """A list<struct> array with the struct fields of ``list_type``, the missing ones null."""
    import pyarrow as pa

    items = lists.values
    if lists.offset or items.offset:
        return None
    item_type = list_type.value_type
    children = [
        items.field(field.name) if items.type.get_field_index(field.name) != -1 else None
        for field in item_type
    ]
    children = [
        pa.nulls(len(items), field.type) if child is None else child
        for child, field in zip(children, item_type, strict=True)
    ]
    widened_items = pa.Array.from_buffers(
        item_type, len(items), [items.buffers()[0]], null_count=items.null_count, children=children
    )
    return pa.Array.from_buffers(
        list_type,
        len(lists),
        lists.buffers()[:2],
        null_count=lists.null_count,
        children=[widened_items],
    )


def _ends_a_record(last: bytes | memoryview) -> bool:
    """Whether the last line of a file (or of the lines checked) ends with `}`, then perhaps a
    newline (not a CR): the line checks look only at the lines a newline ends."""
    return bytes(last[-2:]).endswith((b"}", b"}\n"))


@contextmanager
def _columns_memory_pool() -> Iterator[None]:
    """pyarrow's default pool set, while the block runs, to jemalloc where pyarrow has it, else
    the system allocator: with pyarrow's default (mimalloc) the table's pages cost twice the
    system time (measured: 0.8 s against 0.3 s of 10,000 W3 predictions). In a process whose
    malloc keeps the memory it frees (`keep_freed_memory`), the system allocator: each chunk's
    columns reuse the pages of the chunk before, where jemalloc gives them back and faults
    them in again (W1 at 10,000 documents: 58,000 page faults against 70,000, 0.1 s less of
    system time; `sourcetrace validate` of 10,000 W3 predictions: 34,500 against 41,000)."""
    import pyarrow as pa

    try:
        pool = pa.system_memory_pool() if _MALLOC_KEEPS_FREED else pa.jemalloc_memory_pool()
    except NotImplementedError:
        pool = pa.system_memory_pool()
    default_pool = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(default_pool)


# glibc's mallopt parameters (malloc.h), for `keep_freed_memory`
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
KEPT_MMAP_BYTES = 1 << 25  # glibc's own ceiling for its sliding threshold on 64 bits
KEPT_TOP_BYTES = 1 << 27
_MALLOC_KEEPS_FREED = False  # set by `keep_freed_memory` when glibc took its settings


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep the memory numpy frees (blocks under 32 MiB from its heap,
    and up to 128 MiB free at the heap's top) instead of giving it back to the system: the
    columns of every chunk are the same few sizes, and each block mapped again costs a page
    fault per 4 KiB (measured on 30,000 W3 predictions: 175,000 faults and 0.5 s of system
    time before, 110,000 and 0.3 s after, 0.01 GiB more peak memory). For a process that
    checks files and exits (`sourcetrace validate`, `evaluate`), not for a library caller;
    False where the C library has no mallopt (not glibc) or refuses a setting."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    global _MALLOC_KEEPS_FREED
    kept = bool(mallopt(M_MMAP_THRESHOLD, KEPT_MMAP_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, KEPT_TOP_BYTES)
    )
    _MALLOC_KEEPS_FREED = kept
    return kept


def malloc_keeps_freed() -> bool:
    """Whether `keep_freed_memory` took effect in this process (or in the process it was
    forked from: the Dask workers of `evaluate --workers`)."""
    return _MALLOC_KEEPS_FREED


# ---------------------------------------------------------------- helpers on arrow arrays


def _compute(name: str, *args: Any, options: Any = None) -> Any:
    """pyarrow's compute function ``name`` of ``args``, called by name (`call_function`, as
    `pyarrow.compute` calls it), and so is each Array method here that would import
    `pyarrow.compute`: that module writes a Python wrapper of each of its ~400 functions when
    imported, 0.06-0.1 s of CPU on the critical path of `validate`."""
    return _call_function()(name, list(args), options)


def arrow_compute(name: str, *args: Any, options: Any = None) -> Any:
    """`_compute` for the other modules that read the columns (`column_records`): without
    importing `pyarrow.compute` (0.11 s of CPU on the critical path of `evaluate`)."""
    return _compute(name, *args, options=options)


def null_flags(array: Any) -> Any:
    """`_nulls` for the other modules that read the columns: which values of an arrow array
    are null, as numpy booleans, read from its validity bits."""
    return _nulls(array)


def _call_function() -> Any:
    """`call_function` from pyarrow's private `_compute`, where `pyarrow.compute` takes it; from
    `pyarrow.compute` itself should a later pyarrow move it (``pyarrow>=15`` is not capped)."""
    try:
        from pyarrow._compute import call_function
    except ImportError:  # pragma: no cover - a pyarrow that moved it
        from pyarrow.compute import call_function
    return call_function


def _flatten(lists: Any) -> tuple[Any, Any]:
    """The items of a list array laid end to end (`ListArray.flatten`), and the index of the
    list each belongs to (numpy)."""
    return _compute("list_flatten", lists), _values(_compute("list_parent_indices", lists))


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
    return _compute("take", array, index)


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
    """Whether each value is null: the array's validity bits, unpacked (no kernel call and no
    bitmap of its own; an array with nulls and no validity bitmap, of the null type, asks
    `is_null`)."""
    import numpy as np

    if not array.null_count:
        return np.zeros(len(array), dtype=bool)
    bits, offset, null_bit = array.buffers()[0], array.offset, 0  # validity: 1 is a value
    if bits is None:
        flags = _compute("is_null", array)  # a boolean array without nulls: 1 is a null
        bits, offset, null_bit = flags.buffers()[1], flags.offset, 1
    unpacked = np.unpackbits(
        np.frombuffer(bits, dtype=np.uint8), count=offset + len(array), bitorder="little"
    )
    return unpacked[offset:] == null_bit


def _field(struct: Any, name: str) -> Any:
    """A child of a struct array, null where the struct itself is null."""
    from pyarrow._compute import StructFieldOptions

    return _compute("struct_field", struct, options=StructFieldOptions([name]))


def _ids_ok(array: Any) -> bool:
    """Every non-null value matches the id pattern and is at most 128 code points long."""
    return _strings_ok(array, ID_PATTERN)


def _strings_ok(
    array: Any, pattern: str, max_length: int = MAX_ID_LENGTH, min_length: int = 1
) -> bool:
    """Every non-null value is ``pattern`` (one ASCII character class, repeated) and between
    ``min_length`` and ``max_length`` long: decided on the bytes of the string buffer with a
    table of the 128 ASCII bytes (a byte of a multi-byte character is over 127, never allowed,
    so a length in bytes is a length in characters). The bytes of null slots are looked at too:
    the reader leaves them empty; anything else there is a doubt, never a pass."""
    import numpy as np

    if array.null_count == len(array):
        return True
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[
        array.offset : array.offset + len(array) + 1
    ]
    lengths = np.diff(offsets)
    if array.null_count:
        lengths = lengths[~_nulls(array)]
    if int(lengths.min()) < min_length or int(lengths.max()) > max_length:
        return False
    if buffers[2] is None:
        return True  # every value empty (min_length 0)
    raw = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return bool(np.all(_allowed_bytes(pattern)[raw]))


@cache
def _allowed_bytes(pattern: str) -> Any:
    """The bytes a value of ``pattern`` (``^[class]+$`` or ``^[class]{n}$``) may hold: the
    ASCII characters its class matches, asked of `re` (one home: the pattern)."""
    import re

    import numpy as np

    character_class = re.compile(pattern[1 : pattern.index("]") + 1])
    allowed = np.zeros(256, dtype=bool)
    allowed[:128] = [character_class.fullmatch(chr(byte)) is not None for byte in range(128)]
    return allowed


def _in(array: Any, inventory: str) -> bool:
    """Every non-null value is in the labels.json inventory (the schemas' enums come from it)."""
    from pyarrow._compute import SetLookupOptions

    present = _compute("drop_null", array)
    if len(present) == 0:
        return True
    found = _compute("is_in", present, options=SetLookupOptions(_strings(names(inventory))))
    return _compute("all", found).as_py()


def _written_nulls(data: bytes | memoryview) -> dict[str, int] | None:
    """How many times each of NULLABLE_KEYS is written null (``"key":null`` or ``"key": null``)
    when every ``null`` of the bytes is one of those; None when some other ``null`` is there (an
    explicit null elsewhere, or the word inside a string: a doubt, for the slow path)."""
    import numpy as np

    counts = dict.fromkeys(NULLABLE_KEYS, 0)
    array = np.frombuffer(data, dtype=np.uint8)
    at = _positions(data, b"null")
    if not len(at):
        return counts
    claimed = np.zeros(len(at), dtype=bool)
    for key in NULLABLE_KEYS:
        for form in (f'"{key}":'.encode(), f'"{key}": '.encode()):
            fits = at >= len(form)
            for back, byte in enumerate(reversed(form), start=1):
                fits &= array[np.maximum(at - back, 0)] == byte
            counts[key] += int(fits.sum())
            claimed |= fits
    return counts if bool(claimed.all()) else None


def _positions(data: bytes | memoryview, word: bytes) -> Any:
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


def _table_clean(
    table: Any, written: dict[str, int], kind: str, text_for: TextFor | None
) -> list[int] | None:
    """Every check of the slow path on the columns of ``table``; ``written``: the nulls the
    bytes hold, per key (`_written_nulls`). The rows whose doc_id ``text_for`` does not know
    (no text of their own) when the rest is clean and they are clean but for their text (the
    slow path then says only "unknown doc_id" of each); None when not certain."""
    import numpy as np

    gold = kind == "annotation"
    rows = table.num_rows
    column = {name: table.column(name).chunk(0) for name in table.column_names}

    doc_ids = column["doc_id"]
    if doc_ids.null_count or not _strings_ok(doc_ids, DOC_ID_PATTERN):
        return None
    if len(_compute("unique", doc_ids)) != rows:
        return None  # a doc_id twice
    shas = column["text_sha256"]
    if gold and shas.null_count:
        return None
    if not _strings_ok(shas, SHA256_PATTERN, 64, 64):
        return None

    layers = {name: column[name] for name in ("entities", "claims", "attributions")}
    if gold and any(layer.null_count for layer in layers.values()):
        return None  # missing (an explicit null was refused above)

    texts, has_text, unknown = _texts(column["text"], doc_ids, text_for)
    # without a lookup, a record without a text has its sha256 compared with that of ""
    # (a doubt: the slow path decides)
    compared = has_text if text_for is not None else np.ones(rows, dtype=bool)
    if not _sha256_ok(texts, compared, shas):
        return None

    entities, entity_doc = _flatten(layers["entities"])
    claims, claim_doc = _flatten(layers["claims"])
    attributions, attribution_doc = _flatten(layers["attributions"])

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
            return None
        if not _span_shapes_ok(items, doc, spans, gold, np.ones(len(items), dtype=bool)):
            return None
    if not (
        _in(_field(entities, "type"), "entity_types")
        and _in(_field(entities, "mention"), "mention_kinds")
        and _in(_field(claims, "polarity"), "claim_polarity")
        and _in(_field(claims, "certainty"), "claim_certainty")
        and _in(_field(attributions, "type"), "attribution_types")
        and _in(_field(attributions, "content_type"), "attribution_content_types")
    ):
        return None
    for items, name in (
        (entities, "id"),
        (entities, "entity"),
        (claims, "id"),
        (claims, "cluster"),
        (attributions, "id"),
        (attributions, "nested_in"),
    ):
        if not _ids_ok(_field(items, name)):
            return None
    if kind == "prediction" and not all(
        _scores_ok(_field(items, "score")) for items in (entities, claims, attributions)
    ):
        return None

    # attributions: source (null, {mention} or a span), cue (null or a span), content (a span
    # with its claims), each null written as such (counted above)
    source, cue, content = (_field(attributions, name) for name in ("source", "cue", "content"))
    if source.null_count != written["source"] or cue.null_count != written["cue"]:
        return None
    if gold and _field(attributions, "nested_in").null_count != written["nested_in"]:
        return None
    if gold and any(_field(attributions, name).null_count for name in ("id", "type")):
        return None
    if content.null_count:
        return None
    mention = _field(source, "mention")
    if not _ids_ok(mention):
        return None
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
        return None  # a mention with span keys: neither shape of the schema
    if not _span_shapes_ok(source, attribution_doc, spans, gold, source_is_span):
        return None
    if not _span_shapes_ok(cue, attribution_doc, spans, gold, ~_nulls(cue)):
        return None
    if not _span_shapes_ok(content, attribution_doc, spans, gold, np.ones(len(content), bool)):
        return None
    content_claims = _field(content, "claims")
    if gold and content_claims.null_count:
        return None
    claim_refs, claim_ref_attribution = _flatten(content_claims)
    if claim_refs.null_count or not _ids_ok(claim_refs):
        return None

    if not _span_texts_ok(texts, has_text, spans):
        return None
    references_ok = _references_ok(
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
    return unknown if references_ok else None


def _texts(text_column: Any, doc_ids: Any, text_for: TextFor | None) -> tuple[Any, Any, list[int]]:
    """The text of each record (its own, else ``text_for``'s; empty when neither) as one arrow
    string array, which records have one, and the records whose doc_id ``text_for`` does not
    know (the slow path says "unknown doc_id" of them and nothing else)."""
    import numpy as np

    if not text_column.null_count:
        return text_column, np.ones(len(text_column), dtype=bool), []
    own = text_column.to_pylist()  # a str per record, never per item
    if text_for is None:
        return _strings([t or "" for t in own]), np.array([t is not None for t in own]), []
    filled, unknown = [], []
    for index, (text, doc_id) in enumerate(zip(own, doc_ids.to_pylist(), strict=True)):
        if text is None:
            text = text_for(doc_id)
            if text is None:
                unknown.append(index)
                text = ""
        filled.append(text)
    has_text = np.ones(len(filled), dtype=bool)
    has_text[unknown] = False
    return _strings(filled), has_text, unknown


def _sha256_ok(texts: Any, compared: Any, shas: Any) -> bool:
    """Each text_sha256 of a ``compared`` record is the sha256 of its text (one hash per
    record, of the UTF-8 bytes as the column holds them; the digests compared as bytes, the hex
    column read once: `_table_clean` checked that each given value is 64 lowercase hex digits).
    The slow path compares none of a record whose doc_id is unknown."""
    import numpy as np

    if shas.null_count == len(shas):
        return True
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[
        texts.offset : texts.offset + len(texts) + 1
    ].tolist()
    data = memoryview(texts.buffers()[2] or b"")
    given = np.flatnonzero(~_nulls(shas) & compared).tolist()
    hex_offsets = np.frombuffer(shas.buffers()[1], dtype=np.int32)[shas.offset :]
    hex_data = memoryview(shas.buffers()[2])
    sha256 = hashlib.sha256
    digests = b"".join(sha256(data[offsets[i] : offsets[i + 1]]).digest() for i in given)
    if len(given) == len(shas):  # every record has one: the hex values lie end to end
        expected = bytes(hex_data[hex_offsets[0] : hex_offsets[len(shas)]])
    else:
        expected = b"".join(bytes(hex_data[hex_offsets[i] : hex_offsets[i + 1]]) for i in given)
    return bytes.fromhex(expected.decode("ascii")) == digests


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
    from pyarrow._compute import SliceOptions

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
    lengths = _np(_compute("utf8_length", span_text), 1)
    if np.any(lengths < 1):
        return False  # minLength 1
    # text only: not blank (decided by its first character; a doubt goes to the slow path)
    text_only = np.flatnonzero(no_start & ~no_text)
    if len(text_only):
        first = _compute(
            "utf8_slice_codeunits", _take(span_text, text_only), options=SliceOptions(0, 1)
        )
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
    lengths = _np(_compute("utf8_length", texts), 0).astype(np.int64)
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
    own_lengths = _np(_compute("utf8_length", own), 0).astype(np.int64)
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

    pieces = {
        "entity": _field(entities, "id"),
        "claim": _field(claims, "id"),
        "attribution": _field(attributions, "id"),
        "mention": mention,
        "claim_ref": claim_refs,
        "nested_in": _field(attributions, "nested_in"),
    }
    everything = pa.concat_arrays(list(pieces.values()))  # strings all (the reader's schema)
    encoded = _compute("dictionary_encode", everything)
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
        entity_codes = _values(_compute("dictionary_encode", _take(entity_ids, both)).indices)
        type_codes = _values(_compute("dictionary_encode", _take(types, both)).indices)
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
