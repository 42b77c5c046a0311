"""Fast yes/no tests of data against a JSON Schema, compiled to Python functions.

jsonschema spends most of a large model's load time walking it; this turns each subschema
into one generated Python function of straight-line tests (`if ...: return False`) once, and
then answers with plain function calls. It decides exactly as jsonschema does, keyword for
keyword (the semantics below are copied from jsonschema 4, including its number, equality and
uniqueness rules), so `not`, `oneOf` and `if` can use the same functions. A schema using a
keyword not implemented here cannot be compiled (UnsupportedSchema), and callers ask
jsonschema whenever they need more than "valid": the messages of an invalid document.

Compiling Python source is slow (about 80 µs a function), so each function's code is cached
by its source, in which every schema value is a parameter (`c0`, `c1`, ...) bound per schema:
`{"type": "string", "maxLength": 13}` and `{"type": "string", "maxLength": 40}` share one
code object, and a model's thousand payload schemas compile only a handful of shapes.
"""

from __future__ import annotations

import builtins
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from numbers import Number
from types import CodeType, FunctionType
from typing import Any, NamedTuple

from .pointer import list_index, unescape_token

Predicate = Callable[[Any], bool]

# Keywords that never decide validity; `$id` and `$schema` only at the root (see _Compiler).
ANNOTATIONS = frozenset(
    ("$schema", "$id", "$defs", "title", "description", "$comment", "default", "examples")
)
# Read by another keyword (`if`, `contains`), meaningless alone.
_READ_BY_OTHERS = frozenset(("then", "else", "minContains", "maxContains"))
# Keywords that change how references resolve or what counts as evaluated: never compiled.
_REFUSED = frozenset(
    (
        "$anchor",
        "$dynamicAnchor",
        "$dynamicRef",
        "$recursiveAnchor",
        "$recursiveRef",
        "$vocabulary",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependencies",
        "additionalItems",
    )
)


class UnsupportedSchema(Exception):
    """The schema uses a keyword (or a form of one) this checker does not implement."""


# --- jsonschema's own rules for types, equality, uniqueness and multiples ------------------


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, Number)


def _is_integer(value: Any) -> bool:
    # Drafts 6 and later: an int (not a bool), or a float with no fractional part.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    # true and false stand apart from 1 and 0 in comparisons.
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it (jsonschema's `equal`): true is not 1, 1 equals 1.0."""
    if a is b:
        return True
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, Sequence) and isinstance(b, Sequence):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return len(a) == len(b) and all(
            key in b and json_equal(value, b[key]) for key, value in a.items()
        )
    return _unbool(a) == _unbool(b)


def _unique(items: list) -> bool:
    """jsonschema's `uniq`: sorts when it can and compares neighbours, else compares all."""
    try:
        ordered = sorted(_unbool(item) for item in items)
        for first, second in zip(ordered, itertools.islice(ordered, 1, None)):
            if json_equal(first, second):
                return False
    except (NotImplementedError, TypeError):
        seen: list = []
        for item in items:
            item = _unbool(item)
            if any(json_equal(other, item) for other in seen):
                return False
            seen.append(item)
    return True


def _is_float_multiple(value: Any, divisor: float) -> bool:
    """jsonschema's `multipleOf` for a float divisor: float division, exact on overflow."""
    quotient = value / divisor
    try:
        return int(quotient) == quotient
    except OverflowError:
        from fractions import Fraction  # rare; importing it costs every run a millisecond

        return (Fraction(value) / Fraction(divisor)).denominator == 1


def _in_enum(value: Any, strings: frozenset, others: tuple) -> bool:
    # A string equals only strings, and a non-string no string (json_equal).
    if isinstance(value, str):
        return value in strings
    return any(json_equal(option, value) for option in others)


def _accept(value: Any) -> bool:
    return True


def _reject(value: Any) -> bool:
    return False


# --- dialects ------------------------------------------------------------------------------

_COMMON = (
    "$ref additionalProperties allOf anyOf const contains enum exclusiveMaximum "
    "exclusiveMinimum format if items maxItems maxLength maxProperties maximum minItems "
    "minLength minProperties minimum multipleOf not oneOf pattern patternProperties "
    "properties propertyNames required type uniqueItems"
)


