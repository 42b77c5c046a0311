"""Schema files to data: which language a file is in, parsing it, and locating pointers in it.

`.avsc` is Avro; `.proto` is Protobuf (compiled with protoc, its imports resolved from the
file's own folder); `.json`, `.yaml` and `.yml` are JSON Schema unless the caller says otherwise.
JSON is parsed as strict JSON (so `1e5` stays a number); YAML with grimoire's YAML reader,
which refuses alias bombs, duplicate keys and documents nested deeper than its limit. Every
problem is an InputError naming the file (and line when known).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import InputError
from ..findings import Location
from ..model.source import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    SourceDocument,
    parse_yaml,
    read_text,
    unsupported_json_value,
)
from ..pointer import escape_token

LANGUAGES = ("jsonschema", "avro", "protobuf")
LANGUAGE_BY_EXTENSION = {
    ".avsc": "avro",
    ".proto": "protobuf",
    ".json": "jsonschema",
    ".yaml": "jsonschema",
    ".yml": "jsonschema",
}
MAX_SCHEMA_FILE_BYTES = 8 * 1024 * 1024


def language_for(path: str, explicit: Optional[str] = None) -> str:
    """The schema language of a file: `explicit` when given, else from its extension."""
    if explicit:
        if explicit not in LANGUAGES:
            raise InputError(f"unknown schema type '{explicit}'; use avro, jsonschema or protobuf")
        return explicit
    language = LANGUAGE_BY_EXTENSION.get(Path(path).suffix.lower())
    if language is None:
        raise InputError(
            "cannot tell the schema language from the extension; name it .avsc (Avro), .proto "
            "(Protobuf) or .json/.yaml/.yml (JSON Schema), or pass --type "
            "avro|jsonschema|protobuf",
            path,
        )
    return language


@dataclass
class SchemaSource:
    """A parsed schema and how to turn a JSON pointer into it into a file location."""

    shown: str
    language: str
    data: Any
    locator: Callable[[str], Location]
    positions: Optional[SourceDocument] = field(default=None, repr=False)

    def locate(self, pointer: str) -> Location:
        return self.locator(pointer)


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return False


def parse_json_text(text: str, shown: str) -> Any:
    """Strict JSON with a nesting limit; InputError with line and column on any problem."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", shown, exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(
            f"nested deeper than {MAX_DEPTH} levels; flatten the schema with $defs", shown
        ) from None
    except ValueError as exc:  # an integer too long to convert, or NaN/Infinity
        problem = str(exc)
        if "digits" in problem:
            problem = f"a number with more than {MAX_INT_DIGITS:,} digits; quote it if it is text"
        raise InputError(problem, shown) from None
    problem = unsupported_json_value(data)
    if problem:
        raise InputError(problem, shown)
    if _depth_exceeds(data, MAX_DEPTH):
        raise InputError(
            f"nested deeper than {MAX_DEPTH} levels; flatten the schema with $defs", shown
        )
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (JSON has no NaN or Infinity); write a number")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')
MAX_LOCATED_ITEMS = 1000


def json_positions(text: str) -> dict[str, int]:
    """Character offset of every object key and array item (the first 1,000 of each array)."""
    positions = {"": 0}
    stack: list[list] = []  # [kind, pointer, key or index, expecting key/item]
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        top = stack[-1] if stack else None
        if token[0] == '"' or token in "{[":
            child = None
            if top is not None and top[0] == "object" and top[3]:
                key = token[1:-1] if "\\" not in token else json.loads(token)
                top[2] = key
                top[3] = False
                positions[f"{top[1]}/{escape_token(key)}"] = match.start()
                continue
            if top is not None and top[0] == "array" and top[3]:
                top[3] = False
                child = f"{top[1]}/{top[2]}"
                if top[2] < MAX_LOCATED_ITEMS:
                    positions[child] = match.start()
            elif top is not None and top[0] == "object":
                child = f"{top[1]}/{escape_token(top[2])}"
            if token == "{":
                stack.append(["object", child or "", None, True])
            elif token == "[":
                stack.append(["array", child or "", 0, True])
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == "," and top is not None:
            if top[0] == "array":
                top[2] += 1
            top[3] = True
    return positions


def _json_locator(text: str, shown: str) -> Callable[[str], Location]:
    """Locations in JSON text, worked out on the first request (most runs need none)."""
    cache: dict[str, Any] = {}

    def locate(pointer: str) -> Location:
        if not cache:
            cache["positions"] = json_positions(text)
            cache["newlines"] = [m.start() for m in re.finditer("\n", text)]
        positions, newlines = cache["positions"], cache["newlines"]
        probe = pointer
        while probe not in positions:
            probe = probe[: probe.rfind("/")] if "/" in probe else ""
        offset = positions[probe]
        line = bisect.bisect_left(newlines, offset)
        column = offset - (newlines[line - 1] + 1 if line else 0)
        return Location(shown, line + 1, column + 1, pointer)

    return locate


def parse_schema_text(
    text: str, shown: str, language: str, suffix: str, import_root: Optional[Path] = None
) -> SchemaSource:
    """Parse schema text already read (from a file or a git revision).

    A Protobuf file's imports resolve against `import_root` (its own folder on disk) and the
    well-known types; without a root (text from a git revision) only the well-known types.
    """
    if language == "protobuf":
        return _protobuf_source(text, shown, import_root)
    if suffix.lower() in (".yaml", ".yml"):
        document = parse_yaml(text, shown)
        return SchemaSource(shown, language, document.data, document.locate, document)
    data = parse_json_text(text, shown)
    return SchemaSource(shown, language, data, _json_locator(text, shown))


def read_schema_file(path: str, language: Optional[str] = None) -> SchemaSource:
    """Read and parse one schema file; InputError naming the file when it is unusable."""
    chosen = language_for(path, language)
    text = read_text(Path(path), path, MAX_SCHEMA_FILE_BYTES)
    if not text.strip():
        raise InputError("the file is empty; expected a schema", path)
    return parse_schema_text(text, path, chosen, Path(path).suffix, Path(path).resolve().parent)


def _protobuf_source(text: str, shown: str, import_root: Optional[Path]) -> SchemaSource:
    from ..protobuf.schema import compile_schema
    from ..protobuf.toolchain import ProtoSource

    name = Path(shown).name if shown.endswith(".proto") else "schema.proto"
    schema = compile_schema(ProtoSource(name, text, shown, import_root))
    return SchemaSource(shown, "protobuf", schema, schema.locate)


def schema_from_data(
    data: Any, shown: str, language: str, locator: Callable[[str], Location]
) -> SchemaSource:
    """A schema that is already parsed (from the design model). Protobuf comes as the model's
    payload (compiled on demand) or as `.proto` text."""
    if language == "protobuf":
        if isinstance(data, str):
            return _protobuf_source(data, shown, None)
        return SchemaSource(shown, "protobuf", data.compiled(), locator)
    if _depth_exceeds(data, MAX_DEPTH):
        raise InputError(
            f"nested deeper than {MAX_DEPTH} levels; flatten the schema with $defs", shown
        )
    return SchemaSource(shown, language, data, locator)
