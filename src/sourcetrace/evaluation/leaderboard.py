"""`sourcetrace leaderboard`: re-score every committed run and publish the table and the plot.

A run is `evaluate/runs/<system>/predictions.jsonl` with its `run.json` (how it was made). Every
run is scored against the packaged gold with the same settings, bootstrap intervals over
documents included, so the leaderboard is reproducible from the committed files alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.evaluation.run import evaluate, headline_metrics, load_gold
from sourcetrace.jsonio import read_json
from sourcetrace.paths import write_output
from sourcetrace.report.markdown import md_code, md_text
from sourcetrace.report.rows import pct
from sourcetrace.schema.validation import LAYERS

BOOTSTRAP = 1000
SEED = 0
# per layer: the headline metrics shown, in order (names of evaluation.headline_metrics)
COLUMNS = {
    "entities": [f"entities.{s}.f1" for s in ("strict", "exact", "partial", "ent_type")],
    "claims": [f"claims.span.{level}.f1" for level in ("strict", "lenient")],
    "attributions": [
        f"attributions.{part}.{level}.f1"
        for part in ("triple", "source", "cue", "content")
        for level in ("strict", "lenient")
    ],
}
# the one figure per layer that the plot shows
PLOTTED = {
    "entities": "entities.strict.f1",
    "claims": "claims.span.lenient.f1",
    "attributions": "attributions.triple.lenient.f1",
}


def find_runs(runs: Path) -> list[Path]:
    """Run folders, by name: each must hold predictions.jsonl and run.json."""
    folders = sorted(p for p in Path(runs).iterdir() if p.is_dir()) if Path(runs).is_dir() else []
    if not folders:
        raise InputError(
            "no runs to score", file=runs, expected="evaluate/runs/<system>/predictions.jsonl"
        )
    for folder in folders:
        for name in ("predictions.jsonl", "run.json"):
            if not (folder / name).is_file():
                raise InputError(
                    f"run {folder.name!r} has no {name}",
                    file=folder / name,
                    expected="predictions.jsonl and run.json in every run folder",
                )
    return folders


def rerun(runs: Path) -> list[str]:
    """Make every baseline run again from its run.json (its system and options), so a gold
    correction reaches the runs that read the gold (noisy gold); returns the folders re-made.
    Runs of other systems are left as they are: only their authors can re-make them."""
    from sourcetrace.baselines import BASELINES, write_run

    remade = []
    for folder in find_runs(runs):
        record = read_json(folder / "run.json")
        if isinstance(record, dict) and record.get("system") in BASELINES:
            write_run(record["system"], folder, **(record.get("options") or {}))
            remade.append(folder.name)
    return remade


def score_runs(runs: Path, gold: Any = None) -> list[dict[str, Any]]:
    """One entry per run: its name, its run.json, and its report with bootstrap intervals."""
    entries = []
    folders = find_runs(runs)
    gold_set = load_gold(gold)  # one read of the corpus: every run is scored against the same
    for folder in folders:
        report = evaluate(
            folder / "predictions.jsonl", gold=gold_set, bootstrap=BOOTSTRAP, seed=SEED
        )
        entries.append(
            {"system": folder.name, "run": read_json(folder / "run.json"), "report": report}
        )
    return entries


def metric_value(report: Mapping[str, Any], name: str) -> tuple[float, float, float] | None:
    """(F1, low, high) of a headline metric, or None when the run has not that layer."""
    path = headline_metrics(report["layers"]).get(name)
    if path is None:
        return None
    value: Any = report["layers"]
    for key in path:
        value = value[key]
    interval = report["statistics"]["bootstrap"][name]
    return float(value), float(interval["low"]), float(interval["high"])


def _cell(report: Mapping[str, Any], name: str) -> str:
    found = metric_value(report, name)
    if found is None:
        return "-"
    value, low, high = found
    return f"{pct(value)} [{pct(low)}, {pct(high)}]"


def to_markdown(entries: list[dict[str, Any]]) -> str:
    """LEADERBOARD.md: one table per layer, systems in rows, metrics with 95% intervals."""
    first = entries[0]["report"]
    lines = [
        "# sourcetrace leaderboard",
        "",
        "Made by `sourcetrace leaderboard` from `evaluate/runs/*/` (do not edit by hand). "
        f"Each run is scored against corpus {first['corpus']['version']} (data sha256 "
        f"`{first['corpus']['data_sha256'][:12]}`), F1 in percent with {BOOTSTRAP}-sample "
        f"percentile bootstrap intervals over documents (seed {SEED}). With "
        f"{first['corpus']['documents']} documents the intervals are wide: differences inside "
        "them are not evidence. Plot: `leaderboard.png`.",
        "",
        "| system | what it is | made by | predictions sha256 |",
        "|---|---|---|---|",
    ]
    for entry in entries:
        command = entry["run"].get("command", "")
        description = entry["run"].get("description", "")
        digest = entry["report"]["predictions"]["sha256"][:12]
        lines.append(
            f"| {md_text(entry['system'])} | {md_text(description)} | {md_code(command)} | "
            f"`{digest}` |"
        )
    lines += ["", "## Headline", "", *headline_table(entries)]
    for layer in LAYERS:
        names = COLUMNS[layer]
        scored = [e for e in entries if layer in e["report"]["layers"]]
        lines += ["", f"## {layer}", ""]
        if not scored:
            lines.append("No run predicts this layer.")
            continue
        labels = [name.removeprefix(f"{layer}.").removesuffix(".f1") for name in names]
        lines += ["| system | " + " | ".join(labels) + " |", "|---|" + "---|" * len(names)]
        for entry in sorted(scored, key=lambda e: -metric_value(e["report"], PLOTTED[layer])[0]):
            cells = [_cell(entry["report"], name) for name in names]
            lines.append(f"| {md_text(entry['system'])} | " + " | ".join(cells) + " |")
    lines += ["", "Signatures:", ""]
    lines += [f"- {md_text(e['system'])}: {md_code(e['report']['signature'])}" for e in entries]
    return "\n".join(lines) + "\n"


def headline_table(entries: list[dict[str, Any]]) -> list[str]:
    """The plotted figure of each layer per system (F1 % [95% interval]): the README shows it."""
    names = list(PLOTTED.values())
    lines = ["| system | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for entry in entries:
        cells = [_cell(entry["report"], name) for name in names]
        lines.append(f"| {md_text(entry['system'])} | " + " | ".join(cells) + " |")
    return lines


def require_plotting() -> None:
    """matplotlib, checked before anything is written (it comes with the baselines extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            "the leaderboard plot needs matplotlib, which is not installed; nothing was written",
            expected="the baselines extra: pip install 'sourcetrace[baselines]'",
        ) from None


