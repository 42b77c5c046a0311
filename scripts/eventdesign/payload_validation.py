"""Payload validation: whether a schema parses and an example (a datum) matches its payload
schema, in JSON Schema (the compiled check, jsonschema for the messages), Avro (a structural
check of the JSON value against the parsed schema) and Protobuf (the proto3 JSON mapping).

Each `*_example_errors` function returns (pointer inside the example, message) pairs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .model.payload import DATA_KEYWORDS
from .pointer import pointer_of
from .timebox import PATTERN_SECONDS, TimeLimitExceeded, time_limit

MAX_MESSAGE_CHARS = 160
MAX_ERRORS_PER_EXAMPLE = 5


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


ANNOTATIONS = ("title", "description", "$comment")


def without_annotation_text(node: Any) -> Any:
    """The schema with the text of titles, descriptions and comments blanked.

    Blanking keeps meta-schema validity: where such a key is an annotation any string is
    valid, where a schema is expected no string is, and data keywords accept anything.
    """
    if isinstance(node, dict):
        return {
            key: ""
            if key in ANNOTATIONS and isinstance(value, str)
            else value
            if key in DATA_KEYWORDS
            else without_annotation_text(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [without_annotation_text(item) for item in node]
    return node


def _require_avro() -> None:
    from .deps import require

    require("avro")


def parse_avro(schema: Any) -> tuple[Any, str | None]:
    """(parsed Avro schema, None) or (None, why it does not parse)."""
    _require_avro()
    import avro.schema

    try:
        return avro.schema.parse(json.dumps(schema, default=str)), None
    except RecursionError:
        return None, "the schema nests too deeply"
    except Exception as exc:  # avro raises many exception types for bad schemas
        return None, shorten(str(exc) or type(exc).__name__)


@lru_cache(maxsize=4096)
def example_validator(schema_text: str) -> Any:
    from jsonschema.validators import Draft202012Validator, validator_for
    from referencing import Registry

    schema = json.loads(schema_text)
    validator_class = validator_for(schema, default=Draft202012Validator)
    # An empty registry: nothing outside the schema is ever retrieved.
    return validator_class(schema, registry=Registry())


_PATTERN_TOO_SLOW = (
    f"validating it took over {PATTERN_SECONDS:g} s, so it was stopped: a `pattern` or "
    "`patternProperties` regular expression backtracks catastrophically (such as `(a+)+`); "
    "rewrite it without nested quantifiers"
)


def jsonschema_example_errors(schema: Any, example: Any) -> list[tuple[str, str]]:
    """(pointer inside the example, message) for each way an example breaks its schema."""
    from .jsonschema_compiler import compile_payload_check

    # The compiled check gives the validator's verdict (None: it cannot promise that);
    # jsonschema is needed only to say what is wrong.
    check = compile_payload_check(schema)
    try:
        with time_limit():
            if check is not None and check(example):
                return []
    except TimeLimitExceeded:
        return [("", _PATTERN_TOO_SLOW)]
    except Exception:  # an example the check cannot handle (too deep, odd values): ask jsonschema
        pass
    # Titles and descriptions do not change what validates: schemas differing only there share.
    shape = json.dumps(without_annotation_text(schema), sort_keys=True, default=str)
    validator = example_validator(shape)
    try:
        with time_limit():
            errors = sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path))
    except RecursionError:
        return [("", "the schema recurses too deeply to validate this example")]
    except TimeLimitExceeded:
        return [("", _PATTERN_TOO_SLOW)]
    return [
        (pointer_of(tuple(error.absolute_path)), shorten(error.message))
        for error in errors[:MAX_ERRORS_PER_EXAMPLE]
    ]


def avro_example_errors(schema: Any, example: Any) -> list[tuple[str, str]]:
    """(pointer inside the example, message) for each way a datum breaks an Avro schema."""
    parsed, _why = parse_avro(schema)
    if parsed is None:
        return []
    problems: list[tuple[str, str]] = []
    _avro_check(parsed, example, "", problems)
    return problems[:MAX_ERRORS_PER_EXAMPLE]


_AVRO_INT_RANGES = {"int": 2**31, "long": 2**63}


def _avro_matches(schema: Any, datum: Any) -> bool:
    problems: list[tuple[str, str]] = []
    _avro_check(schema, datum, "", problems)
    return not problems


def _avro_check(schema: Any, datum: Any, here: str, problems: list[tuple[str, str]]) -> None:
    kind = schema.type
    shown = shorten(json.dumps(datum, default=str))
    if kind == "null":
        ok = datum is None
    elif kind == "boolean":
        ok = isinstance(datum, bool)
    elif kind in _AVRO_INT_RANGES:
        bound = _AVRO_INT_RANGES[kind]
        ok = isinstance(datum, int) and not isinstance(datum, bool) and -bound <= datum < bound
    elif kind in ("float", "double"):
        ok = isinstance(datum, (int, float)) and not isinstance(datum, bool)
    elif kind == "string":
        ok = isinstance(datum, str)
    elif kind in ("bytes", "fixed"):
        ok = isinstance(datum, (str, bytes))
    elif kind == "enum":
        ok = datum in schema.symbols
    elif kind == "array":
        if not isinstance(datum, list):
            problems.append((here, f"{shown} is not an array"))
            return
        for index, item in enumerate(datum):
            _avro_check(schema.items, item, f"{here}/{index}", problems)
        return
    elif kind == "map":
        if not isinstance(datum, dict):
            problems.append((here, f"{shown} is not a map"))
            return
        for key, value in datum.items():
            _avro_check(schema.values, value, f"{here}/{key}", problems)
        return
    elif kind == "union":
        branches = schema.schemas
        if isinstance(datum, dict) and len(datum) == 1:
            # The JSON encoding wraps a union value in {"type name": value}.
            ((name, value),) = datum.items()
            for branch in branches:
                if name in (branch.type, getattr(branch, "fullname", None)) and _avro_matches(
                    branch, value
                ):
                    return
        ok = any(_avro_matches(branch, datum) for branch in branches)
    elif kind in ("record", "error"):
        if not isinstance(datum, dict):
            problems.append((here, f"{shown} is not a record"))
            return
        names = set()
        for field in schema.fields:
            names.add(field.name)
            if field.name in datum:
                _avro_check(field.type, datum[field.name], f"{here}/{field.name}", problems)
            elif not field.has_default:
                problems.append((here, f"required field '{field.name}' is missing"))
        for key in datum:
            if key not in names:
                problems.append((f"{here}/{key}", f"field '{key}' is not in the schema"))
        return
    else:
        ok = True
    if not ok:
        problems.append((here, f"{shown} is not a valid {kind}"))


def protobuf_example_errors(payload: Any, example: Any) -> list[tuple[str, str]]:
    from .protobuf.payload import example_errors

    return example_errors(payload, example)


EXAMPLE_VALIDATORS = {"avro": avro_example_errors, "protobuf": protobuf_example_errors}
