"""`corpus info` and `corpus diff` in the report formats: the rows once, a renderer per format."""

from __future__ import annotations

from typing import Any

INFO_COLUMNS = (
    "doc_id",
    "story_id",
    "outlet",
    "published",
    "characters",
    "zones",
    "annotated",
    "entities",
    "claims",
    "attributions",
)
_NUMERIC = set(INFO_COLUMNS[4:])


def _cell(value: Any) -> str:
    return (
        "yes" if value is True else "no" if value is False else "-" if value is None else str(value)
    )


def info_rows(data: dict[str, Any]) -> list[list[str]]:
    """One row per document, then the totals row."""
    rows = [[_cell(row[c]) for c in INFO_COLUMNS] for row in data["documents"]]
    totals = data["totals"]
    documents = data["documents"]
    rows.append(
        [
            "total",
            "",
            "",
            "",
            str(sum(r["characters"] for r in documents)),
            str(sum(r["zones"] for r in documents)),
            f"{totals['annotated']}/{totals['documents']}",
            str(totals["entities"]),
            str(totals["claims"]),
            str(totals["attributions"]),
        ]
    )
    return rows


def info_title(data: dict[str, Any]) -> str:
    return (
        f"sourcetrace corpus {data['version']}  (data sha256 {(data['data_sha256'] or '')[:16]}...)"
    )


def render_info_table(data: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    from sourcetrace.report.table import safe as escape

    table = Table(title=escape(info_title(data)))
    for column in INFO_COLUMNS:
        table.add_column(column, justify="right" if column in _NUMERIC else "left")
    rows = info_rows(data)
    for row in rows[:-1]:
        table.add_row(*(escape(cell) for cell in row))
    table.add_section()
    table.add_row(*rows[-1])
    console.print(table)


def info_to_markdown(data: dict[str, Any]) -> str:
    from sourcetrace.report.markdown import md_text

    lines = [f"# {md_text(info_title(data))}", "", "| " + " | ".join(INFO_COLUMNS) + " |"]
    lines.append("|" + "---|" * len(INFO_COLUMNS))
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in info_rows(data)]
    return "\n".join(lines) + "\n"


def diff_rows(result: dict[str, Any]) -> list[list[str]]:
    """(what, where, change) rows: documents first, then every layer's items per document."""
    rows = []
    documents = result["documents"]
    for key in ("added", "removed", "text_changed"):
        rows.append(["documents", key.replace("_", " "), ", ".join(documents[key]) or "none"])
    for doc_id, fields in documents["metadata_changed"].items():
        rows.append(["metadata", doc_id, "changed: " + ", ".join(fields)])
    for layer, per_doc in result["layers"].items():
        if not per_doc:
            rows.append([layer, "", "no change"])
        for doc_id, entry in per_doc.items():
            parts = [
                f"{len(v)} {k} ({', '.join(v[:8])}{', ...' if len(v) > 8 else ''})"
                for k, v in entry.items()
                if v
            ]
            rows.append([layer, doc_id, "; ".join(parts)])
    return rows


def diff_title(result: dict[str, Any]) -> str:
    return f"corpus diff {result['old_version']} -> {result['new_version']}"


def render_diff_table(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    from sourcetrace.report.table import safe as escape

    table = Table(title=escape(diff_title(result)))
    for column in ("what", "where", "change"):
        table.add_column(column)
    for row in diff_rows(result):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def diff_to_markdown(result: dict[str, Any]) -> str:
    from sourcetrace.report.markdown import md_text

    lines = [f"# {md_text(diff_title(result))}", "", "| what | where | change |", "|---|---|---|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in diff_rows(result)]
    return "\n".join(lines) + "\n"


def _md(cell: str) -> str:
    """A Markdown table cell from data: one line, inert (see markdown.md_text)."""
    from sourcetrace.report.markdown import md_text

    return md_text(cell)
