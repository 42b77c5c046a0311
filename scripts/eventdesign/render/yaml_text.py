"""YAML text written directly, beside json_text.py: block mappings and sequences, plain
scalars only where no YAML 1.1 or 1.2 reader can take them for anything but a string,
JSON-quoted strings otherwise (a JSON string is a valid YAML double-quoted scalar). Several
times faster than PyYAML's emitter, which matters for thousand-event models; tests check
that yaml.safe_load reads the text back to the same data.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_$/][A-Za-z0-9_$./()+\-]*(?: [A-Za-z0-9_$./()+\-]+)*$")
_RESERVED_WORDS = frozenset(
    word
    for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
    for word in (base, base.capitalize(), base.upper())
)
# Characters YAML needs escaped: outside its printable set, plus the BOM and the NEL/LS/PS
# line breaks that a double-quoted scalar would fold.
_NOT_YAML_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)


def _scalar(value: Any) -> str:
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    return _string(str(value))


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text not in _RESERVED_WORDS:
        return text
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # what json.dumps writes for it, and all YAML-printable
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML allows fewer raw characters than JSON and folds NEL/LS/PS as line breaks.
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _literal_block(text: str, indent: str) -> str | None:
    """A `|` block for multi-line text that reads back exactly; None when it would not."""
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if (
        "\n" not in body
        or body.endswith("\n")
        or "\r" in text
        or "\t" in text
        or not lines[0]
        or lines[0].startswith(" ")
        or _NOT_YAML_PRINTABLE.search(body)
        or any(line != line.rstrip() for line in lines)
    ):
        return None
    indicator = "|" if text.endswith("\n") else "|-"
    return indicator + "".join(f"\n{indent}{line}" if line else "\n" for line in lines)


class _Levels(dict):
    """depth -> (its indentation, {key: `indentation key:`}), made on first use."""

    def __missing__(self, depth: int) -> tuple[str, dict[str, str]]:
        level = self[depth] = ("  " * depth, {})
        return level


def block_yaml(data: Any) -> str:
    """YAML block-style text for JSON-like data (dicts, lists, str, int, float, bool, None)."""
    out: list[str] = []
    append = out.append
    # Many keys and values repeat: each one-line string value is written once as its ` text\n`
    # ending, and each string key once per depth as its `indent key:` start.
    endings: dict[str, str] = {}
    levels = _Levels()

    def mapping(node: dict, depth: int) -> None:
        indent, heads = levels[depth]
        for key, item in node.items():
            if type(key) is str:
                head = heads.get(key)
                if head is None:
                    head = heads[key] = f"{indent}{_string(key)}:"
                append(head)
            else:
                append(f"{indent}{_scalar(key)}:")
            kind = type(item)
            if kind is str:
                ending = endings.get(item)
                if ending is None:
                    if "\n" in item:
                        multiline(item, indent)
                        continue
                    ending = endings[item] = f" {_string(item)}\n"
                append(ending)
            elif kind is dict:
                if item:
                    append("\n")
                    mapping(item, depth + 1)
                else:
                    append(" {}\n")
            elif kind is list and item:
                append("\n")
                sequence(item, depth + 1)
            elif kind is int:
                append(f" {item}\n")
            else:
                value(item, depth)

    def sequence(node: Any, depth: int) -> None:
        # A sequence at `depth` has its dashes at that depth's indentation; its items' content
        # one level deeper.
        dash = levels[depth][0] + "-"
        inner = 2 * depth + 2  # the indentation of depth + 1
        for item in node:
            if isinstance(item, dict) and item:
                # `- key: value`, the mapping's other keys aligned under the first: written as
                # a mapping at the inner indentation whose first line then gets the dash.
                first = len(out)
                mapping(item, depth + 1)
                out[first] = f"{dash} {out[first][inner:]}"
            else:
                append(dash)
                value(item, depth)

    def multiline(item: str, indent: str) -> None:
        block = _literal_block(item, indent + "  ")
        append(f" {block}\n" if block is not None else f" {_string(item)}\n")

    def value(item: Any, depth: int) -> None:
        # `item` follows a key or dash at `depth`'s indentation.
        indent = levels[depth][0]
        kind = type(item)
        if kind is str:
            if "\n" in item:
                multiline(item, indent)
            else:
                ending = endings[item] = f" {_string(item)}\n"
                append(ending)
        elif kind is dict or kind is list or isinstance(item, (dict, list)):
            if not item:
                append(" {}\n" if isinstance(item, dict) else " []\n")
            elif isinstance(item, dict):
                append("\n")
                mapping(item, depth + 1)
            else:
                append("\n")
                sequence(item, depth + 1)
        else:
            append(f" {_scalar(item)}\n")

    if isinstance(data, dict) and data:
        mapping(data, 0)
    elif isinstance(data, list) and data:
        sequence(data, 0)
    elif isinstance(data, (dict, list)):
        append("{}\n" if isinstance(data, dict) else "[]\n")
    else:
        append(f"{_scalar(data)}\n")
    return "".join(out)
