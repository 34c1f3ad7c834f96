"""Property-based fuzzing (hypothesis) of the readers, the validator, the corpus reader and every
scorer: any input gives a correct result or a clear InputError (exit 2), never a traceback, a
hang or a wrong score.

The number of examples comes from the hypothesis profile (tests/conftest.py): `ci` by default,
fixed seed; HYPOTHESIS_PROFILE=fuzz runs many more (`make fuzz`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sourcetrace
from sourcetrace import jsonio
from sourcetrace.corpus import build as corpus_module
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.jsonio import Record, decode_utf8, parse_jsonl, read_records
from sourcetrace.schema.labels import names
from sourcetrace.schema.validation import KINDS, detect_kind, validate_record

from gold_factory import ROOT, headline_f1s, story_gold

REFUSED = (InputError, InputErrors)
SCORE_KEYS = ("precision", "recall", "f1", "accuracy", "conll_f1")
GOLD = story_gold()
TEXTS = {record["doc_id"]: record["text"] for record in GOLD}
MENTION_FILTERS = [None, *([kind] for kind in names("mention_kinds")), ["name", "nominal"]]

# ---------------------------------------------------------------- strategies

# text with what breaks naive code: non-BMP, combining marks, NBSP, RTL, controls
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\U0001f600", "\u0301", "\u00a0", "\u202e", "\u2028", "\x00", " "]),
    ),
    max_size=40,
)
OFFSET = st.one_of(
    st.integers(-3, 3000), st.sampled_from([2**31, 2**63, -(2**63), 10**30]), st.floats()
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), OFFSET, TEXT),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "doc_id",
                    "start",
                    "end",
                    "text",
                    "type",
                    "id",
                    "entities",
                    "claims",
                    "attributions",
                    "source",
                    "cue",
                    "content",
                    "mention",
                    "entity",
                    "cluster",
                    "nested_in",
                    "x",
                ]
            )
            | TEXT,
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
SPAN_ITEM = st.fixed_dictionaries(
    {"start": OFFSET, "end": OFFSET},
    optional={
        "text": TEXT,
        "type": st.sampled_from([*names("entity_types"), "BOGUS"]),
        "mention": st.sampled_from(names("mention_kinds")),
        "entity": TEXT,
        "id": TEXT,
    },
)


def raw_inputs() -> st.SearchStrategy[bytes]:
    """Bytes as a reader meets them: JSON of any shape, broken UTF-8, lone surrogate escapes,
    deep nesting, long lines, NaN, duplicate keys."""
    as_json = JSON_VALUE.map(lambda v: json.dumps(v).encode("utf-8"))
    hostile = st.sampled_from(
        [
            b'{"text": "\\ud800"}',
            b'{"a": 1, "a": 2}',
            b'{"start": NaN}',
            b"[" * 5000 + b"]" * 5000,
            b'{"x": "' + b"y" * 200_000 + b'"}',
            b"\xff\xfe\x00{",
            b"\xef\xbb\xbf{}",
            b"",
            b"\n\n",
        ]
    )
    return st.one_of(as_json, hostile, st.binary(max_size=200), as_json.map(lambda b: b[:-1]))


# ---------------------------------------------------------------- readers and validator


def reading(read: Any, path: Path) -> Any:
    """The records a reader makes of a file (values with their types, and lines), or its
    refusal."""
    try:
        return [(repr(r.value), r.line) for r in read(path)]
    except InputError as exc:
        assert str(exc).startswith(str(path)) and len(str(exc)) < 2000
        return str(exc)


def whole_file(path: Path) -> list[Record]:
    """The reference reader: decode every byte, then the standard library's decoder alone."""
    if path.suffix == ".jsonl":
        return parse_jsonl(decode_utf8(path.read_bytes(), path), path)
    with mock.patch.object(jsonio, "_orjson_value", lambda raw: jsonio._ASK_STDLIB):
        return read_records(path)[1]


@given(data=raw_inputs(), suffix=st.sampled_from([".jsonl", ".json", ".txt"]))
def test_fuzz_readers_read_or_refuse_any_bytes(data: bytes, suffix: str) -> None:
    # and read it as the reference reader does: orjson and streaming change no decision
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        assert reading(lambda p: read_records(p)[1], path) == reading(whole_file, path)


