"""A fast yes/no test of data against the model's own JSON Schema.

jsonschema spends most of a large model's load time walking it; this compiles the schema's
keywords into plain Python predicates once. It only ever answers "valid" when jsonschema would
too: a schema using a keyword it does not know cannot be compiled, and any "invalid" answer
sends the caller to jsonschema for the exact messages. So it speeds up the common case (a
valid model) without ever deciding an invalid one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    ("$schema", "$id", "$defs", "title", "description", "$comment", "default", "examples")
)


class UnsupportedSchema(Exception):
    """The schema uses a keyword this checker does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and float(v).is_integer(),
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return False


class _Compiler:
    def __init__(self, root: dict, annotations: frozenset[str]) -> None:
        self.root = root
        self.annotations = annotations
        self.by_ref: dict[str, Predicate] = {}

    def ref(self, reference: str) -> Predicate:
        if reference == "#":
            reference = "#/"
        if not reference.startswith("#/"):
            raise UnsupportedSchema(reference)
        if reference not in self.by_ref:
            compiled: list[Predicate] = []
            # Registered before compiling so recursive references find it.
            self.by_ref[reference] = lambda value: compiled[0](value)
            node: Any = self.root
            for token in filter(None, reference[2:].split("/")):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            compiled.append(self.compile(node))
        return self.by_ref[reference]

    def compile(self, schema: Any) -> Predicate:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise UnsupportedSchema(repr(schema))
        checks: list[Predicate] = []
        for keyword, argument in schema.items():
            if keyword in ANNOTATIONS or keyword in self.annotations or keyword == "then":
                continue
            factory = getattr(self, "k_" + keyword.lstrip("$"), None)
            if factory is None:
                raise UnsupportedSchema(keyword)
            checks.append(factory(argument, schema))
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def k_ref(self, argument: str, _schema: dict) -> Predicate:
        return self.ref(argument)

    def k_type(self, argument: Any, _schema: dict) -> Predicate:
        names = [argument] if isinstance(argument, str) else list(argument)
        tests = [_TYPES[name] for name in names]
        return lambda value: any(test(value) for test in tests)

    def k_enum(self, argument: list, _schema: dict) -> Predicate:
        strings = frozenset(a for a in argument if isinstance(a, str))
        others = [a for a in argument if not isinstance(a, str)]

        def check(value: Any) -> bool:
            if isinstance(value, str):
                return value in strings
            return any(json_equal(value, option) for option in others)

        return check

    def k_const(self, argument: Any, _schema: dict) -> Predicate:
        return lambda value: json_equal(value, argument)

    def k_pattern(self, argument: str, _schema: dict) -> Predicate:
        search = re.compile(argument).search
        return lambda value: not isinstance(value, str) or search(value) is not None

    def k_minLength(self, argument: int, _schema: dict) -> Predicate:
        return lambda value: not isinstance(value, str) or len(value) >= argument

    def k_maxLength(self, argument: int, _schema: dict) -> Predicate:
        return lambda value: not isinstance(value, str) or len(value) <= argument

    def k_minimum(self, argument: float, _schema: dict) -> Predicate:
        return lambda value: not _is_number(value) or value >= argument

    def k_exclusiveMinimum(self, argument: float, _schema: dict) -> Predicate:
        return lambda value: not _is_number(value) or value > argument

    def k_minItems(self, argument: int, _schema: dict) -> Predicate:
        return lambda value: not isinstance(value, list) or len(value) >= argument

    def k_uniqueItems(self, argument: bool, _schema: dict) -> Predicate:
        if not argument:
            return lambda value: True

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            return not any(
                json_equal(value[i], value[j])
                for i in range(len(value))
                for j in range(i + 1, len(value))
            )

        return check

    def k_items(self, argument: Any, _schema: dict) -> Predicate:
        if isinstance(argument, list):
            raise UnsupportedSchema("items as an array")
        item = self.compile(argument)
        return lambda value: not isinstance(value, list) or all(item(v) for v in value)

    def k_required(self, argument: list, _schema: dict) -> Predicate:
        names = tuple(argument)
        return lambda value: not isinstance(value, dict) or all(n in value for n in names)

    def k_properties(self, argument: dict, _schema: dict) -> Predicate:
        compiled = {name: self.compile(sub) for name, sub in argument.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, sub_value in value.items():
                test = compiled.get(name)
                if test is not None and not test(sub_value):
                    return False
            return True

        return check

    def k_additionalProperties(self, argument: Any, schema: dict) -> Predicate:
        if "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        declared = frozenset(schema.get("properties", ()))
        extra = self.compile(argument)
        return lambda value: (
            not isinstance(value, dict)
            or all(extra(v) for k, v in value.items() if k not in declared)
        )

    def k_propertyNames(self, argument: Any, _schema: dict) -> Predicate:
        name = self.compile(argument)
        return lambda value: not isinstance(value, dict) or all(name(k) for k in value)

    def k_allOf(self, argument: list, _schema: dict) -> Predicate:
        parts = [self.compile(sub) for sub in argument]
        return lambda value: all(part(value) for part in parts)

    def k_anyOf(self, argument: list, _schema: dict) -> Predicate:
        parts = [self.compile(sub) for sub in argument]
        return lambda value: any(part(value) for part in parts)

    def k_oneOf(self, argument: list, _schema: dict) -> Predicate:
        parts = [self.compile(sub) for sub in argument]
        return lambda value: sum(1 for part in parts if part(value)) == 1

    def k_if(self, argument: Any, schema: dict) -> Predicate:
        condition = self.compile(argument)
        then = self.compile(schema.get("then", True))
        return lambda value: not condition(value) or then(value)


def compile_schema(schema: dict, *, annotations: tuple[str, ...] = ()) -> Predicate:
    """A predicate that is true only for data the schema accepts; UnsupportedSchema if the
    schema uses a keyword not implemented here.

    `annotations` names further keywords to ignore because the validator it stands in for
    does not assert them (`format` without a format checker, `deprecated`).
    """
    return _Compiler(schema, frozenset(annotations)).compile(schema)