def plot(entries: list[dict[str, Any]], output: Path) -> None:
    """F1 per layer and system with intervals (matplotlib, Agg, no font download)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=["sans-serif"])
    systems = [e["system"] for e in entries]
    figure, axes = plt.subplots(figsize=(9, 0.6 * len(systems) + 2.6), dpi=100)
    height = 0.8 / len(LAYERS)
    for index, layer in enumerate(LAYERS):
        for row, entry in enumerate(entries):
            found = metric_value(entry["report"], PLOTTED[layer])
            if found is None:
                continue
            value, low, high = (100 * v for v in found)
            y = row + (index - 1) * height
            axes.barh(y, value, height=height, color=f"C{index}")
            axes.errorbar(
                value,
                y,
                xerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="black",
                capsize=2,
                linewidth=0.8,
            )
    axes.set_yticks(range(len(systems)), systems, fontproperties=font)
    axes.set_xlim(0, 100)
    axes.set_xlabel("F1 (%) with 95% bootstrap interval over documents", fontproperties=font)
    axes.invert_yaxis()
    handles = [plt.Rectangle((0, 0), 1, 1, color=f"C{i}") for i in range(len(LAYERS))]
    axes.legend(
        handles,
        [PLOTTED[layer] for layer in LAYERS],
        prop=font,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=len(LAYERS),
        frameon=False,
    )
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png", metadata={"Software": None})
    plt.close(figure)
    write_output(output, image.getvalue())


def write_leaderboard(runs: Path, markdown: Path, png: Path, gold: Any = None) -> list[dict]:
    """Score every run, write the Markdown table and the plot; returns the scored entries."""
    require_plotting()
    entries = score_runs(runs, gold)
    write_output(markdown, to_markdown(entries))
    plot(entries, png)
    return entries