@given(value=JSON_VALUE, kind=st.sampled_from(KINDS))
def test_fuzz_validator_reports_problems_never_raises(value: Any, kind: str) -> None:
    problems = validate_record(value, kind, "<fuzz>", 1, text_for=TEXTS.get)
    assert all(isinstance(p, InputError) and len(str(p)) < 2000 for p in problems)
    assert detect_kind(value) in KINDS


# ---------------------------------------------------------------- prediction and gold readers


def check_report(report: dict[str, Any]) -> None:
    """Every score of a report is a number in [0, 1]."""

    def walk(tree: Any) -> None:
        if isinstance(tree, dict):
            for key, value in tree.items():
                if key in SCORE_KEYS and value is not None:
                    assert 0.0 <= value <= 1.0, (key, value)
                else:
                    walk(value)

    walk(report["layers"])


@given(items=st.lists(SPAN_ITEM, max_size=6), layer=st.sampled_from(["entities", "claims"]))
def test_fuzz_prediction_reader_scores_or_refuses(items: list[dict], layer: str) -> None:
    predictions = [{"doc_id": d, layer: []} for d in TEXTS]
    predictions[0][layer] = items
    try:
        report = sourcetrace.evaluate(predictions, gold=GOLD)
    except REFUSED as exc:
        assert "Traceback" not in str(exc)
        return
    check_report(report)


@given(value=JSON_VALUE, field=st.sampled_from(["doc_id", "text", "entities", "text_sha256"]))
def test_fuzz_gold_reader_reads_or_refuses(value: Any, field: str) -> None:
    gold = copy.deepcopy(GOLD)
    gold[0][field] = value
    try:
        report = sourcetrace.evaluate(GOLD, gold=gold, missing="empty")
    except REFUSED:
        return
    check_report(report)


@given(value=JSON_VALUE, field=st.sampled_from(["doc_id", "text", "story_id", "entities", "x"]))
def test_fuzz_corpus_reader_reads_or_refuses(value: Any, field: str) -> None:
    # a forged folder: broken rows under a MANIFEST rewritten to match them
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(ROOT / "corpus", Path(tmp) / "corpus"))
        data = folder / "data" / "documents.jsonl"
        rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
        rows[0][field] = value
        data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
        entry = manifest["files"]["data/documents.jsonl"]
        entry["sha256"] = corpus_module.sha256_bytes(data.read_bytes())
        hashes = {r: e["sha256"] for r, e in manifest["files"].items() if r.startswith("data/")}
        manifest["data_sha256"] = corpus_module.data_sha256(hashes)
        (folder / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
        for read in (
            lambda: corpus_module.info(folder),
            lambda: corpus_module.diff(ROOT / "corpus", folder),
            lambda: sourcetrace.folds(2, corpus=folder),
            lambda: sourcetrace.evaluate(GOLD, gold=folder, missing="empty"),
        ):
            with contextlib.suppress(*REFUSED):
                read()


# ---------------------------------------------------------------- scorer properties


def subset(draw: Any, items: list[dict]) -> list[dict]:
    return [item for item in items if draw(st.booleans())]


@st.composite
def predictions(draw: Any) -> list[dict[str, Any]]:
    """Valid predictions made of gold items (a random subset of each layer, references kept
    whole) and of noise entities on random spans of the text."""
    records = []
    for gold in GOLD:
        entities = subset(draw, gold["entities"])
        claims = subset(draw, gold["claims"])
        have = {e["id"] for e in entities} | {c["id"] for c in claims}
        attributions: list[dict] = []
        for attribution in subset(draw, gold["attributions"]):
            source = attribution.get("source") or {}
            refs = [source.get("mention"), *attribution["content"].get("claims", [])]
            if all(r is None or r in have for r in refs):
                attributions.append({**attribution, "nested_in": None})
        text = gold["text"]
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, min(len(text), start + 25)))
            piece = text[start:end]
            if piece.strip() != piece or not piece:
                continue
            kind = draw(st.sampled_from(names("entity_types")))
            entities.append({"start": start, "end": end, "text": piece, "type": kind})
        records.append(
            {
                "doc_id": gold["doc_id"],
                "entities": entities,
                "claims": claims,
                "attributions": attributions,
            }
        )
    return records


