"""`evaluate --partial --shard K/N` + `sourcetrace merge`: shards add up to the one-run report,
byte for byte, bootstrap intervals and --compare tests included; shards of different runs,
a shard twice or a shard missing are refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.errors import InputError
from sourcetrace.evaluation.partials import (
    evaluate_partial,
    merge_partials,
    shard_documents,
    statistics_sha256,
)
from sourcetrace.evaluation.run import evaluate
from sourcetrace.report import to_json
from sourcetrace.scoring.tallies import pooled_order

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNS = REPO_ROOT / "evaluate" / "runs"
# noisy gold carries every layer with entity and cluster ids, so cluster scores are merged too
SYSTEM = RUNS / "noisy-gold-30" / "predictions.jsonl"
OTHER = RUNS / "rules" / "predictions.jsonl"
STATISTICS = {"bootstrap": 200, "compare_samples": 200, "seed": 7}


def test_shards_are_contiguous_blocks_of_the_sorted_ids_covering_each_once():
    ids = [f"d{i}" for i in (4, 0, 3, 1, 2, 6, 5)]
    shards = [shard_documents(ids, (k, 3)) for k in (1, 2, 3)]
    assert shards == [["d0", "d1"], ["d2", "d3"], ["d4", "d5", "d6"]]
    with pytest.raises(InputError, match="shard 4/3 does not exist"):
        shard_documents(ids, (4, 3))


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_merged_shards_give_the_one_run_report_byte_for_byte(count):
    one_run = evaluate(SYSTEM, compare=OTHER, per_document=True, **STATISTICS)
    partials = [
        evaluate_partial(SYSTEM, shard=(k, count), compare=OTHER, **STATISTICS)
        for k in range(count, 0, -1)  # any order
    ]
    through_files = [json.loads(to_json(p)) for p in partials]
    merged = merge_partials(through_files, per_document=True)
    assert to_json(merged) == to_json(one_run)
    # the figures really came from the shards: the interval and the p-values are there
    assert merged["statistics"]["bootstrap"]["entities.strict.f1"]["n"] == 200
    assert merged["layers"]["entities"]["clusters"] is not None
    assert sum(len(p["documents"]["scored"]) for p in partials) == 5


def test_the_cli_writes_partials_and_merges_them(run_cli, tmp_path):
    one = run_cli("evaluate", SYSTEM, "--format", "json", "--bootstrap", "100")
    assert one.code == 0, one.err
    files = []
    for k in (1, 2):
        out = tmp_path / f"part-{k}.json"
        done = run_cli(
            "evaluate", SYSTEM, "--partial", out, "--shard", f"{k}/2", "--bootstrap", "100"
        )
        assert done.code == 0, done.err
        files.append(out)
    merged = run_cli("merge", *files, "--format", "json")
    assert merged.code == 0, merged.err
    assert merged.out == one.out


def _two_partials(**options):
    return [json.loads(to_json(evaluate_partial(SYSTEM, shard=(k, 2), **options))) for k in (1, 2)]


def test_shards_of_different_settings_are_refused():
    first = evaluate_partial(SYSTEM, shard=(1, 2))
    second = evaluate_partial(SYSTEM, shard=(2, 2), claim_threshold=0.6)
    with pytest.raises(InputError, match="settings differs .* shards of different runs"):
        merge_partials([first, second], files=["a.json", "b.json"])


def test_a_missing_or_repeated_shard_is_refused():
    first, second = _two_partials()
    with pytest.raises(InputError, match=r"shard\(s\) 2/2 missing"):
        merge_partials([first])
    with pytest.raises(InputError, match="shard 1/2 is given twice"):
        merge_partials([first, first, second])


def test_a_file_that_is_not_a_partial_is_refused_with_its_name(run_cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(to_json(evaluate(SYSTEM)), encoding="utf-8")
    done = run_cli("merge", report)
    assert done.code == 2
    assert f"{report}, at /format: not a partial file" in done.err
    assert "Traceback" not in done.err


def test_tampered_tallies_are_refused():
    first, second = _two_partials()
    forged = _forged(
        second, lambda p: p["tallies"]["counts"].__setitem__(0, p["tallies"]["counts"][0][:-1])
    )
    with pytest.raises(InputError, match="values for .* fields") as raised:
        merge_partials([first, forged])
    assert raised.value.pointer == "/tallies/counts/0"


def test_shard_without_partial_and_bad_shard_text_are_usage_errors(run_cli, tmp_path):
    done = run_cli("evaluate", SYSTEM, "--shard", "1/2")
    assert done.code == 2 and "--shard without --partial" in done.err
    done = run_cli("evaluate", SYSTEM, "--partial", tmp_path / "p.json", "--shard", "two")
    assert done.code == 2 and "shard 'two' is not K/N" in done.err
    assert not (tmp_path / "p.json").exists()


def test_every_record_is_validated_by_exactly_one_shard(tmp_path):
    lines = SYSTEM.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    last = records[-1]["doc_id"]  # the last id in sorted order is in shard 2 of 2
    assert last == max(r["doc_id"] for r in records)
    records[-1]["entities"][0]["start"] = -1
    records.append({"doc_id": "no-such-doc", "entities": []})
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(InputError, match="unknown doc_id 'no-such-doc'") as first:
        evaluate_partial(broken, shard=(1, 2))
    assert first.value.line == len(records)
    with pytest.raises(InputError) as second:
        evaluate_partial(broken, shard=(2, 2))
    assert second.value.line == len(records) - 1 and "/entities/0/start" in str(second.value)


def test_a_partial_off_its_schema_is_refused_with_the_pointer():
    first, second = _two_partials()
    second["shard"]["index"] = 0
    with pytest.raises(InputError, match="schema: 0 is less than the minimum of 1") as raised:
        merge_partials([first, second], files=["a.json", "b.json"])
    assert raised.value.file == "b.json" and raised.value.pointer == "/shard/index"


# ---------------------------------------------------------------- partials that defend themselves


def _forged(partial: dict[str, Any], edit: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """A copy of ``partial`` edited by ``edit``, its hash recomputed as a forger would."""
    copied = copy.deepcopy(partial)
    edit(copied)
    copied["statistics_sha256"] = statistics_sha256(copied)
    return copied


def _field(partial: dict[str, Any], *path: str) -> int:
    return partial["tallies"]["fields"].index(list(path))


def _merge_files(run_cli, tmp_path: Path, texts: list[str]):
    files = []
    for index, text in enumerate(texts):
        path = tmp_path / f"part-{index + 1}.json"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files, run_cli("merge", *files, "--format", "json")


def _assert_refused(done, file: Path, pointer: str) -> None:
    assert done.code == 2, done.err
    assert done.out == ""
    assert f"{file}, at {pointer}" in done.err, done.err
    assert "Traceback" not in done.err and "internal error" not in done.err


def test_an_edited_partial_is_refused_naming_the_file_unless_its_hash_is_recomputed(
    run_cli, tmp_path
):
    first, second = _two_partials()
    strict_correct = _field(second, "entities", "overall", "strict", "correct")
    second["tallies"]["counts"][0][strict_correct] += 20  # the review's edit: F1 0.8363 -> 0.8430
    files, done = _merge_files(run_cli, tmp_path, [to_json(first), to_json(second)])
    _assert_refused(done, files[1], "/statistics_sha256")
    assert "changed after `evaluate --partial` wrote it" in done.err
    # with the hash recomputed, the entity identities still catch it, naming the document
    forged = _forged(second, lambda p: None)
    files, done = _merge_files(run_cli, tmp_path, [to_json(first), to_json(forged)])
    _assert_refused(done, files[1], "/tallies/counts/0")
    doc_id = second["documents"]["scored"][0]
    assert f"document {doc_id!r}: entities, strict: correct + incorrect + partial + missed" in (
        done.err
    )


def _set_count(value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(partial: dict[str, Any]) -> None:
        partial["tallies"]["counts"][0][
            _field(partial, "entities", "overall", "strict", "correct")
        ] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "pointer", "words"),
    [
        (_set_count(-500), "/tallies/counts/0/0", "less than the minimum of 0"),
        (_set_count(70.5), "/tallies/counts/0/0", "is not of type 'integer'"),
        (_set_count(2**63), "/tallies/counts/0/0", "greater than the maximum"),
        (_set_count(1e308), "/tallies/counts/0/0", "greater than the maximum"),
        (_set_count(3.0), "/tallies/counts/0/0", "3.0 is not a whole number"),
        (_set_count("70"), "/tallies/counts/0/0", "is not of type 'integer'"),
    ],
    ids=["negative", "fraction", "2**63", "1e308", "integer-valued-float", "string"],
)
def test_merge_refuses_a_count_that_is_no_bounded_whole_number(
    run_cli, tmp_path, edit, pointer, words
):
    first, second = _two_partials()
    assert _field(first, "entities", "overall", "strict", "correct") == 0
    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, edit)), to_json(second)])
    _assert_refused(done, files[0], pointer)
    assert words in done.err


def test_merge_refuses_a_count_too_large_for_a_float(run_cli, tmp_path):
    first, second = _two_partials()
    marked = to_json(_forged(first, _set_count(987654321)))
    text = marked.replace("987654321", "1e400", 1)  # reads as infinity
    files, done = _merge_files(run_cli, tmp_path, [text, to_json(second)])
    _assert_refused(done, files[0], "/tallies/counts/0/0")
    assert "inf is not a JSON value a partial holds" in done.err


def test_merge_refuses_a_renamed_statistics_column(run_cli, tmp_path):
    first, second = _two_partials()
    column = _field(first, "entities", "overall", "strict", "correct")
    forged = _forged(first, lambda p: p["tallies"]["fields"][column].__setitem__(3, "correkt"))
    files, done = _merge_files(run_cli, tmp_path, [to_json(forged), to_json(second)])
    _assert_refused(done, files[0], f"/tallies/fields/{column}")
    assert "field entities.overall.strict.correkt is not one the layers" in done.err


def test_merge_refuses_a_duplicated_statistics_column(run_cli, tmp_path):
    first, second = _two_partials()
    column = _field(first, "entities", "overall", "strict", "correct")
    duplicated = _forged(
        first,
        lambda p: p["tallies"]["fields"].__setitem__(
            column + 1, list(p["tallies"]["fields"][column])
        ),
    )
    files, done = _merge_files(run_cli, tmp_path, [to_json(duplicated), to_json(second)])
    _assert_refused(done, files[0], f"/tallies/fields/{column + 1}")
    assert "given twice" in done.err
    # a key written twice in the file is refused by the JSON reader, with its line
    text = to_json(first).replace(
        '"format": "sourcetrace-partial",', '"format": "sourcetrace-partial", "format": "x",', 1
    )
    files, done = _merge_files(run_cli, tmp_path, [text, to_json(second)])
    assert done.code == 2 and "duplicate key 'format'" in done.err, done.err


def test_merge_refuses_a_shard_relabelled_as_the_whole_run(run_cli, tmp_path):
    first, _ = _two_partials()
    relabelled = _forged(first, lambda p: p["shard"].update(index=1, count=1))
    files, done = _merge_files(run_cli, tmp_path, [to_json(relabelled)])
    _assert_refused(done, files[0], "/gold_documents")
    scored = len(first["documents"]["scored"])
    assert f"the shards score {scored} document(s), which are not the 5 gold documents" in done.err


def test_merge_refuses_a_document_in_two_shards(run_cli, tmp_path):
    first, second = _two_partials()
    doc_id = first["documents"]["scored"][0]

    def claim_it(partial: dict[str, Any]) -> None:  # shard 2 lists shard 1's first document
        partial["documents"]["scored"][0] = doc_id
        partial["tallies"]["documents"][0] = doc_id

    files, done = _merge_files(
        run_cli, tmp_path, [to_json(first), to_json(_forged(second, claim_it))]
    )
    _assert_refused(done, files[1], "/documents/scored")
    assert f"document {doc_id!r} is in two shards (also in {files[0]})" in done.err


def test_merge_refuses_an_out_of_range_presence_flag(run_cli, tmp_path):
    first, second = _two_partials()
    forged = _forged(first, lambda p: p["tallies"]["present"].__setitem__(0, [99999]))
    files, done = _merge_files(run_cli, tmp_path, [to_json(forged), to_json(second)])
    _assert_refused(done, files[0], "/tallies/present/0")


def test_merge_refuses_settings_of_the_wrong_type(run_cli, tmp_path):
    first, second = _two_partials()
    files, done = _merge_files(
        run_cli,
        tmp_path,
        [to_json(_forged(p, lambda q: q["settings"].update(mentions=5))) for p in (first, second)],
    )
    _assert_refused(done, files[0], "/settings/mentions")
    forged = [_forged(p, lambda q: q["settings"].update(bootstrap=2**40)) for p in (first, second)]
    files, done = _merge_files(run_cli, tmp_path, [to_json(p) for p in forged])
    _assert_refused(done, files[0], "/settings")
    assert "bootstrap samples" in done.err


def test_merge_refuses_a_partial_of_an_older_format(run_cli, tmp_path):
    first, second = _two_partials()
    older = _forged(first, lambda p: p.update(format_version=1))
    files, done = _merge_files(run_cli, tmp_path, [to_json(older), to_json(second)])
    _assert_refused(done, files[0], "/format_version")


def test_merge_refuses_a_version_2_partial_with_cluster_rows(run_cli, tmp_path):
    """Version 2 carried one cluster row per mention; version 3 pooled counts of cluster pairs:
    a partial of the old format is refused with what to do, not misread."""
    first, second = _two_partials()
    older = _forged(first, lambda p: p.update(format_version=2))
    files, done = _merge_files(run_cli, tmp_path, [to_json(older), to_json(second)])
    _assert_refused(done, files[0], "/format_version")
    assert "partial format version 2 is not supported" in done.err
    assert "score the shards again" in done.err


# ---------------------------------------------------------------- pooled cluster counts


def _pooled(partial: dict[str, Any], scorer: str = "entity_clusters") -> tuple[int, list]:
    """The column of a cluster scorer's pooled counts in a partial, and its rows."""
    tallies = partial["tallies"]
    column = tallies["pooled_fields"].index([scorer, "cluster_counts"])
    return column, tallies["pooled"][column]


