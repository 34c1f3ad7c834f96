"""A label-only pass: rubric labels on claims it was given, scored on claim attributes only.

The reference is the story gold of gold_factory (st-000: 4 claims, st-001: 5 claims) with a
check-worthiness rubric set here; the label-only pass labels the same 9 claims and differs on
two of them. Every figure is worked out by hand in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.agreement.passes import agreement
from sourcetrace.errors import InputError, InputErrors

from gold_factory import story_gold

DOCS = ("st-000", "st-001")
QUESTIONS = ("verifiable", "public_interest", "harmful_if_false", "worth_checking")
# checkworthy per claim in document order, reference (A) and label-only pass (B):
#   st-000 c1..c4:  A T T F F   B T F F F   (c2 differs)
#   st-001 c1..c5:  A T T F T F B T T T T F (c3 differs)
A_LABELS = {"st-000": [True, True, False, False], "st-001": [True, True, False, True, False]}
B_LABELS = {"st-000": [True, False, False, False], "st-001": [True, True, True, True, False]}


def rubric(checkworthy: bool) -> dict[str, Any]:
    """yes to all four questions (score 3) for a check-worthy claim, else yes, yes, no, no (1)."""
    answers = dict.fromkeys(QUESTIONS, True)
    if not checkworthy:
        answers["harmful_if_false"] = answers["worth_checking"] = False
    return {"answers": answers, "score": 3 if checkworthy else 1}


def write_reference(folder: Path) -> list[dict[str, Any]]:
    """Pass A: the story gold with the rubric of A_LABELS on every claim."""
    folder.mkdir()
    records = story_gold(DOCS, with_text=False)
    for record in records:
        for claim, label in zip(record["claims"], A_LABELS[record["doc_id"]], strict=True):
            claim["checkworthy"] = label
            claim["checkworthiness"] = rubric(label)
        (folder / f"{record['doc_id']}.json").write_text(json.dumps(record), encoding="utf-8")
    return records


def write_label_only(folder: Path, reference: list[dict[str, Any]], labels=B_LABELS) -> Path:
    """Pass B: CLAIMS.jsonl (the reference's claims as given) and one labels file per document."""
    folder.mkdir()
    given = [
        {"doc_id": r["doc_id"], **{k: c[k] for k in ("id", "start", "end", "text")}}
        for r in reference
        for c in r["claims"]
    ]
    (folder / "CLAIMS.jsonl").write_text(
        "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in given), encoding="utf-8"
    )
    for record in reference:
        claims = {}
        for claim, label in zip(record["claims"], labels[record["doc_id"]], strict=True):
            claims[claim["id"]] = {**rubric(label), "checkworthy": label}
        out = {"doc_id": record["doc_id"], "claims": claims}
        (folder / f"{record['doc_id']}.json").write_text(json.dumps(out), encoding="utf-8")
    return folder


@pytest.fixture
def passes(tmp_path: Path) -> tuple[Path, Path]:
    reference = write_reference(tmp_path / "gold")
    return tmp_path / "gold", write_label_only(tmp_path / "blind", reference)


def test_label_only_pass_scores_the_hand_computed_kappas_and_nothing_else(passes):
    report = agreement(list(passes))
    (pair,) = report["pairs"]
    assert pair["label_only"] is True
    assert pair["report"]["layers"] == {}  # no layer scored: not scored, never 0
    kappa = pair["kappa"]
    # only claim attributes the label-only pass carries; no entity, polarity or certainty
    assert set(kappa) == {"claim.checkworthy", *(f"claim.checkworthiness.{q}" for q in QUESTIONS)}
    # checkworthy: 7 of 9 agree, p_o = 7/9; A and B both 5 true, 4 false:
    # p_e = (5/9)^2 + (4/9)^2 = 41/81; kappa = (63/81 - 41/81) / (40/81) = 22/40 = 0.55
    assert kappa["claim.checkworthy"]["pairs"] == 9
    assert kappa["claim.checkworthy"]["kappa"] == pytest.approx(0.55, abs=1e-12)
    # harmful_if_false and worth_checking follow the label here: the same 0.55
    for q in ("harmful_if_false", "worth_checking"):
        assert kappa[f"claim.checkworthiness.{q}"]["kappa"] == pytest.approx(0.55, abs=1e-12)
    # verifiable and public interest are yes on every claim on both sides: p_e = 1, undefined
    for q in ("verifiable", "public_interest"):
        assert kappa[f"claim.checkworthiness.{q}"] == {"pairs": 9, "kappa": None}


def test_label_only_kappa_interval_is_the_bootstrap_over_documents_worked_by_hand(passes):
    # A draw of two documents is st-000 twice (1/4 of draws), st-001 twice (1/4) or one each
    # (1/2). st-000 alone: p_o = 3/4, A 2T 2F, B 1T 3F, p_e = 1/8 + 3/8 = 1/2, kappa 1/2.
    # st-001 alone: p_o = 4/5, A 3T 2F, B 4T 1F, p_e = 12/25 + 2/25 = 14/25, kappa 6/11.
    # one each: 0.55. The 2.5th percentile lies in the 1/2 mass, the 97.5th in the 0.55 mass.
    (pair,) = agreement(list(passes))["pairs"]
    ci = pair["kappa_ci"]["claim.checkworthy"]
    assert (ci["low"], ci["high"]) == (pytest.approx(0.5), pytest.approx(0.55))
    assert ci["n"] == 1000 and ci["method"] == "percentile bootstrap over documents"
    # undefined kappa on the data: no interval
    assert pair["kappa_ci"]["claim.checkworthiness.verifiable"] is None


def test_label_only_pair_says_not_scored_in_markdown_and_table(passes, run_cli):
    result = run_cli("agreement", *passes, "--format", "markdown")
    assert result.code == 0, result.err
    (row,) = [line for line in result.out.splitlines() if "blind` vs" in line]
    assert row.count("| not scored") == 8 and "0.00" not in row
    assert "| claim.checkworthy | 9 | 0.550 | 0.500 to 0.550 |" in result.out
    assert "| claim.checkworthiness.verifiable | 9 | - | - |" in result.out
    table = run_cli("agreement", *passes, "--format", "table")
    assert table.code == 0, table.err
    assert "not scored" in table.out and "0.550" in table.out


def test_full_passes_without_the_rubric_get_no_rubric_kappa(tmp_path):
    # a pass that carries no rubric answers has nothing to compare per question: those
    # attributes are left out, not reported as 0 or as agreement over zero pairs
    reference = write_reference(tmp_path / "gold")
    plain = tmp_path / "plain"
    plain.mkdir()
    for record in reference:
        for claim in record["claims"]:
            del claim["checkworthiness"]
        (plain / f"{record['doc_id']}.json").write_text(json.dumps(record), encoding="utf-8")
    (pair,) = agreement([tmp_path / "gold", plain])["pairs"]
    assert not any(name.startswith("claim.checkworthiness.") for name in pair["kappa"])
    assert pair["kappa"]["claim.checkworthy"] == {"pairs": 9, "kappa": 1.0}
    assert pair["label_only"] is False


def _break(folder: Path, doc_id: str, change) -> None:
    path = folder / f"{doc_id}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")


