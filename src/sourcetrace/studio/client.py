"""`push` and `pull` against a running Label Studio, through label-studio-sdk 2.x.

The server's URL and token come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY only. The token
is stripped and checked before use and never printed: every error that leaves this module has
it (and any password in the URL) cut out of its text, since SDK and HTTP errors may quote the
request they failed on. Errors name the URL without credentials or query.

A server is input from outside, so every exchange with it is bounded (`Limits`): a connect and
read timeout on every call, the whole of one response within `RESPONSE_TIMEOUTS` timeouts and
`jsonio.max_input_bytes()` bytes, no redirects followed, a few retries of reads only
(`RETRY_WAITS`), pages of a listing up to `MAX_PAGES`, and `MAX_REQUESTS` calls in all.
"""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sourcetrace.errors import InputError
from sourcetrace.jsonio import decode_utf8, max_input_bytes, parse_json
from sourcetrace.studio.config import config_xml
from sourcetrace.studio.importer import Imported, convert_export, write
from sourcetrace.studio.limits import (
    DEFAULT_TIMEOUT_SECONDS,
    MAX_PAGES,
    MAX_REQUESTS,
    MAX_TIMEOUT_SECONDS,
    PAGE_SIZE,
    RESPONSE_TIMEOUTS,
    RETRY_STATUSES,
    RETRY_WAITS,
)
from sourcetrace.studio.names import quoted
from sourcetrace.studio.tasks import make_tasks

URL_VARIABLE, KEY_VARIABLE = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
MARKER = "sourcetrace-studio-push"  # in the description of every project push makes

MAX_TOKEN_CHARS = 4096
# legacy tokens are hex, personal access tokens are JWTs (base64url parts joined by dots)
TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9._~+/=-]+")

T = TypeVar("T")


