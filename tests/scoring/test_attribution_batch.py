"""The attribution layer's batch tallies equal its per-document tallies (issue 24).

``attributions.SCORER.tally_batch`` scores a batch of documents at once through
``attribution_batch.match_sizes`` and sends odd documents one by one; these tests build random
batches meant to hit every branch (offsets and text-only pieces mixed, absent cues, contents and
sources, entity sources with several mentions, duplicate attributions, texts that only
normalisation makes equal, texts without tokens, non-ASCII text, extras, empty documents,
unresolvable sources, odd pieces) and compare every count, and every refusal, with
``tally_attributions`` document by document.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.evaluation.settings import Settings
from sourcetrace.scoring import attribution_batch
from sourcetrace.scoring.assignment import maximum_matching_size
from sourcetrace.scoring.attribution_batch import (
    PART_LEVELS,
    SourcedAttributions,
    component_matching_sizes,
    match_sizes,
)
from sourcetrace.scoring.attributions import SCORER
from sourcetrace.scoring.tallies import TallyTable

# batch against per document: exactness, on the examples of the other exactness checks
EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]

# words that tie under normalisation (case, punctuation, articles), non-ASCII ones, and
# strings without any token
WORDS = [
    "said",
    "Said",
    "said,",
    "the",
    "a",
    "an",
    "Zoë",
    "zoë",
    "Ünïcode",
    "told",
    "x",
    "—",
    "...",
]
THRESHOLDS = [0.5, 1 / 3, 0.25, 2 / 3, 1.0, 1e-12]

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join)
offsets = st.integers(min_value=0, max_value=12)


@st.composite
def pieces(draw, *, with_absent: bool = True) -> dict | None:
    """A piece: absent, offsets (with or without text), text-only, or a start without end."""
    kind = draw(
        st.sampled_from(
            ["absent", "offsets", "offsets+text", "offsets+text", "text", "text", "start+text"]
        )
    )
    if kind == "absent" and with_absent:
        return None
    if kind in ("offsets", "offsets+text", "absent"):
        start = draw(offsets)
        piece = {"start": start, "end": start + draw(st.integers(0, 6))}
        if kind == "offsets+text":
            piece["text"] = draw(texts)
        return piece
    piece = {"text": draw(texts)}
    if kind == "start+text":
        piece["start"] = draw(offsets)
    return piece


@st.composite
def documents(draw, doc_id: str) -> tuple[dict, dict]:
    """A gold and a predicted document with entities and attributions."""
    sides = []
    for prefix in ("g", "p"):
        n_entities = draw(st.integers(0, 5))
        entities = []
        for index in range(n_entities):
            mention = draw(pieces(with_absent=False))
            mention["id"] = f"{prefix}{index}"
            entity = draw(st.sampled_from([None, "e1", "e2", "e3"]))
            if entity is not None:
                mention["entity"] = entity
            entities.append(mention)
        pool = []
        for _ in range(draw(st.integers(1, 4))):
            choice = draw(st.sampled_from(["none", "piece", "mention", "mention", "missing"]))
            if choice == "none":
                source = None
            elif choice == "piece":
                source = draw(pieces(with_absent=False))
            elif choice == "mention" and entities:
                source = {"mention": draw(st.sampled_from([e["id"] for e in entities]))}
            elif choice == "missing" and draw(st.integers(0, 9)) == 0:
                source = {"mention": "nowhere"}  # refused, by the first document that has it
            else:
                source = None
            attribution = {"source": source, "cue": draw(pieces()), "content": draw(pieces())}
            extra = draw(st.integers(0, 40))
            if extra == 0:
                attribution["source_span"] = draw(pieces())
            elif extra == 1:
                attribution["content_type"] = draw(st.sampled_from(["statement", "belief"]))
            pool.append(attribution)
        # duplicates: attributions drawn from the pool, some of them several times
        attributions = (
            [draw(st.sampled_from(pool)) for _ in range(draw(st.integers(0, 6)))] if pool else []
        )
        sides.append({"doc_id": doc_id, "entities": entities, "attributions": attributions})
    return sides[0], sides[1]


def _outcome(function, *args, **kwargs):
    try:
        return "result", function(*args, **kwargs)
    except ValueError as error:
        return "ValueError", str(error)


def _table_fields(table: TallyTable) -> tuple:
    return (
        table.doc_ids,
        table.fields,
        table.counts.tolist(),
        table.counts.dtype,
        table.present.tolist(),
        table.list_fields,
        table.lists,
        table.list_present.tolist(),
    )


def _per_document_table(doc_ids, batch, threshold) -> TallyTable:
    """The layer's tallies document by document (``SCORER.tally``: ``tally_attributions`` of
    the document's layers)."""
    options = Settings(claim_threshold=threshold)
    tallies = {
        doc_id: SCORER.tally(gold, pred, options, text)
        for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True)
    }
    return TallyTable.from_tallies(tallies).under(("attributions",))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n_documents=st.integers(1, 6),
    threshold=st.sampled_from(THRESHOLDS),
    at_once=st.sampled_from([1, 2, attribution_batch.DOCUMENTS_AT_ONCE]),
)
def test_batch_tallies_equal_the_per_document_tallies(data, n_documents, threshold, at_once):
    doc_ids = [f"d{index}" for index in range(n_documents)]
    batch = [(*data.draw(documents(doc_id)), "") for doc_id in doc_ids]
    options = Settings(claim_threshold=threshold)
    expected = _outcome(_per_document_table, doc_ids, batch, threshold)
    with pytest.MonkeyPatch.context() as patch:  # documents compared in blocks of any size
        patch.setattr(attribution_batch, "DOCUMENTS_AT_ONCE", at_once)
        got = _outcome(SCORER.tally_documents, doc_ids, batch, options)
    if expected[0] == "result":
        assert got[0] == "result", got
        assert _table_fields(got[1]) == _table_fields(expected[1])
    else:
        assert got == expected


