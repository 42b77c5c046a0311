"""Every field a payload schema declares, as typed descriptions: the one payload field walker.

One walk per schema format (JSON Schema, Avro, Protobuf) yields a `PayloadField` for each
field, depth first (a field, then its own fields), with what readers need: where it is (its
path, the pointer of its schema), whether it must be present, its type as written, its
description, format, enum values and JSON type. The catalog's payload tables and the
personal-data rule read these; path lookups (`lookup_field`, `json_type_at`) are in
`payload.py`.

A field is `direct` when a table of the payload lists it: it is reached through objects'
properties, their `allOf` parts and arrays of objects (an array of objects also gets a row of
its own for its items, `lines[]`). Fields reached otherwise are yielded too, with `direct`
False: through alternatives (`anyOf`, `oneOf`, an Avro union of several types), tuples'
`prefixItems`, maps' values, arrays of arrays or an `allOf` inside an `allOf` part.

Works on schemas that are themselves invalid: anything unexpected ends the walk there rather
than raising. Local `$ref`s are followed; a reference already followed on the way to a field
is shown as recursive and not followed again; the walk stops at MAX_FIELD_DEPTH.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple, Optional

from ..pointer import escape_token
from .payload import (
    AVRO_TO_JSON_TYPES,
    PROTOBUF_TO_JSON_TYPES,
    readable_protobuf,
    resolve_local_ref,
)

MAX_FIELD_DEPTH = 12
# Keywords through which a JSON Schema can declare fields; a subschema with none is a leaf.
FIELD_KEYWORDS = frozenset(
    ("properties", "$ref", "allOf", "anyOf", "oneOf", "items", "prefixItems")
)
# Keywords that declare fields beyond an object's (merged) properties.
ELSEWHERE_KEYWORDS = frozenset(("allOf", "anyOf", "oneOf", "items", "prefixItems"))
AVRO_NAMED = ("record", "error", "enum", "fixed")


class PayloadField(NamedTuple):
    """One field of a payload schema.

    `path` marks array items with `[]` (`lines[].sku`); `parts` are the names alone
    (('lines', 'sku')). `item` is True for the row of an array's items (`lines[]`, whose
    parts are those of `lines`). `pointer` is where the field is declared inside the payload
    schema. `type` is the type as the schema writes it, for people; `json_type` the JSON type
    the schema gives one of its values (`string`, `integer`, `object`, ...) when it names one.
    """

    path: str
    required: bool
    type: str
    description: str
    parts: tuple[str, ...]
    pointer: str
    format: Optional[str] = None
    enum: Optional[tuple] = None
    json_type: Optional[str] = None
    item: bool = False
    direct: bool = True

    @property
    def dotted(self) -> str:
        """The path without array markers: `lines.sku`."""
        return ".".join(self.parts)


# A PayloadField made without the Python-level `__new__` a NamedTuple call goes through: the
# walk makes one per field of every payload.
_new_field = tuple.__new__


def iter_payload_fields(schema: Any, schema_format: str) -> Iterator[PayloadField]:
    """Every field of a payload schema, depth first (see the module's docstring).

    A Protobuf payload is compiled first: InputError when protoc rejects it.
    """
    if schema is None or isinstance(schema, bool):
        return iter(())
    if schema_format == "protobuf":
        return _protobuf_fields(schema)
    if schema_format == "avro":
        return _AvroWalk().fields(schema)
    if not isinstance(schema, dict):
        return iter(())
    # The root counts as reached through `#`: a `{"$ref": "#"}` inside it is a recursion.
    return _json_fields(schema, schema, (), "", "", ("#",), 0, True, True)


def iter_fields(schema: Any, schema_format: str) -> Iterator[PayloadField]:
    """Every field a payload schema declares, each path of names once, a field before its own.

    Direct or not, without the rows of array items. A Protobuf payload that protoc rejects
    has none (a schema rule says why).
    """
    if schema_format == "protobuf" and schema is not None and not isinstance(schema, bool):
        found: Any = readable_protobuf(lambda p: list(_protobuf_fields(p)), schema) or ()
    else:
        found = iter_payload_fields(schema, schema_format)
    paths: set[tuple[str, ...]] = set()
    for field in found:
        if not field.item and field.parts not in paths:
            paths.add(field.parts)
            yield field


# --- JSON Schema ------------------------------------------------------------------------------


def _json_deref(
    root: Any, node: Any, pointer: str, seen: tuple[str, ...]
) -> tuple[Any, str, str, tuple[str, ...]]:
    """Follow local $refs: (node, name of the last ref or '', its pointer, refs followed).

    The node is None when a reference was already followed on the way here (a recursion), and
    the node with its `$ref` when the reference points nowhere.
    """
    label = ""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        reference = node["$ref"]
        if reference in seen:
            return None, reference.rsplit("/", 1)[-1], pointer, seen
        target = resolve_local_ref(root, reference)
        if target is None:
            return node, reference, pointer, seen
        seen = (*seen, reference)
        label = reference.rsplit("/", 1)[-1]
        node, pointer = target, reference[1:]
    return node, label, pointer, seen


def _json_field(
    path: str,
    required: bool,
    target: Any,
    label: str,
    description: Any,
    parts: tuple[str, ...],
    pointer: str,
    item: bool,
    direct: bool,
) -> PayloadField:
    """The field whose (dereferenced) schema is `target`, `label` the `$ref` that named it."""
    form = enum = kind = None
    if not isinstance(target, dict):
        if target is None:
            text = f"{label} (recursive)" if label else "(recursive)"
        elif isinstance(target, bool):
            text = "any" if target else "nothing"
        else:
            text = "unknown"
    elif "$ref" in target:
        text = f"$ref {target['$ref']}"
    elif "const" in target:
        text = f"const {json.dumps(target['const'], ensure_ascii=False)}"
    else:
        get = target.get
        form, enum, kind = get("format"), get("enum"), get("type")
        if isinstance(kind, str):
            text = kind
        elif isinstance(kind, list):
            text = " | ".join(str(k) for k in kind)
        elif "enum" in target:
            text = "enum"
        elif "oneOf" in target or "anyOf" in target or "allOf" in target:
            text = next(k for k in ("oneOf", "anyOf", "allOf") if k in target)
        elif "properties" in target:
            text = "object"
        else:
            text = "any"
        if isinstance(form, str):
            text += f" ({form})"
        if isinstance(enum, list):
            text += f": {', '.join(json.dumps(v, ensure_ascii=False) for v in enum)}"
        if label:
            text += f" [{label}]"
    return _new_field(
        PayloadField,
        (
            path,
            required,
            text,
            description if isinstance(description, str) else "",
            parts,
            pointer,
            form if isinstance(form, str) else None,
            tuple(enum) if isinstance(enum, list) else None,
            kind if isinstance(kind, str) else None,
            item,
            direct,
        ),
    )


def _json_properties(
    root: Any, node: dict, pointer: str, seen: tuple[str, ...]
) -> tuple[dict, dict[str, str] | None, Any]:
    """A node's properties, the pointer each one's part is at (None: all at `pointer`) and its
    required names, `allOf` merged: a name declared again in a later part takes that part's
    schema, in the first one's place."""
    if "allOf" not in node and not isinstance(node.get("$ref"), str):  # the usual node
        own = node.get("properties")
        names = node.get("required")
        required = {r for r in names if isinstance(r, str)} if isinstance(names, list) else ()
        return (own if isinstance(own, dict) else {}), None, required
    properties: dict = {}
    bases: dict[str, str] = {}
    required = set()
    for part, at in _json_parts(node, pointer):
        if isinstance(part.get("$ref"), str):
            part, _, at, _ = _json_deref(root, part, at, seen)
            if not isinstance(part, dict):
                continue
        own = part.get("properties")
        if isinstance(own, dict):
            properties.update(own)
            bases.update(dict.fromkeys(own, at))
        if isinstance(part.get("required"), list):
            required.update(r for r in part["required"] if isinstance(r, str))
    return properties, bases, required


def _json_parts(node: dict, pointer: str) -> list[tuple[dict, str]]:
    """The node and its `allOf` parts that are objects, with their pointers."""
    parts = [(node, pointer)]
    branches = node.get("allOf")
    if isinstance(branches, list):
        parts.extend(
            (part, f"{pointer}/allOf/{index}")
            for index, part in enumerate(branches)
            if isinstance(part, dict)
        )
    return parts


def _json_fields(
    root: Any,
    node: Any,
    parts: tuple[str, ...],
    prefix: str,
    pointer: str,
    seen: tuple[str, ...],
    depth: int,
    direct: bool,
    own_items: bool,
) -> Iterator[PayloadField]:
    """The fields under `node`: its properties, each followed by its own fields, then what
    its alternatives declare. `own_items`: walk the node's own array items here (the items of
    a property's schema are walked with the property, where they get a row)."""
    # `_json_deref` only where a `$ref` is: most nodes have none, and this runs for every field.
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node, _, pointer, seen = _json_deref(root, node, pointer, seen)
    if not isinstance(node, dict) or depth > MAX_FIELD_DEPTH:
        return
    properties, bases, required = _json_properties(root, node, pointer, seen)
    for name, sub in properties.items():
        if not isinstance(name, str):  # a YAML key such as 1 or true
            name = str(name)
        token = escape_token(name) if "~" in name or "/" in name else name
        here = f"{bases[name] if bases else pointer}/properties/{token}"
        path = f"{prefix}.{name}" if prefix else name
        names = (*parts, name)
        if not isinstance(sub, dict):
            yield _json_field(path, name in required, sub, "", None, names, here, False, direct)
            continue
        if isinstance(sub.get("$ref"), str):
            target, label, at, sub_seen = _json_deref(root, sub, here, seen)
        else:
            target, label, at, sub_seen = sub, "", here, seen
        description = sub.get("description")
        if not isinstance(description, str) and target is not sub:
            description = target.get("description") if isinstance(target, dict) else None
        yield _json_field(
            path, name in required, target, label, description, names, here, False, direct
        )
        if not isinstance(target, dict) or FIELD_KEYWORDS.isdisjoint(target):
            continue  # a leaf: the usual field, so the test comes before any call
        listed = direct and ("properties" in target or "allOf" in target)
        yield from _json_fields(root, target, names, path, at, sub_seen, depth + 1, listed, False)
        if "items" in target:
            yield from _json_property_items(root, target, names, path, at, sub_seen, depth, direct)
    if not ELSEWHERE_KEYWORDS.isdisjoint(node):
        yield from _json_elsewhere(root, node, parts, prefix, pointer, seen, depth, own_items)


def _json_property_items(
    root: Any,
    node: dict,
    parts: tuple[str, ...],
    path: str,
    pointer: str,
    seen: tuple[str, ...],
    depth: int,
    direct: bool,
) -> Iterator[PayloadField]:
    """The items of a property's array: a row `path[]` and their fields, when they are
    objects (or arrays, or named by a `$ref`)."""
    items = node.get("items")
    if not isinstance(items, dict):
        return
    at = f"{pointer}/items"
    item_node, label, item_at, item_seen = _json_deref(root, items, at, seen)
    listed = (
        direct
        and isinstance(item_node, dict)
        and ("properties" in item_node or "items" in item_node or bool(label))
    )
    if listed:
        yield _json_field(f"{path}[]", True, item_node, label, "", parts, at, True, True)
    yield from _json_fields(
        root, item_node, parts, f"{path}[]", item_at, item_seen, depth + 1, listed, True
    )


def _json_elsewhere(
    root: Any,
    node: dict,
    parts: tuple[str, ...],
    prefix: str,
    pointer: str,
    seen: tuple[str, ...],
    depth: int,
    own_items: bool,
) -> Iterator[PayloadField]:
    """The fields a node declares beyond its (merged) properties: in its alternatives, in
    `allOf`s inside its `allOf` parts, in its own items and tuple items; never direct."""
    for part, at in _json_parts(node, pointer):
        if part is not node:
            if isinstance(part.get("$ref"), str):
                part, _, at, part_seen = _json_deref(root, part, at, seen)
                if not isinstance(part, dict):
                    continue
            else:
                part_seen = seen
            inner = part.get("allOf")
            if isinstance(inner, list):
                for index, branch in enumerate(inner):
                    yield from _json_fields(
                        root, branch, parts, prefix, f"{at}/allOf/{index}", part_seen,
                        depth + 1, False, True,
                    )  # fmt: skip
        else:
            part_seen = seen
        for key in ("anyOf", "oneOf"):
            branches = part.get(key)
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    yield from _json_fields(
                        root, branch, parts, prefix, f"{at}/{key}/{index}", part_seen,
                        depth + 1, False, True,
                    )  # fmt: skip
    items = node.get("items")
    if own_items and isinstance(items, dict):
        yield from _json_fields(
            root, items, parts, f"{prefix}[]", f"{pointer}/items", seen, depth + 1, False, True
        )
    tuple_items = node.get("prefixItems")
    if isinstance(tuple_items, list):
        for index, item in enumerate(tuple_items):
            yield from _json_fields(
                root, item, parts, f"{prefix}[]", f"{pointer}/prefixItems/{index}", seen,
                depth + 1, False, True,
            )  # fmt: skip


# --- Avro -------------------------------------------------------------------------------------


class _AvroWalk:
    """One walk of an Avro schema: named types are known from where they are declared on."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}

    def register(self, node: Any, namespace: str) -> None:
        if isinstance(node, dict) and node.get("type") in AVRO_NAMED and "name" in node:
            name = str(node["name"])
            space = node.get("namespace", namespace)
            self.names[name] = node
            self.names[name.rsplit(".", 1)[-1]] = node
            if space and "." not in name:
                self.names[f"{space}.{name}"] = node

    def resolve(self, node: Any) -> Any:
        if isinstance(node, str) and node in self.names:
            return self.names[node]
        if isinstance(node, dict) and isinstance(node.get("type"), (dict, list)):
            return node["type"]
        return node

    def describe(self, node: Any) -> str:
        node = self.resolve(node)
        if isinstance(node, str):
            return node
        if isinstance(node, list):
            return " | ".join(self.describe(branch) for branch in node)
        if isinstance(node, dict):
            kind = node.get("type")
            logical = node.get("logicalType")
            if kind == "array":
                return f"array<{self.describe(node.get('items'))}>"
            if kind == "map":
                return f"map<{self.describe(node.get('values'))}>"
            if kind == "enum":
                return (
                    f"enum {node.get('name', '')}: {', '.join(map(str, node.get('symbols', [])))}"
                )
            if kind in ("record", "error", "fixed"):
                return f"{kind} {node.get('name', '')}"
            if isinstance(kind, str):
                return f"{kind} ({logical})" if logical else kind
        return "unknown"

    def fields(self, schema: Any) -> Iterator[PayloadField]:
        self.register(schema, "")
        namespace = schema.get("namespace", "") if isinstance(schema, dict) else ""
        return self.walk(schema, (), "", "", namespace, (), 0, True)

    def walk(
        self,
        node: Any,
        parts: tuple[str, ...],
        prefix: str,
        pointer: str,
        namespace: str,
        stack: tuple[int, ...],
        depth: int,
        direct: bool,
    ) -> Iterator[PayloadField]:
        self.register(node, namespace)
        resolved = self.resolve(node)
        if isinstance(node, dict) and resolved is not node:
            pointer += "/type"
        node = resolved
        if isinstance(node, list):
            branches = [(index, b) for index, b in enumerate(node) if b != "null"]
            for index, branch in branches:
                yield from self.walk(
                    branch, parts, prefix, f"{pointer}/{index}", namespace, stack, depth,
                    direct and len(branches) == 1,
                )  # fmt: skip
            return
        if not isinstance(node, dict) or depth > MAX_FIELD_DEPTH or id(node) in stack:
            return
        if isinstance(node.get("namespace"), str):
            namespace = node["namespace"]
        kind = node.get("type")
        inside = (*stack, id(node))
        if kind == "array":
            items = node.get("items")
            self.register(items, namespace)
            at = f"{pointer}/items"
            yield self.field(f"{prefix}[]", True, items, "", parts, at, True, direct)
            yield from self.walk(
                items, parts, f"{prefix}[]", at, namespace, inside, depth + 1, direct
            )
            return
        if kind == "map":
            yield from self.walk(
                node.get("values"), parts, prefix, f"{pointer}/values", namespace, inside,
                depth + 1, False,
            )  # fmt: skip
            return
        fields = node.get("fields")
        if kind not in ("record", "error") or not isinstance(fields, list):
            if isinstance(kind, str) and kind not in AVRO_NAMED and kind in self.names:
                # a named type by reference, wrapped: `{"type": "Address"}`
                yield from self.walk(
                    kind, parts, prefix, f"{pointer}/type", namespace, inside, depth + 1, False
                )
            return
        for index, entry in enumerate(fields):
            if not isinstance(entry, dict):
                continue
            kind = entry.get("type")
            self.register(kind, namespace)
            name = str(entry.get("name"))
            path = f"{prefix}.{name}" if prefix else name
            here = f"{pointer}/fields/{index}"
            nullable = isinstance(kind, list) and "null" in kind
            yield self.field(
                path, not nullable, kind, str(entry.get("doc", "")), (*parts, name), here,
                False, direct,
            )  # fmt: skip
            yield from self.walk(
                kind, (*parts, name), path, f"{here}/type", namespace, inside, depth + 1, direct
            )

    def field(
        self,
        path: str,
        required: bool,
        kind: Any,
        description: str,
        parts: tuple[str, ...],
        pointer: str,
        item: bool,
        direct: bool,
    ) -> PayloadField:
        declared = kind.get("type") if isinstance(kind, dict) else kind
        target = self.resolve(kind)
        symbols = target.get("symbols") if isinstance(target, dict) else None
        enum = (
            tuple(symbols) if isinstance(symbols, list) and target.get("type") == "enum" else None
        )
        json_type = AVRO_TO_JSON_TYPES.get(declared) if isinstance(declared, str) else None
        return _new_field(
            PayloadField,
            (
                path,
                required,
                self.describe(kind),
                description,
                parts,
                pointer,
                None,
                enum,
                json_type,
                item,
                direct,
            ),
        )


# --- Protobuf ---------------------------------------------------------------------------------


def _protobuf_fields(payload: Any) -> Iterator[PayloadField]:
    """A Protobuf payload's fields: `.proto` names, `[]` after repeated fields and maps on the
    way to a nested field, the type as written, and the field's leading comment."""
    from ..protobuf.payload import iter_payload_fields as iter_proto_fields

    schema = payload.compiled()
    comments = schema.comments
    package = schema.main.package + "." if schema.main.package else ""
    for item in iter_proto_fields(payload):
        field = item.field
        repeated = field.label == "repeated" or field.type.kind == "map"
        path = ".".join(
            f"{part}[]" if index < len(item.parts) - 1 and repeated else part
            for index, part in enumerate(item.parts)
        )
        shown = str(field.type).replace(package, "") if package else str(field.type)
        kind = f"repeated {shown}" if field.label == "repeated" else shown
        if field.label == "optional":
            kind = f"optional {kind}"
        yield PayloadField(
            path,
            not (field.has_presence or repeated),
            kind,
            comments.get(item.pointer, ""),
            item.parts,
            item.pointer,
            json_type=PROTOBUF_TO_JSON_TYPES.get(field.type.kind),
        )
