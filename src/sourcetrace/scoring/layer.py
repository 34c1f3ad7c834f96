"""What a scored layer is, in the manner of sacrebleu's `Metric`: the class is the
implementation and owns its vocabulary.

Each scoring module defines its own `LayerScorer` (entities.py, entity_clusters.py, claims.py,
attributions.py, ...) and `registry.py` only lists them in a fixed order. A scorer says how it
tallies one document into additive counts (its sufficient statistics), how summed counts become
its report section, its headline figures (those that get intervals and paired tests), the one
figure the leaderboard plots and the HTML page names (`figure`), its per-document figures, its
precision-recall curves, and what the statistics of a partial file must satisfy for it
(`partial_fields`, `check_partial`: `sourcetrace merge` refuses anything else). The report finds
its rows by the scorer's name inside `report/rows.py`, or builds them from its headline figures.
This module sits below every scorer, so none of them imports the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sourcetrace.scoring.common import Tally
from sourcetrace.scoring.dense import MatchingTooLarge
from sourcetrace.scoring.tallies import TallyTable

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

Document = Mapping[str, Any]
# (gold document, predicted document, text) of each scored document, in document-id order
Batch = Sequence[tuple[Document, Document, str]]
# a leaf of a tally, outermost key first (the scorer's name first)
FieldPath = tuple[str, ...]


class Figure(NamedTuple):
    """The one headline figure of a layer: plotted by the leaderboard, named on the HTML page,
    and the level at which `explain` lists items."""

    name: str  # a name of `headline_metrics`
    path: tuple[str, ...]  # the node in the layer's section that holds its counts and F1
    label: str  # how the page says which figure it is
    per_document: tuple[str, ...]  # the same node inside the layer's per-document figures


class PartialFields(NamedTuple):
    """The leaves a scorer writes into a partial file's tallies: numeric counts, lists that
    every document has, lists that only some shards write (claim attribute labels), the
    numeric leaves a document may lack (the entity per-type groups), numeric leaves that
    only some shards write (the source phrases of attributions, where a side carries them), and
    pooled counts (one per shard, tallies.PooledCounts: the cluster pairs)."""

    numeric: frozenset[FieldPath]
    lists: frozenset[FieldPath] = frozenset()
    optional_lists: frozenset[FieldPath] = frozenset()
    sometimes_absent: frozenset[FieldPath] = frozenset()
    optional_numeric: frozenset[FieldPath] = frozenset()
    pooled: frozenset[FieldPath] = frozenset()


@dataclass(frozen=True)
class LayerScorer:
    """One scored layer: see the module docstring."""

    name: str  # its key in a tally
    layer: str  # the annotation layer it reads, and that `--layers` names
    section: tuple[str, ...]  # where its summary goes under the report's "layers"
    tally: Callable[[Document, Document, Settings, str], Tally]
    summarize: Callable[[Mapping[str, Any], Settings], Any]
    # the leaves of its tallies in a partial file, given the fields the partial lists (the
    # entity scorer's per-type leaves depend on them); refuses a field it cannot have written
    partial_fields: Callable[[Statistics], PartialFields]
    # the identities and bounds its counts satisfy in every document of a partial file
    check_partial: Callable[[Statistics], None]
    headline: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, path in its section)
    per_document: Callable[[Mapping[str, Any]], Any] | None = None
    figure: Figure | None = None
    # all documents at once, as columns (for speed); must equal `tally` document by document;
    # None for a batch it does not take (then `tally` scores each document)
    tally_batch: Callable[[list[str], Batch, Settings], TallyTable | None] | None = None
    # the precision-recall curves drawn when the items carry scores (confidence.py):
    # (name, path in its section to a node with precision and recall)
    curves: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def tally_documents(self, doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable:
        """The tallies of every document, as a table keyed under this scorer's name."""
        if self.tally_batch is not None:
            try:
                table = self.tally_batch(doc_ids, batch, settings)
            except MatchingTooLarge as error:  # it knows the document's place in the batch
                if error.document_index is None:
                    raise
                raise error.in_document(doc_ids[error.document_index]) from None
            if table is not None:
                return table.under((self.name,))
        tallies = {}
        for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True):
            try:
                tallies[doc_id] = self.tally(gold, pred, settings, text)
            except MatchingTooLarge as error:
                raise error.in_document(doc_id) from None
        return TallyTable.from_tallies(tallies).under((self.name,))
