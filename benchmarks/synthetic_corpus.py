"""Seeded synthetic news at scale: W1 (entities) and W3 (three layers) gold and predictions.

    .venv/bin/python benchmarks/synthetic_corpus.py --documents 1000 [--seed 0] [--check]

Each document is news-like English of 800-4,000 characters: sentences of real words, names,
places, dates, quotations and reporting verbs. Its gold has nested entity mentions (a NORP in a
nominal, a GPE in an ORG or a FAC) and a few crossing ones, corpus-wide entity ids of one type
each, claims with attributes and cluster ids shared across documents, and attributions with a
mention, a span or no source (the article's own voice), with or without a cue, some nested in
another. Predictions are the gold perturbed: exact, shifted boundaries, wrong type, missed,
spurious, text-only spans; two systems (A and B) for a paired comparison.

W1 is the entity layer alone (gold records with empty claims and attributions, predictions with
offsets only: what nervaluate can read too); W3 is all three layers on the same texts.

Document i comes from its own random stream (seed, i): a set is a prefix of every larger set,
and files are byte-identical from run to run. A finished set is cached in
``build/bench/data/n<documents>-seed<seed>-v<version>[-<shape>]/`` (the shape's version in
SHAPE_VERSIONS) and never made twice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sourcetrace.schema.labels import names

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # the same bytes for these records, only slower

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def word_list(text: str) -> list[str]:
    return text.split()


ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD = ROOT / "build" / "bench"
GENERATOR_VERSION = 1  # bump when the output changes: the cache key
MIN_CHARACTERS, MAX_CHARACTERS = 800, 4000
# The sparse shape of issue 24: texts of about 800 characters (~24 gold mentions each), where
# the per-document and per-span work weighs more than in the default 800-4,000.
SHAPES = {"default": (MIN_CHARACTERS, MAX_CHARACTERS), "sparse": (700, 900)}
# The cache key of each shape's output (bump a shape's when its output changes). Sparse v1 drew
# one length target and rewrote the whole text until it landed in 700-900 characters: about 100
# attempts (0.1 s) a document; v2 writes up to its target and only rarely writes a text again.
SHAPE_VERSIONS = {"default": GENERATOR_VERSION, "sparse": 2}
CLAIM_CLUSTERS = 4000  # a fixed pool, so that clusters repeat across documents at every size
STORY_SIZE = 3  # documents per story_id in the corpus checkout

FIRST_NAMES = word_list(
    """Anna Boris Chen Daria Elena Farid Grace Hyun Igor Jae Kateryna Lena Mikhail Nadia
Oleg Park Quentin Rustam Sergei Tetiana Umar Viktor Wen Yulia Zoran Antony Maria Dmitry Olena
Kim Lloyd Hanna Andriy Natalia Pavel Sophie Tomas Irina Yong"""
)
LAST_NAMES = word_list(
    """Shoigu Blinken Kovalenko Petrov Lee Choi Ivanova Melnyk Austin Kuleba Zhang Novak
Shevchenko Sokolov Bondar Yoon Hartley Moreno Okafor Lindqvist Tkachenko Orlov Han Romanenko Vance
Morozov Baek Kravets Whitfield Sato Hale Rudenko Nam Volkov Marsh Fedorov Kwon Gallo"""
)
ROLES = [
    "defence minister",
    "foreign minister",
    "spokesman",
    "spokeswoman",
    "analyst",
    "commander",
    "envoy",
    "official",
    "general",
    "diplomat",
    "correspondent",
    "researcher",
]
NORP = word_list(
    """Russian Ukrainian Korean American British Chinese European Western Iranian Polish
Japanese German French Belarusian"""
)
NORP_MULTI = ["North Korean", "South Korean"]
GPE = word_list(
    """Ukraine Russia Pyongyang Moscow Kyiv Seoul Washington London Beijing Tehran Bakhmut Kharkiv
