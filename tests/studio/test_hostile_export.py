"""`studio import` of hostile exports: names never become paths, shapes never crash.

Every test hashes the whole folder around the checkout copy (the copy and its siblings)
before and after, and allows exactly the new pass files it expects.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pytest
from hostile_area import (
    DOC,
    Area,
    accepted,
    an_export,
    assert_empty_annotation,
    hostile_text,
    hostile_value,
    run_main,
    tree,
)
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO
from sourcetrace.jsonio import dumps_pretty
from sourcetrace.studio.convert import to_result

GOLD_FILE = REPO / "annotations" / "gold" / f"{DOC}.json"


# ---------------------------------------------------------------- the reported findings


@pytest.mark.parametrize("who", ["/../../gold", {"id": "/../../gold"}, "../gold", "..\\..\\gold"])
def test_path_traversal_in_completed_by_never_reaches_gold(studio_cli, fresh, who):
    gold_before = (fresh.root / "annotations" / "gold" / f"{DOC}.json").read_bytes()
    path = fresh.export_file(an_export(fresh.text, [who]))
    done = studio_cli("studio", "import", path, "--pass", "h", "--overwrite", "--root", fresh.root)
    assert done.code == 0, done.err
    (written,) = fresh.new_pass_files()
    assert written == fresh.passes / "h-gold" / f"{DOC}.json"
    assert_empty_annotation(written, fresh.text)
    assert (fresh.root / "annotations" / "gold" / f"{DOC}.json").read_bytes() == gold_before


def test_path_traversal_to_an_absolute_folder_writes_nothing_outside(studio_cli, fresh):
    target = fresh.base / "outside"
    who = "/" + "../" * 40 + str(target).lstrip("/")
    path = fresh.export_file(an_export(fresh.text, [who, {"id": who}]))
    done = studio_cli("studio", "import", path, "--pass", "h", "--root", fresh.root)
    # the string and the id are one annotator: two annotations of it are refused, never merged
    assert done.code == 2 and "never merged" in done.err
    assert fresh.changes() == {}
    path = fresh.export_file(an_export(fresh.text, [who]))
    done = studio_cli("studio", "import", path, "--pass", "h", "--root", fresh.root)
    assert done.code == 0, done.err
    (written,) = fresh.new_pass_files()
    assert not any(target.iterdir())
    # the folder name keeps the letters of the path, cut to the bound with a hash at the end
    assert re.fullmatch(r"h-[a-z0-9-]{1,31}-[0-9a-f]{8}", written.parent.name), written


CB = "/0/annotations/0/completed_by"


def result_of(item: Any) -> Any:
    return lambda t: t["annotations"][0].update(result=[item])


@pytest.mark.parametrize(
    ("break_it", "pointer"),
    [
        (lambda t: t.update(annotations={"a": 1}), "/0/annotations"),
        (lambda t: t.update(data=[1]), "/0/data"),
        (lambda t: t["annotations"][0].update(completed_by=["a"]), CB),
        (lambda t: t["annotations"][0].update(completed_by={"id": [1]}), CB),
        (lambda t: t["annotations"][0].update(completed_by=1.5), CB),
        (lambda t: t["annotations"][0].update(completed_by=True), CB),
        (lambda t: t["data"].update(doc_id=["st-000"]), "/0/data/doc_id"),
        (lambda t: t["annotations"].append("x"), "/0/annotations/1"),
        (lambda t: t["annotations"][0].update(result={"x": 1}), "/0/annotations/0/result"),
        (result_of({"type": "labels", "value": [1]}),
         "/0/annotations/0/result/0/value"),
        (result_of({"type": "relation", "from_id": ["a"]}),
         "/0/annotations/0/result/0/from_id"),
        (result_of({"type": "labels", "value": {"labels": {"a": 1}}}),
         "/0/annotations/0/result/0/value/labels"),
    ],
)  # fmt: skip
def test_malformed_export_shapes_exit_2_naming_the_pointer(studio_cli, fresh, break_it, pointer):
    export = an_export(fresh.text, [3])
    break_it(export[0])
    path = fresh.export_file(export)
    done = studio_cli("studio", "import", path, "--pass", "h", "--root", fresh.root)
    assert done.code == 2, done.err
    assert done.err.startswith(f"error: {path}, at {pointer}: ")
    assert "Traceback" not in done.err and len(done.err.strip().splitlines()) == 1
    assert fresh.changes() == {}


def test_annotator_name_collisions_get_distinct_folders_and_are_reported(studio_cli, fresh):
    # three different annotators whose names all read "ann-lee" in the safe alphabet (a user
    # id would name the folder user<id> whatever the e-mail, so the third has no id)
    who = ["Ann/Lee", "ann lee", {"email": "ANN.LEE@example.org"}]
    folders = []
    for order in (who, who[::-1]):
        fresh.reset()
        path = fresh.export_file(an_export(fresh.text, order))
        done = studio_cli("studio", "import", path, "--pass", "h", "--root", fresh.root)
        assert done.code == 0, done.err
        made = sorted(p.parent.name for p in fresh.new_pass_files())
        assert len(made) == 3 and all(re.fullmatch(r"h-ann-lee-[0-9a-f]{8}", m) for m in made)
        (note,) = [line for line in done.err.splitlines() if line.startswith("note:")]
        assert "3 different annotators" in note and "'ann-lee'" in note
        assert '"Ann/Lee"' in note and '"ann lee"' in note and '"ANN.LEE@example.org"' in note
        folders.append(made)
    assert folders[0] == folders[1]  # the same names whatever the order of the export


@pytest.mark.parametrize("linked", ["folder", "file", "folder-outside"])
def test_a_pass_folder_or_file_linked_elsewhere_is_refused(studio_cli, fresh, linked):
    gold = fresh.root / "annotations" / "gold"
    folder = fresh.passes / "h-user3"
    if linked == "folder":
        folder.symlink_to(gold, target_is_directory=True)
    elif linked == "folder-outside":
        folder.symlink_to(fresh.base / "outside", target_is_directory=True)
    else:
        folder.mkdir()
        (folder / f"{DOC}.json").symlink_to(gold / f"{DOC}.json")
    try:
        fresh.clean = tree(fresh.base)
        path = fresh.export_file(an_export(fresh.text, [3]))
        done = studio_cli(
            "studio", "import", path, "--pass", "h", "--overwrite", "--root", fresh.root
        )
        assert done.code == 2 and "outside its pass folder" in done.err
        assert fresh.changes() == {}
    finally:
        if folder.is_symlink():
            folder.unlink()
        else:
            shutil.rmtree(folder)
        fresh.clean = tree(fresh.base)


# ---------------------------------------------------------------- property tests


@given(who=hostile_value)
def test_hostile_annotator_names_stay_in_the_pass_folder(area, who):
    area.reset()
    path = area.export_file(an_export(area.text, [who]))
    code, err = run_main(
        "studio", "import", path, "--pass", "h", "--overwrite", "--root", area.root
    )
    if accepted(who):
        assert code == 0
        (written,) = area.new_pass_files()
        assert_empty_annotation(written, area.text)
    else:
        assert code == 2 and err.startswith(f"error: {path}, at /0/annotations/0/completed_by: ")
        assert area.changes() == {}
    area.reset()


@given(names=st.lists(hostile_text, min_size=2, max_size=4, unique=True))
def test_different_annotators_never_share_a_folder(area, names):
    area.reset()
    path = area.export_file(an_export(area.text, names))
    code, err = run_main("studio", "import", path, "--pass", "h", "--root", area.root)
    assert code == 0, err
    written = area.new_pass_files()
    assert len({p.parent for p in written}) == len(names)
    area.reset()


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip


def gold_export(area: Area) -> list[Any]:
    """A real export: the gold of st-000 as an annotator's result."""
    result = to_result(json.loads(GOLD_FILE.read_text("utf-8")))
    return an_export(area.text, [3], result)


