"""Reading JSON / JSON Lines with line numbers, and atomic writes.

Every reader error becomes an InputError naming the file and the line, so the CLI can print one
paragraph and exit 2 instead of a traceback.

JSON Lines are streamed line by line and parsed by orjson. orjson decides a few things otherwise
than the standard library's decoder (it keeps the last of two equal keys, reads an integer beyond
64 bits as a float, nests deeper); a line where that could matter is decoded again by the
standard library (`parse_jsonl`'s decoder), which decides and words every refusal as before.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sourcetrace.errors import InputError, LimitError

if TYPE_CHECKING:  # imported only when a file is hashed aside (`_HashingAside`): a thread pool
    from concurrent.futures import Future, ThreadPoolExecutor

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # a file read whole (.json, a text)
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024  # one line of a JSON Lines file
READ_CHUNK_BYTES = 1 << 20


LIMIT_DEFAULTS = {
    "SOURCETRACE_MAX_INPUT_BYTES": DEFAULT_MAX_BYTES,
    "SOURCETRACE_MAX_LINE_BYTES": DEFAULT_MAX_LINE_BYTES,
}


def _byte_setting(name: str) -> int | None:
    """A positive byte count from the environment, None when unset."""
    return positive_setting(name, "bytes")


def positive_setting(name: str, unit: str) -> int | None:
    """A positive whole number of ``unit`` from the environment variable ``name``, None when
    unset; anything else is an InputError naming the variable."""
    raw = os.environ.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value <= 0:
        default = LIMIT_DEFAULTS.get(name)
        raise InputError(
            f"the environment variable {name} is {raw!r}",
            file="<environment>",
            expected=f"a positive whole number of {unit}"
            + (f" (e.g. {default}, the default)" if default is not None else "")
            + f", or {name} unset",
        )
    return value


def check_limit_settings() -> None:
    """Read every SOURCETRACE_ limit once, before any file: a bad value is reported as itself
    (naming the variable), not as the failure of whatever file was read first (a corpus check
    would call it a corpus that does not match its MANIFEST.json)."""
    for name in LIMIT_DEFAULTS:
        _byte_setting(name)


def max_input_bytes() -> int:
    """Files read whole (.json, texts) above this size are refused unread (override:
    SOURCETRACE_MAX_INPUT_BYTES)."""
    limit = _byte_setting("SOURCETRACE_MAX_INPUT_BYTES")
    return DEFAULT_MAX_BYTES if limit is None else limit


def explicit_max_input_bytes() -> int | None:
    """The cap on a streamed JSON Lines file: none unless SOURCETRACE_MAX_INPUT_BYTES is set
    (memory holds one line, so the file's size does not matter)."""
    return _byte_setting("SOURCETRACE_MAX_INPUT_BYTES")


def max_line_bytes() -> int:
    """A JSON Lines line longer than this is refused (override: SOURCETRACE_MAX_LINE_BYTES)."""
    limit = _byte_setting("SOURCETRACE_MAX_LINE_BYTES")
    return DEFAULT_MAX_LINE_BYTES if limit is None else limit


@dataclass(frozen=True)
class Record:
    """One JSON value of an input file and the line it starts on.

    ``plain_json`` is set by the reader when orjson made the value: it holds JSON types only
    (dict, list, str, an int within 64 bits, a finite float, bool, None) and no lone surrogate,
    so validation may skip its checks for those. A record whose value is changed afterwards must
    not keep the flag."""

    value: Any
    line: int
    plain_json: bool = field(default=False, compare=False, repr=False)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in one object")
        result[key] = value
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, refusing huge files and undecodable bytes with a clear message."""
    return decode_utf8(read_checked_bytes(path), path)


def read_checked_bytes(path: Path) -> bytes:
    """A file's bytes, refusing a missing file, anything that is not a regular file (a folder,
    a FIFO that would hang, a device such as /dev/zero that never ends) and a file over the size
    limit, counted on the bytes actually read, not on what `stat` claims."""
    check_regular_file(path)
    limit = max_input_bytes()
    _refuse_over_limit(path, limit)
    chunks, read = [], 0
    try:
        with path.open("rb") as handle:
            # the size `stat` gives and a byte more (a file that grew is read on) at once: the
            # bytes are then one chunk, not copied again to be joined (10 MB: 2,500 page faults)
            step = max(1 << 20, os.fstat(handle.fileno()).st_size + 1)
            while chunk := handle.read(min(step, limit + 1 - read)):
                chunks.append(chunk)
                read += len(chunk)
                if read > limit:
                    raise _grew_over(path, limit)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    return b"".join(chunks)


def check_regular_file(path: Path) -> None:
    """Refuse a missing file and anything that is not a regular file, before opening it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError("file not found", file=path, expected="an existing file") from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    if stat.S_ISDIR(mode):
        raise InputError("is a folder", file=path, expected="a file")
    if not stat.S_ISREG(mode):
        raise InputError(
            "is not a regular file (a pipe, a device or a socket)",
            file=path,
            expected="a regular file",
        )