def _with_row(rows: list, row: list) -> list:
    """The rows with one more, in the order a partial writes them."""
    return sorted([*rows, row], key=lambda r: pooled_order(r[:2]))


POOLED_EDITS: dict[str, tuple[Callable[[list], None], str, str]] = {
    # name: (edit of the rows, JSON pointer below the column, message)
    "not-a-triple": (lambda rows: rows.__setitem__(0, rows[0][:2]), "/0", "is not [gold"),
    "both-sides-null": (lambda rows: rows.__setitem__(0, [None, None, 1]), "/0", "is not [gold"),
    "zero-mentions": (lambda rows: rows[0].__setitem__(2, 0), "/0", "mentions >= 1"),
    "negative-mentions": (lambda rows: rows[0].__setitem__(2, -3), "/0", "mentions >= 1"),
    "fractional-mentions": (lambda rows: rows[0].__setitem__(2, 1.5), "/0", "mentions >= 1"),
    "boolean-mentions": (lambda rows: rows[0].__setitem__(2, True), "/0", "mentions >= 1"),
    "number-as-id": (lambda rows: rows[0].__setitem__(0, 5), "/0", "is not [gold"),
    "empty-id": (lambda rows: rows[-1].__setitem__(0, ""), "/", "is not [gold"),
    "pair-twice": (lambda rows: rows.insert(1, list(rows[0])), "/1", "is given twice"),
    "out-of-order": (lambda rows: rows.reverse(), "/1", "out of the written order"),
    "gold-beyond-items": (
        lambda rows: rows.__setitem__(slice(None), _with_row(rows, ["zzz", None, 10**6])),
        "",
        "gold and",
    ),
    "predicted-not-counted": (
        lambda rows: rows.__setitem__(slice(None), _with_row(rows, [None, "zzz", 1])),
        "",
        "counted predictions in the shard",
    ),
}