Odesa Rostov Taganrog Kherson Donetsk Warsaw Berlin Paris Tokyo Minsk Zaporizhzhia Belgorod
Crimea Brussels Vladivostok Lviv Dnipro Mariupol"""
)
GPE_MULTI = ["North Korea", "South Korea", "the United States", "the Rostov region"]
LOC = [
    "the Black Sea",
    "the Sea of Azov",
    "the Korean Peninsula",
    "the Donbas",
    "the front line",
    "the Dnipro river",
    "the eastern front",
    "the Pacific coast",
]
ORG = [
    "Financial Times",
    "Reuters",
    "Associated Press",
    "Kyiv Independent",
    "Korea Herald",
    "Moscow Times",
    "KCNA",
    "NATO",
    "United Nations",
    "Pentagon",
    "Kremlin",
    "Wagner Group",
    "Daily Ledger",
    "Northern Courier",
    "Institute for the Study of War",
]
ORG_PATTERNS = ["{gpe} defence ministry", "{gpe} foreign ministry", "{gpe} general staff"]
FAC = ["the port of {gpe}", "{gpe} airport", "the {gpe} railway station", "the Kumsusan Palace"]
WEAPONS = [
    "KN-23",
    "KN-24",
    "Hwasong-17",
    "Iskander missiles",
    "Grad rockets",
    "artillery shells",
    "ballistic missiles",
    "Shahed drones",
    "multiple-launch rocket systems",
]
EVENTS = ["the Korean War", "the full-scale invasion", "the {gpe} summit", "the armistice parade"]
MONTHS = word_list(
    """January February March April May June July August September October November
December"""
)
NUMBERS = word_list("""two three four five six ten dozens hundreds""")
FILLER = word_list(
    """the a of in on at for with from by and or but as after before during about against
