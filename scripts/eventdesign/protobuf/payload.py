"""A design model's Protobuf payload: the `.proto` text, which message it is, and its fields.

The model names a `.proto` file as an event's or command's `schema` (and, when the file has
several top-level messages, the payload's `message`). The text is compiled on first use, so a
model without Protobuf payloads never needs protoc. Field paths follow the `.proto` names
(`claimant.postal_address`); the proto3 JSON names (`claimant.postalAddress`) are accepted too,
since examples are written in the proto3 JSON mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from ..findings import Location
from .schema import ProtoField, ProtoMessage, ProtoSchema, compile_schema
from .toolchain import ProtoSource

MAX_FIELD_DEPTH = 12
WELL_KNOWN_PREFIX = "google.protobuf."


@dataclass(frozen=True)
class ProtoPayload:
    """A payload schema in Protobuf: `shown` names the file in messages, `message` the payload
    message (None: the file's only top-level message)."""

    text: str
    shown: str
    import_root: Optional[Path] = None
    message: Optional[str] = None
    name: str = field(default="schema.proto")
    inline_at: Optional[Location] = None  # where inline text sits in the model file

    def locate(self, pointer: str) -> Location:
        """Where a pointer into the schema is: in the .proto file, or at the inline schema."""
        if self.inline_at is not None:
            return self.inline_at
        return self.compiled().locate(pointer)

    def __str__(self) -> str:  # stable text for caches keyed by a schema's JSON form
        return f"protobuf {self.shown} {self.message or ''} {hash(self.text)}"

    def compiled(self) -> ProtoSchema:
        """The compiled file; InputError (with the file, line and column) when protoc rejects it."""
        return _compile(self.name, self.text, self.shown, self.import_root)

    def payload_message(self) -> ProtoMessage:
        """The payload message; InputError when it cannot be told."""
        schema = self.compiled()
        if self.message:
            wanted = self.message.lstrip(".")
            found = schema.message(wanted) or schema.message(
                f"{schema.main.package}.{wanted}" if schema.main.package else wanted
            )
            if found is None:
                known = ", ".join(m.name for m in schema.main.messages) or "none"
                raise InputError(
                    f"the payload message '{self.message}' is not in the file (top-level "
                    f"messages: {known})",
                    self.shown,
                )
            return found
        if len(schema.main.messages) != 1:
            names = ", ".join(m.name for m in schema.main.messages) or "none"
            raise InputError(
                f"the file declares {len(schema.main.messages)} top-level messages ({names}); "
                "name the payload with `message:` beside `schema:`",
                self.shown,
            )
        return schema.main.messages[0]


@lru_cache(maxsize=256)
def _compile(name: str, text: str, shown: str, import_root: Optional[Path]) -> ProtoSchema:
    return compile_schema(ProtoSource(name, text, shown, import_root))


def _child(schema: ProtoSchema, proto_field: ProtoField) -> Optional[ProtoMessage]:
    """The message a field's values are (map values included), if any."""
    type_ref = proto_field.type.value if proto_field.type.kind == "map" else proto_field.type
    if type_ref is None or type_ref.kind not in ("message", "group"):
        return None
    return schema.message(type_ref.name)


def _field_named(message: ProtoMessage, part: str) -> Optional[ProtoField]:
    return next((f for f in message.fields if part in (f.name, f.json_name)), None)


@dataclass(frozen=True)
class ProtoFieldPath:
    """One field of the payload: its path of `.proto` names and where it is declared."""

    parts: tuple[str, ...]
    pointer: str
    field: ProtoField


def iter_payload_fields(payload: ProtoPayload) -> Iterator[ProtoFieldPath]:
    """Every field of the payload message, depth first (a field, then its own fields).

    Well-known types (`google.protobuf.Timestamp`, ...) are leaves: the proto3 JSON mapping
    gives them a plain JSON form. A recursive message is walked once along each path.
    """
    schema = payload.compiled()
    root = payload.payload_message()
    yield from _walk(schema, root, (), frozenset({root.full_name}))


def _walk(
    schema: ProtoSchema, message: ProtoMessage, parts: tuple[str, ...], seen: frozenset[str]
) -> Iterator[ProtoFieldPath]:
    for proto_field in message.fields:
        path = (*parts, proto_field.name)
        yield ProtoFieldPath(path, proto_field.path, proto_field)
        child = _child(schema, proto_field)
        if (
            child is not None
            and not child.full_name.startswith(WELL_KNOWN_PREFIX)
            and child.full_name not in seen
            and len(path) < MAX_FIELD_DEPTH
        ):
            yield from _walk(schema, child, path, seen | {child.full_name})


def _field_chain(payload: ProtoPayload, parts: list[str]) -> Optional[list[ProtoField]]:
    """The fields a dotted path of `.proto` or JSON names goes through (None: no such path)."""
    schema = payload.compiled()
    message: Optional[ProtoMessage] = payload.payload_message()
    chain = []
    for part in parts:
        found = _field_named(message, part) if message is not None else None
        if found is None:
            return None
        chain.append(found)
        message = _child(schema, found)
    return chain


def lookup_field(payload: ProtoPayload, parts: list[str]) -> Optional[ProtoField]:
    """The field a dotted path names, or None."""
    chain = _field_chain(payload, parts)
    return chain[-1] if chain else None


def lookup(payload: ProtoPayload, parts: list[str]) -> tuple[bool, bool]:
    """(exists, always present) for a dotted path of `.proto` or JSON names.

    A field is always present unless it has explicit presence (`optional`, a message, a oneof
    member) or is repeated, on the path to it: proto3 scalars without a label always carry a
    value (their default when unset).
    """
    chain = _field_chain(payload, parts)
    if not chain:
        return False, False
    always = not any(f.has_presence or f.label == "repeated" or f.type.kind == "map" for f in chain)
    return True, always


def example_errors(payload: ProtoPayload, example: Any) -> list[tuple[str, str]]:
    """Why an example is not a valid proto3 JSON encoding of the payload ([] when it is)."""
    from google.protobuf import json_format

    message_class = _message_class(payload)
    try:
        json_format.ParseDict(example, message_class())
    except json_format.ParseError as exc:
        return [("", str(exc))]
    except (TypeError, ValueError, AttributeError) as exc:
        return [("", f"not a proto3 JSON value: {exc}")]
    return []


# id(schema) -> (schema, its descriptor pool); the schema is held so its id is not reused
_POOLS: dict[int, tuple[ProtoSchema, Any]] = {}


def _message_class(payload: ProtoPayload) -> Any:
    from google.protobuf import descriptor_pool, message_factory

    schema = payload.compiled()
    held = _POOLS.get(id(schema))
    if held is None or held[0] is not schema:
        pool = descriptor_pool.DescriptorPool()
        for file in schema.descriptors.file:
            pool.Add(file)
        held = _POOLS[id(schema)] = (schema, pool)
    full_name = payload.payload_message().full_name
    return message_factory.GetMessageClass(held[1].FindMessageTypeByName(full_name))
