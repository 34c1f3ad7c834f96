"""Label-only passes: an annotator labels claims it was given, and annotates nothing else.

A blind re-annotation of check-worthiness gives the annotator the reference's claims (their
spans fixed) and asks for the rubric's answers only. Such a pass agrees with its reference on
spans by construction, so only claim attributes can be scored; every other layer is "not
scored", never 0. The folder holds ``CLAIMS.jsonl``, the claims exactly as they were given (one
``{"doc_id", "id", "start", "end", "text"}`` per line, checked against the texts), and one
``<doc_id>.json`` per document as the annotator returned it:
``{"doc_id": ..., "claims": {"c1": {"answers": {...}, "score": n, "checkworthy": bool}}}``.
The given spans pair its labels with any other pass by the claim matching of `evaluate`; against
the reference they pair claim for claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, raise_all
from sourcetrace.jsonio import placed, read_records
from sourcetrace.schema.labels import CHECKWORTHY_MIN_SCORE, checkworthiness_score, names

LABELLED_CLAIMS_FILE = "CLAIMS.jsonl"  # in a label-only pass folder: the claims it was given
LABEL_KEYS = ("answers", "score", "checkworthy")
LABEL_SHAPE = (
    '{"doc_id": ..., "claims": {"<claim id>": {"answers": {<each rubric question>: true|false}, '
    '"score": 0-3, "checkworthy": true|false}}}'
)


def is_label_only(path: Path) -> bool:
    """A pass folder that says which claims it labels (it holds CLAIMS.jsonl)."""
    return Path(path).is_dir() and (Path(path) / LABELLED_CLAIMS_FILE).is_file()


def read_label_only_pass(path: Path, texts: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per document, an annotation record whose claims are the given claims with the pass's
    labels; it has no entities and no attributions, and is marked ``label_only``."""
    path = Path(path)
    given = _given_claims(path / LABELLED_CLAIMS_FILE, texts)
    files = sorted(path.glob("*.json"))
    if not files:
        raise InputError(
            "label-only pass folder has no .json files", file=path, expected=LABEL_SHAPE
        )
    documents: dict[str, dict[str, Any]] = {}
    problems: list[InputError] = []
    for file in files:
        _, records = read_records(file)
        for record in records:
            found, document = _labelled_document(record.value, file, record.line, given)
            problems += found
            if document is not None:
                documents[document["doc_id"]] = document
    raise_all(placed(problems))
    return documents


def _given_claims(path: Path, texts: Mapping[str, str]) -> dict[str, dict[str, dict[str, Any]]]:
    """doc_id -> claim id -> the claim as given, each checked against its document's text."""
    _, records = read_records(path)
    given: dict[str, dict[str, dict[str, Any]]] = {}
    problems: list[InputError] = []
    expected = (
        'one {"doc_id", "id", "start", "end", "text"} per line, '
        "text = the document text at [start:end]"
    )
    for record in records:
        claim = record.value

        def problem(message: str, pointer: str = "", line: int = record.line) -> None:
            problems.append(
                InputError(message, file=path, line=line, pointer=pointer, expected=expected)
            )

        if not isinstance(claim, dict) or set(claim) != {"doc_id", "id", "start", "end", "text"}:
            problem("a given claim needs exactly doc_id, id, start, end and text")
            continue
        doc_id, start, end = claim["doc_id"], claim["start"], claim["end"]
        if not isinstance(doc_id, str) or doc_id not in texts:
            problem(f"unknown document {doc_id!r}", "/doc_id")
            continue
        if not isinstance(claim["id"], str) or not claim["id"]:
            problem("the claim id must be a non-empty string", "/id")
            continue
        text = texts[doc_id]
        if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
            problem(f"offsets [{start!r}:{end!r}] are not a span of {doc_id}", "/start")
            continue
        if text[start:end] != claim["text"]:
            problem(f"the text at [{start}:{end}] of {doc_id} is not the claim's text", "/text")
            continue
        if claim["id"] in given.setdefault(doc_id, {}):
            problem(f"claim {claim['id']!r} of {doc_id} is given twice", "/id")
            continue
        given[doc_id][claim["id"]] = {k: claim[k] for k in ("id", "start", "end", "text")}
    raise_all(problems)
    return given