between into over under while new old first last several many some other such more most its their
this that these those year years week weeks day days month months time people forces troops
soldiers rockets missiles shells weapons arms supplies shipments ammunition artillery war conflict
fighting attack attacks strike strikes city region border area positions front talks visit
meeting report reports statement images video photos evidence officials sources experts analysts
government ministry army military country countries state leaders deal deals sanctions support
aid production factory factories trade exports delivery deliveries route routes launch launches
test tests range systems equipment stockpiles stocks reserves was were had has have been being is
are will would could may might also still already again later earlier recently reportedly
allegedly widely openly quickly slowly heavy large small major recent several eastern western
southern northern local foreign military secret public official"""
)
CUES = ["said", "told reporters", "stated", "claimed", "warned", "reported", "added"]
NEGATIONS = ["did not", "has not", "denied that", "never"]
CERTAINTY = ["certain", "probable", "possible", "underspecified"]
ENTITY_TYPES = tuple(names("entity_types"))  # schema/labels.json, the one inventory
MENTION_WEIGHTS = {  # how often each kind of mention is put in a sentence
    "PERSON": 14,
    "ORG": 10,
    "GPE": 16,
    "LOC": 3,
    "FAC": 3,
    "NORP": 8,
    "WEAPON": 8,
    "EVENT": 3,
    "DATE": 7,
    "TIME": 2,
    "QUANTITY": 6,
}


def slug(words: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in words.lower()).strip("-")


@dataclass
class Mention:
    """A gold entity mention over words first..last (inclusive)."""

    first: int
    last: int
    type: str
    mention: str
    entity: str


@dataclass
class Claim:
    first: int
    last: int
    polarity: str
    certainty: str
    checkworthy: bool
    cluster: str


@dataclass
class Attribution:
    source: Any  # ("mention", index) | ("span", first, last) | None
    cue: tuple[int, int] | None  # word range
    content: tuple[int, int]
    claims: list[int]
    type: str
    nested_in: int | None = None


@dataclass
class Document:
    """A text being written word by word, with the word offsets and the gold items on them."""

    rng: random.Random
    parts: list[str] = field(default_factory=list)
    length: int = 0
    words: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    capitalize: bool = True
    glue: bool = False  # the next word follows without a space (after an opening quote)
    last_person: str | None = None

    def word(self, token: str) -> int:
        if self.capitalize:
            token = token[0].upper() + token[1:]
            self.capitalize = False
        if self.length and not self.glue:
            self.parts.append(" ")
            self.length += 1
        self.glue = False
        start = self.length
        self.parts.append(token)
        self.length += len(token)
        self.words.append((start, self.length))
        return len(self.words) - 1

    def phrase(self, text: str) -> tuple[int, int]:
        indices = [self.word(token) for token in text.split()]
        return indices[0], indices[-1]

    def punctuation(self, mark: str) -> None:
        self.parts.append(mark)
        self.length += len(mark)

    def open_quote(self) -> None:
        if self.length and not self.glue:
            self.parts.append(" ")
            self.length += 1
        self.punctuation('"')
        self.glue = True

    def end_sentence(self, mark: str = ".") -> None:
        self.punctuation(mark)
        self.capitalize = True

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.words[first][0], self.words[last][1]


# ---------------------------------------------------------------- mentions


def add_mention(doc: Document, kind: str) -> int:
    """Write a mention of ``kind`` (and any mention nested in it); the index of the outer one."""
    rng = doc.rng
    if kind == "PERSON":
        if doc.last_person and rng.random() < 0.08:
            first = doc.word(rng.choice(["he", "she", "they"]))
            doc.mentions.append(Mention(first, first, "PERSON", "pronoun", doc.last_person))
            return len(doc.mentions) - 1
        if doc.last_person and rng.random() < 0.25:
            norp = rng.choice(NORP)
            first, _ = doc.phrase("the")
            inner = doc.word(norp)
            doc.mentions.append(Mention(inner, inner, "NORP", "name", slug(norp)))
            _, last = doc.phrase(rng.choice(ROLES))
            doc.mentions.append(Mention(first, last, "PERSON", "nominal", doc.last_person))
            return len(doc.mentions) - 1
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        doc.last_person = "person-" + slug(name)
        first, last = doc.phrase(name)
        doc.mentions.append(Mention(first, last, "PERSON", "name", doc.last_person))
        return len(doc.mentions) - 1
    if kind == "ORG":
        if rng.random() < 0.3:
            gpe = rng.choice(GPE)
            pattern = rng.choice(ORG_PATTERNS)
            first, last = doc.phrase(pattern.format(gpe=gpe))
            doc.mentions.append(Mention(first, first, "GPE", "name", slug(gpe)))
            doc.mentions.append(Mention(first, last, "ORG", "name", slug(pattern.format(gpe=gpe))))
            return len(doc.mentions) - 1
        name = rng.choice(ORG)
        if rng.random() < 0.5 and name not in ("Reuters", "KCNA", "NATO"):
            doc.word("the")
        first, last = doc.phrase(name)
        doc.mentions.append(Mention(first, last, "ORG", "name", slug(name)))
        return len(doc.mentions) - 1
    if kind in ("FAC", "EVENT"):
        pattern = rng.choice(FAC if kind == "FAC" else EVENTS)
        gpe = rng.choice(GPE)
        before = len(doc.words)
        first, last = doc.phrase(pattern.format(gpe=gpe))
        if "{gpe}" in pattern:
            inner = before + pattern.split().index("{gpe}")
            doc.mentions.append(Mention(inner, inner, "GPE", "name", slug(gpe)))
        doc.mentions.append(Mention(first, last, kind, "name", slug(pattern.format(gpe=gpe))))
        return len(doc.mentions) - 1
    if kind == "WEAPON" and rng.random() < 0.3:
        # a count before the weapon: nested (weapon after the count) or crossing spans
        number = str(rng.randint(2, 400))
        more = doc.word("more")
        doc.word("than")
        count = doc.word(number)
        weapon = rng.choice(WEAPONS[3:])
        _, last = doc.phrase(weapon)
        doc.mentions.append(Mention(more, count, "QUANTITY", "name", "quantity-" + number))
        starts_at_count = rng.random() < 0.3  # "400 Grad rockets" crosses "more than 400"
        first = count if starts_at_count else count + 1
        doc.mentions.append(Mention(first, last, "WEAPON", "name", slug(weapon)))
        return len(doc.mentions) - 1
    if kind == "DATE":
        choice = rng.random()
        if choice < 0.5:
            text = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2024)}"
        elif choice < 0.8:
            text = rng.choice(["last week", "on Saturday", "on Monday", "this week", "last month"])
        else:
            text = f"{rng.choice(MONTHS)} {rng.randint(2019, 2024)}"
        entity = "date-" + slug(text)
    elif kind == "TIME":
        text = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        entity = "time-" + text.replace(":", "")
    elif kind == "QUANTITY":
        text = rng.choice(NUMBERS) if rng.random() < 0.5 else f"about {rng.randint(2, 900)}"
        entity = "quantity-" + slug(text)
    else:
        pool = {
            "GPE": (GPE, GPE_MULTI),
            "NORP": (NORP, NORP_MULTI),
            "LOC": (LOC, LOC),
            "WEAPON": (WEAPONS, WEAPONS),
        }[kind]
        text = rng.choice(pool[0] if rng.random() < 0.8 else pool[1])
        entity = slug(text)
    first, last = doc.phrase(text)
    doc.mentions.append(Mention(first, last, kind, "name", entity))
    return len(doc.mentions) - 1


def random_kind(rng: random.Random) -> str:
    return rng.choices(list(MENTION_WEIGHTS), weights=list(MENTION_WEIGHTS.values()))[0]


def filler(doc: Document, count: int) -> None:
    for _ in range(count):
        doc.word(doc.rng.choice(FILLER))


def clause(doc: Document, mentions: int) -> tuple[int, int]:
    """Filler words with ``mentions`` mentions among them; the word range written."""
    rng = doc.rng
    first = len(doc.words)
    for index in range(mentions):
        filler(doc, rng.randint(1 if index or first else 2, 5))
        add_mention(doc, random_kind(rng))
        if rng.random() < 0.15:
            doc.punctuation(",")
    filler(doc, rng.randint(2, 6))
    return first, len(doc.words) - 1


def source_mention(doc: Document) -> int:
    return add_mention(doc, "PERSON" if doc.rng.random() < 0.6 else "ORG")


def new_claim(doc: Document, words: tuple[int, int]) -> int:
    rng = doc.rng
    doc.claims.append(
        Claim(
            words[0],
            words[1],
            "negative" if rng.random() < 0.15 else "positive",
            rng.choices(CERTAINTY, weights=[6, 2, 1, 1])[0],
            rng.random() < 0.7,
            f"k{int(rng.paretovariate(1.2) * 7) % CLAIM_CLUSTERS}",
        )
    )
    return len(doc.claims) - 1


def content_clause(doc: Document) -> tuple[int, int]:
    if doc.rng.random() < 0.15:
        first, _ = doc.phrase(doc.rng.choice(NEGATIONS))
        _, last = clause(doc, doc.rng.randint(1, 2))
        return first, last
    return clause(doc, doc.rng.randint(1, 2))


def sentence(doc: Document) -> None:
    """One sentence: plain, a claim in the article's voice, or reported speech."""
    rng = doc.rng
    draw = rng.random()
    if draw < 0.55:
        clause(doc, rng.randint(1, 2))
        doc.end_sentence()
    elif draw < 0.65:  # the article's own voice
        words = clause(doc, rng.randint(1, 2))
        claim = new_claim(doc, words)
        if rng.random() < 0.5:
            doc.attributions.append(Attribution(None, None, words, [claim], "indirect"))
        doc.end_sentence()
    elif draw < 0.78:  # SOURCE said CONTENT.
        source = source_mention(doc)
        cue = doc.phrase(rng.choice(CUES))
        if rng.random() < 0.4:
            doc.word("that")
        words = content_clause(doc)
        claim = new_claim(doc, words)
        doc.attributions.append(Attribution(("mention", source), cue, words, [claim], "indirect"))
        doc.end_sentence()
    elif draw < 0.85:  # According to SOURCE, CONTENT.
        cue = doc.phrase("according to")
        source = source_mention(doc)
        doc.punctuation(",")
        words = content_clause(doc)
        claim = new_claim(doc, words)
        doc.attributions.append(Attribution(("mention", source), cue, words, [claim], "indirect"))
        doc.end_sentence()
    elif draw < 0.92:  # "CONTENT," SOURCE said.
        doc.open_quote()
        doc.capitalize = True
        words = content_clause(doc)
        doc.punctuation(',"')
        source = source_mention(doc)
        cue = doc.phrase(rng.choice(CUES[:3]))
        claim = new_claim(doc, words)
        doc.attributions.append(Attribution(("mention", source), cue, words, [claim], "direct"))
        doc.end_sentence()
    elif draw < 0.96:  # OUTER reported that INNER said CONTENT.
        outer_source = source_mention(doc)
        outer_cue = doc.phrase("reported that")
        inner_source = source_mention(doc)
        first = doc.mentions[inner_source].first
        inner_cue = doc.phrase(rng.choice(CUES[:4]))
        words = content_clause(doc)
        claim = new_claim(doc, words)
        outer = len(doc.attributions)
        doc.attributions.append(
            Attribution(
                ("mention", outer_source), outer_cue, (first, words[1]), [claim], "indirect"
            )
        )
        doc.attributions.append(
            Attribution(("mention", inner_source), inner_cue, words, [claim], "indirect", outer)
        )
        doc.end_sentence()
    else:  # a source that is not an entity: "Officials in Kyiv said CONTENT."
        first = doc.word(rng.choice(["officials", "residents", "witnesses", "analysts"]))
        doc.word("in")
        last = add_mention(doc, "GPE")
        source = ("span", first, doc.mentions[last].last)
        cue = doc.phrase(rng.choice(CUES[:4]))
        words = content_clause(doc)
        claim = new_claim(doc, words)
        doc.attributions.append(Attribution(source, cue, words, [claim], "indirect"))
        doc.end_sentence()


