"""Builds small, correct gold annotations on real corpus texts (offsets found with str.find)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def seed_text(doc_id: str, root: Path = ROOT) -> str:
    meta = json.loads((root / "annotations" / "documents.json").read_text(encoding="utf-8"))
    seed_file = next(m["seed_file"] for m in meta if m["doc_id"] == doc_id)
    return (root / "seeds" / seed_file).read_bytes().decode("utf-8")


def span(text: str, needle: str, occurrence: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def gold_st000(root: Path = ROOT) -> dict[str, Any]:
    """A small correct gold for st-000: two entities, one claim, one attribution."""
    text = seed_text("st-000", root)
    claim = span(
        text,
        "the Ukrainian forces fired missiles, which were built decades ago in "
        "North Korea, against Russian positions near the city of Bakhmut",
    )
    return {
        "doc_id": "st-000",
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": [
            {
                "id": "e1",
                **span(text, "Financial Times"),
                "type": "ORG",
                "mention": "name",
                "entity": "financial-times",
            },
            {
                "id": "e2",
                **span(text, "Bakhmut"),
                "type": "GPE",
                "mention": "name",
                "entity": "bakhmut",
            },
        ],
        "claims": [
            {
                "id": "c1",
                **claim,
                "polarity": "positive",
                "certainty": "certain",
                "checkworthy": True,
                "cluster": "ukraine-fired-nk-missiles",
            }
        ],
        "attributions": [
            {
                "id": "a1",
                "source": {"mention": "e1"},
                "cue": span(text, "According to"),
                "content": {"claims": ["c1"], **claim},
                "type": "indirect",
                "nested_in": None,
            }
        ],
    }


# ---------------------------------------------------------------- a three-document story gold
#
# st-000, st-001 and st-003 retell one Financial Times / Reuters story. The gold below is small
# but has what the end-to-end tests of `evaluate` and `agreement` need: corpus-wide `entity` ids
# repeated within and across documents (coreference links), claim `cluster` ids repeated across
# the retellings, name / nominal / pronoun mentions, and attributions with a mention source, a
# span source, the article's own voice (null source and cue), a byline source without a cue and
# a nested chain (Reuters reports that the FT reported; the newspaper said that the ministry
# suggested).

STORY_DOC_IDS = ("st-000", "st-001", "st-003")


def span_in(text: str, context: str, needle: str, occurrence: int = 0) -> dict[str, Any]:
    """The span of ``needle`` inside the ``occurrence``-th occurrence of ``context``.

    "North Korea" also occurs inside every "North Korean": a context pins the intended one.
    """
    where = span(text, context, occurrence)["start"]
    offset = context.index(needle)
    start = where + offset
    return {"start": start, "end": start + len(needle), "text": needle}


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entity(
    mention_id: str, piece: dict[str, Any], kind: str, mention: str, entity: str
) -> dict[str, Any]:
    return {"id": mention_id, **piece, "type": kind, "mention": mention, "entity": entity}


def _claim(
    claim_id: str,
    piece: dict[str, Any],
    cluster: str,
    *,
    polarity: str = "positive",
    certainty: str = "certain",
    checkworthy: bool = True,
) -> dict[str, Any]:
    return {
        "id": claim_id,
        **piece,
        "polarity": polarity,
        "certainty": certainty,
        "checkworthy": checkworthy,
        "cluster": cluster,
    }


def _attribution(
    attribution_id: str,
    source: dict[str, Any] | None,
    cue: dict[str, Any] | None,
    content: dict[str, Any],
    claims: list[str],
    *,
    kind: str = "indirect",
    nested_in: str | None = None,
) -> dict[str, Any]:
    return {
        "id": attribution_id,
        "source": source,
        "cue": cue,
        "content": {"claims": claims, **content},
        "type": kind,
        "nested_in": nested_in,
    }


def story_gold_st000(root: Path = ROOT) -> dict[str, Any]:
    """st-000: 13 entities (10 name, 2 nominal, 1 pronoun), 4 claims, 4 attributions."""
    t = seed_text("st-000", root)
    c1 = span(
        t,
        "the Ukrainian forces fired missiles, which were built decades ago in "
        "North Korea, against Russian positions near the city of Bakhmut",
    )
    c2 = span(t, "the missiles had been seized from a ship at an unspecified time")
    c3 = span(t, "Russian defense minister Sergei Shoigu visited North Korea last week")
    c4 = span(t, "I very much doubt he's there on holiday")
    return {
        "doc_id": "st-000",
        "text_sha256": text_sha256(t),
        "entities": [
            _entity("e1", span(t, "Financial Times"), "ORG", "name", "financial-times"),
            _entity("e2", span(t, "the FT"), "ORG", "name", "financial-times"),
            _entity(
                "e3", span_in(t, "ago in North Korea,", "North Korea"), "GPE", "name", "north-korea"
            ),
            _entity(
                "e4",
                span_in(t, "visited North Korea last", "North Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity("e5", span(t, "Sergei Shoigu"), "PERSON", "name", "sergei-shoigu"),
            _entity("e6", span(t, "Kim Jong-un"), "PERSON", "name", "kim-jong-un"),
            _entity(
                "e7",
                span_in(t, "Kim Jong-un in Pyongyang", "Pyongyang"),
                "GPE",
                "name",
                "pyongyang",
            ),
            _entity(
                "e8", span(t, "the Russian defense chief"), "PERSON", "nominal", "sergei-shoigu"
            ),
            _entity(
                "e9", span_in(t, "showing him his", "him"), "PERSON", "pronoun", "sergei-shoigu"
            ),
            _entity("e10", span(t, "Bakhmut"), "GPE", "name", "bakhmut"),
            _entity("e11", span(t, "Anthony Blinken"), "PERSON", "name", "antony-blinken"),
            _entity(
                "e12", span(t, "The Ukrainian troops"), "ORG", "nominal", "ukrainian-armed-forces"
            ),
            _entity(
                "e13",
                span_in(t, "pictures of Shoigu", "Shoigu"),
                "PERSON",
                "name",
                "sergei-shoigu",
            ),
        ],
        "claims": [
            _claim("c1", c1, "ukraine-uses-nk-rockets"),
            _claim("c2", c2, "missiles-seized-from-ship"),
            _claim("c3", c3, "shoigu-visited-pyongyang"),
            _claim(
                "c4",
                c4,
                "shoigu-not-on-holiday",
                polarity="negative",
                certainty="probable",
                checkworthy=False,
            ),
        ],
        "attributions": [
            _attribution("a1", {"mention": "e1"}, span(t, "According to"), c1, ["c1"]),
            _attribution("a2", {"mention": "e12"}, span_in(t, "troops said", "said"), c2, ["c2"]),
            _attribution("a3", None, None, c3, ["c3"]),
            _attribution(
                "a4",
                {"mention": "e11"},
                span_in(t, "Blinken said", "said"),
                c4,
                ["c4"],
                kind="direct",
            ),
        ],
    }


def story_gold_st001(root: Path = ROOT) -> dict[str, Any]:
    """st-001: 9 name entities, 5 claims, 4 attributions (one span source, two own voice)."""
    t = seed_text("st-001", root)
    c1 = span(t, "Ukrainian soldiers have been observed utilising North Korean rockets")
    c2 = span(t, "these arms were captured by Russian forces")
    c3 = span(
        t, "Both North Korea and Russia have vehemently denied engaging in any arms transactions"
    )
    c4 = span(t, "Bakhmut has been a site of prolonged and brutal fighting")
    c5 = span(t, "Russia’s Defense Minister Sergei Shoigu recently made a rare visit to Pyongyang")
    return {
        "doc_id": "st-001",
        "text_sha256": text_sha256(t),
        "entities": [
            _entity("e1", span(t, "Financial Times"), "ORG", "name", "financial-times"),
            _entity(
                "e2",
                span_in(t, "accused North Korea of", "North Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity(
                "e3",
                span_in(t, "Both North Korea and", "North Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity(
                "e4",
                span_in(t, "visited North Korea since", "North Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity("e5", span(t, "Sergei Shoigu"), "PERSON", "name", "sergei-shoigu"),
            _entity(
                "e6",
                span_in(t, "Shoigu was photographed", "Shoigu"),
                "PERSON",
                "name",
                "sergei-shoigu",
            ),
            _entity("e7", span(t, "Kim Jong Un"), "PERSON", "name", "kim-jong-un"),
            _entity("e8", span_in(t, "city of Bakhmut", "Bakhmut"), "GPE", "name", "bakhmut"),
            _entity("e9", span_in(t, "Bakhmut has been", "Bakhmut"), "GPE", "name", "bakhmut"),
        ],
        "claims": [
            _claim("c1", c1, "ukraine-uses-nk-rockets"),
            _claim("c2", c2, "arms-captured-from-russians", certainty="probable"),
            _claim("c3", c3, "nk-russia-deny-arms", polarity="negative"),
            _claim("c4", c4, "bakhmut-brutal-fighting", checkworthy=False),
            _claim("c5", c5, "shoigu-visited-pyongyang"),
        ],
        "attributions": [
            _attribution("a1", {"mention": "e1"}, span(t, "According to"), c1, ["c1"]),
            _attribution(
                "a2",
                span(t, "The Ukrainian defence ministry"),
                span(t, "has suggested"),
                c2,
                ["c2"],
            ),
            _attribution("a3", None, None, c4, ["c4"]),
            _attribution("a4", None, None, c5, ["c5"]),
        ],
    }


def story_gold_st003(root: Path = ROOT) -> dict[str, Any]:
    """st-003 (Reuters): 9 entities (1 nominal), 5 claims, 6 attributions, two nested."""
    t = seed_text("st-003", root)
    c1 = span(t, "Ukrainian soldiers were observed using\xa0North\xa0Korean\xa0rockets")
    c2 = span(t, "the arms were captured from the\xa0Russians")
    c3 = span(
        t,
        "The\xa0North\xa0Korean\xa0weapons were shown by Ukrainian troops operating Soviet-era "
        "Grad multiple-launch rocket systems near the destroyed eastern city of Bakhmut",
    )
    c4 = span(t, "North\xa0Korea and Russia deny conducting arms transactions")
    c5 = span(
        t, "Russia's Defence Minister Sergei Shoigu made a\xa0rare visit\xa0to Pyongyang this week"
    )
    ft_sentence = span(
        t,
        "Ukrainian soldiers were observed using\xa0North\xa0Korean\xa0rockets\xa0that they said "
        'were seized by a "friendly" country before being delivered to\xa0Ukraine, the Financial '
        "Times reported on Saturday",
    )
    ministry_sentence = span(
        t, "Ukraine's defence ministry suggested the arms were captured from the\xa0Russians"
    )
    return {
        "doc_id": "st-003",
        "text_sha256": text_sha256(t),
        "entities": [
            _entity("e1", span(t, "Reuters"), "ORG", "name", "reuters"),
            _entity("e2", span(t, "Financial Times"), "ORG", "name", "financial-times"),
            _entity("e3", span(t, "the newspaper"), "ORG", "nominal", "financial-times"),
            _entity(
                "e4",
                span_in(t, "accused\xa0North\xa0Korea of", "North\xa0Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity(
                "e5",
                span_in(t, "North\xa0Korea and Russia deny", "North\xa0Korea"),
                "GPE",
                "name",
                "north-korea",
            ),
            _entity(
                "e6",
                span_in(t, "Minister Sergei Shoigu made", "Sergei Shoigu"),
                "PERSON",
                "name",
                "sergei-shoigu",
            ),
            _entity(
                "e7",
                span_in(t, "Shoigu was photographed", "Shoigu"),
                "PERSON",
                "name",
                "sergei-shoigu",
            ),
            _entity(
                "e8",
                span_in(t, "leader Kim Jong Un at", "Kim Jong Un"),
                "PERSON",
                "name",
                "kim-jong-un",
            ),
            _entity("e9", span_in(t, "city of Bakhmut", "Bakhmut"), "GPE", "name", "bakhmut"),
        ],
        "claims": [
            _claim("c1", c1, "ukraine-uses-nk-rockets"),
            _claim("c2", c2, "arms-captured-from-russians", certainty="probable"),
            _claim("c3", c3, "nk-weapons-shown-near-bakhmut"),
            _claim("c4", c4, "nk-russia-deny-arms", polarity="negative"),
            _claim("c5", c5, "shoigu-visited-pyongyang"),
        ],
        "attributions": [
            # Reuters (the byline) reports the FT's sentence: a source without a cue.
            _attribution("a1", {"mention": "e1"}, None, ft_sentence, ["c1"]),
            _attribution("a2", {"mention": "e2"}, span(t, "reported"), c1, ["c1"], nested_in="a1"),
            _attribution(
                "a3",
                {"mention": "e3"},
                span_in(t, "newspaper said", "said"),
                ministry_sentence,
                ["c2"],
            ),
            _attribution(
                "a4",
                span(t, "Ukraine's defence ministry"),
                span(t, "suggested"),
                c2,
                ["c2"],
                nested_in="a3",
            ),
            _attribution(
                "a5", span(t, "the report"), span_in(t, "report said", "said"), c3, ["c3"]
            ),
            _attribution("a6", None, None, c5, ["c5"]),
        ],
    }


STORY_GOLD_BUILDERS = {
    "st-000": story_gold_st000,
    "st-001": story_gold_st001,
    "st-003": story_gold_st003,
}


def story_gold(
    doc_ids: tuple[str, ...] = STORY_DOC_IDS, *, with_text: bool = True, root: Path = ROOT
) -> list[dict[str, Any]]:
    """Gold records of the story documents; with ``text`` they form a --gold JSONL."""
    records = []
    for doc_id in doc_ids:
        record = STORY_GOLD_BUILDERS[doc_id](root)
        if with_text:
            record = {**record, "text": seed_text(doc_id, root)}
        records.append(record)
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """One JSON object per line, UTF-8 (written with the standard library only)."""
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )
    return path


def headline_f1s(layers: dict[str, Any]) -> dict[str, float]:
    """Every headline F1 of a report's layers by name: what "perfect" is checked on."""
    found: dict[str, float] = {}
    if "entities" in layers:
        for scheme in ("strict", "exact", "partial", "ent_type"):
            found[f"entities.{scheme}"] = layers["entities"]["overall"][scheme]["f1"]
    for level in ("strict", "lenient"):
        if "claims" in layers:
            found[f"claims.span.{level}"] = layers["claims"]["span"][level]["f1"]
        if "attributions" in layers:
            for part in ("source", "cue", "content", "triple"):
                found[f"attributions.{part}.{level}"] = layers["attributions"][part][level]["f1"]
    return found


def gold_record(doc_id: str, text: str, **layers: list) -> dict[str, Any]:
    """A gold record with its text (a --gold JSONL line); missing layers are empty."""
    return {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": text_sha256(text),
        "entities": layers.get("entities", []),
        "claims": layers.get("claims", []),
        "attributions": layers.get("attributions", []),
    }


def gold_claim(claim_id: str, text: str, start: int, end: int) -> dict[str, Any]:
    return {
        "id": claim_id,
        "start": start,
        "end": end,
        "text": text[start:end],
        "polarity": "positive",
        "certainty": "certain",
        "checkworthy": True,
        "cluster": f"k-{claim_id}",
    }


# a one-claim document whose prediction overlaps the gold claim with a Dice of exactly 1/3
THIRD_TEXT = "abcde fghij"
THIRD_GOLD = [gold_record("d1", THIRD_TEXT, claims=[gold_claim("c1", THIRD_TEXT, 0, 5)])]
# prediction [4, 5) "e" against gold [0, 5) "abcde": overlap 1, Dice = 2*1/(5+1) = 1/3
THIRD_PRED = [{"doc_id": "d1", "claims": [{"start": 4, "end": 5, "text": "e"}]}]
