"""`evaluate --format tsv|csv`: one row per item outcome, worked out by hand on three small
documents, and read back with the csv module to the JSON report's counts on real runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.cli.main import main
from sourcetrace.report.html import DEFAULT_DOCUMENTS
from sourcetrace.report.tsv import COLUMNS, COUNTED_OUTCOMES

from gold_factory import gold_record, span, text_sha256, write_jsonl

REPO = Path(__file__).resolve().parents[2]

T1 = "Kim Jong Un met Putin in Moscow on Tuesday."
T2 = "Reuters said the rockets were fired near Bakhmut.\tThen\nquiet."
T3 = "Officials said nothing."


def _span(text: str, needle: str) -> dict[str, Any]:
    return span(text, needle)


def _entity(text: str, needle: str, id_: str, type_: str) -> dict[str, Any]:
    return {
        "id": id_,
        **_span(text, needle),
        "type": type_,
        "mention": "name",
        "entity": needle.lower().replace(" ", "-"),
    }


def _claim(text: str, needle: str, id_: str) -> dict[str, Any]:
    return {
        "id": id_,
        **_span(text, needle),
        "polarity": "positive",
        "certainty": "certain",
        "checkworthy": True,
        "cluster": f"cluster-{id_}-{len(text)}",
    }


def _gold(doc_id: str, text: str, **layers: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {"entities": [], "claims": [], "attributions": []}
    return {"doc_id": doc_id, "text": text, "text_sha256": text_sha256(text), **empty, **layers}


GOLD = [
    _gold(
        "d1",
        T1,
        entities=[
            _entity(T1, "Kim Jong Un", "e1", "PERSON"),
            _entity(T1, "Putin", "e2", "PERSON"),
            _entity(T1, "Moscow", "e3", "GPE"),
        ],
        claims=[_claim(T1, "Kim Jong Un met Putin in Moscow on Tuesday", "c1")],
    ),
    _gold(
        "d2",
        T2,
        entities=[_entity(T2, "Reuters", "e1", "ORG"), _entity(T2, "Bakhmut", "e2", "GPE")],
        claims=[_claim(T2, "the rockets were fired near Bakhmut", "c1")],
        attributions=[
            {
                "id": "a1",
                "source": {"mention": "e1"},
                "cue": _span(T2, "said"),
                "content": {"claims": ["c1"], **_span(T2, "the rockets were fired near Bakhmut")},
                "type": "indirect",
                "nested_in": None,
            }
        ],
    ),
    _gold(
        "d3",
        T3,
        claims=[_claim(T3, "nothing", "c1")],
        attributions=[
            {
                "id": "a1",
                "source": _span(T3, "Officials"),
                "cue": _span(T3, "said"),
                "content": {"claims": ["c1"], **_span(T3, "nothing")},
                "type": "direct",
                "nested_in": None,
            }
        ],
    ),
]

PREDICTIONS = [
    {
        "doc_id": "d1",
        "entities": [
            {**_span(T1, "Kim Jong Un"), "type": "PERSON"},  # correct
            {**_span(T1, "Putin"), "type": "ORG"},  # type error; Moscow missed
            {**_span(T1, "Tuesday"), "type": "DATE"},  # spurious
        ],
        "claims": [
            {**_span(T1, "Kim Jong Un met Putin in Moscow on Tuesday"), "polarity": "negative"}
        ],
        "attributions": [],
    },
    {
        "doc_id": "d2",
        "entities": [
            {**_span(T2, "Reuters"), "type": "ORG"},  # correct
            {**_span(T2, "near Bakhmut"), "type": "GPE"},  # boundary error
            {"text": "Atlantis", "type": "GPE"},  # text only, not in the text: spurious
        ],
        "claims": [_span(T2, "the rockets were fired")],  # overlaps: lenient only
        "attributions": [
            {
                "source": {"text": "Reuters"},
                "cue": _span(T2, "said"),
                "content": _span(T2, "the rockets were fired"),
                "type": "direct",
            }
        ],
    },
    {
        "doc_id": "d3",
        "entities": [],
        "claims": [],
        "attributions": [
            {
                "source": {"text": "Nobody"},
                "cue": {"text": "whispered"},
                "content": {"text": "penguins"},
            }
        ],
    },
]

ARROW = " \u2192 "
# every row, worked out by hand: (document, layer, outcome, detail, type, predicted_type,
# gold start, end, text, predicted start, end, text, left context, right context); the context
# is 40 characters either side of the row's spans, tab and newline escaped as \x09 and \x0a
ESCAPED_END = ".\\x09Then\\x0aquiet."
EXPECTED = [
    ["d1", "entities", "correct", "", "PERSON", "", "0", "11", "Kim Jong Un", "0", "11",
     "Kim Jong Un", "", " met Putin in Moscow on Tuesday."],
    ["d1", "entities", "incorrect", "type: same span, other type", "PERSON", "ORG", "16", "21",
     "Putin", "16", "21", "Putin", "Kim Jong Un met ", " in Moscow on Tuesday."],
    ["d1", "entities", "missed", "", "GPE", "", "25", "31", "Moscow", "", "", "",
     "Kim Jong Un met Putin in ", " on Tuesday."],
    ["d1", "entities", "spurious", "", "DATE", "", "", "", "", "35", "42", "Tuesday",
     "Kim Jong Un met Putin in Moscow on ", "."],
    ["d1", "claims", "correct", "other polarity", "", "", "0", "42",
     "Kim Jong Un met Putin in Moscow on Tuesday", "0", "42",
     "Kim Jong Un met Putin in Moscow on Tuesday", "", "."],
    ["d2", "entities", "correct", "", "ORG", "", "0", "7", "Reuters", "0", "7", "Reuters", "",
     " said the rockets were fired near Bakhmu"],
    ["d2", "entities", "incorrect", "boundary: same type, other boundaries", "GPE", "", "41",
     "48", "Bakhmut", "36", "48", "near Bakhmut", "Reuters said the rockets were fired ",
     ESCAPED_END],
    ["d2", "entities", "spurious", "text-only prediction not found in the text", "GPE", "", "",
     "", "", "", "", "Atlantis", "", ""],
    ["d2", "claims", "partial", "overlapping span: a lenient match only", "", "", "13", "48",
     "the rockets were fired near Bakhmut", "13", "35", "the rockets were fired",
     "Reuters said ", ESCAPED_END],
    ["d2", "attributions", "partial", "the triple matches at the lenient level only",
     "indirect", "direct", "0", "48", f"Reuters{ARROW}said{ARROW}the rockets were fired near "
     "Bakhmut", "8", "35", f"Reuters{ARROW}said{ARROW}the rockets were fired", "", ESCAPED_END],
    ["d3", "claims", "missed", "", "", "", "15", "22", "nothing", "", "", "",
     "Officials said ", "."],
    ["d3", "attributions", "missed", "no part matches a part of any predicted attribution",
     "direct", "", "0", "22", f"Officials{ARROW}said{ARROW}nothing", "", "", "", "", "."],
    ["d3", "attributions", "spurious", "no part matches a part of any gold attribution", "",
     "", "", "", "", "", "", f"Nobody{ARROW}whispered{ARROW}penguins", "", ""],
]  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The three documents scored by the real CLI as TSV, CSV and JSON."""
    folder = tmp_path_factory.mktemp("small")
    gold, predictions = folder / "gold.jsonl", folder / "predictions.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD), encoding="utf-8")
    predictions.write_text("".join(json.dumps(r) + "\n" for r in PREDICTIONS), encoding="utf-8")
    written = {}
    for name in ("run.tsv", "run.csv", "run.json"):
        command = ["evaluate", str(predictions), "--gold", str(gold), "--output", folder / name]
        assert main([str(part) for part in command]) == 0
        written[name] = (folder / name).read_text(encoding="utf-8")
    return written


