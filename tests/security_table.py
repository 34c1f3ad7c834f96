# ruff: noqa: E501  (the table lists test names whole, so they can be searched for)
"""SECURITY.md's table of hostile inputs, counted from the test suite itself.

Each class of bad input names the tests that try it; its number of cases is counted from those
tests: the product of their `parametrize` lists, a module constant for a test that loops over
its cases, and the examples of the CI hypothesis profile for a property test. A test
(test_security_md_is_current in tests/test_security_table.py) regenerates the table and
compares it with SECURITY.md, so the file cannot go stale. Regenerate with
`.venv/bin/python tests/security_table.py --write`.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
START, END = "<!-- hostile-input-table:start -->", "<!-- hostile-input-table:end -->"

# (class of bad input, [(test module, test name, loop constant or None)], outcome)
CLASSES: list[tuple[str, list[tuple[str, str, str | None]], str]] = [
    (
        "Malformed JSON / JSON Lines: syntax, NaN, duplicate keys, empty files, deep nesting, "
        "non-UTF-8 bytes, arbitrary bytes",
        [
            ("test_validate", "test_malformed_json_names_the_line_of_the_fault", None),
            ("test_validate", "test_malformed_jsonl_line_names_its_line", None),
            (
                "test_jsonio",
                "test_duplicate_keys_are_refused_as_the_standard_library_words_it",
                None,
            ),
            ("test_validate", "test_invalid_utf8_is_refused_naming_its_line", None),
            ("test_validate", "test_empty_file_is_refused", None),
            ("test_validate", "test_not_json_values_are_refused_naming_their_line", None),
            (
                "test_validate",
                "test_broken_inputs_exit_2_without_traceback_in_a_real_process",
                None,
            ),
            ("test_validate", "test_hostile_input_exits_2_with_a_message_not_a_traceback", None),
            ("test_properties", "test_fuzz_readers_read_or_refuse_any_bytes", None),
        ],
        "exit 2, one paragraph naming the file and line",
    ),
    (
        "Lone surrogates (`\\ud800`) in files or Python records; non-BMP text",
        [
            (
                "test_jsonio",
                "test_lone_surrogate_in_a_gold_text_is_exit_2_naming_the_pointer",
                None,
            ),
            ("test_jsonio", "test_lone_surrogate_in_python_records_is_an_input_error", None),
            ("test_jsonio", "test_a_surrogate_pair_is_one_non_bmp_character_and_is_read", None),
            ("test_jsonio", "test_lone_surrogate_is_found_at_any_depth_without_recursion", None),
        ],
        "exit 2 / InputError naming the JSON pointer; a surrogate pair reads as one character",
    ),
    (
        "Records of the wrong shape: any JSON value in any field, doc_id a list or dict, "
        "zero-length, reversed or huge spans, bare values (`evaluate(None)`)",
        [
            ("test_properties", "test_fuzz_validator_reports_problems_never_raises", None),
            ("test_properties", "test_fuzz_prediction_reader_scores_or_refuses", None),
            ("test_properties", "test_fuzz_gold_reader_reads_or_refuses", None),
            ("test_evaluate", "test_doc_id_of_another_type_is_exit_2_not_a_traceback", None),
            ("test_evaluate", "test_bad_prediction_exits_2_naming_file_line_and_pointer", None),
            ("test_evaluate", "test_python_api_with_a_bare_value_is_an_input_error", None),
            (
                "test_validate",
                "test_broken_gold_is_refused_naming_line_pointer_and_expectation",
                None,
            ),
            ("scoring.test_entities", "test_bad_spans_are_refused", None),
        ],
        "a correct report, or exit 2 / InputError with file, line and pointer",
    ),
    (
        "Pipes, devices and huge files as inputs",
        [
            ("test_validate", "test_a_fifo_or_a_device_is_refused_not_read", None),
            ("test_validate", "test_huge_file_is_refused_naming_the_limit", None),
            ("test_validate", "test_a_line_over_the_line_cap_is_refused_naming_the_line", None),
            ("test_jsonio", "test_a_fifo_or_a_device_is_refused_by_the_streaming_reader", None),
        ],
        "refused, exit 2: JSON Lines are streamed a line at a time, each line within "
        "SOURCETRACE_MAX_LINE_BYTES; a .json file (or any file when SOURCETRACE_MAX_INPUT_BYTES "
        "is set) is capped on the bytes read",
    ),
    (
        "The fast input path (orjson, jsonschema-rs) deciding otherwise than the reference",
        [
            ("test_fast_validation", "test_fast_and_reference_paths_agree_on_mutated_jsonl", None),
            (
                "test_fast_validation",
                "test_fast_and_reference_paths_agree_on_a_mutated_json_file",
                None,
            ),
            (
                "test_fast_validation",
                "test_python_values_are_validated_as_the_reference_does",
                None,
            ),
            (
                "test_fast_validation",
                "test_the_fast_path_says_valid_only_where_the_reference_does",
                None,
            ),
        ],
        "the same records, problems and messages as the json + jsonschema reference path",
    ),
    (
        "Work blow-ups: nesting cycles, text-only anchoring, resample counts, long spans in "
        "messages",
        [
            (
                "test_validate",
                "test_nesting_cycles_are_found_once_each_and_a_tail_is_not_blamed",
                None,
            ),
            (
                "scoring.test_entities",
                "test_text_only_anchoring_equals_the_written_rule_and_scales",
                None,
            ),
            ("test_evaluate", "test_resample_counts_have_a_documented_maximum", None),
            ("test_validate", "test_a_message_quotes_a_long_span_as_a_short_excerpt", None),
        ],
        "linear time; counts over 100,000 exit 2; messages quote a short excerpt",
    ),
    (
        "Corpus folders: data edited under an old MANIFEST, a MANIFEST whose `files` is a list, "
        "version `[/bogus]`, paths out of the folder, links out, rows without doc_id",
        [
            (
                "test_evaluate_corpus",
                "test_a_corpus_copy_edited_by_hand_is_refused_not_scored_under_its_manifest",
                None,
            ),
            (
                "test_corpus",
                "test_any_changed_byte_in_data_makes_verify_exit_1_naming_the_file",
                None,
            ),
            (
                "test_corpus_integrity",
                "test_corpus_malformed_manifest_is_exit_2_or_a_verify_finding",
                None,
            ),
            (
                "test_corpus_integrity",
                "test_corpus_verify_does_not_follow_a_link_out_of_the_folder",
                None,
            ),
            (
                "test_corpus_integrity",
                "test_corpus_readers_check_the_data_against_the_manifest",
                None,
            ),
            (
                "test_corpus_integrity",
                "test_corpus_rows_without_doc_id_under_a_matching_manifest_are_input_errors",
                None,
            ),
            ("test_properties", "test_fuzz_corpus_reader_reads_or_refuses", None),
        ],
        "verify exits 1 naming the file; evaluate, load(), folds(), info and diff exit 2 / "
        "InputError; nothing outside the folder is read",
    ),
    (
        "Corpus sources: invalid UTF-8 in CHANGELOG or a seed, a version reused with other data "
        "or moved back, leftover temp files",
        [
            ("test_corpus_integrity", "test_corpus_sources_with_invalid_utf8_are_exit_2", None),
            ("test_corpus", "test_build_refuses_to_change_data_under_the_same_version", None),
            ("test_corpus", "test_a_version_never_moves_back", None),
            (
                "test_corpus_integrity",
                "test_corpus_build_version_never_repeats_with_other_data_after_a_swap",
                None,
            ),
            (
                "test_corpus_integrity",
                "test_corpus_leftover_temp_files_do_not_survive_a_rebuild_nor_pass_verify",
                None,
            ),
        ],
        "build exits 2 and publishes nothing; verify exits 1",
    ),
    (
        "`corpus build` killed (SIGKILL) at each step, or run twice at once",
        [
            (
                "test_corpus_integrity",
                "test_corpus_build_is_atomic_as_a_whole_when_killed_at_every_step",
                "KILL_STEPS",
            ),
            (
                "test_corpus_integrity",
                "test_corpus_build_interrupted_between_fallback_renames_is_put_back",
                None,
            ),
            ("test_corpus_integrity", "test_corpus_build_lock_serialises_two_builds", None),
            ("test_corpus_integrity", "test_corpus_build_concurrent_builds_all_succeed", None),
        ],
        "every reader sees the old release or the new one, never a mix; builds serialise",
    ),
    (
        "Output abuse: markup and control characters in names, a newline in a Markdown name, "
        "`--output` over seeds/corpus/devices, a read-only folder, a full disk, stdout to "
        "/dev/full",
        [
            (
                "test_formats",
                "test_markup_and_control_characters_from_paths_never_reach_the_terminal",
                None,
            ),
            (
                "report.test_markdown",
                "test_markdown_a_file_name_with_a_newline_injects_no_heading",
                None,
            ),
            ("report.test_markdown", "test_markdown_escaping_keeps_one_line_and_no_markup", None),
            ("test_evaluate", "test_output_into_the_corpus_or_the_gold_is_refused", None),
            ("test_evaluate", "test_output_over_a_seed_file_or_a_device_is_refused", None),
            ("test_cli", "test_writing_into_a_read_only_folder_is_exit_2", None),
            (
                "test_cli",
                "test_output_to_a_read_only_folder_or_a_full_disk_is_exit_2_and_leaves_no_file",
                None,
            ),
            ("test_cli", "test_output_stdout_to_a_full_device_is_exit_2", None),
        ],
        "escaped for the medium; refused with exit 2; no partial file",
    ),
    (
        "Internal errors and Ctrl-C",
        [("test_cli", "test_exceptions_become_documented_exit_codes_without_traceback", None)],
        "exit 3 with a one-line bug message (no traceback), 130 on Ctrl-C",
    ),
    (
        "Scorer invariants on random predictions: scores in [0, 1], order-free, gold against "
        "gold 1.0 under every filter and setting, recall monotone, duplicates earn nothing, "
        "mention filters in cluster scores",
        [
            ("test_properties", "test_fuzz_scores_are_in_range_and_order_free", None),
            ("test_properties", "test_fuzz_gold_against_gold_is_one_under_every_setting", None),
            ("test_properties", "test_fuzz_adding_a_correct_prediction_never_lowers_recall", None),
            ("test_properties", "test_fuzz_a_duplicated_prediction_earns_nothing", None),
            (
                "scoring.test_entities",
                "test_mention_filter_on_a_span_annotated_twice_keeps_gold_against_itself_at_one",
                None,
            ),
            (
                "test_evaluate",
                "test_cluster_scores_under_a_mention_filter_ignore_what_entity_scores_ignore",
                None,
            ),
        ],
        "the properties hold",
    ),
]


def _examples() -> dict[str, int]:
    from fuzz_profiles import FUZZ_EXAMPLES

    return FUZZ_EXAMPLES


def cases_of(module_name: str, test_name: str, constant: str | None) -> int:
    """How many cases one test runs in CI (see the module docstring)."""
    module = importlib.import_module(module_name)
    test: Callable[..., Any] = getattr(module, test_name)
    if constant is not None:
        return len(getattr(module, constant))
    if hasattr(test, "hypothesis"):
        return _examples()["ci"]
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    return math.prod(len(m.args[1]) for m in marks) if marks else 1


def render() -> str:
    """The Markdown table, between its markers."""
    lines = [
        START,
        "| class of bad input | tests | cases in CI | outcome |",
        "|---|---|---|---|",
    ]
    total = 0
    for name, tests, outcome in CLASSES:
        cases = sum(cases_of(*test) for test in tests)
        total += cases
        lines.append(f"| {name} | {len(tests)} | {cases} | {outcome} |")
    examples = _examples()
    lines += [
        f"| **all classes** | {sum(len(t) for _, t, _ in CLASSES)} | {total} | |",
        "",
        f"Property tests run {examples['ci']} examples each in CI (hypothesis profile `ci`, "
        f"fixed seed) and {examples['fuzz']} each under `HYPOTHESIS_PROFILE=fuzz` "
        "(`make fuzz`, a fresh seed each run).",
        END,
    ]
    return "\n".join(lines)


def current(text: str) -> str:
    """``text`` (SECURITY.md) with its table replaced by the one the suite counts now."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{render()}{tail}"


if __name__ == "__main__":
    sys.path[:0] = [str(TESTS), str(ROOT / "src")]
    path = ROOT / "SECURITY.md"
    updated = current(path.read_text(encoding="utf-8"))
    if "--write" in sys.argv:
        path.write_text(updated, encoding="utf-8")
    else:
        sys.stdout.write(updated)