@pytest.mark.parametrize("edit", sorted(POOLED_EDITS))
def test_merge_refuses_forged_pooled_cluster_counts(run_cli, tmp_path, edit):
    """Every rule of the pooled cluster counts, broken with the hash recomputed: exit 2 naming
    the file and the JSON pointer of the row (or of the counts, for a total)."""
    first, second = _two_partials()
    change, below, message = POOLED_EDITS[edit]
    column, rows = _pooled(first)
    assert len(rows) >= 2 and all(row[2] >= 1 for row in rows)  # a real shard's counts

    def forge(partial: dict[str, Any]) -> None:
        change(_pooled(partial)[1])

    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, forge)), to_json(second)])
    pointer = f"/tallies/pooled/{column}{below}"
    _assert_refused(done, files[0], pointer)
    assert message in done.err


def test_merge_refuses_more_counted_cluster_predictions_than_scored_items(run_cli, tmp_path):
    first, second = _two_partials()
    column = _field(first, "claim_clusters", "cluster_predictions")
    row = 0
    claims = first["layers"].index("claims")
    scored = first["items"]["predicted"][row][claims]

    def edit(partial: dict[str, Any]) -> None:
        partial["tallies"]["counts"][row][column] = scored + 1

    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, edit)), to_json(second)])
    _assert_refused(done, files[0], f"/tallies/counts/{row}")
    assert f"{scored + 1} counted cluster predictions for {scored} scored predicted claims" in (
        done.err
    )


