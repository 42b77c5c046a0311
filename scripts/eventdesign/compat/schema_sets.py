"""What sets of JSON values schemas accept, as far as can be told without enumerating them:
the JSON types a schema admits, its enum or const values, and whether branches of a
oneOf/anyOf are provably disjoint (by type, value or a required tag field).
"""

from __future__ import annotations

from typing import Any, Optional

from .jsonschema_nodes import SchemaNode, dereference


def instance_types(node: SchemaNode) -> Optional[frozenset]:
    """The JSON types a schema can accept, when it says so; None when it may accept any."""
    node = dereference(node)
    if node.kind in ("string", "boolean", "null", "object", "array") and _declares_type(node):
        return frozenset([node.kind])
    if node.kind == "number" and _declares_type(node):
        return frozenset(["integer"] if node.get("requires_integer") else ["integer", "number"])
    if node.kind in ("enum", "const"):
        values = value_set(node)
        return frozenset(_json_type(key) for key in values)
    if node.kind == "combined":
        parts = [instance_types(s) for s in node.get("subschemas")]
        if node.get("criterion") == "allOf":
            known = [p for p in parts if p is not None]
            return frozenset.intersection(*known) if known else None
        if all(p is not None for p in parts):
            return frozenset().union(*parts)
    return None


def _declares_type(node: SchemaNode) -> bool:
    return isinstance(node.raw, dict) and "type" in node.raw


def _json_type(key: Any) -> str:
    if key[0] == "number":
        return "integer" if float(key[1]).is_integer() else "number"
    if key[0] == "json":
        return "object" if key[1].startswith("{") else "array"
    return {"null": "null", "bool": "boolean", "string": "string"}[key[0]]


def value_set(node: SchemaNode) -> Optional[frozenset]:
    node = dereference(node)
    if node.kind == "enum":
        return node.get("values")
    if node.kind == "const":
        return frozenset([node.get("value")])
    if node.kind == "combined" and node.get("criterion") == "allOf":
        for member in node.get("subschemas"):
            found = value_set(member)
            if found is not None:
                return found
    return None


def _object_part(node: SchemaNode) -> Optional[SchemaNode]:
    node = dereference(node)
    if node.kind == "object":
        return node
    if node.kind == "combined" and node.get("criterion") == "allOf":
        for member in node.get("subschemas"):
            found = _object_part(member)
            if found is not None:
                return found
    return None


def _types_overlap(a: frozenset, b: frozenset) -> bool:
    return bool(a & b) or ("number" in a and "integer" in b) or ("integer" in a and "number" in b)


def provably_disjoint(branches: list[SchemaNode]) -> bool:
    """True when no JSON value can match two of the branches (by type, value or tag field)."""
    for index, first in enumerate(branches):
        for second in branches[index + 1 :]:
            if not _pair_disjoint(first, second):
                return False
    return True


def _pair_disjoint(first: SchemaNode, second: SchemaNode) -> bool:
    types_a, types_b = instance_types(first), instance_types(second)
    if types_a is not None and types_b is not None and not _types_overlap(types_a, types_b):
        return True
    values_a, values_b = value_set(first), value_set(second)
    if values_a is not None and values_b is not None and not values_a & values_b:
        return True
    object_a, object_b = _object_part(first), _object_part(second)
    if object_a is None or object_b is None:
        return False
    for name in object_a.get("required_set") & object_b.get("required_set"):
        tag_a = object_a.get("properties").get(name)
        tag_b = object_b.get("properties").get(name)
        if tag_a is None or tag_b is None:
            continue
        values_a, values_b = value_set(tag_a), value_set(tag_b)
        if values_a is not None and values_b is not None and not values_a & values_b:
            return True
    return False
