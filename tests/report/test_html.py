"""The HTML error-analysis page, opened in headless Chromium (Debian's, through Playwright).

The run scored here is the packaged gold with errors of every kind put in; every expected number
is read from the JSON report of the same run, never written down by hand.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.cli.main import main
from sourcetrace.evaluation.explain import report_counts

REPO = Path(__file__).resolve().parents[2]
LAYERS = ("entities", "claims", "attributions")


# ---------------------------------------------------------------- a run with every kind of error


def _shrunk(item: dict, text: str) -> dict | None:
    """The item with its last word (or last character) cut off; None if that leaves white space
    at the edge or nothing."""
    cut = item["text"].rfind(" ")
    end = item["start"] + cut if cut > 0 else item["end"] - 1
    if end <= item["start"] or text[end - 1].isspace():
        return None
    while not text[end - 1].isalnum():
        end -= 1
    return {**item, "end": end, "text": text[item["start"] : end]}


def _free_word(text: str, taken: list[dict]) -> dict:
    """A word of five letters or more that touches none of `taken`."""
    for match in re.finditer(r"[A-Za-z]{5,}", text):
        start, end = match.span()
        if all(end <= t["start"] or t["end"] <= start for t in taken):
            return {"start": start, "end": end, "text": match.group()}
    raise AssertionError("no free word in the text")


def _perturb(gold: dict[str, Any], text: str) -> dict[str, Any]:
    """Gold turned into a faulty system output: missed, boundary, type, boundary+type, spurious
    and unanchored entities; missed, boundary and spurious (offset and text-only) claims; a missed
    and a spurious attribution. Only items nothing refers to are dropped."""
    sources = {
        a["source"]["mention"]
        for a in gold["attributions"]
        if (a.get("source") or {}).get("mention")
    }
    contents = {c for a in gold["attributions"] for c in (a["content"].get("claims") or [])}
    nesting = {a.get("nested_in") for a in gold["attributions"]}
    entities = [dict(e) for e in gold["entities"]]
    free = [i for i, e in enumerate(entities) if e["id"] not in sources]
    shrinkable = [i for i in free[1:] if _shrunk(entities[i], text) is not None]
    boundary, both = shrinkable[0], shrinkable[1]
    retyped = next(i for i in free[1:] if i not in (boundary, both))
    entities[boundary] = _shrunk(entities[boundary], text)
    entities[both] = {**_shrunk(entities[both], text), "type": "FAC"}
    if entities[both]["type"] == gold["entities"][both]["type"]:
        entities[both]["type"] = "TIME"
    entities[retyped]["type"] = "EVENT" if entities[retyped]["type"] != "EVENT" else "ORG"
    for index in (both, retyped):  # an entity id keeps one type: the retyped lose theirs
        entities[index].pop("entity", None)
    spurious = {**_free_word(text, gold["entities"]), "type": "PERSON"}
    entities = [e for i, e in enumerate(entities) if i != free[0]] + [spurious]
    entities.append({"type": "ORG", "text": "Zyxwvut Holdings Unlimited"})  # not in the text

    claims = [dict(c) for c in gold["claims"]]
    unreferenced = [i for i, c in enumerate(claims) if c["id"] not in contents]
    shifted = next(i for i in unreferenced[1:] if _shrunk(claims[i], text) is not None)
    claims[shifted] = _shrunk(claims[shifted], text)
    claims = [c for i, c in enumerate(claims) if i != unreferenced[0]]
    claims.append({**_free_word(text, gold["claims"]), "polarity": "positive"})
    claims.append({"text": "Penguins have annexed the far side of the Moon"})

    attributions = [dict(a) for a in gold["attributions"]]
    dropped = next(i for i, a in enumerate(attributions) if a["id"] not in nesting)
    attributions = [a for i, a in enumerate(attributions) if i != dropped]
    attributions.append(
        {
            "source": {"text": "Nobody at all"},
            "cue": {"text": "whispered"},
            "content": {"text": "penguins rule the Moon"},
        }
    )
    return {
        "doc_id": gold["doc_id"],
        "entities": entities,
        "claims": claims,
        "attributions": attributions,
    }


def _corpus_texts() -> dict[str, str]:
    path = REPO / "corpus" / "data" / "documents.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {row["doc_id"]: row["text"] for row in rows}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The faulty predictions scored by the real CLI, as HTML and as JSON."""
    folder = tmp_path_factory.mktemp("faulty")
    texts = _corpus_texts()
    records = []
    for path in sorted((REPO / "annotations" / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        records.append(_perturb(gold, texts[gold["doc_id"]]))
    predictions = folder / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    html, report = folder / "report.html", folder / "report.json"
    gold = REPO / "annotations" / "gold"
    assert main(["evaluate", str(predictions), "--gold", str(gold), "--output", str(html)]) == 0
    assert main(["evaluate", str(predictions), "--gold", str(gold), "--output", str(report)]) == 0
    return {"html": html, "report": json.loads(report.read_text(encoding="utf-8"))}


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed, and the HTML report tests need it: `make test` installs "
            "it (apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@pytest.fixture
def opened(browser: Any) -> Iterator[Any]:
    """Open a page file with every request recorded and all but the file itself refused."""
    pages = []

    def open_file(path: Path) -> tuple[Any, list[str]]:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        url = path.resolve().as_uri()

        def only_the_file(route: Any) -> None:
            if route.request.url == url:
                route.continue_()
            else:
                route.abort()

        page.route("**/*", only_the_file)
        page.goto(url)
        pages.append(page)
        return page, [u for u in requested if u != url]

    yield open_file
    for page in pages:
        page.close()


def _count(page: Any, selector: str) -> int:
    return page.evaluate("s => document.querySelectorAll(s).length", selector)


def _visible(page: Any, selector: str) -> int:
    return page.evaluate(
        "s => [...document.querySelectorAll(s)]"
        ".filter(e => e.checkVisibility() && !e.classList.contains('muted')).length",
        selector,
    )


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("layer", LAYERS)
def test_missed_and_spurious_items_equal_the_report(
    faulty_run: dict[str, Any], opened: Any, layer: str
) -> None:
    page, _ = opened(faulty_run["html"])
    missed, spurious = report_counts(faulty_run["report"], layer)
    assert missed > 0 and spurious > 0, "the run must have errors of this layer"
    items = f"[data-item][data-layer={layer}]"
    assert _count(page, f"{items}[data-outcome=missed]") == missed
    assert _count(page, f"{items}[data-outcome=spurious]") == spurious
    assert _count(page, f"{items}[data-side=gold][data-outcome=spurious]") == 0
    assert _count(page, f"{items}[data-side=predicted][data-outcome=missed]") == 0


def test_every_item_has_one_element(faulty_run: dict[str, Any], opened: Any) -> None:
    page, _ = opened(faulty_run["html"])
    layers = faulty_run["report"]["layers"]
    strict = layers["entities"]["overall"]["strict"]
    expected = {
        ("entities", "gold"): strict["possible"],
        ("entities", "predicted"): strict["actual"],
        ("claims", "gold"): layers["claims"]["span"]["lenient"]["gold"],
        ("claims", "predicted"): layers["claims"]["span"]["lenient"]["predicted"],
        ("attributions", "gold"): layers["attributions"]["triple"]["lenient"]["gold"],
        ("attributions", "predicted"): layers["attributions"]["triple"]["lenient"]["predicted"],
    }
    for (layer, side), count in expected.items():
        assert _count(page, f"[data-item][data-layer={layer}][data-side={side}]") == count
    assert _count(page, "[data-item][data-layer=entities]:not([data-type])") == 0


def test_boundary_and_type_errors_are_told_apart(faulty_run: dict[str, Any], opened: Any) -> None:
    page, _ = opened(faulty_run["html"])
    incorrect = faulty_run["report"]["layers"]["entities"]["overall"]["strict"]["incorrect"]
    kinds = {
        kind: _count(
            page, f"[data-item][data-layer=entities][data-side=gold][data-outcome='{kind}']"
        )
        for kind in ("boundary", "type", "boundary+type")
    }
    assert all(kinds.values()), kinds
    assert sum(kinds.values()) == incorrect
    styles = {
        kind: page.evaluate(
            "k => { const e = document.querySelector(`[data-item][data-outcome='${k}']`);"
            " const s = getComputedStyle(e);"
            " return [s.borderBottomStyle, s.borderBottomColor, s.backgroundImage,"
            " s.backgroundColor].join(' '); }",
            kind,
        )
        for kind in ("correct", "boundary", "type", "boundary+type", "missed", "spurious")
    }
    assert len(set(styles.values())) == len(styles), styles


def test_confusion_matrix_margins_equal_the_report(faulty_run: dict[str, Any], opened: Any) -> None:
    page, _ = opened(faulty_run["html"])
    strict = faulty_run["report"]["layers"]["entities"]["overall"]["strict"]
    cells = page.evaluate(
        "() => [...document.querySelectorAll('table.confusion tbody tr')].map(r =>"
        " [...r.querySelectorAll('td')].map(c => Number(c.textContent || 0)))"
    )
    *type_rows, spurious_row = cells
    assert sum(row[-1] for row in type_rows) == strict["missed"]
    assert sum(spurious_row) == strict["spurious"]
    assert sum(sum(row[:-1]) for row in type_rows) == strict["correct"] + strict["incorrect"]


def test_no_network_request_and_nothing_external(faulty_run: dict[str, Any], opened: Any) -> None:
    page, others = opened(faulty_run["html"])
    page.wait_for_load_state("networkidle")
    assert others == []
    source = faulty_run["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href|action)\s*=\s*["'](?!data:)""", source)
    assert "url(" not in source and "@import" not in source
    assert source.count("<script") == 1


def test_filters_hide_layers_outcomes_and_types(faulty_run: dict[str, Any], opened: Any) -> None:
    page, _ = opened(faulty_run["html"])
    totals = {layer: _count(page, f"[data-item][data-layer={layer}]") for layer in LAYERS}
    assert {layer: _visible(page, f"[data-item][data-layer={layer}]") for layer in LAYERS} == totals

    page.locator("input[data-filter=layer][value=entities]").uncheck()
    assert _visible(page, "[data-item][data-layer=entities]") == 0
    assert _visible(page, "[data-item][data-layer=claims]") == totals["claims"]
    page.locator("input[data-filter=layer][value=entities]").check()

    missed = _count(page, "[data-item][data-outcome=missed]")
    page.locator("input[data-filter=outcome][value=missed]").uncheck()
    assert _visible(page, "[data-item][data-outcome=missed]") == 0
    assert _visible(page, "[data-item]") == sum(totals.values()) - missed
    page.locator("input[data-filter=outcome][value=missed]").check()

    page.locator("input[data-filter=side][value=gold]").uncheck()
    assert _visible(page, "[data-item][data-side=gold]") == 0
    assert _visible(page, "[data-item][data-side=predicted]") > 0
    page.locator("input[data-filter=side][value=gold]").check()

    gpe = _count(page, "[data-item][data-type=GPE]")
    page.locator("input[data-filter=type][value=GPE]").uncheck()
    assert gpe > 0 and _visible(page, "[data-item][data-type=GPE]") == 0
    assert _visible(page, "[data-item][data-layer=entities]") == totals["entities"] - gpe


def test_hovering_an_attribution_lights_source_cue_and_content(
    faulty_run: dict[str, Any], opened: Any
) -> None:
    page, _ = opened(faulty_run["html"])
    entry = page.locator(
        "li[data-item][data-layer=attributions][data-side=gold][data-outcome=matched]"
        ":has(.part-source:not(.none))"  # a named source, so three spans to light
    ).first
    key = entry.get_attribute("data-k")
    entry.hover()
    lit = page.evaluate(
        "() => [...document.querySelectorAll('.lit')].map(e => [e.dataset.k, e.className])"
    )
    own = [classes for k, classes in lit if k == key]
    for part in ("part-source", "part-cue", "part-content"):
        assert any(part in classes for classes in own), (part, own)
    assert {k for k, _ in lit} == {key, entry.get_attribute("data-m")}


def test_full_page_screenshot(faulty_run: dict[str, Any], opened: Any, tmp_path: Path) -> None:
    page, _ = opened(faulty_run["html"])
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 100_000
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height > 5000  # the whole page, with every document, not one screen


# ---------------------------------------------------------------- nothing from the data runs

XSS_TEXT = (
    "Headline <script>window.pwned=1</script> about Acme Corp\n"
    'Body: <img src=x onerror="window.pwned=2"> said Acme Corp today.\n'
)


def _span(text: str, needle: str) -> dict[str, Any]:
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A gold JSONL whose text and items are markup and script, and a prediction likewise."""
    folder = tmp_path_factory.mktemp("hostile")
    gold = {
        "doc_id": "xss-1",
        "text": XSS_TEXT,
        "text_sha256": hashlib.sha256(XSS_TEXT.encode("utf-8")).hexdigest(),
        "entities": [
            {
                "id": "e1",
                **_span(XSS_TEXT, "<script>window.pwned=1</script>"),
                "type": "ORG",
                "mention": "name",
                "entity": "script",
            },
            {
                "id": "e2",
                **_span(XSS_TEXT, '<img src=x onerror="window.pwned=2">'),
                "type": "PERSON",
                "mention": "name",
                "entity": "img",
            },
        ],
        "claims": [
            {
                "id": "c1",
                **_span(XSS_TEXT, "Headline <script>window.pwned=1</script> about Acme Corp"),
                "polarity": "positive",
                "certainty": "certain",
                "checkworthy": True,
                "cluster": "hostile",
            }
        ],
        "attributions": [],
    }
    prediction = {
        "doc_id": "xss-1",
        "entities": [
            {**_span(XSS_TEXT, "Acme Corp"), "type": "ORG"},
            {"type": "ORG", "text": "<script>window.pwned=3</script>"},
        ],
        "claims": [{"text": "<b>bold</b><script>window.pwned=4</script>"}],
        "attributions": [
            {
                "source": {"text": "<script>window.pwned=5</script>"},
                "cue": {"text": "said"},
                "content": {"text": "<img src=y onerror=window.pwned=6>"},
            }
        ],
    }
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    gold_path.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    pred_path.write_text(json.dumps(prediction) + "\n", encoding="utf-8")
    html, report = folder / "hostile.html", folder / "hostile.json"
    for output in (html, report):
        command = ["evaluate", str(pred_path), "--gold", str(gold_path), "--output", str(output)]
        assert main(command) == 0
    return {"html": html, "report": json.loads(report.read_text(encoding="utf-8"))}


def test_no_script_from_the_data_runs(hostile_run: dict[str, Any], opened: Any) -> None:
    page, others = opened(hostile_run["html"])
    page.wait_for_load_state("load")
    assert page.evaluate("() => typeof window.pwned") == "undefined"
    assert others == []  # not even the <img src=x> of the text was fetched
    assert _count(page, "img") == 0
    assert _count(page, "script") == 1  # the page's own
    shown = page.inner_text("main")
    for literal in (
        "<script>window.pwned=1</script>",
        '<img src=x onerror="window.pwned=2">',
        "<b>bold</b><script>window.pwned=4</script>",
        "<script>window.pwned=5</script>",
        "<img src=y onerror=window.pwned=6>",
    ):
        assert literal in shown
    for layer in LAYERS:
        missed, spurious = report_counts(hostile_run["report"], layer)
        items = f"[data-item][data-layer={layer}]"
        assert _count(page, f"{items}[data-outcome=missed]") == missed
        assert _count(page, f"{items}[data-outcome=spurious]") == spurious > 0


# ---------------------------------------------------------------- confidence curves


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The faulty predictions with a score on every item (from a hash: ties included), scored by
    the real CLI as HTML and as JSON."""
    folder = tmp_path_factory.mktemp("scored")
    texts = _corpus_texts()
    lines = []
    for path in sorted((REPO / "annotations" / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        record = _perturb(gold, texts[gold["doc_id"]])
        for layer in LAYERS:
            for index, item in enumerate(record[layer]):
                key = f"{record['doc_id']}/{layer}/{index}".encode()
                item["score"] = int(hashlib.sha256(key).hexdigest(), 16) % 50 / 50
        lines.append(json.dumps(record) + "\n")
    predictions = folder / "predictions.jsonl"
    predictions.write_text("".join(lines), encoding="utf-8")
    html, report = folder / "report.html", folder / "report.json"
    gold = REPO / "annotations" / "gold"
    assert main(["evaluate", str(predictions), "--gold", str(gold), "--output", str(html)]) == 0
    assert main(["evaluate", str(predictions), "--gold", str(gold), "--output", str(report)]) == 0
    return {"html": html, "report": json.loads(report.read_text(encoding="utf-8"))}


def test_precision_recall_curves_are_drawn_inside_their_plots(
    scored_run: dict[str, Any], opened: Any
) -> None:
    """One drawn polyline per curve of the JSON report, one vertex per threshold, every vertex
    inside the plot frame, and nothing fetched."""
    page, others = opened(scored_run["html"])
    page.wait_for_load_state("networkidle")
    assert others == []
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('svg.pr-curve')].map(svg => {
            const frame = svg.querySelector('rect').getBBox();
            return {layer: svg.dataset.layer, visible: svg.checkVisibility(),
                    curves: [...svg.querySelectorAll('polyline')].map(line => ({
                        name: line.dataset.curve,
                        vertices: line.points.numberOfItems,
                        inside: [...Array(line.points.numberOfItems).keys()].every(i => {
                            const p = line.points.getItem(i);
                            return p.x >= frame.x - 0.01 && p.x <= frame.x + frame.width + 0.01
                                && p.y >= frame.y - 0.01 && p.y <= frame.y + frame.height + 0.01;
                        })}))};
        })"""
    )
    layers = scored_run["report"]["layers"]
    assert [chart["layer"] for chart in drawn] == [
        layer for layer in LAYERS if "confidence" in layers[layer]
    ]
    for chart in drawn:
        assert chart["visible"]
        curves = layers[chart["layer"]]["confidence"]["curves"]
        assert [curve["name"] for curve in chart["curves"]] == list(curves)
        for curve in chart["curves"]:
            assert curve["vertices"] == len(curves[curve["name"]]["thresholds"])
            assert curve["inside"]
