"""brat standoff: `<doc_id>.ann` beside `<doc_id>.txt`, in and out (brat and INCEpTION read it).

Offsets in a .ann are code points of the .txt, end exclusive (brat's own), so no --offsets.
The .txt must be the corpus text of its doc_id (the file stem), verbatim: a different text
would shift every span and is refused.

What is read (and written by `export brat`):

- `T1<TAB>TYPE START END<TAB>text`: an entity mention when TYPE maps onto an entity type
  (--labels); TYPE `Claim`: a claim; `Content`: the content of one attribution (one Content
  per attribution); `Cue`, `Source`: a cue and a source phrase, tied by the relations below.
- `R<TAB>Cue Arg1:<Content> Arg2:<Cue>`: the attribution's cue (none: cue null).
- `R<TAB>Source Arg1:<Content> Arg2:<T>`: its source, a Source span or an entity (then the
  source is that mention); none: the article's own voice.
- `R<TAB>Carries Arg1:<Content> Arg2:<Claim>`: a claim the content carries.
- `R<TAB>NestedIn Arg1:<Content> Arg2:<Content>`: the outer attribution.
- `A<TAB>AttributionType <Content> direct|indirect|mixed`; `A<TAB>Mention <entity> name|
  nominal|pronoun`; `A<TAB>Polarity <Claim> ...`, `A<TAB>Certainty <Claim> ...`,
  `A<TAB>Checkworthy <Claim>` (binary).

Discontinuous spans (`START END;START END`) are refused with their line: our spans are
contiguous. Other lines (events E, normalisations N, notes #, equivalences *, other relation
and attribute names) carry nothing that is scored and are passed over."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sourcetrace.convert.common import LabelMapper, Options, finished
from sourcetrace.errors import InputError, shown
from sourcetrace.jsonio import read_text
from sourcetrace.schema.validation import sha256_text

STRUCTURE = ("Claim", "Content", "Cue", "Source")  # T types that are not entity types
RELATIONS = ("Cue", "Source", "Carries", "NestedIn")
ATTRIBUTES = {"AttributionType": "type", "Mention": "mention", "Polarity": "polarity",
              "Certainty": "certainty", "Checkworthy": "checkworthy"}  # fmt: skip
T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
R_LINE = re.compile(r"^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)\s*$")
A_LINE = re.compile(r"^([AM]\d+)\t(\S+) (T\d+)(?: (\S+))?\s*$")


# ---------------------------------------------------------------- reading


def ann_files(inputs: Sequence[str | Path]) -> list[Path]:
    """The .ann files given, or found directly in the folders given, sorted by name."""
    found: list[Path] = []
    for given in map(Path, inputs):
        found += sorted(given.glob("*.ann")) if given.is_dir() else [given]
    if not found:
        raise InputError("no .ann file found", file=inputs[0] if inputs else None,
                         expected="brat .ann files, or folders holding them")  # fmt: skip
    return found


def _parse(path: Path, text: str) -> tuple[dict[str, tuple[str, int, int, int]], list, list]:
    """Text-bound annotations {T id: (type, start, end, line)}, relations and attributes."""
    spans: dict[str, tuple[str, int, int, int]] = {}
    relations: list[tuple[str, str, str, int]] = []
    attributes: list[tuple[str, str, str | None, int]] = []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("T"):
            match = T_LINE.match(line)
            if match is None:
                raise InputError(
                    f"malformed text-bound annotation {shown(line[:60])!r}",
                    file=path,
                    line=number,
                    expected="T<id><TAB>TYPE START END<TAB>text",
                )
            tid, kind, offsets, covered = match.groups()
            if ";" in offsets:
                raise InputError(
                    f"{tid} is a discontinuous span ({offsets}); sourcetrace spans are contiguous",
                    file=path,
                    line=number,
                    expected="one START END pair per T line (split the fragments into separate "
                    "annotations, or join them into one span)",
                )
            start, end = map(int, offsets.split())
            if not 0 <= start < end <= len(text) or text[start:end] != covered:
                raise InputError(
                    f"{tid} {start}-{end} does not cover {shown(covered[:40])!r} in the .txt",
                    file=path,
                    line=number,
                    expected="code-point offsets of the .txt, end exclusive, and the covered text",
                )
            spans[tid] = (kind, start, end, number)
        elif line.startswith("R") and (match := R_LINE.match(line)):
            relations.append((match.group(2), match.group(3), match.group(4), number))
        elif line.startswith(("A", "M")) and (match := A_LINE.match(line)):
            attributes.append((match.group(2), match.group(3), match.group(4), number))
    return spans, relations, attributes


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def read_document(path: Path, text: str, mapper: LabelMapper) -> dict[str, Any]:
    """One prediction record from a .ann and its text."""
    spans, relations, attributes = _parse(path, text)
    values: dict[str, dict[str, Any]] = {tid: {} for tid in spans}
    for name, tid, value, _line in attributes:
        if name in ATTRIBUTES and tid in spans:
            values[tid][ATTRIBUTES[name]] = True if value is None else value
    entities, claims, kept = [], [], set()
    for tid, (kind, start, end, number) in spans.items():
        if kind == "Claim":
            extra = {
                k: v
                for k, v in values[tid].items()
                if k in ("polarity", "certainty", "checkworthy")
            }
            claims.append({"id": tid, **_span(text, start, end), **extra})
        elif kind not in STRUCTURE:
            ours = mapper(kind, shown(path), ":", number)
            if ours is not None:
                mention = {"mention": values[tid]["mention"]} if "mention" in values[tid] else {}
                entities.append({"id": tid, **_span(text, start, end), "type": ours, **mention})
                kept.add(tid)
    links: dict[str, dict[str, list[str]]] = {}
    for name, head, tail, number in relations:
        if name not in RELATIONS:
            continue
        if head not in spans or spans[head][0] != "Content" or tail not in spans:
            raise InputError(
                f"relation {name} {head} -> {tail} does not start at a Content span or names an "
                "unknown T",
                file=path,
                line=number,
                expected=f"R<id><TAB>{name} Arg1:<Content T> Arg2:<T of this file>",
            )
        links.setdefault(head, {}).setdefault(name, []).append(tail)
    attributions = []
    for tid, (kind, start, end, _) in spans.items():
        if kind != "Content":
            continue
        link = links.get(tid, {})
        content = _span(text, start, end)
        if link.get("Carries"):
            content["claims"] = link["Carries"]
        attribution: dict[str, Any] = {"id": tid, "source": _source(link, spans, kept, text),
                                       "cue": None, "content": content}  # fmt: skip
        if link.get("Cue"):
            _, cue_start, cue_end, _ = spans[link["Cue"][0]]
            attribution["cue"] = _span(text, cue_start, cue_end)
        if "type" in values[tid]:
            attribution["type"] = values[tid]["type"]
        attribution["nested_in"] = link["NestedIn"][0] if link.get("NestedIn") else None
        attributions.append(attribution)
    return {"doc_id": path.stem, "text_sha256": sha256_text(text), "entities": entities,
            "claims": claims, "attributions": attributions}  # fmt: skip


def _source(
    link: Mapping[str, list[str]], spans: Mapping[str, Any], kept: set[str], text: str
) -> Any:
    if not link.get("Source"):
        return None
    target = link["Source"][0]
    if target in kept:
        return {"mention": target}
    _, start, end, _ = spans[target]
    return _span(text, start, end)


def read(inputs: Sequence[str | Path], options: Options) -> list[dict[str, Any]]:
    """Prediction records (entities, claims, attributions) of brat .ann/.txt pairs."""
    mapper = LabelMapper(options.labels)
    records = []
    for path in ann_files(inputs):
        txt = path.with_suffix(".txt")
        text = read_text(txt)
        corpus = options.texts.get(path.stem)
        if corpus is not None and corpus != text:
            raise InputError(
                f"the text beside {shown(path.name)} is not the corpus text of {path.stem!r}",
                file=txt,
                expected="the document's text verbatim (same characters, same line ends): brat "
                "offsets count into it",
            )
        records.append(read_document(path, text, mapper))
    mapper.check()
    return finished(records, "<brat>", options.texts)


# ---------------------------------------------------------------- writing


class _Ids:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, letter: str) -> str:
        self.counts[letter] = self.counts.get(letter, 0) + 1
        return f"{letter}{self.counts[letter]}"


def document_ann(record: Mapping[str, Any]) -> str:
    """The .ann of one gold document (see the module for the lines)."""
    new, lines = _Ids(), []
    by_id: dict[str, str] = {}

    def t_line(kind: str, span: Mapping[str, Any]) -> str:
        tid = new("T")
        lines.append(f"{tid}\t{kind} {span['start']} {span['end']}\t{span['text']}")
        return tid

    for item in record.get("entities", []):
        tid = by_id[item["id"]] = t_line(item["type"], item)
        if item.get("mention"):
            lines.append(f"{new('A')}\tMention {tid} {item['mention']}")
    for claim in record.get("claims", []):
        tid = by_id[claim["id"]] = t_line("Claim", claim)
        for field, name in (("polarity", "Polarity"), ("certainty", "Certainty")):
            if claim.get(field):
                lines.append(f"{new('A')}\t{name} {tid} {claim[field]}")
        if claim.get("checkworthy"):
            lines.append(f"{new('A')}\tCheckworthy {tid}")
    contents = {a["id"]: t_line("Content", a["content"]) for a in record.get("attributions", [])}
    for attribution in record.get("attributions", []):
        head = contents[attribution["id"]]
        if attribution.get("cue"):
            lines.append(f"{new('R')}\tCue Arg1:{head} Arg2:{t_line('Cue', attribution['cue'])}")
        source = attribution.get("source")
        if source is not None:
            tail = by_id[source["mention"]] if "mention" in source else t_line("Source", source)
            lines.append(f"{new('R')}\tSource Arg1:{head} Arg2:{tail}")
        for claim in attribution["content"].get("claims", []):
            lines.append(f"{new('R')}\tCarries Arg1:{head} Arg2:{by_id[claim]}")
        if attribution.get("nested_in"):
            lines.append(
                f"{new('R')}\tNestedIn Arg1:{head} Arg2:{contents[attribution['nested_in']]}"
            )
        if attribution.get("type"):
            lines.append(f"{new('A')}\tAttributionType {head} {attribution['type']}")
    return "".join(line + "\n" for line in lines)


def annotation_conf() -> str:
    """brat's annotation.conf for the exported folder, so brat shows and edits it as is."""
    from sourcetrace.schema.labels import load_labels

    labels = load_labels()
    entity_types = "\n".join([*labels["entity_types"], *STRUCTURE])
    return (
        f"[entities]\n{entity_types}\n\n[relations]\n"
        "Cue\tArg1:Content, Arg2:Cue\n"
        f"Source\tArg1:Content, Arg2:Source|{'|'.join(labels['entity_types'])}\n"
        "Carries\tArg1:Content, Arg2:Claim\n"
        "NestedIn\tArg1:Content, Arg2:Content\n"
        "<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n"
        f"AttributionType\tArg:Content, Value:{'|'.join(labels['attribution_types'])}\n"
        f"Mention\tArg:<ENTITY>, Value:{'|'.join(labels['mention_kinds'])}\n"
        f"Polarity\tArg:Claim, Value:{'|'.join(labels['claim_polarity'])}\n"
        f"Certainty\tArg:Claim, Value:{'|'.join(labels['claim_certainty'])}\n"
        "Checkworthy\tArg:Claim\n"
    )


def write(gold: Sequence[Mapping[str, Any]], texts: Mapping[str, str], out_dir: Path) -> list[Path]:
    """<doc_id>.txt and <doc_id>.ann per gold document, and annotation.conf."""
    from sourcetrace.paths import write_output

    written = []
    for record in gold:
        doc_id = record["doc_id"]
        written.append(write_output(Path(out_dir) / f"{doc_id}.txt", texts[doc_id]))
        written.append(write_output(Path(out_dir) / f"{doc_id}.ann", document_ann(record)))
    written.append(write_output(Path(out_dir) / "annotation.conf", annotation_conf()))
    return written
