"""The `buf breaking` rules that concern message payloads, and the categories that hold them.

Confluent's registry accepts some changes that still break consumers: a renamed field changes
the JSON mapping (`orderId` becomes `orderRef`), `int32` to `int64` changes a JSON number into
a string, a deleted field breaks code generated from the old file. buf's categories name who is
hurt: WIRE (binary decoding), WIRE_JSON (binary and the proto3 JSON mapping) and FILE (generated
code, by file). This module applies buf's rules for fields, oneofs, enums and messages, paired
as buf pairs them (messages and enums by full name, fields and enum values by number), so
grimoire can say which category rejects a change the registry lets through. Services, RPCs,
file options and editions features are outside an event payload and are not checked.

Source: bufbuild/buf `private/bufpkg/bufcheck/bufcheckserver` (v2 rule set and categories).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from .schema import ProtoEnum, ProtoField, ProtoMessage, ProtoSchema, TypeRef

CATEGORIES = ("WIRE", "WIRE_JSON", "FILE")
_ALL = ("WIRE", "WIRE_JSON", "FILE")
_JSON = ("WIRE_JSON", "FILE")
_FILE = ("FILE",)
_BINARY = ("WIRE", "WIRE_JSON")

# Kinds whose encodings read as each other (buf's fieldKindToWireCompatibilityGroup)
_WIRE_GROUP = {
    "int32": 1,
    "int64": 1,
    "uint32": 1,
    "uint64": 1,
    "bool": 1,
    "sint32": 2,
    "sint64": 2,
    "string": 3,
    "bytes": 4,
    "fixed32": 5,
    "sfixed32": 5,
    "fixed64": 6,
    "sfixed64": 6,
    "double": 7,
    "float": 8,
    "group": 9,
    "message": 10,
    "enum": 11,
}
# ... and whose JSON forms read as each other too (fieldKindToWireJSONCompatibilityGroup)
_WIRE_JSON_GROUP = {
    "int32": 1,
    "uint32": 1,
    "int64": 2,
    "uint64": 2,
    "fixed32": 3,
    "sfixed32": 3,
    "fixed64": 4,
    "sfixed64": 4,
    "bool": 5,
    "sint32": 6,
    "sint64": 7,
    "string": 8,
    "bytes": 9,
    "double": 10,
    "float": 11,
    "group": 12,
    "message": 13,
    "enum": 14,
}
_WIRE_CARDINALITY = {"explicit": 1, "implicit": 1, "required": 2, "repeated": 3, "map": 3}
_WIRE_JSON_CARDINALITY = {"explicit": 1, "implicit": 1, "required": 2, "repeated": 3, "map": 4}


@dataclass(frozen=True)
class BufViolation:
    """One buf rule broken by a change; `pointer` is the element's path in the newer file
    (or the older one where the element is gone)."""

    rule: str
    categories: tuple[str, ...]
    pointer: str
    message: str


def _messages(schema: ProtoSchema) -> dict[str, ProtoMessage]:
    found: dict[str, ProtoMessage] = {}
    stack = list(schema.main.messages)
    while stack:
        message = stack.pop()
        found[message.full_name] = message
        stack.extend(message.messages)
    return found


def _enums(schema: ProtoSchema) -> dict[str, ProtoEnum]:
    found = {e.full_name: e for e in schema.main.enums}
    for message in _messages(schema).values():
        found.update({e.full_name: e for e in message.enums})
    return found


def _reserved(number: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= number < end for start, end in ranges)


def _ranges_cover(previous: list[tuple[int, int]], current: list[tuple[int, int]]) -> bool:
    """Every number reserved before is reserved still (ranges are [start, end))."""
    for start, end in previous:
        position = start
        while position < end:
            covering = [r for r in current if r[0] <= position < r[1]]
            if not covering:
                return False
            position = max(r[1] for r in covering)
    return True


def check(previous: ProtoSchema, current: ProtoSchema) -> list[BufViolation]:
    """Every payload rule `buf breaking` would report for `current` against `previous`."""
    found: list[BufViolation] = []
    if previous.main.package != current.main.package:
        found.append(
            BufViolation(
                "FILE_SAME_PACKAGE",
                _ALL,
                "",
                f"the package changed from '{previous.main.package}' to '{current.main.package}'",
            )
        )
    # Deletions are found by name within the file (a new package deletes nothing); the other
    # rules pair elements by full name, as buf does.
    for name in sorted(_nested_names(previous, "message") - _nested_names(current, "message")):
        found.append(BufViolation("MESSAGE_NO_DELETE", _FILE, "", f"message {name} was deleted"))
    for name in sorted(_nested_names(previous, "enum") - _nested_names(current, "enum")):
        found.append(BufViolation("ENUM_NO_DELETE", _FILE, "", f"enum {name} was deleted"))
    after_messages = _messages(current)
    for name, old in _messages(previous).items():
        if name in after_messages:
            found.extend(_check_message(old, after_messages[name], previous, current))
    after_enums = _enums(current)
    for name, old_enum in _enums(previous).items():
        if name in after_enums:
            found.extend(_check_enum(old_enum, after_enums[name]))
    return found


def _nested_names(schema: ProtoSchema, kind: str) -> set[str]:
    """Names of every message (map entries included) or enum, without the package."""
    names = set()
    if kind == "enum":
        names.update(e.name for e in schema.main.enums)
    stack = [(m, m.name) for m in schema.main.messages]
    while stack:
        message, name = stack.pop()
        if kind == "message":
            names.add(name)
            names.update(f"{name}.{entry}" for entry in message.map_entries)
        else:
            names.update(f"{name}.{e.name}" for e in message.enums)
        stack.extend((child, f"{name}.{child.name}") for child in message.messages)
    return names


def _check_message(
    old: ProtoMessage, new: ProtoMessage, previous: ProtoSchema, current: ProtoSchema
) -> Iterator[BufViolation]:
    before = {f.number: f for f in old.fields}
    after = {f.number: f for f in new.fields}
    for number, field in before.items():
        if number in after:
            continue
        where = f"{new.path}"
        label = f"field {number} ('{field.name}') of {old.full_name} was deleted"
        yield BufViolation("FIELD_NO_DELETE", _FILE, where, label)
        if not _reserved(number, new.reserved_numbers):
            yield BufViolation(
                "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
                _BINARY,
                where,
                f"{label} without reserving the number {number}",
            )
        if field.name not in new.reserved_names:
            yield BufViolation(
                "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
                ("WIRE_JSON",),
                where,
                f"{label} without reserving the name '{field.name}'",
            )
    required_before = {n for n, f in before.items() if f.label == "required"}
    required_after = {n for n, f in after.items() if f.label == "required"}
    for number in sorted(required_before ^ required_after):
        change = "added" if number in required_after else "deleted"
        yield BufViolation(
            "MESSAGE_SAME_REQUIRED_FIELDS",
            _ALL,
            after[number].path if number in after else new.path,
            f"required field {number} of {new.full_name} was {change}",
        )
    if not _ranges_cover(old.reserved_numbers, new.reserved_numbers) or not set(
        old.reserved_names
    ) <= set(new.reserved_names):
        yield BufViolation(
            "RESERVED_MESSAGE_NO_DELETE",
            _ALL,
            new.path,
            f"a reservation of {new.full_name} was deleted",
        )
    old_oneofs, new_oneofs = set(old.oneofs), set(new.oneofs)
    for name in sorted(old_oneofs - new_oneofs):
        yield BufViolation(
            "ONEOF_NO_DELETE", _FILE, new.path, f"oneof {name} of {new.full_name} was deleted"
        )
    for number in sorted(before.keys() & after.keys()):
        yield from _check_field(before[number], after[number], previous, current)


def _check_field(
    old: ProtoField, new: ProtoField, previous: ProtoSchema, current: ProtoSchema
) -> Iterator[BufViolation]:
    where = new.path
    what = f"field {new.number}"
    if old.name != new.name:
        yield BufViolation(
            "FIELD_SAME_NAME",
            _JSON,
            where,
            f"{what} changed name from '{old.name}' to '{new.name}'",
        )
    if old.json_name != new.json_name:
        yield BufViolation(
            "FIELD_SAME_JSON_NAME",
            _JSON,
            where,
            f"{what} changed its JSON name from '{old.json_name}' to '{new.json_name}'",
        )
    if old.oneof != new.oneof:
        yield BufViolation(
            "FIELD_SAME_ONEOF",
            _ALL,
            where,
            f"{what} moved from {_oneof_text(old.oneof)} to {_oneof_text(new.oneof)}",
        )
    if (old.default or "") != (new.default or "") and old.label != "repeated":
        yield BufViolation(
            "FIELD_SAME_DEFAULT",
            _ALL,
            where,
            f"{what} changed its default from {old.default!r} to {new.default!r}",
        )
    old_cardinality, new_cardinality = old.cardinality, new.cardinality
    if old_cardinality != new_cardinality:
        yield BufViolation(
            "FIELD_SAME_CARDINALITY",
            _FILE,
            where,
            f"{what} changed from {old_cardinality} to {new_cardinality}",
        )
        if _WIRE_CARDINALITY[old_cardinality] != _WIRE_CARDINALITY[new_cardinality]:
            yield BufViolation(
                "FIELD_WIRE_COMPATIBLE_CARDINALITY",
                ("WIRE",),
                where,
                f"{what} changed from {old_cardinality} to {new_cardinality}",
            )
        if _WIRE_JSON_CARDINALITY[old_cardinality] != _WIRE_JSON_CARDINALITY[new_cardinality]:
            yield BufViolation(
                "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
                ("WIRE_JSON",),
                where,
                f"{what} changed from {old_cardinality} to {new_cardinality}",
            )
    old_type, new_type = _encoded(old.type), _encoded(new.type)
    if str(old_type) != str(new_type):
        yield BufViolation(
            "FIELD_SAME_TYPE", _FILE, where, f"{what} changed type from {old_type} to {new_type}"
        )
    wire = _type_verdict(old_type, new_type, _WIRE_GROUP, previous, current, string_to_bytes=True)
    if wire:
        yield BufViolation("FIELD_WIRE_COMPATIBLE_TYPE", ("WIRE",), where, f"{what} {wire}")
    wire_json = _type_verdict(old_type, new_type, _WIRE_JSON_GROUP, previous, current)
    if wire_json:
        yield BufViolation(
            "FIELD_WIRE_JSON_COMPATIBLE_TYPE", ("WIRE_JSON",), where, f"{what} {wire_json}"
        )


def _oneof_text(name: Optional[str]) -> str:
    return f"oneof '{name}'" if name else "outside any oneof"


def _encoded(type_ref: TypeRef) -> TypeRef:
    """A map field is a repeated entry message on the wire; buf compares it as such."""
    return (
        TypeRef("message", f"map<{type_ref.key}, {type_ref.value}>")
        if type_ref.kind == "map"
        else type_ref
    )


def _type_verdict(
    old: TypeRef,
    new: TypeRef,
    groups: dict[str, int],
    previous: ProtoSchema,
    current: ProtoSchema,
    string_to_bytes: bool = False,
) -> str:
    """Why a type change breaks the encoding `groups` stands for ('' when it does not)."""
    if groups[old.kind] != groups[new.kind]:
        if string_to_bytes and old.kind == "string" and new.kind == "bytes":
            return ""
        return f"changed type from {old.kind} to {new.kind}"
    if old.kind == "enum" and old.name != new.name:
        old_enum = previous.types.get(old.name)
        new_enum = current.types.get(new.name)
        if old_enum is None or new_enum is None:
            return f"changed type from {old.name} to {new.name}"
        if old_enum.element.name != new_enum.element.name or not set(
            old_enum.element.values
        ) <= set(new_enum.element.values):
            return f"changed type from {old.name} to {new.name}"
    elif old.kind in ("message", "group") and old.name != new.name:
        return f"changed type from {old.name} to {new.name}"
    return ""


def _check_enum(old: ProtoEnum, new: ProtoEnum) -> Iterator[BufViolation]:
    before: dict[int, set[str]] = {}
    for name, number in old.values:
        before.setdefault(number, set()).add(name)
    after: dict[int, set[str]] = {}
    for name, number in new.values:
        after.setdefault(number, set()).add(name)
    for number, names in before.items():
        where = f"{new.path}/{number}"
        if number not in after:
            label = f"value {number} of enum {old.full_name} was deleted"
            yield BufViolation("ENUM_VALUE_NO_DELETE", _FILE, new.path, label)
            if not _reserved(number, new.reserved_numbers):
                yield BufViolation(
                    "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
                    _BINARY,
                    new.path,
                    f"{label} without reserving the number",
                )
            if not names <= set(new.reserved_names):
                yield BufViolation(
                    "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
                    ("WIRE_JSON",),
                    new.path,
                    f"{label} without reserving its name",
                )
        elif not after[number] <= names:
            yield BufViolation(
                "ENUM_VALUE_SAME_NAME",
                _JSON,
                where,
                f"value {number} of enum {new.full_name} changed name from "
                f"{', '.join(sorted(names))} to {', '.join(sorted(after[number]))}",
            )
    if not _ranges_cover(old.reserved_numbers, new.reserved_numbers) or not set(
        old.reserved_names
    ) <= set(new.reserved_names):
        yield BufViolation(
            "RESERVED_ENUM_NO_DELETE",
            _ALL,
            new.path,
            f"a reservation of {new.full_name} was deleted",
        )


def rejecting_categories(violations: list[BufViolation]) -> set[str]:
    """The buf categories under which `buf breaking` fails for these violations."""
    return {category for v in violations for category in v.categories}
