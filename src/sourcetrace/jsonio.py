"""Reading JSON / JSON Lines with line numbers, and atomic writes.

Every reader error becomes an InputError naming the file and the line, so the CLI can print one
paragraph and exit 2 instead of a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def max_input_bytes() -> int:
    """Inputs above this size are refused unread (override: SOURCETRACE_MAX_INPUT_BYTES)."""
    raw = os.environ.get("SOURCETRACE_MAX_INPUT_BYTES")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise InputError(
            f"SOURCETRACE_MAX_INPUT_BYTES is {raw!r}",
            file="<environment>",
            expected="a positive whole number of bytes",
        )
    return value


@dataclass(frozen=True)
class Record:
    """One JSON value of an input file and the line it starts on."""

    value: Any
    line: int


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
    import stat

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
    limit = max_input_bytes()
    size = path.stat().st_size
    if size > limit:  # refused unread; the reading below is bounded in any case
        raise InputError(
            f"file is {size:,} bytes, over the limit of {limit:,} bytes",
            file=path,
            expected="a smaller file (or raise SOURCETRACE_MAX_INPUT_BYTES)",
        )
    chunks, read = [], 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(min(1 << 20, limit + 1 - read)):
                chunks.append(chunk)
                read += len(chunk)
                if read > limit:
                    raise InputError(
                        f"file grew over the limit of {limit:,} bytes while it was read",
                        file=path,
                        expected="a smaller file (or raise SOURCETRACE_MAX_INPUT_BYTES)",
                    )
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    return b"".join(chunks)


def decode_utf8(data: bytes, path: Path) -> str:
    try:
        # A byte-order mark is legal UTF-8 that some editors add; it is not JSON, so drop it.
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {exc.start} is not valid UTF-8", file=path, line=line, expected="UTF-8 text"
        ) from None


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
        while True:
            line = text.count("\n", 0, pos) + 1
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


def parse_jsonl(text: str, path: Path) -> list[Record]:
    """JSON Lines: one value per non-blank line."""
    records = []
    # Split on "\n" only: U+2028, U+2029 and U+0085 are legal raw inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        value, end = _decode(line, _skip_ws(line, 0), path, line_offset=number - 1)
        if line[end:].strip():
            raise InputError(
                "extra data after the JSON value",
                file=path,
                line=number,
                expected="exactly one JSON value per line",
            )
        records.append(Record(value, number))
    if not records:
        raise InputError("file has no JSON lines", file=path, expected="one JSON object per line")
    return records


def read_records(path: str | Path) -> tuple[str, list[Record]]:
    """Read .json or .jsonl; returns ("json" | "jsonl", records). Other endings are sniffed."""
    fmt, records, _ = read_records_with_sha256(path)
    return fmt, records


def read_records_with_sha256(path: str | Path) -> tuple[str, list[Record], str]:
    """``read_records`` plus the sha256 of the file's bytes, from one read."""
    path = Path(path)
    data = read_checked_bytes(path)
    fmt, records = _parse_records(decode_utf8(data, path), path)
    return fmt, records, hashlib.sha256(data).hexdigest()


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
    """A single JSON value (an object or an array), for config-like files."""
    path = Path(path)
    return _decode_whole(read_text(path), path)


def _decode_whole(text: str, path: Path) -> Any:
    pos = _skip_ws(text, 0)
    value, end = _decode(text, pos, path)
    if _skip_ws(text, end) != len(text):
        raise InputError(
            "extra data after the JSON value", file=path, line=text.count("\n", 0, end) + 1
        )
    return value


def dumps_canonical(value: Any) -> str:
    """Deterministic one-line JSON: what corpus files and hashes are made of."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


def dumps_pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def canonical_sha256(values: list[Any]) -> str:
    """Order-independent hash of in-memory records (keys sorted, records sorted)."""
    lines = sorted(json.dumps(v, ensure_ascii=False, sort_keys=True, default=repr) for v in values)
    # surrogatepass: a record with a lone surrogate is refused by validation, not here
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def jsonl_text(rows: list[Any]) -> str:
    return "".join(dumps_canonical(row) + "\n" for row in rows)


def atomic_write(path: str | Path, content: str | bytes) -> None:
    """Write via a temp file in the same folder and rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