def write_document(rng: random.Random, shape: str = "default") -> Document:
    """A text of the shape's MIN..MAX characters: a title line, a blank line, the body."""
    least, most = SHAPES[shape]
    if shape == "default":  # sentences up to 200 characters short of a target
        written_to = rng.randint(least + 200, most) - 200
    else:  # sentences up to a target of least..most-100 (about 800 characters on average)
        written_to = rng.randint(least, most - 100)
    while True:
        doc = Document(rng)
        clause(doc, 1)
        doc.punctuation("\n\n")
        doc.capitalize = doc.glue = True
        while doc.length < written_to:
            sentence(doc)
        if least <= doc.length <= most:
            return doc


# ---------------------------------------------------------------- records


def span_fields(doc: Document, text: str, first: int, last: int) -> dict[str, Any]:
    start, end = doc.span(first, last)
    return {"start": start, "end": end, "text": text[start:end]}


def gold_record(doc: Document, doc_id: str, text: str, sha: str) -> dict[str, Any]:
    order = sorted(
        range(len(doc.mentions)), key=lambda i: (doc.mentions[i].first, -doc.mentions[i].last)
    )
    mention_id = {old: f"e{new + 1}" for new, old in enumerate(order)}
    entities = [
        {
            "id": mention_id[i],
            **span_fields(doc, text, doc.mentions[i].first, doc.mentions[i].last),
            "type": doc.mentions[i].type,
            "mention": doc.mentions[i].mention,
            "entity": doc.mentions[i].entity,
        }
        for i in order
    ]
    claims = [
        {
            "id": f"c{i + 1}",
            **span_fields(doc, text, c.first, c.last),
            "polarity": c.polarity,
            "certainty": c.certainty,
            "checkworthy": c.checkworthy,
            "cluster": c.cluster,
        }
        for i, c in enumerate(doc.claims)
    ]
    attributions = []
    for i, a in enumerate(doc.attributions):
        if a.source is None:
            source = None
        elif a.source[0] == "mention":
            source = {"mention": mention_id[a.source[1]]}
        else:
            source = span_fields(doc, text, a.source[1], a.source[2])
        attributions.append(
            {
                "id": f"a{i + 1}",
                "source": source,
                "cue": None if a.cue is None else span_fields(doc, text, *a.cue),
                "content": {
                    "claims": [f"c{c + 1}" for c in a.claims],
                    **span_fields(doc, text, *a.content),
                },
                "type": a.type,
                "nested_in": None if a.nested_in is None else f"a{a.nested_in + 1}",
            }
        )
    return {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": sha,
        "entities": entities,
        "claims": claims,
        "attributions": attributions,
    }


