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
            ("schema.test_validate", "test_malformed_json_names_the_line_of_the_fault", None),
            ("schema.test_validate", "test_malformed_jsonl_line_names_its_line", None),
            (
                "test_jsonio",
                "test_duplicate_keys_are_refused_as_the_standard_library_words_it",
                None,
            ),
            ("schema.test_validate", "test_invalid_utf8_is_refused_naming_its_line", None),
            ("schema.test_validate", "test_empty_file_is_refused", None),
            ("schema.test_validate", "test_not_json_values_are_refused_naming_their_line", None),
            (
                "schema.test_validate",
                "test_broken_inputs_exit_2_without_traceback_in_a_real_process",
                None,
            ),
            (
                "schema.test_validate",
                "test_hostile_input_exits_2_with_a_message_not_a_traceback",
                None,
            ),
            ("evaluation.test_properties", "test_fuzz_readers_read_or_refuse_any_bytes", None),
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
            (
                "evaluation.test_properties",
                "test_fuzz_validator_reports_problems_never_raises",
                None,
            ),
            ("evaluation.test_properties", "test_fuzz_prediction_reader_scores_or_refuses", None),
            ("evaluation.test_properties", "test_fuzz_gold_reader_reads_or_refuses", None),
            (
                "evaluation.test_evaluate",
                "test_doc_id_of_another_type_is_exit_2_not_a_traceback",
                None,
            ),
            (
                "evaluation.test_evaluate",
                "test_bad_prediction_exits_2_naming_file_line_and_pointer",
                None,
            ),
            (
                "evaluation.test_evaluate",
                "test_python_api_with_a_bare_value_is_an_input_error",
                None,
            ),
            (
                "schema.test_validate",
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
            ("schema.test_validate", "test_a_fifo_or_a_device_is_refused_not_read", None),
            ("schema.test_validate", "test_huge_file_is_refused_naming_the_limit", None),
            (
                "schema.test_validate",
                "test_a_line_over_the_line_cap_is_refused_naming_the_line",
                None,
            ),
            ("test_jsonio", "test_a_fifo_or_a_device_is_refused_by_the_streaming_reader", None),
            (
                "schema.test_columns",
                "test_columnar_path_honours_a_set_input_limit_only_when_the_file_is_over_it",
                None,
            ),
        ],
        "refused, exit 2: JSON Lines are streamed a line at a time, each line within "
        "SOURCETRACE_MAX_LINE_BYTES; a .json file (or any file when SOURCETRACE_MAX_INPUT_BYTES "
        "is set) is capped on the bytes read",
    ),
    (
        "The fast input paths (orjson, jsonschema-rs, pyarrow columns) deciding otherwise than the reference",
        [
            (
                "schema.test_fast_validation",
                "test_fast_and_reference_paths_agree_on_mutated_jsonl",
                None,
            ),
            (
                "schema.test_fast_validation",
                "test_fast_and_reference_paths_agree_on_a_mutated_json_file",
                None,
            ),
            (
                "schema.test_fast_validation",
                "test_python_values_are_validated_as_the_reference_does",
                None,
            ),
            (
                "schema.test_fast_validation",
                "test_the_fast_path_says_valid_only_where_the_reference_does",
                None,
            ),
            ("schema.test_columns", "test_columnar_reader_quirks_never_pass_as_clean", None),
            ("schema.test_columns", "test_columnar_clean_means_the_slow_path_finds_nothing", None),
            ("schema.test_columns", "test_columnar_hand_written_defect_is_not_clean", None),
            (
                "schema.test_columns",
                "test_columnar_off_by_one_end_after_an_astral_character_is_refused",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_span_text_compared_in_code_points_not_bytes",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_nbsp_and_em_space_at_a_span_edge_are_white_space",
                None,
            ),
            ("schema.test_columns", "test_columnar_nesting_cycle_is_refused", None),
            ("schema.test_columns", "test_columnar_duplicate_doc_id_is_refused", None),
            (
                "schema.test_columns",
                "test_columnar_explicit_null_text_is_a_doubt_for_the_slow_path",
                None,
            ),
            (
                "schema.test_columns",
                "test_check_file_reports_the_slow_paths_problems_when_not_clean",
                None,
            ),
            (
                "evaluation.test_inputs",
                "test_load_predictions_with_a_defect_is_refused_as_by_the_record_path",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_lines_decide_as_the_file_and_clean_lines_have_no_misfit",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_lines_of_a_file_under_the_minimum_are_left_to_the_record_path",
                None,
            ),
            (
                "schema.test_columns",
                "test_check_file_refuses_unknown_doc_ids_by_columns_with_the_record_paths_words",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_unknown_doc_id_with_a_schema_problem_is_left_to_the_record_path",
                None,
            ),
            (
                "schema.test_columns",
                "test_validate_cli_says_on_the_columnar_path_what_the_record_path_says",
                None,
            ),
            (
                "schema.test_columns",
                "test_columnar_wrong_sha256_of_a_later_record_is_refused",
                None,
            ),
            (
                "schema.test_columns",
                "test_detect_kind_reads_a_prediction_with_ids_and_a_sha256_as_a_prediction",
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
                "schema.test_validate",
                "test_nesting_cycles_are_found_once_each_and_a_tail_is_not_blamed",
                None,
            ),
            (
                "scoring.test_entities",
                "test_text_only_anchoring_equals_the_written_rule_and_scales",
                None,
            ),
            ("evaluation.test_evaluate", "test_resample_counts_have_a_documented_maximum", None),
            ("schema.test_validate", "test_a_message_quotes_a_long_span_as_a_short_excerpt", None),
        ],
        "linear time; counts over 100,000 exit 2; messages quote a short excerpt",
    ),
    (
        "Corpus folders: data edited under an old MANIFEST, a MANIFEST whose `files` is a list, "
        "version `[/bogus]`, paths out of the folder, links out, rows without doc_id",
        [
            (
                "evaluation.test_evaluate_corpus",
                "test_a_corpus_copy_edited_by_hand_is_refused_not_scored_under_its_manifest",
                None,
            ),
            (
                "corpus.test_corpus",
                "test_any_changed_byte_in_data_makes_verify_exit_1_naming_the_file",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_malformed_manifest_is_exit_2_or_a_verify_finding",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_verify_does_not_follow_a_link_out_of_the_folder",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_readers_check_the_data_against_the_manifest",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_rows_without_doc_id_under_a_matching_manifest_are_input_errors",
                None,
            ),
            ("evaluation.test_properties", "test_fuzz_corpus_reader_reads_or_refuses", None),
        ],
        "verify exits 1 naming the file; evaluate, load(), folds(), info and diff exit 2 / "
        "InputError; nothing outside the folder is read",
    ),
    (
        "Corpus sources: invalid UTF-8 in CHANGELOG or a seed, a version reused with other data "
        "or moved back, a CHANGELOG heading higher than the first, leftover temp files, gold "
        "that carries its text under another doc_id's file name, gold of no document, a doc_id "
        "twice in the metadata",
        [
            (
                "corpus.test_corpus",
                "test_build_rejects_gold_that_carries_its_text_under_another_doc_ids_file_name",
                None,
            ),
            (
                "corpus.test_corpus",
                "test_build_refuses_gold_of_no_document_and_leaves_no_staging_folder",
                None,
            ),
            ("corpus.test_corpus", "test_build_refuses_a_doc_id_twice_in_the_metadata", None),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_sources_with_invalid_utf8_are_exit_2",
                None,
            ),
            (
                "corpus.test_corpus",
                "test_build_refuses_to_change_data_under_the_same_version",
                None,
            ),
            ("corpus.test_corpus", "test_a_version_never_moves_back", None),
            (
                "corpus.test_corpus",
                "test_a_changelog_heading_higher_than_the_first_is_refused_naming_its_line",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_build_version_never_repeats_with_other_data_after_a_swap",
                None,
            ),
            (
                "corpus.test_corpus_integrity",
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
                "corpus.test_corpus_integrity",
                "test_corpus_build_is_atomic_as_a_whole_when_killed_at_every_step",
                "KILL_STEPS",
            ),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_build_interrupted_between_fallback_renames_is_put_back",
                None,
            ),
            ("corpus.test_corpus_integrity", "test_corpus_build_lock_serialises_two_builds", None),
            (
                "corpus.test_corpus_integrity",
                "test_corpus_build_concurrent_builds_all_succeed",
                None,
            ),
        ],
        "every reader sees the old release or the new one, never a mix; builds serialise",
    ),
    (
        "Output abuse: markup and control characters in names, a newline in a Markdown name, "
        "`--output` over seeds/corpus/devices, a read-only folder, a full disk, stdout to "
        "/dev/full",
        [
            (
                "report.test_formats",
                "test_markup_and_control_characters_from_paths_never_reach_the_terminal",
                None,
            ),
            (
                "report.test_markdown",
                "test_markdown_a_file_name_with_a_newline_injects_no_heading",
                None,
            ),
            ("report.test_markdown", "test_markdown_escaping_keeps_one_line_and_no_markup", None),
            (
                "evaluation.test_evaluate",
                "test_output_into_the_corpus_or_the_gold_is_refused",
                None,
            ),
            (
                "evaluation.test_evaluate",
                "test_output_over_a_seed_file_or_a_device_is_refused",
                None,
            ),
            ("cli.test_cli", "test_writing_into_a_read_only_folder_is_exit_2", None),
            (
                "cli.test_cli",
                "test_output_to_a_read_only_folder_or_a_full_disk_is_exit_2_and_leaves_no_file",
                None,
            ),
            ("cli.test_cli", "test_output_stdout_to_a_full_device_is_exit_2", None),
        ],
        "escaped for the medium; refused with exit 2; no partial file",
    ),
    (
        "Internal errors and Ctrl-C",
        [("cli.test_cli", "test_exceptions_become_documented_exit_codes_without_traceback", None)],
        "exit 3 with a one-line bug message (no traceback), 130 on Ctrl-C",
    ),
    (
        "Scorer invariants on random predictions: scores in [0, 1], order-free, gold against "
        "gold 1.0 under every filter and setting, recall monotone, duplicates earn nothing, "
        "mention filters in cluster scores",
        [
            ("evaluation.test_properties", "test_fuzz_scores_are_in_range_and_order_free", None),
            (
                "evaluation.test_properties",
                "test_fuzz_gold_against_gold_is_one_under_every_setting",
                None,
            ),
            (
                "evaluation.test_properties",
                "test_fuzz_adding_a_correct_prediction_never_lowers_recall",
                None,
            ),
            ("evaluation.test_properties", "test_fuzz_a_duplicated_prediction_earns_nothing", None),
            (
                "scoring.test_entities",
                "test_mention_filter_on_a_span_annotated_twice_keeps_gold_against_itself_at_one",
                None,
            ),
            (
                "evaluation.test_evaluate",
                "test_cluster_scores_under_a_mention_filter_ignore_what_entity_scores_ignore",
                None,
            ),
        ],
        "the properties hold",
    ),
    (
        "Output paths of every command: a symlink or a `..` path into seeds/, a FIFO, "
        "a character device, a symlink loop, a protected folder, for every output option found "
        "by walking the parsers",
        [
            ("cli.test_output_paths", "test_every_output_option_is_registered", None),
            ("cli.test_output_paths", "test_output_path_refuses_what_it_must_not_destroy", None),
            ("cli.test_output_paths", "test_output_path_refuses_every_protected_folder", None),
            ("cli.test_output_paths", "test_output_path_allows_a_named_generated_file", None),
            (
                "cli.test_output_paths",
                "test_output_path_writes_through_a_symlink_to_a_regular_file",
                None,
            ),
            ("cli.test_output_paths", "test_output_path_refuses_a_symlink_loop", None),
        ],
        "exit 2 / InputError, the target untouched (bytes and stat compared); a generated file "
        "a command owns is allowed by name",
    ),
    (
        "The environment: a read-only or full cache, invalid UTF-8 in file names, an ASCII-only "
        "output encoding, memory caps, closed or full standard streams, NO_COLOR on a terminal, "
        "bad SOURCETRACE_ limit values, a missing plotting library",
        [
            (
                "cli.test_hostile_environment",
                "test_load_with_a_read_only_cache_is_a_correct_run",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_load_with_a_full_cache_is_a_correct_run_and_leaves_nothing",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_load_with_a_cache_path_through_a_file_is_a_correct_run",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_file_name_with_invalid_utf8_bytes_is_a_correct_run",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_ascii_only_output_encoding_is_exit_2_naming_it",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_memory_limit_is_exit_2_saying_what_to_lower",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_closed_stdout_is_exit_2_when_the_command_prints",
                None,
            ),
            ("cli.test_hostile_environment", "test_full_stderr_still_exits_2", None),
            (
                "cli.test_hostile_environment",
                "test_no_color_on_a_terminal_sends_no_escape_sequence",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_bad_limit_variable_is_exit_2_naming_the_variable",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_bad_limit_variable_in_the_api_names_the_variable",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_leaderboard_without_matplotlib_is_exit_2_and_writes_nothing",
                None,
            ),
        ],
        "a correct run, or exit 2 naming the cause and what to change (never 1 or 3); nothing "
        "written on a refusal",
    ),
    (
        "Control characters in names (C0, C1, ESC/OSC sequences, bidi overrides, undecodable "
        "bytes) echoed by errors, `validate`, tables and Markdown",
        [
            (
                "cli.test_hostile_environment",
                "test_error_message_escapes_control_sequences_in_a_missing_file_name",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_file_name_with_invalid_utf8_bytes_in_validate_and_errors_is_escaped",
                None,
            ),
            (
                "cli.test_hostile_environment",
                "test_property_any_name_reaches_the_terminal_escaped_and_unambiguous",
                None,
            ),
        ],
        "shown escaped, one way back to the name; no raw control character on any stream",
    ),
    (
        "Edited or forged partials: a count changed, negative, fractional or huge (2^63, 1e308, "
        "1e400), a renamed or duplicated column, a shard relabelled, a document in two shards, "
        "a presence flag out of range, settings of the wrong type, an old format",
        [
            (
                "evaluation.test_partials",
                "test_an_edited_partial_is_refused_naming_the_file_unless_its_hash_is_recomputed",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_merge_refuses_a_count_that_is_no_bounded_whole_number",
                None,
            ),
            ("evaluation.test_partials", "test_merge_refuses_a_count_too_large_for_a_float", None),
            ("evaluation.test_partials", "test_merge_refuses_a_renamed_statistics_column", None),
            ("evaluation.test_partials", "test_merge_refuses_a_duplicated_statistics_column", None),
            (
                "evaluation.test_partials",
                "test_merge_refuses_a_shard_relabelled_as_the_whole_run",
                None,
            ),
            ("evaluation.test_partials", "test_merge_refuses_a_document_in_two_shards", None),
            ("evaluation.test_partials", "test_merge_refuses_an_out_of_range_presence_flag", None),
            ("evaluation.test_partials", "test_merge_refuses_settings_of_the_wrong_type", None),
            ("evaluation.test_partials", "test_merge_refuses_a_partial_of_an_older_format", None),
            ("evaluation.test_partials", "test_tampered_tallies_are_refused", None),
            (
                "evaluation.test_partials",
                "test_an_edited_partial_is_refused_or_merges_to_the_true_report",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_a_forged_partial_is_refused_or_only_moves_what_scoring_again_would_prove",
                None,
            ),
            ("evaluation.test_partials", "test_merge_refuses_forged_pooled_cluster_counts", None),
            (
                "evaluation.test_partials",
                "test_merge_refuses_more_counted_cluster_predictions_than_scored_items",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_merge_refuses_a_pooled_field_missing_unknown_or_without_its_counts",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_merge_refuses_a_version_2_partial_with_cluster_rows",
                None,
            ),
        ],
        "merge exits 2 naming the file and JSON pointer; with the hash recomputed, only a true "
        "positive moved within its bounds can pass (documented in docs/scoring/layers.md)",
    ),
    (
        "Shards and workers: shards without prediction records, absurd `--workers`, `--workers` "
        "with options it cannot serve, Ctrl-C at any moment of a Dask run",
        [
            (
                "evaluation.test_partials",
                "test_shards_without_prediction_records_merge_to_the_one_run_report",
                None,
            ),
            (
                "evaluation.test_scale",
                "test_workers_are_bounded_by_cores_documents_and_shards",
                None,
            ),
            (
                "evaluation.test_scale",
                "test_many_workers_on_few_documents_end_with_a_note_and_no_dask_log",
                None,
            ),
            (
                "evaluation.test_scale",
                "test_workers_with_a_partial_or_the_html_page_are_usage_errors",
                None,
            ),
            (
                "evaluation.test_scale",
                "test_dask_shards_without_prediction_records_give_the_one_process_report",
                None,
            ),
            (
                "evaluation.test_scale",
                "test_ctrl_c_ends_a_dask_run_with_130_the_cluster_closed_and_no_report",
                None,
            ),
        ],
        "the one-process report; workers lowered with a note; exit 2 for usage; exit 130 with "
        "the cluster closed, no report, no traceback",
    ),
    (
        "Label Studio exports: path traversal in annotator names (`/../../gold`, absolute "
        "folders), hostile names, colliding names, malformed shapes, pass folders linked "
        "elsewhere",
        [
            (
                "studio.test_hostile_export",
                "test_path_traversal_in_completed_by_never_reaches_gold",
                None,
            ),
            (
                "studio.test_hostile_export",
                "test_path_traversal_to_an_absolute_folder_writes_nothing_outside",
                None,
            ),
            (
                "studio.test_hostile_export",
                "test_malformed_export_shapes_exit_2_naming_the_pointer",
                None,
            ),
            (
                "studio.test_hostile_export",
                "test_annotator_name_collisions_get_distinct_folders_and_are_reported",
                None,
            ),
            (
                "studio.test_hostile_export",
                "test_a_pass_folder_or_file_linked_elsewhere_is_refused",
                None,
            ),
            (
                "studio.test_hostile_export",
                "test_hostile_annotator_names_stay_in_the_pass_folder",
                None,
            ),
            ("studio.test_hostile_export", "test_different_annotators_never_share_a_folder", None),
            (
                "studio.test_hostile_export",
                "test_malformed_exports_never_crash_and_never_write_outside",
                None,
            ),
            (
                "studio.test_hostile_server",
                "test_hostile_names_from_a_server_stay_in_the_pass_folder",
                None,
            ),
            (
                "studio.test_hostile_server",
                "test_a_server_export_traversing_to_gold_stays_in_the_pass_folder",
                None,
            ),
            (
                "studio.test_hostile_server",
                "test_hostile_user_emails_on_a_real_server_stay_in_the_pass_folder",
                None,
            ),
        ],
        "written only inside its pass folder (the whole area hashed before and after), or exit 2 "
        "naming the file and JSON pointer; never exit 3",
    ),
    (
        "Label Studio servers that misbehave: any JSON answer, exports that are not JSON, "
        "endless or repeating listings, retry storms, oversized, hung or trickling answers; a "
        "token pasted with white space",
        [
            (
                "studio.test_hostile_server",
                "test_a_malformed_server_export_exits_2_naming_the_project",
                None,
            ),
            ("studio.test_hostile_server", "test_a_server_export_that_is_not_json_exits_2", None),
            ("studio.test_hostile_server", "test_any_answer_of_a_server_exits_0_or_2", None),
            ("studio.test_hostile_server", "test_endless_pagination_is_bounded", None),
            (
                "studio.test_hostile_server",
                "test_a_listing_ends_on_a_repeat_the_announced_count_or_an_empty_page",
                None,
            ),
            ("studio.test_hostile_server", "test_retries_are_bounded_and_only_for_reads", None),
            ("studio.test_hostile_server", "test_an_oversized_answer_is_refused", None),
            (
                "studio.test_hostile_server",
                "test_a_hung_server_ends_with_exit_2_naming_the_url",
                None,
            ),
            ("studio.test_hostile_server", "test_a_trickling_server_is_cut_off", None),
            ("studio.test_hostile_server", "test_a_timeout_out_of_range_is_refused", None),
            ("studio.test_hostile_server", "test_the_token_never_leaks_in_any_pasted_form", None),
            (
                "studio.test_hostile_server",
                "test_a_token_pasted_with_a_newline_works_and_never_shows_in_a_process",
                None,
            ),
        ],
        "exit 2 naming the URL (without credentials) within the timeout; pages, retries, calls "
        "and bytes bounded; the token in no output, message or file",
    ),
    (
        "Corpus readers over a broken release: edited data or MANIFEST, a missing or truncated "
        "MANIFEST, unlisted files and folders, malformed rows under a forged MANIFEST, read "
        "limits, a release swapped while it is read",
        [
            (
                "corpus.test_corpus_readers",
                "test_corpus_reader_refuses_a_folder_that_fails_its_manifest",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_readers_of_the_gold_refuse_a_malformed_claim_under_a_forged_manifest",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_verify_calls_each_broken_folder_a_failed_check",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_verify_names_unlisted_files_and_folders_and_allows_the_changelog",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_verify_under_a_read_limit_is_exit_2_naming_the_limit_not_drift",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_gold_folder_over_edited_corpus_texts_names_the_corpus_file",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_corpus_readers_racing_a_swap_never_mix_two_releases",
                None,
            ),
            (
                "corpus.test_corpus_readers",
                "test_validate_under_a_read_limit_on_the_corpus_says_its_texts_were_not_read",
                None,
            ),
            (
                "corpus.test_dataset",
                "test_load_refuses_rows_that_do_not_fit_the_declared_features",
                None,
            ),
        ],
        "every reader exits 2 / InputError naming the corpus file, nothing written; verify exits "
        "1; a read limit is exit 2 naming the limit; one read per run, never two releases mixed",
    ),
    (
        "Dense overlaps: thousands of entities, claims or attributions that all overlap "
        "(whole-text spans over tiny gold, nested chains, copies, mixed types)",
        [
            (
                "scoring.test_dense_matching",
                "test_dense_cluster_counts_equal_the_solver_on_nested_chains",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_touching_matching_size_is_a_maximum_matching",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_tally_entities_on_dense_documents_equals_the_solver",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_dense_documents_under_a_mention_filter_equal_the_solver",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_tiny_gold_against_whole_text_predictions_counts_by_hand",
                None,
            ),
            ("scoring.test_dense_matching", "test_nested_chain_counts_by_hand", None),
            ("scoring.test_dense_matching", "test_identical_dense_copies_are_all_correct", None),
            (
                "scoring.test_dense_matching",
                "test_matching_refuses_a_dense_cluster_without_closed_form_over_the_bound",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_matching_bound_setting_refuses_a_bad_value",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_entity_cluster_pairing_refuses_dense_copies_over_the_bound",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_evaluate_refuses_a_dense_cluster_over_the_bound_naming_document",
                None,
            ),
            (
                "scoring.test_dense_matching",
                "test_align_entities_refuses_a_cluster_over_the_bound",
                None,
            ),
            (
                "scoring.test_grouped_matching",
                "test_grouped_claims_equal_the_all_pairs_matching",
                None,
            ),
            (
                "scoring.test_grouped_matching",
                "test_grouped_attributions_equal_the_all_pairs_matching",
                None,
            ),
            (
                "scoring.test_grouped_matching",
                "test_same_text_claims_by_thousands_pair_in_key_order",
                None,
            ),
            (
                "scoring.test_grouped_matching",
                "test_claims_refuse_distinct_dense_claims_over_the_bound",
                None,
            ),
            (
                "scoring.test_grouped_matching",
                "test_attributions_with_one_cue_and_content_by_thousands_count_by_hand",
                None,
            ),
            (
                "scoring.test_assignment",
                "test_sparse_alignment_refuses_edges_it_cannot_align",
                None,
            ),
            (
                "scoring.test_claims_attributions_fast",
                "test_a_matching_too_large_names_its_document_in_a_layer_table",
                None,
            ),
        ],
        "the exact counts of the one-to-one solver in near-linear time, or exit 2 naming the "
        "document and the cluster beyond SOURCETRACE_MAX_MATCHING_CELLS; never a different score",
    ),
    (
        "Confidence scores: a score outside [0, 1], NaN or not a number, scores on only some "
        "items of a layer, `meta` that is not an object, unknown keys beside them, "
        "`--min-score` out of range or without scores, scores with shards or workers, more "
        "distinct scores than the threshold bound",
        [
            (
                "evaluation.test_confidence",
                "test_score_outside_unit_interval_or_not_a_number_is_refused",
                None,
            ),
            (
                "evaluation.test_confidence",
                "test_nan_score_from_python_is_refused_with_its_pointer",
                None,
            ),
            ("evaluation.test_confidence", "test_nan_score_in_a_file_is_refused", None),
            (
                "evaluation.test_confidence",
                "test_unknown_item_key_is_still_refused_beside_score_and_meta",
                None,
            ),
            ("evaluation.test_confidence", "test_meta_must_be_an_object", None),
            (
                "evaluation.test_confidence",
                "test_score_on_only_some_items_of_a_layer_is_refused",
                None,
            ),
            (
                "evaluation.test_confidence",
                "test_score_on_only_some_items_names_the_file_on_the_command_line",
                None,
            ),
            ("evaluation.test_confidence", "test_min_score_outside_unit_interval_is_refused", None),
            ("evaluation.test_confidence", "test_min_score_without_any_score_is_refused", None),
            ("evaluation.test_confidence", "test_min_score_thins_the_compared_system_too", None),
            ("evaluation.test_confidence", "test_scores_with_sharded_scoring_are_refused", None),
            (
                "evaluation.test_confidence",
                "test_partial_of_scored_predictions_is_refused_and_writes_nothing",
                None,
            ),
            (
                "evaluation.test_confidence",
                "test_min_score_with_workers_is_refused_before_any_cluster",
                None,
            ),
            (
                "evaluation.test_confidence",
                "test_more_distinct_scores_than_the_bound_are_refused_before_scoring",
                None,
            ),
        ],
        "exit 2 / InputError naming the file and JSON pointer, nothing written; without scores "
        "every report is byte-identical to before",
    ),
    (
        "Offset conventions: spans counted in UTF-8 bytes or UTF-16 units, ends inclusive, "
        "with and without `text`, a span inside a character, an unknown convention; one "
        "misnamed key in every item (an error flood)",
        [
            (
                "schema.test_offset_conventions",
                "test_predictions_in_another_convention_score_exactly_as_code_points_with_their_options",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_spans_with_text_in_another_convention_are_refused_naming_convention_and_option",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_validate_names_the_convention_of_corpus_predictions_and_reads_them_with_it",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_utf8_offsets_without_text_are_named_not_only_caught_by_the_white_space_rule",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_offsets_only_end_inclusive_predictions_that_validate_get_a_note_not_a_silent_score",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_records_to_codepoints_refuses_a_span_inside_a_character_naming_doc_pointer_convention",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_unknown_offset_convention_is_refused_by_the_api_and_the_cli",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_a_misnamed_key_in_every_item_is_one_line_per_kind_of_problem",
                None,
            ),
            (
                "schema.test_offset_conventions",
                "test_shards_and_the_compared_system_are_read_in_the_convention_asked",
                None,
            ),
            (
                "schema.test_diagnosis_reference",
                "test_diagnosis_equals_brute_force_reference",
                None,
            ),
            (
                "convert.test_nervaluate",
                "test_a_file_in_another_convention_is_named_and_read_by_its_option",
                None,
            ),
            (
                "convert.test_hf",
                "test_utf16_offsets_after_an_emoji_are_named_and_read_by_the_option_named",
                None,
            ),
        ],
        "the message names the convention the file seems to use and the option that reads it; "
        "with the option the scores equal the code-point file's exactly; offsets-only files "
        "get a note, never a silent score; one grouped line per kind of problem "
        "(`--all-problems` lists each)",
    ),
    (
        "Files other tools wrote, through `convert`: tokens that are not in the text, unknown "
        "or repeated documents, tags outside the scheme, invalid tag sequences, unmapped "
        "labels, discontinuous brat spans, a `.txt` other than the corpus text, dangling "
        "relations, offsets inside a character, null offsets, corrupt DocBins, bad label maps",
        [
            ("convert.test_conll", "test_conll_token_not_in_text_names_file_line_and_token", None),
            ("convert.test_conll", "test_conll_unknown_doc_id_refused_with_line", None),
            (
                "convert.test_conll",
                "test_conll_unmapped_labels_are_all_listed_with_how_to_map",
                None,
            ),
            ("convert.test_conll", "test_conll_tag_outside_scheme_refused_with_line", None),
            ("convert.test_conll", "test_conll_first_token_outside_scheme_is_the_one_named", None),
            ("convert.test_conll", "test_conll_token_across_a_space_of_the_text_refused", None),
            ("convert.test_conll", "test_conll_token_unlike_the_text_near_its_end_refused", None),
            (
                "convert.test_conll_properties",
                "test_runs_cut_into_tokens_read_as_the_same_documents_named_by_doc_id",
                None,
            ),
            ("convert.test_gold_reading", "test_gold_jsonl_refused_as_evaluate_refuses_it", None),
            (
                "convert.test_gold_reading",
                "test_gold_folder_read_as_a_folder_whatever_its_name",
                None,
            ),
            ("convert.test_conll", "test_label_map_to_unknown_type_refused", None),
            ("convert.test_conll", "test_conll_document_twice_refused", None),
            (
                "convert.test_conll",
                "test_conll_document_twice_across_files_refused_with_the_line_of_its_first",
                None,
            ),
            ("convert.test_conll", "test_cli_convert_bad_token_exits_2_without_traceback", None),
            ("convert.test_conll", "test_chunks_equal_seqeval_non_strict_on_any_sequence", None),
            ("convert.test_conll", "test_bilou_equals_seqeval_on_its_iobes_spelling", None),
            (
                "convert.test_conll_properties",
                "test_export_then_convert_gives_back_the_outermost_layer",
                None,
            ),
            (
                "convert.test_conll_properties",
                "test_documents_named_by_docstart_read_as_the_same_documents_named_by_doc_id",
                None,
            ),
            (
                "convert.test_hf",
                "test_aggregated_list_read_in_one_loop_equals_it_read_item_by_item",
                None,
            ),
            (
                "convert.test_nervaluate",
                "test_span_inside_a_surrogate_pair_refused_with_pointer",
                None,
            ),
            ("convert.test_nervaluate", "test_span_without_label_refused_with_pointer", None),
            ("convert.test_nervaluate", "test_unknown_doc_id_refused", None),
            ("convert.test_brat", "test_brat_discontinuous_span_refused_with_its_line", None),
            ("convert.test_brat", "test_brat_offsets_not_covering_the_text_refused", None),
            ("convert.test_brat", "test_brat_text_other_than_the_corpus_text_refused", None),
            ("convert.test_brat", "test_brat_relation_not_from_a_content_refused", None),
            ("convert.test_brat", "test_brat_unmapped_entity_type_refused_and_mappable", None),
            (
                "convert.test_hf",
                "test_hf_null_offsets_of_a_slow_tokenizer_refused_with_pointer",
                None,
            ),
            ("convert.test_hf", "test_hf_doc_ids_left_over_refused", None),
            ("convert.test_spacy_docs", "test_spacy_corrupt_docbin_refused", None),
            (
                "convert.test_spacy_docs",
                "test_doc_named_by_user_data_with_another_text_refused",
                None,
            ),
            (
                "convert.test_spacy_docs",
                "test_spacy_labels_unmapped_without_a_map_are_listed",
                None,
            ),
            (
                "convert.test_cli_convert",
                "test_convert_output_into_the_checkouts_annotations_refused",
                None,
            ),
            (
                "convert.test_cli_convert",
                "test_export_output_into_the_checkouts_corpus_refused",
                None,
            ),
            ("convert.test_cli_convert", "test_label_map_that_is_not_an_object_refused", None),
            ("convert.test_cli_convert", "test_malformed_nervaluate_json_refused_with_line", None),
            (
                "convert.test_conll",
                "test_conll_one_column_line_beside_other_white_space_refused_with_line",
                None,
            ),
            (
                "convert.test_conll",
                "test_conll_document_twice_across_files_names_the_docstart_line_of_the_first",
                None,
            ),
            (
                "convert.test_conll_properties",
                "test_documents_named_by_docstart_read_as_the_same_documents_named_by_doc_id",
                None,
            ),
            (
                "convert.test_hf",
                "test_aggregated_list_read_in_one_loop_equals_it_read_item_by_item",
                None,
            ),
            (
                "convert.test_gold_reading",
                "test_an_error_raised_by_a_check_comes_after_the_reading_refuses_a_line",
                None,
            ),
            (
                "convert.test_gold_reading",
                "test_gold_of_records_that_only_bring_a_text_read_as_evaluate_reads_it",
                None,
            ),
            (
                "convert.test_gold_reading",
                "test_doc_id_with_a_final_newline_read_as_evaluate_reads_it",
                None,
            ),
            ("schema.test_validation", "test_a_bare_record_is_valid_for_both_validators", None),
        ],
        "exit 2 / InputError naming the file and line or JSON pointer (and, for a token, what "
        "the text reads there), nothing written; invalid tag sequences read as seqeval's "
        "default mode reads them",
    ),
    (
        "Report options and outputs (issue 25): `--alpha` outside (0, 1), a mention filter on no "
        "scored layer, one output named twice (also through `..`), a folder among several "
        "outputs, `--html-documents` not a count or with no HTML output, a `.csv` ending for a command without an "
        "error list, data with tabs, newlines, ANSI, bidi and U+2028 in the error list, a fault "
        "deep in a pretty-printed JSON file",
        [
            (
                "evaluation.test_honest_statistics",
                "test_an_alpha_outside_zero_one_is_refused",
                None,
            ),
            (
                "evaluation.test_honest_statistics",
                "test_a_mention_filter_on_no_scored_layer_is_refused_not_signed",
                None,
            ),
            (
                "report.test_formats",
                "test_ambiguous_repeated_outputs_are_refused_before_anything_is_written",
                None,
            ),
            (
                "report.test_formats",
                "test_a_refused_second_output_leaves_the_first_unwritten",
                None,
            ),
            ("report.test_tsv", "test_html_documents_refuses_what_is_not_a_count_or_all", None),
            (
                "report.test_tsv",
                "test_html_documents_without_a_page_is_refused_not_ignored",
                None,
            ),
            (
                "report.test_tsv",
                "test_csv_ending_for_a_command_without_the_error_list_is_refused",
                None,
            ),
            (
                "report.test_tsv",
                "test_output_csv_ending_writes_the_error_list_never_a_box_table",
                None,
            ),
            ("report.test_tsv", "test_a_row_is_one_line_whatever_the_text_holds", None),
            (
                "report.test_tsv",
                "test_control_characters_of_the_data_are_escaped_in_the_error_list",
                None,
            ),
            (
                "cli.test_output_details",
                "test_a_fault_in_a_pretty_printed_json_file_is_reported_at_its_line",
                None,
            ),
        ],
        "exit 2 before anything is written, naming the option or the file and its real line; "
        "every row of the error list is one line, data characters escaped as their code",
    ),
    (
        "Gold and annotation tools (issue 26, 25): a check-worthiness score that does not follow "
        "from its rubric answers, a label that does not follow from the score, a rubric "
        "answered in part in Label Studio, a Label Studio data folder another server made",
        [
            (
                "schema.test_validate",
                "test_rubric_that_does_not_derive_is_refused_naming_line_pointer_and_rule",
                None,
            ),
            (
                "studio.test_convert",
                "test_a_rubric_answered_in_part_is_refused_naming_the_missing_question",
                None,
            ),
            ("studio.test_serve", "test_serve_refuses_a_data_folder_it_did_not_make", None),
        ],
        "exit 2 naming the file, line, JSON pointer and the rule (or the region and the missing "
        "question); nothing written or started",
    ),
    (
        "Label-only annotation passes (issue 26): a score or label that does not follow from the "
        "answers, an unknown, missing or null claim label, an extra answer key, claims as a list, "
        "an id that needs JSON-pointer escaping, given claims whose text or offsets do not fit "
        "the document, an unknown document, a file named for another document",
        [
            (
                "agreement.test_label_only",
                "test_label_only_file_with_inconsistent_labels_is_refused",
                None,
            ),
            (
                "agreement.test_label_only",
                "test_label_only_given_claims_that_do_not_fit_the_text_are_refused",
                None,
            ),
            (
                "agreement.test_label_only",
                "test_label_only_file_named_for_another_document_is_refused",
                None,
            ),
        ],
        "exit 2 (InputError) naming the file and its JSON pointer or line; no traceback, nothing "
        "written",
    ),
    (
        "Provenance and new layers (issues 26, 23): a provenance edge with a repeated id, an "
        "unknown mention or evidence id, a span whose text differs, an unknown node kind; a "
        "forged partial with provenance counts out of bounds; a Label Studio provenance text "
        "area that is not a JSON list; a new layer's own semantic check; markup in a provenance "
        "span on the story page",
        [
            (
                "schema.test_validate",
                "test_provenance_that_does_not_resolve_is_refused_naming_line_pointer_and_expectation",
                None,
            ),
            (
                "scoring.test_provenance",
                "test_merge_refuses_a_forged_provenance_count_naming_the_document",
                None,
            ),
            (
                "studio.test_convert",
                "test_a_provenance_text_area_that_is_no_json_list_is_a_problem_not_a_guess",
                None,
            ),
            (
                "scoring.test_adding_a_layer",
                "test_the_new_layer_declares_its_semantic_check_with_the_error_contract",
                None,
            ),
            (
                "report.test_story",
                "test_provenance_spans_are_escaped_and_chains_nest",
                None,
            ),
        ],
        "exit 2 naming the file, line, JSON pointer and what was expected (the document and "
        "the statistic for a forged partial); a Label Studio area that is no list is a problem, "
        "nothing guessed; span text escaped on the page",
    ),
    (
        "PARC source phrases and content types (issue 26): a phrase without a source or a "
        "source without a phrase in gold, a phrase that does not contain its source, a phrase "
        "text not at its offsets, an unknown content type, forged source-phrase counts or "
        "content-type labels in a partial, two phrases or an unrelated one or an unknown type in "
        "a Label Studio export, export items whose ids, names, values or labels have the wrong "
        "JSON type; provenance in a record with no other item",
        [
            (
                "schema.test_validate",
                "test_broken_source_phrase_or_content_type_is_refused_naming_line_pointer",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_merge_refuses_forged_source_span_pairs_beyond_the_matched_attributions",
                None,
            ),
            (
                "evaluation.test_partials",
                "test_merge_refuses_a_forged_content_type_label",
                None,
            ),
            (
                "studio.test_convert",
                "test_two_phrases_an_unrelated_phrase_and_an_unknown_content_type_are_refused",
                None,
            ),
            (
                "studio.test_convert",
                "test_malformed_result_items_are_problems_never_a_crash",
                None,
            ),
            (
                "schema.test_validate",
                "test_provenance_in_a_record_with_no_other_item_is_still_checked",
                None,
            ),
        ],
        "exit 2 naming the file, line and JSON pointer and what was expected; a Label Studio "
        "item of the wrong shape is a problem naming it (exit 2), never an internal error",
    ),
    (
        "Sharded and chunked runs that read byte ranges (issue 24): a malformed line or a bad UTF-8 byte a "
        "shard meets, a line the index cannot place, a record invalid inside one shard, a file "
        "changed after it was indexed, lines written with a BOM, escapes, CRLF or another key "
        "order, --workers with --scheduler, an unreachable scheduler, chunks checked on columns "
        "with defects or in another offset convention, a large run given up in chunks",
        [
            (
                "evaluation.test_byte_ranges",
                "test_chunks_checked_on_columns_give_the_one_process_report_warning_or_error",
                None,
            ),
            (
                "evaluation.test_column_chunks",
                "test_a_byte_that_is_not_utf8_in_a_string_is_the_one_process_message",
                None,
            ),
            (
                "evaluation.test_column_chunks",
                "test_a_gold_record_without_its_text_is_the_one_process_message",
                None,
            ),
            (
                "test_progress",
                "test_a_large_run_read_whole_after_its_chunks_shows_no_stage_line_twice",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_a_malformed_line_the_scan_places_is_refused_as_one_process_refuses_it",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_a_line_the_scan_cannot_place_and_that_does_not_parse_is_refused_by_the_parent",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_a_record_invalid_in_one_shard_is_refused_with_its_file_line_and_pointer",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_a_file_changed_after_it_was_indexed_is_refused",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_the_index_places_every_record_at_its_bytes_whichever_way_its_line_is_written",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_workers_with_scheduler_and_an_unreachable_scheduler_are_refused",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_any_shard_count_and_record_order_gives_the_one_process_report",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_reading_in_chunks_gives_the_one_process_report_or_error",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_a_bad_line_in_a_late_chunk_is_refused_with_the_one_process_message",
                None,
            ),
            (
                "evaluation.test_byte_ranges",
                "test_spans_that_seem_to_count_otherwise_are_read_whole_and_warned_once",
                None,
            ),
            (
                "schema.test_diagnosis_reference",
                "test_misfit_counts_add_up_over_chunks_and_never_hide_a_diagnosis",
                None,
            ),
        ],
        "exit 2 with exactly the one-process message (file, line, pointer); every line read "
        "back as the whole-file reader reads it; any shard count gives the one-process report",
    ),
]


def _examples() -> dict[str, int]:
    from fuzz_profiles import FUZZ_EXAMPLES

    return FUZZ_EXAMPLES


def _import_beside_its_conftest(module_name: str) -> Any:
    """The test module, imported as pytest imports it: with its own folder first on the path,
    so the helpers beside it (and that folder's conftest) are the ones it finds."""
    if module_name in sys.modules or "." not in module_name:
        return importlib.import_module(module_name)
    folder = str(TESTS.joinpath(*module_name.split(".")[:-1]))
    outer_conftest = sys.modules.pop("conftest", None)
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(folder)
        sys.modules.pop("conftest", None)
        if outer_conftest is not None:
            sys.modules["conftest"] = outer_conftest


def cases_of(module_name: str, test_name: str, constant: str | None) -> int:
    """How many cases one test runs in CI (see the module docstring)."""
    module = _import_beside_its_conftest(module_name)
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
