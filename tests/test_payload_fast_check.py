"""The compiled payload check gives jsonschema's verdict, or declines (None).

Generated schemas use every keyword the check implements, in drafts 2020-12, 2019-09 and 7;
the schemas of the test corpus (tests/data/compat, the bundled example) are checked on values
built from them and on every mutant of those; the edge cases are written out. Each form the
check must decline has its own case.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft201909Validator, Draft202012Validator
from jsonschema.validators import validator_for
from referencing import Registry

from conftest import EXAMPLE_DIR, REPO_ROOT, value_paths
from eventdesign import payload_validation
from eventdesign.jsonschema_compiler import DIALECTS, compile_payload_check, json_equal

DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


def _verdict(check: Any, instance: Any) -> Any:
    """True, False, or the type of exception raised."""
    try:
        return check(instance)
    except Exception as error:
        return type(error)


def _has_huge_int(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_huge_int(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_huge_int(item) for item in value)
    return isinstance(value, int) and abs(value) > 10**308


def _assert_same_verdict_as(check: Any, validator: Any, instance: Any, label: Any) -> None:
    """Both give the same answer. jsonschema fails on numbers no float holds (10**400 / 0.1),
    and whether it or the check gets to such a division first depends on the order they
    take the keywords in: there either may fail (the check's callers then ask jsonschema)."""
    fast, full = _verdict(check, instance), _verdict(validator.is_valid, instance)
    if isinstance(fast, bool) and isinstance(full, bool):
        assert fast == full, (label, instance, full)
    else:
        assert _has_huge_int(instance), (label, instance, fast, full)


def _validator(schema: Any) -> Any:
    return validator_for(schema, default=Draft202012Validator)(schema, registry=Registry())


def _assert_same_verdict(schema: Any, instance: Any) -> None:
    check = compile_payload_check(schema)
    assert check is not None, schema
    _assert_same_verdict_as(check, _validator(schema), instance, schema)


# --- generated schemas and instances ------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c"])
PATTERNS = st.sampled_from(["^a", "b$", "^[ab]+$", "c", ""])
TYPES = st.sampled_from(["object", "array", "string", "number", "integer", "boolean", "null"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.5, 0.3, 1e20, 10**20, 10**400, -(10**400)])
    | st.sampled_from(["", "a", "b", "ab", "ba", "abc", "c"])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(NAMES | st.just("zz"), children, max_size=3)
    ),
    max_leaves=8,
)
NUMBERS = st.sampled_from([0, 1, 2, -1, 0.5, 1.5, 2.0, 10**20, 1e-3])
COUNTS = st.integers(0, 3)


def _merge(fragments: list[dict]) -> dict:
    merged: dict = {}
    for fragment in fragments:
        merged.update(fragment)
    return merged


def _one(keyword: str, values: Any) -> Any:
    return values.map(lambda value: {keyword: value})


LEAF_FRAGMENTS = st.one_of(
    _one("type", TYPES | st.lists(TYPES, min_size=1, max_size=3, unique=True)),
    _one("const", JSON_VALUES),
    _one("enum", st.lists(JSON_VALUES, min_size=1, max_size=4)),
    *(
        _one(keyword, NUMBERS)
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    ),
    _one("multipleOf", st.sampled_from([1, 2, 3, 0.5, 0.1, 0.01, 1.5, 1e-5, 10**20])),
    *(
        _one(keyword, COUNTS)
        for keyword in (
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
        )
    ),
    _one("pattern", PATTERNS),
    _one("uniqueItems", st.booleans()),
    _one("required", st.lists(NAMES, unique=True, max_size=3)),
    _one(
        "dependentRequired",
        st.dictionaries(NAMES, st.lists(NAMES, unique=True, max_size=2), max_size=2),
    ),
    _one("format", st.sampled_from(["date-time", "email", "uuid"])),
    _one("title", st.text(max_size=3)),
    _one("x-vendor", JSON_VALUES),
    st.just({"$ref": "#/$defs/shared"}),
)
LEAF_SCHEMAS = st.booleans() | st.lists(LEAF_FRAGMENTS, max_size=3).map(_merge)