def test_a_batch_hits_the_cases_it_is_meant_to():
    """Hand-made: a text-only source against several entity mentions, an absent cue on both
    sides (twice: a complete block), content equal only after normalisation, an empty
    document, and a document with extras (one by one)."""
    gold = {
        "doc_id": "a",
        "entities": [
            {"id": "m1", "start": 0, "end": 4, "text": "Zoë Ünïcode", "entity": "z"},
            {"id": "m2", "start": 20, "end": 23, "text": "she", "entity": "z"},
        ],
        "attributions": [
            {
                "source": {"mention": "m1"},
                "cue": None,
                "content": {"start": 5, "end": 9, "text": "The Plan!"},
            },
            {"source": None, "cue": None, "content": {"start": 30, "end": 40, "text": "an idea"}},
        ],
    }
    pred = {
        "doc_id": "a",
        "entities": [],
        "attributions": [
            {"source": {"text": "zoë ünïcode"}, "cue": None, "content": {"text": "plan"}},
            {"source": None, "cue": None, "content": {"start": 30, "end": 39}},
        ],
    }
    empty = {"doc_id": "b", "entities": [], "attributions": []}
    extras_gold = {
        **gold,
        "doc_id": "c",
        "attributions": [{**gold["attributions"][1], "content_type": "statement"}],
    }
    extras_pred = {
        **pred,
        "doc_id": "c",
        "attributions": [{**pred["attributions"][1], "content_type": "belief"}],
    }
    doc_ids = ["a", "b", "c"]
    batch = [(gold, pred, ""), (empty, empty, ""), (extras_gold, extras_pred, "")]
    got = SCORER.tally_documents(doc_ids, batch, Settings())
    expected = _per_document_table(doc_ids, batch, 0.5)
    assert _table_fields(got) == _table_fields(expected)
    totals = got.total()["attributions"]
    assert totals["source"]["strict"]["true_positives"] == 3  # text, own voice twice
    assert totals["cue"]["strict"]["true_positives"] == 3  # absent on both sides
    assert totals["content"]["strict"]["true_positives"] == 1  # "The Plan!" is "plan"
    assert totals["content"]["lenient"]["true_positives"] == 3


def test_match_sizes_leaves_odd_documents_to_the_caller():
    """A piece the arrays do not take (not a dict, offsets not ints, text-only without a text,
    a text-only piece against one with offsets and no text) is not scored here."""
    good = {"cue": {"start": 0, "end": 2}, "content": {"start": 3, "end": 5}}
    odd = [
        {"cue": "a cue", "content": None},
        {"cue": {"start": 0.0, "end": 2}, "content": None},
        {"cue": {"start": 0}, "content": None},
        {"cue": {"text": "said"}, "content": None},
    ]
    documents = [SourcedAttributions([good], [good], [None], [None])]
    documents += [SourcedAttributions([good], [attribution], [None], [None]) for attribution in odd]
    documents.append(SourcedAttributions([], [odd[0]], [], [None]))  # an empty side: all 0
    result = match_sizes(documents, 0.5, 0.5)
    assert result.scored.tolist() == [True, False, False, False, False, True]
    assert result.sizes[:, 0].tolist() == [1] * len(PART_LEVELS)
    assert not result.sizes[:, 1:].any()


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.floats(0, 1)),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 2**32 - 1),
)
def test_component_matching_sizes_are_maximum_matching_sizes(shapes, seed):
    rng = np.random.default_rng(seed)
    blocks = [rng.random((rows, cols)) < density for rows, cols, density in shapes]
    row_offsets = np.cumsum([0] + [block.shape[0] for block in blocks])
    col_offsets = np.cumsum([0] + [block.shape[1] for block in blocks])
    rows = np.concatenate([np.nonzero(b)[0] + row_offsets[i] for i, b in enumerate(blocks)])
    cols = np.concatenate([np.nonzero(b)[1] + col_offsets[i] for i, b in enumerate(blocks)])
    group_of_row = np.repeat(np.arange(len(blocks)), [block.shape[0] for block in blocks])
    sizes = component_matching_sizes(rows, cols, group_of_row, len(blocks))
    for size, block in zip(sizes.tolist(), blocks, strict=True):
        assert size == -1 or size == maximum_matching_size(block)


