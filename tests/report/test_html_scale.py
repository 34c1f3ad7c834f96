"""The HTML page of a 30,000-document run, opened in headless Chromium: it loads, shows the
summary of every document and only the capped list of documents, worst first, with the line
that says how many are left out and where they are (issue 25: 3,000 documents gave a 217 MB page
that Chromium had not rendered after 90 s).

The documents are small and made here, once per session (one sentence each, entities only), so
that the run stays short; what the test checks does not depend on the size of a document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sourcetrace.cli.main import main
from sourcetrace.report.html import DEFAULT_DOCUMENTS

DOCUMENTS = 30_000
PEOPLE = ("Anna Petrov", "Kim Lee", "Oleg Bondar", "Sophie Hale", "Wen Zhang")
PLACES = ("Kyiv", "Seoul", "Moscow", "Bakhmut", "Pyongyang")


def _document(index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Gold and prediction of document `index`: a person, a place and an outlet; the prediction
    gets the person right, and the place right, of the wrong type or missed, by index, and adds
    a spurious DATE in every seventh document."""
    person, place = PEOPLE[index % len(PEOPLE)], PLACES[index // 3 % len(PLACES)]
    text = f"{person} met officials in {place} on Monday, Reuters said ({index})."
    spans = {name: text.index(name) for name in (person, place, "Reuters", "Monday")}

    def entity(name: str, type_: str) -> dict[str, Any]:
        start = spans[name]
        return {"start": start, "end": start + len(name), "text": name, "type": type_}

    gold_entities = [
        entity(person, "PERSON"),
        entity(place, "GPE"),
        entity("Reuters", "ORG"),
    ]
    for number, item in enumerate(gold_entities):
        item.update(id=f"e{number}", mention="name", entity=item["text"].lower().replace(" ", "-"))
    predicted = [entity(person, "PERSON"), entity("Reuters", "ORG")]
    if index % 4 == 1:
        predicted.append(entity(place, "LOC"))
    elif index % 4 != 3:
        predicted.append(entity(place, "GPE"))
    if index % 7 == 0:
        predicted.append(entity("Monday", "DATE"))
    doc_id = f"doc-{index:05d}"
    gold = {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": gold_entities,
        "claims": [],
        "attributions": [],
    }
    return gold, {"doc_id": doc_id, "entities": predicted}


@pytest.fixture(scope="session")
def large_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """30,000 documents scored by the real CLI as the HTML page."""
    folder = tmp_path_factory.mktemp("large")
    gold_path, pred_path = folder / "gold.jsonl", folder / "predictions.jsonl"
    with gold_path.open("w", encoding="utf-8") as gold, pred_path.open("w") as pred:
        for index in range(DOCUMENTS):
            gold_record, prediction = _document(index)
            gold.write(json.dumps(gold_record) + "\n")
            pred.write(json.dumps(prediction) + "\n")
    html = folder / "large.html"
    assert main(["evaluate", str(pred_path), "--gold", str(gold_path), "--output", str(html)]) == 0
    return {"html": html}


@pytest.fixture(scope="module")
def page(large_run: dict[str, Any], browser: Any) -> Iterator[Any]:
    opened = browser.new_page(viewport={"width": 1400, "height": 1000})
    opened.goto(large_run["html"].resolve().as_uri(), wait_until="load")
    yield opened
    opened.close()


def test_large_page_loads_with_the_summary_of_every_document(page: Any) -> None:
    """The summary counts every document, worked out from _document: 3 gold entities each; a
    type error where i % 4 == 1, a miss where i % 4 == 3, a spurious DATE where i % 7 == 0."""
    summary = page.inner_text("section:has(> h2:text('Scores (percent)'))")
    errors = DOCUMENTS // 4
    spurious = len(range(0, DOCUMENTS, 7))
    correct = 3 * DOCUMENTS - 2 * errors
    assert f"cor {correct} inc {errors} par 0 mis {errors} spu {spurious}" in summary
    counts = page.evaluate(
        "() => [...document.querySelectorAll('input[data-filter=outcome]')]"
        ".map(b => b.parentElement.textContent.trim())"
    )
    assert counts == [
        f"correct ({correct})",
        f"type ({errors})",
        f"missed ({errors})",
        f"spurious ({spurious})",
    ]


def test_large_page_shows_the_capped_list_worst_first(page: Any) -> None:
    shown = page.evaluate(
        "() => [...document.querySelectorAll('section.doc')].map(s => s.dataset.doc)"
    )
    assert len(shown) == DEFAULT_DOCUMENTS
    # F1 per document, from _document: 1 with nothing wrong (6/7 with the spurious DATE); a miss
    # 4/5 (2/3 with the DATE); a type error 2/3, and 4/7 with the DATE (P 2/4, R 2/3): the
    # worst, all with two errors, so by document id
    worst = [f"doc-{i:05d}" for i in range(DOCUMENTS) if i % 4 == 1 and i % 7 == 0]
    assert shown == worst[:DEFAULT_DOCUMENTS]
    note = page.inner_text("#shown")
    assert f"{DEFAULT_DOCUMENTS} of {DOCUMENTS} documents shown" in note
    assert f"{DOCUMENTS - DEFAULT_DOCUMENTS} documents are left out" in note
    assert "--format tsv" in note and "--html-documents" in note
