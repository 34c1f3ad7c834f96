# ruff: noqa: E501  (the long strings are verbatim sentences of the seed articles)
"""Blind pass C: turn the annotator's chosen strings into code-point offsets.

Every span is given as a context string (unique in the text, or with an occurrence index) and
an optional sub-string inside it; the finder asserts that each is found exactly where meant.
A space in a pattern matches a space or a no-break space; ' and " match their curly forms.
Specs are listed in the order of work: from the last sentence of each article to the first.
Run: .venv/bin/python annotations/passes/blind-c/build_offsets.py
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEEDS = {
    "st-000": "000_f177e68c088a574d.txt",
    "st-001": "001_786c1e66ba051203.txt",
    "st-002": "002_413ed72e5346771d.txt",
    "st-003": "003_5c0d1201479ab30b.txt",
    "st-004": "004_11b5638fcde7cb3d.txt",
}


def pattern(s: str, whole_words: bool = True) -> str:
    out = []
    for ch in s:
        if ch == " ":
            out.append("[ \u00a0]")
        elif ch == "'":
            out.append("['\u2019]")
        elif ch == '"':
            out.append('["\u201c\u201d]')
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    # whole words only: a pattern that starts or ends with a word character may not be cut
    # out of a longer word ("it" in "military", "Russia" in "Russians")
    if whole_words and s[:1].isalnum():
        body = r"(?<!\w)" + body
    if whole_words and s[-1:].isalnum():
        body = body + r"(?!\w)"
    return body


class Doc:
    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.text = (ROOT / "seeds" / SEEDS[doc_id]).read_text(encoding="utf-8")
        self.entities: list[dict] = []
        self.claims: list[dict] = []
        self.attributions: list[dict] = []

    def loc(
        self,
        ctx: str,
        sub: str | None = None,
        occ: int | None = None,
        subocc: int = 0,
        inword: bool = False,
    ):
        hits = [m.start() for m in re.finditer(pattern(ctx, not inword), self.text)]
        if not hits:
            sys.exit(f"{self.doc_id}: context not found: {ctx!r}")
        if occ is None:
            if len(hits) != 1:
                sys.exit(f"{self.doc_id}: context {ctx!r} occurs {len(hits)} times; give occ")
            occ = 0
        base = hits[occ]
        m = re.compile(pattern(ctx, not inword)).match(self.text, base)
        assert m
        span_text = m.group(0)
        if sub is None:
            start, end = base, base + len(span_text)
        else:
            subs = [x for x in re.finditer(pattern(sub, not inword), span_text)]
            if len(subs) <= subocc:
                sys.exit(f"{self.doc_id}: {sub!r} not in {ctx!r} (occurrence {subocc})")
            start, end = base + subs[subocc].start(), base + subs[subocc].end()
        got = self.text[start:end]
        assert got == got.strip() and got, (self.doc_id, ctx, sub, got)
        return start, end

    def span(self, *a, **k) -> dict:
        s, e = self.loc(*a, **k)
        return {"start": s, "end": e, "text": self.text[s:e]}

    def E(self, ctx, sub, typ, mention, entity, occ=None, subocc=0, inword=False):
        s, e = self.loc(ctx, sub, occ, subocc, inword)
        self.entities.append(
            {
                "start": s,
                "end": e,
                "text": self.text[s:e],
                "type": typ,
                "mention": mention,
                "entity": entity,
            }
        )

    def C(self, key, ctx, pol, cert, rubric, cluster, occ=None, sub=None, inword=False):
        a, b, c, d = rubric
        score = (b + c + d) if a else 0
        s, e = self.loc(ctx, sub, occ, 0, inword)
        self.claims.append(
            {
                "key": key,
                "start": s,
                "end": e,
                "text": self.text[s:e],
                "polarity": pol,
                "certainty": cert,
                "checkworthy": score >= 2,
                "cluster": cluster,
                "rubric": rubric,
                "score": score,
            }
        )

    def A(self, key, source, cue, content, claims, typ, nested=None):
        self.attributions.append(
            {
                "key": key,
                "source": source,
                "cue": cue,
                "content": content,
                "claim_keys": claims,
                "type": typ,
                "nested_key": nested,
            }
        )

    def M(self, *a, **k):
        """A source that is an entity mention: resolved to its id after numbering."""
        return ("mention", self.loc(*a, **k))

    def build(self) -> tuple[dict, list]:
        ents = sorted(self.entities, key=lambda x: (x["start"], -x["end"]))
        seen = set()
        for i, ent in enumerate(ents, 1):
            assert (ent["start"], ent["end"]) not in seen, ent
            seen.add((ent["start"], ent["end"]))
            ent["id"] = f"e{i}"
        by_span = {(x["start"], x["end"]): x["id"] for x in ents}
        claims = sorted(self.claims, key=lambda x: (x["start"], -x["end"]))
        keymap = {}
        table = []
        for i, cl in enumerate(claims, 1):
            cl["id"] = f"c{i}"
            keymap[cl["key"]] = cl["id"]
            table.append((cl["id"], cl["text"], cl["rubric"], cl["score"], cl["checkworthy"]))
        atts = sorted(
            self.attributions,
            key=lambda x: (x["content"]["start"], 0 if x["nested_key"] is None else 1),
        )
        akeys = {}
        for i, at in enumerate(atts, 1):
            at["id"] = f"a{i}"
            akeys[at["key"]] = at["id"]
        out_atts = []
        for at in atts:
            src = at["source"]
            if isinstance(src, tuple):
                src = {"mention": by_span[src[1]]}
            content = dict(at["content"])
            content["claims"] = [keymap[k] for k in at["claim_keys"]]
            for cid in content["claims"]:
                cl = next(c for c in claims if c["id"] == cid)
                assert content["start"] <= cl["start"] and cl["end"] <= content["end"], (at, cl)
            out_atts.append(
                {
                    "id": at["id"],
                    "source": src,
                    "cue": at["cue"],
                    "content": content,
                    "type": at["type"],
                    "nested_in": akeys[at["nested_key"]] if at["nested_key"] else None,
                }
            )
        order = ["id", "start", "end", "text", "type", "mention", "entity"]
        out = {
            "doc_id": self.doc_id,
            "text_sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            "entities": [{k: e[k] for k in order} for e in ents],
            "claims": [
                {
                    k: c[k]
                    for k in [
                        "id",
                        "start",
                        "end",
                        "text",
                        "polarity",
                        "certainty",
                        "checkworthy",
                        "cluster",
                    ]
                }
                for c in claims
            ],
            "attributions": out_atts,
        }
        return out, table


DOCS: list[Doc] = []


# ------------------------------------------------------------------ st-004 (worked last sentence first)
d = Doc("st-004")
DOCS.append(d)
# S10  North Korea's state news agency, KCNA, reported on Jan. 21 that ... near future.
s10 = "North Korea's state news agency, KCNA, reported on Jan. 21 that Russian dictator Vladimir Putin is planning to visit North Korea in the near future"
d.E(s10, "North Korea", "GPE", "name", "north-korea", subocc=0)
d.E(s10, "state news agency", "ORG", "nominal", "korean-central-news-agency")
d.E(s10, "KCNA", "ORG", "name", "korean-central-news-agency")
d.E(s10, "Jan. 21", "DATE", "name", "2024-01-21")
d.E(s10, "Russian", "NORP", "name", "russian")
d.E(s10, "Vladimir Putin", "PERSON", "name", "vladimir-putin")
d.E(s10, "North Korea", "GPE", "name", "north-korea", subocc=1)
d.C(
    "putin-visit",
    "Russian dictator Vladimir Putin is planning to visit North Korea in the near future",
    "positive",
    "certain",
    (1, 1, 0, 1),
    "putin-plans-visit-north-korea",
)
d.A(
    "a-kcna",
    d.M(s10, "KCNA"),
    d.span(s10, "reported"),
    d.span("Russian dictator Vladimir Putin is planning to visit North Korea in the near future"),
    ["putin-visit"],
    "indirect",
)
# S9  South Korea warned on Jan. 11 that ...
s9 = "South Korea warned on Jan. 11 that its northern neighbor may also sell Russia new types of tactical guided missiles as the two countries strengthen their military cooperation"
d.E(s9, "South Korea", "GPE", "name", "south-korea")
d.E(s9, "Jan. 11", "DATE", "name", "2024-01-11")
d.E(s9, "its", "GPE", "pronoun", "south-korea")
d.E(s9, "northern neighbor", "GPE", "nominal", "north-korea")
d.E(s9, "Russia", "GPE", "name", "russia")
d.E(s9, "tactical guided missiles", "WEAPON", "nominal", "tactical-guided-missile")
d.E(s9, "two countries", "GPE", "nominal", "north-korea-and-russia")
d.E(s9, "their", "GPE", "pronoun", "north-korea-and-russia")
d.C(
    "sell-tactical",
    "its northern neighbor may also sell Russia new types of tactical guided missiles",
    "positive",
    "possible",
    (1, 1, 1, 0),
    "nk-may-sell-russia-tactical-guided-missiles",
)
d.C(
    "strengthen",
    "the two countries strengthen their military cooperation",
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-russia-strengthen-military-cooperation",
)
d.A(
    "a-sk",
    d.M(s9, "South Korea"),
    d.span(s9, "warned"),
    d.span(
        s9,
        "its northern neighbor may also sell Russia new types of tactical guided missiles as the two countries strengthen their military cooperation",
    ),
    ["sell-tactical", "strengthen"],
    "indirect",
)
# S8  South Korean officials and analysts are concerned that ...
s8 = 'South Korean officials and analysts are concerned that Ukraine is becoming a testing ground for North Korean missiles, allowing Pyongyang to "see how its new missile arsenal, designed for a conflict with South Korea and the U.S., fares against Western-designed air defenses'
d.E(s8, "South Korean", "NORP", "name", "south-korean")
d.E(s8, "South Korean officials", "PERSON", "nominal", "south-korean-officials")
d.E(s8, "analysts", "PERSON", "nominal", "south-korean-analysts")
d.E(s8, "Ukraine", "GPE", "name", "ukraine")
d.E(s8, "North Korean", "NORP", "name", "north-korean")
d.E(s8, "North Korean missiles", "WEAPON", "nominal", "nk-missiles-used-by-russia")
d.E(s8, "Pyongyang", "GPE", "name", "north-korea")
d.E(s8, "its", "GPE", "pronoun", "north-korea")
d.E(s8, "new missile arsenal", "WEAPON", "nominal", "nk-missile-arsenal")
d.E(s8, "South Korea", "GPE", "name", "south-korea")
d.E(s8, "U.S.", "GPE", "name", "united-states")
d.E(s8, "Western", "NORP", "name", "western")
d.E(s8, "Western-designed air defenses", "WEAPON", "nominal", "western-air-defenses")
d.C(
    "testing-ground",
    "Ukraine is becoming a testing ground for North Korean missiles",
    "positive",
    "probable",
    (1, 1, 1, 1),
    "ukraine-testing-ground-nk-missiles",
)
d.C(
    "allowing",
    'allowing Pyongyang to "see how its new missile arsenal, designed for a conflict with South Korea and the U.S., fares against Western-designed air defenses',
    "positive",
    "probable",
    (0, 1, 0, 0),
    "nk-tests-arsenal-against-western-air-defenses",
)
d.A(
    "a-skoff",
    d.span(s8, "South Korean officials and analysts"),
    d.span(s8, "concerned"),
    d.span(
        s8,
        'Ukraine is becoming a testing ground for North Korean missiles, allowing Pyongyang to "see how its new missile arsenal, designed for a conflict with South Korea and the U.S., fares against Western-designed air defenses',
    ),
    ["testing-ground", "allowing"],
    "mixed",
)
# S7  "So far, fewer than 50 ...," the New York Times said.
s7 = '"So far, fewer than 50 appear to have been transferred to Russia, but there could be far more to come," the New York Times said'
d.E(s7, "fewer than 50", "QUANTITY", "name", "fewer-than-50")
d.E(s7, "Russia", "GPE", "name", "russia")
d.E(s7, "New York Times", "ORG", "name", "new-york-times")
d.C(
    "fewer50",
    "So far, fewer than 50 appear to have been transferred to Russia",
    "positive",
    "probable",
    (1, 1, 1, 1),
    "fewer-than-50-nk-missiles-transferred",
)
d.C(
    "more-to-come",
    "there could be far more to come",
    "positive",
    "possible",
    (0, 1, 0, 0),
    "more-nk-missiles-could-come",
)
d.A(
    "a-nyt3",
    d.M(s7, "New York Times"),
    d.span(s7, "said"),
    d.span(
        "So far, fewer than 50 appear to have been transferred to Russia, but there could be far more to come"
    ),
    ["fewer50", "more-to-come"],
    "direct",
)
# S6  As reported both by Kyiv and Washington, Russia also used ...
s6 = "As reported both by Kyiv and Washington, Russia also used North Korean ballistic missiles against Ukraine for the first time in strikes against Kharkiv on Jan. 2"
d.E(s6, "Kyiv", "GPE", "name", "ukraine")
d.E(s6, "Washington", "GPE", "name", "united-states")
d.E(s6, "Russia", "GPE", "name", "russia")
d.E(s6, "North Korean", "NORP", "name", "north-korean")
d.E(s6, "North Korean ballistic missiles", "WEAPON", "nominal", "nk-missiles-used-by-russia")
d.E(s6, "Ukraine", "GPE", "name", "ukraine")
d.E(s6, "strikes", "EVENT", "nominal", "strikes-on-kharkiv-2024-01-02")
d.E(s6, "Kharkiv", "GPE", "name", "kharkiv")
d.E(s6, "Jan. 2", "DATE", "name", "2024-01-02")
d.C(
    "first-use",
    "Russia also used North Korean ballistic missiles against Ukraine for the first time in strikes against Kharkiv on Jan. 2",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-first-used-nk-ballistic-missiles-kharkiv-jan-2",
)
d.A(
    "a-kyivwash",
    d.span(s6, "Kyiv and Washington"),
    d.span(s6, "reported"),
    d.span(
        "Russia also used North Korean ballistic missiles against Ukraine for the first time in strikes against Kharkiv on Jan. 2"
    ),
    ["first-use"],
    "indirect",
)
# S5  The effectiveness of North Korean missiles is worrying ... the newspaper said.
s5 = "The effectiveness of North Korean missiles is worrying Western officials, however, as research suggests they have been designed quite recently and are proving to be relatively accurate, the newspaper said"
d.E(s5, "North Korean", "NORP", "name", "north-korean")
d.E(s5, "North Korean missiles", "WEAPON", "nominal", "nk-missiles-used-by-russia")
d.E(s5, "Western", "NORP", "name", "western")
d.E(s5, "Western officials", "PERSON", "nominal", "western-officials")
d.E(s5, "they", "WEAPON", "pronoun", "nk-missiles-used-by-russia")
d.E(s5, "newspaper", "ORG", "nominal", "new-york-times")
d.C(
    "worrying",
    "The effectiveness of North Korean missiles is worrying Western officials",
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-missiles-worry-western-officials",
)
d.C(
    "designed-recently",
    "they have been designed quite recently",
    "positive",
    "probable",
    (1, 1, 0, 1),
    "nk-missiles-designed-recently",
)
d.C(
    "accurate",
    "are proving to be relatively accurate",
    "positive",
    "probable",
    (1, 1, 1, 1),
    "nk-missiles-relatively-accurate",
)
d.A(
    "a-nyt2",
    d.M(s5, "newspaper"),
    d.span(s5, "said"),
    d.span(
        s5,
        "The effectiveness of North Korean missiles is worrying Western officials, however, as research suggests they have been designed quite recently and are proving to be relatively accurate",
    ),
    ["worrying", "designed-recently", "accurate"],
    "indirect",
)
d.A(
    "a-research",
    d.span(s5, "research"),
    d.span(s5, "suggests"),
    d.span(s5, "they have been designed quite recently and are proving to be relatively accurate"),
    ["designed-recently", "accurate"],
    "indirect",
    nested="a-nyt2",
)
# S4  "Though many of the North Korean artillery rounds ..." the New York Times said.
s4 = '"Though many of the North Korean artillery rounds are proving to be duds," having been manufactured decades ago, "they\'re giving the Russians something to fire while Ukraine\'s military rations its own dwindling supply of munitions," the New York Times said'
d.E(s4, "North Korean", "NORP", "name", "north-korean")
d.E(s4, "North Korean artillery rounds", "WEAPON", "nominal", "nk-artillery-rounds")
d.E(s4, "decades ago", "DATE", "nominal", "decades-ago")
d.E(s4, "they", "WEAPON", "pronoun", "nk-artillery-rounds")
d.E(s4, "Russians", "NORP", "name", "russian")
d.E(s4, "Ukraine", "GPE", "name", "ukraine")
d.E(s4, "military", "ORG", "nominal", "ukrainian-military")
d.E(s4, "its", "ORG", "pronoun", "ukrainian-military")
d.E(s4, "munitions", "WEAPON", "nominal", "ukrainian-munitions")
d.E(s4, "New York Times", "ORG", "name", "new-york-times")
d.C(
    "duds",
    "many of the North Korean artillery rounds are proving to be duds",
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-artillery-rounds-duds",
)
d.C(
    "manufactured",
    "having been manufactured decades ago",
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-artillery-rounds-made-decades-ago",
)
d.C(
    "something-to-fire",
    "they're giving the Russians something to fire",
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-rounds-give-russians-something-to-fire",
)
d.C(
    "rations",
    "Ukraine's military rations its own dwindling supply of munitions",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "ukraine-rations-dwindling-munitions",
)
d.A(
    "a-nyt1",
    d.M(s4, "New York Times"),
    d.span(s4, "said"),
    d.span(
        s4,
        "Though many of the North Korean artillery rounds are proving to be duds,\" having been manufactured decades ago, \"they're giving the Russians something to fire while Ukraine's military rations its own dwindling supply of munitions",
    ),
    ["duds", "manufactured", "something-to-fire", "rations"],
    "mixed",
)
# S3  Russia has sought military assistance ... as it struggles ...
s3 = "Russia has sought military assistance from countries such as North Korea as it struggles to keep up with the level of production of its weapons and munitions needed to continue attacking Ukraine"
d.E(s3, "Russia", "GPE", "name", "russia")
d.E(s3, "North Korea", "GPE", "name", "north-korea")
d.E(s3, "it", "GPE", "pronoun", "russia", subocc=0)
d.E(s3, "its", "GPE", "pronoun", "russia")
d.E(s3, "weapons", "WEAPON", "nominal", "russian-weapons")
d.E(s3, "munitions", "WEAPON", "nominal", "russian-munitions")
d.E(s3, "Ukraine", "GPE", "name", "ukraine")
d.C(
    "sought",
    "Russia has sought military assistance from countries such as North Korea",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-sought-military-assistance-from-nk",
)
d.C(
    "struggles",
    "it struggles to keep up with the level of production of its weapons and munitions needed to continue attacking Ukraine",
    "positive",
    "certain",
    (1, 1, 0, 1),
    "russia-struggles-weapons-production",
)
# S2b According to Ukrainian military intelligence chief Kyrylo Budanov, ...
s2b = "According to Ukrainian military intelligence chief Kyrylo Budanov, North Korea is now Russia's largest arms supplier"
d.E(s2b, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s2b, "Kyrylo Budanov", "PERSON", "name", "kyrylo-budanov")
d.E(s2b, "North Korea", "GPE", "name", "north-korea")
d.E(s2b, "Russia", "GPE", "name", "russia")
d.C(
    "largest-supplier",
    "North Korea is now Russia's largest arms supplier",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-russia-largest-arms-supplier",
)
d.A(
    "a-budanov",
    d.M(s2b, "Kyrylo Budanov"),
    d.span(s2b, "According to"),
    d.span("North Korea is now Russia's largest arms supplier"),
    ["largest-supplier"],
    "indirect",
)
# S2a Moscow and Pyongyang have significantly increased their military ties ...
s2a = "Moscow and Pyongyang have significantly increased their military ties since the beginning of the full-scale invasion of Ukraine in February 2022"
d.E(s2a, "Moscow", "GPE", "name", "russia")
d.E(s2a, "Pyongyang", "GPE", "name", "north-korea")
d.E(s2a, "their", "GPE", "pronoun", "north-korea-and-russia")
d.E(s2a, "full-scale invasion", "EVENT", "nominal", "russian-invasion-of-ukraine")
d.E(s2a, "Ukraine", "GPE", "name", "ukraine")
d.E(s2a, "February 2022", "DATE", "name", "2022-02")
d.C(
    "ties",
    s2a,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-russia-military-ties-increased-since-invasion",
)
# S1  Russia used more North Korean missiles ... the New York Times reported in its Jan. 23 morning briefing.
s1 = 'Russia used more North Korean missiles to attack Ukraine in the past few days, and U.S. officials believe they are "proving as accurate as Russia\'s home-built" weapons, the New York Times reported in its Jan. 23 morning briefing'
d.E(s1, "Russia", "GPE", "name", "russia", subocc=0)
d.E(s1, "North Korean", "NORP", "name", "north-korean")
d.E(s1, "North Korean missiles", "WEAPON", "nominal", "nk-missiles-used-by-russia")
d.E(s1, "Ukraine", "GPE", "name", "ukraine")
d.E(s1, "the past few days", "DATE", "nominal", "past-few-days-jan-2024")
d.E(s1, "U.S.", "GPE", "name", "united-states")
d.E(s1, "U.S. officials", "PERSON", "nominal", "us-officials")
d.E(s1, "they", "WEAPON", "pronoun", "nk-missiles-used-by-russia")
d.E(s1, "Russia", "GPE", "name", "russia", subocc=1)
d.E(s1, "weapons", "WEAPON", "nominal", "russian-home-built-weapons")
d.E(s1, "New York Times", "ORG", "name", "new-york-times")
d.E(s1, "its", "ORG", "pronoun", "new-york-times")
d.E(s1, "Jan. 23", "DATE", "name", "2024-01-23")
d.C(
    "more-missiles",
    "Russia used more North Korean missiles to attack Ukraine in the past few days",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-used-more-nk-missiles-past-days",
)
d.C(
    "as-accurate",
    'they are "proving as accurate as Russia\'s home-built" weapons',
    "positive",
    "probable",
    (1, 1, 1, 1),
    "nk-missiles-as-accurate-as-russian",
)
d.A(
    "a-nyt0",
    d.M(s1, "New York Times"),
    d.span(s1, "reported"),
    d.span(
        s1,
        'Russia used more North Korean missiles to attack Ukraine in the past few days, and U.S. officials believe they are "proving as accurate as Russia\'s home-built" weapons',
    ),
    ["more-missiles", "as-accurate"],
    "indirect",
)
d.A(
    "a-usoff",
    d.M(s1, "U.S. officials"),
    d.span(s1, "believe"),
    d.span(s1, 'they are "proving as accurate as Russia\'s home-built" weapons'),
    ["as-accurate"],
    "mixed",
    nested="a-nyt0",
)


# ------------------------------------------------------------------ st-003 (worked last line first)
d = Doc("st-003")
DOCS.append(d)
# related / opinion zone (entities only; no claims outside title and body)
d.E("Syed Badrul Ahsan", None, "PERSON", "name", "syed-badrul-ahsan")
d.E("Apollo-11", None, "EVENT", "name", "apollo-11")
d.E("Roli Srivastava", None, "PERSON", "name", "roli-srivastava")
d.E("India's coal mining bet", "India", "GPE", "name", "india")
d.E("Natalia A Ramos Miranda", None, "PERSON", "name", "natalia-a-ramos-miranda")
d.E("Chile's leftist leader Boric", "Chile", "GPE", "name", "chile")
d.E("Chile's leftist leader Boric", "Boric", "PERSON", "name", "gabriel-boric")
d.E("Peter Apps", None, "PERSON", "name", "peter-apps")
d.E("US sub visit to Korea", "US", "GPE", "name", "united-states")
d.E("US sub visit to Korea", "US sub visit", "EVENT", "nominal", "us-submarine-visit-south-korea")
d.E("US sub visit to Korea", "Korea", "GPE", "name", "south-korea")
r1 = "Russia's Defence Ministry said it had been invited by its North Korean counterpart and would attend the Victory Day events"
d.E(r1, "Russia", "GPE", "name", "russia")
d.E(r1, "Defence Ministry", "ORG", "name", "russian-defence-ministry")
d.E(r1, "it", "ORG", "pronoun", "russian-defence-ministry")
d.E(r1, "its", "ORG", "pronoun", "russian-defence-ministry")
d.E(r1, "North Korean", "NORP", "name", "north-korean")
d.E(r1, "North Korean counterpart", "ORG", "nominal", "north-korean-defence-ministry")
d.E(r1, "Victory Day", "EVENT", "name", "victory-day-north-korea-2023")
r2 = "Russian military delegation arrives in N Korea to join Chinese"
d.E(r2, "Russian", "NORP", "name", "russian")
d.E(r2, "Russian military delegation", "ORG", "nominal", "russian-military-delegation")
d.E(r2, "N Korea", "GPE", "name", "north-korea")
d.E(r2, "Chinese", "NORP", "name", "chinese")
r3 = "Russian Defence Minister Sergei Shoigu attends a meeting of President Vladimir Putin with heads of security services in Moscow, Russia, June 26, 2023"
d.E(r3, "Russian", "NORP", "name", "russian")
d.E(r3, "Sergei Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(r3, "meeting", "EVENT", "nominal", "putin-security-services-meeting-2023-06-26")
d.E(r3, "Vladimir Putin", "PERSON", "name", "vladimir-putin")
d.E(r3, "heads", "PERSON", "nominal", "heads-of-russian-security-services")
d.E(r3, "security services", "ORG", "nominal", "russian-security-services")
d.E(r3, "Moscow", "GPE", "name", "moscow")
d.E(r3, "Russia", "GPE", "name", "russia")
d.E(r3, "June 26, 2023", "DATE", "name", "2023-06-26")
r4 = "N Korea's first known foreign delegations' visit since the COVID-19 pandemic comes as it, China and Russia find common ground in their rivalries with US and the West"
d.E(r4, "N Korea", "GPE", "name", "north-korea")
d.E(r4, "foreign delegations", "ORG", "nominal", "foreign-delegations-north-korea-2023")
d.E(r4, "visit", "EVENT", "nominal", "foreign-delegations-visit-north-korea-2023")
d.E(r4, "COVID-19 pandemic", "EVENT", "name", "covid-19-pandemic")
d.E(r4, "it", "GPE", "pronoun", "north-korea")
d.E(r4, "China", "GPE", "name", "china")
d.E(r4, "Russia", "GPE", "name", "russia")
d.E(r4, "US", "GPE", "name", "united-states")
d.E(r4, "West", "NORP", "name", "western")
r5 = "N Korea to welcome China, Russia with military display after pandemic isolation"
d.E(r5, "N Korea", "GPE", "name", "north-korea")
d.E(r5, "China", "GPE", "name", "china")
d.E(r5, "Russia", "GPE", "name", "russia")
d.E(r5, "military display", "EVENT", "nominal", "pyongyang-military-parade-2023")
d.E(r5, "pandemic", "EVENT", "nominal", "covid-19-pandemic")
r6 = "Commanders of the Korean People's Army visit the Kumsusan Palace of the Sun to commemorate the 70th anniversary of the Korean War armistice, in Pyongyang, North Korea, July 25, 2023 in this image released by North Korea's Korean Central News Agency"
d.E(r6, "Commanders", "PERSON", "nominal", "korean-peoples-army-commanders")
d.E(r6, "Korean People's Army", "ORG", "name", "korean-peoples-army")
d.E(r6, "Kumsusan Palace of the Sun", "FAC", "name", "kumsusan-palace-of-the-sun")
d.E(r6, "70th anniversary", "EVENT", "nominal", "korean-war-armistice-70th-anniversary")
d.E(r6, "Korean War", "EVENT", "name", "korean-war")
d.E(r6, "Pyongyang", "GPE", "name", "pyongyang")
d.E(r6, "North Korea", "GPE", "name", "north-korea", subocc=0)
d.E(r6, "July 25, 2023", "DATE", "name", "2023-07-25")
d.E(r6, "North Korea", "GPE", "name", "north-korea", subocc=1)
d.E(r6, "Korean Central News Agency", "ORG", "name", "korean-central-news-agency")
r7 = "Defence Minister Shoigu handed Kim a letter from Russian President Vladimir Putin"
d.E(r7, "Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(r7, "Kim", "PERSON", "name", "kim-jong-un")
d.E(r7, "Russian", "NORP", "name", "russian")
d.E(r7, "Vladimir Putin", "PERSON", "name", "vladimir-putin")
r8 = "N Korea's Kim shows off banned missiles to Russian minister"
d.E(r8, "N Korea", "GPE", "name", "north-korea")
d.E(r8, "Kim", "PERSON", "name", "kim-jong-un")
d.E(r8, "banned missiles", "WEAPON", "nominal", "nk-banned-ballistic-missiles")
d.E(r8, "Russian", "NORP", "name", "russian")
d.E(r8, "Russian minister", "PERSON", "nominal", "sergei-shoigu")
r9 = "North Korean leader Kim Jong Un and Russia's Defense Minister Sergei Shoigu visit an exhibition of armed equipment on the occasion of the 70th anniversary of the Korean War armistice in this image released by North Korea's Korean Central News Agency on July 27, 2023"
d.E(r9, "North Korean", "NORP", "name", "north-korean")
d.E(r9, "Kim Jong Un", "PERSON", "name", "kim-jong-un")
d.E(r9, "Russia", "GPE", "name", "russia")
d.E(r9, "Sergei Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(r9, "exhibition", "EVENT", "nominal", "pyongyang-military-expo-2023")
d.E(r9, "armed equipment", "WEAPON", "nominal", "nk-armed-equipment-expo")
d.E(r9, "70th anniversary", "EVENT", "nominal", "korean-war-armistice-70th-anniversary")
d.E(r9, "Korean War", "EVENT", "name", "korean-war")
d.E(r9, "North Korea", "GPE", "name", "north-korea")
d.E(r9, "Korean Central News Agency", "ORG", "name", "korean-central-news-agency")
d.E(r9, "July 27, 2023", "DATE", "name", "2023-07-27")
r10 = "Ukraine and Western officials hope that the talks, which exclude Russia, can lead to international backing for peace terms favouring Ukraine"
d.E(r10, "Ukraine", "GPE", "name", "ukraine", subocc=0)
d.E(r10, "Western", "NORP", "name", "western")
d.E(r10, "Western officials", "PERSON", "nominal", "western-officials-saudi-talks")
d.E(r10, "talks", "EVENT", "nominal", "saudi-ukraine-peace-talks")
d.E(r10, "Russia", "GPE", "name", "russia")
d.E(r10, "Ukraine", "GPE", "name", "ukraine", subocc=1)
r11 = "Saudi to host Ukraine talks early next month: WSJ"
d.E(r11, "Saudi", "GPE", "name", "saudi-arabia")
d.E(r11, "Ukraine", "GPE", "name", "ukraine")
d.E(r11, "Ukraine talks", "EVENT", "nominal", "saudi-ukraine-peace-talks")
d.E(r11, "early next month", "DATE", "nominal", "early-august-2023")
d.E(r11, "WSJ", "ORG", "name", "wall-street-journal")
r12 = "Aerial view shows destroyed buildings as a result of intense fighting, amid the Russian invasion, in Bakhmut, Ukraine in this still image from handout video released June 15, 2023. 93rd Kholodnyi Yar Brigade/Handout via REUTERS"
d.E(r12, "destroyed buildings", "FAC", "nominal", "destroyed-buildings-bakhmut")
d.E(r12, "Russian", "NORP", "name", "russian")
d.E(r12, "Russian invasion", "EVENT", "nominal", "russian-invasion-of-ukraine")
d.E(r12, "Bakhmut", "GPE", "name", "bakhmut")
d.E(r12, "Ukraine", "GPE", "name", "ukraine")
d.E(r12, "June 15, 2023", "DATE", "name", "2023-06-15")
d.E(r12, "93rd Kholodnyi Yar Brigade", "ORG", "name", "93rd-kholodnyi-yar-brigade")
d.E(r12, "REUTERS", "ORG", "name", "reuters")

# body B7
b7 = "During the visit, Shoigu was photographed viewing banned North Korean ballistic missiles with leader Kim Jong Un at a military expo in Pyongyang, signalling deeper ties between the two countries as they each face off with the United States"
d.E(b7, "visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(b7, "Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(b7, "North Korean", "NORP", "name", "north-korean")
d.E(
    b7,
    "banned North Korean ballistic missiles",
    "WEAPON",
    "nominal",
    "nk-banned-ballistic-missiles",
)
d.E(b7, "Kim Jong Un", "PERSON", "name", "kim-jong-un")
d.E(b7, "military expo", "EVENT", "nominal", "pyongyang-military-expo-2023")
d.E(b7, "Pyongyang", "GPE", "name", "pyongyang")
d.E(b7, "two countries", "GPE", "nominal", "north-korea-and-russia")
d.E(b7, "they", "GPE", "pronoun", "north-korea-and-russia")
d.E(b7, "United States", "GPE", "name", "united-states")
d.C(
    "photographed",
    "During the visit, Shoigu was photographed viewing banned North Korean ballistic missiles with leader Kim Jong Un at a military expo in Pyongyang",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-viewed-banned-nk-missiles-with-kim",
)
d.C(
    "signalling",
    "signalling deeper ties between the two countries",
    "positive",
    "probable",
    (0, 1, 0, 0),
    "visit-signals-deeper-nk-russia-ties",
)
d.C(
    "face-off",
    "they each face off with the United States",
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-russia-face-off-with-us",
)
# B6
b6 = "Russia's Defence Minister Sergei Shoigu made a rare visit to Pyongyang this week to celebrate the 70th anniversary of the end of the Korean War, the first visit by Moscow's top defence official since the 1991 break-up of the Soviet Union"
d.E(b6, "Russia", "GPE", "name", "russia")
d.E(b6, "Sergei Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(b6, "rare visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(b6, "Pyongyang", "GPE", "name", "pyongyang")
d.E(b6, "this week", "DATE", "nominal", "week-of-2023-07-30")
d.E(b6, "70th anniversary", "EVENT", "nominal", "korean-war-armistice-70th-anniversary")
d.E(b6, "Korean War", "EVENT", "name", "korean-war")
d.E(b6, "first visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(b6, "Moscow", "GPE", "name", "russia")
d.E(b6, "top defence official", "PERSON", "nominal", "sergei-shoigu")
d.E(b6, "1991", "DATE", "name", "1991")
d.E(b6, "Soviet Union", "GPE", "name", "soviet-union")
d.C(
    "rare-visit",
    "Russia's Defence Minister Sergei Shoigu made a rare visit to Pyongyang this week to celebrate the 70th anniversary of the end of the Korean War",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-visited-pyongyang-korean-war-anniversary",
)
d.C(
    "first-visit",
    "the first visit by Moscow's top defence official since the 1991 break-up of the Soviet Union",
    "positive",
    "certain",
    (1, 1, 0, 1),
    "first-russian-defence-chief-visit-since-1991",
)
# B5
b5 = "weapons were shown by Ukrainian troops operating Soviet-era Grad multiple-launch rocket systems near the destroyed eastern city of Bakhmut, site of lengthy brutal fighting, the report said"
b5c = "North Korean weapons were shown by Ukrainian troops operating Soviet-era Grad multiple-launch rocket systems near the destroyed eastern city of Bakhmut, site of lengthy brutal fighting"
d.E(b5c, "North Korean", "NORP", "name", "north-korean")
d.E(b5c, "North Korean weapons", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(b5, "Ukrainian", "NORP", "name", "ukrainian")
d.E(b5, "Ukrainian troops", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(
    b5,
    "Soviet-era Grad multiple-launch rocket systems",
    "WEAPON",
    "nominal",
    "grad-mlrs-ukrainian-troops",
)
d.E(b5, "Soviet", "NORP", "name", "soviet")
d.E(b5, "Grad", "WEAPON", "name", "grad")
d.E(b5, "destroyed eastern city", "GPE", "nominal", "bakhmut")
d.E(b5, "Bakhmut", "GPE", "name", "bakhmut")
d.E(b5, "site", "GPE", "nominal", "bakhmut")
d.C(
    "shown",
    b5c,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-weapons-shown-by-ukrainian-troops-bakhmut",
    sub="North Korean weapons were shown by Ukrainian troops operating Soviet-era Grad multiple-launch rocket systems near the destroyed eastern city of Bakhmut, site of lengthy brutal fighting",
)
d.C(
    "site-fighting",
    b5,
    "positive",
    "certain",
    (1, 1, 0, 0),
    "bakhmut-site-of-brutal-fighting",
    sub="site of lengthy brutal fighting",
)
d.A(
    "a-report",
    d.span(b5, "report"),
    d.span(b5, "said"),
    d.span(b5c),
    ["shown", "site-fighting"],
    "indirect",
)
# B4
b4 = "Korea and Russia deny conducting arms transactions"
d.E(b4, "Russia", "GPE", "name", "russia")
d.E("North Korea and Russia deny", "North Korea", "GPE", "name", "north-korea")
d.C(
    "deny",
    b4,
    "negative",
    "certain",
    (1, 1, 1, 1),
    "nk-russia-arms-transactions",
    sub="conducting arms transactions",
)
d.A(
    "a-deny",
    d.span("North Korea and Russia deny", "North Korea and Russia"),
    d.span(b4, "deny"),
    d.span(b4, "conducting arms transactions"),
    ["deny"],
    "indirect",
)
# B3 and the subtitle (same words: occurrence 1 is the body, 0 the subtitle)
for occ, tag in ((1, "b"), (0, "t")):
    acc = "The United States has accused North Korea of providing arms to Russia, including alleged shipments by sea, but has not offered proof"
    d.E(acc, "United States", "GPE", "name", "united-states", occ=occ)
    d.E(acc, "North Korea", "GPE", "name", "north-korea", occ=occ)
    d.E(acc, "arms", "WEAPON", "nominal", "nk-arms-to-russia", occ=occ)
    d.E(acc, "Russia", "GPE", "name", "russia", occ=occ)
    d.C(
        f"providing-{tag}",
        acc,
        "positive",
        "certain",
        (1, 1, 1, 1),
        "nk-provides-arms-to-russia",
        occ=occ,
        sub="providing arms to Russia, including alleged shipments by sea",
    )
    d.C(
        f"shipments-{tag}",
        acc,
        "positive",
        "underspecified",
        (1, 1, 1, 1),
        "nk-arms-shipments-by-sea",
        occ=occ,
        sub="shipments by sea",
    )
    d.C(
        f"no-proof-{tag}",
        acc,
        "negative",
        "certain",
        (1, 1, 0, 1),
        "us-offered-proof-nk-arms",
        occ=occ,
        sub="has not offered proof",
    )
    d.A(
        f"a-us-{tag}",
        d.M(acc, "United States", occ=occ),
        d.span(acc, "accused", occ=occ),
        d.span(acc, "providing arms to Russia, including alleged shipments by sea", occ=occ),
        [f"providing-{tag}", f"shipments-{tag}"],
        "indirect",
    )
    d.A(
        f"a-alleged-{tag}",
        None,
        d.span(acc, "alleged", occ=occ),
        d.span(acc, "shipments by sea", occ=occ),
        [f"shipments-{tag}"],
        "indirect",
        nested=f"a-us-{tag}",
    )
b3 = "Korean weapons have not been widely observed on the battlefields in Ukraine"
d.E(
    "North Korean weapons have not been widely observed",
    "North Korean",
    "NORP",
    "name",
    "north-korean",
)
d.E(
    "North Korean weapons have not been widely observed",
    "North Korean weapons",
    "WEAPON",
    "nominal",
    "nk-weapons-in-ukraine",
)
d.E(b3, "battlefields", "LOC", "nominal", "ukrainian-battlefields")
d.E(b3, "Ukraine", "GPE", "name", "ukraine")
d.C(
    "not-observed",
    "North Korean weapons have not been widely observed on the battlefields in Ukraine",
    "negative",
    "certain",
    (1, 1, 0, 1),
    "nk-weapons-not-widely-observed-in-ukraine",
)
# B2
b2 = "Ukraine's defence ministry suggested the arms were captured from the Russians, the newspaper said"
d.E(b2, "Ukraine", "GPE", "name", "ukraine")
d.E(b2, "defence ministry", "ORG", "nominal", "ukrainian-defence-ministry")
d.E(b2, "arms", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(b2, "Russians", "NORP", "name", "russian")
d.E(b2, "newspaper", "ORG", "nominal", "financial-times")
d.C(
    "captured",
    b2,
    "positive",
    "probable",
    (1, 1, 1, 1),
    "nk-rockets-captured-from-russians",
    sub="the arms were captured from the Russians",
)
d.A(
    "a-ft2",
    d.M(b2, "newspaper"),
    d.span(b2, "said"),
    d.span(b2, "Ukraine's defence ministry suggested the arms were captured from the Russians"),
    ["captured"],
    "indirect",
)
d.A(
    "a-mod",
    d.M(b2, "defence ministry"),
    d.span(b2, "suggested"),
    d.span(b2, "the arms were captured from the Russians"),
    ["captured"],
    "indirect",
    nested="a-ft2",
)
# B1
b1 = 'Ukrainian soldiers were observed using North Korean rockets that they said were seized by a "friendly" country before being delivered to Ukraine, the Financial Times reported on Saturday'
d.E(b1, "Ukrainian", "NORP", "name", "ukrainian")
d.E(b1, "Ukrainian soldiers", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(b1, "North Korean", "NORP", "name", "north-korean")
d.E(b1, "North Korean rockets", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(b1, "they", "PERSON", "pronoun", "ukrainian-troops-bakhmut")
d.E(b1, '"friendly" country', "GPE", "nominal", "unnamed-friendly-country")
d.E(b1, "Ukraine", "GPE", "name", "ukraine")
d.E(b1, "Financial Times", "ORG", "name", "financial-times")
d.E(b1, "Saturday", "DATE", "name", "2023-07-29")
d.C(
    "using",
    b1,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "ukraine-uses-nk-rockets",
    sub='Ukrainian soldiers were observed using North Korean rockets that they said were seized by a "friendly" country before being delivered to Ukraine',
)
d.C(
    "seized",
    b1,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-rockets-seized-by-friendly-country",
    sub='were seized by a "friendly" country',
)
d.C(
    "delivered",
    b1,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-rockets-delivered-to-ukraine",
    sub="being delivered to Ukraine",
)
d.A(
    "a-ft1",
    d.M(b1, "Financial Times"),
    d.span(b1, "reported"),
    d.span(
        b1,
        'Ukrainian soldiers were observed using North Korean rockets that they said were seized by a "friendly" country before being delivered to Ukraine',
    ),
    ["using", "seized", "delivered"],
    "indirect",
)
d.A(
    "a-soldiers",
    d.M(b1, "they"),
    d.span(b1, "said"),
    d.span(b1, 'were seized by a "friendly" country before being delivered to Ukraine'),
    ["seized", "delivered"],
    "mixed",
    nested="a-ft1",
)
# byline
d.E("Reuters", None, "ORG", "name", "reuters")
d.E("Updated : 30 July 2023, 05:48 AM", "30 July 2023", "DATE", "name", "2023-07-30")
d.E("Updated : 30 July 2023, 05:48 AM", "05:48 AM", "TIME", "name", "2023-07-30t05-48")
d.E("Published : 30 July 2023, 05:48 AM", "30 July 2023", "DATE", "name", "2023-07-30")
d.E("Published : 30 July 2023, 05:48 AM", "05:48 AM", "TIME", "name", "2023-07-30t05-48")
# title
t = "Ukraine uses North Korean rockets to blast Russian forces"
d.E(t, "Ukraine", "GPE", "name", "ukraine")
d.E(t, "North Korean", "NORP", "name", "north-korean")
d.E(t, "North Korean rockets", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(t, "Russian", "NORP", "name", "russian")
d.E(t, "Russian forces", "ORG", "nominal", "russian-forces")
d.C("title", t, "positive", "certain", (1, 1, 1, 1), "ukraine-uses-nk-rockets")
d.E("date 2023-07-30", "2023-07-30", "DATE", "name", "2023-07-30")


# ------------------------------------------------------------------ st-002 (worked last line first)
d = Doc("st-002")
DOCS.append(d)
s = "both countries are under sanctions from Western states, which forces them to create informal payment mechanisms and circumvent trade restrictions imposed by the sanctions"
d.E(s, "countries", "GPE", "nominal", "north-korea-and-russia")
d.E(s, "Western", "NORP", "name", "western")
d.E(s, "Western states", "GPE", "nominal", "western-states")
d.E(s, "them", "GPE", "pronoun", "north-korea-and-russia")
d.C(
    "sanctions",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-russia-under-western-sanctions",
    sub="both countries are under sanctions from Western states",
)
d.C(
    "forces",
    s,
    "positive",
    "certain",
    (1, 1, 0, 0),
    "sanctions-force-informal-payment-mechanisms",
    sub="forces them to create informal payment mechanisms and circumvent trade restrictions imposed by the sanctions",
)
s = 'Reports of mysterious mentions of "security issues" in new agreements between these countries are raising concerns in the international community'
d.E(s, "countries", "GPE", "nominal", "north-korea-and-russia")
d.C("concerns", s, "positive", "certain", (0, 1, 0, 0), "security-issues-mentions-raise-concerns")
s = "North Korean ballistic missiles were used against Ukraine, as confirmed by UN experts"
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(
    s,
    "North Korean ballistic missiles",
    "WEAPON",
    "nominal",
    "nk-ballistic-missiles-used-by-russia",
)
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.E(s, "UN", "ORG", "name", "united-nations")
d.E(s, "UN experts", "PERSON", "nominal", "un-experts-panel")
d.C(
    "un-used",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-used-nk-ballistic-missiles-against-ukraine",
    sub="North Korean ballistic missiles were used against Ukraine",
)
d.A(
    "a-un",
    d.M(s, "UN experts"),
    d.span(s, "confirmed"),
    d.span(s, "North Korean ballistic missiles were used against Ukraine"),
    ["un-used"],
    "indirect",
)
s = "Vladimir Putin publicly expressed gratitude to North Korea for supporting Russian policies and for supplying weapons that are being used by the Russian military in the conflict with Ukraine"
d.E(s, "Vladimir Putin", "PERSON", "name", "vladimir-putin")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Russian", "NORP", "name", "russian", subocc=0)
d.E(s, "weapons", "WEAPON", "nominal", "nk-weapons-supplied-to-russia")
d.E(s, "Russian", "NORP", "name", "russian", subocc=1)
d.E(s, "Russian military", "ORG", "nominal", "russian-military")
d.E(s, "conflict", "EVENT", "nominal", "russia-ukraine-war")
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.C("gratitude", s, "positive", "certain", (1, 1, 0, 1), "putin-thanked-nk-for-support-and-weapons")
d.C(
    "supplying",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-supplies-weapons-used-by-russia-in-ukraine",
    sub="supplying weapons that are being used by the Russian military in the conflict with Ukraine",
)
s = "Russia uses weapons from North Korea. Cooperation is getting stronger"
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "weapons", "WEAPON", "nominal", "nk-weapons-supplied-to-russia")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.C(
    "uses-h3",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-uses-nk-weapons",
    sub="Russia uses weapons from North Korea",
)
d.C(
    "stronger",
    s,
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-russia-cooperation-stronger",
    sub="Cooperation is getting stronger",
)
s = "Kim Jong Un met with Putin to discuss political and economic matters, including North Korea's support for Kremlin policies"
d.E(s, "Kim Jong Un", "PERSON", "name", "kim-jong-un")
d.E(s, "Putin", "PERSON", "name", "vladimir-putin")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Kremlin", "ORG", "name", "kremlin")
d.C("kim-met", s, "positive", "certain", (1, 1, 0, 1), "kim-met-putin-2024")
s = "A crowd greeted him, and a parade was organized in his honour"
d.E(s, "crowd", "PERSON", "nominal", "crowd-greeting-putin-2024")
d.E(s, "him", "PERSON", "pronoun", "vladimir-putin")
d.E(s, "parade", "EVENT", "nominal", "parade-for-putin-pyongyang-2024")
d.E(s, "his", "PERSON", "pronoun", "vladimir-putin")
d.C(
    "crowd",
    s,
    "positive",
    "certain",
    (1, 0, 0, 0),
    "crowd-greeted-putin",
    sub="A crowd greeted him",
)
d.C(
    "parade",
    s,
    "positive",
    "certain",
    (1, 1, 0, 0),
    "parade-for-putin",
    sub="a parade was organized in his honour",
)
s = "Vladimir Putin made his first visit to North Korea in 24 years, which was significant politically"
d.E(s, "Vladimir Putin", "PERSON", "name", "vladimir-putin")
d.E(s, "his", "PERSON", "pronoun", "vladimir-putin")
d.E(s, "first visit", "EVENT", "nominal", "putin-visit-north-korea-2024")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "24 years", "DATE", "nominal", "24-years")
d.C(
    "putin-visit",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "putin-first-visit-nk-in-24-years",
    sub="Vladimir Putin made his first visit to North Korea in 24 years",
)
s = "in recent years, there have been several significant meetings between the leaders of North Korea and Russia"
d.E(s, "recent years", "DATE", "nominal", "recent-years")
d.E(s, "meetings", "EVENT", "nominal", "nk-russia-leader-meetings")
d.E(s, "leaders", "PERSON", "nominal", "leaders-of-nk-and-russia")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Russia", "GPE", "name", "russia")
d.C("meetings", s, "positive", "certain", (1, 1, 0, 0), "nk-russia-leaders-met-recent-years")
s = "it was reported that more than half of the KN-23 missiles launched by Russia lost their programmed flight path and exploded in the air, as the firing of these missiles was recorded, but their debris was not found"
d.E(s, "more than half", "QUANTITY", "name", "more-than-half")
d.E(s, "KN-23", "WEAPON", "name", "kn-23")
d.E(s, "KN-23 missiles", "WEAPON", "nominal", "kn-23-missiles-launched-by-russia")
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "their", "WEAPON", "pronoun", "kn-23-missiles-launched-by-russia", subocc=0)
d.E(s, "missiles", "WEAPON", "nominal", "kn-23-missiles-launched-by-russia", subocc=1)
d.E(s, "their", "WEAPON", "pronoun", "kn-23-missiles-launched-by-russia", subocc=1)
d.C(
    "lost-path",
    s,
    "positive",
    "underspecified",
    (1, 1, 1, 1),
    "kn-23-majority-lost-flight-path",
    sub="more than half of the KN-23 missiles launched by Russia lost their programmed flight path",
)
d.C(
    "exploded-air",
    s,
    "positive",
    "underspecified",
    (1, 1, 0, 1),
    "kn-23-exploded-in-air",
    sub="exploded in the air",
)
d.C(
    "firing-recorded",
    s,
    "positive",
    "underspecified",
    (1, 1, 0, 0),
    "kn-23-firing-recorded",
    sub="the firing of these missiles was recorded",
)
d.C(
    "no-debris",
    s,
    "negative",
    "underspecified",
    (1, 1, 0, 1),
    "kn-23-debris-found",
    sub="their debris was not found",
)
d.A(
    "a-passive",
    None,
    d.span(s, "reported"),
    d.span(
        s,
        "more than half of the KN-23 missiles launched by Russia lost their programmed flight path and exploded in the air, as the firing of these missiles was recorded, but their debris was not found",
    ),
    ["lost-path", "exploded-air", "firing-recorded", "no-debris"],
    "indirect",
)
s = "This was Russia's first recorded use of this missile in the past five months"
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "missile", "WEAPON", "nominal", "kn-23")
d.E(s, "the past five months", "DATE", "nominal", "past-five-months-2024")
d.C(
    "first-recorded",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "first-recorded-kn-23-use-in-five-months",
)
s = "The launch took place from Russian territory towards Bila Tserkva, but the missile exploded in the Kyiv region"
d.E(s, "launch", "EVENT", "nominal", "kn-23-launch-2024-07-31")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian territory", "GPE", "nominal", "russia")
d.E(s, "Bila Tserkva", "GPE", "name", "bila-tserkva")
d.E(s, "missile", "WEAPON", "nominal", "kn-23-missile-2024-07-31")
d.E(s, "Kyiv region", "GPE", "name", "kyiv-region")
d.C(
    "launch-from",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "kn-23-launched-from-russia-towards-bila-tserkva",
    sub="The launch took place from Russian territory towards Bila Tserkva",
)
d.C(
    "exploded-kyiv",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "kn-23-exploded-in-kyiv-region",
    sub="the missile exploded in the Kyiv region",
)
s = "the Russian occupiers used a North Korean-made ballistic missile during a massive attack on Ukraine"
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian occupiers", "PERSON", "nominal", "russian-occupiers")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean-made ballistic missile", "WEAPON", "nominal", "kn-23-missile-2024-07-31")
d.E(s, "massive attack", "EVENT", "nominal", "russian-attack-on-ukraine-2024-07-31")
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.C("occupiers-used", s, "positive", "certain", (1, 1, 1, 1), "russia-used-kn-23-2024-07-31")
s = 'This information was conveyed by "Defence Express," which emphasizes that Russia uses this missile very rarely'
d.E(s, "Defence Express", "ORG", "name", "defence-express")
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "missile", "WEAPON", "nominal", "kn-23")
d.C(
    "rarely",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "russia-uses-kn-23-rarely",
    sub="Russia uses this missile very rarely",
)
s0 = "Russia used a North Korean KN-23 ballistic missile during an attack on Ukraine on 31 July"
s1 = "The missile did not reach its target"
d.A("a-de-1", d.M(s, "Defence Express"), d.span(s, "conveyed"), d.span(s0), ["used-31"], "indirect")
d.A(
    "a-de-2",
    d.M(s, "Defence Express"),
    d.span(s, "conveyed"),
    d.span(s1),
    ["not-reach"],
    "indirect",
)
d.A(
    "a-de-3",
    d.M(s, "Defence Express"),
    d.span(s, "emphasizes"),
    d.span(s, "Russia uses this missile very rarely"),
    ["rarely"],
    "indirect",
)
d.E(s1, "missile", "WEAPON", "nominal", "kn-23-missile-2024-07-31")
d.E(s1, "its", "WEAPON", "pronoun", "kn-23-missile-2024-07-31")
d.C("not-reach", s1, "negative", "certain", (1, 1, 0, 1), "kn-23-2024-07-31-reached-target")
d.E(s0, "Russia", "GPE", "name", "russia")
d.E(s0, "North Korean", "NORP", "name", "north-korean")
d.E(s0, "KN-23", "WEAPON", "name", "kn-23")
d.E(s0, "North Korean KN-23 ballistic missile", "WEAPON", "nominal", "kn-23-missile-2024-07-31")
d.E(s0, "attack", "EVENT", "nominal", "russian-attack-on-ukraine-2024-07-31")
d.E(s0, "Ukraine", "GPE", "name", "ukraine")
d.E(s0, "31 July", "DATE", "name", "2024-07-31")
d.C("used-31", s0, "positive", "certain", (1, 1, 1, 1), "russia-used-kn-23-2024-07-31")
# byline
d.E("6 August 2024 17:48", "6 August 2024", "DATE", "name", "2024-08-06")
d.E("6 August 2024 17:48", "17:48", "TIME", "name", "2024-08-06t17-48")
d.E("Jakub Artych", None, "PERSON", "name", "jakub-artych")
d.E("Berzi Akos", None, "PERSON", "name", "berzi-akos")
d.E("Getty Images", None, "ORG", "name", "getty-images")
# the sub-headline, twice (claims only in its first copy)
for occ in (1, 0):
    s = "Russia uses weapons from Korea. There is evidence"
    d.E(s, "Russia", "GPE", "name", "russia", occ=occ)
    d.E(s, "weapons", "WEAPON", "nominal", "nk-weapons-supplied-to-russia", occ=occ)
    d.E(s, "Korea", "GPE", "name", "north-korea", occ=occ)
d.C(
    "uses-sub",
    "Russia uses weapons from Korea",
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-uses-nk-weapons",
    occ=0,
)
d.C(
    "evidence",
    "There is evidence",
    "positive",
    "certain",
    (0, 1, 0, 0),
    "evidence-russia-uses-nk-weapons",
    occ=0,
)
# the headline, twice (claims only in its first copy)
for occ in (1, 0):
    s = "Russia's rare use of North Korean missiles marks new escalation"
    d.E(s, "Russia", "GPE", "name", "russia", occ=occ, inword=True)
    d.E(s, "North Korean", "NORP", "name", "north-korean", occ=occ, inword=True)
    d.E(
        s,
        "North Korean missiles",
        "WEAPON",
        "nominal",
        "nk-missiles-used-by-russia-2024",
        occ=occ,
        inword=True,
    )
d.C(
    "headline",
    "Russia's rare use of North Korean missiles marks new escalation",
    "positive",
    "certain",
    (1, 1, 0, 0),
    "russia-rare-use-nk-missiles-new-escalation",
    occ=0,
    inword=True,
)


# ------------------------------------------------------------------ st-001 (worked last line first)
d = Doc("st-001")
DOCS.append(d)
s = "it will be crucial to monitor any further developments regarding the alleged arms transactions between North Korea, Russia, and Ukraine"
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.C(
    "alleged-transactions",
    s,
    "positive",
    "underspecified",
    (1, 1, 1, 1),
    "nk-russia-ukraine-arms-transactions",
    sub="arms transactions between North Korea, Russia, and Ukraine",
)
d.A(
    "a-alleged-end",
    None,
    d.span(s, "alleged"),
    d.span(s, "arms transactions between North Korea, Russia, and Ukraine"),
    ["alleged-transactions"],
    "indirect",
)
s = "the claims of them being captured by Russian forces remain unsubstantiated, the situation underscores the complexities of the ongoing conflict in Ukraine"
d.E(s, "them", "WEAPON", "pronoun", "nk-rockets-used-by-ukraine")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian forces", "ORG", "nominal", "russian-forces")
d.E(s, "ongoing conflict", "EVENT", "nominal", "russia-ukraine-war")
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.C(
    "unsubstantiated",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "capture-claims-unsubstantiated",
    sub="the claims of them being captured by Russian forces remain unsubstantiated",
)
d.C(
    "captured-claims",
    s,
    "positive",
    "underspecified",
    (1, 1, 1, 1),
    "nk-rockets-captured-by-russian-forces",
    sub="them being captured by Russian forces",
)
d.A(
    "a-claims",
    None,
    d.span(s, "claims"),
    d.span(s, "them being captured by Russian forces"),
    ["captured-claims"],
    "indirect",
)
s = "The utilization of North Korean rockets by Ukrainian soldiers raises questions about the origin and means of acquisition of these weapons"
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean rockets", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian soldiers", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(s, "weapons", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
s = "This gesture indicates the deepening ties between the two countries as they navigate their respective relationships with the United States"
d.E(s, "two countries", "GPE", "nominal", "north-korea-and-russia")
d.E(s, "they", "GPE", "pronoun", "north-korea-and-russia")
d.E(s, "their", "GPE", "pronoun", "north-korea-and-russia")
d.E(s, "United States", "GPE", "name", "united-states")
d.C(
    "indicates",
    s,
    "positive",
    "probable",
    (0, 1, 0, 0),
    "visit-signals-deeper-nk-russia-ties",
    sub="This gesture indicates the deepening ties between the two countries",
)
d.C(
    "navigate",
    s,
    "positive",
    "certain",
    (0, 1, 0, 0),
    "nk-russia-navigate-relations-with-us",
    sub="they navigate their respective relationships with the United States",
)
s = "During the visit, Shoigu was photographed inspecting prohibited North Korean ballistic missiles alongside leader Kim Jong Un at a military expo in Pyongyang"
d.E(s, "visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(s, "Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(
    s,
    "prohibited North Korean ballistic missiles",
    "WEAPON",
    "nominal",
    "nk-banned-ballistic-missiles",
)
d.E(s, "Kim Jong Un", "PERSON", "name", "kim-jong-un")
d.E(s, "military expo", "EVENT", "nominal", "pyongyang-military-expo-2023")
d.E(s, "Pyongyang", "GPE", "name", "pyongyang")
d.C(
    "photographed",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-viewed-banned-nk-missiles-with-kim",
)
s = "This visit marks the first time that Moscow's top defence official has visited North Korea since the dissolution of the Soviet Union in 1991"
d.E(s, "visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(s, "Moscow", "GPE", "name", "russia")
d.E(s, "top defence official", "PERSON", "nominal", "sergei-shoigu")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Soviet Union", "GPE", "name", "soviet-union")
d.E(s, "1991", "DATE", "name", "1991")
d.C(
    "first-time",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "first-russian-defence-chief-visit-since-1991",
)
s = "Russia's Defense Minister Sergei Shoigu recently made a rare visit to Pyongyang to commemorate the 70th anniversary of the end of the Korean War"
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "Sergei Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(s, "rare visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(s, "Pyongyang", "GPE", "name", "pyongyang")
d.E(s, "70th anniversary", "EVENT", "nominal", "korean-war-armistice-70th-anniversary")
d.E(s, "Korean War", "EVENT", "name", "korean-war")
d.C(
    "rare-visit",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-visited-pyongyang-korean-war-anniversary",
)
s = "Bakhmut has been a site of prolonged and brutal fighting"
d.E(s, "Bakhmut", "GPE", "name", "bakhmut")
d.C("site-fighting", s, "positive", "certain", (1, 1, 0, 0), "bakhmut-site-of-brutal-fighting")
s = "the report reveals that Ukrainian troops operating Soviet-era Grad multiple-launch rocket systems near the war-torn city of Bakhmut showcased these North Korean weapons"
c = "Ukrainian troops operating Soviet-era Grad multiple-launch rocket systems near the war-torn city of Bakhmut showcased these North Korean weapons"
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian troops", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(
    s,
    "Soviet-era Grad multiple-launch rocket systems",
    "WEAPON",
    "nominal",
    "grad-mlrs-ukrainian-troops",
)
d.E(s, "Soviet", "NORP", "name", "soviet")
d.E(s, "Grad", "WEAPON", "name", "grad")
d.E(s, "war-torn city", "GPE", "nominal", "bakhmut")
d.E(s, "Bakhmut", "GPE", "name", "bakhmut")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean weapons", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.C(
    "showcased",
    c,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-weapons-shown-by-ukrainian-troops-bakhmut",
)
d.A("a-report", d.span(s, "report"), d.span(s, "reveals"), d.span(c), ["showcased"], "indirect")
s = "Both North Korea and Russia have vehemently denied engaging in any arms transactions"
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Russia", "GPE", "name", "russia")
d.C(
    "denied",
    s,
    "negative",
    "certain",
    (1, 1, 1, 1),
    "nk-russia-arms-transactions",
    sub="engaging in any arms transactions",
)
d.A(
    "a-denied",
    d.span(s, "North Korea and Russia"),
    d.span(s, "denied"),
    d.span(s, "engaging in any arms transactions"),
    ["denied"],
    "indirect",
)
s = "although the United States has accused North Korea of supplying arms to Russia, including alleged shipments via sea, no concrete evidence has been presented, and the presence of North Korean weapons on Ukrainian battlefields has not been widely observed"
d.E(s, "United States", "GPE", "name", "united-states")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "arms", "WEAPON", "nominal", "nk-arms-to-russia")
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean weapons", "WEAPON", "nominal", "nk-weapons-in-ukraine")
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian battlefields", "LOC", "nominal", "ukrainian-battlefields")
d.C(
    "supplying",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-provides-arms-to-russia",
    sub="supplying arms to Russia, including alleged shipments via sea",
)
d.C(
    "shipments",
    s,
    "positive",
    "underspecified",
    (1, 1, 1, 1),
    "nk-arms-shipments-by-sea",
    sub="shipments via sea",
)
d.C(
    "no-evidence",
    s,
    "negative",
    "certain",
    (1, 1, 0, 1),
    "us-offered-proof-nk-arms",
    sub="no concrete evidence has been presented",
)
d.C(
    "not-observed",
    s,
    "negative",
    "certain",
    (1, 1, 0, 1),
    "nk-weapons-not-widely-observed-in-ukraine",
    sub="the presence of North Korean weapons on Ukrainian battlefields has not been widely observed",
)
d.A(
    "a-us",
    d.M(s, "United States"),
    d.span(s, "accused"),
    d.span(s, "supplying arms to Russia, including alleged shipments via sea"),
    ["supplying", "shipments"],
    "indirect",
)
d.A(
    "a-alleged",
    None,
    d.span(s, "alleged"),
    d.span(s, "shipments via sea"),
    ["shipments"],
    "indirect",
    nested="a-us",
)
s = "The Ukrainian defence ministry has suggested that these arms were captured by Russian forces"
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian defence ministry", "ORG", "nominal", "ukrainian-defence-ministry")
d.E(s, "arms", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian forces", "ORG", "nominal", "russian-forces")
d.C(
    "captured",
    s,
    "positive",
    "probable",
    (1, 1, 1, 1),
    "nk-rockets-captured-by-russian-forces",
    sub="these arms were captured by Russian forces",
)
d.A(
    "a-mod",
    d.M(s, "Ukrainian defence ministry"),
    d.span(s, "suggested"),
    d.span(s, "these arms were captured by Russian forces"),
    ["captured"],
    "indirect",
)
s = 'According to a report by the Financial Times, Ukrainian soldiers have been observed utilising North Korean rockets that they claim were obtained after being seized by a "friendly" country and subsequently delivered to Ukraine'
c = 'Ukrainian soldiers have been observed utilising North Korean rockets that they claim were obtained after being seized by a "friendly" country and subsequently delivered to Ukraine'
d.E(s, "Financial Times", "ORG", "name", "financial-times")
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian soldiers", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean rockets", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s, "they", "PERSON", "pronoun", "ukrainian-troops-bakhmut")
d.E(s, '"friendly" country', "GPE", "nominal", "unnamed-friendly-country")
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.C("using", c, "positive", "certain", (1, 1, 1, 1), "ukraine-uses-nk-rockets")
d.C(
    "obtained",
    c,
    "positive",
    "certain",
    (1, 1, 0, 0),
    "nk-rockets-obtained-by-ukraine",
    sub="were obtained",
)
d.C(
    "seized",
    c,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-rockets-seized-by-friendly-country",
    sub='being seized by a "friendly" country',
)
d.C(
    "delivered",
    c,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-rockets-delivered-to-ukraine",
    sub="subsequently delivered to Ukraine",
)
d.A(
    "a-ft",
    d.M(s, "Financial Times"),
    d.span(s, "According to"),
    d.span(c),
    ["using", "obtained", "seized", "delivered"],
    "indirect",
)
d.A(
    "a-soldiers",
    d.M(s, "they"),
    d.span(s, "claim"),
    d.span(
        c,
        'were obtained after being seized by a "friendly" country and subsequently delivered to Ukraine',
    ),
    ["obtained", "seized", "delivered"],
    "mixed",
    nested="a-ft",
)


# ------------------------------------------------------------------ st-000 (worked last sentence first)
d = Doc("st-000")
DOCS.append(d)
q = "I very much doubt he's there on holiday ... We see Russia desperately seeking support, weapons, wherever it can find them, to continue its aggression against Ukraine ... We see it with North Korea, we see it with Iran, which has supplied Russia with many drones, which it is using to destroy civilian infrastructure and kill civilians in Ukraine"
tail = '", US Secretary of State Anthony Blinken said, according to Euro News'
d.E(q, "I", "PERSON", "pronoun", "anthony-blinken")
d.E(q, "he", "PERSON", "pronoun", "sergei-shoigu")
d.E(q, "We", "GPE", "pronoun", "united-states", subocc=0)
d.E(q, "Russia", "GPE", "name", "russia", subocc=0)
d.E(q, "weapons", "WEAPON", "nominal", "weapons-sought-by-russia")
d.E(q, "it", "GPE", "pronoun", "russia", subocc=0)
d.E(q, "its", "GPE", "pronoun", "russia")
d.E(q, "aggression", "EVENT", "nominal", "russia-ukraine-war")
d.E(q, "Ukraine", "GPE", "name", "ukraine", subocc=0)
d.E(q, "We", "GPE", "pronoun", "united-states", subocc=1)
d.E(q, "North Korea", "GPE", "name", "north-korea")
d.E(q, "we", "GPE", "pronoun", "united-states")
d.E(q, "Iran", "GPE", "name", "iran")
d.E(q, "Russia", "GPE", "name", "russia", subocc=1)
d.E(q, "drones", "WEAPON", "nominal", "iranian-drones-supplied-to-russia")
d.E(q, "it", "GPE", "pronoun", "russia", subocc=3)
d.E(q, "Ukraine", "GPE", "name", "ukraine", subocc=1)
d.E(tail, "US", "GPE", "name", "united-states")
d.E(tail, "Anthony Blinken", "PERSON", "name", "anthony-blinken")
d.E(tail, "Euro News", "ORG", "name", "euro-news")
d.C(
    "holiday",
    q,
    "negative",
    "probable",
    (1, 1, 0, 0),
    "shoigu-in-nk-on-holiday",
    sub="he's there on holiday",
)
d.C(
    "seeking",
    q,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-seeking-weapons-for-aggression",
    sub="We see Russia desperately seeking support, weapons, wherever it can find them, to continue its aggression against Ukraine",
)
d.C(
    "with-nk",
    q,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-seeks-weapons-from-nk",
    sub="We see it with North Korea",
)
d.C(
    "with-iran",
    q,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-seeks-weapons-from-iran",
    sub="we see it with Iran, which has supplied Russia with many drones, which it is using to destroy civilian infrastructure and kill civilians in Ukraine",
)
d.C(
    "iran-drones",
    q,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "iran-supplied-drones-to-russia",
    sub="has supplied Russia with many drones, which it is using to destroy civilian infrastructure and kill civilians in Ukraine",
)
d.C(
    "drones-civilians",
    q,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-uses-iranian-drones-against-civilians",
    sub="it is using to destroy civilian infrastructure and kill civilians in Ukraine",
)
whole = '"' + q + tail
d.A(
    "a-euronews",
    d.M(tail, "Euro News"),
    d.span(tail, "according to"),
    d.span(whole, '"' + q + '", US Secretary of State Anthony Blinken said'),
    ["holiday", "seeking", "with-nk", "with-iran", "iran-drones", "drones-civilians"],
    "indirect",
)
d.A(
    "a-blinken",
    d.M(tail, "Anthony Blinken"),
    d.span(tail, "said"),
    d.span(q),
    ["holiday", "seeking", "with-nk", "with-iran", "iran-drones", "drones-civilians"],
    "direct",
    nested="a-euronews",
)
d.A(
    "a-doubt",
    d.M(q, "I"),
    d.span(q, "doubt"),
    d.span(q, "he's there on holiday"),
    ["holiday"],
    "indirect",
    nested="a-blinken",
)
s = "During the military parade held in Pyongyang in honor of the Russian defense minister, two models of North Korea's intercontinental ballistic missiles -- Hwasong-18 missiles and Hwasong-17 -- were displayed"
d.E(s, "military parade", "EVENT", "nominal", "pyongyang-military-parade-2023")
d.E(s, "Pyongyang", "GPE", "name", "pyongyang")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian defense minister", "PERSON", "nominal", "sergei-shoigu")
d.E(s, "two", "QUANTITY", "name", "two")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "intercontinental ballistic missiles", "WEAPON", "nominal", "nk-icbm")
d.E(s, "Hwasong-18", "WEAPON", "name", "hwasong-18")
d.E(s, "Hwasong-18 missiles", "WEAPON", "nominal", "hwasong-18-missiles-at-parade")
d.E(s, "Hwasong-17", "WEAPON", "name", "hwasong-17")
d.C(
    "icbm-displayed",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-icbms-displayed-at-parade-for-shoigu",
)
s = "North Korean media published pictures of Shoigu and Kim walking past advanced weapons made in the reclusive country"
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean media", "ORG", "nominal", "north-korean-state-media")
d.E(s, "Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(s, "Kim", "PERSON", "name", "kim-jong-un")
d.E(s, "advanced weapons", "WEAPON", "nominal", "nk-weapons-shown-to-shoigu")
d.E(s, "reclusive country", "GPE", "nominal", "north-korea")
d.C(
    "pictures",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-media-published-shoigu-kim-weapons-pictures",
)
s = "The North Korean dictator gave a personal tour for the Russian defense chief, showing him his Pyongyang's weaponry including nuclear-capable ballistic missiles to its newest drones"
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean dictator", "PERSON", "nominal", "kim-jong-un")
d.E(s, "personal tour", "EVENT", "nominal", "kim-tour-for-shoigu-2023")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian defense chief", "PERSON", "nominal", "sergei-shoigu")
d.E(s, "him", "PERSON", "pronoun", "sergei-shoigu")
d.E(s, "his", "PERSON", "pronoun", "kim-jong-un")
d.E(s, "Pyongyang", "GPE", "name", "north-korea")
d.E(s, "weaponry", "WEAPON", "nominal", "nk-weapons-shown-to-shoigu")
d.E(
    s,
    "nuclear-capable ballistic missiles",
    "WEAPON",
    "nominal",
    "nk-nuclear-capable-ballistic-missiles",
)
d.E(s, "its", "GPE", "pronoun", "north-korea")
d.E(s, "newest drones", "WEAPON", "nominal", "nk-newest-drones")
d.C(
    "tour",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "kim-gave-shoigu-tour",
    sub="The North Korean dictator gave a personal tour for the Russian defense chief",
)
d.C(
    "showing",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "kim-showed-shoigu-nk-weapons",
    sub="showing him his Pyongyang's weaponry including nuclear-capable ballistic missiles to its newest drones",
)
s = "Shoigu in Pyongyang"
d.E(s, "Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(s, "Pyongyang", "GPE", "name", "pyongyang")
s = "The western media reported that the high-profile visit was part of Moscow's attempts to beef up its supplies of missiles and munitions"
d.E(s, "western", "NORP", "name", "western")
d.E(s, "western media", "ORG", "nominal", "western-media")
d.E(s, "high-profile visit", "EVENT", "nominal", "shoigu-visit-pyongyang-2023")
d.E(s, "Moscow", "GPE", "name", "russia")
d.E(s, "its", "GPE", "pronoun", "russia")
d.E(s, "missiles", "WEAPON", "nominal", "missiles-sought-by-russia")
d.E(s, "munitions", "WEAPON", "nominal", "munitions-sought-by-russia")
d.C(
    "visit-part",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-visit-to-get-missiles-munitions",
    sub="the high-profile visit was part of Moscow's attempts to beef up its supplies of missiles and munitions",
)
d.A(
    "a-western",
    d.M(s, "western media"),
    d.span(s, "reported"),
    d.span(
        s,
        "the high-profile visit was part of Moscow's attempts to beef up its supplies of missiles and munitions",
    ),
    ["visit-part"],
    "indirect",
)
s = "Russian defense minister Sergei Shoigu visited North Korea last week and met Kim Jong-un in Pyongyang to strengthen ties between the traditional allies"
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Sergei Shoigu", "PERSON", "name", "sergei-shoigu")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "last week", "DATE", "nominal", "week-before-2023-07-30")
d.E(s, "Kim Jong-un", "PERSON", "name", "kim-jong-un")
d.E(s, "Pyongyang", "GPE", "name", "pyongyang")
d.E(s, "traditional allies", "GPE", "nominal", "north-korea-and-russia")
d.C(
    "visited",
    s,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "shoigu-visited-pyongyang-korean-war-anniversary",
    sub="Russian defense minister Sergei Shoigu visited North Korea last week",
)
d.C(
    "met-kim",
    s,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "shoigu-met-kim",
    sub="met Kim Jong-un in Pyongyang to strengthen ties between the traditional allies",
)
d.E("Russian Attacks", "Russian", "NORP", "name", "russian")
s = "Russia said it intercepted two missiles near the southern port of Taganrog and the Azov district in the Rostov region"
c = "it intercepted two missiles near the southern port of Taganrog and the Azov district in the Rostov region"
d.E(s, "Russia", "GPE", "name", "russia")
d.E(c, "it", "GPE", "pronoun", "russia")
d.E(s, "two", "QUANTITY", "name", "two")
d.E(s, "missiles", "WEAPON", "nominal", "missiles-intercepted-near-taganrog")
d.E(s, "southern port", "FAC", "nominal", "port-of-taganrog")
d.E(s, "Taganrog", "GPE", "name", "taganrog")
d.E(s, "Azov district", "LOC", "name", "azov-district")
d.E(s, "Rostov region", "GPE", "name", "rostov-region")
d.C(
    "intercepted",
    c,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "russia-intercepted-two-missiles-taganrog",
)
d.A("a-russia", d.M(s, "Russia"), d.span(s, "said"), d.span(c), ["intercepted"], "indirect")
s1 = "The Ukrainian troops said the missiles had been seized from a ship at an unspecified time"
s2 = "The Ukrainian military officials also claimed the North Korean munitions often misfired or failed to explode, the FT added"
d.E(s2, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s2, "Ukrainian military officials", "PERSON", "nominal", "ukrainian-military-officials")
d.E(s2, "North Korean", "NORP", "name", "north-korean")
d.E(s2, "North Korean munitions", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s2, "FT", "ORG", "name", "financial-times")
d.C(
    "misfired",
    s2,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-munitions-misfired-or-failed",
    sub="the North Korean munitions often misfired or failed to explode",
)
d.E(s1, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s1, "Ukrainian troops", "PERSON", "nominal", "ukrainian-troops-bakhmut")
d.E(s1, "missiles", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.C(
    "ship",
    s1,
    "positive",
    "certain",
    (1, 1, 1, 1),
    "nk-rockets-seized-from-ship",
    sub="the missiles had been seized from a ship at an unspecified time",
)
d.A(
    "a-ft-1",
    d.M(s2, "FT"),
    d.span(s2, "added"),
    d.span(
        "The Ukrainian troops said the missiles had been seized from a ship at an unspecified time"
    ),
    ["ship"],
    "indirect",
)
d.A(
    "a-troops",
    d.M(s1, "Ukrainian troops"),
    d.span(s1, "said"),
    d.span(s1, "the missiles had been seized from a ship at an unspecified time"),
    ["ship"],
    "indirect",
    nested="a-ft-1",
)
d.A(
    "a-ft-2",
    d.M(s2, "FT"),
    d.span(s2, "added"),
    d.span(
        s2,
        "The Ukrainian military officials also claimed the North Korean munitions often misfired or failed to explode",
    ),
    ["misfired"],
    "indirect",
)
d.A(
    "a-officials",
    d.M(s2, "Ukrainian military officials"),
    d.span(s2, "claimed"),
    d.span(s2, "the North Korean munitions often misfired or failed to explode"),
    ["misfired"],
    "indirect",
    nested="a-ft-2",
)
s = "Ukraine has been unleashing offensive campaigns against the Russian forces in several parts of the territories it had lost to Moscow in the initial months of the war"
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian forces", "ORG", "nominal", "russian-forces")
d.E(s, "territories", "LOC", "nominal", "territories-lost-by-ukraine")
d.E(s, "it", "GPE", "pronoun", "ukraine")
d.E(s, "Moscow", "GPE", "name", "russia")
d.E(s, "the initial months", "DATE", "nominal", "initial-months-of-the-war")
d.E(s, "war", "EVENT", "nominal", "russia-ukraine-war")
d.C("offensive", s, "positive", "certain", (1, 1, 0, 1), "ukraine-offensive-in-lost-territories")
s = "According to the Financial Times, the Ukrainian forces fired missiles, which were built decades ago in North Korea, against Russian positions near the city of Bakhmut"
c = "the Ukrainian forces fired missiles, which were built decades ago in North Korea, against Russian positions near the city of Bakhmut"
d.E(s, "Financial Times", "ORG", "name", "financial-times")
d.E(s, "Ukrainian", "NORP", "name", "ukrainian")
d.E(s, "Ukrainian forces", "ORG", "nominal", "ukrainian-forces")
d.E(s, "missiles", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s, "decades ago", "DATE", "nominal", "decades-ago")
d.E(s, "North Korea", "GPE", "name", "north-korea")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian positions", "LOC", "nominal", "russian-positions-near-bakhmut")
d.E(s, "city", "GPE", "nominal", "bakhmut")
d.E(s, "Bakhmut", "GPE", "name", "bakhmut")
d.C("fired", c, "positive", "certain", (1, 1, 1, 1), "ukraine-uses-nk-rockets")
d.C(
    "built",
    c,
    "positive",
    "certain",
    (1, 1, 0, 1),
    "nk-rockets-built-decades-ago",
    sub="were built decades ago in North Korea",
)
d.A(
    "a-ft-0",
    d.M(s, "Financial Times"),
    d.span(s, "According to"),
    d.span(c),
    ["fired", "built"],
    "indirect",
)
s = "The development comes amid heightened speculations that Russia is trying to add Pyongyang-made weaponry to its arsenal"
c = "Russia is trying to add Pyongyang-made weaponry to its arsenal"
d.E(s, "Russia", "GPE", "name", "russia")
d.E(s, "Pyongyang", "GPE", "name", "north-korea")
d.E(s, "Pyongyang-made weaponry", "WEAPON", "nominal", "nk-weaponry-sought-by-russia")
d.E(s, "its", "GPE", "pronoun", "russia")
d.E(s, "arsenal", "WEAPON", "nominal", "russian-arsenal")
d.C("trying", c, "positive", "possible", (1, 1, 1, 1), "russia-trying-to-add-nk-weaponry")
d.A("a-spec", None, d.span(s, "speculations"), d.span(c), ["trying"], "indirect")
s = "Ukraine used North Korean-made missiles in its latest attack on Russian positions, according to reports"
c = "Ukraine used North Korean-made missiles in its latest attack on Russian positions"
d.E(s, "Ukraine", "GPE", "name", "ukraine")
d.E(s, "North Korean", "NORP", "name", "north-korean")
d.E(s, "North Korean-made missiles", "WEAPON", "nominal", "nk-rockets-used-by-ukraine")
d.E(s, "its", "GPE", "pronoun", "ukraine")
d.E(s, "latest attack", "EVENT", "nominal", "ukrainian-attack-near-bakhmut")
d.E(s, "Russian", "NORP", "name", "russian")
d.E(s, "Russian positions", "LOC", "nominal", "russian-positions-near-bakhmut")
d.C("used", c, "positive", "certain", (1, 1, 1, 1), "ukraine-uses-nk-rockets")
d.A("a-reports", d.span(s, "reports"), d.span(s, "according to"), d.span(c), ["used"], "indirect")


def main() -> None:
    """Write <doc_id>.json per document and print the per-claim rubric table for METHOD.md."""
    rows = []
    for doc in sorted(DOCS, key=lambda x: x.doc_id):
        out, table = doc.build()
        (HERE / f"{doc.doc_id}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for cid, text, (a, b, c, d_), score, worthy in table:
            yn = lambda v: "yes" if v else "no"  # noqa: E731
            short = text if len(text) <= 90 else text[:87] + "..."
            short = short.replace("|", "\\|").replace("\u00a0", " ")
            rows.append(
                f"| {doc.doc_id} | {cid} | {short} | {yn(a)} | {yn(b)} | {yn(c)} | {yn(d_)} "
                f"| {score} | {'true' if worthy else 'false'} |"
            )
    print(
        "| doc | claim | text | (a) fact | (b) public | (c) harm | (d) checker | score | check_worthy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
