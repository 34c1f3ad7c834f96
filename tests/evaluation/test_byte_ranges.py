"""Shards that read only their byte ranges (`evaluate --workers`, `--scheduler`): the parent
indexes each JSON Lines input once, each shard reads, validates and scores its own lines, and
the merged report is the one-process report byte for byte, for any shard count, any record
order and any line the index cannot place by its cheap scan; errors are one process's."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation.byte_ranges import (
    evaluate_by_chunks_or_whole,
    evaluate_in_chunks,
    evaluate_in_ranges,
    explain_by_chunks_or_whole,
    index_jsonl,
    read_lines,
    shard_specs,
)
from sourcetrace.evaluation.run import evaluate, evaluate_with_explanations
from sourcetrace.jsonio import read_records
from sourcetrace.report import to_json
from sourcetrace.schema.conventions import (
    OffsetConventionWarning,
    never_diagnosed,
    spans_of,
    unit_boundaries,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNS = REPO_ROOT / "evaluate" / "runs"
SYSTEM = RUNS / "noisy-gold-30" / "predictions.jsonl"
OTHER = RUNS / "rules" / "predictions.jsonl"
STATISTICS = {"bootstrap": 50, "compare_samples": 50, "seed": 5}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _one_process_error(call) -> str:
    with pytest.raises((InputError, InputErrors)) as raised:
        call()
    return str(raised.value)


# ---------------------------------------------------------------- the index


def test_the_index_places_every_record_at_its_bytes_whichever_way_its_line_is_written(tmp_path):
    """The cheap scan places `{"doc_id": "..."` lines; a key order, a BOM, an escaped id, a
    blank line or a leading space is placed by a parse: each record read back from its byte
    range is the record the whole-file reader reads."""
    lines = [
        '\ufeff{"doc_id": "a", "entities": []}',
        '{"entities": [], "doc_id": "b"}',
        "",
        '  {"doc_id": "c", "entities": []}',
        '{"doc_id": "\\u0064", "entities": []}',
        '{"doc_id":"e","entities":[]}\r',
        '{"doc_id": 7, "entities": []}',
        "[1, 2]",
        '{"doc_id": "f", "text": "caf\u00e9 \U0001f600", "entities": []}',
    ]
    path = _write(tmp_path / "p.jsonl", lines)
    index = index_jsonl(path)
    placed = {doc_id: [number for number, _, _ in found] for doc_id, found in index.lines.items()}
    assert placed == {"a": [1], "b": [2], "c": [4], "d": [5], "e": [6], None: [7, 8], "f": [9]}
    specs = shard_specs(path, None, shards=1)  # every line to the only shard
    everything = sorted(line for found in index.lines.values() for line in found)
    assert specs[0].predictions.lines == tuple(everything)
    read_back = read_lines(specs[0].predictions)
    _, whole = read_records(path)
    assert [(r.line, r.value) for r in read_back] == [(r.line, r.value) for r in whole]


def test_a_malformed_line_the_scan_places_is_refused_as_one_process_refuses_it(tmp_path):
    """The scan places the line by its id; its shard's parse fails; the error is the file's
    first as one process reads it (a byte that is not UTF-8 later in the file comes first)."""
    lines = [line for line in SYSTEM.read_text(encoding="utf-8").splitlines()]
    lines[1] = lines[1][:-1]  # the closing brace gone: malformed, still `{"doc_id": "st-001"`
    broken = _write(tmp_path / "broken.jsonl", lines)
    expected = _one_process_error(lambda: evaluate(broken))
    assert "line 2" in expected and "malformed JSON" in expected
    assert _one_process_error(lambda: evaluate_in_ranges(broken, shards=3)) == expected
    worse = tmp_path / "worse.jsonl"
    worse.write_bytes(broken.read_bytes() + b'{"doc_id": "st-004", "x": "\xff"}\n')
    expected = _one_process_error(lambda: evaluate(worse))
    assert "UTF-8" in expected and "line 6" in expected
    assert _one_process_error(lambda: evaluate_in_ranges(worse, shards=2)) == expected


def test_a_line_the_scan_cannot_place_and_that_does_not_parse_is_refused_by_the_parent(
    tmp_path,
):
    broken = _write(tmp_path / "broken.jsonl", ['{"entities": [}'])
    expected = _one_process_error(lambda: evaluate(broken))
    assert _one_process_error(lambda: evaluate_in_ranges(broken, shards=2)) == expected
    empty = _write(tmp_path / "empty.jsonl", ["", "  "])
    expected = _one_process_error(lambda: evaluate(empty))
    assert "no JSON lines" in expected
    assert _one_process_error(lambda: evaluate_in_ranges(empty, shards=2)) == expected


def test_a_record_invalid_in_one_shard_is_refused_with_its_file_line_and_pointer(tmp_path):
    records = [json.loads(line) for line in SYSTEM.read_text(encoding="utf-8").splitlines()]
    records[3]["entities"][0]["end"] = 10**7  # beyond the text
    path = _write(tmp_path / "p.jsonl", [json.dumps(r) for r in records])
    with pytest.raises((InputError, InputErrors)) as one:
        evaluate(path)
    with pytest.raises((InputError, InputErrors)) as sharded:
        evaluate_in_ranges(path, shards=5)
    assert str(sharded.value) == str(one.value)  # the one bad record is in one shard
    assert "line 4" in str(one.value) and "/entities/0" in str(one.value)


def test_a_file_changed_after_it_was_indexed_is_refused(tmp_path):
    path = _write(tmp_path / "p.jsonl", SYSTEM.read_text(encoding="utf-8").splitlines())
    specs = shard_specs(path, None, shards=2)
    time.sleep(0.01)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_lines(specs[0].predictions)
    assert raised.value.file == path and "changed" in raised.value.message


# ---------------------------------------------------------------- any N: the one-process report


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import event, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LAYER_SETS = (
    ("entities",),
    ("claims",),
    ("entities", "claims"),
    ("entities", "claims", "attributions"),
)


def _reshaped(record: dict, how: str) -> str:
    """A record written as a writer other than json.dumps might write it."""
    if how == "doc_id last":
        return json.dumps({**{k: v for k, v in record.items() if k != "doc_id"}, **record})
    if how == "compact":
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
    if how == "indented start":
        return "  " + json.dumps(record)
    return json.dumps(record)


def _gold_line(document: dict) -> str:
    text_sha256 = hashlib.sha256(document["text"].encode("utf-8")).hexdigest()
    return json.dumps({**document, "text_sha256": text_sha256})


def _drawn_run(
    data, folder: Path, *, unknown: bool = False, systems: tuple[Path, ...] = (SYSTEM,)
) -> tuple[Path, Path | None, Any]:
    """Predictions of any kept documents (of one of ``systems``), layers, order of lines and
    way of writing them, with blank lines (and, if ``unknown`` may be drawn, a record of no gold
    document); the packaged corpus or a gold JSONL in any order; with or without --compare."""
    system = data.draw(st.sampled_from(systems), "system").read_text(encoding="utf-8")
    system = system.splitlines()
    kept = data.draw(st.lists(st.sampled_from(range(len(system))), unique=True, min_size=1))
    layers = data.draw(st.sampled_from(LAYER_SETS))
    shapes = st.sampled_from(["dumps", "doc_id last", "compact", "indented start"])
    lines = []
    for index in kept:  # drawn in any order: the file need not be sorted
        record = json.loads(system[index])
        record = {"doc_id": record["doc_id"], **{k: record[k] for k in layers}}
        lines.append(_reshaped(record, data.draw(shapes)))
        if data.draw(st.booleans()):
            lines.append("")
    if unknown and data.draw(st.booleans(), "a record of no gold document"):
        lines.insert(
            data.draw(st.integers(0, len(lines))),
            json.dumps({"doc_id": "zz-9", **{k: [] for k in layers}}),
        )
    predictions = _write(folder / "predictions.jsonl", lines)
    gold = None
    if data.draw(st.booleans(), "gold JSONL"):
        from sourcetrace.evaluation.inputs import load_gold

        documents = load_gold().documents
        order = data.draw(st.permutations(sorted(documents)), "gold order")
        gold = _write(folder / "gold.jsonl", [_gold_line(documents[d]) for d in order])
    compare = OTHER if data.draw(st.booleans(), "compare") else None
    return predictions, gold, compare


@given(data=st.data())
def test_any_shard_count_and_record_order_gives_the_one_process_report(tmp_path_factory, data):
    """Byte ranges over any kept documents, layers, order of lines and way of writing them,
    blank lines, any shard count (above the documents too), --missing empty, the packaged
    corpus or a gold JSONL, with or without --compare: the one-process report, byte for byte."""
    predictions, gold, compare = _drawn_run(data, tmp_path_factory.mktemp("ranges"))
    count = data.draw(st.integers(min_value=1, max_value=8), "shards")
    options = {"missing": "empty", "per_document": True, "compare_samples": 20, "seed": 5}
    one_process = evaluate(predictions, gold, compare=compare, **options)
    sharded = evaluate_in_ranges(predictions, gold, shards=count, compare=compare, **options)
    assert to_json(sharded) == to_json(one_process)


# ---------------------------------------------------------------- the W3 synthetic shape


def _synthetic_w3(folder: Path, documents: int) -> tuple[Path, Path, Path]:
    """W3 gold, predictions and a second system of the benchmarks' generator, lines shuffled."""
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        from synthetic_corpus import document_lines
    finally:
        sys.path.pop(0)
    rows = [document_lines(11, index, "default")[0] for index in range(documents)]
    paths = []
    for name in ("w3-gold", "w3-pred", "w3-pred-b"):
        lines = [row[name].decode("utf-8") for row in rows]
        random.Random(name).shuffle(lines)
        paths.append(_write(folder / f"{name}.jsonl", lines))
    return paths[0], paths[1], paths[2]


