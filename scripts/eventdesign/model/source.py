"""YAML and JSON text to plain data, remembering where every key and item came from.

PyYAML's composer gives nodes with start marks; we build the data ourselves so that every
JSON pointer maps to a 1-based (line, column). Guards: size, depth, expanded-node count (alias
bombs), duplicate keys, non-UTF-8 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import Location

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(path: tuple) -> str:
    """The JSON pointer for a path of keys and indexes ('' for the root)."""
    return "".join("/" + escape_pointer_token(p) for p in path)


@dataclass
class SourceDocument:
    """Parsed data plus the position of every mapping key and sequence item."""

    path: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def locate(self, pointer: str) -> Location:
        """The location of a pointer, falling back to its nearest located ancestor."""
        probe = pointer
        while True:
            position = self.positions.get(probe)
            if position is not None:
                return Location(self.path, position[0], position[1], pointer)
            if not probe:
                return Location(self.path, 1, 1, pointer)
            probe = probe[: probe.rfind("/")]


def read_text(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file with a size limit; errors name the file and what to do."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found; check the path", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", shown) from None
    if path.is_dir():
        raise InputError("is a directory; give a file", shown)
    if size > max_bytes:
        raise InputError(
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; split it up", shown
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8", shown, line, column
        ) from None


class _Builder:
    """Turns a composed YAML node tree into data and positions, enforcing the guards."""

    def __init__(self, shown: str) -> None:
        import yaml

        self.constructor = yaml.constructor.SafeConstructor()
        self.shown = shown
        self.positions: dict[str, tuple[int, int]] = {}
        self.count = 0

    def fail(self, message: str, node: Any) -> InputError:
        mark = node.start_mark
        return InputError(message, self.shown, mark.line + 1, mark.column + 1)

    def build(self, node: Any, path: tuple, depth: int) -> Any:
        import yaml

        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                f"more than {MAX_NODES:,} values after expanding aliases; "
                "remove the anchors and aliases (a YAML alias bomb?)",
                node,
            )
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels; flatten the document", node)
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(
                        "YAML merge keys ('<<') are not supported; write keys out", key_node
                    )
                key = self.scalar(key_node)
                if isinstance(key, (dict, list)) or key is None:
                    raise self.fail("mapping keys must be plain strings or numbers", key_node)
                key = str(key) if not isinstance(key, str) else key
                if key in result:
                    raise self.fail(f"duplicate key '{key}'; each key may appear once", key_node)
                child = path + (key,)
                mark = key_node.start_mark
                self.positions[pointer_of(child)] = (mark.line + 1, mark.column + 1)
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item_node in enumerate(node.value):
                child = path + (index,)
                mark = item_node.start_mark
                self.positions[pointer_of(child)] = (mark.line + 1, mark.column + 1)
                items.append(self.build(item_node, child, depth + 1))
            return items
        return self.scalar(node)

    def scalar(self, node: Any) -> Any:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            return {} if isinstance(node, yaml.MappingNode) else []
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.fail(f"bad value: {getattr(exc, 'problem', exc)}", node) from None
        if hasattr(value, "isoformat"):
            # Timestamps and dates stay strings: the model and JSON Schema speak JSON.
            return node.value
        return value


def parse_yaml(text: str, shown: str) -> SourceDocument:
    """Parse YAML (or JSON, a subset) into a SourceDocument; InputError on any problem."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(f"invalid YAML: {problem}", shown, line, column) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", shown) from None
    except RecursionError:
        raise InputError("nested too deeply to parse; flatten the document", shown) from None
    if node is None:
        return SourceDocument(shown, None, {"": (1, 1)})
    builder = _Builder(shown)
    data = builder.build(node, (), 0)
    builder.positions[""] = (node.start_mark.line + 1, node.start_mark.column + 1)
    return SourceDocument(shown, data, builder.positions)


def load_document(path: Path, shown: str | None = None) -> SourceDocument:
    """Read and parse a YAML or JSON file."""
    shown = shown or str(path)
    return parse_yaml(read_text(path, shown), shown)
