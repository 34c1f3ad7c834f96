"""The labeling config: generated from labels.json, escaped by a real XML library, and accepted
by a real Label Studio server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from conftest import REPO
from sourcetrace.studio import config as c
from sourcetrace.studio.config import build_config, config_labels, config_xml

LABELS = json.loads((REPO / "schema" / "labels.json").read_text(encoding="utf-8"))


def test_every_label_of_labels_json_is_in_the_config_in_order():
    found = config_labels(config_xml())
    assert found[c.ENTITY] == list(LABELS["entity_types"])
    assert found[c.MENTION] == list(LABELS["mention_kinds"])
    assert found[c.POLARITY] == list(LABELS["claim_polarity"])
    assert found[c.CERTAINTY] == list(LABELS["claim_certainty"])
    assert found[c.ATTRIBUTION_TYPE] == list(LABELS["attribution_types"])
    assert found[c.CONTENT_TYPE] == list(LABELS["attribution_content_types"])
    assert found[c.ATTRIBUTION] == ["SOURCE", "CUE", "CONTENT", "SOURCE_SPAN"]
    assert found["relations"] == ["source", "cue", "claim", "nested_in", "source_span"]


def test_per_region_controls_are_tied_to_their_layer():
    root = ET.fromstring(config_xml())
    per_region = {e.get("name"): e for e in root.iter() if e.get("perRegion") == "true"}
    owners = {name: element.get("whenTagName") for name, element in per_region.items()}
    assert owners == {
        "mention": "entity",
        "entity_id": "entity",
        "polarity": "claim",
        "certainty": "claim",
        "checkworthy": "claim",
        "cluster": "claim",
        "attribution_type": "attribution",
        "content_type": "attribution",  # the PARC content type, on CONTENT regions
        # the check-worthiness rubric: one yes/no per question of labels.json
        **{f"checkworthiness_{q}": "claim" for q in LABELS["checkworthiness_questions"]},
    }
    assert per_region["attribution_type"].get("whenLabelValue") == "CONTENT"
    assert per_region["content_type"].get("whenLabelValue") == "CONTENT"
    assert {per_region[n].tag for n in ("entity_id", "cluster")} == {"TextArea"}
    assert all(e.get("toName") == "text" for e in per_region.values())


def test_per_region_fields_sit_in_a_box_shown_only_for_their_layer():
    # Label Studio 1.23.2 shows a per-region TextArea for every selected region whatever its
    # whenTagName says (only Choices honour it): the box around the fields does the hiding
    root = ET.fromstring(config_xml())
    parent = {child: box for box in root.iter() for child in box}
    for field in (e for e in root.iter() if e.get("perRegion") == "true"):
        box = parent[field]
        assert box.tag == "View" and box.get("visibleWhen") == "region-selected", field.get("name")
        assert box.get("whenTagName") == field.get("whenTagName"), field.get("name")
        assert box.get("whenLabelValue") == field.get("whenLabelValue"), field.get("name")


def test_spans_are_selected_by_character_and_their_handles_can_be_grabbed():
    # word granularity snaps "Moscow" to "Moscow's" in Chromium (seen in the page); the resize
    # handles are <area> elements, which Chromium hides unless the config shows them
    root = ET.fromstring(config_xml())
    (text,) = root.iter("Text")
    assert text.get("granularity") == "symbol"
    assert not [e for e in root.iter("Label") if e.get("granularity")]
    (style,) = root.iter("Style")
    assert ".htx-highlight area { display: inline; }" in style.text


def test_hotkeys_are_unique_and_every_label_has_a_colour():
    root = ET.fromstring(config_xml())
    labels = list(root.iter("Label"))
    hotkeys = [label.get("hotkey") for label in labels]
    assert len(labels) == len(LABELS["entity_types"]) + 5  # CLAIM and the four attribution roles
    assert None not in hotkeys and len(set(hotkeys)) == len(hotkeys)
    assert all(label.get("background", "").startswith("#") for label in labels)


def test_label_text_is_escaped_by_the_xml_library():
    tricky = dict(LABELS)
    tricky["entity_types"] = {'A<&>"B': 'hint with <tags> & "quotes"', **LABELS["entity_types"]}
    xml = config_xml(tricky)
    assert "A&lt;&amp;&gt;&quot;B" in xml
    assert config_labels(xml)[c.ENTITY][0] == 'A<&>"B'
    hints = [e.get("hint") for e in ET.fromstring(xml).iter("Label")]
    assert hints[0] == 'hint with <tags> & "quotes"'


def test_the_cli_prints_the_config(studio_cli):
    done = studio_cli("studio", "config")
    assert done.code == 0
    assert done.out == config_xml()
    assert ET.tostring(build_config(), encoding="unicode").startswith("<View>")


def test_the_server_accepts_the_config(label_studio):
    from label_studio_sdk import LabelStudio

    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project = ls.projects.create(title="config check", label_config=config_xml())
    stored = ls.projects.get(id=project.id).label_config
    assert config_labels(stored) == config_labels(config_xml())


def test_the_committed_config_is_the_generated_one():
    # annotations/label-studio/config.xml is what a user pastes into Label Studio's UI: it must
    # follow labels.json (regenerate with `sourcetrace studio config --output` that path)
    committed = (REPO / "annotations" / "label-studio" / "config.xml").read_text(encoding="utf-8")
    assert committed.strip() == config_xml().strip()
