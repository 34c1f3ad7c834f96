"""Settings of a scoring run, their checks, and the signature that pins down every number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sourcetrace._version import __version__
from sourcetrace.errors import InputError
from sourcetrace.schema.validation import LAYERS

MISSING_POLICIES = ("error", "empty")
# the most resamples a run may ask for: 100,000 x a few hundred documents stays in memory
MAX_SAMPLES = 100_000
COMPARE_METHODS = ("approximate-randomization", "paired-bootstrap")


@dataclass(frozen=True)
class Settings:
    """Everything that changes a number; all of it goes into the signature."""

    layers: tuple[str, ...] | None = None
    mentions: frozenset[str] | None = None
    claim_threshold: float = 0.5
    bootstrap: int = 0
    seed: int = 0
    confidence: float = 0.95
    missing: str = "error"
    compare_method: str = "approximate-randomization"
    compare_samples: int = 1000
    min_score: float | None = None  # score only the items scored at or above it (confidence.py)

    def as_dict(self, layers: Iterable[str]) -> dict[str, Any]:
        return {
            "layers": list(layers),
            "mentions": sorted(self.mentions) if self.mentions else None,
            "claim_threshold": self.claim_threshold,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "confidence": self.confidence,
            "missing": self.missing,
            "compare_method": self.compare_method,
            "compare_samples": self.compare_samples,
        } | ({} if self.min_score is None else {"min_score": self.min_score})


def make_settings(**options: Any) -> Settings:
    """Settings from keyword options, refusing unknown names and impossible values."""
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(
            f"unknown setting(s): {', '.join(unknown)}",
            expected="one of " + ", ".join(sorted(known)),
        )
    if options.get("layers") is not None:
        layers = tuple(options["layers"])
        bad = [layer for layer in layers if layer not in LAYERS]
        if bad:
            raise InputError(f"unknown layer(s): {', '.join(bad)}", expected=", ".join(LAYERS))
        options["layers"] = layers
    if options.get("mentions") is not None:
        from sourcetrace.schema.labels import names

        mentions = frozenset(options["mentions"])
        if not mentions:
            raise InputError(
                "an empty mention filter would score no gold mention",
                expected="None (all mentions) or some of " + ", ".join(names("mention_kinds")),
            )
        bad = sorted(mentions - set(names("mention_kinds")))
        if bad:
            raise InputError(
                f"unknown mention kind(s): {', '.join(bad)}",
                expected=", ".join(names("mention_kinds")),
            )
        options["mentions"] = mentions
    _check_types(options)
    settings = Settings(**options)
    if not 0 < settings.claim_threshold <= 1:
        raise InputError(
            f"claim threshold {settings.claim_threshold} is outside (0, 1]",
            expected="a number in (0, 1], default 0.5",
        )
    if not 0 <= settings.bootstrap <= MAX_SAMPLES:
        raise InputError(
            f"bootstrap samples {settings.bootstrap} is outside 0 .. {MAX_SAMPLES:,}",
            expected=f"--bootstrap 0 (off) or e.g. 1000, at most {MAX_SAMPLES:,} (memory grows "
            "with documents x samples)",
        )
    if settings.seed < 0:
        raise InputError(
            f"seed {settings.seed} is negative", expected="a whole number >= 0 (--seed 0)"
        )
    if not 1 <= settings.compare_samples <= MAX_SAMPLES:
        raise InputError(
            f"compare samples {settings.compare_samples} is outside 1 .. {MAX_SAMPLES:,}",
            expected=f"--compare-samples of at least 1, e.g. 1000, at most {MAX_SAMPLES:,}",
        )
    if settings.missing not in MISSING_POLICIES:
        raise InputError(
            f"unknown missing-document policy {settings.missing!r}",
            expected=" or ".join(MISSING_POLICIES),
        )
    if settings.compare_method not in COMPARE_METHODS:
        raise InputError(
            f"unknown comparison method {settings.compare_method!r}",
            expected=" or ".join(COMPARE_METHODS),
        )
    if settings.min_score is not None and not 0 <= settings.min_score <= 1:
        raise InputError(
            f"minimum score {settings.min_score} is outside [0, 1]",
            expected="--min-score T with T in [0, 1], the scale of the items' scores",
        )
    if not 0 < settings.confidence < 1:
        raise InputError(
            f"confidence {settings.confidence} is outside (0, 1)", expected="e.g. 0.95"
        )
    return settings


_NUMBER_SETTINGS = {
    "claim_threshold": float,
    "confidence": float,
    "bootstrap": int,
    "seed": int,
    "compare_samples": int,
    "min_score": float,
}


def _check_types(options: Mapping[str, Any]) -> None:
    for name, kind in _NUMBER_SETTINGS.items():
        if name not in options:
            continue
        value = options[name]
        if name == "min_score" and value is None:
            continue
        allowed = (int,) if kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise InputError(
                f"setting {name} is {value!r}",
                expected=f"a {'whole number' if kind is int else 'number'}",
            )


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: a signature must tell values apart."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def signature(
    corpus_version: str,
    data_sha256: str,
    layers: Iterable[str],
    settings: Settings,
    compared: bool = False,
) -> str:
    """A sacrebleu-style line that pins down everything a number depends on."""
    mentions = "+".join(sorted(settings.mentions)) if settings.mentions else "all"
    parts = [
        f"sourcetrace:{__version__}",
        f"corpus:{corpus_version}",
        f"data:{data_sha256[:12]}",
        f"layers:{'+'.join(layers)}",
        f"mentions:{mentions}",
        f"claim_threshold:{format_number(settings.claim_threshold)}",
        f"missing:{settings.missing}",
    ]
    if settings.min_score is not None:
        parts.append(f"min_score:{format_number(settings.min_score)}")
    if settings.bootstrap:
        parts += [
            f"bootstrap:{settings.bootstrap}",
            f"confidence:{format_number(settings.confidence)}",
        ]
    if compared:
        parts += [
            f"compare:{settings.compare_method}",
            f"compare_samples:{settings.compare_samples}",
        ]
    if settings.bootstrap or compared:
        parts.append(f"seed:{settings.seed}")
    return "|".join(parts)
