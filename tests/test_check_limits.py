"""What SCH011 and SCH012 rest on: the largest payload a JSON Schema admits, and which JSON
Schema content models can gain a field under FULL compatibility (checked with grimoire's own
implementation of Confluent's JSON Schema rules)."""

from __future__ import annotations

import json

import pytest

from eventdesign.model.payload_size import max_json_bytes
from eventdesign.rules.compatibility import check_schemas
from eventdesign.rules.content_model import content_model

CLOSED = {"type": "object", "additionalProperties": False, "properties": {"id": {"type": "string"}}}
OPEN = {"type": "object", "properties": {"id": {"type": "string"}}}
PATTERNED = {**CLOSED, "patternProperties": {"^ext_": {"type": "string"}}}
TYPED_EXTRA = {**OPEN, "additionalProperties": {"type": "string"}}


def with_field(schema: dict, name: str) -> dict:
    return {**schema, "properties": {**schema["properties"], name: {"type": "string"}}}


@pytest.mark.parametrize(
    ("schema", "kind", "added"),
    [
        (CLOSED, "closed", "note"),
        (OPEN, "open", "note"),
        (PATTERNED, "partially open", "ext_note"),
        (TYPED_EXTRA, "partially open", "note"),
    ],
)
def test_only_a_partially_open_model_can_gain_a_field_under_full(schema, kind, added):
    assert content_model(schema) == kind
    verdict = check_schemas([schema, with_field(schema, added)], "FULL")
    assert verdict.compatible is (kind == "partially open")


def test_bounded_schema_bound_covers_its_largest_instance():
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "tags": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 5}},
            "level": {"enum": ["low", "high"]},
            "count": {"type": "integer"},
            "note": {"type": ["string", "null"], "maxLength": 4},
        },
    }
    largest = {
        "id": "0" * 36,
        "tags": ["\U0001f600" * 5] * 3,
        "level": "high",
        "count": -1.7976931348623157e308,
        "note": "\U0001f600" * 4,
    }
    text = json.dumps(largest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert len(text) <= max_json_bytes(schema) < 2 * len(text)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string"},
        {"type": "array", "items": {"type": "string", "maxLength": 3}},
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        {"type": "object", "additionalProperties": False, "properties": {"a": {"$ref": "#"}}},
        {"$ref": "https://example.com/money.json"},
    ],
)
def test_schema_that_leaves_anything_open_has_no_bound(schema):
    assert max_json_bytes(schema) is None