def _refuse_over_limit(path: Path, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:  # refused unread; the reading is bounded in any case
        raise LimitError(
            f"file is {size:,} bytes, over the limit of {limit:,} bytes",
            file=path,
            expected="a smaller file (or raise SOURCETRACE_MAX_INPUT_BYTES)",
        )


def _grew_over(path: Path, limit: int) -> InputError:
    return LimitError(
        f"file grew over the limit of {limit:,} bytes while it was read",
        file=path,
        expected="a smaller file (or raise SOURCETRACE_MAX_INPUT_BYTES)",
    )


def decode_utf8(data: bytes, path: Path) -> str:
    try:
        # A byte-order mark is legal UTF-8 that some editors add; it is not JSON, so drop it.
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _not_utf8(path, exc.start, line) from None


def _not_utf8(path: Path, byte: int, line: int) -> InputError:
    return InputError(
        f"byte {byte} is not valid UTF-8", file=path, line=line, expected="UTF-8 text"
    )


_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|[{}\[\]:,]|-?Infinity|NaN')


def locate_invalid_json(text: str, start: int = 0) -> tuple[int, str] | None:
    """Position and kind of the first NaN/Infinity or duplicate object key from ``start``.

    json's hooks are told neither, so a second, string-aware pass finds the fault's position.
    """
    stack: list[set[str] | None] = []
    expecting_key = False
    previous_string: str | None = None
    for match in _TOKENS.finditer(text, start):
        token = match.group()
        if token == "{":
            stack.append(set())
            expecting_key = True
        elif token == "[":
            stack.append(None)
        elif token in "}]":
            if stack:
                stack.pop()
            if not stack:
                return None
        elif token == ",":
            expecting_key = bool(stack) and stack[-1] is not None
        elif token == ":":
            keys = stack[-1] if stack else None
            if keys is not None and previous_string is not None and expecting_key:
                if previous_string in keys:
                    return match.start(), f"duplicate key {json.loads(previous_string)!r}"
                keys.add(previous_string)
            expecting_key = False
        elif token.startswith('"'):
            previous_string = token
            continue
        else:
            return match.start(), f"{token} is not valid JSON"
        previous_string = None
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def lone_surrogate(value: Any) -> str | None:
    """The JSON pointer of the first string (or key) holding a lone surrogate, else None.

    JSON allows the escape "\\ud800" alone, but it is no Unicode character: such a text cannot
    be hashed, written as UTF-8 or shown, so every reader refuses it up front. Iterative, so a
    deeply nested value cannot exhaust the stack.
    """
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return where or "/"
        elif isinstance(item, dict):
            for key, child in item.items():
                step = f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if isinstance(key, str) and _SURROGATE.search(key):
                    return step
                stack.append((child, step))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}/{i}") for i, child in enumerate(item))
    return None


def surrogate_error(value: Any, file: Any, line: int | None) -> InputError | None:
    """An InputError for a lone surrogate in ``value`` (see lone_surrogate), else None."""
    where = lone_surrogate(value)
    if where is None:
        return None
    return InputError(
        "a string holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), "
        "which is not Unicode text",
        file=file,
        line=line,
        pointer=where,
        expected="valid Unicode text (a non-BMP character is written as one character or as "
        "a surrogate pair)",
    )


def _decode(text: str, pos: int, path: Path, line_offset: int = 0) -> tuple[Any, int]:
    value, end = _decode_value(text, pos, path, line_offset)
    if _SURROGATE_ESCAPE.search(text, pos, end):  # cheap: only such an escape can make one
        problem = surrogate_error(value, path, text.count("\n", 0, pos) + 1 + line_offset)
        if problem is not None:
            raise problem
    return value, end


