"""The Label Studio labeling config, generated from schema/labels.json (the one label inventory).

The names below are the contract between the config, the tasks (`convert.to_result`) and the
importer (`convert.from_result`): a region's control name says its layer, its label says its type
or attribution role, and per-region controls carry the attributes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from sourcetrace.schema.labels import load_labels

TEXT = "text"  # the object tag, and the task data key of the document text
HEADER = "header"  # task data key of the metadata line shown above the text
ENTITY = "entity"  # Labels: one label per entity type
MENTION = "mention"  # per-region Choices on entity regions
ENTITY_ID = "entity_id"  # per-region TextArea on entity regions: corpus-wide entity id
CLAIM = "claim"  # Labels: the one label CLAIM_LABEL
POLARITY, CERTAINTY, CHECKWORTHY, CLUSTER = "polarity", "certainty", "checkworthy", "cluster"
ATTRIBUTION = "attribution"  # Labels: the attribution roles
ATTRIBUTION_TYPE = "attribution_type"  # per-region Choices on CONTENT regions
CONTENT_TYPE = "content_type"  # per-region Choices on CONTENT regions (labels.json, after PARC)
CLAIM_LABEL = "CLAIM"
ENTITY_ID_PLACEHOLDER, CLUSTER_PLACEHOLDER = "corpus-wide entity id", "corpus-wide claim cluster id"
SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL = "SOURCE", "CUE", "CONTENT"
SOURCE_SPAN_LABEL = "SOURCE_SPAN"  # the whole source phrase (PARC), beside the source itself
ROLE_LABELS = (SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL, SOURCE_SPAN_LABEL)
CHECKWORTHY_CHOICES = {"yes": True, "no": False}
# per-region yes/no Choices on claim regions, one per check-worthiness question (labels.json
# checkworthiness_questions); the score is not asked: it follows from the answers
CHECKWORTHINESS = "checkworthiness"
# document-level TextArea: the provenance edges (who reports whom) as JSON, kept as they are
PROVENANCE = "provenance"
PROVENANCE_PLACEHOLDER = 'provenance edges as JSON: [{"id", "reporter", "reported", "evidence"}]'


def rubric_control(question: str) -> str:
    """The name of the per-region Choices that answers one check-worthiness question."""
    return f"{CHECKWORTHINESS}_{question}"


# relation labels: source -> cue -> content, content -> claim, inner content -> outer content,
# source phrase -> cue (or content)
REL_SOURCE, REL_CUE, REL_CLAIM, REL_NESTED = "source", "cue", "claim", "nested_in"
REL_SOURCE_SPAN = "source_span"
RELATION_LABELS = (REL_SOURCE, REL_CUE, REL_CLAIM, REL_NESTED, REL_SOURCE_SPAN)

# Distinct colours, in label order (entity types first); stable so annotators learn them.
PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#9a6324", "#469990", "#808000", "#000075", "#a9a9a9",
)  # fmt: skip
ROLE_COLOURS = {
    CLAIM_LABEL: "#ffe119",
    SOURCE_LABEL: "#bfef45",
    CUE_LABEL: "#fabed4",
    CONTENT_LABEL: "#aaffc3",
    SOURCE_SPAN_LABEL: "#dcbeff",
}
# Digits for entity types, then letters Label Studio does not bind by default.
ENTITY_HOTKEYS = tuple("1234567890") + ("q", "w", "e", "t", "y")
ROLE_HOTKEYS = {
    CLAIM_LABEL: "c",
    SOURCE_LABEL: "s",
    CUE_LABEL: "k",
    CONTENT_LABEL: "n",
    SOURCE_SPAN_LABEL: "p",  # "phrase"; Label Studio 1.23 binds only capital P (image tools)
}


def _sub(parent: ET.Element, tag: str, **attributes: Any) -> ET.Element:
    """A child element; attribute values are strings, escaped by ElementTree."""
    return ET.SubElement(parent, tag, {k: str(v) for k, v in attributes.items() if v is not None})


def _per_region(parent: ET.Element, tag: str, name: str, when: str, **extra: Any) -> ET.Element:
    """A control shown for the selected region of one Labels group (and label values)."""
    return _sub(
        parent,
        tag,
        name=name,
        toName=TEXT,
        perRegion="true",
        visibleWhen="region-selected",
        whenTagName=when,
        **extra,
    )


def _choices(parent: ET.Element, values: Mapping[str, str] | list[str], **attrs: Any) -> None:
    element = _per_region(parent, "Choices", choice="single", showInline="true", **attrs)
    for value in values:
        hint = values[value] if isinstance(values, Mapping) else None
        _sub(element, "Choice", value=value, hint=hint)


# What the page needs beyond Label Studio 1.23.2's own styles (checked in its page, Chromium):
# - the document's white space as it is (runs of spaces, indentation), so what is seen is
#   what the offsets count;
# - the label buttons kept on screen while a long document scrolls (the three groups flowing
#   on shared rows, not one block each), and the selected region's
#   choices and ids kept on screen at the bottom (below the text, so showing them never moves
#   the text under the pointer);
# - the resize handles of a selected span: Label Studio puts them in <area> elements, which
#   Chromium never displays (`area {display: none}`), so a boundary could not be dragged.
STYLE = (
    ".lsf-richtext__line { white-space: pre-wrap; }\n"
    ".lsf-richtext .htx-highlight area { display: inline; }\n"
    ".sourcetrace-labels, .sourcetrace-region { position: sticky; z-index: 200;"
    " background: var(--color-neutral-background, #fff); }\n"
    ".sourcetrace-region .lsf-choices { margin: 0; }\n"
    ".sourcetrace-labels { top: 0; padding-bottom: 4px; display: flex; flex-wrap: wrap; }\n"
    ".sourcetrace-region { bottom: 0; border-top: 1px solid var(--color-neutral-border, #ddd); }"
)
LABELS_CLASS, REGION_CLASS = "sourcetrace-labels", "sourcetrace-region"
# Label Studio 1.23 offers granularity "word" for Text and Label, but it snaps with the
# browser's word breaks: "Moscow" becomes "Moscow's" and `no.` becomes `no.”` (tried in the
# page), against the guidelines. Spans are selected character by character.
GRANULARITY = "symbol"


def _group(parent: ET.Element, title: str, when: str, **extra: Any) -> ET.Element:
    """A box of per-region controls, shown only while a region of one Labels group is
    selected: a TextArea ignores its own whenTagName in 1.23.2 (only its validation reads it),
    so without the box the claim's cluster field shows on entity regions too."""
    box = _sub(parent, "View", visibleWhen="region-selected", whenTagName=when, **extra)
    _sub(box, "Header", value=title, size="5")
    return box


