"""JSON text with two-space indentation, as `json.dumps(data, indent=2, ensure_ascii=False,
allow_nan=False)`: NaN and infinities, which JSON has no form for, raise ValueError.

The standard library encodes indented JSON in pure Python (its C encoder only writes compact
JSON), which takes a third of a second for a thousand-event AsyncAPI document. This writer
gives the same text several times faster: strings go through the C string encoder once each,
and the tree walk does nothing else. Tests compare it with `json.dumps` on generated data.
"""

from __future__ import annotations

import json
from typing import Any

_encode_string = json.encoder.encode_basestring  # the C implementation when available
_INFINITY = float("inf")


def _number(value: float) -> str:
    if value != value or value in (_INFINITY, -_INFINITY):
        # What json.dumps(allow_nan=False) does: NaN and Infinity are not JSON.
        raise ValueError(f"{value!r} has no JSON form")
    return float.__repr__(value)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _number(value)
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _encode_string(key)
    if isinstance(key, float):
        return _encode_string(_number(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return _encode_string(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def json_text(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)`, faster."""
    out: list[str] = []
    append = out.append
    strings: dict[str, str] = {}  # keys and values repeat: encode each text once
    members: dict[str, dict[str, str]] = {}  # indentation -> {key: `indent"key": `}

    def mapping(node: dict, indent: str) -> None:
        inner = indent + "  "
        heads = members.get(inner)
        if heads is None:
            heads = members[inner] = {}
        separator = "{\n"
        for key, item in node.items():
            append(separator)
            separator = ",\n"
            if type(key) is str:
                head = heads.get(key)
                if head is None:
                    head = heads[key] = f"{inner}{_encode_string(key)}: "
                append(head)
            else:
                append(f"{inner}{_key(key)}: ")
            value(item, inner)
        append(f"\n{indent}}}")

    def sequence(node: Any, indent: str) -> None:
        inner = indent + "  "
        separator = "[\n" + inner
        between = ",\n" + inner
        for item in node:
            append(separator)
            separator = between
            value(item, inner)
        append(f"\n{indent}]")

    def value(item: Any, indent: str) -> None:
        if type(item) is str:
            text = strings.get(item)
            if text is None:
                text = strings[item] = _encode_string(item)
            append(text)
        elif isinstance(item, (list, tuple)):
            if item:
                sequence(item, indent)
            else:
                append("[]")
        elif isinstance(item, dict):
            if item:
                mapping(item, indent)
            else:
                append("{}")
        else:
            append(_scalar(item))

    value(data, "")
    return "".join(out)
