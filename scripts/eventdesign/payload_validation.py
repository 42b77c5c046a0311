"""Payload validation: whether a schema parses and an example (a datum) matches its payload
schema, in JSON Schema (the compiled check, jsonschema for the messages), Avro (a structural
check of the JSON value against the parsed schema) and Protobuf (the proto3 JSON mapping).

`schema_problems` reports why an element's payload schema cannot be used, each problem by one
of the codes below; the rules layer declares which rule reports which code. Each
`*_example_errors` function returns (pointer inside the example, message) pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Union

from .model.payload import DATA_KEYWORDS, find_ref_loop, iter_refs, resolve_local_ref
from .pointer import pointer_of
from .timebox import PATTERN_SECONDS, TimeLimitExceeded, time_limit

if TYPE_CHECKING:
    from .model.types import Command, Event

    Element = Union[Event, Command]

# Why a payload schema cannot be used.
INVALID_JSON_SCHEMA = "INVALID_JSON_SCHEMA"  # meta-schema, dialect, pattern or local $ref
REMOTE_REF = "REMOTE_REF"  # a $ref that leaves the schema (a URL or another file)
INVALID_AVRO_SCHEMA = "INVALID_AVRO_SCHEMA"  # avro.schema.parse rejects it
INVALID_PROTOBUF_SCHEMA = "INVALID_PROTOBUF_SCHEMA"  # protoc rejects it, or no payload message
SCHEMA_PROBLEM_CODES = (
    INVALID_JSON_SCHEMA,
    REMOTE_REF,
    INVALID_AVRO_SCHEMA,
    INVALID_PROTOBUF_SCHEMA,
)

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


@dataclass(frozen=True)
class SchemaProblem:
    """One reason a payload schema cannot be used, by code (see the codes above)."""

    code: str
    pointer: str
    message: str
    line: int | None = None  # where a problem without a pointer is (protoc's messages)
    column: int | None = None


@cache
def _meta_validator(validator_class: Any) -> Any:
    """A validator of schemas against their draft's meta-schema that remembers valid subschemas.

    From 2019-09 on, the meta-schema reaches every subschema through `$dynamicRef`, which
    jsonschema resolves slowly (about 4 ms for a small payload schema). Standard drafts resolve
    it to the draft's own meta-schema, so whether a subschema is valid depends on the subschema
    alone: each distinct valid one (`{"type": "string"}` and the like) is checked once per run.
    """
    from jsonschema.validators import extend

    original = validator_class.VALIDATORS.get("$dynamicRef")
    if original is None:
        return validator_class(validator_class.META_SCHEMA)
    known_valid: set[str] = set()

    def dynamic_ref(validator: Any, reference: str, instance: Any, schema: Any) -> Iterator[Any]:
        try:
            key = reference + json.dumps(instance, sort_keys=True)
        except (TypeError, ValueError):
            key = None
        if key is not None and key in known_valid:
            return
        errors = list(original(validator, reference, instance, schema))
        if not errors and key is not None:
            known_valid.add(key)
        yield from errors

    remembering = extend(validator_class, {"$dynamicRef": dynamic_ref})
    return remembering(validator_class.META_SCHEMA)


# What `validator_for(schema, default=Draft202012Validator)` picks when `$schema` is absent.
DEFAULT_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_VALID_SHAPES: set[tuple[str, str]] = set()


@cache
def fast_meta_check(dialect: str) -> Any:
    """A compiled yes/no meta-schema test (see jsonschema_compiler.py) for a `$schema` URI, or None
    for a dialect not bundled or a meta-schema using keywords it does not implement.
    Vocabulary drafts use the merged, equivalent meta-schema; `format` is not asserted, as by
    `_meta_validator`."""
    from .compat.metaschema import compiled_metaschema_check

    return compiled_metaschema_check(dialect)


def _meta_errors(validator_class: Any, schema: Any) -> list[Any]:
    """Meta-schema errors of a schema; schemas shaped like one already found valid skip it."""
    try:
        shape = json.dumps(without_annotation_text(schema), sort_keys=True)
    except (TypeError, ValueError):
        shape = None
    key = (validator_class.__name__, shape or "")
    if shape is not None and key in _VALID_SHAPES:
        return []
    errors = list(_meta_validator(validator_class).iter_errors(schema))
    if not errors and shape is not None:
        _VALID_SHAPES.add(key)
    return errors


def _anchor_exists(schema: Any, name: str) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$anchor") == name or node.get("$id") == f"#{name}":
                return True
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "default"))
        elif isinstance(node, list):
            stack.extend(node)
    return False


# Values that are data, not schemas: a "pattern" key inside them is no regular expression.
# (Unlike DATA_KEYWORDS, an `example` value is searched, as it always was.)
_VALUE_KEYWORDS = frozenset({"const", "enum", "examples", "default"})


def invalid_patterns(schema: Any) -> list[SchemaProblem]:
    """A problem for each `pattern` or `patternProperties` key that is no regular expression."""
    import re

    problems = []
    stack: list[tuple[Any, tuple]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        candidates = []
        if isinstance(node.get("pattern"), str):
            candidates.append(((*path, "pattern"), node["pattern"]))
        if isinstance(node.get("patternProperties"), dict):
            candidates += [
                ((*path, "patternProperties", key), key) for key in node["patternProperties"]
            ]
        for where, pattern in candidates:
            try:
                re.compile(pattern)
            except (re.error, OverflowError, RecursionError) as exc:
                problems.append(
                    SchemaProblem(
                        INVALID_JSON_SCHEMA,
                        pointer_of(where),
                        f"'{shorten(pattern)}' is not a valid regular expression ({exc})",
                    )
                )
        stack.extend(
            (value, (*path, key)) for key, value in node.items() if key not in _VALUE_KEYWORDS
        )
    return problems


def jsonschema_problems(schema: Any, *, may_refer: bool = True) -> list[SchemaProblem]:
    """Every reason a JSON Schema cannot be used as is: invalid, unknown dialect, remote or
    dangling $ref, or a $ref loop that never consumes input.

    `may_refer=False` says the caller knows the schema has no `$ref` and skips looking."""
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, dict):
        return [
            SchemaProblem(INVALID_JSON_SCHEMA, "", "a JSON Schema must be an object or a boolean")
        ]
    dialect = schema.get("$schema")
    if dialect is not None and not isinstance(dialect, str):
        return [SchemaProblem(INVALID_JSON_SCHEMA, "/$schema", "$schema must be a URI string")]
    fast_check = fast_meta_check(DEFAULT_DIALECT if dialect is None else dialect)
    if fast_check is not None and fast_check(schema):
        problems: list[SchemaProblem] = []  # valid; jsonschema is needed only to say what's wrong
    else:
        from jsonschema.validators import Draft202012Validator, validator_for

        validator_class = validator_for(schema, default=None)
        if validator_class is None and dialect is not None:
            return [
                SchemaProblem(
                    INVALID_JSON_SCHEMA,
                    "/$schema",
                    f"unknown $schema '{shorten(dialect)}'; use a JSON Schema draft URI "
                    "such as https://json-schema.org/draft/2020-12/schema",
                )
            ]
        problems = [
            SchemaProblem(
                INVALID_JSON_SCHEMA, pointer_of(tuple(error.absolute_path)), shorten(error.message)
            )
            for error in _meta_errors(validator_class or Draft202012Validator, schema)
        ]
    problems += invalid_patterns(schema)
    for pointer, reference in iter_refs(schema) if may_refer else ():
        if not reference.startswith("#"):
            problems.append(
                SchemaProblem(
                    REMOTE_REF,
                    pointer,
                    f"$ref '{shorten(reference)}' leaves the schema; grimoire never fetches it",
                )
            )
        elif reference.startswith("#/") or reference == "#":
            if resolve_local_ref(schema, reference) is None:
                problems.append(
                    SchemaProblem(
                        INVALID_JSON_SCHEMA, pointer, f"$ref '{shorten(reference)}' points nowhere"
                    )
                )
        elif not _anchor_exists(schema, reference[1:]):
            problems.append(
                SchemaProblem(
                    INVALID_JSON_SCHEMA, pointer, f"$ref '{shorten(reference)}' names no $anchor"
                )
            )
    if not problems and may_refer:
        loop = find_ref_loop(schema)
        if loop is not None:
            problems.append(
                SchemaProblem(
                    INVALID_JSON_SCHEMA,
                    loop,
                    "this $ref leads back to itself without entering a property or item, so "
                    "validation never ends",
                )
            )
    return problems


def _protobuf_problems(payload: Any) -> tuple[SchemaProblem, ...]:
    from .errors import InputError
    from .protobuf.toolchain import require_toolchain

    require_toolchain(payload.shown)  # no toolchain: unusable input, not a finding
    try:
        payload.payload_message()
    except InputError as error:
        return (
            SchemaProblem(INVALID_PROTOBUF_SCHEMA, "", error.message, error.line, error.column),
        )
    return ()


def _problems_of(schema_format: str, schema: Any, schema_text: str) -> tuple[SchemaProblem, ...]:
    if schema_format == "protobuf":
        return _protobuf_problems(schema)
    if schema_format == "avro":
        _parsed, error = parse_avro(schema)
        if error is not None:
            return (SchemaProblem(INVALID_AVRO_SCHEMA, "", f"not a valid Avro schema: {error}"),)
        return ()
    # Any "$ref" key shows in the JSON text as "$ref" (a string value may too: then we look).
    return tuple(jsonschema_problems(schema, may_refer='"$ref"' in schema_text))


# (format, JSON text) -> problems, so equal schemas are checked once; and
# id(element) -> (element, problems), holding the element so its id is not reused.
_PROBLEMS_BY_TEXT: dict[tuple[str, str], tuple[SchemaProblem, ...]] = {}
_PROBLEMS_BY_ELEMENT: dict[int, tuple[Any, tuple[SchemaProblem, ...]]] = {}
MAX_REMEMBERED = 100_000


def schema_problems(element: Element) -> tuple[SchemaProblem, ...]:
    """Problems of an element's payload schema (empty when it has none); several rules ask."""
    if element.schema is None:
        return ()
    memo = _PROBLEMS_BY_ELEMENT.get(id(element))
    if memo is not None and memo[0] is element:
        return memo[1]
    key = (element.schema_format, json.dumps(element.schema, sort_keys=True, default=str))
    problems = _PROBLEMS_BY_TEXT.get(key)
    if problems is None:
        problems = _problems_of(element.schema_format, element.schema, key[1])
        _PROBLEMS_BY_TEXT[key] = problems
    if len(_PROBLEMS_BY_ELEMENT) > MAX_REMEMBERED or len(_PROBLEMS_BY_TEXT) > MAX_REMEMBERED:
        _PROBLEMS_BY_ELEMENT.clear()
        _PROBLEMS_BY_TEXT.clear()
    _PROBLEMS_BY_ELEMENT[id(element)] = (element, problems)
    return problems
