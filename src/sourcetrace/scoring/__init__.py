"""Scorers, one module per annotation layer, plus shared span and statistics helpers.

Every layer scorer follows one protocol so that statistics can resample documents:

* ``tally_<layer>(gold_doc, pred_doc, **settings) -> Tally`` works on ONE document and returns
  additive counts (nested dicts of ints, and lists for paired attribute values);
* ``summarize_<layer>(tally, **settings) -> dict`` turns a (summed) tally into the report section.

``add_tallies`` sums tallies, so a corpus score is ``summarize(add_tallies(per_doc.values()))``
and a bootstrap replicate is the same over a resampled list of documents.
"""
