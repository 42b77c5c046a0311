"""YAML and JSON text to plain data, remembering where every key and item came from.

PyYAML's parser gives events with start marks; we build the data from them ourselves so that
every JSON pointer maps to a 1-based (line, column). Guards: size, depth, expanded-node count
(alias bombs), duplicate keys, non-UTF-8 bytes.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import Location
from ..pointer import list_index, unescape_token

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000


class SourceDocument:
    """Parsed data plus where every mapping key and sequence item starts.

    `marks` maps id(collection) to (collection, the start marks of its members: a dict by key
    or a list by index, its own start mark); holding the collection keeps its id from being
    reused. Positions are worked out only when `locate` asks, so reading stays cheap.
    """

    __slots__ = ("data", "marks", "path", "root_position")

    def __init__(
        self,
        path: str,
        data: Any,
        root_position: tuple[int, int] = (1, 1),
        marks: dict[int, tuple[Any, Any, Any]] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self.root_position = root_position
        self.marks = {} if marks is None else marks

    def __repr__(self) -> str:
        return f"SourceDocument(path={self.path!r}, data={self.data!r})"

    def locate(self, pointer: str) -> Location:
        """The location of a pointer, falling back to its nearest located ancestor."""
        line, column = self.root_position
        node = self.data
        for token in pointer.split("/")[1:]:
            entry = self.marks.get(id(node))
            if entry is None or entry[0] is not node:
                break
            member_marks = entry[1]
            if isinstance(member_marks, dict):
                key = unescape_token(token)
                mark = member_marks.get(key)
                if mark is None or key not in node:
                    break
                node = node[key]
            else:
                index = list_index(token)
                if index is None or index >= min(len(member_marks), len(node)):
                    break
                mark = member_marks[index]
                node = node[index]
            line, column = mark.line + 1, mark.column + 1
        return Location(self.path, line, column, pointer)


def read_text(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file with a size limit; errors name the file and what to do.

    The one way commands read their input files. Only regular files are read (a FIFO,
    device or directory is refused with what it is, before any byte is read, so
    `/dev/zero` or a pipe nobody writes to cannot hang or exhaust memory), and never more
    than `max_bytes` + 1 bytes, even when the file grows while it is read.
    """
    raw = _read_regular_file(path, shown, max_bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8", shown, line, column
        ) from None


def _too_big(shown: str, max_bytes: int, size: int | None = None) -> InputError:
    what = f"file is {size:,} bytes, over" if size is not None else "file is over"
    return InputError(f"{what} the {max_bytes:,}-byte limit; split it up", shown)


_NOT_REGULAR = (
    (stat.S_ISDIR, "is a directory; give a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file; save the content to a file first"),
    (stat.S_ISCHR, "is a character device, not a file; save the content to a file first"),
    (stat.S_ISBLK, "is a block device, not a file; give a file"),
    (stat.S_ISSOCK, "is a socket, not a file; give a file"),
)