def _decode_value(text: str, pos: int, path: Path, line_offset: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} (column {exc.colno})",
            file=path,
            line=exc.lineno + line_offset,
            expected="valid JSON",
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply to read",
            file=path,
            line=text.count("\n", 0, pos) + 1 + line_offset,
            expected="a document nested less than about 900 levels",
        ) from None
    except ValueError as exc:
        found = locate_invalid_json(text, pos)
        fault, message = found if found else (pos, str(exc))
        line = text.count("\n", 0, fault) + 1 + line_offset
        column = fault - (text.rfind("\n", 0, fault) + 1) + 1
        raise InputError(
            f"malformed JSON: {message} (column {column})",
            file=path,
            line=line,
            expected="standard JSON: no NaN or Infinity, no key twice in one object",
        ) from None


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def parse_json(text: str, path: Path) -> list[Record]:
    """A JSON file: one value, or a top-level array whose items get their own line numbers."""
    pos = _skip_ws(text, 0)
    if pos == len(text):
        raise InputError("file is empty", file=path, expected="a JSON object or array")
    if text[pos] != "[":
        value = _orjson_value_of_text(text)
        if value is not ASK_STDLIB:
            return [Record(value, text.count("\n", 0, pos) + 1, plain_json=True)]
        value, end = _decode(text, pos, path)
        if _skip_ws(text, end) != len(text):
            line = text.count("\n", 0, end) + 1
            raise InputError(
                "extra data after the JSON value",
                file=path,
                line=line,
                expected="one JSON value per .json file (use .jsonl for many)",
            )
        return [Record(value, text.count("\n", 0, pos) + 1)]
    records: list[Record] = []
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        pos += 1
    else:
        line, counted = 1, 0  # newlines counted once, from the last record on: linear in size
        while True:
            line, counted = line + text.count("\n", counted, pos), pos
            value, pos = _decode(text, pos, path)
            records.append(Record(value, line))
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos += 1
                break
            raise InputError(
                "malformed JSON array",
                file=path,
                line=text.count("\n", 0, pos) + 1,
                expected="',' or ']'",
            )
    if _skip_ws(text, pos) != len(text):
        raise InputError(
            "extra data after the JSON array", file=path, line=text.count("\n", 0, pos) + 1
        )
    return records


_SKIPPER = json.JSONDecoder()  # only steps over values that were read already


def _record_starts(text: str) -> list[tuple[int, int]]:
    """(line, position) where each record of a JSON file starts, as `parse_json` numbers them."""
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "[":
        return [(text.count("\n", 0, pos) + 1, pos)]
    starts = []
    line, counted = 1, 0  # newlines are counted once, from the last start on
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line, counted = line + text.count("\n", counted, pos), pos
        starts.append((line, pos))
        pos = _skip_ws(text, _SKIPPER.raw_decode(text, pos)[1])
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return starts