def build_config(labels: Mapping[str, Any] | None = None) -> ET.Element:
    """The <View> element of the labeling config."""
    labels = labels or load_labels()
    entity_types = labels["entity_types"]
    if len(entity_types) > len(ENTITY_HOTKEYS):
        raise ValueError(f"{len(entity_types)} entity types but {len(ENTITY_HOTKEYS)} hotkeys")
    view = ET.Element("View")
    _sub(view, "Header", value=f"${HEADER}")
    _sub(view, "Style").text = STYLE
    buttons = _sub(view, "View", className=LABELS_CLASS)
    entity = _sub(buttons, "Labels", name=ENTITY, toName=TEXT, choice="single")
    for index, (name, hint) in enumerate(entity_types.items()):
        _sub(
            entity,
            "Label",
            value=name,
            hint=hint,
            background=PALETTE[index % len(PALETTE)],
            hotkey=ENTITY_HOTKEYS[index],
        )
    claim = _sub(buttons, "Labels", name=CLAIM, toName=TEXT, choice="single")
    _sub(
        claim,
        "Label",
        value=CLAIM_LABEL,
        hint="a checkable proposition",
        background=ROLE_COLOURS[CLAIM_LABEL],
        hotkey=ROLE_HOTKEYS[CLAIM_LABEL],
    )
    roles = _sub(buttons, "Labels", name=ATTRIBUTION, toName=TEXT, choice="single")
    role_hints = {
        SOURCE_LABEL: "who said it, when it is not an entity mention",
        CUE_LABEL: "the attribution cue (said, according to)",
        CONTENT_LABEL: "the attributed content",
        SOURCE_SPAN_LABEL: "the whole source phrase (titles, appositions, modifiers; no "
        "article, no cue), related to the cue",
    }
    for role in ROLE_LABELS:
        _sub(
            roles,
            "Label",
            value=role,
            hint=role_hints[role],
            background=ROLE_COLOURS[role],
            hotkey=ROLE_HOTKEYS[role],
        )
    _sub(view, "Text", name=TEXT, value=f"${TEXT}", granularity=GRANULARITY)
    region = _sub(view, "View", className=REGION_CLASS)
    mention = _group(region, "Entity mention", ENTITY)
    _choices(mention, labels["mention_kinds"], name=MENTION, when=ENTITY, required="true")
    _per_region(
        mention,
        "TextArea",
        ENTITY_ID,
        ENTITY,
        placeholder=ENTITY_ID_PLACEHOLDER,
        maxSubmissions="1",
        editable="true",
        required="true",
    )
    claim_box = _group(region, "Claim", CLAIM)
    _choices(claim_box, labels["claim_polarity"], name=POLARITY, when=CLAIM, required="true")
    _choices(claim_box, labels["claim_certainty"], name=CERTAINTY, when=CLAIM, required="true")
    _choices(claim_box, list(CHECKWORTHY_CHOICES), name=CHECKWORTHY, when=CLAIM, required="true")
    for question, text in labels.get("checkworthiness_questions", {}).items():
        _sub(claim_box, "Header", value=text, size="6")
        _choices(claim_box, list(CHECKWORTHY_CHOICES), name=rubric_control(question), when=CLAIM)
    _per_region(
        claim_box,
        "TextArea",
        CLUSTER,
        CLAIM,
        placeholder=CLUSTER_PLACEHOLDER,
        maxSubmissions="1",
        editable="true",
        required="true",
    )
    content = _group(region, "Attribution", ATTRIBUTION, whenLabelValue=CONTENT_LABEL)
    _choices(
        content,
        labels["attribution_types"],
        name=ATTRIBUTION_TYPE,
        when=ATTRIBUTION,
        whenLabelValue=CONTENT_LABEL,
        required="true",
    )
    _choices(
        content,
        labels["attribution_content_types"],
        name=CONTENT_TYPE,
        when=ATTRIBUTION,
        whenLabelValue=CONTENT_LABEL,
    )
    relations = _sub(view, "Relations")
    for value in RELATION_LABELS:
        _sub(relations, "Relation", value=value)
    _sub(view, "Header", value="Provenance (who reports whom, GUIDELINES.md section 6)", size="6")
    _sub(
        view,
        "TextArea",
        name=PROVENANCE,
        toName=TEXT,
        placeholder=PROVENANCE_PLACEHOLDER,
        maxSubmissions="1",
        editable="true",
        rows="4",
    )
    return view


def config_xml(labels: Mapping[str, Any] | None = None) -> str:
    """The labeling config as text, indented, ending in a newline."""
    view = build_config(labels)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def config_labels(xml: str) -> dict[str, list[str]]:
    """Control name -> its label, choice or relation values, read back from a config."""
    root = ET.fromstring(xml)
    found: dict[str, list[str]] = {}
    for control in root.iter():
        if control.tag in ("Labels", "Choices"):
            found[control.get("name", "")] = [c.get("value", "") for c in control]
        elif control.tag == "Relations":
            found["relations"] = [c.get("value", "") for c in control]
    return found
