"""Precision-recall curves of scored items as inline SVG: no script, no external asset, every
data value escaped (the page's CSP allows no fetch; SVG presentation attributes need none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sourcetrace.report.page import attrs, esc
from sourcetrace.report.rows import pct

WIDTH, HEIGHT, MARGIN = 360, 260, 40
COLOURS = ("#1b6ca8", "#c0392b", "#27ae60", "#8e44ad")
CONFIDENCE_CSS = ".confidence figure { display: inline-block; margin: 0 1em 1em 0; }\n"


def _x(recall: float) -> float:
    return round(MARGIN + recall * (WIDTH - 2 * MARGIN), 2)


def _y(precision: float) -> float:
    return round(HEIGHT - MARGIN - precision * (HEIGHT - 2 * MARGIN), 2)


def curves_svg(layer: str, confidence: Mapping[str, Any]) -> str:
    """One chart per layer: a polyline per curve (recall across, precision up, points from the
    highest threshold down), a dot at its best-F1 point, and a legend with AP."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pr-curve"'
        f'{attrs(data_layer=layer, width=WIDTH, height=HEIGHT)} viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img"><title>{esc(layer)}: precision against recall over score thresholds</title>',
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{WIDTH - 2 * MARGIN}" '
        f'height="{HEIGHT - 2 * MARGIN}" fill="none" stroke="#999"/>',
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11">recall</text>',
        f'<text x="12" y="{HEIGHT / 2}" font-size="11" transform="rotate(-90 12 {HEIGHT / 2})" '
        'text-anchor="middle">precision</text>',
    ]
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{_x(tick)}" y="{HEIGHT - MARGIN + 14}" font-size="10" '
            f'text-anchor="middle">{tick:g}</text>'
            f'<text x="{MARGIN - 4}" y="{_y(tick) + 3}" font-size="10" '
            f'text-anchor="end">{tick:g}</text>'
        )
    for index, (name, curve) in enumerate(confidence["curves"].items()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{_x(r)},{_y(p)}" for p, r in zip(curve["precision"], curve["recall"], strict=True)
        )
        best = curve["best_f1"]
        parts.append(
            f"<polyline{attrs(data_curve=name, data_ap=curve['average_precision'])} "
            f'points="{points}" fill="none" stroke="{colour}" stroke-width="1.5">'
            f"<title>{esc(name)}: AP {pct(curve['average_precision'])}</title></polyline>"
            f"<circle{attrs(data_curve=name, data_threshold=best['threshold'])} "
            f'cx="{_x(best["recall"])}" cy="{_y(best["precision"])}" r="3" fill="{colour}">'
            f"<title>{esc(name)}: best F1 {pct(best['f1'])} at score &gt;= "
            f"{esc(format(best['threshold'], 'g'))}</title></circle>"
            # the legend in the lower right corner, where a useful curve seldom goes
            f'<text x="{WIDTH - MARGIN - 6}" y="{HEIGHT - MARGIN - 8 - 13 * index}" '
            f'font-size="10" text-anchor="end" fill="{colour}">'
            f"{esc(name)} AP {pct(curve['average_precision'])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def confidence_section(report: Mapping[str, Any]) -> str:
    """The page's section of precision-recall curves; empty when no item carries a score."""
    charts = [
        f"<figure>{curves_svg(layer, section['confidence'])}"
        f"<figcaption>{esc(layer)}</figcaption></figure>"
        for layer, section in report["layers"].items()
        if isinstance(section, Mapping) and "confidence" in section
    ]
    if not charts:
        return ""
    definition = next(
        section["confidence"]["average_precision"]
        for section in report["layers"].values()
        if isinstance(section, Mapping) and "confidence" in section
    )
    return (
        '<section class="confidence"><h2>Precision-recall over score thresholds</h2>'
        f"<p>Average precision: {esc(definition)}.</p>{''.join(charts)}</section>"
    )