def _compound_fragments(children: Any) -> Any:
    return st.one_of(
        _one("properties", st.dictionaries(NAMES, children, max_size=3)),
        _one("patternProperties", st.dictionaries(PATTERNS, children, max_size=2)),
        _one("additionalProperties", children),
        _one("propertyNames", children),
        _one("items", children),
        _one("prefixItems", st.lists(children, max_size=2)),
        st.fixed_dictionaries(
            {"contains": children},
            optional={"minContains": COUNTS, "maxContains": COUNTS},
        ),
        *(
            _one(keyword, st.lists(children, min_size=1, max_size=3))
            for keyword in ("allOf", "anyOf", "oneOf")
        ),
        _one("not", children),
        st.fixed_dictionaries({"if": children}, optional={"then": children, "else": children}),
        _one("dependentSchemas", st.dictionaries(NAMES, children, max_size=2)),
    )


SCHEMAS = st.recursive(
    LEAF_SCHEMAS,
    lambda children: st.lists(
        LEAF_FRAGMENTS | _compound_fragments(children), min_size=1, max_size=4
    ).map(_merge),
    max_leaves=10,
)
# What "#/$defs/shared" names: any schema without references, so no reference loop.
SHARED = st.recursive(
    st.booleans()
    | st.lists(LEAF_FRAGMENTS.filter(lambda f: "$ref" not in f), max_size=3).map(_merge),
    lambda children: st.lists(_compound_fragments(children), min_size=1, max_size=2).map(_merge),
    max_leaves=4,
)


def _root(dialect: str | None, schema: Any, shared: Any) -> dict:
    root = {"allOf": [schema], "$defs": {"shared": shared}}
    if dialect is not None:
        root["$schema"] = dialect
    return root


GENERATED = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("dialect", [None, DRAFT2020, DRAFT2019, DRAFT7])
@GENERATED
@given(schema=SCHEMAS, shared=SHARED, instance=JSON_VALUES)
def test_generated_schemas_get_jsonschemas_verdict(dialect, schema, shared, instance):
    _assert_same_verdict(_root(dialect, schema, shared), instance)


@pytest.mark.parametrize("dialect", [None, DRAFT7])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=SCHEMAS, shared=SHARED)
def test_generated_schemas_get_jsonschemas_verdict_on_values_built_from_them(
    dialect, schema, shared
):
    root = _root(dialect, schema, shared)
    check, validator = compile_payload_check(root), _validator(root)
    assert check is not None
    for instance in itertools.islice(_mutants(_sample(schema, root)), 40):
        _assert_same_verdict_as(check, validator, instance, root)


@GENERATED
@given(schema=SCHEMAS, data=st.data())
def test_generated_schemas_get_jsonschemas_verdict_on_their_own_constants(schema, data):
    constants = [value for key, value in _walk_items(schema) if key in ("const", "default")]
    constants += [v for key, value in _walk_items(schema) if key == "enum" for v in value]
    if constants:
        instance = data.draw(st.sampled_from(constants))
        _assert_same_verdict(_root(None, schema, True), instance)


