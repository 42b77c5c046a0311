"""Property: whatever compat calls BACKWARD-compatible really is, for data.

Random small JSON Schemas get one random mutation; when compat finds the mutated schema
BACKWARD-compatible with the original, every instance valid under the original (drawn from
the original schema's shape, then checked with the `jsonschema` validator) must be valid under
the mutation too.

Excepted are the changes Confluent's rules accept although some old data fails the new schema;
compat reports each of them as a warning, so "compatible with no warnings" is what must hold:
"""

from __future__ import annotations

import copy
import json

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdesign.rules.compat_catalogue import KINDS
from eventdesign.rules.compatibility import check_schemas

# Confluent-accepted changes that can reject old data, and why (compat warns about each).
ACCEPTED_BY_CONFLUENT = {
    "REQUIRED_UNDECLARED_PROPERTY_ADDED": "`required` is only compared for declared properties",
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED": "a default counts as a value, but validators "
    "do not apply defaults",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL": "as above, for a new property",
    "PATTERN_PROPERTIES_CHANGED": "patternProperties schemas are never compared",
    "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES": "a model with patternProperties counts as not "
    "open even when it allows any other property",
    "ONE_OF_BRANCHES_MAY_OVERLAP": "oneOf is compared like anyOf, but a value matching two "
    "branches fails it",
    "DECIMAL_ENCODING_CHANGED": "Kafka Connect decimals may switch between string and number",
    "CONSTRAINT_NOT_COMPARED": "if/then/else, propertyNames and contains are never compared",
    "TYPE_KEYWORD_ADDED": "a keyword-only schema and a typed one are the same schema class",
}

NAMES = ["a", "b", "c"]
VALUES = ["x", "y", "z", "w"]