def _set_score(record: dict[str, Any]) -> None:
    record["claims"]["c1"]["score"] = 2  # c1 answers yes x4: the score is 3


def _set_label(record: dict[str, Any]) -> None:
    record["claims"]["c1"]["checkworthy"] = False  # score 3: check-worthy


def _add_unknown(record: dict[str, Any]) -> None:
    record["claims"]["c99"] = record["claims"]["c1"]


def _drop_one(record: dict[str, Any]) -> None:
    del record["claims"]["c2"]


def _extra_answer(record: dict[str, Any]) -> None:
    record["claims"]["c1"]["answers"]["novel"] = True


def _claims_as_list(record: dict[str, Any]) -> None:
    record["claims"] = list(record["claims"].values())


def _null_label(record: dict[str, Any]) -> None:
    record["claims"]["c3"] = None


def _slash_id(record: dict[str, Any]) -> None:
    record["claims"]["c/1~"] = record["claims"]["c1"]


@pytest.mark.parametrize(
    ("change", "pointer", "says"),
    [
        (_set_score, "/claims/c1/score", "does not follow from the answers"),
        (_set_label, "/claims/c1/checkworthy", "does not follow from score 3"),
        (_add_unknown, "/claims/c99", "was not given"),
        (_drop_one, "/claims", "given claims without labels: c2"),
        (_extra_answer, "/claims/c1/answers", "answers need exactly"),
        (_claims_as_list, "/claims", "object keyed by the given claim ids"),
        (_null_label, "/claims/c3", "labels need exactly answers, score, checkworthy"),
        (_slash_id, "/claims/c~11~0", "was not given"),
    ],
)
def test_label_only_file_with_inconsistent_labels_is_refused(
    passes, run_cli, tmp_path, change, pointer, says
):
    gold, blind = passes
    _break(blind, "st-000", change)
    out = tmp_path / "AGREEMENT.md"
    result = run_cli("agreement", gold, blind, "--format", "markdown", "--output", out)
    assert result.code == 2
    assert "st-000.json" in result.err and pointer in result.err and says in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("line_change", "says"),
    [
        (lambda g: {**g, "text": g["text"] + "x"}, "is not the claim's text"),
        (lambda g: {**g, "end": 10**6}, "are not a span of st-000"),
        (lambda g: {**g, "doc_id": "st-999"}, "unknown document 'st-999'"),
        (lambda g: {k: v for k, v in g.items() if k != "text"}, "exactly doc_id, id, start"),
    ],
)
def test_label_only_given_claims_that_do_not_fit_the_text_are_refused(
    passes, run_cli, line_change, says
):
    gold, blind = passes
    path = blind / "CLAIMS.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = json.dumps(line_change(json.loads(lines[1])))  # st-000 c2, line 2
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("agreement", gold, blind)
    assert result.code == 2
    assert "CLAIMS.jsonl" in result.err and "line 2" in result.err and says in result.err
    assert "Traceback" not in result.err


def test_label_only_file_named_for_another_document_is_refused(passes):
    gold, blind = passes
    (blind / "st-000.json").rename(blind / "st-009.json")
    with pytest.raises((InputError, InputErrors), match="file name does not match"):
        agreement([gold, blind])