def places(export: list[Any]) -> list[tuple[Any, ...]]:
    """Pointers into the export where a wrong value could do harm."""
    result = export[0]["annotations"][0]["result"]
    found: list[tuple[Any, ...]] = [(), (0,), (0, "data"), (0, "data", "doc_id"),
                                    (0, "data", "text"), (0, "annotations"),
                                    (0, "annotations", 0), (0, "annotations", 0, "result"),
                                    (0, "annotations", 0, "completed_by"), (0, "id")]  # fmt: skip
    for k, item in enumerate(result):
        at = (0, "annotations", 0, "result", k)
        found += [at] + [(*at, key) for key in item]
        found += [(*at, "value", key) for key in item.get("value", {})]
    return found


def put(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return new
    value[at[0]] = put(value[at[0]], at[1:], new)
    return value


@given(data=st.data())
def test_malformed_exports_never_crash_and_never_write_outside(area, data):
    area.reset()
    export = gold_export(area)
    at = data.draw(st.sampled_from(places(export)), label="pointer")
    export = put(export, at, data.draw(json_value, label="value"))
    path = area.export_file(export)
    code, err = run_main(
        "studio", "import", path, "--pass", "h", "--overwrite", "--root", area.root
    )
    assert code in (0, 2), err
    if code == 0:
        assert len(area.new_pass_files()) <= 1
    else:
        assert str(path) in err and "Traceback" not in err
        assert area.changes() == {}
    area.reset()


def test_the_gold_export_imports_as_the_gold(studio_cli, fresh):
    """The base of the property above is valid: unchanged, it gives back the gold."""
    path = fresh.export_file(gold_export(fresh))
    done = studio_cli("studio", "import", path, "--pass", "h", "--root", fresh.root)
    assert done.code == 0, done.err
    (written,) = fresh.new_pass_files()
    content = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    assert json.loads(written.read_text(encoding="utf-8")) == content
    assert written.read_text(encoding="utf-8") == dumps_pretty(content)  # key order kept too