@pytest.mark.parametrize("edit", ["missing", "unknown", "one-too-many"])
def test_merge_refuses_a_pooled_field_missing_unknown_or_without_its_counts(
    run_cli, tmp_path, edit
):
    first, second = _two_partials()
    column, _ = _pooled(first)

    def forge(partial: dict[str, Any]) -> None:
        tallies = partial["tallies"]
        if edit == "missing":
            del tallies["pooled_fields"][column], tallies["pooled"][column]
        elif edit == "unknown":
            tallies["pooled_fields"][column] = ["entity_clusters", "cluster_rows"]
        else:
            tallies["pooled"].append([])

    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, forge)), to_json(second)])
    pointer = {
        "missing": "/tallies/pooled_fields",
        "unknown": f"/tallies/pooled_fields/{column}",
        "one-too-many": "/tallies/pooled",
    }[edit]
    _assert_refused(done, files[0], pointer)


# ---------------------------------------------------------------- edits of a real partial

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EDITED_RUN = {"compare": OTHER, "compare_samples": 20, "bootstrap": 20, "seed": 1}
# a forger who recomputes the hash can relabel what no merge can check without the inputs (the
# sources and sha256s of the inputs), and can change, within every bound and identity, what
# only scoring again proves: a true positive, an unanchored prediction, a cluster id or label
IDENTITY_KEYS = ("toolkit", "corpus", "predictions", "compare")