def _walk_items(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            if key not in ("const", "enum", "x-vendor"):
                yield from _walk_items(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_items(item)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, JSON_VALUES)
def test_json_equality_is_jsonschemas(a, b):
    from jsonschema._utils import equal

    assert json_equal(a, b) == equal(a, b)


# --- the corpus ---------------------------------------------------------------------------

REPLACEMENTS = (0, 1, 1.0, 1.5, True, None, "", "x", [], {}, ["x", "x"], {"zz": 1}, -1, 10**400)


def _corpus_schemas() -> Iterator[tuple[str, Any]]:
    for case in json.loads((REPO_ROOT / "tests/data/compat/jsonschema-backward.json").read_text()):
        yield f"{case['id']} old", case["old"]
        yield f"{case['id']} new", case["new"]
    rules = json.loads((REPO_ROOT / "tests/data/compat/rule_cases.json").read_text())
    for rule, case in rules["cases"].items():
        if case.get("language") == "jsonschema":
            yield f"{rule} old", case["old"]
            yield f"{rule} new", case["new"]
    files = [
        *(REPO_ROOT / "tests/data/compat").rglob("*.json"),
        *(REPO_ROOT / "tests/data/compat/files").glob("*.yaml"),
        *(EXAMPLE_DIR / "schemas").glob("*.json"),
    ]
    for path in files:
        skipped = ("jsonschema-backward.json", "rule_cases.json")
        if path.name in skipped or "avro" in path.name or "protobuf" in path.name:
            continue
        yield str(path.relative_to(REPO_ROOT)), yaml.safe_load(path.read_text())
    model = yaml.safe_load((EXAMPLE_DIR / "design.yaml").read_text())
    for name, event in (model.get("events") or {}).items():
        if isinstance(event.get("schema"), dict):
            yield f"example event {name}", event["schema"]


def _sample(schema: Any, root: Any, depth: int = 0) -> Any:
    """A value shaped like what the schema describes (often valid, not always)."""
    if not isinstance(schema, dict) or depth > 3:
        return None
    if "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#/"):
        target = root
        for token in schema["$ref"][2:].split("/"):
            target = target.get(token, {}) if isinstance(target, dict) else {}
        return _sample(target, root, depth + 1)
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if schema.get("enum"):
        return copy.deepcopy(schema["enum"][0])
    for keyword in ("allOf", "anyOf", "oneOf"):
        if schema.get(keyword):
            return _sample(schema[keyword][0], root, depth + 1)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object" or "properties" in schema:
        return {
            name: _sample(sub, root, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        return [_sample(schema.get("items", {}), root, depth + 1)]
    samples = {"string": "x" * schema.get("minLength", 1), "integer": 1, "number": 1.5}
    return samples.get(kind, True if kind == "boolean" else None)


def _replaced(value: Any, path: tuple, replacement: Any) -> Any:
    if not path:
        return replacement
    copied = copy.deepcopy(value)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if replacement is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copied


_DELETE = object()


def _mutants(value: Any) -> Iterator[Any]:
    """The value, and each value with one place replaced, removed, or given an extra key."""
    yield value
    for path in value_paths(value):
        for replacement in REPLACEMENTS:
            yield _replaced(value, path, replacement)
        if path and isinstance(path[-1], str):
            yield _replaced(value, path, _DELETE)
        target = _replaced(value, (), value)
        for step in path:
            target = target[step]
        if isinstance(target, dict):
            yield _replaced(value, path, {**target, "zz": 1})
        elif isinstance(target, list):
            yield _replaced(value, path, target + target)


def test_corpus_schemas_get_jsonschemas_verdict_on_values_built_from_them():
    compiled = checked = 0
    for label, schema in _corpus_schemas():
        check = compile_payload_check(schema)
        if check is None:
            continue
        compiled += 1
        validator = _validator(schema)
        for instance in _mutants(_sample(schema, schema)):
            checked += 1
            _assert_same_verdict_as(check, validator, instance, label)
    assert compiled > 200
    assert checked > 5000


# --- edge cases ---------------------------------------------------------------------------

EDGE_CASES = [
    # Integers of any size; bool is no number; 1.0 is an integer.
    ({"type": "integer"}, 10**400),
    ({"type": "integer"}, -(10**400)),
    ({"type": "integer"}, 1.0),
    ({"type": "integer"}, 1.5),
    ({"type": "integer"}, True),
    ({"type": "number"}, False),
    ({"maximum": 1e308}, 10**400),
    ({"minimum": 0}, True),
    # JSON equality: 1 equals 1.0, never true.
    ({"const": 1}, 1.0),
    ({"const": 1}, True),
    ({"const": True}, 1),
    ({"const": [1, {"a": 0}]}, [1.0, {"a": False}]),
    ({"enum": [1, "a"]}, True),
    ({"enum": [False]}, 0),
    ({"enum": [[1]]}, [1.0]),
    ({"uniqueItems": True}, [1, 1.0]),
    ({"uniqueItems": True}, [1, True]),
    ({"uniqueItems": True}, [0, False, [0], [False]]),
    ({"uniqueItems": True}, [{"a": 1}, {"a": 1.0}]),
    ({"uniqueItems": True}, [[1], [True]]),
    # multipleOf with float divisors, as jsonschema computes it.
    ({"multipleOf": 0.1}, 0.3),
    ({"multipleOf": 0.01}, 19.99),
    ({"multipleOf": 0.5}, 1e308),
    ({"multipleOf": 1e-5}, 10**20),
    ({"multipleOf": 0.1}, 10**400),
    ({"multipleOf": 3}, 10**400),
    ({"multipleOf": 2}, 4.0),
    ({"multipleOf": 2}, 4.5),
    # patternProperties and the properties additionalProperties leaves out.
    ({"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": False}, {"xa": 1}),
    ({"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": False}, {"y": "a"}),
    ({"patternProperties": {"^x": {}}, "additionalProperties": {"type": "integer"}}, {"y": 1}),
    ({"patternProperties": {"": {}}, "additionalProperties": False}, {"y": 1}),
    (
        {"properties": {"a": {}}, "patternProperties": {"b": {}}, "additionalProperties": False},
        {"a": 1, "ab": 2},
    ),
    # format is an annotation without a format checker.
    ({"format": "email"}, "not an email"),
    ({"format": "date-time"}, "yesterday"),
    # contains with bounds, and items after prefixItems.
    ({"contains": {"type": "string"}, "minContains": 2}, ["a", 1]),
    ({"contains": {"type": "string"}, "maxContains": 1}, ["a", "b"]),
    ({"contains": {"type": "string"}, "minContains": 0}, []),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a"]),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a", 1]),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, "b"]),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"dependentRequired": {"a": ["b"]}}, {"b": 1}),
    # Before 2019-09 a $ref ignores its siblings; later drafts apply them too.
    (
        {
            "$schema": DRAFT7,
            "definitions": {"text": {"type": "string"}},
            "properties": {"a": {"$ref": "#/definitions/text", "maxLength": 1}},
        },
        {"a": "long"},
    ),
    (
        {
            "$schema": DRAFT7,
            "definitions": {"text": {"type": "string"}},
            "not": {"$ref": "#/definitions/text", "maxLength": 1},
        },
        "long",
    ),
    (
        {
            "$defs": {"text": {"type": "string"}},
            "properties": {"a": {"$ref": "#/$defs/text", "maxLength": 1}},
        },
        {"a": "long"},
    ),
    # Draft 7 knows neither prefixItems nor dependentRequired nor minContains.
    ({"$schema": DRAFT7, "prefixItems": [False]}, [1]),
    ({"$schema": DRAFT7, "dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"$schema": DRAFT7, "contains": {"type": "string"}, "minContains": 2}, ["a"]),
    ({"$schema": DRAFT2019, "prefixItems": [False], "items": {"type": "integer"}}, [1]),
    # References: recursion, pointers with escapes and array indexes.
    (
        {"type": "object", "properties": {"next": {"$ref": "#"}}, "additionalProperties": False},
        {"next": {"next": {"other": 1}}},
    ),
    ({"$defs": {"a/b": {"type": "string"}}, "$ref": "#/$defs/a~1b"}, 1),
    ({"anyOf": [{"type": "string"}, {"type": "null"}], "not": {"$ref": "#/anyOf/1"}}, None),
    # if/then/else and oneOf.
    ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}}, "a"),
    ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}}, 1.5),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1.5),
    ({"anyOf": []}, 1),
    ({"enum": []}, 1),
    ({"type": []}, 1),
]


