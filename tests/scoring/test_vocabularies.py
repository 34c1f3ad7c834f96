"""One home per vocabulary: the report rows, the HTML page, the leaderboard and the CLI choices
read the layer registry's (and labels.json's) vocabularies, they do not keep copies; formats
come from the format registry, and the run mode is the library's choice."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.cli.main import build_parser
from sourcetrace.errors import InputError
from sourcetrace.evaluation.modes import evaluate_in_mode
from sourcetrace.report import leaderboard
from sourcetrace.report.formats import FORMATS, REGISTRY, Format, choose_format, registry_of
from sourcetrace.report.html import LEVEL_NAMES
from sourcetrace.report.html import PARTS as HTML_PARTS
from sourcetrace.report.rows import section_rows, summary_rows
from sourcetrace.schema.labels import names
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.attributions import PARTS, TRIPLE_PARTS
from sourcetrace.scoring.claims import LEVELS
from sourcetrace.scoring.entities import SCHEMES
from sourcetrace.scoring.registry import SCORERS, figures, headline_metrics

from gold_factory import gold_st000, seed_text


def _choices(command: str, option: str) -> list[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = commands.choices[command]
    return list(next(a for a in sub._actions if option in a.option_strings).choices)


def test_cli_layer_and_mention_choices_are_the_registry_and_labels_json():
    assert _choices("evaluate", "--layers") == list(LAYERS)
    assert {scorer.layer for scorer in SCORERS} == set(LAYERS)
    assert _choices("evaluate", "--mentions") == names("mention_kinds")


def test_leaderboard_columns_and_plot_are_the_registry_headline_figures():
    for layer in LAYERS:
        assert sorted(leaderboard.COLUMNS[layer]) == sorted(headline_metrics([layer]))
    assert {layer: figure.name for layer, figure in figures().items()} == leaderboard.PLOTTED
    assert set(leaderboard.PLOTTED) == set(LAYERS)
    for layer, name in leaderboard.PLOTTED.items():
        assert name in headline_metrics([layer])


def test_html_page_names_the_registry_figure_and_every_triple_part():
    assert {layer: figure.label for layer, figure in figures().items()} == LEVEL_NAMES
    assert HTML_PARTS == TRIPLE_PARTS
    assert (*TRIPLE_PARTS, "triple") == PARTS


def test_report_rows_cover_every_scorer_and_each_scheme_level_and_part():
    assert set(section_rows()) == {scorer.name for scorer in SCORERS}
    gold = gold_st000()
    report = sourcetrace.evaluate([gold], gold=[{**gold, "text": seed_text("st-000")}])
    measures = {(row[0], row[1]) for row in summary_rows(report)}
    expected = {("entities", scheme) for scheme in SCHEMES}
    expected |= {("claims", f"span {level}") for level in LEVELS}
    expected |= {("attributions", f"{part} {level}") for part in PARTS for level in LEVELS}
    assert expected <= measures


def test_every_format_and_ending_comes_from_the_format_registry():
    assert _choices("evaluate", "--format") == list(FORMATS)
    assert list(REGISTRY) == list(FORMATS)
    for fmt in REGISTRY.values():
        for suffix in fmt.suffixes:
            assert choose_format(None, Path(f"report{suffix.upper()}"), FORMATS) == fmt.name
    # the page and the error lists are drawn from the item outcomes
    assert [name for name, fmt in REGISTRY.items() if fmt.needs_items] == ["html", "tsv", "csv"]


def test_a_format_or_an_ending_registered_twice_is_refused():
    table = REGISTRY["table"]
    with pytest.raises(ValueError, match="registered twice"):
        registry_of([table, table])
    with pytest.raises(ValueError, match="registered twice"):
        registry_of([table, Format("plain", table.suffixes, table.render)])


def test_the_explained_run_reports_what_the_plain_run_with_per_document_scores_does():
    gold = gold_st000()
    records = [{**gold, "text": seed_text("st-000")}]
    explained, explanation = evaluate_in_mode([gold], gold=records, explain=True)
    plain, none = evaluate_in_mode([gold], gold=records, per_document=True)
    assert explained == plain and none is None
    assert set(explanation) == {"st-000"}


def test_workers_with_a_format_that_needs_items_is_refused_before_reading():
    with pytest.raises(InputError, match="--workers with the HTML page"):
        evaluate_in_mode(Path("no such file"), explain=True, workers=2)
