"""The merged 2019-09/2020-12 metaschemas accept exactly what the official ones accept.

Vectors: every schema of the JSON Schema corpus, plus invalid schemas written for grimoire
(one broken keyword of each vocabulary).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from jsonschema.validators import validator_for

from eventdesign.compat.metaschema import (
    BUNDLE_PATH,
    _valid_by_compiled_check,
    bundle_from_jsonschema,
    bundled_metaschema,
    check_against_metaschema,
    merged_metaschema,
)
from eventdesign.errors import InputError

DATA = Path(__file__).resolve().parent / "data" / "compat"
CORPUS = json.loads((DATA / "jsonschema-backward.json").read_text(encoding="utf-8"))
DRAFTS = {
    "2020-12": jsonschema.Draft202012Validator,
    "2019-09": jsonschema.Draft201909Validator,
}
BROKEN = [
    {"type": "strng"},
    {"type": ["string", 3]},
    {"required": "id"},
    {"required": ["id", "id"]},
    {"properties": []},
    {"properties": {"a": 3}},
    {"items": [3]},
    {"prefixItems": {}},
    {"minLength": -1},
    {"maxItems": 1.5},
    {"multipleOf": 0},
    {"enum": "a"},
    {"allOf": []},
    {"anyOf": [{"type": "nope"}]},
    {"not": 3},
    {"dependentRequired": {"a": "b"}},
    {"dependentSchemas": {"a": 3}},
    {"unevaluatedProperties": 3},
    {"additionalProperties": {"type": "x"}},
    {"$defs": {"a": {"minimum": "0"}}},
    {"definitions": {"a": {"maximum": "0"}}},
    {"dependencies": {"a": 3}},
    {"$id": 3},
    {"$anchor": "not an anchor"},
    {"title": 3},
    {"contentMediaType": 3},
    {"format": 3},
    {"if": 3},
    {"$comment": 3},
    {"deprecated": "yes"},
]
VALID = [case[side] for case in CORPUS for side in ("old", "new")] + [
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {}}},
    {"dependencies": {"a": ["b"], "c": {"type": "string"}}},
    {"contentEncoding": "base64", "contentSchema": {"type": "object"}},
]


@pytest.mark.parametrize("draft", sorted(DRAFTS))
@pytest.mark.parametrize("schema", BROKEN + VALID[:1] + VALID[-3:], ids=repr)
def test_merged_metaschema_agrees_with_the_official_one(draft: str, schema: dict) -> None:
    validator_class = DRAFTS[draft]
    official = validator_class(validator_class.META_SCHEMA).is_valid(schema)
    merged_schema = merged_metaschema(validator_class.META_SCHEMA["$id"])
    merged = validator_class(merged_schema).is_valid(schema)
    assert merged is official


@pytest.mark.parametrize("draft", sorted(DRAFTS))
def test_merged_metaschema_accepts_every_corpus_schema_the_official_one_does(draft: str) -> None:
    validator_class = DRAFTS[draft]
    official = validator_class(validator_class.META_SCHEMA)
    merged = validator_class(merged_metaschema(validator_class.META_SCHEMA["$id"]))
    assert [official.is_valid(s) for s in VALID] == [merged.is_valid(s) for s in VALID]


def test_broken_schema_is_refused_with_the_pointer_of_the_problem() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {"total": {"minimum": "zero"}},
    }
    with pytest.raises(InputError, match=r"not a valid JSON Schema at #/properties/total/minimum"):
        check_against_metaschema(schema, "order.json", lambda pointer: None)


def test_schema_without_a_draft_is_checked_as_draft_7() -> None:
    # Draft 7 has no prefixItems, so any value passes there; 2020-12 requires an array.
    check_against_metaschema({"prefixItems": 3}, "order.json", lambda pointer: None)
    with pytest.raises(InputError):
        check_against_metaschema(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": 3},
            "order.json",
            lambda pointer: None,
        )


def test_bundled_metaschemas_are_those_of_the_installed_jsonschema() -> None:
    # If this fails after a jsonschema upgrade, rewrite the bundle (see compat/metaschema.py).
    bundled = json.loads(BUNDLE_PATH.read_text(encoding="utf-8"))
    assert bundled == bundle_from_jsonschema()


@pytest.mark.parametrize(
    "dialect",
    [
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema#",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema#",
    ],
)
def test_bundled_dialect_selects_the_metaschema_jsonschema_selects(dialect: str) -> None:
    validator_class = validator_for({"$schema": dialect}, default=None)
    identifier = validator_class.ID_OF(validator_class.META_SCHEMA)
    expected = validator_class.META_SCHEMA
    if identifier.startswith("https://json-schema.org/draft/"):
        expected = merged_metaschema(identifier)
    assert bundled_metaschema(dialect) == expected


@pytest.mark.parametrize(
    "dialect",
    [
        "HTTPS://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema/",
        "https://example.com/my-dialect",
        "",
    ],
)
def test_other_spellings_are_not_bundled_and_go_to_jsonschema(dialect: str) -> None:
    assert bundled_metaschema(dialect) is None


@pytest.mark.parametrize("dialect", ["2020-12", "2019-09", "draft-07", None])
def test_the_compiled_check_and_jsonschema_agree_on_valid_and_broken_schemas(dialect) -> None:
    uris = {
        "2020-12": "https://json-schema.org/draft/2020-12/schema",
        "2019-09": "https://json-schema.org/draft/2019-09/schema",
        "draft-07": "http://json-schema.org/draft-07/schema#",
    }
    for schema in BROKEN + VALID:
        document = dict(schema, **({"$schema": uris[dialect]} if dialect else {}))
        validator = validator_for(document, default=jsonschema.Draft7Validator)
        expected = validator(validator.META_SCHEMA).is_valid(document)
        assert _valid_by_compiled_check(document) is expected, document
