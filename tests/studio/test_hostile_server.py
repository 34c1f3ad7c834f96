"""`studio push` / `pull` against hostile servers and with a badly pasted token.

Names and shapes a server sends never become paths (a fake server on 127.0.0.1 that sends any
export and user list, and a real Label Studio with users whose e-mails are path tricks); every
call is bounded (a server that never answers, one that trickles, listings that never end,
errors that ask for retries); the token is never shown, whatever form it was pasted in.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any
from unittest import mock

import pytest
from fake_label_studio import (
    Behaviour,
    FakeLabelStudio,
    pages_of,
    project,
    silent_server,
    trickling_server,
)
from hostile_area import (
    DOC,
    Area,
    accepted,
    an_export,
    assert_empty_annotation,
    hostile_text,
    hostile_value,
    run_main,
    run_main_output,
)
from hypothesis import given
from hypothesis import strategies as st

from conftest import ENTRY, REPO, TESTS_STUDIO
from sourcetrace.errors import InputError
from sourcetrace.jsonio import dumps_pretty
from sourcetrace.studio.client import pull
from sourcetrace.studio.limits import MAX_PAGES, RETRY_WAITS


@pytest.fixture(scope="module")
def fake() -> FakeLabelStudio:
    with FakeLabelStudio() as server:
        yield server


def server_env(url: str, token: str = "abcdef123") -> Any:
    return mock.patch.dict(os.environ, {"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": token})


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`sourcetrace ARGS` in a process of its own; a hang fails the test (no timing asserts)."""
    return subprocess.run(
        [sys.executable, "-c", ENTRY, str(TESTS_STUDIO), *args],
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------- names from a server


@given(who=hostile_value, email=hostile_text, by_id=st.booleans())
def test_hostile_names_from_a_server_stay_in_the_pass_folder(area, fake, who, email, by_id):
    area.reset()
    completed_by = 5 if by_id else who
    fake.behaviour = Behaviour(
        export=an_export(area.text, [completed_by]),
        users=[{"id": 5, "email": email, "username": email}, {"id": "x", "email": None}],
        projects=pages_of([project(1, description=f"sourcetrace-studio-push {email}")]),
    )
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--pass", "h", "--overwrite", "--root", area.root)
    if accepted(completed_by):
        assert code == 0, err
        (written,) = area.new_pass_files()
        assert_empty_annotation(written, area.text)
    else:
        assert code == 2 and "project 1, at /0/annotations/0/completed_by" in err
        assert area.changes() == {}
    area.reset()


def test_a_server_export_traversing_to_gold_stays_in_the_pass_folder(fake, fresh):
    gold = fresh.root / "annotations" / "gold" / f"{DOC}.json"
    before = gold.read_bytes()
    fake.behaviour = Behaviour(export=an_export(fresh.text, ["/../../gold", 6]),
                               users=[{"id": 6, "email": "../../../gold@example.org"}])  # fmt: skip
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--pass", "h", "--overwrite", "--root", fresh.root)
    assert code == 0, err
    written = sorted(p.parent.name for p in fresh.new_pass_files())
    # the name's letters name its folder; the user id names the other, whatever its e-mail
    assert written == ["h-gold", "h-user6"]
    assert "h-user6 holds the annotations of" in err
    assert gold.read_bytes() == before


@pytest.mark.parametrize(
    "export", [{"a": 1}, "text", [[1]], [{"data": [], "annotations": []}]], ids=repr
)
def test_a_malformed_server_export_exits_2_naming_the_project(fake, fresh, export):
    fake.behaviour = Behaviour(export=export)
    with server_env(fake.url):
        code, err = run_main(
            "studio", "pull", "--project", "1", "--pass", "h", "--root", fresh.root
        )
    assert code == 2 and err.startswith("error: project 1, at /"), err
    assert fresh.changes() == {}


def test_a_server_export_that_is_not_json_exits_2(fake, fresh):
    fake.behaviour = Behaviour(raw_export=b'[{"id": 1, "id": 2}]')
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--project", "1", "--root", fresh.root)
    assert code == 2 and "export of project 1" in err and "twice" in err, err
    assert fresh.changes() == {}


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "count", "next", "results", "email", "task_count",
                                       "prediction_count", "description", "x"]), inner,
                      max_size=4),
    max_leaves=10,
)  # fmt: skip
ANSWERS = {
    "pull": ["GET /api/projects/", r"GET /api/projects/\d+/export", "GET /api/users/"],
    "push": ["POST /api/projects/", r"GET /api/projects/\d+/", r"POST /api/projects/\d+/import"],
}