def test_the_w3_synthetic_shape_in_shards_gives_the_one_process_report(tmp_path):
    gold, predictions, other = _synthetic_w3(tmp_path, 60)
    one_process = evaluate(predictions, gold, compare=other, per_document=True, **STATISTICS)
    for shards in (1, 2, 7):
        sharded = evaluate_in_ranges(
            predictions, gold, shards=shards, compare=other, per_document=True, **STATISTICS
        )
        assert to_json(sharded) == to_json(one_process)


# ---------------------------------------------------------------- a real Dask cluster


def _dask(*args: str, cwd: Path, log: Path) -> subprocess.Popen:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT / "src"), environment.get("PYTHONPATH", "")) if p
    )
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "dask"), *args],
            cwd=cwd,
            env=environment,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def dask_cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1 (ephemeral ports), run
    from another working directory than the tests; the scheduler's address, then all torn
    down."""
    pytest.importorskip("dask.distributed", reason="the scale extra is not installed")
    elsewhere = tmp_path / "workers-cwd"
    elsewhere.mkdir()
    address_file = tmp_path / "scheduler.json"
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    processes = [
        _dask(
            "scheduler",
            "--port",
            "0",
            "--scheduler-file",
            str(address_file),
            *common,
            cwd=elsewhere,
            log=tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not address_file.is_file() or not address_file.read_text().strip():
            assert time.monotonic() < deadline, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        for number in range(2):
            processes.append(
                _dask(
                    "worker",
                    "--scheduler-file",
                    str(address_file),
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    *common,
                    cwd=elsewhere,
                    log=tmp_path / f"worker-{number}.log",
                )
            )
        from dask.distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def test_a_running_dask_scheduler_and_two_workers_give_the_one_process_report(
    dask_cluster, run_cli_subprocess
):
    """The CLI with --scheduler on a cluster started outside it (workers in another working
    directory, given relative paths): the one-process report, byte for byte."""
    predictions = SYSTEM.relative_to(REPO_ROOT)
    other = OTHER.relative_to(REPO_ROOT)
    options = ["--format", "json", "--per-document", "--bootstrap", "50", "--seed", "5"]
    one = run_cli_subprocess("evaluate", predictions, "--compare", other, *options)
    assert one.code == 0, one.err
    on_cluster = run_cli_subprocess(
        "evaluate", predictions, "--compare", other, *options, "--scheduler", dask_cluster
    )
    assert on_cluster.code == 0, on_cluster.err
    assert on_cluster.out == one.out
    # the same by the Python API
    from sourcetrace.evaluation.scale import evaluate_on_dask

    alone = evaluate(SYSTEM, per_document=True, **STATISTICS)
    on_cluster_api = evaluate_on_dask(
        SYSTEM, scheduler=dask_cluster, per_document=True, **STATISTICS
    )
    assert to_json(on_cluster_api) == to_json(alone)


def test_workers_with_scheduler_and_an_unreachable_scheduler_are_refused(run_cli, tmp_path):
    both = run_cli("evaluate", SYSTEM, "--workers", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert both.code == 2 and "--workers with --scheduler" in both.err
    assert "Traceback" not in both.err
    page = tmp_path / "r.html"
    with_page = run_cli("evaluate", SYSTEM, "--scheduler", "tcp://127.0.0.1:9", "--output", page)
    assert with_page.code == 2 and "--scheduler with the HTML page" in with_page.err
    assert not page.exists()
    nowhere = run_cli("evaluate", SYSTEM, "--scheduler", "nowhere://127.0.0.1")
    assert nowhere.code == 2 and "Traceback" not in nowhere.err
    assert "could not connect to the Dask scheduler at nowhere://127.0.0.1" in nowhere.err


# ---------------------------------------------------------------- one process, a chunk at a time


def _outcome(call) -> tuple[str, str]:
    """("report", its JSON) or ("error", its message): what a run gives."""
    try:
        return "report", to_json(call())
    except (InputError, InputErrors) as error:
        return "error", str(error)


@given(data=st.data())
def test_reading_in_chunks_gives_the_one_process_report_or_error(tmp_path_factory, data):
    """Any chunk size (above the documents too), any kept, missing or unknown documents, any
    layers, order of lines and way of writing them, --missing error or empty, the packaged
    corpus or a gold JSONL, with or without --compare, bootstrap and per-document scores: the
    run read a chunk at a time gives the one-process report byte for byte, or, when the inputs
    are refused, the one-process message (a refused run is read whole again, which words it)."""
    predictions, gold, compare = _drawn_run(data, tmp_path_factory.mktemp("chunks"), unknown=True)
    chunk = data.draw(st.integers(min_value=1, max_value=7), "documents per chunk")
    options = {
        "missing": data.draw(st.sampled_from(["error", "empty"]), "missing"),
        "per_document": data.draw(st.booleans(), "per document"),
        "bootstrap": data.draw(st.sampled_from([0, 20]), "bootstrap"),
        "compare_samples": 20,
        "seed": 5,
    }
    one_process = _outcome(lambda: evaluate(predictions, gold, compare=compare, **options))
    chunked = evaluate_in_chunks(
        predictions, gold, compare=compare, chunk_documents=chunk, **options
    )
    if one_process[0] == "report":
        assert chunked is not None  # streamed, not read whole again
        assert to_json(chunked) == one_process[1]
    else:
        assert chunked is None  # refused: read whole again, as one process reads it
    assert (
        _outcome(lambda: evaluate_by_chunks_or_whole(predictions, gold, compare=compare, **options))
        == one_process
    )


# defects a prediction record may be given, and ways of counting its offsets
RECORD_DEFECTS = (
    "none",
    "start one on",
    "end one short",
    "end past the text",
    "span text differs",
    "unknown type",
    "line twice",
)
WRITTEN_IN = (("codepoint", "exclusive"), ("utf16", "exclusive"), ("utf8", "exclusive"))
WRITTEN_IN += (("codepoint", "inclusive"), ("utf8", "inclusive"))


def _given_defect(
    record: dict, text: str, defect: str, written_in: tuple[str, str], *, bare: bool
) -> dict:
    """``record`` with ``defect`` in its first span, its offsets then written in the convention
    ``written_in`` (units, end; inclusive: without the items that would not validate one
    short, where no attribution refers to them); ``bare``: its spans without their own text."""
    record = copy.deepcopy(record)
    if written_in[1] == "inclusive" and "attributions" not in record:
        for layer in ("entities", "claims"):  # kept: the items still valid when one short
            if layer in record:
                record[layer] = [
                    item
                    for item in record[layer]
                    if (part := text[item["start"] : item["end"] - 1]).strip() == part != ""
                ]
    spans = list(spans_of(record))
    for span in spans if bare else ():
        span.pop("text", None)
    if spans and defect == "start one on":
        spans[0].pop("text", None)
        spans[0]["start"] += 1
    elif spans and defect == "end one short":
        spans[0]["end"] -= 1
    elif spans and defect == "end past the text":
        spans[0]["end"] = len(text) + 3
    elif spans and defect == "span text differs":
        spans[0]["text"] = "x" + spans[0].get("text", "")
    elif defect == "unknown type" and record.get("entities"):
        record["entities"][0]["type"] = "PERSN"
    units, end = written_in
    bounds = unit_boundaries(text, units)
    for span in spans:
        if 0 <= span["start"] < span["end"] <= len(text):
            span["start"], span["end"] = bounds[span["start"]], bounds[span["end"]]
            span["end"] -= end == "inclusive"
    return record


@given(data=st.data())
def test_chunks_checked_on_columns_give_the_one_process_report_warning_or_error(
    tmp_path_factory, data
):
    """Every chunk through the columnar checks (MIN_FILE_BYTES 0), over predictions with
    defects (offsets one off, past the text, a span text that differs, an unknown type, a line
    twice), spans with or without their text, offsets written in another convention, read with any
    --offsets/--end: the run in chunks gives the one-process report, warning or message; a
    chunk the columns find clean is one in which the record path finds no problem, diagnoses
    nothing and counts no span that does not fit (so the misfits summed over chunks stay
    exact without it)."""
    from sourcetrace.evaluation.inputs import RecordsRead, load_gold, load_predictions
    from sourcetrace.schema import columns

    folder = tmp_path_factory.mktemp("columns")
    predictions, gold, compare = _drawn_run(data, folder, unknown=True, systems=(SYSTEM, OTHER))
    texts = load_gold().texts
    lines = predictions.read_text(encoding="utf-8").splitlines()
    written_in = data.draw(st.sampled_from(WRITTEN_IN), "offsets written in")
    bare = data.draw(st.booleans(), "spans without their text")
    defects = st.sampled_from(RECORD_DEFECTS if data.draw(st.booleans()) else ("none",))
    defective, drawn = [], set()
    for line in lines:
        record = json.loads(line) if line.strip() else None
        if not isinstance(record, dict) or record["doc_id"] not in texts:
            defective.append(line)
            continue
        defect = data.draw(defects, "defect")
        drawn.add(defect)
        changed = _given_defect(record, texts[record["doc_id"]], defect, written_in, bare=bare)
        defective += [json.dumps(changed)] * (2 if defect == "line twice" else 1)
    _write(predictions, defective)
    ours = WRITTEN_IN[0]
    read_with = data.draw(st.sampled_from((ours, ours, written_in, *WRITTEN_IN[1:3])), "read with")
    units, end = read_with
    options = {"missing": "empty", "offsets": units, "end": end, "compare_samples": 20}
    chunk = data.draw(st.integers(min_value=1, max_value=4), "documents per chunk")

    def warned(call) -> tuple[list[str], tuple[str, str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome = _outcome(call)
        return [str(w.message) for w in caught if w.category is OffsetConventionWarning], outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        one_process = warned(lambda: evaluate(predictions, gold, compare=compare, **options))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chunked = evaluate_in_chunks(
                predictions, gold, compare=compare, chunk_documents=chunk, **options
            )
        assert not [w for w in caught if w.category is OffsetConventionWarning]
        either = warned(
            lambda: evaluate_by_chunks_or_whole(predictions, gold, compare=compare, **options)
        )
        specs = shard_specs(predictions, gold, shards=len(texts) // chunk + 1, **options)
        verdicts = []
        whole, gold_set = predictions.read_bytes(), load_gold(gold)
        for spec in specs:
            at = spec.predictions.lines
            lines_read = b"\n".join(whole[offset : offset + size] for _, offset, size in at)
            clean = columns.clean_lines_count(
                lines_read, "prediction", texts.get, file_bytes=len(whole)
            )
            verdicts.append(clean is not None and bool(at))
            if clean is None:
                continue
            counts: Counter = Counter()
            read = RecordsRead(predictions, read_lines(spec.predictions), "p", "", False, counts)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                load_predictions(read, gold_set)  # read in our convention: no problem
            assert not [w for w in caught if w.category is OffsetConventionWarning]
            assert never_diagnosed(counts)
            assert all(
                counts["spans", by_text] == counts["fit", by_text] for by_text in (True, False)
            )
    event(f"chunks clean on columns: {sum(verdicts)}")
    event(f"one process: {one_process[1][0]}{' and a warning' if one_process[0] else ''}")
    assert either == one_process
    if chunked is not None:
        assert ([], ("report", to_json(chunked))) == one_process  # and no warning was due
    elif drawn <= {"none"} and written_in == read_with == ours:
        assert one_process[1][0] == "error"  # a run without defects is read whole only if refused


def test_the_w3_synthetic_shape_in_chunks_gives_the_one_process_report(tmp_path):
    """Every layer of the benchmarks' W3 shape, lines shuffled, with a compared system, the
    bootstrap and per-document scores, in chunks of 1, 7 and 25 documents."""
    gold, predictions, other = _synthetic_w3(tmp_path, 60)
    one_process = evaluate(predictions, gold, compare=other, per_document=True, **STATISTICS)
    for chunk in (1, 7, 25):
        chunked = evaluate_in_chunks(
            predictions,
            gold,
            compare=other,
            per_document=True,
            chunk_documents=chunk,
            **STATISTICS,
        )
        assert chunked is not None and to_json(chunked) == to_json(one_process)


def test_a_bad_line_in_a_late_chunk_is_refused_with_the_one_process_message(tmp_path):
    """The malformed line is in the last chunk, after earlier chunks were scored; the message
    is the one process's (the run is read whole again to word it)."""
    lines = SYSTEM.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1][:-1]
    broken = _write(tmp_path / "broken.jsonl", lines)
    expected = _one_process_error(lambda: evaluate(broken))
    assert f"line {len(lines)}" in expected and "malformed JSON" in expected
    assert evaluate_in_chunks(broken, chunk_documents=1) is None
    assert _one_process_error(lambda: evaluate_by_chunks_or_whole(broken)) == expected