LEAVES = st.one_of(
    st.builds(
        lambda t: {"type": t},
        st.sampled_from(["string", "integer", "number", "boolean", "null"]),
    ),
    st.builds(
        lambda low, extra: {"type": "string", "minLength": low, "maxLength": low + extra},
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    st.builds(
        lambda low, extra: {"type": "integer", "minimum": low, "maximum": low + extra},
        st.integers(-3, 3),
        st.integers(0, 5),
    ),
    st.builds(
        lambda vs: {"enum": sorted(set(vs))}, st.lists(st.sampled_from(VALUES[:3]), min_size=1)
    ),
    st.builds(lambda v: {"const": v}, st.sampled_from(["x", 1, True])),
    st.just({}),
)


def _containers(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(
            lambda props, required, extra: {
                "type": "object",
                "properties": props,
                "required": sorted(set(required) & set(props)),
                **extra,
            },
            st.dictionaries(st.sampled_from(NAMES), children, max_size=3),
            st.lists(st.sampled_from(NAMES), max_size=3),
            st.sampled_from(
                [
                    {},
                    {"additionalProperties": False},
                    {"additionalProperties": True},
                    {"additionalProperties": {"type": "string"}},
                ]
            ),
        ),
        st.builds(
            lambda items, extra: {"type": "array", "items": items, **extra},
            children,
            st.sampled_from([{}, {"minItems": 1}, {"maxItems": 2}]),
        ),
        st.builds(
            lambda items, rest: {"type": "array", "items": items, "additionalItems": rest},
            st.lists(children, min_size=1, max_size=2),
            st.sampled_from([True, False, {"type": "integer"}]),
        ),
        st.builds(
            lambda keyword, members: {keyword: members},
            st.sampled_from(["anyOf", "oneOf", "allOf"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        st.builds(lambda inner: {"not": inner}, children),
    )


SCHEMAS = st.recursive(LEAVES, _containers, max_leaves=6)
MUTATIONS = [
    "type",
    "drop",
    "add_property",
    "remove_property",
    "require",
    "unrequire",
    "additional",
    "limit",
    "enum_add",
    "enum_remove",
    "wrap",
    "unwrap",
    "replace",
]


def _subschemas(schema: dict) -> list[dict]:
    found = [schema]
    for key, value in schema.items():
        if key == "properties":
            for child in value.values():
                found += _subschemas(child)
        elif key in ("items", "anyOf", "oneOf", "allOf") and isinstance(value, list):
            for child in value:
                found += _subschemas(child)
        elif key in ("items", "not", "additionalProperties", "additionalItems") and isinstance(
            value, dict
        ):
            found += _subschemas(value)
    return found


def mutate(schema: dict, data: st.DataObject) -> dict:
    """A copy of `schema` with one random change somewhere inside it."""
    changed = copy.deepcopy(schema)
    target = data.draw(st.sampled_from(_subschemas(changed)))
    operation = data.draw(st.sampled_from(MUTATIONS))
    if operation == "type":
        target["type"] = data.draw(
            st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array"])
        )
    elif operation == "drop" and target:
        del target[data.draw(st.sampled_from(sorted(target)))]
    elif operation == "add_property":
        target.setdefault("properties", {})[data.draw(st.sampled_from(NAMES))] = data.draw(LEAVES)
    elif operation == "remove_property" and target.get("properties"):
        del target["properties"][data.draw(st.sampled_from(sorted(target["properties"])))]
    elif operation == "require":
        name = data.draw(st.sampled_from(NAMES))
        target["required"] = sorted(set(target.get("required", [])) | {name})
    elif operation == "unrequire" and target.get("required"):
        target["required"] = target["required"][1:]
    elif operation == "additional":
        target["additionalProperties"] = data.draw(
            st.sampled_from([True, False, {"type": "string"}])
        )
    elif operation == "limit":
        keyword = data.draw(
            st.sampled_from(
                [
                    "minLength",
                    "maxLength",
                    "minimum",
                    "maximum",
                    "minItems",
                    "maxItems",
                    "multipleOf",
                ]
            )
        )
        target[keyword] = data.draw(st.integers(1, 4))
    elif operation == "enum_add" and "enum" in target:
        target["enum"] = sorted(set(target["enum"]) | {data.draw(st.sampled_from(VALUES))})
    elif operation == "enum_remove" and len(target.get("enum", [])) > 1:
        target["enum"] = target["enum"][1:]
    elif operation == "wrap":
        inner = dict(target)
        target.clear()
        target[data.draw(st.sampled_from(["anyOf", "oneOf"]))] = [inner, data.draw(LEAVES)]
    elif operation == "unwrap":
        for keyword in ("anyOf", "oneOf", "allOf"):
            if target.get(keyword):
                inner = target[keyword][0]
                target.clear()
                target.update(inner)
                break
    elif operation == "replace":
        target.clear()
        target.update(data.draw(LEAVES))
    return changed


ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-5, 5, allow_nan=False, width=32)
    | st.text("xyz", max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from([*NAMES, "d"]), children, max_size=3)
    ),
    max_leaves=5,
)
TYPE_KEYWORDS = {
    "object": ("properties", "required", "additionalProperties"),
    "array": ("items", "additionalItems", "minItems", "maxItems"),
    "string": ("minLength", "maxLength"),
    "integer": ("minimum", "maximum", "multipleOf"),
}


def instances(schema: object) -> st.SearchStrategy:
    """Values shaped like `schema`; most are valid under it, the test keeps those that are."""
    if not isinstance(schema, dict):
        return ANY_JSON if schema is not False else st.nothing()
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if schema.get(keyword):
            return st.one_of([instances(member) for member in schema[keyword]])
    declared = schema.get("type")
    if declared is None:
        declared = next((t for t, words in TYPE_KEYWORDS.items() if words[0] in schema), None)
    if declared == "string":
        low = schema.get("minLength", 0)
        return st.text("xyz", min_size=low, max_size=schema.get("maxLength", low + 3))
    if declared in ("integer", "number"):
        integers = st.integers(schema.get("minimum", -5), schema.get("maximum", 5))
        return integers if declared == "integer" else integers | st.floats(-5, 5, width=32)
    if declared == "boolean":
        return st.booleans()
    if declared == "null":
        return st.none()
    if declared == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        optional = {
            name: instances(sub) for name, sub in properties.items() if name not in required
        }
        if extra is not False and "d" not in required:
            optional["d"] = instances(extra)
        return st.fixed_dictionaries(
            {name: instances(properties.get(name, True)) for name in required},
            optional=optional,
        )
    if declared == "array":
        items = schema.get("items", True)
        if isinstance(items, list):
            rest = schema.get("additionalItems", True)
            head = st.tuples(*[instances(item) for item in items]).map(list)
            tail = st.lists(instances(rest), max_size=0 if rest is False else 2)
            return st.builds(lambda a, b: a + b, head, tail)
        low = schema.get("minItems", 0)
        return st.lists(instances(items), min_size=low, max_size=schema.get("maxItems", low + 3))
    return ANY_JSON


def test_the_excepted_changes_are_exactly_compats_warnings() -> None:
    schema_warnings = {
        k.code for k in KINDS if k.severity == "warning" and k.language == "jsonschema"
    }
    assert set(ACCEPTED_BY_CONFLUENT) == schema_warnings


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(st.data())
def test_backward_compatible_without_warnings_means_old_data_stays_valid(
    data: st.DataObject,
) -> None:
    old = data.draw(SCHEMAS, label="old")
    new = mutate(old, data)
    for schema in (old, new):
        if not jsonschema.Draft7Validator(jsonschema.Draft7Validator.META_SCHEMA).is_valid(schema):
            return
    verdict = check_schemas([old, new], "BACKWARD")
    if not verdict.compatible or verdict.warning_count:
        return
    old_validator, new_validator = jsonschema.Draft7Validator(old), jsonschema.Draft7Validator(new)
    for _ in range(5):
        instance = data.draw(instances(old), label="instance")
        if not old_validator.is_valid(instance):
            continue
        assert new_validator.is_valid(instance), (
            f"compat said compatible, but {json.dumps(instance)} fails the new schema\n"
            f"old={json.dumps(old)}\nnew={json.dumps(new)}"
        )