@dataclass(frozen=True)
class Noise:
    """How a system errs: shares of gold items kept exactly, shifted, retyped, missed."""

    shifted: float
    retyped: float
    missed: float
    spurious: float  # spurious items per gold item
    text_only: float  # spans given by their text only (W3)
    wrong_attribute: float


SYSTEM_A = Noise(
    shifted=0.10, retyped=0.08, missed=0.10, spurious=0.06, text_only=0.15, wrong_attribute=0.15
)
SYSTEM_B = Noise(
    shifted=0.14, retyped=0.10, missed=0.14, spurious=0.08, text_only=0.15, wrong_attribute=0.20
)


def shifted(rng: random.Random, first: int, last: int, words: int) -> tuple[int, int]:
    """The word range with one boundary moved by one word (inside the text)."""
    options = []
    if first < last:
        options += [(first + 1, last), (first, last - 1)]
    if first > 0:
        options.append((first - 1, last))
    if last < words - 1:
        options.append((first, last + 1))
    return rng.choice(options)


def predicted_span(
    doc: Document, text: str, rng: random.Random, words: tuple[int, int], noise: Noise
) -> dict[str, Any]:
    """A predicted span for gold words: exact or shifted, by offsets or by its text only."""
    first, last = words
    if rng.random() < noise.shifted:
        first, last = shifted(rng, first, last, len(doc.words))
    piece = span_fields(doc, text, first, last)
    if rng.random() < noise.text_only:
        return {"text": piece["text"]}
    if rng.random() < 0.5:
        del piece["text"]
    return piece


