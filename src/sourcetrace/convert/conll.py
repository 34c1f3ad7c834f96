"""CoNLL-2003 style token files and plain BIO files, in and out.

Reading: the token is the first column, the tag the last (columns split on white space); a
blank line ends a sentence (no entity crosses it); `-DOCSTART-` starts a document. Document ids:
`-DOCSTART- <doc_id>` names the document when its second column is a doc_id of the corpus;
any other document (a bare `-DOCSTART-`, CoNLL-2003's `-DOCSTART- -X- -X- O`, a file without
`-DOCSTART-`) takes the next id of `--doc-id`, in order; a file without `-DOCSTART-` and
without `--doc-id` left is named by its stem (`st-000.conll`). Tokens are placed in the
corpus text in order: after the previous token, only white space may be skipped, and the token
must then be there verbatim; otherwise the error names the file, the line and the token.

Tags, `--scheme` (seqeval's definitions): iob1 and iob2 (B, I, O), iobes (B, I, E, S, O),
bilou (B, I, L, U, O: L is iobes's E, U its S). A letter outside the scheme is refused.
Invalid sequences are read as seqeval's default, non-strict mode reads them: an I- or E- after
O, or after an entity of another type, starts an entity; a change of type ends one; an entity
still open at the end of the sentence ends there.

Writing (`export conll`): one token per line (`token tag`), `-DOCSTART- <doc_id>` and a blank
line before each document, a blank line at each line break of the text that no entity
crosses. Tokens are runs of word characters or single other characters, cut at every entity
boundary. BIO (iob2) carries one layer of nesting: the outermost is kept (an entity inside
another, or crossing one that starts earlier, is left out; of two equal spans the first)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import add, itemgetter, ne
from pathlib import Path
from typing import Any

from ..errors import InputError, shown
from ..jsonio import read_text
from ..schema import sha256_text
from .common import LabelMapper, Options, entity, finished

DOCSTART = "-DOCSTART-"
SCHEME_LETTERS = {
    "iob1": "BIO",
    "iob2": "BIO",
    "iobes": "BIESO",
    "bilou": "BILUO",
}
AS_IOBES = {"L": "E", "U": "S"}  # bilou's letters in iobes terms
TOKEN = re.compile(r"\w+|[^\w\s]")
WHITE_SPACE = re.compile(r"(\s+)")  # str.split's white space (str.isspace), kept by re.split


# ---------------------------------------------------------------- tags -> spans


def chunks(tags: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(type, first index, last index + 1) of the entities of one sentence, given (letter, type)
    per token with letters in iobes terms and "O" outside; non-strict (see the module). Only
    the tokens inside an entity are visited: an O closes whatever is open."""
    found: list[tuple[str, int, int]] = []
    open_type: str | None = None
    open_at = 0
    previous = "O"
    last = -1
    for index in compress(range(len(tags)), map("O".__ne__, map(itemgetter(0), tags))):
        letter, kind = tags[index]
        if index != last + 1:  # an O in between
            if open_type is not None:
                found.append((open_type, open_at, last + 1))
                open_type = None
            previous = "O"
        if open_type is not None and (previous in "ES" or letter in "BS" or kind != open_type):
            found.append((open_type, open_at, index))
            open_type = None
        if open_type is None:
            open_type, open_at = kind, index
        previous = letter
        last = index
    if open_type is not None:
        found.append((open_type, open_at, last + 1))
    return found


def split_tag(tag: str, scheme: str) -> tuple[str, str] | None:
    """(letter in iobes terms, type), or None when the tag is not of the scheme."""
    if tag == "O":
        return "O", ""
    letter, dash, kind = tag.partition("-")
    if not dash or not kind or len(letter) != 1 or letter not in SCHEME_LETTERS[scheme][:-1]:
        return None
    return AS_IOBES.get(letter, letter), kind


# ---------------------------------------------------------------- reading


_Token = tuple[str, str, int]  # (word, tag, line)


@dataclass
class _Tokens:
    """One document's tokens, in order: word, tag and line of each, and where sentences start
    (indices into the lists; a blank line ends a sentence)."""

    words: list[str]
    tags: list[str]
    lines: list[int]

    def sentences(self) -> list[tuple[int, int]]:
        """(first index, last index + 1) of each sentence: a gap in the line numbers is a blank
        line (within a document every line is a token or blank)."""
        lines = self.lines
        cuts = compress(range(1, len(lines)), map(ne, lines[1:], map(add, lines, repeat(1))))
        bounds = [0, *cuts, len(lines)]
        return list(zip(bounds, bounds[1:]))

    def tokens(self, first: int, after: int) -> list[_Token]:
        return list(zip(self.words[first:after], self.tags[first:after], self.lines[first:after]))