def _pointed_position(text: str, pos: int, pointer: str) -> int:
    """Where the value at JSON ``pointer`` starts in the value at ``pos``; where a key or index
    is absent, where its nearest present container starts."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    pos = _skip_ws(text, pos)
    for token in tokens:
        found = _member_position(text, pos, token)
        if found is None:
            return pos
        pos = found
    return pos


def _member_position(text: str, pos: int, token: str) -> int | None:
    """Start of member ``token`` of the object or array starting at ``pos``; None if absent."""
    opening = text[pos] if pos < len(text) else ""
    if opening not in "{[" or (opening == "[" and not token.isdigit()):
        return None
    closing, index = ("}" if opening == "{" else "]"), 0
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != closing:
        if opening == "{":
            key, pos = json.decoder.scanstring(text, pos + 1)
            pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past the colon
            if key == token:
                return pos
        elif index == int(token):
            return pos
        index += 1
        pos = _skip_ws(text, _SKIPPER.raw_decode(text, pos)[1])
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return None


def placed(problems: list[InputError]) -> list[InputError]:
    """The problems of a (pretty-printed) JSON file, each at the line of the value its JSON
    pointer names instead of the line its record starts on. A record of a JSON file is read
    as one value, so its problems first carry the record's line: for an indented gold file that
    is "line 1" whatever the fault. Problems of JSON Lines files (one record per line), and any
    without a file, line or pointer, are returned as they are."""
    texts: dict[str, tuple[str, dict[int, list[int]]] | None] = {}
    result = []
    for problem in problems:
        file, line, pointer = problem.file, problem.line, problem.pointer
        if file is None or line is None or not pointer or Path(file).suffix.lower() != ".json":
            result.append(problem)
            continue
        key = str(file)
        if key not in texts:
            try:
                text = read_text(Path(file))
                by_line: dict[int, list[int]] = {}
                for start, pos in _record_starts(text):
                    by_line.setdefault(start, []).append(pos)
                texts[key] = (text, by_line)
            except (InputError, OSError, ValueError):
                texts[key] = None
        known = texts[key]
        starts = known[1].get(line, []) if known else []
        if known is None or len(starts) != 1:  # records sharing a line: left where they are
            result.append(problem)
            continue
        try:
            at = _pointed_position(known[0], starts[0], pointer)
        except (ValueError, IndexError):
            result.append(problem)
            continue
        result.append(replace(problem, line=line + known[0].count("\n", starts[0], at)))
    return result


def parse_jsonl(text: str, path: Path) -> list[Record]:
    """JSON Lines: one value per non-blank line."""
    records = []
    # Split on "\n" only: U+2028, U+2029 and U+0085 are legal raw inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        record = _stdlib_record(line, number, path)
        if record is not None:
            records.append(record)
    if not records:
        raise InputError("file has no JSON lines", file=path, expected="one JSON object per line")
    return records


def read_records(path: str | Path) -> tuple[str, list[Record]]:
    """Read .json or .jsonl; returns ("json" | "jsonl", records). Other endings are sniffed."""
    path = Path(path)
    if path.suffix.lower() == ".jsonl":  # streamed, and not hashed: nobody asked for the sha256
        with gc_paused():
            return "jsonl", list(iter_jsonl_records(path))
    fmt, records, _ = read_records_with_sha256(path)
    return fmt, records


def read_records_with_sha256(path: str | Path) -> tuple[str, list[Record], str]:
    """``read_records`` plus the sha256 of the file's bytes, from one read.

    A .jsonl file is streamed (`iter_jsonl_records`); any other file is read whole, within
    SOURCETRACE_MAX_INPUT_BYTES (64 MiB by default)."""
    path = Path(path)
    if path.suffix.lower() == ".jsonl":
        digest = hashlib.sha256()
        with gc_paused():
            records = list(iter_jsonl_records(path, digest))
        return "jsonl", records, digest.hexdigest()
    data = read_checked_bytes(path)
    fmt, records = _parse_records(decode_utf8(data, path), path)
    return fmt, records, hashlib.sha256(data).hexdigest()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many records are built: parsed JSON holds no
    cycle, and the collections would walk the records kept so far again and again (a fifth of
    the reading time of 30,000 predictions)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------- JSON Lines, streamed

_BOM = b"\xef\xbb\xbf"
ASK_STDLIB = object()  # orjson refused a line, or might decide it otherwise than json
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19  # the shortest integer that may fall outside 64 bits


def _orjson_value(raw: bytes) -> Any:
    """``raw`` parsed by orjson, when the standard library's decoder (with this module's hooks)
    would make the same value; else ASK_STDLIB.

    Where orjson differs, and how each case is caught:
    - duplicate keys (orjson keeps the last): every key of ``raw`` is followed by one `:`
      outside strings, and every `:` inside a string stays one `:` in the decoded string unless
      it is written `\\u003a`; orjson.dumps writes each key once with its `:` and never escapes
      a `:`. So, without such an escape, ``raw`` and the dump hold the same number of `:` exactly
      when no key was dropped, and a dropped key takes at least its own `:` with it;
    - integers beyond 64 bits (orjson makes them floats): such an integer has 19 digits or more,
      and a float that large is dumped with an exponent `e+`, so a dump without `+` proves
      there was none, and a `+` sends the line to a digit-run check;
    - nesting: orjson.dumps refuses 255 levels or more, far below the depth at which the
      standard library's recursion gives up (about 990), so a line it dumps is not too deep;
    - NaN, Infinity, lone surrogates, a byte-order mark, bad UTF-8, trailing data, blank lines:
      orjson refuses them all.
    """
    try:
        value = orjson.loads(raw)
        dumped = orjson.dumps(value)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return ASK_STDLIB
    if raw == dumped:  # written by orjson: the same keys, numbers and escapes
        return value
    if raw.count(b":") != dumped.count(b":"):
        return ASK_STDLIB
    if b"\\u003" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
        return ASK_STDLIB
    if b"+" in dumped and _LONG_DIGIT_RUN in raw.translate(_DIGITS_AS_ZERO):
        return ASK_STDLIB
    return value


def _orjson_value_of_text(text: str) -> Any:
    """`_orjson_value` of a decoded text (a .json file)."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate character: the standard library words it
        return ASK_STDLIB
    return _orjson_value(raw)


