"""`sourcetrace leaderboard`: re-score every committed run and publish the table and the plot.

A run is `evaluate/runs/<system>/predictions.jsonl` with its `run.json` (how it was made). Every
run is scored against the packaged gold with the same settings, bootstrap intervals over
documents included, so the leaderboard is reproducible from the committed files alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.evaluation.run import evaluate, headline_metrics, load_gold
from sourcetrace.jsonio import read_json
from sourcetrace.paths import write_output
from sourcetrace.report.markdown import md_code, md_text
from sourcetrace.report.rows import NOT_SCORED, pct
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.registry import figures

BOOTSTRAP = 1000
SEED = 0
# per layer: the headline metrics shown, in order (names of evaluation.headline_metrics): the
# registry's, the attribution triple first
COLUMNS = {
    layer: sorted(headline_metrics([layer]), key=lambda name: ".triple." not in name)
    for layer in LAYERS
}
# the one figure per layer that the plot shows (its scorer's `figure`)
PLOTTED = {layer: figure.name for layer, figure in figures().items()}


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


def score_runs(
    runs: Path, gold: Any = None, references: Collection[str] = ()
) -> list[dict[str, Any]]:
    """One entry per run: its name, its run.json, its report with bootstrap intervals, and
    whether its run.json names one of ``references`` (systems made from the gold, such as noisy
    gold: the plot sets them apart; the baselines registry says which they are)."""
    entries = []
    folders = find_runs(runs)
    gold_set = load_gold(gold)  # one read of the corpus: every run is scored against the same
    for folder in folders:
        report = evaluate(
            folder / "predictions.jsonl", gold=gold_set, bootstrap=BOOTSTRAP, seed=SEED
        )
        run = read_json(folder / "run.json")
        system = run.get("system") if isinstance(run, Mapping) else None
        entries.append(
            {
                "system": folder.name,
                "run": run,
                "report": report,
                "reference": isinstance(system, str) and system in references,
            }
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
        "them are not evidence. Plot: `leaderboard.png`. Runs marked "
        f"({REFERENCE_LABEL}) are made from the gold itself (to show how the scores move with "
        "known errors): they are not systems, and they are listed after the systems.",
        "",
        "| system | what it is | made by | predictions sha256 |",
        "|---|---|---|---|",
    ]
    for entry in systems_first(entries):
        command = entry["run"].get("command", "")
        description = entry["run"].get("description", "")
        digest = entry["report"]["predictions"]["sha256"][:12]
        lines.append(
            f"| {md_text(system_label(entry))} | {md_text(description)} | {md_code(command)} | "
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
        by_figure = sorted(scored, key=lambda e: -metric_value(e["report"], PLOTTED[layer])[0])
        for entry in systems_first(by_figure):
            cells = [_cell(entry["report"], name) for name in names]
            lines.append(f"| {md_text(system_label(entry))} | " + " | ".join(cells) + " |")
    lines += ["", "Signatures:", ""]
    lines += [f"- {md_text(e['system'])}: {md_code(e['report']['signature'])}" for e in entries]
    return "\n".join(lines) + "\n"


def headline_table(entries: list[dict[str, Any]]) -> list[str]:
    """The plotted figure of each layer per system (F1 % [95% interval]): the README shows it."""
    names = list(PLOTTED.values())
    lines = ["| system | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for entry in systems_first(entries):
        cells = [_cell(entry["report"], name) for name in names]
        lines.append(f"| {md_text(system_label(entry))} | " + " | ".join(cells) + " |")
    return lines


def systems_first(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The systems in their order, then the reference runs in theirs (as the plot draws them)."""
    return sorted(entries, key=is_reference)


def system_label(entry: Mapping[str, Any]) -> str:
    """The run's name, marked when it is a reference made from the gold."""
    return f"{entry['system']} ({REFERENCE_LABEL})" if is_reference(entry) else entry["system"]


