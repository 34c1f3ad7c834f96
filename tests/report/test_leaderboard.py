"""`sourcetrace leaderboard`: every committed run re-scored gives the committed table and plot;
on hand-made runs the cells are what the scores and intervals must be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    for system in systems:
        assert f"| {system} |" in markdown.read_text(encoding="utf-8")


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
