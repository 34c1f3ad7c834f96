"""Attribution match counts of many documents at once, as columns (issue 24).

``attributions.tally_attributions`` compares one document's gold and predicted attributions as
small numpy matrices (``piece_matrices``); over thousands of documents the numpy and Python
overhead per document, and the text comparisons cell by cell, were most of the layer's time.
Here the pieces (cues, contents, source pieces) of all the documents of a batch are laid out
once as flat arrays, every (gold, predicted) attribution pair of every document is one cell of
one vector, and each comparison is computed for all cells together. The results are the same
booleans and counts, exactly:

- offset cells use the integer arithmetic and the float expression of ``PieceComparison``
  (the same numpy operations on the same integers);
- text cells (a side text-only) compare normalised texts (``common.normalize_text``) for
  equality and compute ``common.token_f1`` from token counts: the overlap is the sum over shared
  tokens of the smaller count (an exact integer in float64), then the same float operations in
  the same order (``precision = overlap / len_pred``, ``recall = overlap / len_gold``,
  ``2 * precision * recall / (precision + recall)``), so each F1 is the same double;
- a gold source is right when any of its pieces is (the OR of ``Membership.any_of``), or both
  sides are the article's own voice;
- a count is the size of a maximum matching: forced (each row, or each column, with at most
  one valid cell: ``piece_matrices.matching_sizes``) from per-row and per-column sums, else
  ``assignment.maximum_matching_size`` on the document's own matrix.

A document whose pieces are outside what the arrays handle (``piece_matrices.piece_batch`` and
``comparable`` refuse them) is not scored here (`MatchSizes.scored` is False): the caller runs
the per-document path, which raises, or not, exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from sourcetrace.scoring.assignment import maximum_matching_size
from sourcetrace.scoring.common import normalize_text
from sourcetrace.scoring.matching import THRESHOLD_TOLERANCE, Piece
from sourcetrace.scoring.piece_matrices import OFFSET_LIMIT, token_f1_of_overlaps

# the parts in the order of the rows of `MatchSizes.sizes` (attributions.PARTS x claims.LEVELS)
PART_LEVELS = tuple(
    (part, level)
    for part in ("source", "cue", "content", "triple")
    for level in ("strict", "lenient")
)

# piece states in the flat arrays
_ABSENT, _OFFSETS, _TEXT_ONLY = 0, 1, 2
# documents compared at once: the arrays of a few hundred documents are some megabytes (a
# chunk's thousand at once took 90 MB), and larger blocks are no faster
DOCUMENTS_AT_ONCE = 250
# the three kinds of piece (segments of `piece_matrices.piece_batch`): cue, content, source
_KINDS = 3


class SourcedAttributions(NamedTuple):
    """One document's attributions with their resolved sources (``attributions`` resolves
    them): a gold source is None (own voice) or the pieces that name it, a predicted one a
    piece or None."""

    gold: Sequence[Mapping[str, Any]]
    pred: Sequence[Mapping[str, Any]]
    gold_sources: Sequence[list[Piece] | None]
    pred_sources: Sequence[Piece | None]


class MatchSizes(NamedTuple):
    """Per document: whether it was scored here, and the matching size of each (part, level)
    of `PART_LEVELS` (rows x documents; 0 where not scored)."""

    scored: np.ndarray
    sizes: np.ndarray


class _Side:
    """One side's pieces of the whole batch as flat lists (filled document by document)."""

    def __init__(self) -> None:
        self.pieces: list[Piece | None] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.states: list[int] = []

    def add(self, pieces: Sequence[Any], flags: list[list[bool]], kind: int) -> bool:
        """Append ``pieces`` of one kind, as ``piece_batch`` classifies them; False for a piece
        it refuses. ``flags[kind]`` collects (any text-only, any present piece with offsets
        and without a string text): what ``comparable`` reads."""
        starts, ends, states = self.starts, self.ends, self.states
        for piece in pieces:
            if piece is None:
                starts.append(0)
                ends.append(0)
                states.append(_ABSENT)
                continue
            if type(piece) is not dict:
                return False
            start = piece.get("start")
            end = piece.get("end")
            if type(start) is int and type(end) is int:
                if not (
                    -OFFSET_LIMIT < start < OFFSET_LIMIT and -OFFSET_LIMIT < end < OFFSET_LIMIT
                ):
                    return False
                starts.append(start)
                ends.append(end)
                states.append(_OFFSETS)
                if type(piece.get("text")) is not str:
                    flags[kind][1] = True
            elif start is None or end is None:
                if type(piece.get("text")) is not str:
                    return False
                starts.append(0)
                ends.append(0)
                states.append(_TEXT_ONLY)
                flags[kind][0] = True
            else:
                return False
        self.pieces += pieces
        return True

    def truncate(self, size: int) -> None:
        """Drop what a refused document appended."""
        del self.pieces[size:], self.starts[size:], self.ends[size:], self.states[size:]