def _tokens(columns: list[list[str]], first: int, after: int, path: Path) -> _Tokens:
    """The tokens of lines ``first`` to ``after`` - 1 (0-based, split into columns), which hold
    no -DOCSTART-: the token is the first column, the tag the last."""
    body = columns[first:after]
    widths = list(map(len, body))
    if 1 in widths:
        number = first + widths.index(1)
        raise InputError(
            f"line has one column ({shown(columns[number][0])!r}) but needs a token and a tag",
            file=path,
            line=number + 1,
            expected="`TOKEN ... TAG` (token first, tag last), a blank line, or -DOCSTART-",
        )
    filled = list(filter(None, body))
    return _Tokens(
        list(map(itemgetter(0), filled)),
        list(map(itemgetter(-1), filled)),
        list(compress(range(first + 1, after + 1), body)),
    )


def _documents(
    path: Path, text: str, known: Mapping[str, str], doc_ids: Iterator[str]
) -> Iterator[tuple[str, int, _Tokens]]:
    """(doc_id, line of its start, tokens) of one file."""
    columns = list(map(str.split, text.split("\n")))
    firsts = list(map(next, map(iter, columns), repeat(None)))  # first column, None if blank
    marks = []  # the -DOCSTART- lines, 0-based
    with suppress(ValueError):
        while True:
            marks.append(firsts.index(DOCSTART, marks[-1] + 1 if marks else 0))
    doc_id: str | None = None
    started = 1

    def next_id(line: int) -> str:
        try:
            return next(doc_ids)
        except StopIteration:
            raise InputError(
                "a document without an id",
                file=path,
                line=line,
                expected=f"`{DOCSTART} <doc_id>` with a doc_id of the corpus, or one --doc-id "
                "per unnamed document, in order",
            ) from None

    body_from = 0
    for mark in marks:
        tokens = _tokens(columns, body_from, mark, path)
        if doc_id is not None or tokens.words:
            yield _named(doc_id, path, started, tokens, next_id)
        named_by = columns[mark]
        named = named_by[1] if len(named_by) == 2 and named_by[1] in known else None
        doc_id, started = named or next_id(mark + 1), mark + 1
        body_from = mark + 1
    tokens = _tokens(columns, body_from, len(columns), path)
    if doc_id is not None or tokens.words:
        if not marks:
            doc_id = next(doc_ids, None) or (path.stem if path.stem in known else None)
            if doc_id is None:
                next_id(1)
        yield _named(doc_id, path, started, tokens, next_id)


def _named(doc_id: str | None, path: Path, line: int, tokens: Any, next_id: Any) -> Any:
    return (doc_id if doc_id is not None else next_id(line)), line, tokens


def _place(
    tokens: list[_Token], text: str, cursor: int, path: Path
) -> tuple[list[tuple[int, int]], int]:
    """Code-point spans of the tokens in the text, from ``cursor`` on."""
    spans = []
    find = text.find
    for word, _, line in tokens:
        found = find(word, cursor)
        if found < 0 or (found > cursor and not text[cursor:found].isspace()):
            skipped = len(text[cursor:]) - len(text[cursor:].lstrip())
            there = text[cursor + skipped : cursor + skipped + len(word) + 10]
            raise InputError(
                f"token {shown(word)!r} cannot be placed in the document text: at "
                f"offset {cursor + skipped} the text reads {shown(there)!r}",
                file=path,
                line=line,
                expected="the document's tokens verbatim and in order (only white space between "
                "them may be left out); check the document id and the tokenizer's normalisation",
            )
        cursor = found + len(word)
        spans.append((found, cursor))
    return spans, cursor


def read(inputs: Sequence[str | Path], options: Options) -> list[dict[str, Any]]:
    """Prediction records (entities) of CoNLL/BIO files, in the order the documents come."""
    if options.scheme not in SCHEME_LETTERS:
        raise InputError(
            f"unknown scheme {options.scheme!r}", expected=f"one of {', '.join(SCHEME_LETTERS)}"
        )
    mapper = LabelMapper(options.labels)
    doc_ids = iter(options.doc_ids)
    records: dict[str, dict[str, Any]] = {}
    where: dict[str, str] = {}
    for given in inputs:
        path = Path(given)
        for doc_id, line, tokens in _documents(path, read_text(path), options.texts, doc_ids):
            if doc_id in records:
                raise InputError(
                    f"document {doc_id!r} appears twice (first at {where[doc_id]})",
                    file=path,
                    line=line,
                    expected="each document once",
                )
            where[doc_id] = f"{shown(path)}:{line}"
            records[doc_id] = _document(doc_id, tokens, path, options, mapper)
    leftover = list(doc_ids)
    if leftover:
        raise InputError(
            f"{len(leftover)} --doc-id value(s) left over ({', '.join(leftover[:5])}): the "
            "files hold fewer unnamed documents",
            expected="one --doc-id per document that `-DOCSTART- <doc_id>` does not name",
        )
    mapper.check()
    return finished(records.values(), "<conll>", options.texts)


