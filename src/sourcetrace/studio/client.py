"""`push` and `pull` against a running Label Studio, through label-studio-sdk 2.x.

The server's URL and token come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY only. Neither is
ever printed, and every error that leaves this module has them cut out of its text: SDK and HTTP
errors may quote the request they failed on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .config import config_xml
from .importer import Imported, convert_export, write
from .tasks import make_tasks

URL_VARIABLE, KEY_VARIABLE = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
MARKER = "sourcetrace-studio-push"  # in the description of every project push makes


def redact(text: str, secrets: Sequence[str | None]) -> str:
    """``text`` with every secret replaced by a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


@dataclass(frozen=True)
class Connection:
    client: Any
    secrets: tuple[str, ...]


def connect() -> Connection:
    """A client for the server named by the environment, or InputError saying what is missing."""
    url, key = os.environ.get(URL_VARIABLE), os.environ.get(KEY_VARIABLE)
    for name, value in ((URL_VARIABLE, url), (KEY_VARIABLE, key)):
        if not value:
            raise InputError(
                f"{name} is not set",
                file="<environment>",
                expected=f"{URL_VARIABLE} (e.g. http://127.0.0.1:8080) and {KEY_VARIABLE} (your "
                "API token, from Label Studio's Account & Settings)",
            )
    try:
        from label_studio_sdk import LabelStudio
    except ImportError:
        raise InputError(
            "label-studio-sdk is not installed",
            file="<environment>",
            expected='the studio extra: pip install -e ".[studio]"',
        ) from None
    return Connection(LabelStudio(base_url=url.rstrip("/"), api_key=key), (key, url))


@contextmanager
def talking(connection: Connection, doing: str) -> Iterator[None]:
    """Turn any failure of the server or the network into a one-paragraph InputError, with
    the token and URL cut out of its text."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:  # the SDK raises ApiError, httpx errors, pydantic errors
        status = getattr(exc, "status_code", None)
        # an ApiError's text holds the response headers (a session cookie): keep its body only
        body = getattr(exc, "body", None)
        raw = json.dumps(body, ensure_ascii=False) if body is not None else str(exc)
        detail = redact(" ".join(raw.split()), connection.secrets)[:400]
        raise InputError(
            f"Label Studio {doing} failed"
            + (f" (HTTP {status})" if status else "")
            + f": {detail}",
            file=f"${URL_VARIABLE}",
            expected=f"a running Label Studio that accepts the token in ${KEY_VARIABLE}",
        ) from None


def push(
    root: Path,
    *,
    doc_ids: Sequence[str] | None = None,
    predictions: Path | None = None,
    model_version: str | None = None,
    project: int | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """Create a project with the generated config (or use ``project``) and import one task per
    document, with the gold (or the system's predictions) as its predictions."""
    tasks, notes = make_tasks(root, doc_ids, predictions, model_version)
    version = next(
        (t["predictions"][0]["model_version"] for t in tasks if t.get("predictions")),
        model_version or "none",
    )
    connection = connect()
    ls = connection.client
    if project is None:
        with talking(connection, "project creation"):
            made = ls.projects.create(
                title=title or f"sourcetrace {version}",
                description=f"{MARKER}: {len(tasks)} document(s), predictions {version}",
                label_config=config_xml(),
                model_version=version,
            )
        project = made.id
    with talking(connection, "task import"):
        ls.projects.get(id=project)
        response = ls.projects.import_tasks(id=project, request=tasks, return_task_ids=True)
    return {
        "project": project,
        "tasks": response.task_count,
        "predictions": response.prediction_count,
        "model_version": version,
        "documents": [t["data"]["doc_id"] for t in tasks],
        "notes": notes,
    }


def newest_project(connection: Connection) -> int:
    """The id of the newest project that `push` made."""
    with talking(connection, "project listing"):
        projects = [p for p in connection.client.projects.list() if MARKER in (p.description or "")]
    if not projects:
        raise InputError(
            "no project made by `sourcetrace studio push` on this server",
            file=f"${URL_VARIABLE}",
            expected="a project id (--project), or a `sourcetrace studio push` first",
        )
    return max(p.id for p in projects)


def pull(
    root: Path,
    *,
    pass_name: str = "studio",
    project: int | None = None,
    doc_ids: Sequence[str] | None = None,
    overwrite: bool = False,
) -> tuple[int, Imported, list[Path]]:
    """Write the finished annotations of a project as passes, one per annotator, validated."""
    connection = connect()
    ls = connection.client
    if project is None:
        project = newest_project(connection)
    with talking(connection, f"export of project {project}"):
        chunks = ls.projects.exports.download_sync(
            project, export_type="JSON", download_all_tasks=False
        )
        export = json.loads(b"".join(chunks))
        users = {u.id: u.email for u in ls.users.list()}
    if doc_ids:
        export = [t for t in export if (t.get("data") or {}).get("doc_id") in set(doc_ids)]
    source = f"project {project}"
    imported = convert_export(export, root=root, pass_name=pass_name, source=source, users=users)
    return project, imported, write(imported, overwrite=overwrite)
