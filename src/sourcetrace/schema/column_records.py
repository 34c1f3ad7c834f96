"""Records of a clean chunk kept as its lines and the columns that proved them clean, so that a
run scoring entities only never makes a Python object per item of them.

`columns.clean_lines_table` parses a chunk's lines straight into pyarrow columns and checks
them on whole arrays. When it finds them clean, the record path (orjson, then
`validation.record_problems`) has nothing to say of them, and the values it would make are
only read. `ChunkRecords` keeps the lines and the table; each record is a `ColumnRecord`, a
read-only mapping that answers its doc_id and which keys it has from the columns, and makes
its value only when something reads more of it: with `jsonio.record_of_line`, from the line
itself, so it is the value the record path makes, byte for byte. The entity scorer reads
the spans from the columns (`entity_arrays`), the item counts and the score test of a run
read list lengths (`items_count`, `has_scored_items`): none of them makes the values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from sourcetrace.jsonio import record_of_line
from sourcetrace.schema.columns import arrow_compute, null_flags

Line = tuple[int, int, bytes]  # (line number, byte offset, bytes without the newline)


class BufferLines(Sequence[Line]):
    """Adjacent lines of a file as one buffer read from their first byte to their last (each
    ends where a newline starts the next): a line's bytes are cut from it only when asked."""

    def __init__(self, data: bytes, first_offset: int, lines: Sequence[tuple[int, int, int]]):
        self.data = data
        self.first_offset = first_offset
        self.lines = lines  # (line number, byte offset, length without the newline)

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        number, offset, length = self.lines[index]
        at = offset - self.first_offset
        return number, offset, self.data[at : at + length]


class ChunkRecords:
    """The clean lines of one chunk of a JSON Lines file and their table (one row per line)."""

    def __init__(self, path: Path, lines: Sequence[Line], table: Any) -> None:
        self.path = path
        self.lines = lines
        self.table = table
        self.doc_ids: list[str] = table.column("doc_id").to_pylist()
        self._values: list[Any] = [None] * len(lines)
        self._present: dict[str, Any] = {}
        self._lists: dict[str, Any] = {}
        self._kept: dict[tuple[str, frozenset[str] | None], Any] = {}
        self._last_arrays: tuple[Any, EntityArrays] | None = None

    def records(self) -> list[ColumnRecord]:
        return [ColumnRecord(self, row) for row in range(len(self.lines))]

    def line_numbers(self) -> list[int]:
        """The line number of each row (no line's bytes cut out for it)."""
        lines = self.lines.lines if isinstance(self.lines, BufferLines) else self.lines
        return [line[0] for line in lines]

    def value(self, row: int) -> Any:
        """The record's value as the reader makes it (made once, then kept)."""
        value = self._values[row]
        if value is None:
            number, offset, raw = self.lines[row]
            record = record_of_line(raw, number, offset, self.path)
            assert record is not None  # a clean line is never blank
            value = self._values[row] = record.value
        return value

    def present(self, key: str) -> Any:
        """Which rows have ``key`` (a null in the table is a missing key: a clean chunk writes
        no null of a record's own keys)."""
        found = self._present.get(key)
        if found is None:
            if key not in self.table.column_names:
                found = np.zeros(len(self.lines), dtype=bool)
            else:
                found = ~_nulls(self.table.column(key).combine_chunks())
            self._present[key] = found
        return found

    def layer(self, name: str) -> Any:
        """The list column of a layer, one array."""
        found = self._lists.get(name)
        if found is None:
            found = self._lists[name] = self.table.column(name).combine_chunks()
        return found

    def sizes(self, name: str) -> Any:
        """Items of the layer in each row (0 where it is missing)."""
        if name not in self.table.column_names:
            return np.zeros(len(self.lines), dtype=np.int64)
        offsets = _offsets(self.layer(name))
        return np.where(self.present(name), np.diff(offsets), 0)

    def entity_arrays(self, rows: Any, *, mentions: bool, entities: bool) -> EntityArrays:
        """The `EntityArrays` of these rows (-1: a record without entities), in their order;
        the last one made is kept (both entity scorers ask for the same rows)."""
        key = (rows.tobytes(), mentions, entities)
        if self._last_arrays is not None and self._last_arrays[0] == key:
            return self._last_arrays[1]
        lists = self.layer("entities")
        offsets = _offsets(lists)
        row_sizes = self.sizes("entities")
        known = rows >= 0
        sizes = np.zeros(len(rows), dtype=np.int64)
        sizes[known] = row_sizes[rows[known]]
        firsts = np.zeros(len(rows), dtype=np.int64)
        firsts[known] = offsets[rows[known]] - offsets[0]
        index = _ranges(firsts, sizes)
        items = arrow_compute("list_flatten", lists)
        # in the table's order already (every row once, in order): nothing to take
        every = len(index) == len(items) and bool(np.all(index == np.arange(len(index))))

        def field(name: str) -> Any:
            values = _struct_field(items, name)
            return values if every else _take(values, index)

        start, start_null = _ints(field("start"))
        end, end_null = _ints(field("end"))
        type_code, type_names = _codes(field("type"))
        found = EntityArrays(sizes, start, end, start_null, end_null, type_code, type_names)
        if mentions:
            found.mention_code, found.mention_names = _codes(field("mention"))
        if entities:
            found.entity_code, found.entity_names = _codes(field("entity"))
        self._last_arrays = (key, found)
        return found

    def kept_sizes(self, name: str, mentions: frozenset[str] | None) -> Any:
        """`sizes`, or with ``mentions`` the items of each row whose ``mention`` is one of them
        (made once per chunk and filter)."""
        key = (name, mentions)
        found = self._kept.get(key)
        if found is not None:
            return found
        if mentions is None or name not in self.table.column_names:
            found = self.sizes(name)
        else:
            lists = self.layer(name)
            codes, names = _codes(_struct_field(arrow_compute("list_flatten", lists), "mention"))
            chosen = np.array([value in mentions for value in names] + [False], dtype=bool)
            parents = _int_values(arrow_compute("list_parent_indices", lists)).astype(np.int64)
            found = np.bincount(parents[chosen[codes]], minlength=len(self.lines))
            found = np.where(self.present(name), found, 0)
        self._kept[key] = found
        return found