@given(command=st.sampled_from(sorted(ANSWERS)), data=st.data())
def test_any_answer_of_a_server_exits_0_or_2(area, fake, command, data):
    """Whatever JSON the server answers a call with, the command ends with 0 or 2, never 3,
    and writes nothing outside a pass folder."""
    area.reset()
    call = data.draw(st.sampled_from(ANSWERS[command]), label="call")
    fake.behaviour = Behaviour(export=an_export(area.text, [3]),
                               bodies={call: data.draw(json_value, label="answer")})  # fmt: skip
    with server_env(fake.url):
        code, err = run_main("studio", command, "--pass" if command == "pull" else "--title",
                             "h", "--documents", DOC, "--root", area.root)  # fmt: skip
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("error: ") and "Traceback" not in err
        assert area.changes() == {}
    else:
        assert len(area.new_pass_files()) <= 1
    area.reset()


# ---------------------------------------------------------------- bounded loops


def test_endless_pagination_is_bounded(fake, fresh):
    fake.behaviour = Behaviour(
        projects=lambda n, size: {"count": 10**9, "next": "?page=more", "results": [project(n)]}
    )
    fake.requests.clear()
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--root", fresh.root)
    assert code == 2 and f"after {MAX_PAGES} pages" in err, err
    assert fake.count("GET", "/api/projects/") == MAX_PAGES
    assert fresh.changes() == {}


@pytest.mark.parametrize(
    ("pages", "listed"),
    [
        # the same page again and again: the listing ends at the first repeat
        (lambda n, size: {"count": 10**9, "next": "?page=more", "results": [project(1)]}, 2),
        # new pages for ever, but the server said 3: the listing ends at the third
        (lambda n, size: {"count": 3, "next": "?page=more", "results": [project(n)]}, 3),
        # an empty page ends it
        (lambda n, size: {"count": 9, "next": "?page=more", "results": [project(n)] * (n < 2)}, 2),
    ],
    ids=["repeat", "announced-count", "empty"],
)
def test_a_listing_ends_on_a_repeat_the_announced_count_or_an_empty_page(
    fake, fresh, pages, listed
):
    fake.behaviour = Behaviour(projects=pages, export=an_export(fresh.text, [3]))
    fake.requests.clear()
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--pass", "h", "--root", fresh.root)
    assert code == 0, err
    assert fake.count("GET", "/api/projects/") == listed
    assert len(fresh.new_pass_files()) == 1


def test_retries_are_bounded_and_only_for_reads(fake, fresh):
    fake.behaviour = Behaviour(status={r"GET /api/projects/\d+/export": 503})
    fake.requests.clear()
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--project", "1", "--root", fresh.root)
    assert code == 2 and "HTTP 503" in err and f"{fake.url}: " in err, err
    assert fake.count("GET", r"/api/projects/\d+/export") == 1 + len(RETRY_WAITS)
    fake.behaviour = Behaviour(status={r"POST /api/projects/\d+/import": 503})
    fake.requests.clear()
    with server_env(fake.url):
        code, err = run_main("studio", "push", "--documents", DOC, "--root", fresh.root)
    assert code == 2 and "task import failed (HTTP 503)" in err, err
    assert fake.count("POST", r"/api/projects/\d+/import") == 1  # never twice: tasks would double
    assert fresh.changes() == {}


def test_an_oversized_answer_is_refused(fake, fresh, monkeypatch):
    monkeypatch.setenv("SOURCETRACE_MAX_INPUT_BYTES", "1000")
    fake.behaviour = Behaviour(raw_export=b"[" + b" " * 5000 + b"]")
    with server_env(fake.url):
        code, err = run_main("studio", "pull", "--project", "1", "--root", fresh.root)
    assert code == 2 and "over 1000 bytes" in err, err
    assert fresh.changes() == {}