class _Dialect(NamedTuple):
    name: str
    # The keywords jsonschema's validator for the draft asserts (its VALIDATORS); it
    # ignores every other keyword.
    validated: frozenset
    ref_ignores_siblings: bool
    counts_contains: bool  # minContains and maxContains


_DRAFT6 = _Dialect(
    "draft-06",
    frozenset((_COMMON + " additionalItems dependencies").split()) - {"if"},
    ref_ignores_siblings=True,
    counts_contains=False,
)
_DRAFT7 = _Dialect(
    "draft-07",
    _DRAFT6.validated | {"if"},
    ref_ignores_siblings=True,
    counts_contains=False,
)
_DRAFT2019 = _Dialect(
    "2019-09",
    frozenset(
        (
            _COMMON + " $recursiveRef additionalItems dependentRequired dependentSchemas"
            " unevaluatedItems unevaluatedProperties"
        ).split()
    ),
    ref_ignores_siblings=False,
    counts_contains=True,
)
_DRAFT2020 = _Dialect(
    "2020-12",
    frozenset(
        (
            _COMMON + " $dynamicRef dependentRequired dependentSchemas prefixItems"
            " unevaluatedItems unevaluatedProperties"
        ).split()
    ),
    ref_ignores_siblings=False,
    counts_contains=True,
)
# `$schema` values jsonschema's validator_for maps to these drafts (an empty fragment is the
# same URI); no `$schema` means 2020-12.
DIALECTS = {
    uri + fragment: dialect
    for uri, dialect in (
        ("http://json-schema.org/draft-06/schema", _DRAFT6),
        ("http://json-schema.org/draft-07/schema", _DRAFT7),
        ("https://json-schema.org/draft/2019-09/schema", _DRAFT2019),
        ("https://json-schema.org/draft/2020-12/schema", _DRAFT2020),
    )
    for fragment in ("", "#")
}


# --- the keyword table ---------------------------------------------------------------------

# What each JSON type is, as Python source testing the value `v`.
_TYPE_TESTS = {
    "object": "isinstance(v, dict)",
    "array": "isinstance(v, list)",
    "string": "isinstance(v, str)",
    "boolean": "isinstance(v, bool)",
    "null": "v is None",
    "number": "(type(v) in NUMERIC or is_number(v))",
    "integer": "(type(v) is int or is_integer(v))",
}
# The instance type whose keywords (maxLength, minimum, ...) a `type` lets through.
_GROUP_OF_TYPE = {
    "object": "object",
    "array": "array",
    "string": "string",
    "number": "number",
    "integer": "number",
}


_NAMES = tuple(f"c{index}" for index in range(256))


class _Function:
    """The source of one generated function, in parts, and the values its parameters take."""

    __slots__ = ("by_group", "done", "groups", "head", "pinned", "tail", "values")

    def __init__(self) -> None:
        self.values: list = []
        self.head: list[str] = []  # type, const, enum: checked first
        self.by_group: dict[str, list[str]] = {
            "object": [],
            "array": [],
            "string": [],
            "number": [],
        }
        self.tail: list[str] = []  # subschema applicators
        self.groups: frozenset | None = None  # the groups `type` lets through
        self.pinned = False  # `type` admits only that one group, so no guard is needed
        self.done = False  # properties, patternProperties and additionalProperties emitted

    def value(self, value: Any) -> str:
        values = self.values
        values.append(value)
        if len(values) > len(_NAMES):
            raise UnsupportedSchema("too many values in one schema object")
        return _NAMES[len(values) - 1]

    def source(self) -> str | None:
        """The function's source; None when it checks nothing."""
        parts = []
        if self.head:
            parts.append("\n    " + "\n    ".join(self.head))
        groups = self.groups
        live = [
            (group, lines)
            for group, lines in self.by_group.items()
            if lines and (groups is None or group in groups)
        ]
        if self.pinned and live:
            parts.append("\n    " + "\n    ".join(live[0][1]))
        else:
            keyword = "if"
            for group, lines in live:
                parts.append(f"\n    {keyword} {_TYPE_TESTS[group]}:\n        ")
                parts.append("\n        ".join(lines))
                keyword = "elif"
        if self.tail:
            parts.append("\n    " + "\n    ".join(self.tail))
        if not parts:
            return None
        parameters = ", ".join(("v", *_NAMES[: len(self.values)]))
        return f"def check({parameters}):{''.join(parts)}\n    return True\n"