class ColumnRecord(Mapping[str, Any]):
    """One record of a `ChunkRecords`: its doc_id and its keys from the columns, the rest from
    its value, made when first read."""

    __slots__ = ("chunk", "row")

    def __init__(self, chunk: ChunkRecords, row: int) -> None:
        self.chunk = chunk
        self.row = row

    def __getitem__(self, key: str) -> Any:
        if key == "doc_id":
            return self.chunk.doc_ids[self.row]
        return self.chunk.value(self.row)[key]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return bool(self.chunk.present(key)[self.row])

    def __iter__(self) -> Iterator[str]:
        return iter(self.chunk.value(self.row))

    def __len__(self) -> int:
        return len(self.chunk.value(self.row))

    def __repr__(self) -> str:
        return f"ColumnRecord({self.chunk.path}, line {self.chunk.lines[self.row][0]})"


def items_count(
    record: Mapping[str, Any], layer: str, mentions: frozenset[str] | None = None
) -> int:
    """``len(record.get(layer) or [])``; with ``mentions``, only the items whose ``mention`` is
    one of them (`partials._scored_gold`). A `ColumnRecord` answers from its columns."""
    if not isinstance(record, ColumnRecord):
        items = record.get(layer) or []
        if mentions is None:
            return len(items)
        return sum(1 for item in items if item.get("mention") in mentions)
    return int(record.chunk.kept_sizes(layer, mentions)[record.row])


def has_scored_items(records: Sequence[Mapping[str, Any]], layer: str) -> bool | None:
    """Whether some item of ``layer`` in the records carries a score, when every record is a
    `ColumnRecord` (read from the columns); None otherwise (the caller reads the items)."""
    if not all(isinstance(record, ColumnRecord) for record in records):
        return None
    rows_by_chunk: dict[int, tuple[ChunkRecords, list[int]]] = {}
    for record in records:
        assert isinstance(record, ColumnRecord)
        rows_by_chunk.setdefault(id(record.chunk), (record.chunk, []))[1].append(record.row)
    for chunk, rows in rows_by_chunk.values():
        if layer not in chunk.table.column_names:
            continue
        scored = _scored_rows(chunk, layer)
        if np.any(scored[np.array(rows, dtype=np.int64)]):
            return True
    return False


def _scored_rows(chunk: ChunkRecords, layer: str) -> Any:
    lists = chunk.layer(layer)
    items = arrow_compute("list_flatten", lists)
    if "score" not in [items.type.field(i).name for i in range(items.type.num_fields)]:
        return np.zeros(len(chunk.lines), dtype=bool)
    with_score = ~_nulls(_struct_field(items, "score"))
    parents = _int_values(arrow_compute("list_parent_indices", lists))
    scored = np.zeros(len(chunk.lines), dtype=bool)
    scored[parents[with_score]] = True
    return scored & chunk.present(layer)


