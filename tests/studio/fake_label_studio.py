"""Hostile servers for the bridge's tests: real sockets on 127.0.0.1, in a thread of the test.

`FakeLabelStudio` answers the calls `studio push` and `pull` make, in the shapes of Label
Studio 1.23's API, filled with what a test chooses: a hostile export or user list, a listing of
projects that never ends or repeats, errors. It records every request, so a test can count them.
A real Label Studio cannot be made to do these things; everything else is tested on a real one.
`silent_server` accepts connections and never answers; `trickling_server` answers one byte at a
time, forever.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sourcetrace.studio.client import MARKER


def project(pid: Any, description: str = f"{MARKER}: 1 document(s)") -> dict[str, Any]:
    return {"id": pid, "title": f"project {pid}", "description": description}


def pages_of(projects: list[dict[str, Any]]) -> Callable[[int, int], dict[str, Any]]:
    """An honest listing: DRF-style pages of ``projects``."""

    def page(number: int, size: int) -> dict[str, Any]:
        chunk = projects[(number - 1) * size : number * size]
        more = number * size < len(projects)
        return {"count": len(projects), "next": f"?page={number + 1}" if more else None,
                "previous": None, "results": chunk}  # fmt: skip

    return page


@dataclass
class Behaviour:
    """What the fake server answers. ``status`` maps 'METHOD /path-pattern' to an error code,
    ``bodies`` to any JSON value answered with 200 instead of the usual shape."""

    export: Any = field(default_factory=list)
    users: Any = field(default_factory=list)
    projects: Callable[[int, int], Any] = field(default_factory=lambda: pages_of([project(1)]))
    status: dict[str, int] = field(default_factory=dict)
    raw_export: bytes | None = None
    bodies: dict[str, Any] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None


class FakeLabelStudio:
    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                parts = urlsplit(self.path)
                fake.requests.append(Request(method, parts.path, parse_qs(parts.query),
                                             self.headers.get("Authorization")))  # fmt: skip
                code, body = fake.route(method, parts.path, parse_qs(parts.query))
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        b = self.behaviour
        for key, code in b.status.items():
            want_method, pattern = key.split(" ", 1)
            if method == want_method and re.fullmatch(pattern, path):
                return code, b'{"detail": "refused by the test"}'
        for key, body in b.bodies.items():
            want_method, pattern = key.split(" ", 1)
            if method == want_method and re.fullmatch(pattern, path):
                return 200, json.dumps(body).encode()
        if method == "GET" and path == "/api/projects/":
            number = int(query.get("page", ["1"])[0])
            size = int(query.get("page_size", ["100"])[0])
            return 200, json.dumps(b.projects(number, size)).encode()
        if method == "POST" and path == "/api/projects/":
            return 201, json.dumps(project(1)).encode()
        if (m := re.fullmatch(r"/api/projects/(\d+)/", path)) and method == "GET":
            return 200, json.dumps(project(int(m.group(1)))).encode()
        if re.fullmatch(r"/api/projects/\d+/import", path) and method == "POST":
            return 201, b'{"task_count": 1, "prediction_count": 1, "task_ids": [1]}'
        if re.fullmatch(r"/api/projects/\d+/export", path) and method == "GET":
            return 200, b.raw_export if b.raw_export is not None else json.dumps(b.export).encode()
        if path == "/api/users/" and method == "GET":
            return 200, json.dumps(b.users).encode()
        return 404, b'{"detail": "Not found."}'

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for r in self.requests if r.method == method and re.fullmatch(pattern, r.path))

    def __enter__(self) -> FakeLabelStudio:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def silent_server() -> Iterator[str]:
    """A URL whose server accepts every connection and never says a thing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        listener.close()


@contextmanager
def trickling_server(every: float = 0.1, *, headers: bool = False) -> Iterator[str]:
    """A URL whose server answers 200 with headers at once, then a body one byte per
    ``every`` seconds that never ends (``headers``: a header line per ``every`` seconds
    that never ends, and no body)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10**9))
            if headers:
                self.flush_headers()
            else:
                self.end_headers()
                self.wfile.write(b"[")
            try:
                while not stopping.is_set():
                    self.wfile.write(b"X: y\r\n" if headers else b" ")
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:
                pass

    stopping = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