def _labelled_document(
    value: Any, file: Path, line: int, given: dict[str, dict[str, dict[str, Any]]]
) -> tuple[list[InputError], dict[str, Any] | None]:
    """The problems of one returned file, or the document it makes (given claims + labels)."""

    def problem(message: str, pointer: str = "", expected: str = LABEL_SHAPE) -> InputError:
        return InputError(message, file=file, line=line, pointer=pointer, expected=expected)

    if not isinstance(value, dict) or set(value) != {"doc_id", "claims"}:
        return [problem("a label-only file needs exactly doc_id and claims")], None
    doc_id, labels = value["doc_id"], value["claims"]
    if not isinstance(doc_id, str) or doc_id not in given:
        return [
            problem(f"no claims of {doc_id!r} were given ({LABELLED_CLAIMS_FILE})", "/doc_id")
        ], None
    if doc_id != file.stem:
        return [
            problem(f"file name does not match doc_id {doc_id!r}", "/doc_id", f"{doc_id}.json")
        ], None
    if not isinstance(labels, dict):
        return [problem("claims must be an object keyed by the given claim ids", "/claims")], None
    problems = []
    unknown = sorted(set(labels) - set(given[doc_id]))
    missing = [claim_id for claim_id in given[doc_id] if claim_id not in labels]
    for claim_id in unknown:
        problems.append(
            problem(f"claim {claim_id!r} was not given for {doc_id}", _claim_pointer(claim_id))
        )
    if missing:
        problems.append(problem(f"given claims without labels: {', '.join(missing)}", "/claims"))
    claims = []
    for claim_id, claim in given[doc_id].items():
        if claim_id not in labels:
            continue  # reported above
        label = labels[claim_id]
        found = _label_problems(label)
        pointer = _claim_pointer(claim_id)
        problems += [problem(message, pointer + where) for where, message in found]
        if not found:
            rubric = {"answers": dict(label["answers"]), "score": label["score"]}
            claims.append({**claim, "checkworthy": label["checkworthy"], "checkworthiness": rubric})
    if problems:
        return problems, None
    claims.sort(key=lambda c: (c["start"], c["end"]))
    record = {"doc_id": doc_id, "entities": [], "claims": claims, "attributions": []}
    return [], {**record, "label_only": True}


def _claim_pointer(claim_id: str) -> str:
    """The JSON pointer of a claim's labels (RFC 6901: `~` and `/` in a key escaped)."""
    return "/claims/" + claim_id.replace("~", "~0").replace("/", "~1")


def _label_problems(label: Any) -> list[tuple[str, str]]:
    """(pointer suffix, message) for each fault of one claim's labels: shape, then the rubric's
    arithmetic (the score follows from the answers, the label from the score)."""
    questions = names("checkworthiness_questions")
    if not isinstance(label, dict) or set(label) != set(LABEL_KEYS):
        return [("", f"labels need exactly {', '.join(LABEL_KEYS)}")]
    answers, score, checkworthy = label["answers"], label["score"], label["checkworthy"]
    if not isinstance(answers, dict) or set(answers) != set(questions):
        return [("/answers", f"answers need exactly {', '.join(questions)}")]
    wrong = [q for q in questions if not isinstance(answers[q], bool)]
    if wrong:
        return [(f"/answers/{wrong[0]}", "an answer must be true or false")]
    if type(score) is not int or score != checkworthiness_score(answers):
        derived = checkworthiness_score(answers)
        return [
            ("/score", f"score {score!r} does not follow from the answers, which give {derived}")
        ]
    if not isinstance(checkworthy, bool) or checkworthy != (score >= CHECKWORTHY_MIN_SCORE):
        return [("/checkworthy", f"checkworthy {checkworthy!r} does not follow from score {score}")]
    return []