def recalls(report: dict[str, Any]) -> list[float]:
    layers = report["layers"]
    values = [layers["entities"]["overall"][s]["recall"] for s in ("strict", "exact")]
    values += [layers["claims"]["span"][level]["recall"] for level in ("strict", "lenient")]
    return values


@given(preds=predictions(), seed=st.integers(0, 2**16))
def test_fuzz_scores_are_in_range_and_order_free(preds: list[dict], seed: int) -> None:
    report = sourcetrace.evaluate(preds, gold=GOLD)
    check_report(report)
    rng = random.Random(seed)
    shuffled = copy.deepcopy(preds)
    rng.shuffle(shuffled)
    for record in shuffled:
        for layer in ("entities", "claims", "attributions"):
            rng.shuffle(record[layer])
    gold = copy.deepcopy(GOLD)
    rng.shuffle(gold)
    assert sourcetrace.evaluate(shuffled, gold=gold)["layers"] == report["layers"]


@given(
    mentions=st.sampled_from(MENTION_FILTERS),
    threshold=st.sampled_from([0.01, 0.3, 0.5, 0.99, 1.0]),
    missing=st.sampled_from(["error", "empty"]),
)
def test_fuzz_gold_against_gold_is_one_under_every_setting(mentions, threshold, missing) -> None:
    report = sourcetrace.evaluate(
        GOLD, gold=GOLD, mentions=mentions, claim_threshold=threshold, missing=missing
    )
    layers = report["layers"]
    f1s = headline_f1s(layers)
    assert len(f1s) == 14 and set(f1s.values()) == {1.0}, f1s
    # cluster scores are undefined (None) where the kept mentions are all singletons
    conll = (layers["entities"]["clusters"] or {}).get("conll_f1")
    assert conll is None or conll == pytest.approx(1.0)


@given(preds=predictions(), pick=st.integers(0, 10_000))
def test_fuzz_adding_a_correct_prediction_never_lowers_recall(preds: list[dict], pick: int):
    before = recalls(sourcetrace.evaluate(preds, gold=GOLD))
    doc = pick % len(GOLD)
    missing = [e for e in GOLD[doc]["entities"] if e not in preds[doc]["entities"]]
    missing_claims = [c for c in GOLD[doc]["claims"] if c not in preds[doc]["claims"]]
    more = copy.deepcopy(preds)
    if missing:
        more[doc]["entities"].append(missing[pick % len(missing)])
    if missing_claims:
        more[doc]["claims"].append(missing_claims[pick % len(missing_claims)])
    after = recalls(sourcetrace.evaluate(more, gold=GOLD))
    assert all(a >= b for a, b in zip(after, before, strict=True)), (before, after)


@given(preds=predictions(), pick=st.integers(0, 10_000))
def test_fuzz_a_duplicated_prediction_earns_nothing(preds: list[dict], pick: int) -> None:
    # the duplicate-prediction policy: a copy of a predicted item never raises recall or
    # precision (it earns once, and the copy is spurious)
    doc = pick % len(GOLD)
    layer = ("entities", "claims")[pick % 2]
    if not preds[doc][layer]:
        return
    before = sourcetrace.evaluate(preds, gold=GOLD)
    doubled = copy.deepcopy(preds)
    item = preds[doc][layer][pick % len(preds[doc][layer])]
    doubled[doc][layer].append({k: v for k, v in item.items() if k != "id"})  # ids are unique
    after = sourcetrace.evaluate(doubled, gold=GOLD)
    assert recalls(after) == recalls(before)
    if layer == "entities":
        p_before = before["layers"]["entities"]["overall"]["strict"]["precision"]
        assert after["layers"]["entities"]["overall"]["strict"]["precision"] <= p_before
    else:
        p_before = before["layers"]["claims"]["span"]["strict"]["precision"]
        assert after["layers"]["claims"]["span"]["strict"]["precision"] <= p_before
