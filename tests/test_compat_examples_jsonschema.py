"""The JSON Schema compatibility rules' worked examples, run through `compat`.

Each example (a `before:`/`after:` pair, BACKWARD unless it names a `mode:`) must report its
change and nothing unrelated, so a reader sees one problem at a time; the compatible alternative
must report nothing at all. Every JSON Schema change the rules know has an example and sources.
"""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from eventdesign.rules.compat_examples.jsonschema import EXAMPLES, SOURCES, parts
from eventdesign.rules.compatibility import check_schemas
from eventdesign.rules.registry import all_rules

JSON_SCHEMA_RULES = [
    r for r in all_rules() if r.family == "compatibility" and r.name.startswith("json-")
]
JSON_SCHEMA_CODES = sorted(r.code for r in JSON_SCHEMA_RULES)


def reported_codes(pair_text: str) -> list[str]:
    """Codes `compat` reports going from the pair's `before` schema to its `after` schema."""
    pair = yaml.safe_load(pair_text)
    verdict = check_schemas([pair["before"], pair["after"]], pair.get("mode", "BACKWARD"))
    return [change.code for check in verdict.checks for change in check.reported]


# Changes that come with the one that explains them: a property or tuple position checked
# against a partially open content model, with the difference from the schema that covered it;
# a switch to oneOf, with the overlap between its branches that makes old data fail.
REPORTED_WITH = {
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": ["TYPE_CHANGED"],
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": ["TYPE_NARROWED"],
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": ["TYPE_CHANGED"],
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": ["TYPE_NARROWED"],
    "COMBINED_TYPE_CHANGED": ["ONE_OF_BRANCHES_MAY_OVERLAP"],
}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_example_reports_its_change_and_no_other(code):
    found = reported_codes(EXAMPLES[code][0])
    assert sorted(found) == sorted([code, *REPORTED_WITH.get(code, [])])


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_compatible_alternative_reports_nothing(code):
    assert reported_codes(EXAMPLES[code][1]) == []


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_both_pairs_change_the_schema(code):
    for text in EXAMPLES[code]:
        pair = yaml.safe_load(text)
        assert set(pair) <= {"before", "after", "mode"}
        assert pair["before"] != pair["after"]


def test_every_json_schema_change_has_a_worked_example():
    assert len(JSON_SCHEMA_CODES) == 73
    assert sorted(EXAMPLES) == JSON_SCHEMA_CODES
    assert sorted(SOURCES) == JSON_SCHEMA_CODES


@pytest.mark.parametrize("code", JSON_SCHEMA_CODES)
def test_parts_give_the_example_the_alternative_and_linked_sources(code):
    found = parts(code)
    assert (found["example"], found["instead"]) == EXAMPLES[code]
    assert found["sources"] == SOURCES[code]
    assert found["sources"] and all("https://" in source for source in found["sources"])


@pytest.mark.parametrize("rule_", JSON_SCHEMA_RULES, ids=lambda r: r.id)
def test_a_rule_given_its_parts_explains_with_the_example_the_fix_and_the_sources(rule_):
    explained = dataclasses.replace(rule_, **parts(rule_.code))
    headings = [heading for heading, _ in explained.sections()]
    assert headings[-3:] == ["Example", "Instead", "Sources"]
    shown = explained.as_dict()
    assert yaml.safe_load(shown["example"]).keys() == {"before", "after"}
    assert shown["sources"] == list(SOURCES[rule_.code])