@pytest.fixture(scope="module")
def real_run():
    partials = [
        json.loads(to_json(evaluate_partial(SYSTEM, shard=(k, 2), **EDITED_RUN))) for k in (1, 2)
    ]
    return partials, to_json(merge_partials(copy.deepcopy(partials)))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: object keys and list indices, leaves included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


EDITS = ("add", "negate", "scale", "zero", "huge", "type", "rename", "duplicate", "drop")


def _edit(value: Any, path: tuple, kind: str, amount: int) -> bool:
    """Apply one edit in place at ``path``; False when it does not apply there."""
    parent, step = (_at(value, path[:-1]), path[-1]) if path else (None, None)
    if parent is None:
        return False
    old = parent[step]
    number = isinstance(old, (int, float)) and not isinstance(old, bool)
    if kind == "add" and number:
        parent[step] = old + amount
    elif kind == "negate" and number and old:
        parent[step] = -old
    elif kind == "scale" and number:
        parent[step] = old * (amount if amount else 0.5)
    elif kind == "zero" and number and old:
        parent[step] = 0
    elif kind == "huge" and number:
        parent[step] = [2**63, 10**18, 1e308, 2**31][amount % 4]
    elif kind == "type":
        parent[step] = [str(old), None, [], {}, True, [old]][amount % 6]
    elif kind == "rename" and isinstance(parent, dict):
        parent[f"{step}x" if amount % 2 else "documents"] = parent.pop(step)
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(step, copy.deepcopy(old))
    elif kind == "drop":
        del parent[step]
    else:
        return False
    return True