def redact(text: str, secrets: Sequence[str | None]) -> str:
    """``text`` with every secret replaced by a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def clean_token(raw: str | None) -> str:
    """The token with white space around it stripped, or InputError (that never quotes it)
    when it is empty or holds anything a token does not (inner white space, quotes, control
    characters)."""
    token = (raw or "").strip()
    expected = (
        f"{KEY_VARIABLE} set to your API token exactly as Label Studio shows it (Account & "
        "Settings): letters, digits and . _ ~ + / = -"
    )
    if not token:
        raise InputError(f"{KEY_VARIABLE} is not set", file="<environment>", expected=expected)
    if len(token) > MAX_TOKEN_CHARS or not TOKEN_ALPHABET.fullmatch(token):
        raise InputError(
            f"{KEY_VARIABLE} holds characters an API token does not have (white space, quotes "
            "or control characters inside it), or is over "
            f"{MAX_TOKEN_CHARS} characters; it is not shown here",
            file="<environment>",
            expected=expected,
        )
    return token


@dataclass(frozen=True)
class Url:
    """The server's URL as used (``full``), as shown in messages (``shown``: no user,
    password, query or fragment), and the secrets it holds."""

    full: str
    shown: str
    secrets: tuple[str, ...]


def clean_url(raw: str | None) -> Url:
    text = (raw or "").strip()
    expected = f"{URL_VARIABLE} set to the server's address, e.g. http://127.0.0.1:8080"
    if not text:
        raise InputError(f"{URL_VARIABLE} is not set", file="<environment>", expected=expected)
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    printable = all(" " < ch < "\x7f" for ch in text)
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or not printable
    ):
        raise InputError(
            f"{URL_VARIABLE} is not an http(s) URL without query or fragment (not shown here: "
            "it may hold a password)",
            file="<environment>",
            expected=expected,
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    where = f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path.rstrip('/')}"
    secrets = (parts.password,) if parts.password else ()
    return Url(text.rstrip("/"), where, secrets)


@dataclass
class Limits:
    """What one command may spend on a server (see the module's docstring)."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = field(default_factory=max_input_bytes)
    requests: int = 0


def check_timeout(seconds: float) -> float:
    if not (0 < seconds <= MAX_TIMEOUT_SECONDS):
        raise InputError(
            f"timeout {seconds!r} s is out of range",
            file="--timeout",
            expected=f"seconds above 0, at most {MAX_TIMEOUT_SECONDS:g}",
        )
    return seconds


class _ServerLimit(InputError):
    """A bound of `Limits` was reached; raised inside the HTTP stack, re-worded by `call`."""


def _bounded_transport(limits: Limits) -> Any:
    """An httpx transport that counts calls and cuts off an answer over the byte or time
    bound: httpx's own timeouts bound each wait, not the whole, so a server that trickles its
    headers or its body a byte at a time is stopped here. The headers are awaited in a daemon
    thread given up at the deadline (the command then ends, and the thread with it)."""
    import httpx

    class Bounded(httpx.SyncByteStream):
        def __init__(self, stream: Any, deadline: float) -> None:
            self.stream, self.deadline = stream, deadline

        def __iter__(self) -> Iterator[bytes]:
            read = 0
            for chunk in self.stream:
                read += len(chunk)
                if read > limits.max_bytes:
                    raise _ServerLimit(f"the answer is over {limits.max_bytes} bytes")
                if time.monotonic() > self.deadline:
                    seconds = RESPONSE_TIMEOUTS * limits.timeout
                    raise _ServerLimit(f"the answer took over {seconds:g} s")
                yield chunk

        def close(self) -> None:
            self.stream.close()

    class Transport(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            limits.requests += 1
            if limits.requests > MAX_REQUESTS:
                raise _ServerLimit(f"over {MAX_REQUESTS} calls to the server in one command")
            seconds = RESPONSE_TIMEOUTS * limits.timeout
            deadline = time.monotonic() + seconds
            done: dict[str, Any] = {}

            def send() -> None:
                try:
                    done["response"] = self.inner.handle_request(request)
                except BaseException as exc:  # handed to the caller's thread
                    done["error"] = exc

            worker = threading.Thread(target=send, name="label-studio-call", daemon=True)
            worker.start()
            worker.join(seconds)
            if worker.is_alive():
                raise _ServerLimit(f"the answer took over {seconds:g} s")
            if "error" in done:
                raise done["error"]
            response = done["response"]
            return httpx.Response(
                status_code=response.status_code,
                headers=response.headers,
                stream=Bounded(response.stream, deadline),
                extensions=response.extensions,
            )

        def close(self) -> None:
            self.inner.close()

    return Transport()


@dataclass(frozen=True)
class Connection:
    client: Any
    url: Url
    secrets: tuple[str, ...]
    limits: Limits


def connect(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Connection:
    """A client for the server named by the environment, or InputError saying what is wrong."""
    raw_url, raw_key = os.environ.get(URL_VARIABLE), os.environ.get(KEY_VARIABLE)
    limits = Limits(timeout=check_timeout(timeout))
    secrets = tuple(s for s in (raw_key, (raw_key or "").strip()) if s)
    try:
        url = clean_url(raw_url)
        token = clean_token(raw_key)
    except InputError as exc:
        exc.message = redact(exc.message, secrets)
        raise
    try:
        import httpx
        from label_studio_sdk import LabelStudio
    except ImportError:
        raise InputError(
            "label-studio-sdk is not installed",
            file="<environment>",
            expected='the studio extra: pip install -e ".[studio]"',
        ) from None
    http = httpx.Client(
        timeout=httpx.Timeout(limits.timeout),
        follow_redirects=False,  # the token stays with the server it was given for
        transport=_bounded_transport(limits),
        trust_env=False,  # no proxy from the environment sees the token
    )
    connection = Connection(None, url, (token, *secrets, *url.secrets), limits)
    client = call(
        connection,
        "connection",
        lambda: LabelStudio(
            base_url=url.full, api_key=token, timeout=limits.timeout, httpx_client=http
        ),
    )
    return Connection(client, url, connection.secrets, limits)


def _no_retries(limits: Limits) -> dict[str, Any]:
    """The SDK's own retries (up to a minute's wait each) are off: `call` retries."""
    return {"max_retries": 0, "timeout_in_seconds": limits.timeout}


def _transient(exc: Exception) -> bool:
    import httpx

    return isinstance(exc, httpx.ConnectError) or getattr(exc, "status_code", None) in (
        RETRY_STATUSES
    )


def _failure(connection: Connection, doing: str, exc: Exception) -> InputError:
    """One paragraph for any failure of the server or the network, secrets cut out."""
    import httpx

    status = getattr(exc, "status_code", None)
    if isinstance(exc, _ServerLimit):
        detail = exc.message
    elif isinstance(exc, httpx.TimeoutException):
        detail = f"no answer within {connection.limits.timeout:g} s (--timeout)"
    elif isinstance(exc, httpx.ConnectError):
        detail = f"cannot connect ({type(exc).__name__}: {exc})"
    else:
        # an ApiError's text holds the response headers (a session cookie): keep its body only
        body = getattr(exc, "body", None)
        detail = quoted(body, 300) if body is not None else f"{type(exc).__name__}: {exc}"
    detail = redact(" ".join(detail.split()), connection.secrets)
    detail = "".join(ch if " " <= ch < "\x7f" else "?" for ch in detail)[:400]
    return InputError(
        f"Label Studio {doing} failed" + (f" (HTTP {status})" if status else "") + f": {detail}",
        file=connection.url.shown,
        expected=f"a running Label Studio that accepts the token in ${KEY_VARIABLE}",
    )


def call(connection: Connection, doing: str, action: Callable[[], T], *, read: bool = False) -> T:
    """``action()``, any failure turned into a one-paragraph InputError; a read (``read``) is
    tried again after a refused connection or a 429/502/503/504, up to len(RETRY_WAITS) times."""
    attempt = 0
    while True:
        try:
            return action()
        except InputError as exc:
            if isinstance(exc, _ServerLimit):
                raise _failure(connection, doing, exc) from None
            raise
        except Exception as exc:  # the SDK raises ApiError, httpx errors, pydantic errors
            if read and attempt < len(RETRY_WAITS) and _transient(exc):
                time.sleep(RETRY_WAITS[attempt])
                attempt += 1
                continue
            raise _failure(connection, doing, exc) from None


def _server_error(connection: Connection, message: str) -> InputError:
    return InputError(
        message, file=connection.url.shown, expected="a Label Studio server (its API shapes)"
    )


def _count(connection: Connection, value: Any, what: str) -> int:
    """A count the server returned, checked to be one (it is printed)."""
    if type(value) is not int or value < 0:
        raise _server_error(connection, f"the server returned {what} {quoted(value)}")
    return value


def push(
    root: Path,
    *,
    doc_ids: Sequence[str] | None = None,
    predictions: Path | None = None,
    model_version: str | None = None,
    project: int | None = None,
    title: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Create a project with the generated config (or use ``project``) and import one task per
    document, with the gold (or the system's predictions) as its predictions."""
    tasks, notes = make_tasks(root, doc_ids, predictions, model_version)
    version = next(
        (t["predictions"][0]["model_version"] for t in tasks if t.get("predictions")),
        model_version or "none",
    )
    connection = connect(timeout)
    ls, options = connection.client, _no_retries(connection.limits)
    if project is None:
        made = call(
            connection,
            "project creation",
            lambda: ls.projects.create(
                title=title or f"sourcetrace {version}",
                description=f"{MARKER}: {len(tasks)} document(s), predictions {version}",
                label_config=config_xml(),
                model_version=version,
                request_options=options,
            ),
        )
        project = _count(connection, getattr(made, "id", None), "a project id")
    call(connection, f"reading project {project}", lambda: ls.projects.get(
        id=project, request_options=options), read=True)  # fmt: skip
    response = call(
        connection,
        "task import",
        lambda: ls.projects.import_tasks(
            id=project, request=tasks, return_task_ids=True, request_options=options
        ),
    )
    return {
        "project": project,
        "tasks": _count(connection, getattr(response, "task_count", None), "a task count"),
        "predictions": _count(
            connection, getattr(response, "prediction_count", None), "a prediction count"
        ),
        "model_version": version,
        "documents": [t["data"]["doc_id"] for t in tasks],
        "notes": notes,
    }


def listed(connection: Connection, what: str, page: Callable[[int], Any]) -> list[Any]:
    """Every item of a paged listing (``page(n)`` -> the SDK's pager of page n): it ends on
    a page without a next, an empty page, a page that repeats an earlier one, or when the
    count the server announced is reached; more than MAX_PAGES pages is an InputError."""

    def read(number: int) -> tuple[list[Any], bool, Any]:
        got = page(number)
        return list(got.items or []), bool(got.has_next), getattr(got.response, "count", None)

    items: list[Any] = []
    pages_seen: set[tuple[str, ...]] = set()
    for number in range(1, MAX_PAGES + 1):
        batch, more, total = call(
            connection, f"listing {what} (page {number})", lambda n=number: read(n), read=True
        )
        key = tuple(repr(getattr(item, "id", item)) for item in batch)
        if not batch or key in pages_seen:
            return items
        pages_seen.add(key)
        items += batch
        if not more or (type(total) is int and len(items) >= total):
            return items
    raise _server_error(
        connection,
        f"listing {what}: the server still announced more after {MAX_PAGES} pages "
        f"({len(items)} items); stopped",
    )


def newest_project(connection: Connection) -> int:
    """The id of the newest project that `push` made."""
    ls, options = connection.client, _no_retries(connection.limits)
    projects = listed(connection, "projects", lambda n: ls.projects.list(
        page=n, page_size=PAGE_SIZE, request_options=options))  # fmt: skip
    ids = [
        p.id
        for p in projects
        if type(getattr(p, "id", None)) is int
        and isinstance(getattr(p, "description", None), str)
        and MARKER in p.description
    ]
    if not ids:
        raise InputError(
            "no project made by `sourcetrace studio push` on this server",
            file=connection.url.shown,
            expected="a project id (--project), or a `sourcetrace studio push` first",
        )
    return max(ids)


def _export(connection: Connection, project: int) -> Any:
    """The project's JSON export (annotated tasks), parsed as strictly as any input file."""
    ls, options = connection.client, _no_retries(connection.limits)
    source = f"export of project {project}"

    def download() -> bytes:
        chunks = ls.projects.exports.download_sync(
            project, export_type="JSON", download_all_tasks=False, request_options=options
        )
        return b"".join(chunks)

    data = call(connection, source, download, read=True)
    records = parse_json(decode_utf8(data, Path(source)), Path(source))
    if len(records) == 1 and not data.lstrip().startswith(b"["):
        return records[0].value
    return [r.value for r in records]


def _users(connection: Connection) -> dict[int, str]:
    """user id -> e-mail, for naming annotators (anything else the server says is left out)."""
    ls, options = connection.client, _no_retries(connection.limits)

    def read() -> dict[int, str]:
        return {
            u.id: u.email
            for u in list(ls.users.list(request_options=options) or [])
            if type(getattr(u, "id", None)) is int and isinstance(getattr(u, "email", None), str)
        }

    return call(connection, "listing users", read, read=True)


def pull(
    root: Path,
    *,
    pass_name: str = "studio",
    project: int | None = None,
    doc_ids: Sequence[str] | None = None,
    overwrite: bool = False,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> tuple[int, Imported, list[Path]]:
    """Write the finished annotations of a project as passes, one per annotator, validated."""
    connection = connect(timeout)
    if project is None:
        project = newest_project(connection)
    export, users = _export(connection, project), _users(connection)
    imported = convert_export(
        export,
        root=root,
        pass_name=pass_name,
        source=f"project {project}",
        users=users,
        doc_ids=set(doc_ids) if doc_ids else None,
    )
    return project, imported, write(imported, overwrite=overwrite)
