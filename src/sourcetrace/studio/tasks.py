"""Label Studio tasks: one per document, its text and metadata, and its pre-annotations.

The pre-annotations (`predictions`) are the gold (for review) or a system's output (for
correction), converted by `convert.to_result`. Documents come from the checkout's sources
(seeds/ and annotations/documents.json), so an article just added with `corpus add` can be
annotated before it is in a built corpus; a built corpus beside them is checked against its
MANIFEST first, and its version names the gold (`gold_model_version`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sourcetrace.corpus.annotation_files import read_pass
from sourcetrace.corpus.build import read_version, with_seed_text
from sourcetrace.corpus.release import Release, published_release
from sourcetrace.errors import InputError, raise_all
from sourcetrace.jsonio import read_json, read_records
from sourcetrace.schema.validation import validate_record
from sourcetrace.studio import config as c
from sourcetrace.studio.convert import to_result

METADATA = ("doc_id", "title", "outlet", "published", "story_id", "text_sha256")


def read_documents(root: Path) -> dict[str, dict[str, Any]]:
    """doc_id -> document record (metadata and seed text) of a checkout, validated."""
    path = Path(root) / "annotations" / "documents.json"
    records = read_json(path)
    if not isinstance(records, list):
        raise InputError("expected a JSON list of document records", file=path, pointer="/")
    documents, problems = {}, []
    for index, meta in enumerate(records):
        record = with_seed_text(meta, Path(root) / "seeds")
        if record is None:
            problems.append(
                InputError(
                    "seed file not found in seeds/",
                    file=path,
                    pointer=f"/{index}/seed_file",
                    expected="the name of a file in seeds/",
                )
            )
            continue
        problems += validate_record(record, "document", path, 1)
        documents[record["doc_id"]] = record
    raise_all(problems)
    return documents


def select(documents: Mapping[str, Any], wanted: Iterable[str] | None) -> list[str]:
    """The doc_ids asked for (all, sorted, when none are named); unknown ones are refused."""
    if not wanted:
        return sorted(documents)
    wanted = list(dict.fromkeys(wanted))
    unknown = [d for d in wanted if d not in documents]
    if unknown:
        raise InputError(
            f"unknown document(s) {', '.join(unknown)}",
            file="--documents",
            expected=f"doc_ids of annotations/documents.json ({', '.join(sorted(documents))})",
        )
    return wanted


def header(document: Mapping[str, Any]) -> str:
    """The metadata line shown above the text in Label Studio."""
    parts = [
        document["doc_id"],
        document.get("title") or "(no title)",
        f"outlet: {document.get('outlet') or 'unknown'}",
        f"published: {document.get('published') or 'unknown'}",
        f"story: {document.get('story_id')}",
    ]
    return " | ".join(parts)


def task(
    document: Mapping[str, Any], annotation: Mapping[str, Any] | None, model_version: str
) -> dict[str, Any]:
    data = {c.TEXT: document["text"], c.HEADER: header(document)}
    data.update({key: document.get(key) for key in METADATA})
    made: dict[str, Any] = {"data": data}
    if annotation is not None:
        made["predictions"] = [{"model_version": model_version, "result": to_result(annotation)}]
    return made


def gold_annotations(root: Path, documents: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    folder = Path(root) / "annotations" / "gold"
    if not any(folder.glob("*.json")):
        return {}
    return read_pass(folder, {d: doc["text"] for d, doc in documents.items()})


def gold_model_version(root: Path, release: Release | None) -> str:
    """`sourcetrace-gold-<version>`: the version of the checkout's published ``release``, checked
    against its MANIFEST.json (`published_release`); before the first build, the version the
    CHANGELOG announces."""
    if release is not None:
        return f"sourcetrace-gold-{release.version}"
    return f"sourcetrace-gold-{read_version(Path(root) / 'corpus' / 'CHANGELOG.md')}"


def _anchor(span: dict[str, Any], text: str, where: str, notes: list[str]) -> bool:
    """Give a text-only span offsets: its first occurrence in the text (said so)."""
    if "start" in span:
        return True
    position = text.find(span["text"])
    if position < 0:
        notes.append(f"{where}: {span['text']!r} does not occur in the text; left out")
        return False
    span.update(start=position, end=position + len(span["text"]))
    notes.append(f"{where}: text-only span {span['text']!r} placed at its first occurrence")
    return True


def anchored(prediction: Mapping[str, Any], text: str, notes: list[str]) -> dict[str, Any]:
    """A system's prediction with offsets on every span it keeps (text-only spans anchored)."""
    doc = prediction["doc_id"]
    result: dict[str, Any] = {}
    for layer in ("entities", "claims"):
        items = [dict(item) for item in prediction.get(layer) or []]
        where = f"{doc} /{layer}/"
        result[layer] = [i for n, i in enumerate(items) if _anchor(i, text, f"{where}{n}", notes)]
    kept_entities = {e["id"] for e in result["entities"] if "id" in e}
    kept_claims = {c_["id"] for c_ in result["claims"] if "id" in c_}
    attributions = []
    for n, item in enumerate(prediction.get("attributions") or []):
        where = f"{doc} /attributions/{n}"
        item = {**item, "content": dict(item["content"])}
        if not _anchor(item["content"], text, f"{where}/content", notes):
            continue
        item["content"]["claims"] = [
            k for k in item["content"].get("claims") or [] if k in kept_claims
        ]
        for part in ("source", "cue"):
            value = item.get(part)
            if value is not None and "mention" in value and value["mention"] not in kept_entities:
                item[part] = None
            elif value is not None and "mention" not in value:
                value = dict(value)
                item[part] = value if _anchor(value, text, f"{where}/{part}", notes) else None
        attributions.append(item)
    ids = {a["id"] for a in attributions if "id" in a}
    for item in attributions:
        if item.get("nested_in") is not None and item["nested_in"] not in ids:
            item["nested_in"] = None
    result["attributions"] = attributions
    return result


def system_predictions(
    path: Path, documents: Mapping[str, Any], notes: list[str]
) -> dict[str, dict[str, Any]]:
    """doc_id -> anchored prediction, from a predictions file (JSONL or JSON), validated."""
    texts = {d: doc["text"] for d, doc in documents.items()}
    _, records = read_records(path)
    problems, found = [], {}
    for record in records:
        problems += validate_record(
            record.value, "prediction", path, record.line, text_for=texts.get
        )
        if not problems:
            doc_id = record.value["doc_id"]
            found[doc_id] = anchored(record.value, texts[doc_id], notes)
    raise_all(problems)
    return found


def make_tasks(
    root: Path,
    doc_ids: Iterable[str] | None = None,
    predictions: Path | None = None,
    model_version: str | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """(tasks, notes): one task per chosen document, with gold or the system's predictions."""
    release = published_release(root)  # never beside a release that fails its check
    documents = read_documents(root)
    chosen = select(documents, doc_ids)
    notes: list[str] = []
    if predictions is None:
        annotations = gold_annotations(root, documents)
        version = model_version or gold_model_version(root, release)
    else:
        annotations = system_predictions(Path(predictions), documents, notes)
        version = model_version or _run_name(Path(predictions))
    tasks = [task(documents[d], annotations.get(d), version) for d in chosen]
    return tasks, notes


def _run_name(path: Path) -> str:
    """evaluate/runs/<system>/predictions.jsonl -> <system>; other files -> their stem."""
    return path.parent.name if path.stem == "predictions" and path.parent.name else path.stem