def _read_regular_file(path: Path, shown: str, max_bytes: int) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError("is a symlink to a missing file; fix the link", shown) from None
        raise InputError("file not found; check the path", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", shown) from None
    try:
        status = os.fstat(handle)
        for is_kind, message in _NOT_REGULAR:
            if is_kind(status.st_mode):
                raise InputError(message, shown)
        if not stat.S_ISREG(status.st_mode):
            raise InputError("is not a regular file; give a file", shown)
        if status.st_size > max_bytes:
            raise _too_big(shown, max_bytes, status.st_size)
        os.set_blocking(handle, True)
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(handle, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:  # it grew while being read
            raise _too_big(shown, max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", shown) from None
    finally:
        os.close(handle)


_SURROGATE = re.compile("[\ud800-\udfff]")
# A plain decimal integer that YAML 1.1 reads as int() does (a leading 0 would make it octal).
_DECIMAL = re.compile("-?(?:0|[1-9][0-9]{0,17})")
LONE_SURROGATE = "holds a lone surrogate escape (\\uD800-\\uDFFF), which is not text; remove it"
MAX_INT_DIGITS = 4_300  # Python's limit for turning text into an int


def construct_scalar(constructor: Any, node: Any) -> tuple[str | None, Any]:
    """(problem, value) for a tagged or resolved YAML scalar; a problem names what to do.

    The model and JSON Schema speak JSON: timestamps and dates stay text, and what JSON has
    no form for (binary, NaN, infinities, integers too long to convert) is refused.
    """
    import math

    import yaml

    short_tag = node.tag.rsplit(":", 1)[-1]
    try:
        value = constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        return f"bad value: {getattr(exc, 'problem', None) or exc}", None
    except ValueError as exc:
        if "digits" in str(exc):
            return (
                f"a number with more than {MAX_INT_DIGITS:,} digits; quote it if it is text",
                None,
            )
        return f"'{node.value}' is not a valid {short_tag}; fix the value or drop the tag", None
    except (LookupError, TypeError, AttributeError, OverflowError):
        return f"'{node.value}' is not a valid {short_tag}; fix the value or drop the tag", None
    if hasattr(value, "isoformat"):
        return None, node.value
    if isinstance(value, (bytes, bytearray)):
        return "binary values (!!binary) have no JSON form; write the value as text", None
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"'{node.value}' is not a finite number (JSON has no NaN or Infinity); "
            "write a number, or quote it if it is text",
            None,
        )
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return (
            f"a number with more than {MAX_INT_DIGITS:,} digits; quote it if it is text",
            None,
        )
    return None, value


def unsupported_json_value(data: Any) -> str | None:
    """What in parsed JSON data has no place in a model or schema (a lone surrogate, NaN,
    an infinity, an integer over MAX_INT_DIGITS digits), or None."""
    import math

    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if _SURROGATE.search(key):
                    return f"the key {key!r} {LONE_SURROGATE}"
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                return f"a string {LONE_SURROGATE}"
        elif isinstance(value, float) and not math.isfinite(value):
            return "holds NaN or Infinity, which JSON has no form for; write a number"
    return None


NESTED_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; flatten the document"
TOO_MANY_NODES = (
    f"more than {MAX_NODES:,} values after expanding aliases; "
    "remove the anchors and aliases (a YAML alias bomb?)"
)


# A plain `<<` is a merge key, refused as a key; as a value it is just text.
_TEXT_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge")


def _build_from_events(loader: Any, shown: str) -> SourceDocument:
    """Data and marks straight from parser events, in one pass and without a node tree.

    One loop per collection with its state in local variables. libyaml's C composer
    overflows the C stack on deep input; this recursion stops at MAX_DEPTH, refusing deeper
    nesting before it costs anything. Anchored values are remembered as they are built; an
    alias of a collection shares its anchor's value until the document is read, and the
    expanded size is checked (alias bombs) before each alias gets its own copy.
    """
    import yaml
    from yaml import events as ev
    from yaml.nodes import ScalarNode

    def fail(message: str, mark: Any) -> InputError:
        return InputError(message, shown, mark.line + 1, mark.column + 1)

    constructor = yaml.constructor.SafeConstructor()
    marks: dict[int, tuple[Any, Any, Any]] = {}
    plain_values: dict[str, Any] = {}  # plain scalar text -> its value (text, number, ...)
    plain_keys: dict[str, str] = {}
    anchors: dict[str, Any] = {}  # anchor name -> the start event of its value
    anchored_collections: dict[str, Any] = {}  # anchor name -> its collection, once built
    # (collection, key or index, anchored collection, alias event, depth) of each alias of a
    # collection, in document order: an anchor's own aliases come before any alias of it.
    shared: list[tuple[Any, Any, Any, Any, int]] = []
    aliased = False
    get_event = loader.get_event
    resolve = loader.resolve
    str_tag = "tag:yaml.org,2002:str"
    bool_tag = "tag:yaml.org,2002:bool"
    merge_tag = "tag:yaml.org,2002:merge"
    int_tag = "tag:yaml.org,2002:int"
    scalar_event, alias_event = ev.ScalarEvent, ev.AliasEvent
    mapping_start, sequence_start = ev.MappingStartEvent, ev.SequenceStartEvent
    mapping_end, sequence_end = ev.MappingEndEvent, ev.SequenceEndEvent
    count = 0

    def construct(event: Any, tag: str) -> Any:
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        problem, value = construct_scalar(constructor, node)
        if problem:
            raise fail(problem, event.start_mark)
        return value

    def quoted(event: Any) -> str:
        if event.style == '"' and _SURROGATE.search(event.value):
            raise fail(LONE_SURROGATE, event.start_mark)
        return event.value

    def remember(event: Any) -> Any:
        if event.anchor in anchors:
            raise fail(f"anchor '{event.anchor}' is defined twice; rename one", event.start_mark)
        anchors[event.anchor] = event
        return event

    def origin(alias: Any) -> Any:
        """The start event of the value an alias names; its marks stand for the alias."""
        nonlocal aliased
        start = anchors.get(alias.anchor)
        if start is None:
            raise fail(f"alias '*{alias.anchor}' names no anchor", alias.start_mark)
        aliased = True
        return start

    def alias_value(alias: Any, parent: Any, slot: Any, depth: int) -> tuple[Any, Any]:
        """(value, the mark of its anchor) of an alias that goes into parent[slot]."""
        start = origin(alias)
        if type(start) is scalar_event:
            unanchored = scalar_event(
                None,
                start.tag,
                start.implicit,
                start.value,
                start.start_mark,
                start.end_mark,
                start.style,
            )
            return scalar(unanchored), start.start_mark
        value = anchored_collections.get(alias.anchor)
        if value is None:  # inside its own anchor: the value would contain itself
            raise fail(NESTED_TOO_DEEP, start.start_mark)
        shared.append((parent, slot, value, alias, depth))
        return value, start.start_mark

    def scalar(event: Any) -> Any:
        if event.anchor is not None:
            remember(event)
        tag = event.tag
        if tag is None or tag == "!":
            implicit = event.implicit
            if implicit[0]:  # plain: resolved by its text alone
                text = event.value
                value = plain_values.get(text, plain_values)
                if value is plain_values:
                    tag = resolve(ScalarNode, text, implicit)
                    if tag in _TEXT_TAGS:
                        value = text
                    elif tag == int_tag and _DECIMAL.fullmatch(text):
                        value = int(text)  # what the constructor gives, without its machinery
                    else:
                        value = construct(event, tag)
                    plain_values[text] = value
                return value
            if implicit[1]:  # quoted
                return quoted(event)
            tag = resolve(ScalarNode, event.value, implicit)
        return quoted(event) if tag in _TEXT_TAGS else construct(event, tag)

    def key_of(event: Any) -> str:
        if type(event) is not scalar_event:
            raise fail("mapping keys must be plain strings or numbers", event.start_mark)
        tag = event.tag
        if tag is None and event.implicit[0]:  # plain: the same text is the same key
            key = plain_keys.get(event.value)
            if key is None:
                tag = resolve(ScalarNode, event.value, event.implicit)
                key = plain_keys[event.value] = tagged_key(event, tag)
            return key
        if tag is None or tag == "!":
            if event.implicit[1]:
                return quoted(event)
            tag = resolve(ScalarNode, event.value, event.implicit)
        return tagged_key(event, tag)

    def tagged_key(event: Any, tag: str) -> str:
        if tag == merge_tag:
            raise fail("YAML merge keys ('<<') are not supported; write keys out", event.start_mark)
        # YAML 1.1 reads plain on/off/yes/no as booleans; as a key (a saga reaction's `on:`)
        # the user means the word itself.
        if tag in (bool_tag, str_tag):
            return quoted(event)
        key = construct(event, tag)
        if key is None:
            raise fail("mapping keys must be plain strings or numbers", event.start_mark)
        return key if isinstance(key, str) else str(key)

    def collection(start: Any, depth: int) -> Any:
        nonlocal count
        if depth >= MAX_DEPTH:
            raise fail(NESTED_TOO_DEEP, start.start_mark)
        if start.anchor is not None:
            remember(start)
        if type(start) is mapping_start:
            mapping: dict[str, Any] = {}
            key_marks: dict[str, Any] = {}
            while True:
                event = get_event()
                if type(event) is mapping_end:
                    break
                if event.anchor is not None:  # an alias key reads as its anchor's scalar
                    event = origin(event) if type(event) is alias_event else remember(event)
                key = key_of(event)
                if key in mapping:
                    raise fail(f"duplicate key '{key}'; each key may appear once", event.start_mark)
                key_marks[key] = event.start_mark
                value_event = get_event()
                kind = type(value_event)
                if kind is scalar_event:
                    mapping[key] = scalar(value_event)
                elif kind is alias_event:
                    mapping[key] = alias_value(value_event, mapping, key, depth + 1)[0]
                else:
                    mapping[key] = collection(value_event, depth + 1)
            count += len(mapping)
            if count > MAX_NODES:
                raise fail(TOO_MANY_NODES, start.start_mark)
            marks[id(mapping)] = (mapping, key_marks, start.start_mark)
            if start.anchor is not None:
                anchored_collections[start.anchor] = mapping
            return mapping
        sequence: list[Any] = []
        item_marks: list[Any] = []
        while True:
            event = get_event()
            kind = type(event)
            if kind is sequence_end:
                break
            item_marks.append(event.start_mark)
            if kind is scalar_event:
                sequence.append(scalar(event))
            elif kind is alias_event:
                item, item_marks[-1] = alias_value(event, sequence, len(sequence), depth + 1)
                sequence.append(item)
            else:
                sequence.append(collection(event, depth + 1))
        count += len(sequence)
        if count > MAX_NODES:
            raise fail(TOO_MANY_NODES, start.start_mark)
        marks[id(sequence)] = (sequence, item_marks, start.start_mark)
        if start.anchor is not None:
            anchored_collections[start.anchor] = sequence
        return sequence

    root: Any = None
    root_mark: Any = None
    documents = 0
    while True:
        event = get_event()
        kind = type(event)
        if kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise fail(
                    "more than one YAML document ('---'); keep one per file", event.start_mark
                )
        elif kind is scalar_event:
            root, root_mark = scalar(event), event.start_mark
        elif kind is mapping_start or kind is sequence_start:
            root, root_mark = collection(event, 0), event.start_mark
        elif kind is alias_event:
            origin(event)  # nothing is anchored before the root: this refuses the alias
        elif event is None or kind is ev.StreamEndEvent:
            if root_mark is None:
                return SourceDocument(shown, None)
            if aliased:
                _refuse_alias_bombs(root, root_mark, marks, shown)
                _expand_aliases(shared, marks, shown)
            return SourceDocument(shown, root, (root_mark.line + 1, root_mark.column + 1), marks)
        elif kind is not ev.StreamStartEvent and kind is not ev.DocumentEndEvent:
            raise yaml.YAMLError(f"unexpected {kind.__name__}")


def _members(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return value.values()
    return value if kind is list else ()


def _refuse_alias_bombs(root: Any, root_mark: Any, marks: dict, shown: str) -> None:
    """Refuse alias bombs before any alias is expanded: count expanded values per collection.

    Until then every alias shares its anchor's collection, so sizes are memoised by identity
    and the count costs one visit per distinct collection, however many times aliases repeat
    it. Keys count as values, as in a YAML node tree.
    """
    sizes: dict[int, int] = {}
    uses: dict[int, int] = {}

    def size(value: Any, depth: int) -> int:
        kind = type(value)
        if kind is not dict and kind is not list:
            return 1
        uses[id(value)] = uses.get(id(value), 0) + 1
        if id(value) in sizes:
            return sizes[id(value)]
        sizes[id(value)] = 1
        if depth <= MAX_DEPTH:
            keys = len(value) if kind is dict else 0
            sizes[id(value)] = 1 + keys + sum(size(member, depth + 1) for member in _members(value))
        return sizes[id(value)]

    if size(root, 0) <= MAX_NODES:
        return
    # Point at the outermost value, not reached through an alias, that expands past the limit.
    culprit, mark = root, root_mark
    while True:
        bigger = [
            member
            for member in _members(culprit)
            if sizes.get(id(member), 0) > MAX_NODES and uses[id(member)] == 1
        ]
        if not bigger:
            raise InputError(TOO_MANY_NODES, shown, mark.line + 1, mark.column + 1)
        culprit = bigger[0]
        mark = marks[id(culprit)][2]


def _expand_aliases(shared: list, marks: dict, shown: str) -> None:
    """Give each alias of a collection its own copy, as if built afresh from its anchor.

    Callers may change the data, so no two places share a collection. A copy's members keep
    their anchor's marks; an alias that nests values deeper than MAX_DEPTH is refused there.
    """

    def copy(value: Any, depth: int, alias: Any) -> Any:
        if depth > MAX_DEPTH:
            mark = alias.start_mark
            raise InputError(NESTED_TOO_DEEP, shown, mark.line + 1, mark.column + 1)
        kind = type(value)
        if kind is dict:
            duplicate: Any = {key: copy(member, depth + 1, alias) for key, member in value.items()}
        elif kind is list:
            duplicate = [copy(member, depth + 1, alias) for member in value]
        else:
            return value
        entry = marks[id(value)]
        marks[id(duplicate)] = (duplicate, entry[1], entry[2])
        return duplicate

    # An anchor's own aliases come first, so each anchor is whole before it is copied.
    for parent, slot, value, alias, depth in shared:
        parent[slot] = copy(value, depth, alias)


def parse_yaml(text: str, shown: str) -> SourceDocument:
    """Parse YAML (or JSON, a subset) into a SourceDocument; InputError on any problem."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        loader = loader_class(text)
        try:
            return _build_from_events(loader, shown)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        if "nesting depth" in problem:
            # libyaml 0.2.5 (PyYAML 6.0.4 wheels) refuses deep nesting while scanning ahead,
            # before our own depth guard sees the events: say the same thing either way.
            raise InputError(NESTED_TOO_DEEP, shown, line, column) from None
        raise InputError(f"invalid YAML: {problem}", shown, line, column) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", shown) from None
    except RecursionError:
        raise InputError("nested too deeply to parse; flatten the document", shown) from None


def load_document(path: Path, shown: str | None = None) -> SourceDocument:
    """Read and parse a YAML or JSON file."""
    shown = shown or str(path)
    return parse_yaml(read_text(path, shown), shown)