def iter_jsonl_records(path: str | Path, sha256: Any = None) -> Iterator[Record]:
    """The records of a JSON Lines file, read line by line: memory holds one line (at most
    SOURCETRACE_MAX_LINE_BYTES, 16 MiB by default), never the whole file, and the file has no
    size cap unless SOURCETRACE_MAX_INPUT_BYTES is set. ``sha256`` (a hashlib object), if
    given, is fed every byte of the file as it is read.

    Every decision and message is the whole-file reader's (`decode_utf8`, then `parse_jsonl`):
    as there, a byte that is not UTF-8 anywhere in the file is reported before a malformed
    line, so a malformed line is raised only once the rest of the file has been read."""
    path = Path(path)
    check_regular_file(path)
    file_limit = explicit_max_input_bytes()
    line_limit = max_line_bytes()
    if file_limit is not None:
        _refuse_over_limit(path, file_limit)
    fault: InputError | None = None
    records = 0
    for number, offset, raw in _file_lines(path, file_limit, line_limit, sha256):
        if fault is not None:
            _decode_line(raw, number, offset, path)  # only a byte that is not UTF-8 still counts
            continue
        value = _orjson_value(raw[3:] if number == 1 and raw.startswith(_BOM) else raw)
        if value is not ASK_STDLIB:
            records += 1
            yield Record(value, number, True)  # plain_json, passed by position: a faster call
            continue
        text = _decode_line(raw, number, offset, path)
        try:
            record = _stdlib_record(
                text.removeprefix("\ufeff") if number == 1 else text, number, path
            )
        except InputError as problem:
            fault = problem
            continue
        if record is not None:
            records += 1
            yield record
    if fault is not None:
        raise fault
    if not records:
        raise InputError("file has no JSON lines", file=path, expected="one JSON object per line")


