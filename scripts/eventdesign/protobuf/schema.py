"""A typed view of compiled Protobuf descriptors: the file, its messages, enums and fields.

Built from protoc's FileDescriptorSet. The view hides what the `.proto` text does not show and
the registries do not compare: map-entry messages become `map<K, V>` field types and the
synthetic oneofs of proto3 `optional` fields disappear. Every element knows its place in the
text (line and column) through a path such as `/Order/3` (message `Order`, field number 3),
the same path Confluent's differences carry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ..findings import Location
from .toolchain import ProtoSource, compile_source

# FieldDescriptorProto.Type numbers -> the scalar names of the .proto language
SCALAR_TYPES = {
    1: "double",
    2: "float",
    3: "int64",
    4: "uint64",
    5: "int32",
    6: "fixed64",
    7: "fixed32",
    8: "bool",
    9: "string",
    12: "bytes",
    13: "uint32",
    15: "sfixed32",
    16: "sfixed64",
    17: "sint32",
    18: "sint64",
}
TYPE_GROUP, TYPE_MESSAGE, TYPE_ENUM = 10, 11, 14
LABEL_OPTIONAL, LABEL_REQUIRED, LABEL_REPEATED = 1, 2, 3

# Source-info path components (descriptor.proto field numbers)
_FILE_PACKAGE, _FILE_MESSAGE, _FILE_ENUM = 2, 4, 5
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM, _MESSAGE_ONEOF = 2, 3, 4, 8
_ENUM_VALUE = 2


@dataclass(frozen=True)
class TypeRef:
    """A field's type: a scalar name, or `message`/`enum`/`group` with the full type name, or
    `map` with key and value types."""

    kind: str
    name: str = ""  # full name without the leading dot, for message, enum and group
    key: Optional[TypeRef] = None
    value: Optional[TypeRef] = None

    @property
    def is_scalar(self) -> bool:
        return self.kind in SCALAR_TYPES.values()

    def __str__(self) -> str:
        if self.kind == "map":
            return f"map<{self.key}, {self.value}>"
        return self.name or self.kind


@dataclass(frozen=True)
class ProtoField:
    """A field. `label` is as written: None (proto3 without a label, or a map), `optional`,
    `required` or `repeated`; `oneof` names a real (not synthetic) oneof."""

    name: str
    number: int
    json_name: str
    label: Optional[str]
    type: TypeRef
    oneof: Optional[str]
    has_presence: bool
    default: Optional[str]
    path: str

    @property
    def cardinality(self) -> str:
        """buf's cardinality: map, repeated, required, or optional with `explicit` or
        `implicit` presence."""
        if self.type.kind == "map":
            return "map"
        if self.label in ("repeated", "required"):
            return self.label
        return "explicit" if self.has_presence else "implicit"


@dataclass
class ProtoEnum:
    name: str
    full_name: str
    values: list[tuple[str, int]]
    reserved_numbers: list[tuple[int, int]]
    reserved_names: list[str]
    path: str


@dataclass
class ProtoMessage:
    name: str
    full_name: str
    fields: list[ProtoField]
    oneofs: list[str]
    messages: list[ProtoMessage]
    enums: list[ProtoEnum]
    reserved_numbers: list[tuple[int, int]]  # [start, end) as in descriptors
    reserved_names: list[str]
    path: str
    map_entries: list[str] = field(default_factory=list)  # names of its hidden entry types


@dataclass
class ProtoFile:
    name: str
    package: str
    syntax: str
    messages: list[ProtoMessage]
    enums: list[ProtoEnum]
    digest: str  # identifies this exact file, as a registry's subject and version would


@dataclass
class TypeInfo:
    """A named type anywhere in the schema or its imports."""

    element: Union[ProtoMessage, ProtoEnum]
    file: ProtoFile


@dataclass
class ProtoSchema:
    """A compiled `.proto` file: the file itself, every type it can name, and text positions."""

    shown: str
    main: ProtoFile
    types: dict[str, TypeInfo]
    positions: dict[str, tuple[int, int]] = field(repr=False, default_factory=dict)
    descriptors: Any = field(repr=False, default=None)
    comments: dict[str, str] = field(repr=False, default_factory=dict)  # pointer -> leading

    def locate(self, pointer: Optional[str]) -> Location:
        probe = pointer or ""
        while probe and probe not in self.positions:
            probe = probe[: probe.rfind("/")]
        line, column = self.positions.get(probe, (None, None))
        return Location(self.shown, line, column, pointer or "")

    def message(self, name: str) -> Optional[ProtoMessage]:
        info = self.types.get(name.lstrip("."))
        return info.element if info and isinstance(info.element, ProtoMessage) else None

    def top_level_messages(self) -> list[str]:
        return [m.full_name for m in self.main.messages]


def _type_ref(descriptor: Any, map_entries: dict[str, Any]) -> TypeRef:
    if descriptor.type in SCALAR_TYPES:
        return TypeRef(SCALAR_TYPES[descriptor.type])
    name = descriptor.type_name.lstrip(".")
    if descriptor.type == TYPE_ENUM:
        return TypeRef("enum", name)
    if descriptor.type == TYPE_GROUP:
        return TypeRef("group", name)
    entry = map_entries.get(name)
    if entry is not None and descriptor.label == LABEL_REPEATED:
        key, value = entry.field[0], entry.field[1]
        return TypeRef("map", key=_type_ref(key, map_entries), value=_type_ref(value, map_entries))
    return TypeRef("message", name)


class _Builder:
    """Turns one FileDescriptorProto into the typed view, recording positions of the main file."""

    def __init__(self, descriptor: Any, map_entries: dict[str, Any], positions: Optional[dict]):
        self.descriptor = descriptor
        self.map_entries = map_entries
        self.syntax = descriptor.syntax or "proto2"
        self.spans: dict[tuple, tuple[int, int]] = {}
        self.leading: dict[tuple, str] = {}
        self.positions = positions
        self.comments: dict[str, str] = {}
        if positions is not None:
            for location in descriptor.source_code_info.location:
                if len(location.span) >= 2:
                    self.spans.setdefault(
                        tuple(location.path), (location.span[0] + 1, location.span[1] + 1)
                    )
                if location.leading_comments.strip():
                    self.leading[tuple(location.path)] = " ".join(location.leading_comments.split())

    def _place(self, pointer: str, source_path: tuple) -> None:
        if self.positions is not None and source_path in self.spans:
            self.positions.setdefault(pointer, self.spans[source_path])
        if source_path in self.leading:
            self.comments.setdefault(pointer, self.leading[source_path])

    def enum(self, descriptor: Any, prefix: str, pointer: str, source_path: tuple) -> ProtoEnum:
        self._place(pointer, source_path)
        values = []
        for index, value in enumerate(descriptor.value):
            values.append((value.name, value.number))
            self._place(f"{pointer}/{value.number}", (*source_path, _ENUM_VALUE, index))
        return ProtoEnum(
            descriptor.name,
            f"{prefix}{descriptor.name}",
            values,
            [(r.start, r.end + 1) for r in descriptor.reserved_range],  # enum ends inclusive
            list(descriptor.reserved_name),
            pointer,
        )

    def message(self, descriptor: Any, prefix: str, pointer: str, source_path: tuple):
        self._place(pointer, source_path)
        full_name = f"{prefix}{descriptor.name}"
        real_oneofs = {
            f.oneof_index
            for f in descriptor.field
            if f.HasField("oneof_index") and not f.proto3_optional
        }
        oneof_names = [d.name for i, d in enumerate(descriptor.oneof_decl) if i in real_oneofs]
        for index, oneof in enumerate(descriptor.oneof_decl):
            if index in real_oneofs:
                self._place(f"{pointer}/{oneof.name}", (*source_path, _MESSAGE_ONEOF, index))
        fields = []
        for index, item in enumerate(descriptor.field):
            oneof = None
            if item.HasField("oneof_index") and item.oneof_index in real_oneofs:
                oneof = descriptor.oneof_decl[item.oneof_index].name
            field_pointer = (
                f"{pointer}/{oneof}/{item.number}" if oneof else f"{pointer}/{item.number}"
            )
            self._place(field_pointer, (*source_path, _MESSAGE_FIELD, index))
            fields.append(self.field(item, oneof, field_pointer))
        nested, enums, map_entries = [], [], []
        for index, child in enumerate(descriptor.nested_type):
            if child.options.map_entry:
                map_entries.append(child.name)
                continue
            nested.append(
                self.message(
                    child,
                    f"{full_name}.",
                    f"{pointer}/{child.name}",
                    (*source_path, _MESSAGE_NESTED, index),
                )
            )
        for index, child in enumerate(descriptor.enum_type):
            enums.append(
                self.enum(
                    child,
                    f"{full_name}.",
                    f"{pointer}/{child.name}",
                    (*source_path, _MESSAGE_ENUM, index),
                )
            )
        return ProtoMessage(
            descriptor.name,
            full_name,
            fields,
            oneof_names,
            nested,
            enums,
            [(r.start, r.end) for r in descriptor.reserved_range],
            list(descriptor.reserved_name),
            pointer,
            map_entries,
        )

    def field(self, descriptor: Any, oneof: Optional[str], pointer: str) -> ProtoField:
        type_ref = _type_ref(descriptor, self.map_entries)
        if type_ref.kind == "map":
            label = None
        elif descriptor.label == LABEL_REPEATED:
            label = "repeated"
        elif descriptor.label == LABEL_REQUIRED:
            label = "required"
        elif self.syntax == "proto3" and not descriptor.proto3_optional:
            label = None
        else:
            label = "optional"
        has_presence = type_ref.kind in ("message", "group") or label == "optional" or bool(oneof)
        return ProtoField(
            descriptor.name,
            descriptor.number,
            descriptor.json_name,
            label,
            type_ref,
            oneof,
            has_presence and label != "repeated" and type_ref.kind != "map",
            descriptor.default_value if descriptor.HasField("default_value") else None,
            pointer,
        )

    def file(self, digest: str) -> ProtoFile:
        descriptor = self.descriptor
        prefix = f"{descriptor.package}." if descriptor.package else ""
        self._place("/", (_FILE_PACKAGE,))  # the `package` statement: where a package change is
        messages = [
            self.message(m, prefix, f"/{m.name}", (_FILE_MESSAGE, i))
            for i, m in enumerate(descriptor.message_type)
        ]
        enums = [
            self.enum(e, prefix, f"/{e.name}", (_FILE_ENUM, i))
            for i, e in enumerate(descriptor.enum_type)
        ]
        return ProtoFile(descriptor.name, descriptor.package, self.syntax, messages, enums, digest)


def _collect_map_entries(descriptor: Any, prefix: str, into: dict[str, Any]) -> None:
    for message in descriptor.nested_type:
        name = f"{prefix}{message.name}"
        if message.options.map_entry:
            into[name] = message
        _collect_map_entries(message, f"{name}.", into)


def _register(types: dict[str, TypeInfo], file: ProtoFile) -> None:
    stack: list[Union[ProtoMessage, ProtoEnum]] = [*file.messages, *file.enums]
    while stack:
        element = stack.pop()
        types[element.full_name] = TypeInfo(element, file)
        if isinstance(element, ProtoMessage):
            stack.extend(element.messages)
            stack.extend(element.enums)


def compile_schema(source: ProtoSource) -> ProtoSchema:
    """Compile a `.proto` source with protoc and build its typed view."""
    descriptors = compile_source(source)
    return build_schema(
        descriptors, source.name, source.shown, {**source.extra_files, source.name: source.text}
    )


def build_schema(
    descriptors: Any, main_name: str, shown: str, texts: dict[str, str]
) -> ProtoSchema:
    """The typed view of `main_name` in a FileDescriptorSet (imports included for names)."""
    map_entries: dict[str, Any] = {}
    for file in descriptors.file:
        prefix = f"{file.package}." if file.package else ""
        for message in file.message_type:
            _collect_map_entries(message, f"{prefix}{message.name}.", map_entries)
    positions: dict[str, tuple[int, int]] = {}
    comments: dict[str, str] = {}
    types: dict[str, TypeInfo] = {}
    main: Optional[ProtoFile] = None
    for file in descriptors.file:
        is_main = file.name == main_name
        text = texts.get(file.name)
        digest_source = text if text is not None else file.SerializeToString().hex()
        digest = hashlib.sha256(digest_source.encode("utf-8")).hexdigest()
        builder = _Builder(file, map_entries, positions if is_main else None)
        built = builder.file(digest)
        comments.update(builder.comments)
        _register(types, built)
        if is_main:
            main = built
            positions.setdefault("", (1, 1))
    if main is None:
        raise ValueError(f"{main_name} is not in the descriptor set")
    return ProtoSchema(shown, main, types, positions, descriptors, comments)