@dataclass
class EntityArrays:
    """The entities of a sequence of records, laid end to end in record order: how many each
    record has, and per entity its offsets (0 where null), whether each offset is null, its type
    (a code into ``type_names``, -1 where null), and on request its ``mention`` and ``entity``
    values as codes into their names (in the order of their first use; -1 where null)."""

    sizes: Any
    start: Any
    end: Any
    start_null: Any
    end_null: Any
    type_code: Any
    type_names: list[str]
    mention_code: Any = None
    mention_names: list[str] | None = None
    entity_code: Any = None
    entity_names: list[str] | None = None


def entity_arrays(
    records: Sequence[Mapping[str, Any]], *, mentions: bool = False, entities: bool = False
) -> EntityArrays | None:
    """The `EntityArrays` of ``records`` when each is a `ColumnRecord` of one and the same chunk,
    or a record without entities (``record.get("entities")`` empty, as a prediction scored as
    empty); None otherwise. ``mentions``/``entities``: also the `mention`/`entity` values."""
    chunk: ChunkRecords | None = None
    rows = np.full(len(records), -1, dtype=np.int64)
    for index, record in enumerate(records):
        if isinstance(record, ColumnRecord):
            if chunk is None:
                chunk = record.chunk
            elif record.chunk is not chunk:
                return None
            rows[index] = record.row
        elif record.get("entities"):
            return None
    if chunk is None or "entities" not in chunk.table.column_names:
        return _no_entities(len(records), mentions, entities)
    return chunk.entity_arrays(rows, mentions=mentions, entities=entities)


def _no_entities(count: int, mentions: bool, entities: bool) -> EntityArrays:
    empty = np.zeros(0, dtype=np.int64)
    nothing = np.zeros(0, dtype=bool)
    return EntityArrays(
        np.zeros(count, dtype=np.int64),
        empty,
        empty,
        nothing,
        nothing,
        empty,
        [],
        empty if mentions else None,
        [] if mentions else None,
        empty if entities else None,
        [] if entities else None,
    )


# ---------------------------------------------------------------- helpers on arrow arrays


def _offsets(lists: Any) -> Any:
    return np.frombuffer(lists.buffers()[1], dtype=np.int32)[
        lists.offset : lists.offset + len(lists) + 1
    ].astype(np.int64)


def _nulls(array: Any) -> Any:
    return null_flags(array)


def _int_values(array: Any) -> Any:
    """The values of an integer arrow array (its nulls' slots as the buffer holds them)."""
    dtype = np.dtype(str(array.type))
    buffer = array.buffers()[1]
    if buffer is None:
        return np.zeros(len(array), dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[array.offset : array.offset + len(array)]


def _ints(array: Any) -> tuple[Any, Any]:
    """int64 values (0 where null) and where they are null."""
    null = _nulls(array)
    values = _int_values(array).astype(np.int64)
    return np.where(null, 0, values), null


def _codes(strings: Any) -> tuple[Any, list[str]]:
    """Codes of a string array's values into its distinct values in the order of their first
    use (-1 where null)."""
    encoded = arrow_compute("dictionary_encode", strings)
    codes = _int_values(encoded.indices).astype(np.int64)
    if strings.null_count:
        codes = np.where(_nulls(strings), -1, codes)
    return codes, encoded.dictionary.to_pylist()


def _struct_field(struct: Any, name: str) -> Any:
    from pyarrow._compute import StructFieldOptions

    return arrow_compute("struct_field", struct, options=StructFieldOptions([name]))


def _take(array: Any, indices: Any) -> Any:
    import pyarrow as pa

    indices = np.ascontiguousarray(indices, dtype=np.int64)
    index = pa.Array.from_buffers(pa.int64(), len(indices), [None, pa.py_buffer(indices)])
    return arrow_compute("take", array, index)


def _ranges(firsts: Any, sizes: Any) -> Any:
    """first, first+1, ... first+size-1 of every (first, size), laid end to end."""
    total = int(sizes.sum())
    heads = np.cumsum(sizes) - sizes
    return np.arange(total, dtype=np.int64) + np.repeat(firsts - heads, sizes)


__all__ = [
    "BufferLines",
    "ChunkRecords",
    "ColumnRecord",
    "EntityArrays",
    "entity_arrays",
    "has_scored_items",
    "items_count",
]
