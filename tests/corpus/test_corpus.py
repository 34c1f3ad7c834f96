"""corpus build / verify / info / diff on a scratch copy of the checkout."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from checkout import add_gold, bump_version, make_checkout
from sourcetrace.cli.main import main
from sourcetrace.corpus.build import (
    MadeFile,
    build,
    load_source,
    read_version,
    render_outputs,
    render_release,
    verify,
)

from gold_factory import ROOT, gold_st000, seed_text

SEED_SHA256 = {
    "000_f177e68c088a574d.txt": "fc18bd21044017476991e9ff4d8a1e2049d629a8fbabf19981308e866e0d5846",
    "001_786c1e66ba051203.txt": "e3f56121d941883a421a17ecf0a5d968b3a0802d1f1e233b069ce57d7d7edc5a",
    "002_413ed72e5346771d.txt": "9da7f6508a31139b522f3c95cba55f676ea3e9b902ac02d4607ce234c81b4fc1",
    "003_5c0d1201479ab30b.txt": "067c990a1b44c19ae28c3cdf8bf8a68adedfd47ca2bad3ad0857ba6e7faa0144",
    "004_11b5638fcde7cb3d.txt": "80e2254eafca9184be6a4bdb2ff5237dbfd2014dbf6f19249d3dc9cdf9fdc29a",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = make_checkout(tmp_path / "repo")
    build(root)
    return root


def test_seeds_are_byte_identical_to_the_shared_seeds():
    files = sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert files == sorted(SEED_SHA256)
    for name, digest in SEED_SHA256.items():
        assert hashlib.sha256((ROOT / "seeds" / name).read_bytes()).hexdigest() == digest
    shared = ROOT.parent / "shared" / "seeds"
    if shared.is_dir():
        for name in SEED_SHA256:
            assert (shared / name).read_bytes() == (ROOT / "seeds" / name).read_bytes()


def test_committed_corpus_is_what_build_makes_from_committed_sources(tmp_path):
    # verify rebuilds in memory and compares every output byte for byte
    assert verify(ROOT) == []
    fresh = make_checkout(tmp_path / "fresh", shipped=True)
    build(fresh)
    committed = {k: v for k, v in snapshot(ROOT / "corpus").items()}
    assert snapshot(fresh / "corpus") == committed


def test_two_builds_are_byte_identical(tmp_path):
    a = make_checkout(tmp_path / "a")
    b = make_checkout(tmp_path / "b")
    add_gold(a)
    add_gold(b)
    build(a)
    build(b)
    assert snapshot(a / "corpus") == snapshot(b / "corpus")
    second = build(a)
    assert second.written == [] and second.removed == []


@pytest.mark.parametrize("gold_of", ["every document", "no document", "every other document"])
def test_the_release_made_document_by_document_is_the_release_made_in_memory(tmp_path, gold_of):
    # the shipped sources (gold, links, agreement), or some of their gold without the links
    # (whose clusters live in the gold): the staged files and their MANIFEST figures are the
    # bytes that the whole sources loaded in memory render
    root = make_checkout(tmp_path / "repo", shipped=True)
    if gold_of != "every document":
        (root / "annotations" / "links.json").unlink()
        for index, path in enumerate(sorted((root / "annotations" / "gold").glob("*.json"))):
            if gold_of == "no document" or index % 2:
                path.unlink()
    staging = tmp_path / "staging"
    staging.mkdir()
    made = render_release(root, staging)
    source = load_source(root)
    expected = render_outputs(source)
    texts_read = {d["doc_id"]: d["text"].encode("utf-8") for d in source.documents}
    assert made.text_sha256 == {i: hashlib.sha256(t).hexdigest() for i, t in texts_read.items()}
    assert list(made.files) == list(expected)  # the order a build writes them in
    staged = {rel: (staging / rel).read_bytes() for rel in made.files if rel.startswith("data/")}
    texts = {rel: text.encode("utf-8") for rel, text in made.texts.items()}
    assert staged | texts == {rel: text.encode("utf-8") for rel, text in expected.items()}
    for rel, text in expected.items():
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        assert made.files[rel] == MadeFile(digest, len(data), data.count(b"\n")), rel
    assert sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*.jsonl")) == sorted(
        rel for rel in expected if rel.startswith("data/")
    )


def test_build_rejects_gold_that_carries_its_text_under_another_doc_ids_file_name(checkout, capsys):
    # with its own text the annotation validates without the seed text of the file's name
    before = snapshot(checkout / "corpus")
    gold = gold_st000(checkout) | {"text": seed_text("st-000", checkout)}
    (checkout / "annotations" / "gold" / "st-001.json").write_text(json.dumps(gold))
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "annotations/gold/st-001.json, at /doc_id" in err
    assert "file name does not match doc_id 'st-000'" in err
    assert snapshot(checkout / "corpus") == before
    assert main(["corpus", "verify", "--root", str(checkout)]) == 1
    assert "file name does not match doc_id 'st-000'" in capsys.readouterr().err


def test_build_refuses_gold_of_no_document_and_leaves_no_staging_folder(checkout, capsys):
    before = snapshot(checkout / "corpus")
    gold = gold_st000(checkout)
    gold["doc_id"] = "st-999"
    (checkout / "annotations" / "gold" / "st-999.json").write_text(json.dumps(gold))
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "annotations/gold/st-999.json" in err and "unknown doc_id 'st-999'" in err
    assert snapshot(checkout / "corpus") == before
    assert not list(checkout.glob(".corpus.build-*"))


def test_build_refuses_a_doc_id_twice_in_the_metadata(checkout, capsys):
    before = snapshot(checkout / "corpus")
    path = checkout / "annotations" / "documents.json"
    documents = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps([*documents, documents[0]], indent=1), encoding="utf-8")
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "annotations/documents.json" in err
    assert f"duplicate doc_id {documents[0]['doc_id']!r}" in err
    assert snapshot(checkout / "corpus") == before
    assert not list(checkout.glob(".corpus.build-*"))


def test_manifest_binds_every_data_file_and_text(checkout):
    manifest = json.loads((checkout / "corpus" / "MANIFEST.json").read_text())
    assert manifest["version"] == "0.1.0"
    for rel, entry in manifest["files"].items():
        data = (checkout / "corpus" / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    rows = [
        json.loads(line)
        for line in (checkout / "corpus" / "data" / "documents.jsonl").read_text().splitlines()
    ]
    assert [r["doc_id"] for r in rows] == [f"st-00{i}" for i in range(5)]
    for row in rows:
        assert (
            manifest["documents"][row["doc_id"]]["text_sha256"]
            == hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
        )
        assert SEED_SHA256[row["seed_file"]] == hashlib.sha256(row["text"].encode()).hexdigest()


def test_any_changed_byte_in_data_makes_verify_exit_1_naming_the_file(checkout, capsys):
    data = checkout / "corpus" / "data" / "documents.jsonl"
    raw = bytearray(data.read_bytes())
    raw[100] = ord("X") if raw[100] != ord("X") else ord("Y")
    data.write_bytes(bytes(raw))
    assert main(["corpus", "verify", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "corpus/data/documents.jsonl" in err and "sha256 differs" in err


def test_verify_names_a_changed_seed(checkout, capsys):
    seed = checkout / "seeds" / "002_413ed72e5346771d.txt"
    seed.chmod(0o644)
    seed.write_bytes(seed.read_bytes().replace(b"Russia", b"Russla", 1))
    assert main(["corpus", "verify", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "seeds/002_413ed72e5346771d.txt" in err
    assert "changed since the build" in err


def test_verify_names_gold_bound_to_another_text(checkout, capsys):
    gold = gold_st000(checkout)
    gold["text_sha256"] = "0" * 64
    (checkout / "annotations" / "gold" / "st-000.json").write_text(json.dumps(gold))
    assert main(["corpus", "verify", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "annotations/gold/st-000.json" in err and "text_sha256" in err


def test_verify_says_the_build_is_older_than_its_sources(checkout, capsys):
    add_gold(checkout)
    assert main(["corpus", "verify", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "annotations/gold/st-000.json: added since the build" in err


def test_build_refuses_to_change_data_under_the_same_version(checkout, capsys):
    before = snapshot(checkout / "corpus")
    add_gold(checkout)
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "version stays 0.1.0" in err and "CHANGELOG.md" in err
    assert snapshot(checkout / "corpus") == before
    bump_version(checkout, "0.2.0", "gold for st-000")
    assert main(["corpus", "build", "--root", str(checkout)]) == 0
    assert json.loads((checkout / "corpus" / "MANIFEST.json").read_text())["version"] == "0.2.0"
    assert verify(checkout) == []
    assert (checkout / "corpus" / "data" / "entities.jsonl").read_text().count("\n") == 2


def test_build_rejects_gold_whose_file_name_is_not_its_doc_id(checkout, capsys):
    gold = gold_st000(checkout)
    (checkout / "annotations" / "gold" / "st-001.json").write_text(json.dumps(gold))
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    assert "annotations/gold/st-000.json" in capsys.readouterr().err


def test_info_counts_per_layer_and_document(checkout, capsys):
    bump_version(checkout, "0.2.0", "gold for st-000")
    add_gold(checkout)
    build(checkout)
    assert main(["corpus", "info", "--corpus", str(checkout / "corpus"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == "0.2.0"
    assert data["totals"] == {
        "documents": 5,
        "annotated": 1,
        "entities": 2,
        "claims": 1,
        "attributions": 1,
        "provenance": 0,  # the gold of add_gold has no provenance: none
    }
    first = data["documents"][0]
    assert (first["doc_id"], first["annotated"], first["entities"]) == ("st-000", True, 2)
    assert first["characters"] == 2173  # len of seed 000 in code points (= bytes: ASCII only)


def test_info_table_shows_version_and_every_document(capsys):
    shipped = json.loads((ROOT / "corpus" / "MANIFEST.json").read_text())["version"]
    assert main(["corpus", "info"]) == 0
    out = capsys.readouterr().out
    assert f"sourcetrace corpus {shipped}" in out
    for i in range(5):
        assert f"st-00{i}" in out


def test_diff_lists_added_removed_and_changed(tmp_path, capsys):
    old = make_checkout(tmp_path / "old")
    build(old)
    new = make_checkout(tmp_path / "new")
    gold = add_gold(new)
    bump_version(new, "0.2.0", "gold for st-000")
    meta_path = new / "annotations" / "documents.json"
    meta = json.loads(meta_path.read_text())
    meta[4]["author"] = "Someone"
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    build(new)
    assert (
        main(["corpus", "diff", str(old / "corpus"), str(new / "corpus"), "--format", "json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert (result["old_version"], result["new_version"]) == ("0.1.0", "0.2.0")
    assert result["documents"]["added"] == [] and result["documents"]["removed"] == []
    assert result["documents"]["metadata_changed"] == {
        "st-000": ["annotated"],
        "st-004": ["author"],
    }
    assert result["layers"]["entities"] == {
        "st-000": {"added": ["e1", "e2"], "removed": [], "changed": []}
    }
    # the reverse direction reports removals
    assert (
        main(["corpus", "diff", str(new / "corpus"), str(old / "corpus"), "--format", "json"]) == 0
    )
    back = json.loads(capsys.readouterr().out)
    assert back["layers"]["claims"]["st-000"]["removed"] == [c["id"] for c in gold["claims"]]


@pytest.mark.parametrize("content", ["[]", "[{}, {}]"])
def test_a_gold_file_must_hold_exactly_one_annotation(checkout, capsys, content):
    before = snapshot(checkout / "corpus")
    (checkout / "annotations" / "gold" / "st-000.json").write_text(content)
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "annotations/gold/st-000.json" in err
    assert "exactly one gold annotation object per file" in err
    assert snapshot(checkout / "corpus") == before


def test_one_corpus_wide_entity_id_has_one_type(checkout, capsys):
    from gold_factory import story_gold_st001

    add_gold(checkout)  # st-000: financial-times is an ORG
    other = story_gold_st001()
    other.pop("text", None)
    other["entities"][0]["type"] = "PERSON"  # the same entity id, another type in st-001
    (checkout / "annotations" / "gold" / "st-001.json").write_text(json.dumps(other))
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "annotations/gold/st-001.json, at /entities/0/type" in err
    assert "entity 'financial-times' is PERSON here but ORG in st-000 at /entities/0" in err


def test_verify_checks_a_copied_corpus_folder_on_its_own(tmp_path, capsys):
    copy = tmp_path / "downloaded" / "corpus"
    shutil.copytree(ROOT / "corpus", copy)
    shipped = json.loads((copy / "MANIFEST.json").read_text())["version"]
    assert main(["corpus", "verify", "--corpus", str(copy)]) == 0
    assert f"corpus {shipped} verified" in capsys.readouterr().out
    # a forger who edits a text and fixes the file hash in the manifest is still caught:
    # the document's text no longer hashes to its text_sha256, nor the data to data_sha256
    data = copy / "data" / "documents.jsonl"
    data.write_text(data.read_text().replace("Bakhmut", "Bakhmat", 1))
    manifest = json.loads((copy / "MANIFEST.json").read_text())
    manifest["files"]["data/documents.jsonl"]["sha256"] = hashlib.sha256(
        data.read_bytes()
    ).hexdigest()
    (copy / "MANIFEST.json").write_text(json.dumps(manifest))
    assert main(["corpus", "verify", "--corpus", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "MANIFEST.json: data_sha256 does not match the data files" in err


def test_the_editable_metadata_file_validates_with_texts_from_the_seeds(
    checkout, capsys, monkeypatch
):
    monkeypatch.chdir(checkout)
    meta = checkout / "annotations" / "documents.json"
    assert main(["validate", str(meta)]) == 0
    assert "valid document (json, 5 record(s))" in capsys.readouterr().out
    records = json.loads(meta.read_text())
    records[2]["zones"][0]["end"] += 1  # now the zone ends on white space or overlaps the next
    meta.write_text(json.dumps(records, indent=2, ensure_ascii=False))
    lines = meta.read_text().splitlines()
    starts = [n for n, text in enumerate(lines, 1) if text == "  {"]
    # the zones of the third record are the objects opened at indent 6 below its start
    zones = [n for n, text in enumerate(lines, 1) if text == "      {" and n > starts[2]]
    assert main(["validate", str(meta)]) == 2
    err = capsys.readouterr().err
    # the fault is named at the line of the zone after the grown one (issue 25: not at the
    # record's first line), and that zone overlaps it
    assert f"annotations/documents.json, line {zones[1]}, at /zones/1: zone" in err
    assert "overlaps or precedes the previous zone" in err


def test_validate_refuses_one_entity_id_with_two_types_in_a_document(tmp_path, capsys):
    gold = gold_st000()
    gold["entities"][1]["entity"] = gold["entities"][0]["entity"]  # GPE joins the ORG's id
    path = tmp_path / "st-000.json"
    path.write_text(json.dumps(gold))
    assert main(["validate", str(path)]) == 2
    assert (
        "at /entities/1/type: entity 'financial-times' is GPE here but ORG at /entities/0"
        in capsys.readouterr().err
    )


def test_a_version_never_moves_back(checkout, capsys):
    # the hardening review deleted the newest CHANGELOG heading and rebuilt: other data were
    # published under the older version
    bump_version(checkout, "0.2.0", "gold for st-000")
    add_gold(checkout)
    build(checkout)
    changelog = checkout / "corpus" / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## 0.2.0", "### was 0.2.0"), encoding="utf-8")
    before = snapshot(checkout / "corpus")
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "move back from 0.2.0 to 0.1.0" in err
    assert snapshot(checkout / "corpus") == before


def test_a_changelog_entry_above_the_title_is_the_version_and_the_next_goes_above_it(
    checkout, capsys
):
    """An entry written at the very top of the file (before its title) is the newest version
    for the build, and a bump through the library lands above it, where the build reads."""
    changelog = checkout / "corpus" / "CHANGELOG.md"
    changelog.write_text("## 0.2.0 - why\n\n" + changelog.read_text("utf-8"), encoding="utf-8")
    add_gold(checkout)
    assert read_version(changelog) == "0.2.0"
    assert build(checkout).version == "0.2.0"
    bump_version(checkout, "0.3.0", "one entity fewer")
    assert read_version(changelog) == "0.3.0"
    assert changelog.read_text("utf-8").startswith("## 0.3.0 - one entity fewer\n")
    gold_file = checkout / "annotations" / "gold" / "st-000.json"
    gold = json.loads(gold_file.read_text("utf-8"))
    used = json.dumps([gold["claims"], gold["attributions"]])
    dropped = next(e for e in gold["entities"] if f'"{e["id"]}"' not in used)
    gold["entities"].remove(dropped)
    gold_file.write_text(json.dumps(gold), encoding="utf-8")  # no trailing newline
    assert main(["corpus", "build", "--root", str(checkout)]) == 0, capsys.readouterr().err
    manifest = json.loads((checkout / "corpus" / "MANIFEST.json").read_text("utf-8"))
    assert manifest["version"] == "0.3.0"


def test_a_changelog_heading_higher_than_the_first_is_refused_naming_its_line(checkout, capsys):
    """Written below an older entry, a new version would not be the first heading; the build
    says where it is instead of reading another version than the one meant."""
    changelog = checkout / "corpus" / "CHANGELOG.md"
    text = changelog.read_text("utf-8")
    changelog.write_text(text + "\n## 0.2.0 - added at the bottom\n", encoding="utf-8")
    line = changelog.read_text("utf-8").splitlines().index("## 0.2.0 - added at the bottom") + 1
    add_gold(checkout)
    before = snapshot(checkout / "corpus")
    assert main(["corpus", "build", "--root", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert f"line {line} holds version 0.2.0, higher than the first heading 0.1.0" in err
    assert "CHANGELOG.md" in err and "Traceback" not in err
    assert snapshot(checkout / "corpus") == before
