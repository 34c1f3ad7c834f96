"""The shell of a self-contained HTML page: inline CSS and JS only, locked by a CSP.

The Content-Security-Policy allows exactly the page's own style and script blocks (by sha256)
and no fetch of any kind, so even a escaping bug could not run script from the data or load
anything from a network: the page works offline, as one file.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

# The documents a page shows by default. Measured on the synthetic corpus (800-4,000 characters a
# document): every document cost 72 KB of page with all three layers (217 MB for 3,000), 37 KB
# with entities only; the page of the 50 worst of 3,000 (all layers) is 2.0 MB and headless
# Chromium renders it in 0.5 s. The packaged corpus's documents cost about 98 KB each.
# (here, in the page's light module: the command line reads it without the scoring's imports)
DEFAULT_DOCUMENTS = 50


def esc(value: Any) -> str:
    """Any data value as HTML text or attribute content (quotes escaped too)."""
    return escape("" if value is None else str(value), quote=True)


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page(title: str, body: str, css: str, js: str = "") -> str:
    """A whole HTML document; `title` is data (escaped), `body` is already-safe markup."""
    script_source = _csp_hash(js) if js else "'none'"
    policy = (
        f"default-src 'none'; style-src {_csp_hash(css)}; "
        f"script-src {script_source}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    script = f"<script>{js}</script>" if js else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body>\n{body}\n{script}\n</body>\n</html>\n"
    )


def attrs(**values: Any) -> str:
    """` name="value"` pairs (underscores become dashes), skipping None; values escaped."""
    return "".join(
        f' {name.replace("_", "-")}="{esc(value)}"'
        for name, value in values.items()
        if value is not None
    )


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table of plain-text cells (every cell escaped)."""
    header = "".join(f"<th>{esc(cell)}</th>" for cell in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