def prediction_records(
    doc: Document, doc_id: str, text: str, rng: random.Random, noise: Noise
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The W1 prediction (entity offsets only) and the W3 prediction of one system."""
    n_words = len(doc.words)
    w1_entities, w3_entities = [], []
    predicted_of: dict[int, str] = {}  # gold mention index -> predicted entity id
    for index, m in enumerate(doc.mentions):
        draw = rng.random()
        if draw < noise.missed:
            continue
        first, last, kind = m.first, m.last, m.type
        entity = m.entity
        if draw < noise.missed + noise.shifted:
            first, last = shifted(rng, first, last, n_words)
        elif draw < noise.missed + noise.shifted + noise.retyped:
            kind = rng.choice([t for t in ENTITY_TYPES if t != m.type])
            entity = f"x-{kind.lower()}-{rng.randrange(50)}"  # one type per entity id
        if rng.random() < noise.wrong_attribute:
            entity = f"x-{kind.lower()}-{rng.randrange(50)}"
        start, end = doc.span(first, last)
        w1_entities.append({"start": start, "end": end, "type": kind})
        predicted_id = f"p{len(w3_entities) + 1}"
        predicted_of[index] = predicted_id
        item = {"id": predicted_id, "start": start, "end": end, "type": kind}
        if rng.random() < 0.3:
            item["text"] = text[start:end]
        w3_entities.append({**item, "mention": m.mention, "entity": entity})
    for _ in range(round(len(doc.mentions) * noise.spurious)):
        first = rng.randrange(n_words)
        last = min(first + rng.randint(0, 2), n_words - 1)
        start, end = doc.span(first, last)
        kind = rng.choice(ENTITY_TYPES)
        w1_entities.append({"start": start, "end": end, "type": kind})
        w3_entities.append(
            {"id": f"p{len(w3_entities) + 1}", "start": start, "end": end, "type": kind}
        )
    w1_entities.sort(key=lambda e: (e["start"], e["end"]))

    claims, claim_ids = [], {}
    for index, c in enumerate(doc.claims):
        if rng.random() < noise.missed:
            continue
        claim_ids[index] = f"pc{len(claims) + 1}"
        wrong = noise.wrong_attribute
        claims.append(
            {
                "id": claim_ids[index],
                **predicted_span(doc, text, rng, (c.first, c.last), noise),
                "polarity": c.polarity if rng.random() > wrong else "positive",
                "certainty": c.certainty if rng.random() > wrong else rng.choice(CERTAINTY),
                "checkworthy": c.checkworthy if rng.random() > wrong else not c.checkworthy,
                "cluster": c.cluster
                if rng.random() > wrong
                else f"k{rng.randrange(CLAIM_CLUSTERS)}",
            }
        )
    kept = [i for i in range(len(doc.attributions)) if rng.random() >= noise.missed]
    attribution_ids = {i: f"pa{n + 1}" for n, i in enumerate(kept)}
    attributions = []
    for index in kept:
        a = doc.attributions[index]
        if a.source is None:
            source = None
        elif a.source[0] == "mention" and a.source[1] in predicted_of and rng.random() < 0.7:
            source = {"mention": predicted_of[a.source[1]]}
        elif a.source[0] == "mention":
            m = doc.mentions[a.source[1]]
            source = {"text": span_fields(doc, text, m.first, m.last)["text"]}
        else:
            source = predicted_span(doc, text, rng, a.source[1:], noise)
        cue = None
        if a.cue is not None and rng.random() > 0.05:
            cue = predicted_span(doc, text, rng, a.cue, noise)
        content = predicted_span(doc, text, rng, a.content, noise)
        carried = [claim_ids[c] for c in a.claims if c in claim_ids]
        if carried:
            content["claims"] = carried
        attribution = {
            "id": attribution_ids[index],
            "source": source,
            "cue": cue,
            "content": content,
            "type": a.type,
        }
        if a.nested_in is not None:
            attribution["nested_in"] = attribution_ids.get(a.nested_in)
        attributions.append(attribution)
    for _ in range(round(len(doc.attributions) * noise.spurious)):
        m = doc.mentions[rng.randrange(len(doc.mentions))]
        first = rng.randrange(n_words - 1)
        last = min(first + rng.randint(3, 10), n_words - 1)
        attributions.append(
            {
                "source": {"text": span_fields(doc, text, m.first, m.last)["text"]},
                "cue": None,
                "content": span_fields(doc, text, first, last),
            }
        )
    w1 = {"doc_id": doc_id, "entities": w1_entities}
    w3 = {"doc_id": doc_id, "entities": w3_entities, "claims": claims, "attributions": attributions}
    return w1, w3


def document_metadata(
    doc_id: str, index: int, text: str, sha: str, rng: random.Random
) -> dict[str, Any]:
    """The annotations/documents.json record of a synthetic document (for a corpus checkout)."""
    title_end = text.index("\n")
    body_start = title_end + 2
    return {
        "doc_id": doc_id,
        "seed_file": f"{index:06d}_{sha[:16]}.txt",
        "text_sha256": sha,
        "title": text[:title_end],
        "outlet": rng.choice(ORG[:6]),
        "author": None,
        "url": None,
        "published": f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "date_source": "stated",
        "date_note": None,
        "language": "en",
        "story_id": f"story-{index // STORY_SIZE:06d}",
        "zones": [
            {"start": 0, "end": title_end, "kind": "title"},
            {"start": body_start, "end": len(text), "kind": "body"},
        ],
    }


FILES = ("w1-gold", "w1-pred", "w3-gold", "w3-pred", "w3-pred-b", "documents")


def document_lines(
    seed: int, index: int, shape: str = "default"
) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every file's line for document ``index`` (no newline), from its own random streams, and
    what the document holds."""
    doc = write_document(random.Random(f"{seed}:{index}:text"), shape)
    text = doc.text
    doc_id = f"syn-{index:06d}"
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    gold = gold_record(doc, doc_id, text, sha)
    w1_pred, w3_pred = prediction_records(
        doc, doc_id, text, random.Random(f"{seed}:{index}:a"), SYSTEM_A
    )
    _, w3_pred_b = prediction_records(
        doc, doc_id, text, random.Random(f"{seed}:{index}:b"), SYSTEM_B
    )
    meta = document_metadata(doc_id, index, text, sha, random.Random(f"{seed}:{index}:meta"))
    counts = {
        "characters": len(text),
        "entities": len(doc.mentions),
        "claims": len(doc.claims),
        "attributions": len(doc.attributions),
        "predicted_entities": len(w1_pred["entities"]),
    }
    return {
        "w1-gold": dumps({**gold, "claims": [], "attributions": []}),
        "w1-pred": dumps(w1_pred),
        "w3-gold": dumps(gold),
        "w3-pred": dumps(w3_pred),
        "w3-pred-b": dumps(w3_pred_b),
        "documents": dumps(meta),
    }, counts


def _chunk(
    arguments: tuple[int, int, int, str],
) -> list[tuple[dict[str, bytes], dict[str, int]]]:
    seed, start, stop, shape = arguments
    return [document_lines(seed, index, shape) for index in range(start, stop)]


# ---------------------------------------------------------------- the cached data set


@dataclass(frozen=True)
class DataSet:
    """The files of one generated set (JSON Lines, one line per document, same order)."""

    folder: Path
    documents: int
    seed: int

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.jsonl"

    @property
    def counts(self) -> dict[str, Any]:
        return json.loads((self.folder / "meta.json").read_text())


def data_folder(build: Path, documents: int, seed: int, shape: str = "default") -> Path:
    suffix = "" if shape == "default" else f"-{shape}"
    return Path(build) / "data" / f"n{documents}-seed{seed}-v{SHAPE_VERSIONS[shape]}{suffix}"


def ensure_data(
    documents: int,
    seed: int = 0,
    build: Path = DEFAULT_BUILD,
    processes: int | None = None,
    shape: str = "default",
) -> DataSet:
    """The data set of ``documents`` documents, generated once (in parallel), then cached."""
    folder = data_folder(build, documents, seed, shape)
    if (folder / "meta.json").is_file():
        return DataSet(folder, documents, seed)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    handles = {name: open(partial / f"{name}.jsonl", "wb") for name in FILES}  # noqa: SIM115
    counts = {
        "documents": documents,
        "characters": 0,
        "entities": 0,
        "claims": 0,
        "attributions": 0,
        "predicted_entities": 0,
    }
    step = 500
    chunks = [
        (seed, start, min(start + step, documents), shape) for start in range(0, documents, step)
    ]
    processes = processes or min(os.cpu_count() or 1, 4)
    try:
        with get_context("fork").Pool(processes) as pool:
            for lines in pool.imap(_chunk, chunks):
                for line, held in lines:
                    for name, data in line.items():
                        handles[name].write(data + b"\n")
                    for key, value in held.items():
                        counts[key] += value
    finally:
        for handle in handles.values():
            handle.close()
    counts["bytes"] = {name: (partial / f"{name}.jsonl").stat().st_size for name in FILES}
    (partial / "meta.json").write_text(json.dumps(counts, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return DataSet(folder, documents, seed)


def read_lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from (line.rstrip(b"\n") for line in handle)


def ensure_predictions_with_texts(data: DataSet, layers: str = "w3") -> Path:
    """Predictions that carry their document's text and sha256, so that `sourcetrace validate`
    checks their offsets on its own (without them it knows only the packaged corpus's texts)."""
    target = data.folder / f"{layers}-pred-with-text.jsonl"
    if target.is_file():
        return target
    temporary = target.with_suffix(".partial")
    gold_lines = read_lines(data.path(f"{layers}-gold"))
    with open(temporary, "wb") as out:
        for gold_line, pred_line in zip(
            gold_lines, read_lines(data.path(f"{layers}-pred")), strict=True
        ):
            gold = json.loads(gold_line)
            pred = json.loads(pred_line)
            record = {
                "doc_id": pred["doc_id"],
                "text": gold["text"],
                "text_sha256": gold["text_sha256"],
                **pred,
            }
            out.write(dumps(record) + b"\n")
    temporary.rename(target)
    return target


def ensure_shards(data: DataSet, name: str, shards: int) -> list[Path]:
    """``name`` cut into ``shards`` files of consecutive documents."""
    folder = data.folder / f"{name}-{shards}-shards"
    paths = [folder / f"shard-{i:02d}.jsonl" for i in range(shards)]
    if folder.is_dir() and all(p.is_file() for p in paths):
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    temporary = folder.with_name(folder.name + ".partial")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    per_shard = -(-data.documents // shards)
    handles = [open(temporary / p.name, "wb") for p in paths]  # noqa: SIM115
    try:
        for index, line in enumerate(read_lines(data.path(name))):
            handles[index // per_shard].write(line + b"\n")
    finally:
        for handle in handles:
            handle.close()
    temporary.rename(folder)
    return paths


def ensure_checkout(data: DataSet) -> Path:
    """A minimal checkout for `sourcetrace corpus build --root`: one seed text, one metadata
    record and one gold file (W3, without its text) per document, this checkout's labels.json
    and CHANGELOG.md. Its corpus/ holds only the CHANGELOG until a build."""
    root = data.folder / "checkout"
    if (root / "annotations" / "documents.json").is_file():
        return root
    temporary = root.with_name("checkout.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    for folder in ("seeds", "annotations/gold", "schema", "corpus"):
        (temporary / folder).mkdir(parents=True)
    shutil.copy(ROOT / "schema" / "labels.json", temporary / "schema" / "labels.json")
    shutil.copy(ROOT / "corpus" / "CHANGELOG.md", temporary / "corpus" / "CHANGELOG.md")
    metadata = []
    pairs = zip(read_lines(data.path("documents")), read_lines(data.path("w3-gold")), strict=True)
    for meta_line, gold_line in pairs:
        meta, gold = json.loads(meta_line), json.loads(gold_line)
        metadata.append(meta)
        (temporary / "seeds" / meta["seed_file"]).write_text(gold.pop("text"), encoding="utf-8")
        gold_path = temporary / "annotations" / "gold" / f"{gold['doc_id']}.json"
        gold_path.write_bytes(dumps(gold) + b"\n")
    (temporary / "annotations" / "documents.json").write_text(
        json.dumps(metadata, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    shutil.rmtree(root, ignore_errors=True)
    temporary.rename(root)
    return root


def reset_checkout_corpus(root: Path) -> None:
    """Remove a previous build's release, so that the next build publishes from scratch."""
    corpus = root / "corpus"
    for name in ("MANIFEST.json", "README.md"):
        (corpus / name).unlink(missing_ok=True)
    shutil.rmtree(corpus / "data", ignore_errors=True)


# ---------------------------------------------------------------- checking a sample


def check_sample(data: DataSet, sample: int = 200) -> bool:
    """Run `sourcetrace validate` on the first ``sample`` records of every kind of file."""
    sourcetrace = Path(sys.executable).with_name("sourcetrace")
    folder = data.folder / "sample"
    folder.mkdir(exist_ok=True)
    ok = True
    for name, kind in (
        ("w1-gold", "annotation"),
        ("w3-gold", "annotation"),
        ("w3-pred-with-text", "prediction"),
        ("documents", "document"),
    ):
        if name == "w3-pred-with-text":
            source = ensure_predictions_with_texts(data)
        else:
            source = data.path(name)
        lines = []
        for line in read_lines(source):
            lines.append(line)
            if len(lines) == sample:
                break
        if name == "documents":  # documents.json records carry no text: validate them complete
            for index, gold_line in enumerate(read_lines(data.path("w3-gold"))):
                if index == len(lines):
                    break
                lines[index] = dumps(
                    {**json.loads(lines[index]), "text": json.loads(gold_line)["text"]}
                )
        path = folder / f"{name}.jsonl"
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        result = subprocess.run(
            [str(sourcetrace), "validate", "--kind", kind, str(path)],
            capture_output=True,
            text=True,
        )
        print((result.stdout or result.stderr).strip()[:2000])
        ok = ok and result.returncode == 0
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--build", type=Path, default=DEFAULT_BUILD)
    parser.add_argument("--check", action="store_true", help="validate a sample of every file")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="default")
    args = parser.parse_args()
    data = ensure_data(args.documents, args.seed, args.build, shape=args.shape)
    print(f"{data.folder}: {json.dumps(data.counts)}")
    if args.check:
        return 0 if check_sample(data) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