Emitter = Callable[["_Compiler", _Function, Any, dict], None]


def _number(argument: Any) -> Any:
    if isinstance(argument, bool) or not isinstance(argument, (int, float)):
        raise UnsupportedSchema(f"not a number: {argument!r}")
    return argument


def _count(argument: Any) -> int:
    if isinstance(argument, bool) or not isinstance(argument, int) or argument < 0:
        raise UnsupportedSchema(f"not a count: {argument!r}")
    return argument


def _list(argument: Any) -> list:
    if not isinstance(argument, list):
        raise UnsupportedSchema(f"not a list: {argument!r}")
    return argument


def _dict(argument: Any) -> dict:
    """An object of names; a YAML key such as 1 or a date is no JSON name."""
    if not isinstance(argument, dict) or not all(isinstance(key, str) for key in argument):
        raise UnsupportedSchema(f"not an object of names: {argument!r}")
    return argument


def _json(value: Any) -> Any:
    """The value when it is plain JSON. YAML also gives dates and non-string keys, which
    callers holding the schema as JSON text (default=str) see as strings."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise UnsupportedSchema(f"not JSON: {value!r}")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not (item is None or isinstance(item, (str, int, float))):
            raise UnsupportedSchema(f"not JSON: {value!r}")
    return value


def _names(argument: Any) -> frozenset:
    names = _list(argument)
    if not all(isinstance(name, str) for name in names):
        raise UnsupportedSchema(f"not a list of names: {argument!r}")
    return frozenset(names)


def _search(pattern: Any) -> Callable[[str], Any]:
    if not isinstance(pattern, str):
        raise UnsupportedSchema(f"not a pattern: {pattern!r}")
    try:
        return re.compile(pattern).search
    except re.error as error:
        raise UnsupportedSchema(f"pattern {pattern!r}: {error}") from None


def _type_test(argument: Any) -> tuple[str, frozenset, bool]:
    """(source line, groups let through, whether only one group is) for a `type`."""
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or not all(name in _TYPE_TESTS for name in names):
        raise UnsupportedSchema(f"type {argument!r}")
    tests = " or ".join(dict.fromkeys(_TYPE_TESTS[name] for name in names)) or "False"
    groups = frozenset(_GROUP_OF_TYPE[name] for name in names if name in _GROUP_OF_TYPE)
    pinned = len(groups) == 1 and all(name in _GROUP_OF_TYPE for name in names)
    return f"if not ({tests}): return False", groups, pinned


_TYPE_TEST_BY_NAME = {name: _type_test(name) for name in _TYPE_TESTS}


def _emit_type(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    known = _TYPE_TEST_BY_NAME.get(argument) if isinstance(argument, str) else None
    line, fn.groups, fn.pinned = known or _type_test(argument)
    fn.head.insert(0, line)


def _emit_const(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    if argument is None or isinstance(argument, bool):
        fn.head.append(f"if v is not {argument!r}: return False")
    elif isinstance(argument, str):
        fn.head.append(f"if v != {fn.value(argument)}: return False")
    else:
        fn.head.append(f"if not equal(v, {fn.value(_json(argument))}): return False")


def _emit_enum(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    options = _json(_list(argument))
    strings = frozenset(option for option in options if isinstance(option, str))
    others = tuple(option for option in options if not isinstance(option, str))
    if not others:
        fn.head.append(f"if not isinstance(v, str) or v not in {fn.value(strings)}: return False")
    else:
        fn.head.append(f"if not in_enum(v, {fn.value(strings)}, {fn.value(others)}): return False")


def _emit_ref(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    target, late = compiler.reference(argument)
    if target is _accept:
        return
    call = f"{fn.value(target)}[0](v)" if late else f"{fn.value(target)}(v)"
    fn.tail.append(f"if not {call}: return False")


def _emit_all_of(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    for subschema in _list(argument):
        check = compiler.subschema(subschema)
        if check is not _accept:
            fn.tail.append(f"if not {fn.value(check)}(v): return False")


def _emit_any_of(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    checks = [compiler.subschema(subschema) for subschema in _list(argument)]
    if _accept in checks:
        return
    calls = " or ".join(f"{fn.value(check)}(v)" for check in checks) or "False"
    fn.tail.append(f"if not ({calls}): return False")


def _emit_one_of(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    checks = [compiler.subschema(subschema) for subschema in _list(argument)]
    calls = " + ".join(f"{fn.value(check)}(v)" for check in checks) or "0"
    fn.tail.append(f"if {calls} != 1: return False")


def _emit_not(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    check = compiler.subschema(argument)
    if check is not _reject:
        fn.tail.append(f"if {fn.value(check)}(v): return False")


def _emit_if(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    condition = compiler.subschema(argument)
    then = compiler.subschema(schema["then"]) if "then" in schema else _accept
    otherwise = compiler.subschema(schema["else"]) if "else" in schema else _accept
    if then is _accept and otherwise is _accept:
        return
    test = f"{fn.value(condition)}(v)"
    if then is _accept:
        fn.tail.append(f"if not {test} and not {fn.value(otherwise)}(v): return False")
    elif otherwise is _accept:
        fn.tail.append(f"if {test} and not {fn.value(then)}(v): return False")
    else:
        fn.tail += [
            f"if {test}:",
            f"    if not {fn.value(then)}(v): return False",
            f"elif not {fn.value(otherwise)}(v): return False",
        ]


def _emit_comparison(operator: str, group: str) -> Emitter:
    """minimum and the like: the value fails when `v <operator> argument`."""
    measure = "v" if group == "number" else "len(v)"
    convert = _number if group == "number" else _count

    def emit(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
        fn.by_group[group].append(
            f"if {measure} {operator} {fn.value(convert(argument))}: return False"
        )

    return emit


def _emit_multiple_of(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    if _number(argument) <= 0:
        raise UnsupportedSchema(f"multipleOf {argument!r}")
    if isinstance(argument, float):
        fn.by_group["number"].append(
            f"if not is_float_multiple(v, {fn.value(argument)}): return False"
        )
    else:
        fn.by_group["number"].append(f"if v % {fn.value(argument)}: return False")


def _emit_pattern(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    fn.by_group["string"].append(f"if {fn.value(_search(argument))}(v) is None: return False")


def _emit_required(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    names = _names(argument)
    if names:
        fn.by_group["object"].append(f"if not v.keys() >= {fn.value(names)}: return False")


def _emit_dependent_required(
    compiler: _Compiler, fn: _Function, argument: Any, schema: dict
) -> None:
    for name, dependencies in _dict(argument).items():
        needed = _names(dependencies)
        if needed:
            fn.by_group["object"].append(
                f"if {fn.value(name)} in v and not v.keys() >= {fn.value(needed)}: return False"
            )


def _emit_dependent_schemas(
    compiler: _Compiler, fn: _Function, argument: Any, schema: dict
) -> None:
    for name, subschema in _dict(argument).items():
        check = compiler.subschema(subschema)
        if check is not _accept:
            fn.by_group["object"].append(
                f"if {fn.value(name)} in v and not {fn.value(check)}(v): return False"
            )


def _emit_members(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    """properties, patternProperties and additionalProperties, which read each other."""
    if fn.done:
        return
    fn.done = True
    declared = _dict(schema.get("properties", {}))
    patterns = _dict(schema.get("patternProperties", {}))
    additional = schema.get("additionalProperties", True)
    if not isinstance(additional, (bool, dict)):
        raise UnsupportedSchema(f"additionalProperties {additional!r}")
    checks = {name: compiler.subschema(sub) for name, sub in declared.items()}
    checks = {name: check for name, check in checks.items() if check is not _accept}
    by_pattern = [(_search(pattern), compiler.subschema(sub)) for pattern, sub in patterns.items()]
    extra = compiler.subschema(additional)
    lines = fn.by_group["object"]
    if extra is _reject and not patterns:
        lines.append(f"if not v.keys() <= {fn.value(frozenset(declared))}: return False")
        extra = _accept
    loop = [
        f"    if {fn.value(search)}(k) is not None and not {fn.value(check)}(x): return False"
        for search, check in by_pattern
        if check is not _accept
    ]
    if extra is not _accept:
        # jsonschema: a property is additional when no declared name is it and the
        # patterns joined with "|" do not match it (no exclusion at all when that is "").
        additional_test = f"k not in {fn.value(frozenset(declared))}"
        joined = "|".join(patterns)
        if joined:
            additional_test += f" and {fn.value(_search(joined))}(k) is None"
        if extra is _reject:
            loop.append(f"    if {additional_test}: return False")
        else:
            loop.append(f"    if {additional_test} and not {fn.value(extra)}(x): return False")
    if checks:
        loop[:0] = [
            f"    c = {fn.value(checks)}.get(k)",
            "    if c is not None and not c(x): return False",
        ]
    if loop:
        lines += ["for k, x in v.items():", *loop]


def _emit_property_names(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    check = compiler.subschema(argument)
    if check is not _accept:
        name = fn.value(check)
        fn.by_group["object"] += ["for k in v:", f"    if not {name}(k): return False"]


def _emit_prefix_items(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    checks = tuple(compiler.subschema(subschema) for subschema in _list(argument))
    if any(check is not _accept for check in checks):
        fn.by_group["array"] += [
            f"for x, c in zip(v, {fn.value(checks)}):",
            "    if not c(x): return False",
        ]


def _emit_items(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    if isinstance(argument, list):
        raise UnsupportedSchema("items as an array")
    # 2020-12: items covers what prefixItems does not; before, prefixItems was no keyword.
    prefix = 0
    if "prefixItems" in compiler.dialect.validated:
        prefix = len(_list(schema.get("prefixItems", [])))
    check = compiler.subschema(argument)
    lines = fn.by_group["array"]
    if check is _reject:
        lines.append(f"if len(v) > {fn.value(prefix)}: return False")
    elif check is not _accept:
        items = f"v[{fn.value(prefix)}:]" if prefix else "v"
        lines += [f"for x in {items}:", f"    if not {fn.value(check)}(x): return False"]


def _emit_contains(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    check = compiler.subschema(argument)
    least, most = 1, None
    if compiler.dialect.counts_contains:
        least = _count(schema.get("minContains", 1))
        if "maxContains" in schema:
            most = _count(schema["maxContains"])
    name = fn.value(check)
    lines = fn.by_group["array"]
    if most is None and least == 1:
        lines += ["for x in v:", f"    if {name}(x): break", "else:", "    return False"]
    elif most is not None or least > 0:
        lines += ["n = 0", "for x in v:", f"    if {name}(x): n += 1"]
        if least > 0:
            lines.append(f"if n < {fn.value(least)}: return False")
        if most is not None:
            lines.append(f"if n > {fn.value(most)}: return False")


def _emit_unique_items(compiler: _Compiler, fn: _Function, argument: Any, schema: dict) -> None:
    if not isinstance(argument, bool):
        raise UnsupportedSchema(f"uniqueItems {argument!r}")
    if argument:
        fn.by_group["array"].append("if not unique(v): return False")


# The one table of keyword semantics. Each keyword's emitter appends source lines to its
# function: to `head` or `tail` (every value), or to the group of the instance type the
# keyword constrains, which runs only for values of that type (as jsonschema skips them).
_KEYWORDS: dict[str, Emitter] = {
    "type": _emit_type,
    "const": _emit_const,
    "enum": _emit_enum,
    "$ref": _emit_ref,
    "allOf": _emit_all_of,
    "anyOf": _emit_any_of,
    "oneOf": _emit_one_of,
    "not": _emit_not,
    "if": _emit_if,
    "minimum": _emit_comparison("<", "number"),
    "maximum": _emit_comparison(">", "number"),
    "exclusiveMinimum": _emit_comparison("<=", "number"),
    "exclusiveMaximum": _emit_comparison(">=", "number"),
    "multipleOf": _emit_multiple_of,
    "minLength": _emit_comparison("<", "string"),
    "maxLength": _emit_comparison(">", "string"),
    "pattern": _emit_pattern,
    "minItems": _emit_comparison("<", "array"),
    "maxItems": _emit_comparison(">", "array"),
    "uniqueItems": _emit_unique_items,
    "prefixItems": _emit_prefix_items,
    "items": _emit_items,
    "contains": _emit_contains,
    "required": _emit_required,
    "minProperties": _emit_comparison("<", "object"),
    "maxProperties": _emit_comparison(">", "object"),
    "dependentRequired": _emit_dependent_required,
    "dependentSchemas": _emit_dependent_schemas,
    "properties": _emit_members,
    "patternProperties": _emit_members,
    "additionalProperties": _emit_members,
    "propertyNames": _emit_property_names,
}

# What generated code may name besides its parameters.
_GLOBALS = {
    "__builtins__": builtins,
    "isinstance": isinstance,
    "len": len,
    "type": type,
    "zip": zip,
    "dict": dict,
    "list": list,
    "str": str,
    "int": int,
    "bool": bool,
    "NUMERIC": (int, float),
    "is_number": _is_number,
    "is_integer": _is_integer,
    "equal": json_equal,
    "unique": _unique,
    "is_float_multiple": _is_float_multiple,
    "in_enum": _in_enum,
}
_CODE_BY_SOURCE: dict[str, CodeType] = {}
_FUNCTION_BY_SOURCE: dict[str, Predicate] = {}  # functions without parameters, shared


def _function(source: str, values: list) -> Predicate:
    if not values:
        shared = _FUNCTION_BY_SOURCE.get(source)
        if shared is not None:
            return shared
    code = _CODE_BY_SOURCE.get(source)
    if code is None:
        namespace: dict = {}
        exec(compile(source, "<json schema check>", "exec"), _GLOBALS, namespace)
        code = _CODE_BY_SOURCE[source] = namespace["check"].__code__
    function = FunctionType(code, _GLOBALS, "check", tuple(values) or None)
    if not values:
        _FUNCTION_BY_SOURCE[source] = function
    return function


class _Compiler:
    def __init__(self, root: Any, dialect: _Dialect, ignored: frozenset, lenient: bool) -> None:
        self.root = root
        self.dialect = dialect
        self.ignored = ignored
        self.lenient = lenient  # ignore keywords the draft does not define, as jsonschema does
        self.by_reference: dict[str, list] = {}
        self.leaves = _LEAVES.setdefault((dialect.name, ignored, lenient), {})

    def reference(self, reference: Any) -> tuple[Any, bool]:
        """(the referenced schema's function, False), or ([function], True) for a reference
        back into a schema still being compiled, whose function exists only afterwards."""
        if not isinstance(reference, str) or not reference.startswith("#"):
            raise UnsupportedSchema(f"$ref {reference!r}")
        if "%" in reference or (reference != "#" and not reference.startswith("#/")):
            raise UnsupportedSchema(f"$ref {reference!r}")
        holder = self.by_reference.get(reference)
        if holder is None:
            holder = self.by_reference[reference] = [None]
            holder[0] = self.subschema(self._resolve(reference))
        if holder[0] is None:
            return holder, True
        return holder[0], False

    def _resolve(self, reference: str) -> Any:
        # As the referencing library does: tokens after "#/" split on "/", then unescaped.
        node = self.root
        if reference == "#":
            return node
        for token in reference[2:].split("/"):
            if isinstance(node, dict):
                if node is not self.root and "$id" in node:
                    raise UnsupportedSchema("$ref into a schema with its own $id")
                node = node.get(unescape_token(token), _MISSING)
            elif isinstance(node, list) and list_index(token) is not None:
                index = list_index(token)
                node = node[index] if index < len(node) else _MISSING
            else:
                node = _MISSING
            if node is _MISSING:
                raise UnsupportedSchema(f"$ref {reference!r} points nowhere")
        return node

    def subschema(self, schema: Any) -> Predicate:
        if schema is True:
            return _accept
        if schema is False:
            return _reject
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"not a schema: {schema!r}")
        # A schema of plain values alone (`{"type": "string", "maxLength": 13}`) means the
        # same wherever it is: compiled once per run. Types are part of the key, as 1, 1.0
        # and true are equal in Python. Only schemas without $ref, $id or $schema are kept.
        try:
            key: Any = (tuple(schema.items()), tuple(map(type, schema.values())))
            known = self.leaves.get(key)
        except TypeError:  # a list or an object inside: not a leaf
            key = known = None
        if known is not None:
            return known
        if schema is not self.root and ("$id" in schema or "$schema" in schema):
            raise UnsupportedSchema("a subschema with its own $id or $schema")
        check = self._compile(schema)
        if key is not None and schema is not self.root and "$ref" not in schema:
            if len(self.leaves) > _MAX_LEAVES:
                self.leaves.clear()
            self.leaves[key] = check
        return check

    def _compile(self, schema: dict) -> Predicate:
        keywords: Any = schema.items()
        if self.dialect.ref_ignores_siblings and "$ref" in schema:
            # Before 2019-09 a $ref replaces its whole schema; jsonschema skips the rest.
            keywords = (("$ref", schema["$ref"]),)
        fn = _Function()
        validated = self.dialect.validated
        for keyword, argument in keywords:
            if keyword in self.ignored:
                continue
            if keyword in validated:
                emit = _KEYWORDS.get(keyword)
                if emit is None or keyword in _REFUSED:
                    raise UnsupportedSchema(keyword)
                emit(self, fn, argument, schema)
            elif keyword in _REFUSED or not (
                self.lenient
                or keyword in ANNOTATIONS
                or keyword in _READ_BY_OTHERS
                or keyword in _KEYWORDS
            ):
                raise UnsupportedSchema(keyword)
        if fn.tail == _SINGLE_CALL and not fn.head and not any(fn.by_group.values()):
            return fn.values[0]  # `{"$ref": ...}` or one `allOf`: the callee itself
        source = fn.source()
        return _accept if source is None else _function(source, fn.values)


_SINGLE_CALL = ["if not c0(v): return False"]
_MAX_LEAVES = 10_000
# Compiled leaf schemas by (dialect, mode, ignored keywords), then by content.
_LEAVES: dict[tuple, dict] = {}


_MISSING = object()


def _dialect_of(schema: Any) -> _Dialect:
    if not isinstance(schema, dict) or "$schema" not in schema:
        return _DRAFT2020
    dialect = DIALECTS.get(schema["$schema"]) if isinstance(schema["$schema"], str) else None
    if dialect is None:
        raise UnsupportedSchema(f"$schema {schema['$schema']!r}")
    return dialect


def _root_id_is_plain(schema: Any) -> bool:
    identifier = schema.get("$id") if isinstance(schema, dict) else None
    return identifier is None or (isinstance(identifier, str) and "#" not in identifier[:-1])


def compile_schema(schema: dict, *, annotations: tuple[str, ...] = ()) -> Predicate:
    """A predicate that is true exactly for data the schema accepts; UnsupportedSchema if the
    schema uses a keyword not implemented here.

    The draft comes from `$schema` (2020-12 without one; drafts 6, 7, 2019-09 and 2020-12
    are known). `annotations` names further keywords to ignore because the validator it
    stands in for does not assert them (`format` without a format checker, `deprecated`).
    """
    dialect = _dialect_of(schema)
    if not _root_id_is_plain(schema):
        raise UnsupportedSchema("$id with a fragment")
    compiler = _Compiler(schema, dialect, frozenset(annotations), lenient=False)
    check, _late = compiler.reference("#")
    return check


def compile_payload_check(schema: Any) -> Predicate | None:
    """A predicate giving the verdict of jsonschema's validator for the schema's draft
    (2020-12 without `$schema`, no format checker, no remote references), or None when this
    module cannot promise that: other drafts, nested `$id`, anchors, dynamic and recursive
    references, `unevaluated*`, tuple-form `items`, `dependencies`, and the like.

    Keywords the draft does not define are ignored, as jsonschema ignores them.
    """
    if schema is True or schema is False:
        return _accept if schema else _reject
    if not isinstance(schema, dict):
        return None
    try:
        if not _root_id_is_plain(schema):
            return None
        dialect = _dialect_of(schema)
        if dialect is _DRAFT6:
            return None
        compiler = _Compiler(schema, dialect, frozenset(("format",)), lenient=True)
        check, _late = compiler.reference("#")
    except (UnsupportedSchema, RecursionError):
        return None
    return check
