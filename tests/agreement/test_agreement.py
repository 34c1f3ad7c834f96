"""`sourcetrace agreement PASS...`: annotation passes scored against each other, kappa and alpha.

A pass is a folder of <doc_id>.json gold files without text; their offsets and text_sha256 are
checked against the packaged corpus texts. The passes are built from the story gold of
gold_factory; kappa and alpha are worked out by hand in the comments.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.agreement.passes import agreement

from gold_factory import gold_record, story_gold, write_jsonl

# Claim polarities of the story gold, by hand from gold_factory:
#   st-000: c1 positive, c2 positive, c3 positive, c4 negative
#   st-001: c1 positive, c2 positive, c3 negative, c4 positive, c5 positive
# -> 9 claims, 7 positive and 2 negative.
TWO_DOCS = ("st-000", "st-001")
SCORE_KEYS = ("precision", "recall", "f1", "accuracy", "conll_f1", "kappa")

Change = Callable[[dict[str, Any]], None]


def write_pass(folder: Path, doc_ids=TWO_DOCS, change: dict[str, Change] | None = None) -> Path:
    """A pass folder: one <doc_id>.json gold file per document, changed where asked."""
    folder.mkdir(parents=True)
    for record in story_gold(doc_ids, with_text=False):
        path = folder / f"{record['doc_id']}.json"  # named before any change
        if change and record["doc_id"] in change:
            change[record["doc_id"]](record)
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def flip_polarity(claim_index: int) -> Change:
    def change(record: dict[str, Any]) -> None:
        claim = record["claims"][claim_index]
        claim["polarity"] = "negative" if claim["polarity"] == "positive" else "positive"

    return change


def agreement_json(run_cli, *passes: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    result = run_cli("agreement", *passes, "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def score_values(tree: Any) -> list[Any]:
    if isinstance(tree, dict):
        found = []
        for key, value in tree.items():
            if key in SCORE_KEYS:
                found.append(value)
            else:
                found += score_values(value)
        return found
    return []


# ------------------------------------------------------------------ two passes


def test_a_pass_against_itself_agrees_fully(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    b = write_pass(tmp_path / "b")
    report = agreement_json(run_cli, a, b)
    assert report["passes"] == [str(a), str(b)]
    assert report["documents"] == list(TWO_DOCS)
    assert report["documents_not_in_every_pass"] == []
    assert "alpha" not in report  # two passes: kappa only
    (pair,) = report["pairs"]
    assert (pair["a"], pair["b"]) == (str(a), str(b))
    layers = pair["report"]["layers"]
    assert set(layers) == {"entities", "claims", "attributions"}
    values = score_values(layers)
    assert len(values) > 100
    assert all(value == 1.0 for value in values)
    assert layers["entities"]["overall"]["strict"]["possible"] == 13 + 9
    # Every attribute uses two labels or more in st-000 + st-001 (types ORG/GPE/PERSON, mention
    # name/nominal/pronoun, polarity, certainty certain/probable, checkworthy true/false), so
    # every kappa is defined and 1.0. Pairs: 22 entities, 9 claims.
    assert pair["kappa"] == {
        "entity.type": {"pairs": 22, "kappa": 1.0},
        "entity.mention": {"pairs": 22, "kappa": 1.0},
        "claim.polarity": {"pairs": 9, "kappa": 1.0},
        "claim.certainty": {"pairs": 9, "kappa": 1.0},
        "claim.checkworthy": {"pairs": 9, "kappa": 1.0},
    }


def test_two_changed_polarities_give_the_hand_computed_kappa(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    # B flips st-000 c1 (positive -> negative) and st-001 c3 (negative -> positive).
    b = write_pass(tmp_path / "b", change={"st-000": flip_polarity(0), "st-001": flip_polarity(2)})
    report = agreement_json(run_cli, a, b)
    (pair,) = report["pairs"]
    # 9 matched claims.            B positive  B negative
    #            A positive             6           1
    #            A negative             1           1
    # p_o = 7/9; A and B each say positive 7/9, negative 2/9:
    # p_e = (7/9)^2 + (2/9)^2 = 53/81; kappa = (63/81 - 53/81) / (1 - 53/81) = 10/28 = 5/14.
    assert pair["kappa"]["claim.polarity"]["pairs"] == 9
    assert pair["kappa"]["claim.polarity"]["kappa"] == pytest.approx(5 / 14, abs=1e-12)
    # Nothing else changed: spans still agree fully, other kappas stay 1.0.
    assert pair["kappa"]["claim.certainty"]["kappa"] == 1.0
    assert pair["report"]["layers"]["claims"]["span"]["strict"]["f1"] == 1.0
    # The pair report carries the same polarity figures as evaluate would: accuracy 7/9.
    polarity = pair["report"]["layers"]["claims"]["attributes"]["polarity"]
    assert polarity["accuracy"] == pytest.approx(7 / 9)
    assert polarity["kappa"] == pytest.approx(5 / 14, abs=1e-12)


def test_span_disagreement_is_scored_like_evaluate(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")

    def drop_last_claim(record: dict[str, Any]) -> None:
        # c5 is also the content of the own-voice attribution a4: drop both.
        record["claims"].pop()
        record["attributions"].pop()

    b = write_pass(tmp_path / "b", change={"st-001": drop_last_claim})
    forward = agreement_json(run_cli, a, b)["pairs"][0]["report"]["layers"]
    backward = agreement_json(run_cli, b, a)["pairs"][0]["report"]["layers"]
    # A has 9 claims, B 8, 8 in common: P 8/8, R 8/9, F1 16/17, in either direction with P and
    # R swapped. Attributions: 8 against 7, 7 in common: F1 14/15.
    strict = forward["claims"]["span"]["strict"]
    assert (strict["precision"], strict["recall"]) == (1.0, pytest.approx(8 / 9))
    assert strict["f1"] == pytest.approx(16 / 17)
    assert backward["claims"]["span"]["strict"]["precision"] == pytest.approx(8 / 9)
    assert backward["claims"]["span"]["strict"]["f1"] == pytest.approx(16 / 17)
    for part in ("source", "cue", "content", "triple"):
        assert forward["attributions"][part]["strict"]["f1"] == pytest.approx(14 / 15)


def test_a_pass_may_be_a_gold_jsonl(run_cli, tmp_path):
    folder = write_pass(tmp_path / "a")
    b_records = story_gold(TWO_DOCS, with_text=False)
    flip_polarity(0)(b_records[0])
    flip_polarity(2)(b_records[1])
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in b_records), encoding="utf-8")
    report = agreement_json(run_cli, folder, jsonl)
    # The same two flips as in the test above: kappa 5/14.
    assert report["pairs"][0]["kappa"]["claim.polarity"]["kappa"] == pytest.approx(5 / 14)


def test_documents_in_one_pass_only_are_listed_not_scored(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    report = agreement_json(run_cli, a, b)
    assert report["documents"] == ["st-000"]
    assert report["documents_not_in_every_pass"] == ["st-001"]
    entities = report["pairs"][0]["report"]["layers"]["entities"]["overall"]["strict"]
    assert (entities["possible"], entities["f1"]) == (13, 1.0)


# ------------------------------------------------------------------ three passes


def test_three_passes_that_agree_have_alpha_one(run_cli, tmp_path):
    passes = [write_pass(tmp_path / name, doc_ids=("st-000",)) for name in "abc"]
    report = agreement_json(run_cli, *passes)
    # Pairs a-b, a-c, b-c.
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [
        (str(passes[0]), str(passes[1])),
        (str(passes[0]), str(passes[2])),
        (str(passes[1]), str(passes[2])),
    ]
    alpha = report["alpha"]
    assert alpha["claim.polarity"] == {"units": 4, "alpha": 1.0}
    assert alpha["entity.type"]["units"] == 13
    assert all(entry["alpha"] == 1.0 for entry in alpha.values())


def test_one_disagreeing_pass_gives_the_hand_computed_alpha(run_cli, tmp_path):
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    c = write_pass(tmp_path / "c", doc_ids=("st-000",), change={"st-000": flip_polarity(0)})
    report = agreement_json(run_cli, a, b, c)
    # Units (claims of st-000) x coders (a, b, c), polarity:
    #   c1: pos pos neg    c2: pos pos pos    c3: pos pos pos    c4: neg neg neg
    # Coincidences (each unit with m = 3 values adds its ordered pairs / (m - 1)):
    #   c1: pos-pos 2/2 = 1, pos-neg 2/2 = 1, neg-pos 1; c2, c3: pos-pos 6/2 = 3 each;
    #   c4: neg-neg 3.  o(pos,pos) = 7, o(pos,neg) = o(neg,pos) = 1, o(neg,neg) = 3.
    # n = 12, n_pos = 8, n_neg = 4.
    # alpha = 1 - (n - 1) * (o(pos,neg) + o(neg,pos)) / (n_pos n_neg + n_neg n_pos)
    #       = 1 - 11 * 2 / 64 = 21/32.
    polarity = report["alpha"]["claim.polarity"]
    assert polarity["units"] == 4
    assert polarity["alpha"] == pytest.approx(21 / 32, abs=1e-12)
    assert report["alpha"]["claim.certainty"]["alpha"] == 1.0
    # Kappa of the pairs with c: 4 claims, A = pos pos pos neg, C = neg pos pos neg.
    # p_o = 3/4; A pos 3/4, C pos 1/2: p_e = 3/4 * 1/2 + 1/4 * 1/2 = 1/2; kappa = 1/2.
    kappas = [pair["kappa"]["claim.polarity"]["kappa"] for pair in report["pairs"]]
    assert kappas == [1.0, pytest.approx(0.5), pytest.approx(0.5)]


def test_markdown_names_the_passes_and_the_figures(run_cli, tmp_path):
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    c = write_pass(tmp_path / "c", doc_ids=("st-000",), change={"st-000": flip_polarity(0)})
    result = run_cli("agreement", a, b, c)
    assert result.code == 0, result.err
    text = result.out
    assert f"# Inter-annotator agreement: `{a}`, `{b}`, `{c}`" in text
    assert f"## `{b}` scored against `{a}`" in text
    assert f"## `{c}` scored against `{b}`" in text
    assert "| claim.polarity | 4 | 0.500 |" in text  # kappa of a/b against c, hand-worked above
    assert "| claim.polarity | 4 | 0.656 |" in text  # alpha 21/32 = 0.65625
    out = tmp_path / "agreement.md"
    written = run_cli("agreement", a, b, c, "--output", out)
    assert written.code == 0 and written.out == ""
    assert out.read_text("utf-8") == text


def test_a_passs_method_file_is_summarised_beside_the_figures(run_cli, tmp_path):
    """Issue 26: AGREEMENT.md says how each pass was made and what its figures can show."""
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    (b / "METHOD.md").write_text(
        "# Pass B\n\n**Who.** A *blind* pass by `hand`,\nin one sitting.\n\nMore detail.\n",
        encoding="utf-8",
    )
    report = agreement_json(run_cli, a, b)
    assert report["methods"] == {
        str(b): {
            "file": str(b / "METHOD.md"),
            "summary": "Who. A *blind* pass by hand, in one sitting.",
        }
    }
    text = run_cli("agreement", a, b).out
    assert "## What these figures can and cannot show" in text
    assert f"scores the later pass against the earlier one (`{a}` first)" in text
    assert (
        f"- `{b}`: Who. A \\*blind\\* pass by hand, in one sitting. (`{b / 'METHOD.md'}`)" in text
    )
    assert "More detail" not in text  # only the first paragraph


# ------------------------------------------------------------------ bad passes


def _retarget(doc_id: str) -> Change:
    def change(record: dict[str, Any]) -> None:
        record["doc_id"] = doc_id

    return change


def _wrong_sha(record: dict[str, Any]) -> None:
    record["text_sha256"] = "0" * 64


def _bad_offset(record: dict[str, Any]) -> None:
    record["entities"][0]["end"] = 10**6


@pytest.mark.parametrize(
    "change, words",
    [
        (_retarget("st-999"), ["unknown doc_id", "st-999", "/doc_id"]),
        (_wrong_sha, ["text_sha256", "/text_sha256"]),
        (_bad_offset, ["past the end", "/entities/0/end"]),
    ],
    ids=["unknown-doc-id", "wrong-sha", "offset-out-of-range"],
)
def test_a_bad_pass_exits_2_naming_the_file(run_cli, tmp_path, change, words):
    a = write_pass(tmp_path / "a")
    b = write_pass(tmp_path / "b", change={"st-001": change})
    out = tmp_path / "agreement.json"
    result = run_cli("agreement", a, b, "--format", "json", "--output", out)
    assert result.code == 2
    assert str(b / "st-001.json") in result.err
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_one_pass_or_no_shared_document_exits_2(run_cli, tmp_path):
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-001",))
    alone = run_cli("agreement", a)
    assert alone.code == 2 and "at least two" in alone.err
    disjoint = run_cli("agreement", a, b)
    assert disjoint.code == 2 and "share no" in disjoint.err


def test_an_empty_pass_folder_exits_2(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("agreement", a, empty)
    assert result.code == 2
    assert str(empty) in result.err


def test_two_files_of_one_document_in_a_pass_exit_2(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    b = write_pass(tmp_path / "b")
    # A second file for st-000 in pass b, with one polarity changed: which one is the pass?
    record = story_gold(("st-000",), with_text=False)[0]
    flip_polarity(0)(record)
    (b / "st-000-fixed.json").write_text(json.dumps(record), encoding="utf-8")
    result = run_cli("agreement", a, b, "--format", "json")
    assert result.code == 2
    assert "st-000" in result.err and "duplicate" in result.err


@pytest.mark.parametrize("threshold", ["0", "1.5"])
def test_agreement_refuses_a_claim_threshold_outside_0_1(run_cli, tmp_path, threshold):
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    result = run_cli("agreement", a, b, "--claim-threshold", threshold)
    assert result.code == 2
    assert "threshold" in result.err


def test_a_pass_file_named_after_another_document_exits_2(run_cli, tmp_path):
    a = write_pass(tmp_path / "a", doc_ids=("st-000",))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    (b / "st-000.json").rename(b / "st-001.json")
    result = run_cli("agreement", a, b, "--format", "json")
    assert result.code == 2
    assert "st-001.json" in result.err and "expected st-000.json in a pass folder" in result.err


def test_markdown_names_the_documents_left_out(run_cli, tmp_path):
    a = write_pass(tmp_path / "a", doc_ids=("st-000", "st-001"))
    b = write_pass(tmp_path / "b", doc_ids=("st-000",))
    result = run_cli("agreement", a, b)
    assert result.code == 0, result.err
    assert "Documents in every pass (1): st-000." in result.out
    assert "Not scored, missing from some pass: st-001." in result.out


def test_the_signature_names_a_pass_by_its_content_not_its_path(run_cli, tmp_path):
    a = write_pass(tmp_path / "a")
    b = write_pass(tmp_path / "b", change={"st-000": flip_polarity(0)})
    moved = tmp_path / "elsewhere" / "a"
    shutil.copytree(a, moved)
    first = agreement_json(run_cli, a, b)["pairs"][0]["report"]
    same_content = agreement_json(run_cli, moved, b)["pairs"][0]["report"]
    assert first["signature"] == same_content["signature"]
    assert first["corpus"]["data_sha256"] == same_content["corpus"]["data_sha256"] != ""
    changed = write_pass(tmp_path / "c", change={"st-001": flip_polarity(0)})
    other = agreement_json(run_cli, changed, b)["pairs"][0]["report"]
    assert other["corpus"]["data_sha256"] != first["corpus"]["data_sha256"]
    assert other["signature"] != first["signature"]


def review_write_pass(folder: Path, doc_ids: tuple[str, ...], change=None) -> Path:
    """A pass folder of <doc_id>.json gold files (story gold of gold_factory), changed if asked."""
    folder.mkdir(parents=True)
    for record in story_gold(doc_ids, with_text=False):
        if change is not None:
            change(record)
        (folder / f"{record['doc_id']}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )
    return folder


def _three_passes(tmp_path: Path) -> list[Path]:
    """Pass a lacks st-000's Blinken mention (e11, and a4 whose source it is); b and c both
    have it, b as PERSON and c as ORG: a real type disagreement between b and c."""

    def drop_e11(record):
        record["entities"] = [e for e in record["entities"] if e["id"] != "e11"]
        record["attributions"] = [a for a in record["attributions"] if a["id"] != "a4"]

    def retype(kind):
        def change(record):
            for entity in record["entities"]:
                if entity["id"] == "e11":
                    entity["type"] = kind

        return change

    return [
        review_write_pass(tmp_path / "a", ("st-000",), drop_e11),
        review_write_pass(tmp_path / "b", ("st-000",), retype("PERSON")),
        review_write_pass(tmp_path / "c", ("st-000",), retype("ORG")),
    ]


def test_fixed_agreement_on_gold_jsonl_passes_of_a_non_corpus_document(run_cli, tmp_path):
    # README: "A pass is a folder of <doc_id>.json gold files or a gold JSONL". A gold JSONL
    # carries its `text`, so read_pass validates it against that text and accepts it; then
    # agreement() builds the GoldSet with texts[d] from the *corpus* texts, and d is not a
    # corpus document: KeyError('zz') traceback (exit 1). Correct: score it with its own text
    # (exit 0) or refuse it with an InputError (exit 2).
    text = "Reuters said it."
    record = gold_record(
        "zz",
        text,
        entities=[
            {
                "id": "e1",
                "start": 0,
                "end": 7,
                "text": "Reuters",
                "type": "ORG",
                "mention": "name",
                "entity": "reuters",
            }
        ],
    )
    a = write_jsonl(tmp_path / "a.jsonl", [record])
    b = write_jsonl(tmp_path / "b.jsonl", [record])
    result = run_cli("agreement", a, b, "--format", "json")
    assert result.code in (0, 2)


def test_fixed_alpha_does_not_depend_on_the_order_of_the_passes(tmp_path):
    # agreement.alphas builds its units from the items of passes[0] only. Order a, b, c: the
    # Blinken mention is not a unit (a lacks it), 12 units, all agreeing: alpha(entity.type) =
    # 1.0. Order b, a, c: 13 units, Blinken = [PERSON, -, ORG] is a pairable disagreement:
    # alpha = 0.9216. Alpha is symmetric in its coders; the result must not depend on which
    # folder is named first (and b/c's disagreement must not vanish).
    a, b, c = _three_passes(tmp_path)
    first = agreement([a, b, c])["alpha"]["entity.type"]
    second = agreement([b, a, c])["alpha"]["entity.type"]
    assert first == second


def test_agreement_source_scores_are_asymmetric_as_documented(tmp_path):
    # agreement.py's docstring: "so F1 is symmetric in the two passes at the strict level".
    # Pass b gives "the FT" (e2) its own entity id and names e2 as the source of a1 (a names
    # e1 "Financial Times"; both passes have both mentions at the same offsets).
    # a as gold: a1's source stands for entity financial-times = {e1, e2}; b's e2 is in it ->
    #   source strict TP 4/4, F1 1.0.
    # b as gold: b's e2 stands for entity ft-short = {e2}; a's e1 is not it -> TP 3/4, F1 0.75.
    def change(record):
        for entity in record["entities"]:
            if entity["id"] == "e2":
                entity["entity"] = "ft-short"
        record["attributions"][0]["source"] = {"mention": "e2"}

    a = review_write_pass(tmp_path / "a", ("st-000",))
    b = review_write_pass(tmp_path / "b", ("st-000",), change)
    ab = agreement([a, b])["pairs"][0]["report"]["layers"]["attributions"]
    ba = agreement([b, a])["pairs"][0]["report"]["layers"]["attributions"]
    # Documented asymmetry (agreement.py docstring): the reference pass's source stands for
    # its whole entity {e1, e2}, the other pass's for the one mention it names. a vs b: 1.0;
    # b vs a: b's source stands for {e2} only, so a's e1 source misses: 3/4.
    assert ab["source"]["strict"]["f1"] == 1.0
    assert ba["source"]["strict"]["f1"] == 0.75


def test_ok_agreement_on_different_document_sets_scores_the_common_ones(tmp_path):
    # a has st-000 and st-001, b only st-000: one document scored, st-001 listed, and a vs
    # itself on st-000 is perfect (entity strict possible = 13 mentions of st-000).
    a = review_write_pass(tmp_path / "a", ("st-000", "st-001"))
    b = review_write_pass(tmp_path / "b", ("st-000",))
    report = agreement([a, b])
    assert report["documents"] == ["st-000"]
    assert report["documents_not_in_every_pass"] == ["st-001"]
    strict = report["pairs"][0]["report"]["layers"]["entities"]["overall"]["strict"]
    assert (strict["possible"], strict["f1"]) == (13, 1.0)


def test_ok_kappa_and_alpha_ignore_pass_pairs_order_for_two_passes(tmp_path):
    # With two passes the claim polarity kappa is symmetric: flip st-000 c1 in b.
    # 4 claims, a = pos pos pos neg, b = neg pos pos neg: p_o = 3/4, p_e = 3/4*1/2 + 1/4*1/2
    # = 1/2, kappa = 1/2 whichever pass comes first.
    def flip(record):
        record["claims"][0]["polarity"] = "negative"

    a = review_write_pass(tmp_path / "a", ("st-000",))
    b = review_write_pass(tmp_path / "b", ("st-000",), flip)
    for order in itertools.permutations([a, b]):
        kappa = agreement(list(order))["pairs"][0]["kappa"]["claim.polarity"]["kappa"]
        assert kappa == pytest.approx(0.5)


def with_parc_fields(types: dict[str, str]) -> Change:
    """Give every attribution its source phrase (the mention or span it names) and a content
    type (`assertion` unless ``types`` names another for its id)."""

    def change(record: dict[str, Any]) -> None:
        mentions = {e["id"]: e for e in record["entities"]}
        for attribution in record["attributions"]:
            source = attribution["source"]
            named = mentions[source["mention"]] if source and "mention" in source else source
            attribution["source_span"] = (
                None if named is None else {k: named[k] for k in ("start", "end", "text")}
            )
            attribution["content_type"] = types.get(attribution["id"], "assertion")

    return change


def test_passes_with_source_phrases_and_content_types_get_their_figures(run_cli, tmp_path):
    a = write_pass(
        tmp_path / "a",
        change={"st-000": with_parc_fields({"a3": "belief"}), "st-001": with_parc_fields({})},
    )
    b = write_pass(
        tmp_path / "b",
        change={"st-000": with_parc_fields({}), "st-001": with_parc_fields({"a1": "belief"})},
    )
    plain = write_pass(tmp_path / "plain")
    report = agreement_json(run_cli, a, b, plain)
    pairs = {
        (Path(p["a"]).name, Path(p["b"]).name): p["report"]["layers"]["attributions"]
        for p in report["pairs"]
    }
    both = pairs["a", "b"]
    # 8 attributions matched; A: 7 assertion + st-000 a3 belief, B: 7 + st-001 a1 belief:
    # p_o = 6/8, p_e = (7/8)^2 + (1/8)^2 = 50/64, kappa = (48/64 - 50/64) / (14/64) = -1/7
    assert both["content_type"]["pairs"] == 8
    assert both["content_type"]["accuracy"] == pytest.approx(0.75)
    assert both["content_type"]["kappa"] == pytest.approx(-1 / 7)
    # the same phrases on both sides: 5 of the 8 have a source (st-000 a3, st-001 a3 a4 do not)
    assert both["source_span"]["pairs"] == 8
    assert both["source_span"]["strict"]["true_positives"] == 5
    assert both["source_span"]["strict"]["f1"] == 1.0
    # a pass without the fields: not scored on them, and the Markdown says so
    assert pairs["a", "plain"]["content_type"] == {"pairs": 0, "accuracy": None, "kappa": None}
    assert pairs["a", "plain"]["source_span"] == {"pairs": 0, "strict": None, "lenient": None}
    markdown = run_cli("agreement", a, b, plain, "--format", "markdown").out
    section = markdown.split("plain` scored against `")[-1]
    assert "| attributions | content_type (on matched) |" in section
    assert "not scored: no matched attribution carries it on both sides" in section