@pytest.mark.parametrize("command", ["pull", "push"])
def test_a_hung_server_ends_with_exit_2_naming_the_url(fresh, command):
    with silent_server() as url:
        done = run_cli(["studio", command, "--timeout", "0.5", "--root", str(fresh.root)],
                       {"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "abcdef123"})  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {url}: Label Studio ")
    assert "no answer within 0.5 s (--timeout)" in done.stderr
    assert fresh.changes() == {}


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers"])
def test_a_trickling_server_is_cut_off(fresh, headers):
    with trickling_server(every=0.05, headers=headers) as url:
        done = run_cli(
            ["studio", "pull", "--project", "1", "--timeout", "0.3", "--root", str(fresh.root)],
            {"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "abcdef123"},
        )
    assert done.returncode == 2, done.stderr
    assert "the answer took over 3 s" in done.stderr and url in done.stderr
    assert fresh.changes() == {}


@pytest.mark.parametrize("seconds", ["0", "-1", "1e9", "nan"])
def test_a_timeout_out_of_range_is_refused(fresh, seconds):
    with server_env("http://127.0.0.1:9"):
        code, err = run_main("studio", "pull", "--timeout", seconds, "--root", fresh.root)
    assert code == 2 and "--timeout" in err, err


# ---------------------------------------------------------------- the token


@pytest.fixture
def real_area(tmp_path) -> Area:
    return Area(tmp_path)


def pasted_forms(token: str) -> dict[str, str]:
    return {
        "as-is": token,
        "newline": f"{token}\n",
        "spaces": f"  {token} \t",
        "quoted": f'"{token}"',
        "inner-space": f"{token[:10]} {token[10:]}",
        "control": f"{token[:10]}\x1b{token[10:]}",
    }


USABLE = {"as-is", "newline", "spaces"}  # stripped, these are the token


def everything_written(area: Area) -> bytes:
    return b"\n".join(p.read_bytes() for p in area.base.rglob("*") if p.is_file())


@pytest.mark.parametrize("form", list(pasted_forms("x" * 20)))
def test_the_token_never_leaks_in_any_pasted_form(label_studio, real_area, form, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    token, pasted = label_studio.token, pasted_forms(label_studio.token)[form]
    reversed_token = pasted.replace(token, token[::-1])  # the same form of a wrong token
    export = real_area.export_file(an_export(real_area.text, [3]))
    runs = {}
    root = str(real_area.root)
    cases = [
        ("push", label_studio.url, pasted, ["push", "--documents", DOC, "--timeout", "20"]),
        ("pull", label_studio.url, pasted, ["pull", "--pass", "h", "--timeout", "20"]),
        ("import", label_studio.url, pasted, ["import", str(export), "--pass", "i"]),
        ("wrong-url", "http://127.0.0.1:9", pasted, ["push", "--documents", DOC]),
        ("401", label_studio.url, reversed_token, ["pull", "--pass", "h"]),
    ]
    for name, url, key, args in cases:
        with server_env(url, key):
            code, out, err = run_main_output("studio", *args, "--root", root)
            runs[name] = (code, err)
            runs[f"{name}-stdout"] = (code, out)
            try:
                pull(real_area.root, pass_name="e", project=10**6, timeout=20)
            except InputError as exc:
                runs[f"{name}-exception"] = (2, str(exc))
    printed = capsys.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    texts = [text for _, text in runs.values()] + [printed.out, printed.err, logged]
    for secret in {token, token[::-1], pasted, reversed_token, pasted.strip()}:
        assert not any(secret in text for text in texts), form
        assert secret.encode() not in everything_written(real_area), form
    codes = {name: code for name, (code, _) in runs.items()}
    if form in USABLE:
        assert (codes["push"], codes["pull"], codes["import"]) == (0, 0, 0), runs
        assert "pushed 1 task(s)" in runs["push-stdout"][1]  # stdout was read too
        assert "401" in runs["401"][1] and "http://127.0.0.1:9: " in runs["wrong-url"][1]
    else:
        assert codes["import"] == 0  # a file needs no token
        refused = [name for name in ("push", "pull", "wrong-url", "401")]
        assert all(codes[n] == 2 and "holds characters" in runs[n][1] for n in refused), runs


def test_a_token_pasted_with_a_newline_works_and_never_shows_in_a_process(label_studio, real_area):
    """The reported case, in a process of its own (whatever a library prints is seen)."""
    done = run_cli(
        ["studio", "push", "--documents", DOC, "--root", str(real_area.root)],
        {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": f"{label_studio.token}\n"},
    )
    assert done.returncode == 0 and "pushed 1 task(s)" in done.stdout, done.stderr
    assert label_studio.token not in done.stdout + done.stderr


# ---------------------------------------------------------------- a real server


def test_hostile_user_emails_on_a_real_server_stay_in_the_pass_folder(label_studio, real_area):
    """Label Studio accepts quoted local parts, so an e-mail can read `"../../gold"`."""
    from label_studio_sdk import LabelStudio

    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    emails = ['"../../gold"@example.com', '"/../..//gold"@example.org',
              '"/../../../../../../../../../../tmp/x"@example.com']  # fmt: skip
    users = [ls.users.create(email=e, username=e[:30]) for e in emails]
    assert [u.email for u in users] == emails  # the server kept them as they are
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    with mock.patch.dict(os.environ, env):
        code, err = run_main("studio", "push", "--documents", DOC, "--root", real_area.root)
        assert code == 0, err
    projects = [p for p in ls.projects.list() if "sourcetrace-studio-push" in (p.description or "")]
    made = max(p.id for p in projects)
    (task,) = list(ls.tasks.list(project=made))
    (prediction,) = list(ls.predictions.list(task=task.id))
    for user in users:
        ls.annotations.create(id=task.id, result=prediction.result, completed_by=user.id)
    gold = real_area.root / "annotations" / "gold" / f"{DOC}.json"
    before = gold.read_bytes()
    with mock.patch.dict(os.environ, env):
        code, err = run_main("studio", "pull", "--project", str(made), "--pass", "h",
                             "--overwrite", "--root", real_area.root)  # fmt: skip
    assert code == 0, err
    written = {p.parent.name: p for p in real_area.new_pass_files()}
    # an e-mail never becomes a path: each user's folder is named by the server's user id
    assert sorted(written) == sorted(f"h-user{u.id}" for u in users)
    content = json.loads(before)
    for path in written.values():  # the gold, accepted as it was: its content, in its key order
        assert path.read_text(encoding="utf-8") == dumps_pretty(content)
    assert gold.read_bytes() == before
