"""Loading with Hugging Face `datasets`: offline, fresh cache, exactly the declared features;
the same DatasetDict from an installed wheel as from the checkout; story-grouped folds."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.corpus.dataset import config_features
from sourcetrace.errors import InputError

from gold_factory import ROOT

LOAD_AND_DESCRIBE = textwrap.dedent("""
    import hashlib, json, sys
    import datasets
    mode, corpus = sys.argv[1], sys.argv[2]
    if mode == "load_dataset":
        dd = datasets.load_dataset(corpus)
    else:
        import sourcetrace
        dd = sourcetrace.load()
    ds = dd["test"]
    print(json.dumps({
        "splits": sorted(dd.keys()),
        "rows": ds.num_rows,
        "features": ds.features.to_dict(),
        "doc_ids": list(ds["doc_id"]),
        "text_sha256": [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in ds["text"]],
        "published": [str(d) if d else None for d in ds["published"]],
        "zone_kinds": [[z["kind"] for z in zones] for zones in ds["zones"]],
        "module": __import__("sourcetrace").__file__ if mode != "load_dataset" else None,
    }))
""")


def offline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "SOURCETRACE_"))}
    env.update(
        HF_DATASETS_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        HF_HOME=str(tmp_path / "hf-home"),
        HF_DATASETS_CACHE=str(tmp_path / "hf-cache"),
        **extra,
    )
    return env


def run_loader(mode: str, env: dict[str, str], cwd: Path, pythonpath: str | None = None) -> dict:
    if pythonpath is not None:
        env = {**env, "PYTHONPATH": pythonpath}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_DESCRIBE, mode, str(ROOT / "corpus")],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("hf")
    return run_loader("load_dataset", offline_env(tmp), cwd=tmp)


def test_load_dataset_offline_in_a_fresh_cache_gives_the_declared_features(loaded):
    manifest = json.loads((ROOT / "corpus" / "MANIFEST.json").read_text())
    assert loaded["splits"] == ["test"]
    assert loaded["rows"] == 5
    assert loaded["features"] == config_features()["documents"].to_dict()
    assert loaded["doc_ids"] == sorted(manifest["documents"])
    assert loaded["text_sha256"] == [
        manifest["documents"][d]["text_sha256"] for d in loaded["doc_ids"]
    ]


def test_dates_and_class_labels_survive_loading(loaded):
    rows = [
        json.loads(line)
        for line in (ROOT / "corpus" / "data" / "documents.jsonl").read_text().splitlines()
    ]
    # date32 keeps the ISO date (undeclared date strings would be rewritten by pyarrow)
    assert loaded["published"] == [r["published"] for r in rows]
    kinds = config_features()["documents"]["zones"].feature["kind"]
    assert loaded["zone_kinds"] == [[kinds.str2int(z["kind"]) for z in r["zones"]] for r in rows]


def test_features_come_from_labels_json():
    labels = json.loads((ROOT / "schema" / "labels.json").read_text())
    documents = config_features()["documents"]
    assert documents["date_source"].names == list(labels["date_sources"])
    assert documents["zones"].feature["kind"].names == list(labels["zone_kinds"])
    assert documents["entities"].feature["type"].names == list(labels["entity_types"])
    assert documents["entities"].feature["mention"].names == list(labels["mention_kinds"])
    assert documents["claims"].feature["polarity"].names == list(labels["claim_polarity"])
    assert documents["claims"].feature["certainty"].names == list(labels["claim_certainty"])
    assert documents["attributions"].feature["type"].names == list(labels["attribution_types"])
    assert documents["attributions"].feature["content_type"].names == list(
        labels["attribution_content_types"]
    )
    assert config_features()["links"]["relation"].names == list(labels["link_relations"])


def test_installed_wheel_loads_the_same_dataset_as_the_checkout(tmp_path, loaded):
    dist = tmp_path / "dist"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(dist.glob("sourcetrace-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "sourcetrace/_data/corpus/data/documents.jsonl" in names
        assert "sourcetrace/_data/schema/labels.json" in names
        archive.extractall(site)  # a pure-Python wheel installs by unpacking
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from_wheel = run_loader(
        "sourcetrace.load", offline_env(tmp_path), cwd=elsewhere, pythonpath=str(site)
    )
    assert from_wheel["module"].startswith(str(site))
    for key in ("splits", "rows", "features", "doc_ids", "text_sha256", "published", "zone_kinds"):
        assert from_wheel[key] == loaded[key], key


def test_folds_never_cut_a_story():
    documents = [
        json.loads(line)
        for line in (ROOT / "corpus" / "data" / "documents.jsonl").read_text().splitlines()
    ]
    story = {d["doc_id"]: d["story_id"] for d in documents}
    folds = sourcetrace.folds(3)
    assert len(folds) == 3
    tested = [doc for fold in folds for doc in fold.test]
    assert sorted(tested) == sorted(story)  # each document is tested exactly once
    for fold in folds:
        assert set(fold.train).isdisjoint(fold.test)
        assert {story[d] for d in fold.train}.isdisjoint({story[d] for d in fold.test})
    # the three retellings of the FT story always travel together
    ft = {"st-000", "st-001", "st-003"}
    assert any(ft <= set(fold.test) for fold in folds)


@pytest.mark.parametrize("k", [1, 4, 5])
def test_folds_refuse_k_outside_two_to_the_number_of_stories(k):
    with pytest.raises(ValueError, match="number of stories"):
        sourcetrace.folds(k)


def test_manifest_text_hashes_match_the_seed_bytes():
    manifest = json.loads((ROOT / "corpus" / "MANIFEST.json").read_text())
    for entry in manifest["documents"].values():
        data = (ROOT / "seeds" / entry["seed_file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["text_sha256"]


LOAD_CONFIGS = textwrap.dedent("""
    import json, sys
    import datasets
    corpus = sys.argv[1]
    out = {}
    for config in ("documents", "entities", "claims", "attributions", "links"):
        ds = datasets.load_dataset(corpus, config)["test"]
        out[config] = {"rows": ds.num_rows, "features": ds.features.to_dict(),
                       "first": {k: v for k, v in ds[0].items() if k != "text"}}
    print(json.dumps(out, default=str))