def require_plotting() -> None:
    """matplotlib, checked before anything is written (it comes with the baselines extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            "the leaderboard plot needs matplotlib, which is not installed; nothing was written",
            expected="the baselines extra: pip install 'sourcetrace[baselines]'",
        ) from None


def is_reference(entry: Mapping[str, Any]) -> bool:
    """Whether a run is of a reference system (`score_runs`'s ``references``)."""
    return bool(entry.get("reference"))


def plot_title(entries: list[dict[str, Any]]) -> tuple[str, str]:
    """(title, signature) of the plot: the corpus version and data, and the signature the runs
    share (each run's own, with its layers, is in LEADERBOARD.md)."""
    first = entries[0]["report"]
    corpus = first["corpus"]
    title = (
        f"sourcetrace leaderboard: F1 per layer, corpus {corpus['version']} "
        f"(data {corpus['data_sha256'][:12]}, {corpus['documents']} documents)"
    )
    parts = first["signature"].split("|")
    return title, "|".join("layers:per-run" if p.startswith("layers:") else p for p in parts)


REFERENCE_LABEL = "reference"


def plot(entries: list[dict[str, Any]], output: Path) -> None:
    """The figure of `leaderboard_figure` as a PNG whose Title and Description say the corpus
    and the signature."""
    import io

    import matplotlib.pyplot as plt

    figure = leaderboard_figure(entries)
    title, shared_signature = plot_title(entries)
    image = io.BytesIO()
    figure.savefig(
        image,
        format="png",
        metadata={"Software": None, "Title": title, "Description": shared_signature},
    )
    plt.close(figure)
    write_output(output, image.getvalue())


def leaderboard_figure(entries: list[dict[str, Any]]) -> Any:
    """F1 per layer and system with intervals (matplotlib, Agg, no font download): systems on
    top, reference systems (noisy gold) below a rule, hatched and greyed; a layer a run does not
    predict says "not scored"; the title names the corpus version, the signature is underneath."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=["sans-serif"])
    small = FontProperties(family=["sans-serif"], size=7)
    systems = [e for e in entries if not is_reference(e)]
    references = [e for e in entries if is_reference(e)]
    ordered = [*systems, *references]  # as systems_first orders them
    labels = [system_label(e) for e in ordered]
    figure, axes = plt.subplots(figsize=(9, 0.6 * len(ordered) + 3.2), dpi=100)
    height = 0.8 / len(LAYERS)
    for index, layer in enumerate(LAYERS):
        for row, entry in enumerate(ordered):
            y = row + (index - (len(LAYERS) - 1) / 2) * height  # the bars centred on the row
            found = metric_value(entry["report"], PLOTTED[layer])
            if found is None:
                axes.text(
                    1, y, NOT_SCORED, va="center", ha="left", color="0.4", fontproperties=small
                )
                continue
            value, low, high = (100 * v for v in found)
            reference = is_reference(entry)
            axes.barh(
                y,
                value,
                height=height,
                color=f"C{index}",
                alpha=0.45 if reference else 1.0,
                hatch="//" if reference else None,
                edgecolor="0.3" if reference else None,
                linewidth=0,
            )
            axes.errorbar(
                value,
                y,
                xerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="black",
                capsize=2,
                linewidth=0.8,
            )
    axes.set_yticks(range(len(ordered)), labels, fontproperties=font)
    for tick in axes.get_yticklabels()[len(systems) :]:
        tick.set_color("0.4")
        tick.set_fontstyle("italic")
    if systems and references:
        axes.axhline(len(systems) - 0.5, color="0.3", linewidth=1, linestyle="--")
    axes.set_xlim(0, 100)
    axes.set_xlabel("F1 (%) with 95% bootstrap interval over documents", fontproperties=font)
    axes.invert_yaxis()
    title, shared_signature = plot_title(entries)
    axes.set_title(title, fontproperties=font)
    figure.text(0.01, 0.01, f"signature: {shared_signature}", fontproperties=small, color="0.3")
    handles = [plt.Rectangle((0, 0), 1, 1, color=f"C{i}") for i in range(len(LAYERS))]
    axes.legend(
        handles,
        [PLOTTED[layer] for layer in LAYERS],
        prop=font,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=min(len(LAYERS), 3),  # more layers wrap: a row of four is wider than the plot
        frameon=False,
    )
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def write_leaderboard(
    runs: Path, markdown: Path, png: Path, gold: Any = None, references: Collection[str] = ()
) -> list[dict]:
    """Score every run, write the Markdown table and the plot; returns the scored entries."""
    require_plotting()
    entries = score_runs(runs, gold, references)
    write_output(markdown, to_markdown(entries))
    plot(entries, png)
    return entries
