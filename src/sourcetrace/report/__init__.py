"""Report formats: one renderer per format, one vocabulary of format names for every command.

`FORMATS` is the vocabulary (the registry of formats.py); each command says which of them it
writes. Without `--format`, the `--output` file's ending chooses (`SUFFIXES`), else the
command's default.
"""

from __future__ import annotations

from sourcetrace.report.formats import (
    FORMATS,
    ITEM_FORMATS,
    REGISTRY,
    RENDERER_OPTIONS,
    SUFFIXES,
    Format,
    as_plain_text,
    choose_format,
    render_chunks,
    render_text,
)
from sourcetrace.report.json_format import to_json
from sourcetrace.report.markdown import agreement_summary, agreement_to_markdown, to_markdown
from sourcetrace.report.rows import comparison_rows, header, summary_rows
from sourcetrace.report.table import render_table

__all__ = [
    "FORMATS",
    "ITEM_FORMATS",
    "REGISTRY",
    "RENDERER_OPTIONS",
    "Format",
    "SUFFIXES",
    "agreement_summary",
    "agreement_to_markdown",
    "as_plain_text",
    "choose_format",
    "comparison_rows",
    "header",
    "render_chunks",
    "render_table",
    "render_text",
    "summary_rows",
    "to_json",
    "to_markdown",
]