def _merge_or_refuse(partials: list[dict[str, Any]]) -> str | None:
    """The merged report, or None when merge refused it as bad input (exit 2 on the CLI); any
    other exception (exit 3) fails the test."""
    from sourcetrace.errors import InputErrors

    try:
        return to_json(merge_partials(partials))
    except (InputError, InputErrors):
        return None


@given(data=st.data())
def test_an_edited_partial_is_refused_or_merges_to_the_true_report(real_run, data):
    """Edits of a written partial (its hash left as written): refused, or no change at all."""
    partials, truth = real_run
    edited = copy.deepcopy(partials)
    which = data.draw(st.sampled_from([0, 1]), label="shard")
    path = data.draw(st.sampled_from(_paths(edited[which])), label="path")
    kind = data.draw(st.sampled_from(EDITS), label="edit")
    applied = _edit(edited[which], path, kind, data.draw(st.integers(-3, 40), label="amount"))
    merged = _merge_or_refuse(edited)
    assert merged is None or merged == truth, (path, kind, applied)


@given(data=st.data())
def test_a_forged_partial_is_refused_or_only_moves_what_scoring_again_would_prove(real_run, data):
    """The same edits with the hash recomputed: refused, the true report, or a change within
    the bounds of what no check can see (a true positive, an unanchored prediction, a cluster id
    or attribute label; the recorded identity of the inputs)."""
    partials, truth = real_run
    edited = copy.deepcopy(partials)
    which = data.draw(st.sampled_from([0, 1]), label="shard")
    path = data.draw(st.sampled_from(_paths(edited[which])[1:]), label="path")
    kind = data.draw(st.sampled_from(EDITS), label="edit")
    if not _edit(edited[which], path, kind, data.draw(st.integers(-3, 40), label="amount")):
        return
    edited[which]["statistics_sha256"] = statistics_sha256(edited[which])
    merged = _merge_or_refuse(edited)
    if merged is None or merged == truth:
        return
    if path[0] in IDENTITY_KEYS:
        return
    section = path[0]
    assert section in ("tallies", "compare_tallies"), (path, kind)
    if path[1] in ("lists", "pooled"):  # a cluster id, or mentions moved between pairs
        return
    assert path[1] == "counts" and len(path) == 4, (path, kind)
    field = edited[which][section]["fields"][path[3]]
    # the source-phrase counts are all counts on matched pairs, like a true positive
    assert (
        field[-1] == "true_positives"
        or field == ["entities", "unanchored_predictions"]
        or field[:2] == ["attributions", "source_span"]
    ), (path, kind)


