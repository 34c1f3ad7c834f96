"""The CoNLL/BIO reader: schemes, non-strict repair as seqeval reads it, document ids, alignment
of tokens to the text, label maps, and the errors that name file, line and token."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from convert_helpers import at, gold_record, spans
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.convert import conll as conll_module
from sourcetrace.convert import convert
from sourcetrace.convert.conll import chunks, split_tag
from sourcetrace.errors import InputError

TEXT = "Shoigu visited Pyongyang on Saturday, KCNA said.\nThe Kremlin said nothing."
GOLD = [gold_record("t-1", TEXT), gold_record("t-2", "Reuters reported it.")]


def conll(tmp_path: Path, body: str, name: str = "out.conll") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_conll2003_columns_docstart_ids_and_blank_lines(tmp_path: Path) -> None:
    path = conll(
        tmp_path,
        "-DOCSTART- t-1\n\nShoigu NNP B-NP B-PER\nvisited VBD B-VP O\nPyongyang NNP B-NP B-LOC\n"
        "on IN O O\nSaturday NNP O O\n, , O O\nKCNA NNP O B-ORG\nsaid VBD O O\n. . O O\n\n"
        "The DT O O\nKremlin NNP O B-ORG\nsaid VBD O O\nnothing NN O O\n. . O O\n\n"
        "-DOCSTART- t-2\n\nReuters NNP O B-ORG\nreported VBD O O\nit PRP O O\n. . O O\n",
    )
    records = convert("conll", [path], gold=GOLD, labels="conll2003")
    assert spans(records) == {
        "t-1": sorted(
            [
                (*at(TEXT, "Shoigu"), "PERSON", "Shoigu"),
                (*at(TEXT, "Pyongyang"), "GPE", "Pyongyang"),
                (*at(TEXT, "KCNA"), "ORG", "KCNA"),
                (*at(TEXT, "Kremlin"), "ORG", "Kremlin"),
            ]
        ),
        "t-2": [(0, 7, "ORG", "Reuters")],
    }


@pytest.mark.parametrize(
    ("scheme", "tags", "expected"),
    [
        # iob1: I- is the inside tag, B- only parts two touching entities of one type
        ("iob1", "I-PER I-PER B-PER O I-LOC", [("PER", 0, 2), ("PER", 2, 3), ("LOC", 4, 5)]),
        ("iob2", "B-PER I-PER B-PER O B-LOC", [("PER", 0, 2), ("PER", 2, 3), ("LOC", 4, 5)]),
        ("iobes", "B-PER E-PER S-PER O S-LOC", [("PER", 0, 2), ("PER", 2, 3), ("LOC", 4, 5)]),
        ("bilou", "B-PER L-PER U-PER O U-LOC", [("PER", 0, 2), ("PER", 2, 3), ("LOC", 4, 5)]),
        # non-strict repair: I- after O starts, a type change ends and starts, E- closes
        ("iob2", "O I-PER I-LOC I-LOC O", [("PER", 1, 2), ("LOC", 2, 4)]),
        ("iobes", "B-PER I-PER E-PER I-PER", [("PER", 0, 3), ("PER", 3, 4)]),
    ],
)
def test_schemes_read_as_seqeval_defines_them(
    scheme: str, tags: str, expected: list[tuple[str, int, int]]
) -> None:
    parsed = [split_tag(tag, scheme) for tag in tags.split()]
    assert None not in parsed
    assert chunks(parsed) == expected  # type: ignore[arg-type]


LETTERS = st.sampled_from(["O", "B-A", "I-A", "E-A", "S-A", "B-B", "I-B", "E-B", "S-B"])


@given(st.lists(LETTERS, max_size=12))
def test_chunks_equal_seqeval_non_strict_on_any_sequence(tags: list[str]) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    expected = [(kind, first, last + 1) for kind, first, last in get_entities(tags)]
    assert chunks([split_tag(tag, "iobes") for tag in tags]) == expected  # type: ignore[misc]


@given(st.lists(st.sampled_from(["O", "B-A", "I-A", "L-A", "U-A", "B-B", "L-B"]), max_size=12))
def test_bilou_equals_seqeval_on_its_iobes_spelling(tags: list[str]) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    iobes = [t.replace("L-", "E-").replace("U-", "S-") for t in tags]
    expected = [(kind, first, last + 1) for kind, first, last in get_entities(iobes)]
    assert chunks([split_tag(tag, "bilou") for tag in tags]) == expected  # type: ignore[misc]


def test_unnamed_documents_take_doc_ids_in_order(tmp_path: Path) -> None:
    first = conll(tmp_path, "Reuters B-ORG\nreported O\n", "a.conll")
    second = conll(tmp_path, "-DOCSTART- -X- -X- O\n\nShoigu B-PERSON\n", "b.conll")
    records = convert("conll", [first, second], gold=GOLD, doc_ids=("t-2", "t-1"))
    assert spans(records) == {
        "t-2": [(0, 7, "ORG", "Reuters")],
        "t-1": [(0, 6, "PERSON", "Shoigu")],
    }


def test_file_named_by_doc_id_needs_no_docstart(tmp_path: Path) -> None:
    records = convert("conll", [conll(tmp_path, "Reuters B-ORG\n", "t-2.conll")], gold=GOLD)
    assert spans(records) == {"t-2": [(0, 7, "ORG", "Reuters")]}


def test_conll_token_not_in_text_names_file_line_and_token(tmp_path: Path) -> None:
    path = conll(tmp_path, "-DOCSTART- t-1\n\nShoigu B-PERSON\nvisits O\n")
    with pytest.raises(InputError) as caught:
        convert("conll", [path], gold=GOLD)
    message = str(caught.value)
    assert str(path) in message and "line 4" in message and "'visits'" in message
    assert "'visited" in message  # what the text reads there


@pytest.mark.parametrize("space", ["\u00a0", "\t", "\u3000"])
def test_conll_one_column_line_beside_other_white_space_refused_with_line(
    tmp_path: Path, space: str
) -> None:
    # two columns on average (six columns, three spaces), but line 3 holds one column: a reading
    # that counted only " " as white space would take `O` of line 4 as the tag of `Reuters`
    gold = [gold_record("t-9", "Reuters x")]
    body = f"-DOCSTART- t-9\n\nReuters {space}\nO {space}\nx{space}O\n"
    with pytest.raises(InputError) as caught:
        convert("conll", [conll(tmp_path, body)], gold=gold)
    assert "line 3" in str(caught.value) and "one column ('Reuters')" in str(caught.value)


def test_conll_document_twice_across_files_names_the_docstart_line_of_the_first(
    tmp_path: Path,
) -> None:
    # the first file has two columns on every line (read in bulk); d-2 starts on its line 9
    gold = [gold_record("d-1", "a b"), gold_record("d-2", "c d")]
    first = conll(
        tmp_path, "\n\n-DOCSTART- d-1\n\na O\nb O\n\n\n-DOCSTART- d-2\nc O\nd O\n", "one.conll"
    )
    second = conll(tmp_path, "-DOCSTART-\n\nc O\n", "two.conll")
    with pytest.raises(InputError) as caught:
        convert("conll", [first, second], gold=gold, doc_ids=("d-2",))
    assert f"appears twice (first at {first}:9)" in str(caught.value)
    assert f"{second}, line 1" in str(caught.value)


def test_conll_unknown_doc_id_refused_with_line(tmp_path: Path) -> None:
    path = conll(tmp_path, "Reuters B-ORG\n", "nowhere.conll")
    with pytest.raises(InputError, match="document without an id"):
        convert("conll", [path], gold=GOLD)


def test_conll_unmapped_labels_are_all_listed_with_how_to_map(tmp_path: Path) -> None:
    path = conll(tmp_path, "-DOCSTART- t-1\n\nShoigu B-PER\nvisited O\nPyongyang B-MISC\n")
    with pytest.raises(InputError) as caught:
        convert("conll", [path], gold=GOLD)
    message = str(caught.value)
    assert (
        "2 label(s)" in message
        and "'PER'" in message
        and "'MISC'" in message
        and "--labels" in message
    )
    assert "conll2003" in message  # the shipped map is offered


def test_conll_tag_outside_scheme_refused_with_line(tmp_path: Path) -> None:
    path = conll(tmp_path, "-DOCSTART- t-1\n\nShoigu S-PERSON\n")
    with pytest.raises(InputError) as caught:
        convert("conll", [path], gold=GOLD, scheme="iob2")
    assert "line 3" in str(caught.value) and "iob2" in str(caught.value)
    assert spans(convert("conll", [path], gold=GOLD, scheme="iobes")) == {
        "t-1": [(0, 6, "PERSON", "Shoigu")]
    }


def test_conll_label_mapped_to_null_is_dropped(tmp_path: Path) -> None:
    path = conll(tmp_path, "-DOCSTART- t-1\n\nShoigu B-PER\nvisited O\nPyongyang B-MISC\n")
    records = convert("conll", [path], gold=GOLD, labels={"PER": "PERSON", "MISC": None})
    assert spans(records) == {"t-1": [(0, 6, "PERSON", "Shoigu")]}


def test_label_map_to_unknown_type_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text('{"PER": "HUMAN"}', encoding="utf-8")
    path = conll(tmp_path, "-DOCSTART- t-1\n\nShoigu B-PER\n")
    with pytest.raises(InputError, match="'HUMAN', which is not an entity type"):
        convert("conll", [path], gold=GOLD, labels=mapping)


def test_conll_document_twice_refused(tmp_path: Path) -> None:
    path = conll(tmp_path, "-DOCSTART- t-2\n\nReuters B-ORG\n-DOCSTART- t-2\n\nReuters O\n")
    with pytest.raises(InputError, match="appears twice"):
        convert("conll", [path], gold=GOLD)


def test_cli_convert_bad_token_exits_2_without_traceback(tmp_path: Path, run_cli) -> None:
    gold = tmp_path / "gold.jsonl"
    from convert_helpers import write_gold

    write_gold(gold, GOLD)
    path = conll(tmp_path, "-DOCSTART- t-2\n\nReuter B-ORG\nx O\n")
    out = tmp_path / "pred.jsonl"
    result = run_cli("convert", "conll", path, "--gold", gold, "--output", out)
    assert result.code == 2
    assert "Traceback" not in result.err and "'x'" in result.err and "line 4" in result.err
    assert not out.exists()


def test_export_conll_keeps_the_outermost_layer_of_nesting(tmp_path: Path) -> None:
    from convert_helpers import write_gold

    from sourcetrace.convert import export

    text = "North Korean rockets hit Kharkiv."
    nested = [
        {
            "id": "e1",
            "start": 0,
            "end": 20,
            "text": "North Korean rockets",
            "type": "WEAPON",
            "mention": "nominal",
            "entity": "rockets",
        },
        {
            "id": "e2",
            "start": 0,
            "end": 12,
            "text": "North Korean",
            "type": "NORP",
            "mention": "name",
            "entity": "north-korea",
        },
        {
            "id": "e3",
            "start": 25,
            "end": 32,
            "text": "Kharkiv",
            "type": "GPE",
            "mention": "name",
            "entity": "kharkiv",
        },
    ]
    gold = write_gold(tmp_path / "gold.jsonl", [gold_record("t-9", text, entities=nested)])
    (written,) = export("conll", tmp_path / "out", gold=gold)
    assert written.read_text(encoding="utf-8").split("\n") == [
        "-DOCSTART- t-9",
        "",
        "North B-WEAPON",
        "Korean I-WEAPON",
        "rockets I-WEAPON",
        "hit O",
        "Kharkiv B-GPE",
        ". O",
        "",
    ]


def test_conll_first_token_outside_scheme_is_the_one_named(tmp_path: Path) -> None:
    # two tags outside iob2 in one sentence: the error names the first in file order
    body = "-DOCSTART- t-1\n\nShoigu B-PER\nvisited X-Y\nPyongyang S-LOC\n"
    with pytest.raises(InputError) as caught:
        convert("conll", [conll(tmp_path, body)], gold=GOLD, labels={"PER": "PERSON"})
    message = str(caught.value)
    assert "line 4" in message and "'X-Y'" in message and "'visited'" in message
    assert "S-LOC" not in message


@pytest.mark.parametrize("part", [1, 30, conll_module.PART_CHARACTERS])
def test_conll_document_twice_across_files_refused_with_the_line_of_its_first(
    tmp_path: Path, part: int
) -> None:
    """The first file is read in parts (of about ``part`` characters: 1 cuts before each of its
    -DOCSTART- lines); a document of its last part again in a second file is refused, and the
    message names the line of its first -DOCSTART-, counted in the whole first file."""
    texts = {"a-1": "Kim met Lee .", "a-2": "Lee left at noon .", "a-3": "Kim stayed ."}
    gold = [gold_record(doc_id, text) for doc_id, text in texts.items()]
    body = "".join(
        f"-DOCSTART- {doc_id}\n\n" + "\n".join(f"{word} O" for word in text.split()) + "\n\n"
        for doc_id, text in texts.items()
    )
    first, second = tmp_path / "one.conll", tmp_path / "two.conll"
    first.write_text(body, encoding="utf-8")
    second.write_text("-DOCSTART- a-3\n\nKim O\nstayed O\n. O\n", encoding="utf-8")
    line = body.split("\n").index("-DOCSTART- a-3") + 1
    with (
        mock.patch.object(conll_module, "PART_CHARACTERS", part),
        pytest.raises(InputError) as caught,
    ):
        convert("conll", [first, second], gold=gold)
    assert f"document 'a-3' appears twice (first at {first}:{line})" in str(caught.value)


def test_conll_full_stop_cut_off_its_word_and_entities_after_it(tmp_path: Path) -> None:
    """Tokens that cut a word of the text ("Kyiv." as "Kyiv" and ".") move every later token
    one place less than a space would: the entities after the cut, alone and in a row, are
    placed on their own words."""
    text = "Troops left Kyiv. Then Kim Jong Un spoke in Seoul."
    path = conll(
        tmp_path,
        "-DOCSTART- t-3\n\nTroops O\nleft O\nKyiv B-LOC\n. O\nThen O\nKim B-PER\nJong I-PER\n"
        "Un I-PER\nspoke O\nin O\nSeoul B-LOC\n. O\n",
    )
    (record,) = convert("conll", [path], gold=[gold_record("t-3", text)], labels="conll2003")
    assert [(e["start"], e["end"], e["type"], e["text"]) for e in record["entities"]] == [
        (*at(text, "Kyiv"), "GPE", "Kyiv"),
        (*at(text, "Kim Jong Un"), "PERSON", "Kim Jong Un"),
        (*at(text, "Seoul"), "GPE", "Seoul"),
    ]


def test_conll_token_across_a_space_of_the_text_refused(tmp_path: Path) -> None:
    """A token that holds the end of one word and the start of the next ("leftKyiv" where the
    text reads "left Kyiv") is not in the text: refused with its line, as step by step."""
    text = "Troops left Kyiv."
    path = conll(tmp_path, "-DOCSTART- t-3\n\nTroops O\nleftKyiv B-LOC\n. O\n")
    with pytest.raises(InputError) as caught:
        convert("conll", [path], gold=[gold_record("t-3", text)], labels="conll2003")
    assert "line 4" in str(caught.value) and "'leftKyiv'" in str(caught.value)


@pytest.mark.parametrize("back", [15, 16, 17])
def test_conll_token_unlike_the_text_near_its_end_refused(tmp_path: Path, back: int) -> None:
    """A token whose character differs from the text's ``back`` characters before the text's
    end (where the comparison with the text first looks, 16 back, when a full stop is cut off
    its word) is refused with its line, as step by step."""
    text = "Troops left the town of Kyiv on Wednesday afternoon."
    at_char = len(text) - back
    words = text[:-1].split(" ")
    changed = None
    offset = 0
    for number, word in enumerate(words):
        if offset <= at_char < offset + len(word):
            inside = at_char - offset
            changed = word[:inside] + ("X" if word[inside] != "X" else "Y") + word[inside + 1 :]
            words[number] = changed
        offset += len(word) + 1
    assert changed is not None
    lines = "\n".join(f"{word} O" for word in [*words, "."])
    path = conll(tmp_path, f"-DOCSTART- t-3\n\n{lines}\n")
    with pytest.raises(InputError) as caught:
        convert("conll", [path], gold=[gold_record("t-3", text)], labels="conll2003")
    assert f"token {changed!r} cannot be placed" in str(caught.value)