""")


def load_configs(corpus: Path, tmp_path: Path) -> dict:
    """Every config of a corpus folder loaded with `datasets` in a fresh offline process."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_CONFIGS, str(corpus)],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_per_layer_configs_load_with_their_declared_features(tmp_path):
    from checkout import bump_version, make_checkout
    from sourcetrace.corpus.build import build

    from gold_factory import story_gold

    root = make_checkout(tmp_path / "repo")
    gold = story_gold(with_text=False)
    for record in gold:
        (root / "annotations" / "gold" / f"{record['doc_id']}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )
    first_two = sorted({c["cluster"] for r in gold for c in r["claims"]})[:2]
    links = {"relations": [{"from": first_two[0], "to": first_two[1], "relation": "distorts"}]}
    (root / "annotations" / "links.json").write_text(json.dumps(links), encoding="utf-8")
    bump_version(root, "0.2.0", "story gold")
    build(root)
    loaded = load_configs(root / "corpus", tmp_path)
    features = config_features()
    for layer in ("entities", "claims", "attributions"):
        # one row per item of every gold file, nothing lost or added
        assert loaded[layer]["rows"] == sum(len(r[layer]) for r in gold)
        assert loaded[layer]["features"] == features[layer].to_dict()
    assert loaded["documents"]["rows"] == 5
    assert loaded["links"]["rows"] == 1
    assert loaded["links"]["first"]["relation"] == features["links"]["relation"].str2int("distorts")
    # a mention-id source keeps its id; the span fields it lacks come back as null
    first = loaded["attributions"]["first"]
    assert (
        first["doc_id"] == "st-000"
        and first["source"]["mention"] == gold[0]["attributions"][0]["source"]["mention"]
    )
    assert first["source"]["start"] is None


@pytest.mark.parametrize("config", sorted(config_features()))
def test_load_gives_what_load_dataset_gives_from_the_rows_it_verified(tmp_path, config):
    # load() builds the Dataset from the rows its MANIFEST check read, never reading the folder
    # again; it must equal what `datasets` makes of the same folder
    import datasets

    corpus = ROOT / "corpus"
    reference = datasets.load_dataset(str(corpus), config, cache_dir=str(tmp_path))["test"]
    loaded = sourcetrace.load(config)["test"]
    assert loaded.features == reference.features == config_features()[config]
    assert loaded.to_list() == reference.to_list()
    manifest = json.loads((corpus / "MANIFEST.json").read_text())
    assert loaded.info.version == manifest["version"] and loaded.split == "test"


def test_load_refuses_rows_that_do_not_fit_the_declared_features(tmp_path):
    # a forged release (its MANIFEST rehashed) whose entity row has a type outside labels.json
    import shutil

    from release_factory import rehash

    folder = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    data = folder / "data" / "entities.jsonl"
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    rows[0]["type"] = "NOT_A_TYPE"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    rehash(folder)
    with pytest.raises(InputError, match="entities.jsonl.*do not fit"):
        sourcetrace.load("entities", corpus=folder)
    assert len(sourcetrace.load("documents", corpus=folder)["test"]) == len(
        json.loads((folder / "MANIFEST.json").read_text())["documents"]
    )


def test_the_attributions_config_carries_the_gold_source_phrases_and_content_types():
    from sourcetrace.corpus.dataset import load

    rows = load("attributions")["test"]
    content_type = rows.features["content_type"]
    loaded = {
        (row["doc_id"], row["id"]): (row["source_span"], content_type.int2str(row["content_type"]))
        for row in rows
    }
    gold = {}
    for path in sorted((ROOT / "annotations" / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for attribution in record["attributions"]:
            gold[record["doc_id"], attribution["id"]] = (
                attribution["source_span"],
                attribution["content_type"],
            )
    assert loaded == gold