@pytest.mark.parametrize(
    ("block", "size"),
    [
        (np.ones((2, 3), dtype=bool), 2),  # complete: the smaller side
        (np.eye(3, dtype=bool), 3),  # one cell per row
        (np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]], dtype=bool), -1),  # a path: the solver
        (np.zeros((2, 2), dtype=bool), 0),
    ],
)
def test_component_matching_sizes_closed_forms(block, size):
    rows, cols = np.nonzero(block)
    found = component_matching_sizes(rows, cols, np.zeros(block.shape[0], dtype=np.int64), 1)
    assert found.tolist() == [size]


def test_thresholds_met_exactly():
    """Token F1 exactly 1/2 for a text-only cue and source (lenient: right), Dice exactly the
    claim threshold for offset contents, token F1 exactly 2/3 for a text-only content."""
    gold = {
        "doc_id": "t",
        "entities": [{"id": "m", "start": 0, "end": 6, "text": "Zoë Ünïcode"}],
        "attributions": [
            {
                "source": {"mention": "m"},
                "cue": {"start": 7, "end": 13, "text": "said x"},
                "content": {"start": 20, "end": 26, "text": "some words here"},
            },
            {
                "source": None,
                "cue": None,
                "content": {"start": 40, "end": 45, "text": "the plan of told"},
            },
        ],
    }
    pred = {
        "doc_id": "t",
        "entities": [],
        "attributions": [
            {
                "source": {"text": "zoë told"},
                "cue": {"text": "said told"},
                "content": {"start": 22, "end": 30},  # Dice 2 * 4 / 14 = 4/7
            },
            # token F1 with "plan of told": 2 * (2/3) * (2/3) / (4/3)
            {"source": None, "cue": None, "content": {"text": "plan told x"}},
        ],
    }
    for threshold, content_lenient in ((4 / 7, 2), (2 / 3, 1), (0.7, 0)):
        got = SCORER.tally_documents(["t"], [(gold, pred, "")], Settings(claim_threshold=threshold))
        assert _table_fields(got) == _table_fields(
            _per_document_table(["t"], [(gold, pred, "")], threshold)
        )
        totals = got.total()["attributions"]
        assert totals["cue"]["lenient"]["true_positives"] == 2
        assert totals["source"]["lenient"]["true_positives"] == 2
        assert totals["content"]["lenient"]["true_positives"] == content_lenient


@pytest.mark.parametrize(
    ("gold_text", "pred_text", "touch"),
    [
        ("said said", "said x y", False),  # overlap 1 (one "said" each): F1 2/5
        ("said x y", "Said, said", False),  # the same, the shorter text predicted
        ("said said", "said said x", True),  # overlap 2: F1 4/5
        ("the said", "a said", True),  # articles dropped: the same text
        ("", "...", True),  # no tokens on either side: F1 1
        ("said", "—", False),  # no tokens on one side: F1 0
    ],
)
def test_repeated_tokens_count_as_often_as_both_texts_have_them(gold_text, pred_text, touch):
    """The token overlap is the sum of the smaller counts (``token_f1``'s bags)."""
    gold = {
        "doc_id": "r",
        "entities": [],
        "attributions": [
            {"source": None, "cue": {"start": 0, "end": 3, "text": gold_text}, "content": None}
        ],
    }
    pred = {
        "doc_id": "r",
        "entities": [],
        "attributions": [{"source": None, "cue": {"text": pred_text}, "content": None}],
    }
    got = SCORER.tally_documents(["r"], [(gold, pred, "")], Settings())
    assert _table_fields(got) == _table_fields(_per_document_table(["r"], [(gold, pred, "")], 0.5))
    assert got.total()["attributions"]["cue"]["lenient"]["true_positives"] == int(touch)
