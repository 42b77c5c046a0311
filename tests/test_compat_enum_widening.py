"""Dropping an enum or const widens a schema; adding one narrows it (Confluent's semantics).

Confluent reads `{"type": "string", "enum": [...]}` as an allOf of a string schema and an enum
schema; reading it as plain `{"type": "string"}` keeps one part of the allOf, a compatible
PRODUCT_TYPE_NARROWED (json-schema-provider SchemaDiff.compareTypes). A bare enum is an enum
schema of its own kind: Confluent calls enum -> string a TYPE_CHANGED. Avro has no enum ->
string promotion at all. Vectors written for grimoire (hotel booking, ride hailing, insurance).
"""

from __future__ import annotations

import pytest

from eventdesign.rules.compatibility import check_schemas


def codes(verdict) -> list[str]:
    return [c.code for check in verdict.checks for c in check.errors]


WIDENINGS = {
    "enum on a string": ({"type": "string", "enum": ["SINGLE", "DOUBLE"]}, {"type": "string"}),
    "const on a string": ({"type": "string", "const": "EUR"}, {"type": "string"}),
    "enum on an integer": ({"type": "integer", "enum": [1, 2, 3]}, {"type": "integer"}),
    "enum on a number with a limit": (
        {"type": "number", "enum": [0.5, 1], "minimum": 0},
        {"type": "number", "minimum": 0},
    ),
    "enum inside a oneOf branch": (
        {"oneOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]},
        {"oneOf": [{"type": "string"}, {"type": "null"}]},
    ),
    "enum inside an anyOf branch": (
        {"anyOf": [{"type": "integer", "enum": [1]}, {"type": "boolean"}]},
        {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
    ),
    "enum in an explicit allOf": (
        {"allOf": [{"type": "string"}, {"enum": ["CLAIM_OPEN", "CLAIM_PAID"]}]},
        {"type": "string"},
    ),
    "enum on a nested property of a closed object": (
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"roomType": {"type": "string", "enum": ["SUITE"]}},
        },
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"roomType": {"type": "string"}},
        },
    ),
}


@pytest.mark.parametrize("name", WIDENINGS)
def test_dropping_an_enum_or_const_is_backward_compatible(name: str) -> None:
    old, new = WIDENINGS[name]
    verdict = check_schemas([old, new], "BACKWARD")
    assert verdict.compatible, codes(verdict)


@pytest.mark.parametrize("name", WIDENINGS)
def test_dropping_an_enum_or_const_breaks_old_readers_forward(name: str) -> None:
    old, new = WIDENINGS[name]
    assert not check_schemas([old, new], "FORWARD").compatible


def test_adding_an_enum_to_a_string_narrows_it() -> None:
    verdict = check_schemas([{"type": "string"}, {"type": "string", "enum": ["A"]}], "BACKWARD")
    assert codes(verdict) == ["TYPE_CHANGED"]


def test_dropping_an_enum_while_narrowing_the_rest_stays_incompatible() -> None:
    old = {"type": "string", "enum": ["CLAIM_OPEN"]}
    new = {"type": "string", "maxLength": 3}
    assert not check_schemas([old, new], "BACKWARD").compatible


def test_dropping_an_enum_and_changing_the_type_stays_incompatible() -> None:
    old = {"type": "string", "enum": ["1"]}
    assert codes(check_schemas([old, {"type": "integer"}], "BACKWARD")) == ["TYPE_CHANGED"]


def test_a_bare_enum_read_as_a_string_is_a_type_change_as_in_confluent() -> None:
    assert codes(check_schemas([{"enum": ["red"]}, {"type": "string"}], "BACKWARD")) == [
        "TYPE_CHANGED"
    ]


def test_avro_enum_symbol_removed_is_incompatible_and_added_is_compatible() -> None:
    def ride(symbols: list[str]) -> dict:
        status = {"type": "enum", "name": "Status", "symbols": symbols}
        return {"type": "record", "name": "Ride", "fields": [{"name": "status", "type": status}]}

    both, one = ride(["REQUESTED", "ACCEPTED"]), ride(["REQUESTED"])
    assert codes(check_schemas([both, one], "BACKWARD", "avro")) == ["MISSING_ENUM_SYMBOLS"]
    assert check_schemas([one, both], "BACKWARD", "avro").compatible


def test_avro_enum_read_as_a_string_has_no_promotion() -> None:
    status = {"type": "enum", "name": "Status", "symbols": ["REQUESTED"]}
    old = {"type": "record", "name": "Ride", "fields": [{"name": "status", "type": status}]}
    new = {"type": "record", "name": "Ride", "fields": [{"name": "status", "type": "string"}]}
    assert codes(check_schemas([old, new], "BACKWARD", "avro")) == ["TYPE_MISMATCH"]
