"""Property: any gold entities on any text, written by `export conll` and read back by `convert
conll`, come back as exactly their outermost layer (entities cut inside words, crossing lines,
texts with no-break spaces, line separators and punctuation)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from convert_helpers import command_outcome, gold_record, records_outcome
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.convert import conll, convert, prediction_jsonl
from sourcetrace.convert.conll import document_lines, outermost
from sourcetrace.errors import InputError
from sourcetrace.jsonio import jsonl_text
from sourcetrace.schema.validation import validate_record

ALPHABET = "ab\u00e9\u0915 \n\u00a0\u2028\x1c.,-\u201c\U0001f680"
TYPES = ("GPE", "ORG", "PERSON")


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[dict]]:
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    entities = []
    for _ in range(draw(st.integers(0, 5))):
        if not solid:
            break
        first, last = sorted(draw(st.lists(st.sampled_from(solid), min_size=2, max_size=2)))
        entities.append({"start": first, "end": last + 1, "text": text[first : last + 1],
                         "type": draw(st.sampled_from(TYPES))})  # fmt: skip
    return text, entities


@given(documents())
def test_export_then_convert_gives_back_the_outermost_layer(document: tuple) -> None:
    text, entities = document
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t-1.conll"
        path.write_text("\n".join(document_lines("t-1", text, entities)), encoding="utf-8")
        (record,) = convert("conll", [path], gold=[gold_record("t-1", text)])
    expected = sorted((e["start"], e["end"], e["type"]) for e in outermost(entities))
    assert sorted((e["start"], e["end"], e["type"]) for e in record["entities"]) == expected


OTHER_SPACE = ["\t", "\r", "\u00a0", "\u2028", "\x1c", "\u3000", "\x85", "\u1680", "\u205f"]
LETTERS = {"iob1": "BI", "iob2": "BI", "iobes": "BIES", "bilou": "BILU"}
LABELS = {"PER": "PERSON", "ORG": "ORG", "MISC": None}


@st.composite
def tagged_files(draw: st.DrawFn) -> tuple[str, list[tuple[str, list[str]]]]:
    """A scheme and one to three documents, each a text and the lines of its tokens: the
    text's white-space pieces, some cut further, tagged in the scheme (or O), in half the files
    some with middle columns (the others have two columns on every line, and are read in bulk
    where their texts allow), some followed by a blank line, the last few sometimes left out;
    and now and then a fault: a token that is not in the text, a token left out (the next one
    is then further on, past text that is not white space), a tag outside the scheme, a label
    the map lacks, a line of one column (and one of three after it) or of white space only,
    white space other than " " in a line (between its columns, at an edge). Half the texts have
    single white-space characters between their words; a third of the files are shaped as a
    pipeline writes them, longer, with entities alone between tokens tagged O."""
    scheme = draw(st.sampled_from(sorted(LETTERS)))
    # a third of the files as a pipeline writes them (what the bulk reader takes): two columns,
    # single gaps, longer texts, most tokens tagged O (entities alone between them)
    piped = draw(st.integers(0, 2)) == 0
    middle_columns = not piped and draw(st.booleans())
    mostly_o = piped or draw(st.booleans())
    documents = []
    for index in range(draw(st.integers(1, 3))):
        text = draw(
            st.text(alphabet=ALPHABET, min_size=30 if piped else 1, max_size=80 if piped else 30)
        )
        text = text if text.split() else "a"
        if piped or draw(st.booleans()):  # one white-space character between words, and at edges
            gaps = draw(st.lists(st.sampled_from(" \n\u00a0\u2028\x1c"), min_size=2, max_size=2))
            text = gaps[0][: draw(st.integers(0, 1))] + gaps[1].join(text.split())
        tokens = []
        for piece in text.split():
            cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(piece) - 1)), max_size=2))))
            bounds = [0, *[c for c in cuts if c < len(piece)], len(piece)]
            tokens += [piece[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        tokens = tokens[: draw(st.integers(0, len(tokens)))] if draw(st.booleans()) else tokens
        tags = st.sampled_from(["O", *(f"{x}-{t}" for x in LETTERS[scheme] for t in LABELS)])
        lines = []
        for token in tokens:
            middle = " NN" if middle_columns and draw(st.booleans()) else ""
            tag = "O" if mostly_o and draw(st.integers(0, 2)) else draw(tags)
            lines.append(f"{token}{middle} {tag}")
            if draw(st.integers(0, 4)) == 0:
                lines.append("")
        fault = draw(st.sampled_from(["", "", "", "token", "skip", "tag", "label", "columns",
                                      "space"]))  # fmt: skip
        if fault and lines:
            at = draw(st.integers(0, len(lines) - 1))
            token = lines[at].split()[0] if lines[at] else "a"
            space = draw(st.sampled_from(OTHER_SPACE))
            lines[at] = {"token": f"{token}\u0915x O", "skip": "", "tag": f"{token} X-PER",
                         "label": f"{token} B-LOC",
                         # one column here and three on the next line, or no column
                         "columns": f"{token}" if draw(st.booleans()) else space,
                         # other white space: between the columns, at an edge, in a blank line
                         "space": draw(st.sampled_from([
                             f"{token}{space}O", f"{token} O{space}", f"{space}{token} O",
                             f"{token} {space}O", f"{token} O {space}"]))}[fault]  # fmt: skip
            if fault == "columns" and at + 1 < len(lines) and lines[at + 1]:
                lines[at + 1] = f"{lines[at + 1].split()[0]} NN O"
        documents.append((f"d-{index}", [text, *lines]))
    if draw(st.integers(0, 5)) == 0:  # a fault of the file: its first document again, last
        documents.append(documents[0])
    return scheme, documents


def _outcome(path: Path, body: str, gold: list, **options: object) -> object:
    """The records (as written) that `convert conll` makes of ``body``, or its error message.
    The records are also checked here as `evaluate` checks predictions, and their bytes against
    the json writer's: the fast readers' records are not checked when `convert` runs."""
    path.write_text(body, encoding="utf-8")
    command = command_outcome("conll", [path], gold=gold, labels=LABELS, **options)
    try:
        records = convert("conll", [path], gold=gold, labels=LABELS, **options)
    except InputError as error:
        assert command == str(error)  # the command refuses it with the same message
        return str(error)
    texts = {record["doc_id"]: record["text"] for record in gold}
    for number, record in enumerate(records, start=1):
        assert validate_record(record, "prediction", "<conll>", number, text_for=texts.get) == []
    written = prediction_jsonl(records)
    assert written == jsonl_text(records).encode("utf-8") or written == jsonl_text(records)
    assert command == records_outcome(records)  # and writes these records, byte for byte
    return written


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(tagged_files(), st.sampled_from([1, 40, conll.PART_CHARACTERS]))
def test_documents_named_by_docstart_read_as_the_same_documents_named_by_doc_id(
    drawn: tuple, part: int
) -> None:
    """A file whose documents all name themselves is read in bulk (two columns, in parts of
    about ``part`` characters: 1 cuts before every -DOCSTART- line after the first) or in one
    loop over its lines; the same file with bare -DOCSTART- lines and --doc-id is read step by
    step. Both give the same records byte for byte, or refuse with the same message (a document
    twice too: each part must hold documents that no earlier part held); and every record
    either makes is a valid prediction, written as the json writer writes it (what `convert`
    no longer checks at run time for the records of the fast readers)."""
    scheme, documents = drawn
    gold = [gold_record(doc_id, lines[0]) for doc_id, lines in dict(documents).items()]
    named = "".join(f"-DOCSTART- {d}\n\n" + "\n".join(lines[1:]) + "\n\n" for d, lines in documents)
    bare = "".join("-DOCSTART-\n\n" + "\n".join(lines[1:]) + "\n\n" for _, lines in documents)
    ids = tuple(doc_id for doc_id, _ in documents)
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(conll, "PART_CHARACTERS", part):
        path = Path(tmp) / "out.conll"
        assert _outcome(path, named, gold, scheme=scheme) == _outcome(
            path, bare, gold, scheme=scheme, doc_ids=ids
        )


WORD_LETTERS = "ab\u00e9.,-\u0915\U0001f680"


@st.composite
def cut_runs(draw: st.DrawFn) -> tuple[str, list[tuple[str, list[str]]]]:
    """Files a pipeline writes from texts with one space between words: each word cut into one
    to four tokens (a run cut into tokens, as a tokenizer cuts off a full stop), tagged O, B-
    or I- (entities alone, in a row, across the cuts; in half the files most tokens O), now
    and then a blank line, the last tokens sometimes left out; and a fault in some: two tokens
    of two words made one (a token that crosses the space in the text), a token longer, a
    word's pieces swapped, a character of a token another one."""
    documents = []
    lone = draw(st.booleans())  # most tokens tagged O: entities alone, after cuts too
    for index in range(draw(st.integers(1, 3))):
        words = draw(st.lists(st.text(WORD_LETTERS, min_size=1, max_size=6), min_size=1,
                              max_size=12))  # fmt: skip
        lead = " " * draw(st.integers(0, 1))
        text = lead + " ".join(words) + draw(st.sampled_from(["", "", " ", "\n"]))
        tokens: list[list[str]] = []
        for word in words:
            cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(word) - 1)), max_size=3))))
            bounds = [0, *[c for c in cuts if c < len(word)], len(word)]
            tokens.append([word[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
        fault = draw(st.sampled_from(["", "", "", "", "cross", "change", "swap", "other"]))
        if fault == "cross" and len(tokens) > 1:  # the last piece of one word and the next word
            at = draw(st.integers(0, len(tokens) - 2))
            tokens[at][-1] += tokens[at + 1].pop(0)
            if not tokens[at + 1]:
                del tokens[at + 1]
        elif fault == "change":
            at = draw(st.integers(0, len(tokens) - 1))
            tokens[at][0] = tokens[at][0] + "x"
        elif fault == "swap":
            at = draw(st.integers(0, len(tokens) - 1))
            tokens[at].reverse()
        elif fault == "other":  # a piece's last character another one (the same length)
            at = draw(st.integers(0, len(tokens) - 1))
            piece = tokens[at][-1]
            tokens[at][-1] = piece[:-1] + ("a" if piece[-1] != "a" else "b")
        flat = [piece for pieces in tokens for piece in pieces]
        if draw(st.integers(0, 3)) == 0:
            flat = flat[: draw(st.integers(0, len(flat)))]
        lines = []
        for token in flat:
            tag = draw(st.sampled_from(["O", "O", "O", "B-PER", "I-PER", "B-ORG", "B-MISC"]))
            tag = "O" if lone and draw(st.integers(0, 3)) else tag
            lines.append(f"{token} {tag}")
            if draw(st.integers(0, 6)) == 0:
                lines.append("")
        documents.append((f"d-{index}", [text, *lines]))
    return "iob2", documents


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(cut_runs(), st.sampled_from([1, 40, conll.PART_CHARACTERS]))
def test_runs_cut_into_tokens_read_as_the_same_documents_named_by_doc_id(
    drawn: tuple, part: int
) -> None:
    """A file whose texts have single spaces between words and whose tokens cut some words
    further (read in bulk: the tokens joined by spaces compared with the text, the cuts found
    where the two differ) gives the records byte for byte, or the refusal word for word, of
    the same file read step by step (bare -DOCSTART- lines and --doc-id): a token across a
    space, one that is not in the text (after the last cut too), pieces out of order, tokens
    left out at the end."""
    scheme, documents = drawn
    gold = [gold_record(doc_id, lines[0]) for doc_id, lines in documents]
    named = "".join(f"-DOCSTART- {d}\n\n" + "\n".join(lines[1:]) + "\n\n" for d, lines in documents)
    bare = "".join("-DOCSTART-\n\n" + "\n".join(lines[1:]) + "\n\n" for _, lines in documents)
    ids = tuple(doc_id for doc_id, _ in documents)
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(conll, "PART_CHARACTERS", part):
        path = Path(tmp) / "out.conll"
        assert _outcome(path, named, gold, scheme=scheme) == _outcome(
            path, bare, gold, scheme=scheme, doc_ids=ids
        )
