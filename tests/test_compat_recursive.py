"""Recursive schemas: compared in polynomial time, and no remembered guess hides a difference.

Vectors: the corpus case SchemaDiffTest.testRecursiveOneOfUnionTerminates (Confluent's recursive
trade schema, copied from tests/data/compat/jsonschema-backward.json) with one property changed
deep inside, and recursive schemas written for grimoire (an org chart, a knowledge graph) whose
verdicts are checked against instances: a value the old schema accepts and the new one rejects.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from eventdesign.compat.deep_recursion import call_with_deep_stack
from eventdesign.compat.jsonschema_diff import JsonSchemaDiff
from eventdesign.compat.jsonschema_nodes import load_schema
from eventdesign.rules.compatibility import check_schemas

DATA = Path(__file__).resolve().parent / "data" / "compat"
CASES = {c["id"]: c for c in json.loads((DATA / "jsonschema-backward.json").read_text())}
TRADE = CASES["SchemaDiffTest.testRecursiveOneOfUnionTerminates"]["old"]


def ring(names: list[str], id_types: dict[str, str]) -> dict:
    """Definitions that each point at every definition through a oneOf (a recursive union)."""
    union = {"oneOf": [{"$ref": f"#/definitions/{n}"} for n in names]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "definitions": {
            name: {
                "type": "object",
                "required": ["kind", "id"],
                "properties": {
                    "kind": {"const": name},
                    "id": {"type": id_types.get(name, "string")},
                    "next": union,
                },
            }
            for name in names
        },
        "properties": {"root": union},
    }


def differences_with_counts(old: dict, new: dict) -> tuple[list, JsonSchemaDiff, int]:
    differ = JsonSchemaDiff()
    calls = 0
    compare_pair = differ._compare

    def counting(original, update):
        nonlocal calls
        calls += 1
        return compare_pair(original, update)

    differ._compare = counting
    old_root, new_root = load_schema(old, "old").root, load_schema(new, "new").root
    found = call_with_deep_stack(differ.differences, old_root, new_root)
    return found, differ, calls


def test_a_type_changed_deep_inside_confluents_recursive_trade_union_is_found() -> None:
    new = copy.deepcopy(TRADE)
    new["definitions"]["Asset"]["properties"]["id"] = {"type": "number"}
    verdict = check_schemas([TRADE, new], "BACKWARD")
    assert not verdict.compatible
    assert verdict.error_count >= 1


def test_each_pair_of_the_recursive_trade_union_is_compared_at_most_once_per_pass() -> None:
    new = copy.deepcopy(TRADE)
    new["definitions"]["Asset"]["properties"]["id"] = {"type": "number"}
    _, differ, calls = differences_with_counts(TRADE, new)
    old_nodes = load_schema(TRADE, "old")._count
    new_nodes = load_schema(new, "new")._count
    assert differ.passes <= 4
    assert calls <= differ.passes * old_nodes * new_nodes


def test_an_identical_recursive_union_needs_one_pass() -> None:
    _, differ, _ = differences_with_counts(TRADE, copy.deepcopy(TRADE))
    assert differ.passes == 1


ORG_UNITS = ["Company", "Division", "Department", "Team", "Squad", "Guild"]


def witness(path: list[str], id_value: object) -> dict:
    """An instance that walks `path` through `next` and carries `id_value` at its end."""
    node: dict = {"kind": path[-1], "id": id_value}
    for name in reversed(path[:-1]):
        node = {"kind": name, "id": "x", "next": node}
    return {"root": node}


@pytest.mark.parametrize("changed", ORG_UNITS)
def test_a_change_reachable_only_through_the_recursion_is_never_masked(changed: str) -> None:
    old = ring(ORG_UNITS, {})
    new = ring(ORG_UNITS, {changed: "integer"})
    # A value the old schema accepts and the new one rejects: reaching `changed` from the top.
    instance = witness(["Company", "Guild", "Division", changed], "x")
    jsonschema.validate(instance, old)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance, new)
    assert not check_schemas([old, new], "BACKWARD").compatible


def test_a_recursive_union_that_only_widens_stays_compatible() -> None:
    old = ring(ORG_UNITS, {"Team": "integer"})
    new = ring(ORG_UNITS, {"Team": ["integer", "string"]})
    verdict = check_schemas([old, new], "BACKWARD")
    assert verdict.compatible


def test_knowledge_graph_with_mutually_recursive_nodes_reports_the_narrowed_leaf() -> None:
    def graph(label_type: str) -> dict:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {
                "Concept": {
                    "type": "object",
                    "properties": {
                        "label": {"type": label_type},
                        "related": {"type": "array", "items": {"$ref": "#/$defs/Link"}},
                    },
                },
                "Link": {
                    "type": "object",
                    "properties": {
                        "target": {"anyOf": [{"$ref": "#/$defs/Concept"}, {"type": "null"}]}
                    },
                },
            },
            "$ref": "#/$defs/Concept",
        }

    verdict = check_schemas([graph("number"), graph("integer")], "BACKWARD")
    assert not verdict.compatible
    narrowed = [c for check in verdict.checks for c in check.errors if c.code == "TYPE_NARROWED"]
    assert [c.path for c in narrowed] == ["#/properties/label"]


def category_tree(id_type: str) -> dict:
    """A recursive Avro record: a product category with its subcategories."""
    return {
        "type": "record",
        "name": "Category",
        "fields": [
            {"name": "id", "type": id_type},
            {"name": "children", "type": {"type": "array", "items": "Category"}},
            {"name": "parent", "type": ["null", "Category"], "default": None},
        ],
    }


def test_a_recursive_avro_record_is_compared_and_its_change_found() -> None:
    verdict = check_schemas([category_tree("string"), category_tree("int")], "BACKWARD", "avro")
    assert not verdict.compatible
    assert {c.code for check in verdict.checks for c in check.errors} == {"TYPE_MISMATCH"}


def test_a_recursive_avro_record_widened_stays_compatible() -> None:
    verdict = check_schemas([category_tree("int"), category_tree("long")], "BACKWARD", "avro")
    assert verdict.compatible