def _read(text: str, fmt: str) -> list[list[str]]:
    if fmt == "tsv":
        return list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_every_row_of_a_small_run_as_worked_out_by_hand(
    small_run: dict[str, str], fmt: str
) -> None:
    header, *rows = _read(small_run[f"run.{fmt}"], fmt)
    assert header == list(COLUMNS)
    assert rows == EXPECTED


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_a_row_is_one_line_whatever_the_text_holds(small_run: dict[str, str], fmt: str) -> None:
    """The tab and newline of the second document's text never break a row."""
    text = small_run[f"run.{fmt}"]
    assert len(text.splitlines()) == len(EXPECTED) + 1
    assert "\\x09" in text and "\\x0a" in text


def _counts_from_rows(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["outcome"] in COUNTED_OUTCOMES:
            layer = counts.setdefault(row["layer"], dict.fromkeys(COUNTED_OUTCOMES, 0))
            layer[row["outcome"]] += 1
    return counts


def _counts_from_report(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    """cor/inc/par/mis/spu per layer: entities at the strict scheme; claims (span) and
    attributions (triple) at the lenient level, where tp = correct + partial."""
    counts = {}
    layers = report["layers"]
    if "entities" in layers:
        strict = layers["entities"]["overall"]["strict"]
        counts["entities"] = {name: strict[name] for name in COUNTED_OUTCOMES}
    for layer, level in (("claims", ("span", "lenient")), ("attributions", ("triple", "lenient"))):
        if layer in layers:
            m = layers[layer][level[0]][level[1]]
            counts[layer] = {
                "matched": m["true_positives"],
                "missed": m["gold"] - m["true_positives"],
                "spurious": m["predicted"] - m["true_positives"],
            }
    return counts


def _pairs_folded(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """correct + partial as `matched` for the layers whose report counts true positives."""
    folded = {}
    for layer, c in counts.items():
        if layer == "entities":
            folded[layer] = dict(c)
        else:
            matched = c["correct"] + c["partial"]
            folded[layer] = {"matched": matched, "missed": c["missed"], "spurious": c["spurious"]}
    return folded


def test_small_run_counts_equal_the_json_report(small_run: dict[str, str]) -> None:
    report = json.loads(small_run["run.json"])
    rows = list(csv.DictReader(io.StringIO(small_run["run.tsv"]), delimiter="\t"))
    counts = _counts_from_rows(rows)
    assert counts["entities"] == {
        "correct": 2,
        "incorrect": 2,
        "partial": 0,
        "missed": 1,
        "spurious": 2,
    }
    assert _pairs_folded(counts) == _counts_from_report(report)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("tsv", []), ("csv", []), ("tsv", ["--mentions", "name"])],
)
def test_error_list_of_a_real_run_reads_back_to_the_report_counts(
    tmp_path: Path, fmt: str, options: list[str]
) -> None:
    """The rules baseline's run on the packaged corpus: its error list, read back with the csv
    module, counts what the JSON report of the same run counts, per layer (under a mention
    filter, the rows of excluded and ignored mentions count nowhere)."""
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    listed, report = tmp_path / f"run.{fmt}", tmp_path / "run.json"
    for output in (listed, report):
        assert main(["evaluate", str(predictions), *options, "--output", str(output)]) == 0
    text = listed.read_text(encoding="utf-8")
    reader = (
        csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        if fmt == "tsv"
        else csv.DictReader(io.StringIO(text))
    )
    rows = list(reader)
    expected = _counts_from_report(json.loads(report.read_text(encoding="utf-8")))
    assert _pairs_folded(_counts_from_rows(rows)) == expected
    assert all(sum(c.values()) > 0 for c in expected.values())
    if options:
        assert {row["outcome"] for row in rows} >= {"excluded"}


def test_output_csv_ending_writes_the_error_list_never_a_box_table(
    run_cli: Any, tmp_path: Path
) -> None:
    """Issue 25: `--output r.csv` wrote the terminal table (box drawing) into a .csv."""
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    out = tmp_path / "r.csv"
    done = run_cli("evaluate", predictions, "--output", out)
    assert done.code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert not any(char in text for char in "┏━│└")


def test_csv_ending_for_a_command_without_the_error_list_is_refused(
    run_cli: Any, tmp_path: Path
) -> None:
    """merge has no item-by-item explanation: a .csv output is a usage error, not a table."""
    partial = tmp_path / "p.json"
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    assert run_cli("evaluate", predictions, "--partial", partial).code == 0
    done = run_cli("merge", partial, "--output", tmp_path / "m.csv")
    assert done.code == 2
    assert "does not write 'csv'" in done.err and "Traceback" not in done.err
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize("value", ["-1", "ten", ""])
def test_html_documents_refuses_what_is_not_a_count_or_all(
    run_cli: Any, tmp_path: Path, value: str
) -> None:
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    out = tmp_path / "r.html"
    done = run_cli("evaluate", predictions, "--output", out, "--html-documents", value)
    assert done.code == 2 and "--html-documents" in done.err
    assert not out.exists()


@pytest.mark.parametrize(("value", "shown"), [("2", 2), ("all", 5), ("0", 0)])
def test_html_documents_caps_the_page(run_cli: Any, tmp_path: Path, value: str, shown: int) -> None:
    """The packaged corpus has 5 documents: the page shows the cap, or all of them."""
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    out = tmp_path / "r.html"
    assert run_cli("evaluate", predictions, "--output", out, "--html-documents", value).code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="doc"') == shown
    left_out = 5 - shown
    if left_out:
        assert f"{left_out} documents are left out of this page" in page
    else:
        assert "All 5 documents" in page


def test_control_characters_of_the_data_are_escaped_in_the_error_list() -> None:
    """An ANSI escape, a bidi override, a carriage return and a line separator in the text (the
    entity and its context) reach the file only as their code: nothing a terminal would act on,
    and every row one line for any line reader."""
    from sourcetrace.evaluation.run import evaluate_with_explanations
    from sourcetrace.report.tsv import item_lines

    text = "Red \x1b[31mAcme\u202e Corp\r\nsaid\u2028so."
    entity = {**_entity(text, "\x1b[31mAcme\u202e Corp", "e1", "ORG"), "entity": "acme"}
    gold = [_gold("h1", text, entities=[entity])]
    _, explanations = evaluate_with_explanations(
        [{"doc_id": "h1", "entities": []}], gold, per_document=False
    )
    written = "".join(item_lines(explanations, "tsv"))
    assert len(written.splitlines()) == 2
    assert not any(char in written for char in "\x1b\u202e\r\u2028")
    row = dict(zip(COLUMNS, written.splitlines()[1].split("\t"), strict=True))
    assert row["outcome"] == "missed"
    assert row["gold_text"] == "\\x1b[31mAcme\\u202e Corp"
    assert row["right_context"] == "\\x0d\\x0asaid\\u2028so."


@pytest.mark.parametrize(("value", "shown"), [(None, DEFAULT_DOCUMENTS), ("all", 60), ("7", 7)])
def test_html_documents_all_shows_more_than_the_default(
    run_cli: Any, tmp_path: Path, value: str | None, shown: int
) -> None:
    """60 documents, one entity each, half of them missed: `all` shows 60 (it showed the
    default 50, because `all` and "not given" were both None), no option shows the default."""
    gold, predictions = [], []
    for index in range(60):
        text = f"Reuters reported it ({index})."
        entity = {"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}
        gold.append(
            gold_record(
                f"d{index:02d}",
                text,
                entities=[{**entity, "id": "e0", "mention": "name", "entity": "reuters"}],
            )
        )
        predictions.append({"doc_id": f"d{index:02d}", "entities": [entity] * (index % 2)})
    out = tmp_path / "r.html"
    option = [] if value is None else ["--html-documents", value]
    done = run_cli(
        "evaluate",
        write_jsonl(tmp_path / "p.jsonl", predictions),
        "--gold",
        write_jsonl(tmp_path / "g.jsonl", gold),
        "--layers",
        "entities",
        "--output",
        out,
        *option,
    )
    assert done.code == 0, done.err
    assert out.read_text(encoding="utf-8").count('<section class="doc"') == shown


@pytest.mark.parametrize("output", ["r.json", "r.md", "r.csv"])
def test_html_documents_without_a_page_is_refused_not_ignored(
    run_cli: Any, tmp_path: Path, output: str
) -> None:
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    done = run_cli("evaluate", predictions, "--output", tmp_path / output, "--html-documents", "3")
    assert done.code == 2 and "--html-documents" in done.err and ".html" in done.err
    assert "Traceback" not in done.err and not (tmp_path / output).exists()


def test_a_matched_attribution_row_names_its_other_source_phrase_and_content_type() -> None:
    from sourcetrace.evaluation.explain import explain_document
    from sourcetrace.report.tsv import outcome_rows

    text = "Senior officials said nothing."
    gold_attribution = {
        "id": "a1",
        "source": _span(text, "Senior officials"),
        "source_span": _span(text, "Senior officials"),
        "cue": _span(text, "said"),
        "content": {"claims": [], **_span(text, "nothing")},
        "type": "indirect",
        "content_type": "assertion",
        "nested_in": None,
    }
    gold = _gold("d", text, attributions=[gold_attribution])
    rows_for = {
        # the phrase cut to "officials" (strictly another phrase), the type another
        "other source_span, content_type": {
            **gold_attribution,
            "source_span": _span(text, "officials"),
            "content_type": "belief",
        },
        "other content_type": {**gold_attribution, "content_type": "fact"},
        "": gold_attribution,
        # no extras on the prediction: nothing to say about them
        " ": {
            key: value
            for key, value in gold_attribution.items()
            if key not in ("source_span", "content_type")
        },
    }
    for detail, predicted in rows_for.items():
        pred = {"doc_id": "d", "attributions": [predicted]}
        explained = explain_document(gold, pred, ["attributions"], text=text)
        rows = list(outcome_rows("d", {"text": text, **explained}))
        assert [(row["outcome"], row["detail"]) for row in rows] == [("correct", detail.strip())]