@pytest.mark.parametrize(("schema", "instance"), EDGE_CASES)
def test_edge_cases_get_jsonschemas_verdict(schema, instance):
    _assert_same_verdict(schema, instance)


def test_integers_too_big_for_a_float_are_integers():
    check = compile_payload_check({"type": "integer", "minimum": 0})
    assert check(10**400)
    assert not check(-(10**400))


# --- where the check declines -------------------------------------------------------------

DECLINED = {
    "draft 4": {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string"},
    "draft 6": {"$schema": "http://json-schema.org/draft-06/schema#", "type": "string"},
    "unknown dialect": {"$schema": "https://example.com/my-dialect", "type": "string"},
    "$schema not a string": {"$schema": 7},
    "nested $id": {"properties": {"a": {"$id": "https://example.com/a", "type": "string"}}},
    "nested $schema": {"properties": {"a": {"$schema": DRAFT7, "type": "string"}}},
    "root $id with a fragment": {"$id": "https://example.com/s#part", "type": "string"},
    "$anchor": {"$defs": {"a": {"$anchor": "a"}}, "$ref": "#/$defs/a"},
    "$ref to an anchor": {"$defs": {"a": {"$anchor": "a"}}, "$ref": "#a"},
    "$dynamicRef": {"$dynamicAnchor": "node", "items": {"$dynamicRef": "#node"}},
    "$recursiveRef": {
        "$schema": DRAFT2019,
        "$recursiveAnchor": True,
        "items": {"$recursiveRef": "#"},
    },
    "unevaluatedProperties": {"properties": {"a": {}}, "unevaluatedProperties": False},
    "unevaluatedItems": {"prefixItems": [{}], "unevaluatedItems": False},
    "items as an array (2020-12)": {"items": [{"type": "string"}]},
    "items as an array (draft 7)": {"$schema": DRAFT7, "items": [{"type": "string"}]},
    "additionalItems": {"$schema": DRAFT7, "additionalItems": False},
    "dependencies": {"$schema": DRAFT7, "dependencies": {"a": ["b"]}},
    "dependencies in 2020-12": {"dependencies": {"a": ["b"]}},
    "boolean exclusiveMinimum": {"minimum": 0, "exclusiveMinimum": True},
    "string exclusiveMaximum": {"exclusiveMaximum": "10"},
    "remote $ref": {"$ref": "https://example.com/schema.json"},
    "relative file $ref": {"$ref": "other.json#/a"},
    "percent-encoded $ref": {"$defs": {"a b": {}}, "$ref": "#/$defs/a%20b"},
    "$ref to nowhere": {"$ref": "#/$defs/missing"},
    "$ref into a schema with an $id": {
        "$defs": {"a": {"$id": "https://example.com/a", "$defs": {"b": {}}}},
        "$ref": "#/$defs/a/$defs/b",
    },
    "a date in const (YAML)": yaml.safe_load("const: 2020-01-01"),
    "a date in enum (YAML)": yaml.safe_load("enum: [2020-01-01]"),
    "a number as property name (YAML)": yaml.safe_load("properties: {1: {type: string}}"),
    "an invalid regex": {"pattern": "(unclosed"},
    "a regex Python does not know": {"pattern": "\\p{L}"},
    "negative maxLength": {"maxLength": -1},
    "zero multipleOf": {"multipleOf": 0},
    "a schema that is a list": [{"type": "string"}],
    "a subschema that is a string": {"properties": {"a": "string"}},
    "an unknown type": {"type": "text"},
}


@pytest.mark.parametrize("schema", DECLINED.values(), ids=DECLINED.keys())
def test_the_check_declines_what_it_cannot_promise(schema):
    assert compile_payload_check(schema) is None


def test_keywords_a_draft_does_not_define_are_ignored_as_jsonschema_ignores_them():
    check = compile_payload_check({"type": "string", "x-kafka-key": True, "deprecated": True})
    assert check is not None and check("a") and not check(1)


def test_dialect_table_matches_the_keywords_jsonschema_validates():
    for uri, dialect in DIALECTS.items():
        validator_class = validator_for({"$schema": uri}, default=None)
        assert validator_class is not None, uri
        assert dialect.validated == set(validator_class.VALIDATORS), uri
    assert {validator_for({"$schema": uri}) for uri in DIALECTS} >= {
        Draft7Validator,
        Draft201909Validator,
        Draft202012Validator,
    }


# --- example validation -------------------------------------------------------------------


def test_valid_examples_need_no_jsonschema_validator(monkeypatch):
    def no_validator(shape: str) -> None:
        raise AssertionError("a jsonschema validator was built")

    monkeypatch.setattr(payload_validation, "example_validator", no_validator)
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    assert payload_validation.jsonschema_example_errors(schema, {"id": "a"}) == []


def test_invalid_examples_still_get_jsonschemas_messages():
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    assert payload_validation.jsonschema_example_errors(schema, {"id": 1}) == [
        ("/id", "1 is not of type 'string'")
    ]


def test_examples_of_declined_schemas_go_to_jsonschema():
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string"}
    assert payload_validation.jsonschema_example_errors(schema, "a") == []
    assert payload_validation.jsonschema_example_errors(schema, 1) == [
        ("", "1 is not of type 'string'")
    ]
