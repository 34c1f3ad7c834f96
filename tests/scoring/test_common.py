"""scoring.common: text normalisation (SQuAD) and the small helpers the scorers share."""

from __future__ import annotations

import math
import random
import re
import string

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.scoring.attributions import source_right
from sourcetrace.scoring.common import (
    COMPILED_COMPONENT_PAIRS,
    integer_pair_components,
    normalize_text,
    normalize_texts,
    pair_components,
    token_f1,
)

# the batch normaliser against the one-text one: an exactness check, with their examples
EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]


def squad_normalize(s: str) -> str:
    """The SQuAD v1.1 evaluation script's normalize_answer, verbatim in behaviour."""

    def remove_articles(text: str) -> str:
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def test_fixed_normalisation_deletes_punctuation_as_squad_does():
    # docs/scoring/claims.md: "identical normalize_text (SQuAD: lower case, no punctuation, no
    # articles, white space folded)". SQuAD's remove_punc DELETES punctuation; common.py
    # replaces each punctuation mark with a space:
    #   "U.S." -> "u s" (SQuAD "us"), "don't" -> "don t" (SQuAD "dont").
    # Consequences: token_f1("U.S. officials", "US officials") = 2*(1/3*1/2)/(5/6) = 0.4
    # instead of 1.0, so a text-only attribution source "U.S. officials" for the gold span
    # "US officials" is wrong even at the lenient level (0.4 < 0.5).
    assert squad_normalize("U.S.") == squad_normalize("US") == "us"
    assert normalize_text("U.S.") == normalize_text("US")
    assert token_f1("U.S. officials", "US officials") == 1.0
    gold_source = [{"start": 0, "end": 12, "text": "US officials"}]
    assert source_right(gold_source, {"text": "U.S. officials"}, "lenient")


@pytest.mark.parametrize(
    "text", ["The Financial Times", "İstanbul", "STRASSE straße", "North\xa0Korea", "a an the"]
)
def test_ok_normalisation_equals_squad_without_internal_punctuation(text):
    # On strings whose punctuation does not sit between letters, normalize_text is SQuAD's:
    # lower() (not casefold: "İ" -> "i̇", "ß" stays "ß", as SQuAD), articles dropped, NBSP
    # folded. So case-folding differences are SQuAD's own and not a bug of this project.
    assert normalize_text(text) == squad_normalize(text)


# --- components of integer pairs (CEAF-e's overlap graph, issue 24) -----------------------------


def reference_components(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """By search from each pair in order: its component's pairs, in input order."""
    seen: set[int] = set()
    groups = []
    for first in range(len(pairs)):
        if first in seen:
            continue
        nodes = {(0, pairs[first][0]), (1, pairs[first][1])}
        grown = True
        while grown:
            grown = False
            for left, right in pairs:
                ends = {(0, left), (1, right)}
                if ends & nodes and not ends <= nodes:
                    nodes |= ends
                    grown = True
        group = [i for i, (left, right) in enumerate(pairs) if (0, left) in nodes]
        seen.update(group)
        groups.append(group)
    return groups


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("size", [0, 1, 7, 60, COMPILED_COMPONENT_PAIRS + 1, 9000])
def test_integer_pair_components_equal_pair_components(size, seed):
    rng = random.Random(seed * 7919 + size)
    # few nodes for many pairs: large components; many nodes: many small ones; left and right
    # numbers overlap, as key and response cluster numbers do (the sides are kept apart)
    nodes = rng.choice([max(size // 3, math.isqrt(size) + 2), size + 5, 2 * size + 3])
    distinct: set[tuple[int, int]] = set()
    while len(distinct) < size:  # each pair once, as in overlap counts
        distinct.add((rng.randrange(nodes), rng.randrange(nodes)))
    pairs = sorted(distinct)
    rng.shuffle(pairs)
    left = np.array([pair[0] for pair in pairs], dtype=np.int64)
    right = np.array([pair[1] for pair in pairs], dtype=np.int64)
    got = [group.tolist() for group in integer_pair_components(left, right)]
    assert got == pair_components(pairs)
    if size <= 60:
        assert got == reference_components(pairs)


# characters at the edges of normalize_text's steps: Greek capital sigma (its lower case depends
# on the letters around it), case-ignorable marks and quotes, letters whose lower case is two
# characters, articles, punctuation, dashes, white space of several kinds, and NUL (which
# normalize_texts joins the texts with)
_EDGE_CHARACTERS = "ΣσςΑαİIa n theT.'’:\u00ad\u0345\u0301-—…\u00a0\t\n\x00\x1c🚀_1"


@given(st.lists(st.text(alphabet=_EDGE_CHARACTERS, max_size=12), max_size=8))
@hypothesis_settings(max_examples=EXAMPLES, deadline=None)
def test_normalize_texts_is_normalize_text_of_each(texts):
    assert normalize_texts(texts) == [normalize_text(text) for text in texts]


def test_normalize_texts_keeps_final_sigma_and_articles_within_each_text():
    texts = ["ΟΔΥΣΣΕΥΣ", "Σ", "ΑΣ'", "Α", "the", "a\u00adthe", "the\x00a", ""]
    assert normalize_texts(texts) == [normalize_text(text) for text in texts]
    assert normalize_texts([]) == []