def jsonl_lines(path: str | Path, sha256: Any = None) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes) of every line of a JSON Lines file, unparsed, within
    the limits and with the refusals of `iter_jsonl_records`: for an index that sends each line
    to the process that parses it (`record_of_line`)."""
    path, file_limit = _checked_file(path)
    yield from _file_lines(path, file_limit, max_line_bytes(), sha256)


def _checked_file(path: str | Path) -> tuple[Path, int | None]:
    """``path`` as a Path once it is known to be a regular file within
    SOURCETRACE_MAX_INPUT_BYTES, and that limit (None: unset), which a reader checks again as
    it reads (the file may grow)."""
    path = Path(path)
    check_regular_file(path)
    file_limit = explicit_max_input_bytes()
    if file_limit is not None:
        _refuse_over_limit(path, file_limit)
    return path, file_limit


def jsonl_line_bounds(
    path: str | Path, sha256: Any = None
) -> Iterator[tuple[int, int, bytes, int, int]]:
    """`jsonl_lines` with each line left in the chunk it was read with: (line number, byte
    offset, buffer, start, end), the line being ``buffer[start:end]``. An index that looks at a
    few bytes of each line (`byte_ranges.index_jsonl`) cuts out no line, so no line is copied."""
    path, file_limit = _checked_file(path)
    yield from _file_line_bounds(path, file_limit, max_line_bytes(), sha256)


def record_of_line(raw: bytes, number: int, offset: int, path: Path) -> Record | None:
    """Line ``number`` (at byte ``offset``) of a JSON Lines file as `iter_jsonl_records` reads
    it, value and message alike; None for a blank line."""
    value = _orjson_value(raw[3:] if number == 1 and raw.startswith(_BOM) else raw)
    if value is not ASK_STDLIB:
        return Record(value, number, True)
    text = _decode_line(raw, number, offset, path)
    return _stdlib_record(text.removeprefix("\ufeff") if number == 1 else text, number, path)


def raise_reading_error(path: str | Path) -> None:
    """Read a JSON Lines file through, holding one line at a time, and raise the error the
    whole-file reader gives first (a byte that is not UTF-8 before a malformed line), if any."""
    for _ in iter_jsonl_records(path):
        pass


def _decode_line(raw: bytes, number: int, offset: int, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, offset + exc.start, number) from None


def _stdlib_record(text: str, number: int, path: Path) -> Record | None:
    """One line as `parse_jsonl` reads it; None for a blank line."""
    line = text.removesuffix("\r")
    if not line.strip():
        return None
    value, end = _decode(line, _skip_ws(line, 0), path, line_offset=number - 1)
    if line[end:].strip():
        raise InputError(
            "extra data after the JSON value",
            file=path,
            line=number,
            expected="exactly one JSON value per line",
        )
    return Record(value, number)


def _checked_chunks(path: Path, file_limit: int | None, sha256: Any) -> Iterator[bytes]:
    """The bytes of a file, READ_CHUNK_BYTES at a time: refused once more than ``file_limit``
    have been read (a file that grew since it was measured), each chunk fed to ``sha256`` (a
    hashlib object, or None) as it is read, the hash finished after the last."""
    read = 0
    hashing = None if sha256 is None else _HashingAside(sha256)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    with handle:
        while True:
            try:
                chunk = handle.read(READ_CHUNK_BYTES)
            except OSError as exc:
                raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
            if not chunk:
                break
            read += len(chunk)
            if file_limit is not None and read > file_limit:
                raise _grew_over(path, file_limit)
            if hashing is not None:
                hashing.update(chunk)
            yield chunk
    if hashing is not None:
        hashing.finish()


def _file_lines(
    path: Path, file_limit: int | None, line_limit: int, sha256: Any
) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes without the "\\n") of each line of a file, read in
    chunks; a line over ``line_limit`` bytes is refused as soon as it is seen to be."""
    number = offset = 0
    unfinished: list[bytes] = []  # the pieces of a line that goes on past the chunks read
    unfinished_bytes = 0
    for chunk in _checked_chunks(path, file_limit, sha256):
        if b"\n" not in chunk:  # the line goes on: keep its pieces, join them once
            unfinished.append(chunk)
            unfinished_bytes += len(chunk)
            if unfinished_bytes > line_limit:
                raise _line_too_long(path, number + 1, line_limit)
            continue
        lines = chunk.split(b"\n")
        if unfinished:
            unfinished.append(lines[0])
            lines[0] = b"".join(unfinished)
        tail = lines.pop()
        for line in lines:
            number += 1
            if len(line) > line_limit:
                raise _line_too_long(path, number, line_limit)
            yield number, offset, line
            offset += len(line) + 1
        unfinished, unfinished_bytes = [tail], len(tail)
        if unfinished_bytes > line_limit:
            raise _line_too_long(path, number + 1, line_limit)
    last = b"".join(unfinished)
    if last:
        yield number + 1, offset, last


def _file_line_bounds(
    path: Path, file_limit: int | None, line_limit: int, sha256: Any
) -> Iterator[tuple[int, int, bytes, int, int]]:
    """`_file_lines`, each line as (buffer, start, end) in its read chunk (one that goes on past
    a chunk joined into a buffer of its own), found with `bytes.find`, not cut out by a split;
    the same reads, limits and refusals, in the same order."""
    number = offset = 0
    unfinished: list[bytes] = []  # the pieces of a line that goes on past the chunks read
    unfinished_bytes = 0
    for chunk in _checked_chunks(path, file_limit, sha256):
        end = chunk.find(b"\n")
        if end == -1:  # the line goes on: keep its pieces, join them once
            unfinished.append(chunk)
            unfinished_bytes += len(chunk)
            if unfinished_bytes > line_limit:
                raise _line_too_long(path, number + 1, line_limit)
            continue
        buffer, start, stop = chunk, 0, end
        if unfinished:
            unfinished.append(chunk[:end])
            buffer = b"".join(unfinished)
            stop = len(buffer)
        while True:
            number += 1
            if stop - start > line_limit:
                raise _line_too_long(path, number, line_limit)
            yield number, offset, buffer, start, stop
            offset += stop - start + 1
            buffer, start = chunk, end + 1
            end = chunk.find(b"\n", start)
            if end == -1:
                break
            stop = end
        tail = chunk[start:]
        unfinished, unfinished_bytes = [tail], len(tail)
        if unfinished_bytes > line_limit:
            raise _line_too_long(path, number + 1, line_limit)
    last = b"".join(unfinished)
    if last:
        yield number + 1, offset, last, 0, len(last)


