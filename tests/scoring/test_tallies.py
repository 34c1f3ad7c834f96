"""TallyTable: per-document tallies as columns; every combination equals add_tallies."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from sourcetrace.scoring.common import add_tallies
from sourcetrace.scoring.tallies import PooledCounts, TallyTable


def _random_tallies(rng: random.Random, documents: int) -> dict[str, dict]:
    tallies = {}
    for index in range(documents):
        tally = {"overall": {"tp": rng.randrange(5), "gold": rng.randrange(9)}, "per_type": {}}
        for entity_type in rng.sample(["GPE", "ORG", "LOC"], rng.randrange(1, 3)):
            tally["per_type"][entity_type] = {"tp": rng.randrange(3)}
        if rng.random() < 0.6:
            tally["rows"] = [[rng.randrange(3), rng.randrange(3)] for _ in range(rng.randrange(3))]
        tallies[f"d{index:02d}"] = tally
    return tallies


def test_combination_equals_add_tallies_of_the_repeated_documents():
    rng = random.Random(3)
    tallies = _random_tallies(rng, 7)
    table = TallyTable.from_tallies(tallies)
    for _ in range(50):
        weights = np.array([rng.randrange(3) for _ in tallies])
        repeated = [t for t, w in zip(tallies.values(), weights, strict=True) for _ in range(w)]
        # the same keys (a type seen in no chosen document stays absent) and the same sums
        assert table.combine(weights) == add_tallies(repeated)


def test_blocks_of_weights_give_the_same_tallies_as_one_row_at_a_time():
    rng = random.Random(5)
    table = TallyTable.from_tallies(_random_tallies(rng, 9))
    weights = np.array([[rng.randrange(4) for _ in range(9)] for _ in range(11)])
    by_blocks = list(table.combine_blocks([weights[:4], weights[4:]]))
    assert by_blocks == [table.combine(row) for row in weights]


def test_each_document_reads_back_as_its_own_tally():
    tallies = _random_tallies(random.Random(8), 6)
    table = TallyTable.from_tallies(tallies)
    assert dict(table.documents()) == tallies
    assert table.total() == add_tallies(tallies.values())


def test_shards_stacked_equal_the_whole_and_survive_a_json_round_trip():
    tallies = _random_tallies(random.Random(11), 10)
    whole = TallyTable.from_tallies(tallies)
    ids = list(tallies)
    shards = [TallyTable.from_tallies({d: tallies[d] for d in ids[i::3]}) for i in range(3)]
    through_json = [TallyTable.from_json(json.loads(json.dumps(s.to_json()))) for s in shards]
    merged = TallyTable.stacked(list(reversed(through_json)))
    assert merged.doc_ids == sorted(ids)
    assert dict(merged.documents()) == tallies
    assert merged.total() == whole.total()


def test_a_document_in_two_shards_is_refused():
    tallies = _random_tallies(random.Random(2), 3)
    shard = TallyTable.from_tallies(tallies)
    with pytest.raises(ValueError, match="more than one shard: d00, d01, d02"):
        TallyTable.stacked([shard, shard])


def test_a_leaf_that_is_not_a_whole_number_is_refused():
    with pytest.raises(TypeError, match="overall.tp is .x."):
        TallyTable.from_tallies({"d": {"overall": {"tp": "x"}}})


@pytest.mark.parametrize("value", [True, None, [1], "1"])
def test_a_leaf_that_is_a_bool_or_no_number_is_refused_by_its_path(value):
    # a bool is an int to Python, but no count; a list is a list leaf, not a number, only when
    # the same path is a number in another document
    tallies = {"a": {"s": {"n": 1}}, "b": {"s": {"n": value}}}
    if isinstance(value, list):
        with pytest.raises(TypeError, match=r"s\.n is \[1\], not a number"):
            TallyTable.from_tallies(tallies)
        return
    with pytest.raises(TypeError, match=rf"s\.n is {value!r}, not a number"):
        TallyTable.from_tallies(tallies)


def test_whole_numbers_give_an_integer_table_and_any_fraction_a_float_one():
    class Count(int):
        pass

    class Section(dict):  # a Mapping that is not a plain dict is walked too
        pass

    whole = TallyTable.from_tallies({"a": {"s": Section(n=Count(2))}, "b": {"s": {"m": 3}}})
    assert whole.counts.dtype == np.int64
    assert whole.fields == [("s", "m"), ("s", "n")]
    assert whole.counts.tolist() == [[0, 2], [3, 0]]
    assert whole.present.tolist() == [[False, True], [True, False]]
    fractional = TallyTable.from_tallies({"a": {"s": {"n": 2}}, "b": {"s": {"n": 0.5}}})
    assert fractional.counts.dtype == np.float64
    assert fractional.counts.tolist() == [[2.0], [0.5]]


@pytest.mark.parametrize("fraction", [1, 0.5])
def test_running_totals_equal_the_sum_of_the_rows_chosen_at_each_step(fraction: float) -> None:
    """Rows 0-2 are one document's choices, 3-4 another's; the type keys appear and vanish with
    the rows that have them (integer tables: running sums; fractions: summed anew)."""
    tallies = {
        "a0": {"n": 1, "per_type": {"ORG": 1}},
        "a1": {"n": 2},
        "a2": {"n": 0},
        "b0": {"n": 5 * fraction, "per_type": {"GPE": 2}},
        "b1": {"n": 7},
    }
    table = TallyTable.from_tallies(tallies)
    steps = [[], [(2, 1)], [(4, 3), (1, 0)]]
    expected = [
        add_tallies([tallies["a2"], tallies["b1"]]),
        add_tallies([tallies["a1"], tallies["b1"]]),
        add_tallies([tallies["a0"], tallies["b0"]]),
    ]
    assert list(table.running_totals([2, 4], steps)) == expected


def _pooled_tallies() -> dict[str, dict]:
    return {
        "d1": {"n": 1, "pairs": PooledCounts({("a", None): 2, ("a", "x"): 1})},
        "d2": {"n": 2, "pairs": PooledCounts({("a", "x"): 3, (None, "y"): 1})},
        "d3": {"n": 0, "pairs": PooledCounts()},
    }


def test_pooled_counts_are_summed_once_for_the_table_not_kept_per_document():
    table = TallyTable.from_tallies(_pooled_tallies())
    summed = {("a", None): 2, ("a", "x"): 4, (None, "y"): 1}  # by hand: 1 + 3 for (a, x)
    assert table.pooled == {("pairs",): summed}
    assert table.total() == {"n": 3, "pairs": summed}
    assert table.document(0) == {"n": 1}  # no document keeps its own counts
    assert table.numeric().pooled == {}
    with pytest.raises(ValueError, match="cannot be resampled"):
        table.combine(np.array([2, 0, 1]))


def test_pooled_counts_of_shards_add_up_and_survive_a_partial_file():
    tallies = _pooled_tallies()
    shards = [TallyTable.from_tallies({d: tallies[d]}) for d in ("d3", "d1", "d2")]
    whole = TallyTable.from_tallies(tallies)
    assert TallyTable.stacked(shards).total() == whole.total()
    written = json.loads(json.dumps(whole.to_json()))
    # one row [*key, count] per key, null before any string, then code-point order
    assert written["pooled_fields"] == [["pairs"]]
    assert written["pooled"] == [[[None, "y", 1], ["a", None, 2], ["a", "x", 4]]]
    assert TallyTable.from_json(written).total() == whole.total()
    assert TallyTable.from_json(written).under(("s",)).pooled == {
        ("s", "pairs"): whole.total()["pairs"]
    }