@given(
    count=st.integers(1, 8),
    missing=st.sampled_from(["error", "empty"]),
    dropped=st.sets(
        st.sampled_from(["st-000", "st-001", "st-002", "st-003", "st-004"]), max_size=4
    ),
)
def test_shards_without_prediction_records_merge_to_the_one_run_report(
    count, missing, dropped, tmp_path_factory
):
    """Any N (more shards than documents too) and any --missing policy: shards whose documents
    have no prediction record infer the layers of the whole input, and merge to one run."""
    records = [json.loads(line) for line in SYSTEM.read_text(encoding="utf-8").splitlines()]
    if missing == "error":
        dropped = set()
    kept = tmp_path_factory.mktemp("kept") / "predictions.jsonl"
    kept.write_text(
        "".join(json.dumps(r) + "\n" for r in records if r["doc_id"] not in dropped),
        encoding="utf-8",
    )
    one_run = evaluate(kept, missing=missing)
    partials = [
        evaluate_partial(kept, shard=(k, count), missing=missing) for k in range(1, count + 1)
    ]
    without_records = [p for p in partials if p["documents"]["predicted"] == 0]
    assert bool(without_records) == (
        count > len(records) or any(set(p["documents"]["scored"]) <= dropped for p in partials)
    )
    merged = merge_partials([json.loads(to_json(p)) for p in partials])
    assert to_json(merged) == to_json(one_run)
    assert merged["documents"]["missing_scored_as_empty"] == sorted(dropped)


