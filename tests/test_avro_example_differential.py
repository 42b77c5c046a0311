"""The Avro example check (SCH004) against the official `avro.io.validate`.

grimoire checks an Avro example as JSON, without encoding it; `avro.io.validate` checks a
Python datum. On generated schemas and data they must give the same verdict wherever the two
agree on what a value is; where grimoire deliberately differs, a test below says how:
JSON `true` is not a number, a field with a default may be left out, a union value may be
wrapped as {"type": value} (the Avro JSON encoding), and bytes are JSON strings.
"""

from __future__ import annotations

import json
from typing import Any

import avro.io
import avro.schema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdesign.payload_validation import avro_example_errors

PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "string")
# Values a mutation puts in place of a valid one: no booleans (see the module docstring).
STRANGERS = (None, 0, -1, 7, 2**31, -(2**31) - 1, 2**63, 1.5, "x", "", [], {}, [1], {"k": 1})


@st.composite
def avro_schemas(draw: st.DrawFn, depth: int = 0, names: list[int] | None = None) -> Any:
    """A JSON Avro schema without defaults, bytes or fixed; named types are R0, E1, ..."""
    names = [0] if names is None else names
    kinds = ["primitive", "enum"] + (["array", "map", "union", "record"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "primitive":
        return draw(st.sampled_from(PRIMITIVES))
    names[0] += 1
    if kind == "enum":
        symbols = draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=3, unique=True))
        return {"type": "enum", "name": f"E{names[0]}", "symbols": symbols}
    if kind == "array":
        return {"type": "array", "items": draw(avro_schemas(depth + 1, names))}
    if kind == "map":
        return {"type": "map", "values": draw(avro_schemas(depth + 1, names))}
    if kind == "union":
        # Branches of different primitive types (Avro forbids two of one type in a union).
        return draw(st.lists(st.sampled_from(PRIMITIVES), min_size=1, max_size=3, unique=True))
    name = f"R{names[0]}"
    fields = draw(st.lists(st.sampled_from("abcd"), min_size=0, max_size=3, unique=True))
    return {
        "type": "record",
        "name": name,
        "fields": [{"name": f, "type": draw(avro_schemas(depth + 1, names))} for f in fields],
    }


@st.composite
def valid_datum(draw: st.DrawFn, schema: Any) -> Any:
    """A JSON value the schema accepts."""
    kind = schema["type"] if isinstance(schema, dict) else schema
    if isinstance(schema, list):
        return draw(valid_datum(draw(st.sampled_from(schema))))
    simple = {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5),
        "double": st.floats(allow_nan=False, allow_infinity=False),
        "string": st.text(max_size=5),
    }
    if kind in simple:
        return draw(simple[kind])
    if kind == "enum":
        return draw(st.sampled_from(schema["symbols"]))
    if kind == "array":
        return draw(st.lists(valid_datum(schema["items"]), max_size=3))
    if kind == "map":
        return draw(st.dictionaries(st.text(max_size=3), valid_datum(schema["values"]), max_size=3))
    return {field["name"]: draw(valid_datum(field["type"])) for field in schema["fields"]}


@st.composite
def mutated(draw: st.DrawFn, datum: Any) -> Any:
    """The datum with one value (anywhere in it) replaced, a key added, or a key removed."""
    if isinstance(datum, dict) and datum and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(datum)))
        change = draw(st.sampled_from(("replace", "descend", "remove", "add")))
        copy = dict(datum)
        if change == "remove":
            del copy[key]
        elif change == "add":
            copy["zz"] = 1
        elif change == "descend":
            copy[key] = draw(mutated(copy[key]))
        else:
            copy[key] = draw(st.sampled_from(STRANGERS))
        return copy
    if isinstance(datum, list) and datum and draw(st.booleans()):
        index = draw(st.integers(0, len(datum) - 1))
        copy = list(datum)
        copy[index] = draw(mutated(copy[index]))
        return copy
    return draw(st.sampled_from(STRANGERS))


@st.composite
def schema_and_datum(draw: st.DrawFn) -> tuple[Any, Any]:
    schema = draw(avro_schemas())
    datum = draw(valid_datum(schema))
    return schema, (draw(mutated(datum)) if draw(st.booleans()) else datum)


def official_verdict(schema: Any, datum: Any) -> bool:
    return avro.io.validate(avro.schema.parse(json.dumps(schema)), datum)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_datum())
def test_the_example_check_gives_avros_verdict(case: tuple[Any, Any]) -> None:
    schema, datum = case
    ours = avro_example_errors(schema, datum) == []
    assert ours == official_verdict(schema, datum), (schema, datum)


RECORD = {"type": "record", "name": "Reading", "fields": [{"name": "value", "type": "int"}]}


@pytest.mark.parametrize("kind", ["int", "long", "float", "double"])
def test_json_true_is_not_a_number_though_python_counts_it_as_one(kind: str) -> None:
    assert official_verdict(kind, True)
    assert avro_example_errors(kind, True) == [("", f"true is not a valid {kind}")]


def test_a_field_with_a_default_may_be_left_out_of_an_example() -> None:
    schema = {**RECORD, "fields": [{"name": "value", "type": "int", "default": 0}]}
    assert not official_verdict(schema, {})
    assert avro_example_errors(schema, {}) == []


def test_a_union_value_may_be_wrapped_as_in_the_avro_json_encoding() -> None:
    schema = ["null", "int"]
    assert not official_verdict(schema, {"int": 3})
    assert avro_example_errors(schema, {"int": 3}) == []
    assert avro_example_errors(schema, {"int": "3"}) != []


def test_bytes_are_json_strings() -> None:
    assert not official_verdict("bytes", "\u00ff")
    assert official_verdict("bytes", b"\xff")
    assert avro_example_errors("bytes", "\u00ff") == []
