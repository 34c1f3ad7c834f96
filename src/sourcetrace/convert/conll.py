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
from collections.abc import Container, Iterator, Mapping, Sequence
from itertools import accumulate, compress, count, repeat
from operator import is_not, sub
from pathlib import Path
from typing import Any

from sourcetrace.convert.common import (
    JsonLines,
    LabelMapper,
    Options,
    entity,
    entity_line,
    finished,
    quoted,
    record_line,
)
from sourcetrace.errors import InputError, shown
from sourcetrace.jsonio import read_text
from sourcetrace.schema.validation import sha256_text

DOCSTART = "-DOCSTART-"
SCHEME_LETTERS = {
    "iob1": "BIO",
    "iob2": "BIO",
    "iobes": "BIESO",
    "bilou": "BILUO",
}
AS_IOBES = {"L": "E", "U": "S"}  # bilou's letters in iobes terms
TOKEN = re.compile(r"\w+|[^\w\s]")


# ---------------------------------------------------------------- tags -> spans


def chunks(tags: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(type, first index, last index + 1) of the entities of one sentence, given (letter, type)
    per token with letters in iobes terms and "O" outside; non-strict (see the module)."""
    found: list[tuple[str, int, int]] = []
    open_type: str | None = None
    open_at = 0
    previous = "O"
    for index, (letter, kind) in enumerate([*tags, ("O", "")]):
        ends = open_type is not None and (previous in "ES" or letter in "BSO" or kind != open_type)
        if ends:
            found.append((open_type, open_at, index))  # type: ignore[arg-type]
            open_type = None
        if letter != "O" and open_type is None:
            open_type, open_at = kind, index
        previous = letter
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


def _documents(
    path: Path, text: str, known: Mapping[str, str], doc_ids: Iterator[str]
) -> Iterator[tuple[str, int, list[list[_Token]]]]:
    """(doc_id, line of its start, sentences of tokens) of one file."""
    doc_id: str | None = None
    started = 1
    sentences: list[list[_Token]] = [[]]
    seen_docstart = False

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

    for number, raw in enumerate(text.split("\n"), start=1):
        columns = raw.split()
        if not columns:
            if sentences[-1]:
                sentences.append([])
            continue
        if columns[0] == DOCSTART:
            if doc_id is not None or any(sentences):
                yield _named(doc_id, path, started, sentences, next_id)
            seen_docstart = True
            named = columns[1] if len(columns) == 2 and columns[1] in known else None
            doc_id, started, sentences = named or next_id(number), number, [[]]
            continue
        if len(columns) < 2:
            raise InputError(
                f"line has one column ({shown(columns[0])!r}) but needs a token and a tag",
                file=path,
                line=number,
                expected="`TOKEN ... TAG` (token first, tag last), a blank line, or -DOCSTART-",
            )
        sentences[-1].append((columns[0], columns[-1], number))
    if doc_id is not None or any(sentences):
        if not seen_docstart:
            doc_id = next(doc_ids, None) or (path.stem if path.stem in known else None)
            if doc_id is None:
                next_id(1)
        yield _named(doc_id, path, started, sentences, next_id)


def _named(doc_id: str | None, path: Path, line: int, sentences: Any, next_id: Any) -> Any:
    return (doc_id if doc_id is not None else next_id(line)), line, sentences


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
    return _read(inputs, options, None)


def read_jsonl(inputs: Sequence[str | Path], options: Options) -> JsonLines:
    """`read`'s records as JSON Lines (`convert_jsonl`): those of a file read in bulk written as
    they are read, part by part, the others as `read` makes them."""
    lines = JsonLines()
    _read(inputs, options, lines)
    return lines


def _read(
    inputs: Sequence[str | Path], options: Options, lines: JsonLines | None
) -> list[dict[str, Any]]:
    """`read`; with ``lines``, every record also goes there in turn, and a document of a file
    read in bulk only there (as the bytes of its line): its place in the list returned is None
    (counted, as the records checked at the end are numbered)."""
    if options.scheme not in SCHEME_LETTERS:
        raise InputError(
            f"unknown scheme {options.scheme!r}", expected=f"one of {', '.join(SCHEME_LETTERS)}"
        )
    mapper = LabelMapper(options.labels)
    doc_ids = iter(options.doc_ids)
    records: dict[str, dict[str, Any] | None] = {}
    vouched: set[str] = set()  # the documents of files read in bulk or in one loop
    where: dict[str, str] = {}
    for given in inputs:
        path = Path(given)
        text = read_text(path)
        # with ``lines``, a file read in bulk is written there part by part: (bytes, documents,
        # entities) of each part
        bulk: list[tuple[bytes, int, int]] | None = None if lines is None else []
        fast = _read_in_parts(path, text, options, records, bulk)
        if fast is None:
            bulk = None
            fast = _read_in_one_loop(path, text, options, records)
        if fast is not None:
            name = shown(path)
            for doc_id, line, record in fast:
                where[doc_id] = f"{name}:{line}"
                vouched.add(doc_id)
                if bulk is not None:
                    records[doc_id] = None  # written as bytes
                    continue
                records[doc_id] = record
                if lines is not None:
                    records[doc_id] = None  # written as it comes
                    lines.add_valid(record)
            for written in bulk or ():
                lines.add_lines(*written)  # type: ignore[union-attr]
            continue
        for doc_id, line, sentences in _documents(path, text, options.texts, doc_ids):
            if doc_id in records:
                raise InputError(
                    f"document {doc_id!r} appears twice (first at {where[doc_id]})",
                    file=path,
                    line=line,
                    expected="each document once",
                )
            where[doc_id] = f"{shown(path)}:{line}"
            records[doc_id] = _document(doc_id, sentences, path, options, mapper)
            if lines is not None:
                lines.add_record(records[doc_id])
    leftover = list(doc_ids)
    if leftover:
        raise InputError(
            f"{len(leftover)} --doc-id value(s) left over ({', '.join(leftover[:5])}): the "
            "files hold fewer unnamed documents",
            expected="one --doc-id per document that `-DOCSTART- <doc_id>` does not name",
        )
    mapper.check()
    return finished(records.values(), "<conll>", options.texts, vouched)


def _document(
    doc_id: str, sentences: list[list[_Token]], path: Path, options: Options, mapper: LabelMapper
) -> dict[str, Any]:
    from sourcetrace.convert.common import document_text

    text = document_text(options.texts, doc_id, path, sentences[0][0][2] if sentences[0] else None)
    tag_of: dict[str, tuple[str, str] | None] = {}
    entities = []
    cursor = 0
    for sentence in sentences:
        spans, cursor = _place(sentence, text, cursor, path)
        raw_tags = [tag for _, tag, _ in sentence]
        for tag in set(raw_tags).difference(tag_of):  # each tag parsed once per document
            tag_of[tag] = split_tag(tag, options.scheme)
        tags = [tag_of[tag] for tag in raw_tags]
        if None in tags:
            _refuse_tag(sentence[tags.index(None)], path, options.scheme)
        for label, first, after in chunks(tags):
            kind = mapper(label, path, ":", sentence[first][2])
            if (item := entity(text, spans[first][0], spans[after - 1][1], kind)) is not None:
                entities.append(item)
    return {"doc_id": doc_id, "text_sha256": sha256_text(text), "entities": entities}


# ---------------------------------------------------------------- a two-column file, in bulk

_SEPARATORS = b" \n"
# white space but " " and "\n" in UTF-8 starts with one of these bytes (the last four lead the
# characters beyond ASCII that str.isspace takes: U+0085, U+00A0, U+1680, U+2000...U+3000)
_OTHER_SPACE_BYTES = b"\t\r\x0b\x0c\x1c\x1d\x1e\x1f\xc2\xe1\xe2\xe3"
_KEPT = _SEPARATORS + _OTHER_SPACE_BYTES
_DROPPED = bytes(b for b in range(256) if b not in _KEPT)


def _line_shapes(text: str, columns: list[str]) -> bytes | None:
    """The file's separators (its bytes but " " and "\n") when every line of ``text`` is empty
    or `TOKEN TAG`: two columns, one space between them, no space at its edges, and no white
    space in the file but " " and "\n"; None otherwise. ``columns`` is ``text.split()``: its
    items then alternate token and tag, line after line, and the separators hold " \n" for
    each such line and "\n" for each empty one.

    Why the counts prove it: with no white space but " " and "\n" and no space at a line's edge,
    a line of c columns holds c - 1 spaces; no two spaces between two newlines means c <= 2 on
    every line; and as many columns as twice the spaces means that the lines' c - 2 add up to
    0, so that every line that is not empty has c = 2."""
    separators = text.encode("utf-8", "surrogatepass").translate(None, _DROPPED)
    spaces = separators.count(b" ")
    newlines = separators.count(b"\n")
    if len(separators) != spaces + newlines:  # a byte that may start other white space
        if len(text) - len("".join(columns)) != spaces + newlines:  # white-space characters
            return None  # white space other than " " and "\n"
        separators = separators.translate(None, _OTHER_SPACE_BYTES)
    if (
        len(columns) != 2 * spaces
        or b"  " in separators
        or " \n" in text
        or "\n " in text
        or text[:1] == " "
        or text[-1:] == " "
    ):
        return None
    return separators


def _read_in_bulk(
    path: Path,
    text: str,
    options: Options,
    taken: Container[str],
    json_lines: list[str] | None = None,
) -> list[tuple[str, int, Any]] | None:
    """`_read_in_one_loop`'s documents, for a file of two columns (`_line_shapes`) whose texts
    have white-space gaps of one character, none of whose documents is in ``taken`` (read
    before). The file is split once; its tokens and tags are every other column, and the
    content offset of every token (its offset with the white space left out) comes from one
    running sum of their lengths. Each document's tokens are placed by comparing them with the
    runs of its text (`_placement`), and only the tokens not tagged O are looked at one by one,
    in a list comprehension for a document whose tagged tokens stand alone (each one entity of
    its tag's type, as `chunks` reads a token alone whatever its letter) and through `chunks`
    for one with tagged tokens in a row. None wherever `_read_in_one_loop` says None (a tag
    outside the scheme or a label not mapped, anywhere in the file), and for any other file it
    cannot vouch for so; `read` then gives the file to `_read_in_one_loop`. With
    ``json_lines``, no record is made: each document's line (`record_line`) is added there,
    and its entity count takes the record's place in the documents returned."""
    columns = text.split()
    if columns[:1] != [DOCSTART]:
        return None
    separators = _line_shapes(text, columns)
    if separators is None:
        return None
    words, tags = columns[0::2], columns[1::2]
    del columns
    docstarts = _indices_of(words, DOCSTART)
    known = options.texts
    doc_ids = [tags[first] for first in docstarts]
    if (
        len(set(doc_ids)) != len(doc_ids)
        or not all(map(known.__contains__, doc_ids))
        or any(map(taken.__contains__, doc_ids))
    ):
        return None
    # the tokens not tagged O, but the -DOCSTART- lines' doc_ids ("O" is one object)
    plain = tags.copy()
    for first in docstarts:
        plain[first] = "O"
    tagged = list(compress(count(), map(is_not, plain, repeat("O"))))
    del plain
    kinds = _Kinds(options.scheme, options.labels)
    alone = {tag: kinds.of_alone(tag) for tag in set(map(tags.__getitem__, tagged))}
    if any(kind is kinds.INVALID for kind in alone.values()):
        return None  # (in a row too: each token's type is the type of the entity it is in)
    dropped = None in alone.values()
    # how an entity of a token tagged alone ends, by its tag (those mapped to null: none)
    typed = {tag: f', "type": {quoted(kind)}}}' for tag, kind in alone.items() if kind is not None}
    # the tagged tokens right after a tagged token of the same sentence: stretches go on there
    following: set[int] = set()
    if 1 in map(sub, tagged[1:], tagged):
        following = set(tagged).intersection(map((1).__add__, tagged))
        # the index (among the lines that are not empty) of each line right after an empty line
        following -= set(accumulate(map(bytes.count, separators.split(b"\n\n"), repeat(b" "))))
    ends = list(accumulate(map(len, words), initial=0))  # content offset where each token starts
    docstarts.append(len(words))
    bounds = list(map(bisect_left, repeat(tagged), docstarts))
    documents: list[tuple[str, int, dict[str, Any]]] = []
    line, offset = 1, 0
    for number, doc_id in enumerate(doc_ids):
        own = known[doc_id]
        found = text.index(f"{DOCSTART} {doc_id}", offset)  # its line: the first one left
        line += text.count("\n", offset, found)
        offset = found
        first, after = docstarts[number] + 1, docstarts[number + 1]
        entities: list[dict[str, Any]] = []
        if first < after:
            placed = _placement(own, words, ends, first, after)
            if placed is None:
                return None
            lead, glued, run_ends = placed
            mine = tagged[bounds[number] : bounds[number + 1]]
            if mine and not following.isdisjoint(mine):
                stretched = _stretched(mine, following, tags, ends, first, placed, own, kinds)
                if stretched is None:
                    return None
                entities = stretched
                if json_lines is not None:
                    entities = list(map(entity_line, stretched))  # type: ignore[arg-type]
            elif json_lines is not None:
                entities = _entity_lines(mine, words, tags, ends, first, placed, alone, typed)
            elif run_ends is None and (not glued or glued[0] > mine[-1] - first if mine else True):
                # one gap before each token but the first, up to the last tagged token
                shift = lead - ends[first] - first
                entities = [
                    {"start": ends[t] + t + shift, "end": ends[t + 1] + t + shift,
                     "text": words[t], "type": alone[tags[t]]}
                    for t in mine
                ]  # fmt: skip
            else:
                entities = [
                    {"start": (start := _start(t, ends, first, placed)),
                     "end": start + ends[t + 1] - ends[t], "text": words[t],
                     "type": alone[tags[t]]}
                    for t in mine
                ]  # fmt: skip
            if dropped and json_lines is None:
                entities = [item for item in entities if item["type"] is not None]
        if json_lines is not None:
            json_lines.append(record_line(doc_id, options.sha256_of(doc_id, own), entities))
            documents.append((doc_id, line, len(entities)))
            continue
        record = {"doc_id": doc_id, "text_sha256": options.sha256_of(doc_id, own)}
        record["entities"] = entities
        documents.append((doc_id, line, record))
    return documents


def _entity_lines(
    mine: list[int],
    words: list[str],
    tags: list[str],
    ends: list[int],
    first: int,
    placed: Placement,
    alone: Mapping[str, str | None],
    typed: Mapping[str, str],
) -> list[str]:
    """The entities of `_read_in_bulk`'s tokens tagged alone (indices ``mine``) of one document
    whose tokens start at ``first`` and are placed as ``placed`` says, as the json writer writes
    them (`entity_line`'s), without a dict: a token alone is its entity's text, and its type
    ends the line as ``typed`` says (those mapped to null left out)."""
    if None in alone.values():  # a label mapped to null
        mine = [t for t in mine if alone[tags[t]] is not None]
    lead, glued, run_ends = placed
    if run_ends is None and (not glued or glued[0] > mine[-1] - first if mine else True):
        # one gap before each token but the first, up to the last tagged token
        shift = lead - ends[first] - first
        return [
            f'{{"start": {ends[t] + t + shift}, "end": {ends[t + 1] + t + shift}, '
            f'"text": {quoted(words[t])}{typed[tags[t]]}'
            for t in mine
        ]
    return [
        f'{{"start": {(start := _start(t, ends, first, placed))}, '
        f'"end": {start + ends[t + 1] - ends[t]}, "text": {quoted(words[t])}{typed[tags[t]]}'
        for t in mine
    ]


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


Placement = tuple[int, list[int], list[int] | None]


def _placement(
    text: str, words: list[str], ends: list[int], first: int, after: int
) -> Placement | None:
    """How `_place`'s rule (each token at the cursor or after white space only) places the
    tokens ``words[first:after]`` in ``text`` when the text's white-space gaps are single
    characters (``ends``: the running sum of the token lengths, `_read_in_bulk`'s): (the white
    space before the first run; the indices, counted from ``first``, of the tokens that stand
    right after the token before them (a run cut into tokens), or, when that list is not what
    was found, the content offsets, on the scale of ``ends``, where each run ends). A token's
    offset is then its content offset, plus the leading white space, plus one per gap before
    it (`_start`). None when a token cannot be placed so (not the text's characters but white
    space, in order, or one that crosses white space in the text) or a gap is longer (the file
    then goes to `_read_in_one_loop`).

    First the tokens joined by single spaces are compared with the text without its edges'
    white space: equal, every gap is one space and the tokens are the runs; or equal once some
    of the joining spaces are left out (`_glued`): those tokens stand right after the one
    before. Otherwise, the runs of the text are compared with the tokens (any white space)."""
    body = text.strip()
    lead = len(text) - len(text.lstrip())
    joined = " ".join(words[first:after])
    if joined == body:
        return lead, [], None
    glued = _glued(joined, body)
    if glued is not None:
        return lead, glued, None
    runs = text.split()
    if runs == words[first:after]:
        if len(body) != ends[after] - ends[first] + len(runs) - 1:
            return None  # a gap of two white-space characters or more
        return lead, [], None
    if not "".join(runs).startswith("".join(words[first:after])):
        return None  # the tokens are not the text's characters but white space, in order
    run_ends = list(accumulate(map(len, runs), initial=ends[first]))
    del run_ends[0]
    reached = run_ends[: bisect_left(run_ends, ends[after])]
    if not set(ends[first + 1 : after + 1]).issuperset(reached):
        return None  # a token that crosses white space in the text
    if len(body) != run_ends[-1] - ends[first] + len(runs) - 1:
        return None  # a gap of two white-space characters or more
    return lead, [], run_ends


def _glued(joined: str, body: str) -> list[int] | None:
    """The indices of the tokens whose joining space must be left out of ``joined`` (tokens
    joined by single spaces) to make ``body`` (a text without white space at its edges), in
    order; None when no such spaces make it. Each is found as the first place from the last
    one on where the two differ (galloping, then bisecting, with `str.startswith`, which
    compares in C): there ``joined`` must hold a space that ``body`` does not."""
    missing = len(joined) - len(body)
    if missing <= 0:
        return None
    last = joined.rfind(" ")
    if missing == 1 and last > 0 and body == joined[:last] + joined[last + 1 :]:
        # the last token glued to the one before (a full stop at the text's end): the two
        # differ first at that space, as a token holds none
        return [joined.count(" ", 0, last) + 1]
    glued: list[int] = []
    at = 0  # joined[:at] is body[: at - len(glued)] once the spaces found are left out
    while len(glued) < missing:
        shift = len(glued)
        lo, hi = at, len(body) + shift  # they differ at hi at the latest (body ends there)
        if hi - lo > 16 and body.startswith(joined[lo : hi - 16], lo - shift):
            lo = hi - 16  # (a run cut near the text's end: its last word and a full stop)
        step = 16
        while lo + step <= hi and body.startswith(joined[lo : lo + step], lo - shift):
            lo += step
            step *= 2
        hi = min(hi, lo + step - 1)
        while lo < hi:  # joined[at:lo] matches; the first difference is at hi or before
            middle = (lo + hi + 1) // 2
            if body.startswith(joined[lo:middle], lo - shift):
                lo = middle
            else:
                hi = middle - 1
        if joined[lo] != " ":
            return None
        glued.append(joined.count(" ", 0, lo) + 1)
        at = lo + 1
    return glued if joined[at:] == body[at - missing :] else None


def _start(index: int, ends: list[int], first: int, placed: Placement) -> int:
    """The text offset of token ``index`` of a document whose tokens start at ``first`` and
    are placed as ``placed`` (`_placement`) says."""
    lead, glued, run_ends = placed
    content = ends[index] - ends[first]
    if run_ends is not None:
        return lead + content + bisect_right(run_ends, ends[index])
    return lead + content + index - first - bisect_right(glued, index - first)


def _stretched(
    tagged: list[int],
    following: Container[int],
    tags: list[str],
    ends: list[int],
    first: int,
    placed: Placement,
    text: str,
    kinds: _Kinds,
) -> list[dict[str, Any]] | None:
    """The entities of the tagged tokens (indices ``tagged``) of one document whose tokens
    start at index ``first`` and are placed as ``placed`` (`_placement`) says, stretch by
    stretch (`_add_entities`): a token in ``following`` goes on the stretch of the one before
    it. None when a tag is not of the scheme or a label not mapped."""
    entities: list[dict[str, Any]] = []
    stretch: list[tuple[str, int, int]] = []
    for index in tagged:
        start = _start(index, ends, first, placed)
        if stretch and index not in following:
            if not _add_entities(entities, stretch, text, kinds):
                return None
            stretch = []
        stretch.append((tags[index], start, start + ends[index + 1] - ends[index]))
    if stretch and not _add_entities(entities, stretch, text, kinds):
        return None
    return entities


PART_CHARACTERS = 1 << 15  # `_read_in_parts`: about this many characters of a file at a time


def _read_in_parts(
    path: Path,
    text: str,
    options: Options,
    records: Mapping[str, Any],
    written: list[tuple[bytes, int, int]] | None = None,
) -> list[tuple[str, int, Any]] | None:
    """`_read_in_bulk` of the whole file, made part by part: the file is cut before a
    `-DOCSTART- ` line about every PART_CHARACTERS characters, and each part is read in bulk in
    turn (its documents must not be those of an earlier part), so that the memory of one part's
    tokens is used again by the next instead of the whole file's tokens being held at once (its
    pages, each touched for the first time, cost the kernel more than the reading); parts of
    32k characters (about 7,500 tokens) stay in the processor's cache while they are read
    (the file's CoNLL reading took a fifth less time than in parts of 256k). A document
    is all in one part, and every proof of `_read_in_bulk` is about its lines or its documents,
    so the parts are read as the whole file would be; None when any part is not. With
    ``written``, each part's records are written there as JSON Lines, (bytes, documents,
    entities) a part, and the documents returned carry their entity counts (`_read_in_bulk`)."""
    documents: list[tuple[str, int, Any]] = []
    taken = set(records)  # the documents of earlier files, then of earlier parts too
    start, lines = 0, 0
    json_lines: list[str] | None = None if written is None else []
    while start < len(text):
        cut = text.find(f"\n{DOCSTART} ", start + PART_CHARACTERS)
        end = len(text) if cut < 0 else cut + 1
        part = text[start:end]
        found = _read_in_bulk(path, part, options, taken, json_lines)
        if found is None:
            return None
        if written is not None:
            written.append((_utf8("".join(json_lines)), len(found), sum(c for _, _, c in found)))
            json_lines.clear()  # type: ignore[union-attr]
        for doc_id, line, record in found:
            documents.append((doc_id, line + lines, record))
            taken.add(doc_id)
        lines += part.count("\n")
        start = end
    return documents


def _indices_of(items: list[str], value: str) -> list[int]:
    """The indices of ``value`` in ``items`` (found by `list.index`, which compares in C)."""
    found: list[int] = []
    at = -1
    try:
        while True:
            at = items.index(value, at + 1)
            found.append(at)
    except ValueError:
        return found


class _Kinds:
    """Tags read as `chunks` reads them, and the entity type of a token tagged alone."""

    INVALID = object()  # a tag outside the scheme or a label not mapped

    def __init__(self, scheme: str, labels: Mapping[str, str | None]) -> None:
        self.scheme, self.labels = scheme, labels
        self.parsed: dict[str, tuple[str, str] | None] = {}
        self.alone: dict[str, Any] = {}

    def parse(self, tag: str) -> tuple[str, str] | None:
        if tag not in self.parsed:
            self.parsed[tag] = split_tag(tag, self.scheme)
        return self.parsed[tag]

    def of_alone(self, tag: str) -> Any:
        """Our type of a token tagged ``tag`` between tokens tagged O (None: dropped; INVALID:
        not of the scheme or not mapped)."""
        if tag not in self.alone:
            parsed = self.parse(tag)
            label = parsed[1] if parsed is not None else None
            self.alone[tag] = self.labels.get(label, self.INVALID)  # type: ignore[arg-type]
        return self.alone[tag]


def _add_entities(
    entities: list[dict[str, Any]],
    stretch: list[tuple[str, int, int]],
    text: str,
    kinds: _Kinds,
) -> bool:
    """Add the entities of a stretch of tokens in a row not tagged O, (tag, start, end) each,
    as `chunks` reads them (one token alone is one entity, whatever its letter). False when a
    tag is not of the scheme or a label not mapped."""
    if len(stretch) == 1:
        tag, start, end = stretch[0]
        kind = kinds.of_alone(tag)
        if kind is not None:
            if kind is kinds.INVALID:
                return False
            entities.append({"start": start, "end": end, "text": text[start:end], "type": kind})
        return True
    parsed = [kinds.parse(tag) for tag, _, _ in stretch]
    if None in parsed:
        return False
    for label, first, after in chunks(parsed):  # type: ignore[arg-type]
        if label not in kinds.labels:
            return False
        if (kind := kinds.labels[label]) is not None:
            start, end = stretch[first][1], stretch[after - 1][2]
            entities.append({"start": start, "end": end, "text": text[start:end], "type": kind})
    return True


# ---------------------------------------------------------------- a clean file, in one loop


def _read_in_one_loop(
    path: Path, text: str, options: Options, records: Mapping[str, Any]
) -> list[tuple[str, int, dict[str, Any]]] | None:
    """(doc_id, line of its -DOCSTART-, record) of every document of a file, in one loop over
    its lines that places each token as it meets it (`_place`'s rule: the token at the cursor,
    or after white space only) and keeps only the tokens not tagged O; None as soon as the file
    is not one this loop can vouch for, and `read` then goes through it again step by step,
    which words every problem. It vouches only for a file that the step-by-step reading accepts
    and reads the same: every document named by `-DOCSTART- <doc_id>` with a doc_id of the texts
    (each once, none read before), nothing but blank lines before the first, no line of one
    column, every tag of the scheme and every label mapped (or mapped to null)."""
    known, scheme, labels = options.texts, options.scheme, options.labels
    documents: list[tuple[str, int, dict[str, Any]]] = []
    seen: set[str] = set()
    tag_of: dict[str, tuple[str, str] | None] = {"O": ("O", "")}
    own = ""  # the current document's text
    find = own.find
    cursor = 0
    tagged: list[tuple[int, str, int, int]] = []  # (line, tag, start, end) of the non-O tokens
    if text.split(None, 1)[:1] != [DOCSTART]:
        return None  # a token before the first -DOCSTART- (or no token at all)
    for number, raw in enumerate(text.split("\n"), start=1):
        columns = raw.split()
        if not columns:
            continue  # a sentence ends: the next token is not on the next line
        word = columns[0]
        if word == DOCSTART:
            if documents and not _close(documents[-1], own, tagged, tag_of, labels):
                return None
            doc_id = columns[1] if len(columns) == 2 else None
            if doc_id not in known or doc_id in seen or doc_id in records:
                return None
            seen.add(doc_id)  # type: ignore[arg-type]
            own = known[doc_id]  # type: ignore[index]
            find, cursor, tagged = own.find, 0, []
            documents.append((doc_id, number, {"doc_id": doc_id}))  # type: ignore[arg-type]
            continue
        if len(columns) < 2:
            return None
        found = find(word, cursor)
        if found != cursor and (found < 0 or not own[cursor:found].isspace()):
            return None
        cursor = found + len(word)
        tag = columns[-1]
        if tag != "O":
            if tag not in tag_of:
                tag_of[tag] = split_tag(tag, scheme)
                if tag_of[tag] is None:
                    return None
            tagged.append((number, tag, found, cursor))
    if documents and not _close(documents[-1], own, tagged, tag_of, labels):
        return None
    return documents


def _close(
    document: tuple[str, int, dict[str, Any]],
    text: str,
    tagged: list[tuple[int, str, int, int]],
    tag_of: Mapping[str, tuple[str, str] | None],
    labels: Mapping[str, str | None],
) -> bool:
    """Complete the record of a document read by `_read_in_one_loop` with its entities:
    `chunks` run over each stretch of consecutive tokens not tagged O (one such token alone is
    one entity, whatever its letter; tokens follow on when their lines do). False when a label
    is not mapped."""
    entities = []
    stretch = 0
    for index, (line, tag, start, end) in enumerate(tagged):
        if index + 1 < len(tagged) and tagged[index + 1][0] == line + 1:
            continue  # the stretch goes on
        if index == stretch:
            found = [(tag_of[tag][1], start, end)]  # type: ignore[index]
        else:
            members = tagged[stretch : index + 1]
            parsed = [tag_of[member[1]] for member in members]
            found = [
                (label, members[first][2], members[after - 1][3])
                for label, first, after in chunks(parsed)  # type: ignore[arg-type]
            ]
        stretch = index + 1
        for label, start, end in found:
            if label not in labels:
                return False
            if (kind := labels[label]) is not None:
                entities.append({"start": start, "end": end, "text": text[start:end], "type": kind})
    record = document[2]
    record["text_sha256"] = sha256_text(text)
    record["entities"] = entities
    return True


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
    from sourcetrace.paths import write_output

    lines: list[str] = []
    for record in gold:
        doc_id = record["doc_id"]
        lines += document_lines(doc_id, texts[doc_id], record.get("entities", []))
        lines.append("")
    return [write_output(Path(out_dir) / "gold.conll", "\n".join(lines))]
