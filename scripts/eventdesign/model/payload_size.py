"""The largest JSON text a JSON Schema admits, when the schema bounds it.

An upper bound in bytes of UTF-8 JSON (compact separators): strings count 4 bytes per
character, numbers 24 bytes. A schema that leaves anything open (a string without maxLength,
an array without maxItems, an object that admits undeclared properties, a remote $ref, a
recursive one) has no bound: None.
"""

from __future__ import annotations

import json
from typing import Any

from .payload import resolve_local_ref

BYTES_PER_CHARACTER = 4  # UTF-8's longest encoding of one code point
NUMBER_BYTES = 24  # -1.7976931348623157e+308
# Lengths of the string formats whose text has a fixed longest form.
FORMAT_CHARACTERS = {"uuid": 36, "date": 10, "time": 32, "date-time": 43}
MAX_DEPTH = 64
SCALAR_BYTES = {"boolean": 5, "null": 4, "integer": NUMBER_BYTES, "number": NUMBER_BYTES}


def max_json_bytes(schema: Any) -> int | None:
    """The largest payload `schema` admits, in bytes, or None when it admits any size."""
    return _bound(schema, schema, 0, {})


_ACTIVE = object()  # a subschema being bounded: met again below itself, it recurses


def _bound(root: Any, node: Any, depth: int, memo: dict) -> int | None:
    """The bound of one subschema, each computed once (`memo` by identity), so branches that
    share subschemas (`anyOf: [{$ref: '#'}, {$ref: '#'}]`) cost no more than one walk."""
    if depth > MAX_DEPTH or node is True:
        return None
    if node is False:
        return 0
    if not isinstance(node, dict):
        return None
    known = memo.get(id(node))
    if known is not None and known[0] is node:  # holding the node keeps its id unique
        return None if known[1] is _ACTIVE else known[1]  # met below itself: recursive
    memo[id(node)] = (node, _ACTIVE)
    result = _bound_of(root, node, depth, memo)
    memo[id(node)] = (node, result)
    return result


def _bound_of(root: Any, node: dict, depth: int, memo: dict) -> int | None:
    if "$ref" in node:
        target = resolve_local_ref(root, node["$ref"]) if isinstance(node["$ref"], str) else None
        if target is None:
            return None
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _smallest(
            [_bound(root, target, depth + 1, memo), _bound(root, rest, depth + 1, memo)]
        )
    if "const" in node:
        return _text_bytes(node["const"])
    if isinstance(node.get("enum"), list) and node["enum"]:
        return max(_text_bytes(value) for value in node["enum"])
    bounds = [_typed_bound(root, node, depth, memo)]
    for keyword in ("anyOf", "oneOf"):
        if isinstance(node.get(keyword), list):
            branches = [_bound(root, branch, depth + 1, memo) for branch in node[keyword]]
            bounds.append(None if None in branches or not branches else max(branches))
    if isinstance(node.get("allOf"), list):
        bounds.extend(_bound(root, part, depth + 1, memo) for part in node["allOf"])
    return _smallest(bounds)


def _smallest(bounds: list[int | None]) -> int | None:
    """An instance must meet every bound given, so the smallest known one holds."""
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


def _text_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _typed_bound(root: Any, node: dict, depth: int, memo: dict) -> int | None:
    kinds = node.get("type")
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not kinds:
        return None
    bounds = [_kind_bound(root, node, kind, depth, memo) for kind in kinds]
    return None if None in bounds else max(b for b in bounds if b is not None)


def _kind_bound(root: Any, node: dict, kind: Any, depth: int, memo: dict) -> int | None:
    if not isinstance(kind, str):
        return None
    if kind in SCALAR_BYTES:
        return SCALAR_BYTES[kind]
    if kind == "string":
        characters = node.get("maxLength", FORMAT_CHARACTERS.get(node.get("format")))
        if not isinstance(characters, int):
            return None
        return 2 + BYTES_PER_CHARACTER * characters
    if kind == "array":
        count, items = node.get("maxItems"), node.get("items")
        if not isinstance(count, int):
            return None
        item = _bound(root, items, depth + 1, memo) if items is not None else None
        return None if item is None else 2 + count * (item + 1)
    if kind == "object":
        return _object_bound(root, node, depth, memo)
    return None


def _object_bound(root: Any, node: dict, depth: int, memo: dict) -> int | None:
    closed = node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False
    properties = node.get("properties") or {}
    if not closed or node.get("patternProperties") or not isinstance(properties, dict):
        return None
    total = 2
    for name, subschema in properties.items():
        value = _bound(root, subschema, depth + 1, memo)
        if value is None:
            return None
        total += _text_bytes(name) + 1 + value + 1
    return total