def _document(
    doc_id: str, tokens: _Tokens, path: Path, options: Options, mapper: LabelMapper
) -> dict[str, Any]:
    from .common import document_text

    words, lines = tokens.words, tokens.lines
    text = document_text(options.texts, doc_id, path, lines[0] if lines else None)
    tag_of = {tag: split_tag(tag, options.scheme) for tag in set(tokens.tags)}
    tags = list(map(tag_of.__getitem__, tokens.tags))
    sentences = tokens.sentences()
    start_of = _placed(words, text)
    if start_of is None or None in tags:  # sentence by sentence, the walk says what fails first
        cursor, starts = 0, []
        for first, after in sentences:
            spans, cursor = _place(tokens.tokens(first, after), text, cursor, path)
            if None in tags[first:after]:
                bad = tags.index(None, first)
                _refuse_tag((words[bad], tokens.tags[bad], lines[bad]), path, options.scheme)
            starts += [span[0] for span in spans]
        start_of = starts.__getitem__
    entities = []
    for first, after in sentences:
        for label, begin, end in chunks(tags[first:after]):
            kind = mapper(label, path, ":", lines[first + begin])
            last = first + end - 1
            found = entity(text, start_of(first + begin), start_of(last) + len(words[last]), kind)
            if found is not None:
                entities.append(found)
    return {"doc_id": doc_id, "text_sha256": sha256_text(text), "entities": entities}


def _placed(words: list[str], text: str) -> Callable[[int], int] | None:
    """Where the n-th token of the document starts in the text, placed as `_place` places them
    (each token where the previous ended, or after white space only), worked out for all at
    once: the tokens, joined, are the text's non-white characters from the start, and no token
    spans white space. None when that does not hold (`_place` then says where it fails)."""
    if not words:
        return lambda index: 0
    parts = WHITE_SPACE.split(text)  # runs of non-white characters, the white space between
    runs = parts[0::2]
    token_ends = list(accumulate(map(len, words)))
    total = token_ends[-1]
    if "".join(words) != "".join(runs)[:total]:
        return None
    run_ends = list(accumulate(map(len, runs)))
    inside = run_ends[: bisect_left(run_ends, total)]
    if not set(inside).difference([0]) <= set(token_ends):  # a token across white space
        return None
    run_starts = [0, *accumulate(map(len, parts))][0::2]  # where each run starts in the text
    nonwhite_starts = [0, *token_ends]

    def start_of(index: int) -> int:
        at = nonwhite_starts[index]
        run = bisect_right(run_ends, at)
        return run_starts[run] + at - (run_ends[run] - len(runs[run]))

    return start_of


def _refuse_tag(token: _Token, path: Path, scheme: str) -> None:
    word, tag, line = token
    raise InputError(
        f"tag {shown(tag)!r} of token {shown(word)!r} is not of the {scheme} scheme",
        file=path,
        line=line,
        expected=f"O or LETTER-TYPE with LETTER in "
        f"{', '.join(SCHEME_LETTERS[scheme][:-1])} (or choose --scheme)",
    )


# ---------------------------------------------------------------- writing


def outermost(entities: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The entities of the outermost nesting layer: by start, longest first; an entity that
    overlaps one already kept is left out."""
    kept: list[Mapping[str, Any]] = []
    reach = 0
    for item in sorted(entities, key=lambda e: (e["start"], -e["end"])):
        if item["start"] >= reach:
            kept.append(item)
            reach = item["end"]
    return kept


def document_lines(doc_id: str, text: str, entities: Sequence[Mapping[str, Any]]) -> list[str]:
    """The CoNLL lines of one document (see the module for the rules)."""
    kept = outermost(entities)
    cuts = sorted({e["start"] for e in kept} | {e["end"] for e in kept})
    starts = {e["start"] for e in kept}
    inside: list[str | None] = [None] * len(text)
    for item in kept:
        inside[item["start"] : item["end"]] = [item["type"]] * (item["end"] - item["start"])
    lines = [f"{DOCSTART} {doc_id}", ""]
    previous_end = 0
    for match in TOKEN.finditer(text):
        pieces = [c for c in cuts if match.start() < c < match.end()]
        bounds = [match.start(), *pieces, match.end()]
        for begin, finish in zip(bounds, bounds[1:], strict=False):
            kind = inside[begin]
            tag = "O" if kind is None else ("B-" if begin in starts else "I-") + kind
            if "\n" in text[previous_end:begin] and not tag.startswith("I-") and lines[-1]:
                lines.append("")
            lines.append(f"{text[begin:finish]} {tag}")
            previous_end = finish
    return lines


def write(gold: Sequence[Mapping[str, Any]], texts: Mapping[str, str], out_dir: Path) -> list[Path]:
    """One file, ``gold.conll``, with every document of the gold, in the gold's order."""
    from ..paths import write_output

    lines: list[str] = []
    for record in gold:
        doc_id = record["doc_id"]
        lines += document_lines(doc_id, texts[doc_id], record.get("entities", []))
        lines.append("")
    return [write_output(Path(out_dir) / "gold.conll", "\n".join(lines))]