def test_spans_that_seem_to_count_otherwise_are_read_whole_and_warned_once(tmp_path):
    """Predictions whose spans end on their last character (end inclusive), read as end
    exclusive, that still validate: one process warns once, weighing every span; a run in
    chunks cannot weigh them chunk by chunk, so it reads them whole and gives the same warning
    and the same report."""
    import warnings

    from sourcetrace.evaluation.inputs import load_gold
    from sourcetrace.schema.conventions import OffsetConventionWarning

    documents = load_gold().documents
    lines = []
    for doc_id in sorted(documents):
        text = documents[doc_id]["text"]
        entities = [
            {"start": e["start"], "end": e["end"] - 1, "type": e["type"]}
            for e in documents[doc_id]["entities"]
            if text[e["start"] : e["end"] - 1].strip() == text[e["start"] : e["end"] - 1] != ""
        ]
        lines.append(json.dumps({"doc_id": doc_id, "entities": entities}))
    predictions = _write(tmp_path / "inclusive.jsonl", lines)

    def warned(call) -> tuple[list[str], str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome = _outcome(call)
        return [str(w.message) for w in caught if w.category is OffsetConventionWarning], outcome

    one_process = warned(lambda: evaluate(predictions))
    assert len(one_process[0]) == 1 and "--end inclusive" in one_process[0][0]
    assert one_process[1][0] == "report"
    assert evaluate_in_chunks(predictions, chunk_documents=2) is None
    assert warned(lambda: evaluate_by_chunks_or_whole(predictions)) == one_process


def test_explanations_made_a_chunk_at_a_time_are_the_one_process_explanations(tmp_path):
    """What the HTML page and the TSV/CSV item lists are drawn from: the report and every
    document's item outcomes, in document-id order, equal the one-process run's, for chunks of
    1, 2 and 25 documents (W3 shape, lines shuffled; --missing empty with a document left out)."""
    gold, predictions, _ = _synthetic_w3(tmp_path, 24)
    lines = predictions.read_text(encoding="utf-8").splitlines()
    _write(predictions, lines[1:])
    options = {"missing": "empty", "per_document": True}
    report, explained = evaluate_with_explanations(predictions, gold, **options)
    expected = (to_json(report), list(explained))
    assert len(expected[1]) == 24
    for chunk in (1, 2, 25):
        report, explained = explain_by_chunks_or_whole(
            predictions, gold, chunk_documents=chunk, **options
        )
        assert evaluate_in_chunks(predictions, gold, chunk_documents=chunk, **options) is not None
        assert (to_json(report), list(explained)) == expected


def test_documents_per_chunk_hold_about_the_gold_bytes_of_a_chunk() -> None:
    """1,000 documents (CHUNK_DOCUMENTS) at least; more when they are small, to about
    CHUNK_GOLD_BYTES (9 MB) of gold per chunk: W1 at 10,000 documents (91 MB) keeps 1,000, its
    sparse shape (31 MB) takes 2,891, W3 (144 MB) keeps 1,000."""
    from sourcetrace.evaluation.byte_ranges import documents_per_chunk

    assert documents_per_chunk(10_000, 90_909_165) == 1000
    assert documents_per_chunk(10_000, 31_121_693) == 2891
    assert documents_per_chunk(10_000, 143_708_897) == 1000
    assert documents_per_chunk(3, 300) == 90_000  # a small file: one chunk
    assert documents_per_chunk(0, 0) == 1000