def test_every_scorer_of_the_registry_declares_the_partial_fields_it_writes(tmp_path):
    """Each scorer carries its partial checks (`partial_fields`, `check_partial`): the fields
    it declares are exactly those a real shard of it writes, under its own name (the noisy gold
    of every layer, provenance taken from the gold, so that every scorer writes)."""
    from sourcetrace.evaluation.partial_checks import read_statistics
    from sourcetrace.scoring.registry import SCORERS

    gold = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in (REPO_ROOT / "annotations" / "gold").glob("*.json")
    }
    records = [json.loads(line) for line in SYSTEM.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record["provenance"] = [
            {**edge, "evidence": []}
            for edge in gold[record["doc_id"]]["provenance"]
            if all(
                not isinstance(node, dict) or "mention" not in node
                for node in (edge["reporter"], edge["reported"])
            )
        ]
    system = tmp_path / "every-layer.jsonl"
    system.write_text("".join(json.dumps(record) + "\n" for record in records))
    partial = evaluate_partial(system, shard=(1, 1))
    assert {scorer.layer for scorer in SCORERS} <= set(partial["layers"])
    statistics = read_statistics(partial, "shard", "tallies", "items")
    for scorer in SCORERS:
        declared = scorer.partial_fields(statistics)
        written = {path for path in statistics.fields if path[0] == scorer.name}
        written_lists = {path for path in statistics.list_fields if path[0] == scorer.name}
        assert declared.numeric <= written <= declared.numeric | declared.optional_numeric, (
            scorer.name
        )
        assert declared.lists <= written_lists <= declared.lists | declared.optional_lists
        scorer.check_partial(statistics)  # the true counts satisfy its identities


# ---------------------------------------------------------------- any N, any missing documents


LAYER_SETS = (
    ("entities",),
    ("claims",),
    ("entities", "claims"),
    ("entities", "claims", "attributions"),
)


@pytest.fixture(scope="module")
def system_lines() -> list[str]:
    return SYSTEM.read_text(encoding="utf-8").splitlines()


@given(data=st.data())
def test_any_shard_count_over_any_kept_documents_merges_to_the_one_run_report(
    system_lines, tmp_path_factory, data
):
    """Issue 24, edge 4: shards with no prediction record (`--missing empty` with documents
    left out, or N above the number of documents) merge to what one process reports, for every
    N and every subset of documents and layers the predictions carry."""
    lines = range(len(system_lines))  # an empty file is refused as such: one record at least
    kept = data.draw(st.lists(st.sampled_from(lines), unique=True, min_size=1), "kept")
    # attributions refer to the claims and mentions of their record, so they come with both
    layers = data.draw(st.sampled_from(LAYER_SETS), "layers")
    count = data.draw(st.integers(min_value=1, max_value=len(system_lines) + 3), "shards")
    records = []
    for index in sorted(kept):
        record = json.loads(system_lines[index])
        records.append({"doc_id": record["doc_id"], **{k: record[k] for k in layers}})
    predictions = tmp_path_factory.mktemp("kept") / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    one_run = evaluate(predictions, missing="empty", per_document=True)
    partials = [
        json.loads(to_json(evaluate_partial(predictions, shard=(k, count), missing="empty")))
        for k in range(1, count + 1)
    ]
    assert to_json(merge_partials(partials, per_document=True)) == to_json(one_run)


# ---------------------------------------------------------------- the PARC extras of attributions

GOLD = REPO_ROOT / "annotations" / "gold"


def _gold_with_other_extras(tmp_path: Path) -> Path:
    """The packaged gold as a system, with every second content type changed and every third
    source phrase dropped: figures that are neither 0 nor 1, in every document."""
    types = ("assertion", "belief", "fact", "eventuality")
    lines = []
    for gold_file in sorted(GOLD.glob("*.json")):
        record = json.loads(gold_file.read_text(encoding="utf-8"))
        doc_id = record["doc_id"]
        for index, attribution in enumerate(record["attributions"]):
            if index % 2:
                attribution["content_type"] = types[
                    (types.index(attribution["content_type"]) + 1) % 4
                ]
            if index % 3 == 0:
                attribution["source_span"] = None
        layers = {k: record[k] for k in ("entities", "claims", "attributions")}
        lines.append(json.dumps({"doc_id": doc_id, **layers}) + "\n")
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("count", [2, 3])
def test_source_span_and_content_type_merge_to_the_one_run_report(tmp_path, count):
    system = _gold_with_other_extras(tmp_path)
    one_run = evaluate(system, gold=GOLD, per_document=True)
    section = one_run["layers"]["attributions"]
    assert 0 < section["content_type"]["accuracy"] < 1
    assert 0 < section["source_span"]["strict"]["recall"] < 1
    partials = [
        json.loads(to_json(evaluate_partial(system, gold=GOLD, shard=(k, count))))
        for k in range(1, count + 1)
    ]
    assert to_json(merge_partials(partials, per_document=True)) == to_json(one_run)


def _extras_partials(tmp_path: Path) -> list[dict[str, Any]]:
    system = _gold_with_other_extras(tmp_path)
    return [json.loads(to_json(evaluate_partial(system, gold=GOLD, shard=(k, 2)))) for k in (1, 2)]


def test_merge_refuses_forged_source_span_pairs_beyond_the_matched_attributions(run_cli, tmp_path):
    first, second = _extras_partials(tmp_path)
    column = _field(first, "attributions", "source_span", "pairs")
    matched = first["tallies"]["counts"][0][
        _field(first, "attributions", "triple", "lenient", "true_positives")
    ]

    def edit(partial: dict[str, Any]) -> None:
        partial["tallies"]["counts"][0][column] = matched + 1

    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, edit)), to_json(second)])
    _assert_refused(done, files[0], "/tallies/counts/0")
    assert f"source span scored on {matched + 1} pairs, but {matched} matched triples" in done.err


def test_merge_refuses_a_forged_content_type_label(run_cli, tmp_path):
    first, second = _extras_partials(tmp_path)
    column = first["tallies"]["list_fields"].index(["attributions", "content_type", "predicted"])

    def edit(partial: dict[str, Any]) -> None:
        partial["tallies"]["lists"][0][column][0] = "opinion"

    files, done = _merge_files(run_cli, tmp_path, [to_json(_forged(first, edit)), to_json(second)])
    _assert_refused(done, files[0], "/tallies/lists/0/")
    assert "'opinion' is no content_type label" in done.err
