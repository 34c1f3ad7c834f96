"""`sourcetrace leaderboard`: every committed run re-scored gives the committed table and plot;
on hand-made runs the cells are what the scores and intervals must be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcetrace.schema.layers import LAYERS

from gold_factory import ROOT

RUNS = ROOT / "evaluate" / "runs"
GOLD = sorted((ROOT / "annotations" / "gold").glob("*.json"))


def write_run(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True)
    (folder / "predictions.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    (folder / "run.json").write_text(json.dumps({"command": f"made by hand: {folder.name}"}))
    return folder


def gold_records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in GOLD]


def test_the_committed_leaderboard_is_what_the_command_makes(run_cli, tmp_path):
    markdown, png = tmp_path / "LEADERBOARD.md", tmp_path / "leaderboard.png"
    result = run_cli("leaderboard", "--runs", RUNS, "--output", markdown, "--plot", png)
    assert result.code == 0, result.err
    assert markdown.read_text(encoding="utf-8") == (ROOT / "evaluate" / "LEADERBOARD.md").read_text(
        encoding="utf-8"
    )
    assert png.read_bytes() == (ROOT / "evaluate" / "leaderboard.png").read_bytes()
    systems = sorted(p.name for p in RUNS.iterdir() if p.is_dir())
    text = markdown.read_text(encoding="utf-8")
    for system in systems:
        assert f"| {system} |" in text or f"| {system} (reference) |" in text


def test_hand_made_runs_give_their_scores_and_intervals(run_cli, tmp_path):
    runs = tmp_path / "runs"
    write_run(runs / "gold-itself", gold_records())
    nothing = [{"doc_id": g["doc_id"], "entities": [], "claims": []} for g in gold_records()]
    write_run(runs / "finds-nothing", nothing)
    markdown = tmp_path / "LB.md"
    result = run_cli("leaderboard", "--runs", runs, "--output", markdown)
    assert result.code == 0, result.err
    text = markdown.read_text(encoding="utf-8")
    perfect = "100.00 [100.00, 100.00]"
    assert f"| gold-itself | {' | '.join([perfect] * 4)} |" in text  # entities, 4 schemes
    assert f"| finds-nothing | {' | '.join(['0.00 [0.00, 0.00]'] * 4)} |" in text
    # finds-nothing has no attributions layer: it is not in the attributions table
    attributions = text.split("## attributions", 1)[1].split("\n\n", 2)[1]
    assert "gold-itself" in attributions and "finds-nothing" not in attributions
    # systems are ranked by the plotted figure: the perfect run first
    entities = text.split("## entities", 1)[1]
    assert entities.index("gold-itself") < entities.index("finds-nothing")
    png = tmp_path / "leaderboard.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("missing", ["run.json", "predictions.jsonl"])
def test_a_run_without_its_files_is_refused(run_cli, tmp_path, missing):
    run = write_run(tmp_path / "runs" / "broken", gold_records())
    (run / missing).unlink()
    result = run_cli("leaderboard", "--runs", tmp_path / "runs", "--output", tmp_path / "x.md")
    assert result.code == 2
    assert f"has no {missing}" in result.err
    assert not (tmp_path / "x.md").exists()


def test_the_plot_is_titled_signed_and_sets_references_apart(tmp_path):
    """Read from the figure's own texts and the PNG's metadata: a title with the corpus version,
    the signature, reference runs (noisy gold) below a rule and marked, and "not scored" where a
    run has no layer."""
    from PIL import Image

    from sourcetrace.report.leaderboard import (
        NOT_SCORED,
        leaderboard_figure,
        plot,
        plot_title,
        score_runs,
    )

    runs = tmp_path / "runs"
    # a reference is named by its run.json's system; it sorts first by name, yet goes last
    reference = write_run(runs / "a-noisy", gold_records())
    (reference / "run.json").write_text(json.dumps({"system": "noisy-gold", "command": "x"}))
    entities_only = [{"doc_id": g["doc_id"], "entities": g["entities"]} for g in gold_records()]
    write_run(runs / "b-entities-only", entities_only)
    write_run(runs / "c-gold", gold_records())
    entries = score_runs(runs, references={"noisy-gold"})
    report = entries[0]["report"]
    figure = leaderboard_figure(entries)
    axes = figure.axes[0]
    title, signature = plot_title(entries)
    assert axes.get_title() == title
    assert f"corpus {report['corpus']['version']}" in title
    texts = [t.get_text() for t in figure.texts] + [t.get_text() for t in axes.texts]
    assert f"signature: {signature}" in texts
    shared = report["signature"].split("|")
    assert [p for p in signature.split("|") if not p.startswith("layers:")] == [
        p for p in shared if not p.startswith("layers:")
    ]
    # b-entities-only has every plotted layer but entities missing
    assert texts.count(NOT_SCORED) == len(LAYERS) - 1
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert labels == ["b-entities-only", "c-gold", "a-noisy (reference)"]
    rules = [line for line in axes.get_lines() if line.get_linestyle() == "--"]
    assert len(rules) == 1 and rules[0].get_ydata()[0] == 1.5  # between row 1 and row 2
    png = tmp_path / "plot.png"
    plot(entries, png)
    metadata = Image.open(png).text
    assert metadata["Title"] == title and metadata["Description"] == signature


def test_reference_runs_are_marked_and_listed_after_the_systems_in_every_table(tmp_path):
    """A reference run (made from the gold) scores 100, the system (half its entities retyped)
    less, and the reference sorts first by name; in the Markdown it is marked and comes after
    every system, in the runs table, the headline and each layer."""
    from sourcetrace.report.leaderboard import score_runs, to_markdown
    from sourcetrace.schema.validation import LAYERS

    runs = tmp_path / "runs"
    reference = write_run(runs / "a-noisy", gold_records())
    (reference / "run.json").write_text(json.dumps({"system": "noisy-gold", "command": "x"}))

    def retyped(entities: list[dict]) -> list[dict]:  # predicted without entity ids
        kept = [{k: v for k, v in e.items() if k != "entity"} for e in entities]
        return [{**e, "type": "EVENT"} if i % 2 else e for i, e in enumerate(kept)]

    write_run(
        runs / "b-system", [{**g, "entities": retyped(g["entities"])} for g in gold_records()]
    )
    text = to_markdown(score_runs(runs, references={"noisy-gold"}))
    tables = [block for block in text.split("\n\n") if block.startswith("| system")]
    assert len(tables) == 2 + len(LAYERS)  # runs, headline, one per layer (both carry them all)
    for table in tables:
        rows = [line.split(" | ")[0] for line in table.splitlines()[2:]]
        assert rows == ["| b-system", "| a-noisy (reference)"]
    assert "made from the gold itself" in text
