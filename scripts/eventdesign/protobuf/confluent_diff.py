"""Confluent Schema Registry's Protobuf schema diff, on grimoire's typed descriptors.

A faithful port of `io.confluent.kafka.schemaregistry.protobuf.diff` (SchemaDiff,
MessageSchemaDiff, FieldSchemaDiff, EnumSchemaDiff): the same difference types, the same
`#/Message/3` paths, and the same set of compatible changes. `compare(original, update)` is
the registry's BACKWARD check: can a reader with `update` read data written with `original`.
Messages are matched by name per nesting level, fields by number (oneof members included),
enum constants by number; a message type used by a field is compared again when it comes from
a different imported file (as the registry does for a different subject or version).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from .schema import ProtoEnum, ProtoField, ProtoMessage, ProtoSchema, TypeRef

COMPATIBLE_CHANGES = frozenset(
    {
        "MESSAGE_ADDED",
        "MESSAGE_MOVED",
        "ENUM_ADDED",
        "ENUM_REMOVED",
        "ENUM_CONST_ADDED",
        "ENUM_CONST_CHANGED",
        "ENUM_CONST_REMOVED",
        "FIELD_ADDED",
        "FIELD_REMOVED",
        "FIELD_NAME_CHANGED",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
        "ONEOF_ADDED",
        "ONEOF_REMOVED",
        "ONEOF_FIELD_ADDED",
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    }
)

# Scalar groups whose values read as each other (protobuf.dev "Updating A Message Type")
_SCALAR_KIND = {
    "int32": "GENERAL_NUMBER",
    "int64": "GENERAL_NUMBER",
    "uint32": "GENERAL_NUMBER",
    "uint64": "GENERAL_NUMBER",
    "bool": "GENERAL_NUMBER",
    "enum": "GENERAL_NUMBER",
    "sint32": "SIGNED_NUMBER",
    "sint64": "SIGNED_NUMBER",
    "string": "STRING_OR_BYTES",
    "bytes": "STRING_OR_BYTES",
    "fixed32": "FIXED32",
    "sfixed32": "FIXED32",
    "fixed64": "FIXED64",
    "sfixed64": "FIXED64",
    "float": "FLOAT",
    "double": "DOUBLE",
}
_NUMERIC_KINDS = {"GENERAL_NUMBER", "SIGNED_NUMBER", "FIXED32", "FIXED64", "FLOAT", "DOUBLE"}


@dataclass(frozen=True)
class Difference:
    """One difference: Confluent's type name and path (`#/Order/3`); the path without `#`
    is the pointer into the original and the update (None where that side lacks it)."""

    type: str
    path: str
    original_pointer: Optional[str]
    update_pointer: Optional[str]

    @property
    def compatible(self) -> bool:
        return self.type in COMPATIBLE_CHANGES


class _Context:
    def __init__(self, original: ProtoSchema, update: ProtoSchema, path: list[str]):
        self.original = original
        self.update = update
        self.path = path
        self.differences: list[Difference] = []
        self.in_progress: set[int] = set()

    def sub(self, path: list[str]) -> _Context:
        context = _Context(self.original, self.update, path)
        context.in_progress = set(self.in_progress)
        return context

    def add(self, kind: str, *extra: str) -> None:
        pointer = "/" + "/".join([*self.path, *extra])
        self.differences.append(
            Difference(
                kind,
                "#" + pointer,
                pointer if pointer in self.original.positions else None,
                pointer if pointer in self.update.positions else None,
            )
        )

    @property
    def compatible(self) -> bool:
        return all(d.compatible for d in self.differences)


def compare(original: ProtoSchema, update: ProtoSchema) -> list[Difference]:
    """Every difference Confluent reports between two versions of a schema (compatible ones too)."""
    context = _Context(original, update, [])
    if original.main.package != update.main.package:
        context.add("PACKAGE_CHANGED")
    _compare_types(
        context,
        original.main.messages,
        original.main.enums,
        update.main.messages,
        update.main.enums,
    )
    return context.differences


def is_compatible(differences: list[Difference]) -> bool:
    return all(d.compatible for d in differences)


def _compare_types(
    context: _Context,
    original_messages: list[ProtoMessage],
    original_enums: list[ProtoEnum],
    update_messages: list[ProtoMessage],
    update_enums: list[ProtoEnum],
) -> None:
    before = {m.name: (i, m) for i, m in enumerate(original_messages)}
    after = {m.name: (i, m) for i, m in enumerate(update_messages)}
    for name in sorted(before.keys() | after.keys()):
        context.path.append(name)
        if name not in after:
            context.add("MESSAGE_REMOVED")
        elif name not in before:
            context.add("MESSAGE_ADDED")
        else:
            _compare_messages(context, before[name][1], after[name][1])
            if before[name][0] != after[name][0]:
                context.add("MESSAGE_MOVED")
        context.path.pop()
    enums_before = {e.name: e for e in original_enums}
    enums_after = {e.name: e for e in update_enums}
    for name in sorted(enums_before.keys() | enums_after.keys()):
        context.path.append(name)
        if name not in enums_after:
            context.add("ENUM_REMOVED")
        elif name not in enums_before:
            context.add("ENUM_ADDED")
        else:
            _compare_enums(context, enums_before[name], enums_after[name])
        context.path.pop()


def _compare_enums(context: _Context, original: ProtoEnum, update: ProtoEnum) -> None:
    before = {number: name for name, number in original.values}
    after = {number: name for name, number in update.values}
    for number in sorted(before.keys() | after.keys()):
        if number not in after:
            context.add("ENUM_CONST_REMOVED", str(number))
        elif number not in before:
            context.add("ENUM_CONST_ADDED", str(number))
        elif before[number] != after[number]:
            context.add("ENUM_CONST_CHANGED", str(number))


def _compare_messages(context: _Context, original: ProtoMessage, update: ProtoMessage) -> None:
    key = id(original)
    if key not in context.in_progress:
        context.in_progress.add(key)
        try:
            _compare_fields(context, original, update)
        finally:
            context.in_progress.discard(key)
    _compare_types(context, original.messages, original.enums, update.messages, update.enums)


def _compare_fields(context: _Context, original: ProtoMessage, update: ProtoMessage) -> None:
    before = {f.number: f for f in original.fields}
    after = {f.number: f for f in update.fields}
    oneofs_before = {
        name: [f for f in original.fields if f.oneof == name] for name in original.oneofs
    }
    oneofs_after = set(update.oneofs)
    deleted_oneofs = {
        name
        for name, members in oneofs_before.items()
        if name not in oneofs_after and not any(f.number in after for f in members)
    }
    # Fields that were independent and now share a oneof: old data may set several of them.
    for oneof in update.oneofs:
        groups = set()
        moved_in = 0
        for member in (f for f in update.fields if f.oneof == oneof):
            previous = before.get(member.number)
            if previous is None:
                continue
            if previous.oneof is not None:
                groups.add(f"oneof:{previous.oneof}")
            else:
                groups.add(f"field:{member.number}")
                moved_in += 1
        if len(groups) > 1:
            kind = (
                "MULTIPLE_FIELDS_MOVED_TO_ONEOF"
                if moved_in > 1
                else "FIELD_MOVED_TO_EXISTING_ONEOF"
            )
            context.add(kind, oneof)
    for name in sorted(set(original.oneofs) | oneofs_after):
        if name not in oneofs_after:
            context.add("ONEOF_REMOVED", name)
        elif name not in original.oneofs:
            context.add("ONEOF_ADDED", name)
    for number in sorted(before.keys() | after.keys()):
        old, new = before.get(number), after.get(number)
        if new is None:
            if old.oneof is not None:
                if old.oneof not in deleted_oneofs:
                    context.add("ONEOF_FIELD_REMOVED", old.oneof, str(number))
            else:
                kind = "REQUIRED_FIELD_REMOVED" if old.label == "required" else "FIELD_REMOVED"
                context.add(kind, str(number))
        elif old is None:
            if new.oneof is not None:
                context.add("ONEOF_FIELD_ADDED", new.oneof, str(number))
            else:
                kind = "REQUIRED_FIELD_ADDED" if new.label == "required" else "FIELD_ADDED"
                context.add(kind, str(number))
        else:
            if old.oneof is not None and new.oneof is None:
                context.add("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", str(number))
            where = [new.oneof, str(number)] if new.oneof is not None else [str(number)]
            context.path.extend(where)
            _compare_field(context, old, new)
            del context.path[-len(where) :]


def _compare_field(context: _Context, original: ProtoField, update: ProtoField) -> None:
    if original.name != update.name:
        context.add("FIELD_NAME_CHANGED")
    _compare_labels_and_types(context, original.label, update.label, original.type, update.type)


def _kind(type_ref: TypeRef) -> str:
    if type_ref.kind == "map":
        return "MAP"
    if type_ref.is_scalar or type_ref.kind == "enum":
        return "SCALAR"
    return "MESSAGE"


def _compare_labels_and_types(
    context: _Context,
    original_label: Optional[str],
    update_label: Optional[str],
    original: TypeRef,
    update: TypeRef,
) -> None:
    kind = _kind(original)
    if kind != _kind(update):
        context.add("FIELD_KIND_CHANGED")
    elif kind == "SCALAR":
        scalar = _SCALAR_KIND[original.kind]
        if scalar != _SCALAR_KIND[update.kind]:
            context.add("FIELD_SCALAR_KIND_CHANGED")
        elif original_label and update_label and original_label != update_label:
            if scalar in _NUMERIC_KINDS:
                context.add("FIELD_NUMERIC_LABEL_CHANGED")
            elif scalar == "STRING_OR_BYTES":
                context.add("FIELD_STRING_OR_BYTES_LABEL_CHANGED")
    elif kind == "MESSAGE":
        _compare_message_types(context, original, update)
    else:
        _compare_labels_and_types(context, None, None, original.key, update.key)
        _compare_labels_and_types(context, None, None, original.value, update.value)


def _local_name(full_name: str, package: str) -> str:
    return (
        full_name[len(package) + 1 :]
        if package and full_name.startswith(package + ".")
        else full_name
    )


def _compare_message_types(context: _Context, original: TypeRef, update: TypeRef) -> None:
    before = context.original.types.get(original.name)
    after = context.update.types.get(update.name)
    if before is None or after is None:
        if original.name != update.name:
            context.add("FIELD_NAMED_TYPE_CHANGED")
        return
    local = _local_name(original.name, before.file.package)
    if local != _local_name(update.name, after.file.package):
        context.add("FIELD_NAMED_TYPE_CHANGED")
        return
    from_main = before.file is context.original.main and after.file is context.update.main
    if from_main or before.file.digest == after.file.digest:
        return  # compared where it is declared, or the very same imported file
    nested = context.sub(local.split("."))
    _compare_messages(nested, before.element, after.element)
    # The imported file has no place in this one: point at the field that uses the type.
    field = "/" + "/".join(context.path)
    context.differences.extend(
        replace(d, original_pointer=field, update_pointer=field) for d in nested.differences
    )
    if not nested.compatible:
        context.add("FIELD_NAMED_TYPE_CHANGED")
