"""The fast model check never accepts what jsonschema rejects, and agrees with it on the example.

Every value of the bundled example is mutated in turn (wrong types, unknown keys, removals);
for each mutant the compiled predicate must give jsonschema's verdict.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import (
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)

from conftest import EXAMPLE_MODEL, value_paths
from eventdesign.jsonschema_compiler import UnsupportedSchema, compile_schema, json_equal
from eventdesign.model.loader import _model_validator, model_schema
from eventdesign.model.source import load_document
from eventdesign.payload_validation import fast_meta_check

REPLACEMENTS = (1, 1.5, True, None, "x", "", [], {}, ["x", "x"], {"zzz": 1}, -1)


def _mutants(data: dict) -> Iterator[tuple[str, dict]]:
    for path in value_paths(data):
        if not path:
            continue
        parent_path, last = path[:-1], path[-1]
        for replacement in REPLACEMENTS:
            mutant = copy.deepcopy(data)
            parent = mutant
            for step in parent_path:
                parent = parent[step]
            parent[last] = copy.deepcopy(replacement)
            yield f"{path} = {replacement!r}", mutant
        if isinstance(last, str):
            mutant = copy.deepcopy(data)
            parent = mutant
            for step in parent_path:
                parent = parent[step]
            del parent[last]
            yield f"del {path}", mutant
            parent["unknown_key"] = 1
            yield f"{parent_path} + unknown_key", mutant


@pytest.fixture(scope="module")
def example_data() -> dict:
    return load_document(EXAMPLE_MODEL).data


def test_fast_check_compiles_the_model_schema_into_jsonschemas_verdicts():
    schema = model_schema()
    check = compile_schema(schema)
    full = Draft202012Validator(schema)
    documents = ([], "grimoire/1", {}, {"format": "grimoire/1"}, {"format": "grimoire/9"})
    verdicts = [check(document) for document in documents]
    assert verdicts == [full.is_valid(document) for document in documents]
    assert verdicts[:3] == [False, False, False]  # a model is a mapping with a format


def test_fast_check_accepts_the_bundled_example(example_data):
    assert compile_schema(model_schema())(example_data)


def test_fast_check_gives_jsonschemas_verdict_on_every_mutant_of_the_example(example_data):
    fast = compile_schema(model_schema())
    validator = _model_validator()
    disagreements = []
    count = 0
    for label, mutant in _mutants(example_data):
        count += 1
        expected = validator.is_valid(mutant)
        if fast(mutant) != expected:
            disagreements.append(f"{label}: jsonschema says valid={expected}")
    assert count > 1000
    assert disagreements == []


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "unevaluatedProperties": False},
        {"type": "string", "format": "email"},
        {"type": "string", "maxLenght": 3},
    ],
)
def test_unknown_keywords_are_refused_rather_than_ignored(schema):
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)


def test_annotations_named_by_the_caller_are_ignored():
    assert compile_schema({"type": "string", "format": "email"}, annotations=("format",))("x")


def test_json_equality_tells_booleans_from_numbers():
    assert not json_equal(True, 1)
    assert json_equal(1, 1.0)
    assert not json_equal({"a": [1, True]}, {"a": [1, 1]})
    assert compile_schema({"const": 1})(1.0)
    assert not compile_schema({"enum": [1]})(True)


CORPUS = Path(__file__).parent / "data" / "compat" / "jsonschema-backward.json"
BREAKAGES = (
    ("type", 5),
    ("type", "strnig"),
    ("required", "id"),
    ("properties", []),
    ("minimum", "1"),
    ("enum", 3),
    ("items", 3),
    ("additionalProperties", "no"),
    ("$ref", 7),
    ("minLength", -1),
    ("pattern", 5),
)


@pytest.mark.parametrize(
    "validator_class",
    [Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator],
)
def test_fast_metaschema_check_gives_jsonschemas_verdict_on_the_compat_corpus(validator_class):
    fast = fast_meta_check(validator_class.ID_OF(validator_class.META_SCHEMA))
    assert fast is not None
    full = validator_class(validator_class.META_SCHEMA)
    cases = json.loads(CORPUS.read_text())
    schemas = [case[side] for case in cases for side in ("old", "new")]
    checked = 0
    for schema in schemas:
        variants = [schema]
        if isinstance(schema, dict):
            variants += [{**schema, keyword: value} for keyword, value in BREAKAGES]
        for variant in variants:
            checked += 1
            assert fast(variant) == full.is_valid(variant), variant
    assert checked > 2000