class _HashingAside:
    """Feeds a hashlib object from a helper thread: hashlib lets go of the GIL while it hashes a
    large chunk, so one chunk is hashed while the lines of the one before are parsed. Chunks are
    hashed in order, one at a time (memory holds at most one chunk more)."""

    _pool: ThreadPoolExecutor | None = None
    _pool_pid = 0  # a forked child inherits the pool but not its thread: it makes its own

    def __init__(self, sha256: Any) -> None:
        self.sha256 = sha256
        self.pending: Future[None] | None = None

    def update(self, chunk: bytes) -> None:
        self.finish()
        if _HashingAside._pool is None or _HashingAside._pool_pid != os.getpid():
            from concurrent.futures import ThreadPoolExecutor

            _HashingAside._pool = ThreadPoolExecutor(1, thread_name_prefix="sourcetrace-sha256")
            _HashingAside._pool_pid = os.getpid()
        self.pending = _HashingAside._pool.submit(self.sha256.update, chunk)

    def finish(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None


def _line_too_long(path: Path, number: int, limit: int) -> InputError:
    return LimitError(
        f"line is over the limit of {limit:,} bytes",
        file=path,
        line=number,
        expected="shorter lines (or raise SOURCETRACE_MAX_LINE_BYTES)",
    )


def _parse_records(text: str, path: Path) -> tuple[str, list[Record]]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl", parse_jsonl(text, path)
    if suffix == ".json":
        return "json", parse_json(text, path)
    stripped = text.lstrip()
    if stripped.startswith("[") or len([ln for ln in text.splitlines() if ln.strip()]) <= 1:
        return "json", parse_json(text, path)
    return "jsonl", parse_jsonl(text, path)


def read_json(path: str | Path) -> Any:
    """A single JSON value (an object or an array): config-like files and partials. orjson
    reads it where it makes the value the standard library would (see `_orjson_value`); any
    doubt, and every error message, goes to the standard library."""
    path = Path(path)
    data = read_checked_bytes(path)
    value = _orjson_value(data)  # valid UTF-8 without a byte-order mark: the bytes of its text
    if value is not ASK_STDLIB:
        return value
    text = decode_utf8(data, path)
    value = _orjson_value_of_text(text)
    if value is ASK_STDLIB:
        return decode_whole(text, path)
    return value


def decode_whole(text: str, path: Path) -> Any:
    pos = _skip_ws(text, 0)
    value, end = _decode(text, pos, path)
    if _skip_ws(text, end) != len(text):
        raise InputError(
            "extra data after the JSON value", file=path, line=text.count("\n", 0, end) + 1
        )
    return value


# json.dumps with these options makes this encoder for every call; one made once is the same
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


def dumps_canonical(value: Any) -> str:
    """Deterministic one-line JSON: what corpus files and hashes are made of."""
    return _CANONICAL.encode(value)


def dumps_pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def canonical_sha256(values: list[Any]) -> str:
    """Order-independent hash of in-memory records (keys sorted, records sorted)."""
    lines = sorted(json.dumps(v, ensure_ascii=False, sort_keys=True, default=repr) for v in values)
    # surrogatepass: a record with a lone surrogate is refused by validation, not here
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def jsonl_text(rows: list[Any]) -> str:
    return "".join(dumps_canonical(row) + "\n" for row in rows)


def atomic_write(path: str | Path, content: str | bytes | Iterable[str]) -> None:
    """Write via a temp file in the same folder and rename, so readers never see half a file.
    ``content`` may be an iterable of text pieces (a large file written as it is made)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces = [content] if isinstance(content, str | bytes) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask (reading it means setting it: set it straight back)."""
    current = os.umask(0)
    os.umask(current)
    return current