def match_sizes(
    documents: Sequence[SourcedAttributions], threshold: float, name_threshold: float
) -> MatchSizes:
    """The matching size of each part and level of each document (module docstring), as
    ``attributions.tally_attributions`` counts it; ``threshold``: the checked claim threshold
    (lenient content), ``name_threshold``: the token F1 of lenient sources and cues
    (``attributions.NAME_TOKEN_F1_THRESHOLD``)."""
    scored = np.zeros(len(documents), dtype=bool)
    sizes = np.zeros((len(PART_LEVELS), len(documents)), dtype=np.int64)
    for first in range(0, len(documents), DOCUMENTS_AT_ONCE):
        part = np.s_[first : first + DOCUMENTS_AT_ONCE]
        scored[part], sizes[:, part] = _match_sizes(documents[part], (threshold, name_threshold))
    return MatchSizes(scored, sizes)


def _match_sizes(
    documents: Sequence[SourcedAttributions], thresholds: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """`match_sizes` of a few hundred documents."""
    gold, pred = _Side(), _Side()
    scored = np.zeros(len(documents), dtype=bool)
    # per scored document with attributions on both sides
    kept: list[int] = []
    n_gold: list[int] = []
    n_pred: list[int] = []
    # per gold / predicted attribution of those: its pieces' places in the flat lists
    gold_cue: list[int] = []
    gold_content: list[int] = []
    own_voice: list[bool] = []
    pred_cue: list[int] = []
    pred_content: list[int] = []
    pred_source: list[int] = []
    # (gold attribution, piece) pairs: which piece names which gold source
    member_rows: list[int] = []
    member_pieces: list[int] = []
    rows_before = cols_before = 0  # attributions of the kept documents so far
    for index, document in enumerate(documents):
        size_g, size_p = len(document.gold), len(document.pred)
        if not size_g or not size_p:
            scored[index] = True  # every matrix is empty: every size 0
            continue
        marks = (len(gold.pieces), len(pred.pieces), len(member_rows))
        if not _add_document(
            document,
            gold,
            pred,
            rows_before,
            (gold_cue, gold_content, own_voice),
            (pred_cue, pred_content, pred_source),
            (member_rows, member_pieces),
        ):
            gold.truncate(marks[0])
            pred.truncate(marks[1])
            del member_rows[marks[2] :], member_pieces[marks[2] :]
            del gold_cue[rows_before:], gold_content[rows_before:], own_voice[rows_before:]
            del pred_cue[cols_before:], pred_content[cols_before:], pred_source[cols_before:]
            continue
        rows_before += size_g
        cols_before += size_p
        scored[index] = True
        kept.append(index)
        n_gold.append(size_g)
        n_pred.append(size_p)
    sizes = np.zeros((len(PART_LEVELS), len(documents)), dtype=np.int64)
    if kept:
        right = _right_vectors(
            gold,
            pred,
            np.array(n_gold, dtype=np.int64),
            np.array(n_pred, dtype=np.int64),
            (gold_cue, gold_content, own_voice),
            (pred_cue, pred_content, pred_source),
            (member_rows, member_pieces),
            thresholds,
        )
        sizes[:, kept] = _sizes(right, np.array(n_gold), np.array(n_pred))
    return scored, sizes


def _add_document(
    document: SourcedAttributions,
    gold: _Side,
    pred: _Side,
    first_row: int,
    gold_rows: tuple[list[int], list[int], list[bool]],
    pred_cols: tuple[list[int], list[int], list[int]],
    members: tuple[list[int], list[int]],
) -> bool:
    """Append one document's pieces and their places; False where ``piece_batch`` or
    ``comparable`` would refuse the document's pieces (the caller then undoes the appends)."""
    gold_cue, gold_content, own_voice = gold_rows
    pred_cue, pred_content, pred_source = pred_cols
    member_rows, member_pieces = members
    gold_flags = [[False, False] for _ in range(_KINDS)]
    pred_flags = [[False, False] for _ in range(_KINDS)]
    size_g, size_p = len(document.gold), len(document.pred)
    # gold: cues, contents, then the distinct source pieces (by identity, as _source_mentions)
    base = len(gold.pieces)
    if not gold.add([a.get("cue") for a in document.gold], gold_flags, 0):
        return False
    if not gold.add([a.get("content") for a in document.gold], gold_flags, 1):
        return False
    mentions: list[Piece] = []
    column_of: dict[int, int] = {}
    source_base = base + 2 * size_g
    for row, source in enumerate(document.gold_sources):
        own_voice.append(source is None)
        for piece in source or ():
            column = column_of.setdefault(id(piece), len(mentions))
            if column == len(mentions):
                mentions.append(piece)
            member_rows.append(first_row + row)
            member_pieces.append(source_base + column)
    if not gold.add(mentions, gold_flags, 2):
        return False
    gold_cue += range(base, base + size_g)
    gold_content += range(base + size_g, base + 2 * size_g)
    base = len(pred.pieces)
    if not (
        pred.add([a.get("cue") for a in document.pred], pred_flags, 0)
        and pred.add([a.get("content") for a in document.pred], pred_flags, 1)
        and pred.add(list(document.pred_sources), pred_flags, 2)
    ):
        return False
    pred_cue += range(base, base + size_p)
    pred_content += range(base + size_p, base + 2 * size_p)
    pred_source += range(base + 2 * size_p, base + 3 * size_p)
    # comparable(): a text-only piece on one side and, in the same kind, a present piece with
    # offsets but no string text on the other would make a per-pair comparison raise
    return not any(
        (gold_flags[kind][0] and pred_flags[kind][1])
        or (pred_flags[kind][0] and gold_flags[kind][1])
        for kind in range(_KINDS)
    )


class _Cells(NamedTuple):
    """The (gold, predicted) attribution pairs of every kept document, row-major per document:
    each pair's gold and predicted attribution (global indices)."""

    rows: np.ndarray
    cols: np.ndarray


def _block_cells(
    row_offsets: np.ndarray, n_rows: np.ndarray, col_offsets: np.ndarray, n_cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, column) of each block (rows x columns, row-major), blocks one after another."""
    sizes = n_rows * n_cols
    total = int(sizes.sum())
    block = np.repeat(np.arange(len(sizes)), sizes)
    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    width = n_cols[block]
    return row_offsets[block] + within // width, col_offsets[block] + within % width


def _right_vectors(
    gold: _Side,
    pred: _Side,
    n_gold: np.ndarray,
    n_pred: np.ndarray,
    gold_rows: tuple[list[int], list[int], list[bool]],
    pred_cols: tuple[list[int], list[int], list[int]],
    members: tuple[list[int], list[int]],
    thresholds: tuple[float, float],
) -> dict[tuple[str, str], np.ndarray]:
    """Per (part, level), which attribution pairs have it right (one flat vector of cells)."""
    row_offsets = np.cumsum(n_gold) - n_gold
    col_offsets = np.cumsum(n_pred) - n_pred
    rows, cols = _block_cells(row_offsets, n_gold, col_offsets, n_pred)
    gold_cue, gold_content, own_voice = (
        np.array(x, dtype=dtype)
        for x, dtype in zip(gold_rows, (np.int64, np.int64, bool), strict=True)
    )
    pred_cue, pred_content, pred_source = (np.array(x, dtype=np.int64) for x in pred_cols)
    member_rows = np.array(members[0], dtype=np.int64)
    member_pieces = np.array(members[1], dtype=np.int64)
    # source piece cells: each (gold attribution, piece) membership against every predicted
    # attribution of its document, and the attribution pair each cell answers for
    document_of_row = np.repeat(np.arange(len(n_gold)), n_gold)
    member_document = document_of_row[member_rows]
    member_width = n_pred[member_document]
    member_of_cell, pred_of_cell = _block_cells(
        np.arange(len(member_rows)),
        np.ones(len(member_rows), dtype=np.int64),
        col_offsets[member_document],
        member_width,
    )
    pair_offsets = np.cumsum(n_gold * n_pred) - n_gold * n_pred
    member_document_cell = member_document[member_of_cell]
    source_target = (
        pair_offsets[member_document_cell]
        + (member_rows[member_of_cell] - row_offsets[member_document_cell])
        * n_pred[member_document_cell]
        + (pred_of_cell - col_offsets[member_document_cell])
    )
    n_cells = len(rows)
    n_members = len(member_of_cell)
    gold_index = np.concatenate([gold_cue[rows], gold_content[rows], member_pieces[member_of_cell]])
    pred_index = np.concatenate([pred_cue[cols], pred_content[cols], pred_source[pred_of_cell]])
    same, touch, similar, both_absent, either_absent = _compare(
        gold, pred, gold_index, pred_index, 2 * n_cells, thresholds
    )
    cue = np.s_[:n_cells]
    content = np.s_[n_cells : 2 * n_cells]
    sources = np.s_[2 * n_cells : 2 * n_cells + n_members]
    pred_source_absent = np.array(pred.states, dtype=np.int8)[pred_source] == _ABSENT
    own = own_voice[rows] & pred_source_absent[cols]
    right: dict[tuple[str, str], np.ndarray] = {}
    for level, matrix in (("strict", same), ("lenient", touch)):
        named = np.zeros(n_cells, dtype=bool)
        named[source_target[matrix[sources]]] = True
        right["source", level] = named | own
        right["cue", level] = matrix[cue] | both_absent[cue]
    right["content", "strict"] = same[content] | both_absent[content]
    right["content", "lenient"] = (similar & ~either_absent[content]) | both_absent[content]
    for level in ("strict", "lenient"):
        right["triple", level] = (
            right["source", level] & right["cue", level] & right["content", level]
        )
    return right


def _compare(
    gold: _Side,
    pred: _Side,
    gold_index: np.ndarray,
    pred_index: np.ndarray,
    content_stop: int,
    thresholds: tuple[float, float],
) -> tuple[np.ndarray, ...]:
    """For each cell (a gold and a predicted piece): ``same_piece``, ``pieces_touch`` at the
    second threshold, the content similarity at least the first (cells from the content start, the
    cue block's size, to ``content_stop``), both absent and either absent, as
    ``PieceComparison`` computes them."""
    threshold, name_threshold = thresholds
    gold_states = np.array(gold.states, dtype=np.int8)[gold_index]
    pred_states = np.array(pred.states, dtype=np.int8)[pred_index]
    gold_starts = np.array(gold.starts, dtype=np.int64)[gold_index]
    gold_ends = np.array(gold.ends, dtype=np.int64)[gold_index]
    pred_starts = np.array(pred.starts, dtype=np.int64)[pred_index]
    pred_ends = np.array(pred.ends, dtype=np.int64)[pred_index]
    gold_absent = gold_states == _ABSENT
    pred_absent = pred_states == _ABSENT
    both_absent = gold_absent & pred_absent
    either_absent = gold_absent | pred_absent
    same = (gold_starts == pred_starts) & (gold_ends == pred_ends)
    touch = np.minimum(gold_ends, pred_ends) > np.maximum(gold_starts, pred_starts)
    content_start = content_stop // 2
    content = np.s_[content_start:content_stop]
    shared = np.minimum(gold_ends[content], pred_ends[content]) - np.maximum(
        gold_starts[content], pred_starts[content]
    )
    overlaps = np.maximum(shared, 0)
    lengths = (gold_ends[content] - gold_starts[content]) + (
        pred_ends[content] - pred_starts[content]
    )
    similarity = np.zeros(overlaps.shape, dtype=float)
    np.divide(2 * overlaps, lengths, out=similarity, where=lengths != 0)
    text = ~either_absent & ((gold_states == _TEXT_ONLY) | (pred_states == _TEXT_ONLY))
    cells = np.flatnonzero(text)
    if len(cells):
        same_text, token_f1 = _text_cells(gold, pred, gold_index[cells], pred_index[cells])
        same[cells] = same_text
        touch[cells] = token_f1 >= name_threshold - THRESHOLD_TOLERANCE
        in_content = (cells >= content_start) & (cells < content_stop)
        similarity[cells[in_content] - content_start] = token_f1[in_content]
    same[either_absent] = False
    touch[either_absent] = False
    similarity[either_absent[content]] = 0.0
    similar = similarity >= threshold - THRESHOLD_TOLERANCE
    return same, touch, similar, both_absent, either_absent


def _text_cells(
    gold: _Side, pred: _Side, gold_pieces: np.ndarray, pred_pieces: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``normalize_text(gold) == normalize_text(pred)`` and ``token_f1(pred, gold)`` of each
    cell's texts, each distinct text normalised once.

    The overlap of two token bags (the sum over shared tokens of the smaller count) is counted
    over one text's tokens: the k-th occurrence of a token counts when the other text has it
    at least k times."""
    text_id: dict[str, int] = {}
    gold_text = _text_ids(gold.pieces, gold_pieces, text_id)
    pred_text = _text_ids(pred.pieces, pred_pieces, text_id)
    normal_id: dict[str, int] = {}
    normals: list[int] = []
    lengths: list[int] = []
    words: list[str] = []
    for text in text_id:
        normal = normalize_text(text)
        normals.append(normal_id.setdefault(normal, len(normal_id)))
        split = normal.split()
        lengths.append(len(split))
        words += split
    normal_of = np.array(normals, dtype=np.int64)
    length_of = np.array(lengths, dtype=np.int64)
    same_text = normal_of[gold_text] == normal_of[pred_text]
    token_id: dict[str, int] = {}
    tokens = np.array([token_id.setdefault(word, len(token_id)) for word in words], dtype=np.int64)
    vocabulary = max(len(token_id), 1)
    # each text's tokens as keys (text, token), sorted: a text's tokens stay together
    keys = np.repeat(np.arange(len(lengths), dtype=np.int64), length_of) * vocabulary + tokens
    keys.sort()
    fresh = np.ones(len(keys), dtype=bool)
    fresh[1:] = keys[1:] != keys[:-1]
    run_starts = np.flatnonzero(fresh)
    distinct_keys = keys[fresh]
    key_counts = np.diff(np.append(run_starts, len(keys)))
    # the occurrence number (1, 2, ...) of each token within its text
    occurrence = np.arange(len(keys)) - run_starts[np.cumsum(fresh) - 1] + 1
    text_starts = np.cumsum(length_of) - length_of
    gold_length = length_of[gold_text]
    pred_length = length_of[pred_text]
    # the overlap is symmetric: walk the shorter text's tokens, look them up in the other
    gold_shorter = gold_length <= pred_length
    walked = np.where(gold_shorter, gold_text, pred_text)
    looked_up = np.where(gold_shorter, pred_text, gold_text)
    cell_of, position = _block_cells(
        np.arange(len(gold_text)),
        np.ones(len(gold_text), dtype=np.int64),
        text_starts[walked],
        length_of[walked],
    )
    wanted = looked_up[cell_of] * vocabulary + keys[position] % vocabulary
    found_at = np.searchsorted(distinct_keys, wanted)
    found_at[found_at == len(distinct_keys)] = 0
    counted = (distinct_keys[found_at] == wanted) & (key_counts[found_at] >= occurrence[position])
    overlap = np.bincount(cell_of, weights=counted, minlength=len(gold_text))
    return same_text, token_f1_of_overlaps(overlap, gold_length, pred_length)


def _text_ids(
    pieces: list[Piece | None], indices: np.ndarray, text_id: dict[str, int]
) -> np.ndarray:
    """Each indexed piece's text as an id (a new id for a text not seen yet)."""
    unique, inverse = np.unique(indices, return_inverse=True)
    ids = [
        text_id.setdefault(text, len(text_id))
        for text in (pieces[index]["text"] for index in unique.tolist())
    ]
    return np.array(ids, dtype=np.int64)[inverse.reshape(-1)]


def _sizes(
    right: dict[tuple[str, str], np.ndarray], n_gold: np.ndarray, n_pred: np.ndarray
) -> np.ndarray:
    """Matching sizes (part-levels x documents) of each document's block of each vector."""
    row_offsets = np.cumsum(n_gold) - n_gold
    col_offsets = np.cumsum(n_pred) - n_pred
    pair_sizes = n_gold * n_pred
    pair_offsets = np.cumsum(pair_sizes) - pair_sizes
    rows, cols = _block_cells(row_offsets, n_gold, col_offsets, n_pred)
    document_of_row = np.repeat(np.arange(len(n_gold)), n_gold)
    sizes = np.zeros((len(PART_LEVELS), len(n_gold)), dtype=np.int64)
    for index, key in enumerate(PART_LEVELS):
        valid = right[key]
        found = component_matching_sizes(rows[valid], cols[valid], document_of_row, len(n_gold))
        for document in np.flatnonzero(found < 0).tolist():
            start = pair_offsets[document]
            block = valid[start : start + pair_sizes[document]]
            found[document] = maximum_matching_size(
                block.reshape(int(n_gold[document]), int(n_pred[document]))
            )
        sizes[index] = found
    return sizes


def component_matching_sizes(
    rows: np.ndarray, cols: np.ndarray, group_of_row: np.ndarray, groups: int
) -> np.ndarray:
    """Per group of rows (a document), the size of a maximum matching of the valid cells
    ``(rows[k], cols[k])`` (no column shared between groups), or -1 where it needs a solver.

    A maximum matching is one per connected component of the valid cells, and a component has
    a closed form when every row in it has one valid cell (then one column, matched once),
    every column one (its rows), or it is complete (the smaller side): the forced cases of
    ``piece_matrices.matching_sizes``, and blocks of interchangeable items.
    """
    sizes = np.zeros(groups, dtype=np.int64)
    if not len(rows):
        return sizes
    # nodes: the rows, then the columns; components by propagating the smallest node id
    row_nodes, row_of_edge = np.unique(rows, return_inverse=True)
    col_nodes, col_of_edge = np.unique(cols, return_inverse=True)
    left = row_of_edge.reshape(-1)
    right = len(row_nodes) + col_of_edge.reshape(-1)
    labels = np.arange(len(row_nodes) + len(col_nodes))
    while True:
        lowest = np.minimum(labels[left], labels[right])
        moved = labels.copy()
        np.minimum.at(moved, left, lowest)
        np.minimum.at(moved, right, lowest)
        moved = moved[moved]
        if np.array_equal(moved, labels):
            break
        labels = moved
    n_nodes = len(labels)
    component = labels[left]
    edges = np.bincount(component, minlength=n_nodes)
    row_degree = np.bincount(left, minlength=len(row_nodes))
    col_degree = np.bincount(col_of_edge.reshape(-1), minlength=len(col_nodes))
    row_component = labels[: len(row_nodes)]
    col_component = labels[len(row_nodes) :]
    n_rows = np.bincount(row_component, minlength=n_nodes)
    n_cols = np.bincount(col_component, minlength=n_nodes)
    most_per_row = np.zeros(n_nodes, dtype=np.int64)
    np.maximum.at(most_per_row, row_component, row_degree)
    most_per_col = np.zeros(n_nodes, dtype=np.int64)
    np.maximum.at(most_per_col, col_component, col_degree)
    size = np.where(
        most_per_row <= 1,
        n_cols,
        np.where(
            most_per_col <= 1,
            n_rows,
            np.where(edges == n_rows * n_cols, np.minimum(n_rows, n_cols), -1),
        ),
    )
    # one entry per component (its smallest node, a row: every component has an edge)
    roots = np.flatnonzero((labels == np.arange(n_nodes)) & (edges > 0))
    group = group_of_row[row_nodes[roots]]
    np.add.at(sizes, group, size[roots])
    unsolved = np.zeros(groups, dtype=bool)
    unsolved[group[size[roots] < 0]] = True
    sizes[unsolved] = -1
    return sizes


__all__ = [
    "PART_LEVELS",
    "MatchSizes",
    "SourcedAttributions",
    "component_matching_sizes",
    "match_sizes",
]
