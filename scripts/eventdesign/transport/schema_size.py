"""Estimate a payload's size from its inline JSON Schema, when a channel has no examples (pure).

A representative instance is built (every declared property present, strings at a typical
length for their format, one item per array) and measured as compact JSON. It is an estimate
and is labelled as one; a stated `message_bytes` or an example always wins.
"""

from __future__ import annotations

import json
from typing import Any, Optional

# Typical lengths of formatted strings (RFC 4122 UUID, RFC 3339 timestamp, ...).
FORMAT_LENGTHS = {"uuid": 36, "date-time": 24, "date": 10, "time": 12, "email": 24, "uri": 40}
DEFAULT_STRING = 16
MAX_DEPTH = 12


def estimated_bytes(schema: Any) -> Optional[int]:
    """Compact-JSON bytes of a representative instance, or None when the schema says too
    little (not an inline JSON Schema object, or references it cannot follow)."""
    if not isinstance(schema, dict) or ("type" not in schema and "properties" not in schema):
        return None
    instance = _instance(schema, 0)
    if instance is _UNKNOWN:
        return None
    return len(json.dumps(instance, separators=(",", ":"), ensure_ascii=False).encode())


_UNKNOWN = object()


def _instance(schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > MAX_DEPTH or "$ref" in schema:
        return _UNKNOWN
    for known in ("const", "default"):
        if known in schema:
            return schema[known]
    if schema.get("enum"):
        return max(schema["enum"], key=lambda v: len(json.dumps(v)))
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        result = {}
        for name, sub in (schema.get("properties") or {}).items():
            value = _instance(sub, depth + 1)
            if value is _UNKNOWN:
                return _UNKNOWN
            result[name] = value
        return result
    if kind == "array":
        item = _instance(schema.get("items", {"type": "string"}), depth + 1)
        return _UNKNOWN if item is _UNKNOWN else [item] * max(1, schema.get("minItems", 1))
    if kind == "string":
        length = FORMAT_LENGTHS.get(schema.get("format", ""), DEFAULT_STRING)
        length = max(schema.get("minLength", 0), min(length, schema.get("maxLength", length)))
        return "x" * length
    if kind == "integer":
        return 12345678
    if kind == "number":
        return 12345.678
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _UNKNOWN
