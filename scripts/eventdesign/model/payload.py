"""Read payload schemas without a validator: field lookups, required-ness, field counts, local $ref.

Every field of a payload, as typed descriptions, comes from `payload_fields.py`.

Works on JSON Schema (any draft) and on Avro schemas as plain parsed JSON, tolerating schemas
that are themselves invalid: anything unexpected reads as "unknown" rather than raising.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from ..pointer import escape_token, list_index, unescape_token

# Keywords whose values are data, not subschemas: never walk into them looking for $ref.
DATA_KEYWORDS = frozenset(("enum", "const", "default", "examples", "example"))
# Applicators that apply a subschema to the same instance (so a loop through them never ends).
IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
IN_PLACE_SINGLE = ("not", "if", "then", "else")
MAX_REF_HOPS = 64
AVRO_PRIMITIVES = frozenset(
    ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
)
# The JSON type of an Avro primitive's values in Avro's JSON encoding.
AVRO_TO_JSON_TYPES = {
    "string": "string",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
    "bytes": "string",
}
# proto3 JSON mapping: 64-bit integers are strings, bytes base64 strings, enums their names
PROTOBUF_TO_JSON_TYPES = {
    **dict.fromkeys(("int32", "uint32", "sint32", "fixed32", "sfixed32"), "integer"),
    **dict.fromkeys(("int64", "uint64", "sint64", "fixed64", "sfixed64"), "string"),
    **dict.fromkeys(("float", "double"), "number"),
    "bool": "boolean",
    "string": "string",
    "bytes": "string",
    "enum": "string",
}


@dataclass(frozen=True)
class FieldLookup:
    """Whether a dotted field path exists in a payload schema, and whether it is always present.

    `known` is False when the schema cannot be read far enough to tell (open content, a
    remote $ref, a schema that is not an object schema). `json_type` is the JSON type the
    schema gives the field's values (`string`, `integer`, ...) when it names one.
    """

    known: bool
    exists: bool = False
    required: bool = False
    json_type: Optional[str] = None


UNKNOWN = FieldLookup(known=False)


def split_field_path(path: str) -> list[str]:
    """Split a dotted field path: `lines[].sku` and `lines.*.sku` both give ['lines', 'sku']."""
    parts = []
    for part in path.split("."):
        part = part.replace("[]", "")
        if part and part != "*":
            parts.append(part)
    return parts


def resolve_local_ref(root: Any, reference: str) -> Any:
    """The subschema a local `#/...` reference names, or None when it points nowhere."""
    if reference == "#":
        return root
    if not reference.startswith("#/"):
        return None
    node = root
    for token in reference[2:].split("/"):
        token = unescape_token(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif (
            isinstance(node, list)
            and (index := list_index(token)) is not None
            and index < len(node)
        ):
            node = node[index]
        else:
            return None
    return node


def iter_refs(schema: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` (and `$dynamicRef`) string in a JSON Schema, with its pointer, in order."""
    # Each stack entry carries its path as a linked list of (parent, token), turned into a
    # pointer only for the $refs found: most nodes hold none, and scalars are never pushed.
    stack: list[tuple[Any, Any]] = [(schema, None)]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, dict):
            items = []
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    yield _trail_pointer(pointer, (trail, key)), value
                elif key not in DATA_KEYWORDS and isinstance(value, (dict, list)):
                    items.append((value, (trail, key)))
            stack.extend(reversed(items))
        elif isinstance(node, list):
            stack.extend(
                reversed(
                    [
                        (item, (trail, index))
                        for index, item in enumerate(node)
                        if isinstance(item, (dict, list))
                    ]
                )
            )


def _trail_pointer(base: str, trail: Any) -> str:
    tokens = []
    while trail is not None:
        trail, token = trail
        tokens.append(escape_token(token))
    return base + "".join("/" + token for token in reversed(tokens))


def find_ref_loop(schema: Any) -> str | None:
    """A `$ref` that leads back to itself without entering a property or item, if any.

    Such a loop never consumes any of the instance, so every validator recurses forever.
    Returns the pointer of the first `$ref` on the loop. One pass over the graph of in-place
    edges (Tarjan's strongly connected components), so a 2,000-link chain costs 2,000 steps.
    """
    holders = []
    for ref_pointer, reference in iter_refs(schema):
        if not reference.startswith("#") or not ref_pointer.endswith("/$ref"):
            continue
        start_pointer = ref_pointer[: -len("/$ref")]
        start = resolve_local_ref(schema, "#" + start_pointer) if start_pointer else schema
        holders.append((ref_pointer, start))
    if not holders:
        return None
    looping = _nodes_on_loops(schema, [node for _, node in holders])
    for ref_pointer, node in holders:
        if id(node) in looping:
            return ref_pointer
    return None


def _nodes_on_loops(root: Any, starts: list) -> set[int]:
    """ids of the nodes, reachable from `starts` by in-place edges, that lie on a cycle."""
    children_of: dict[int, list] = {}

    def children(node: Any) -> list:
        found = children_of.get(id(node))
        if found is None:
            found = children_of[id(node)] = [
                child for child in _in_place_children(root, node) if isinstance(child, dict)
            ]
        return found

    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list = []
    on_stack: set[int] = set()
    looping: set[int] = set()

    def enter(node: Any) -> None:
        order[id(node)] = low[id(node)] = len(order)
        stack.append(node)
        on_stack.add(id(node))

    for start in starts:
        if not isinstance(start, dict) or id(start) in order:
            continue
        enter(start)
        work = [(start, iter(children(start)))]
        while work:
            node, pending = work[-1]
            for child in pending:
                if id(child) not in order:
                    enter(child)
                    work.append((child, iter(children(child))))
                    break
                if id(child) in on_stack:
                    low[id(node)] = min(low[id(node)], order[id(child)])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[id(parent)] = min(low[id(parent)], low[id(node)])
                if low[id(node)] == order[id(node)]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(id(member))
                        component.append(member)
                        if member is node:
                            break
                    if len(component) > 1 or any(child is node for child in children(node)):
                        looping.update(id(member) for member in component)
    return looping


def _in_place_children(root: Any, node: Any) -> Iterator[Any]:
    if not isinstance(node, dict):
        return
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#"):
        target = resolve_local_ref(root, reference)
        if target is not None:
            yield target
    for key in IN_PLACE_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            yield from value
    for key in IN_PLACE_SINGLE:
        if key in node:
            yield node[key]


def _deref(root: Any, node: Any) -> Any:
    hops = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < MAX_REF_HOPS:
        target = resolve_local_ref(root, node["$ref"])
        if target is None:
            return None
        node = target
        hops += 1
    return node


def _object_view(
    root: Any, node: Any, depth: int = 0, memo: dict | None = None
) -> tuple[dict, set] | None:
    """(properties, required names) of an object schema, merging allOf; None when unreadable.

    A schema inside itself (`anyOf: [{$ref: '#'}]`) is unreadable where it recurs, and each
    subschema is read once per call however many branches share it, so no schema makes the
    walk loop or grow exponentially.
    """
    node = _deref(root, node)
    if not isinstance(node, dict) or depth > MAX_REF_HOPS:
        return None
    if memo is None:
        memo = {}
    key = id(node)
    if key in memo:
        return memo[key]  # None while it is being read: a recursion
    memo[key] = None
    properties: dict = {}
    required: set = set()
    own = node.get("properties")
    if isinstance(own, dict):
        properties.update(own)
    names = node.get("required")
    if isinstance(names, list):
        required.update(name for name in names if isinstance(name, str))
    parts = node.get("allOf")
    if isinstance(parts, list):
        for part in parts:
            view = _object_view(root, part, depth + 1, memo)
            if view is not None:
                properties.update(view[0])
                required |= view[1]
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        if isinstance(branches, list) and branches:
            views = [_object_view(root, branch, depth + 1, memo) for branch in branches]
            readable = [view for view in views if view is not None]
            for view in readable:
                for name, sub in view[0].items():
                    properties.setdefault(name, sub)
            if readable and len(readable) == len(views):
                required |= set.intersection(*(view[1] for view in readable))
    result = None if not properties and not isinstance(own, dict) else (properties, required)
    memo[key] = result
    return result


def _items_schema(root: Any, node: Any) -> Any:
    node = _deref(root, node)
    if isinstance(node, dict):
        items = node.get("items")
        if isinstance(items, dict):
            return items
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and prefix:
            return prefix[0]
    return None


def jsonschema_lookup(schema: Any, path: str) -> FieldLookup:
    """Find a dotted field in a JSON Schema; arrays are stepped through to their items."""
    parts = split_field_path(path)
    if not parts:
        return FieldLookup(known=True)
    node: Any = schema
    required_all = True
    for part in parts:
        view = _object_view(schema, node)
        if view is None:
            items = _items_schema(schema, node)
            if items is None:
                return UNKNOWN
            required_all = False
            view = _object_view(schema, items)
            if view is None:
                return UNKNOWN
        properties, required = view
        if part not in properties:
            return FieldLookup(known=True, exists=False)
        required_all = required_all and part in required
        node = properties[part]
    target = _deref(schema, node)
    kind = target.get("type") if isinstance(target, dict) else None
    return FieldLookup(True, True, required_all, kind if isinstance(kind, str) else None)


def jsonschema_top_level_fields(schema: Any) -> list[str] | None:
    view = _object_view(schema, schema)
    return None if view is None else list(view[0])


def _avro_names(schema: Any) -> dict[str, Any]:
    """Named Avro types (records, enums, fixed) by short and full name."""
    names: dict[str, Any] = {}
    stack = [(schema, "")]
    while stack:
        node, namespace = stack.pop()
        if isinstance(node, list):
            stack.extend((item, namespace) for item in node)
        elif isinstance(node, dict):
            name = node.get("name")
            space = node.get("namespace", namespace)
            if isinstance(name, str) and node.get("type") in ("record", "error", "enum", "fixed"):
                names[name] = node
                names[name.rsplit(".", 1)[-1]] = node
                if isinstance(space, str) and space and "." not in name:
                    names[f"{space}.{name}"] = node
            for key in ("type", "items", "values"):
                if key in node:
                    stack.append((node[key], space if isinstance(space, str) else namespace))
            fields = node.get("fields")
            if isinstance(fields, list):
                stack.extend(
                    (field, space if isinstance(space, str) else namespace) for field in fields
                )
    return names


def _avro_resolve(names: dict, node: Any) -> Any:
    if isinstance(node, str) and node not in AVRO_PRIMITIVES:
        return names.get(node, names.get(node.rsplit(".", 1)[-1]))
    if isinstance(node, dict) and isinstance(node.get("type"), (str, dict, list)):
        inner = node["type"]
        if isinstance(inner, (dict, list)) or (
            isinstance(inner, str)
            and inner not in AVRO_PRIMITIVES
            and inner not in ("record", "error", "enum", "fixed", "array", "map")
        ):
            return _avro_resolve(names, inner)
    return node


def _avro_nullable(node: Any) -> bool:
    return isinstance(node, list) and any(
        branch == "null" or (isinstance(branch, dict) and branch.get("type") == "null")
        for branch in node
    )


def _avro_non_null(names: dict, node: Any) -> Any:
    if isinstance(node, list):
        branches = [
            b
            for b in node
            if not (b == "null" or (isinstance(b, dict) and b.get("type") == "null"))
        ]
        if len(branches) != 1:
            return None
        node = branches[0]
    return _avro_resolve(names, node)


def avro_lookup(schema: Any, path: str) -> FieldLookup:
    """Find a dotted field in an Avro schema; a nullable union makes a field optional."""
    parts = split_field_path(path)
    names = _avro_names(schema)
    node = _avro_resolve(names, schema)
    required_all = True
    for part in parts:
        if isinstance(node, dict) and node.get("type") == "array":
            required_all = False
            node = _avro_non_null(names, node.get("items"))
        if not isinstance(node, dict) or node.get("type") not in ("record", "error"):
            return UNKNOWN
        fields = node.get("fields")
        if not isinstance(fields, list):
            return UNKNOWN
        match = next((f for f in fields if isinstance(f, dict) and f.get("name") == part), None)
        if match is None:
            return FieldLookup(known=True, exists=False)
        field_type = match.get("type")
        if _avro_nullable(field_type):
            required_all = False
        node = _avro_non_null(names, field_type)
    if not parts:
        return FieldLookup(known=True, exists=True, required=required_all)
    declared = field_type.get("type") if isinstance(field_type, dict) else field_type
    json_type = AVRO_TO_JSON_TYPES.get(declared) if isinstance(declared, str) else None
    return FieldLookup(True, True, required_all, json_type)


def avro_top_level_fields(schema: Any) -> list[str] | None:
    node = _avro_resolve(_avro_names(schema), schema)
    if isinstance(node, dict) and isinstance(node.get("fields"), list):
        return [f.get("name") for f in node["fields"] if isinstance(f, dict)]
    return None


def lookup_field(schema: Any, schema_format: str, path: str) -> FieldLookup:
    """Find a dotted field path in a payload schema of any format."""
    if schema is None or isinstance(schema, bool):
        return UNKNOWN
    if schema_format == "protobuf":
        from ..protobuf.payload import lookup

        found = readable_protobuf(lookup, schema, split_field_path(path))
        return UNKNOWN if found is None else FieldLookup(True, found[0], found[1])
    if schema_format == "avro":
        return avro_lookup(schema, path)
    return jsonschema_lookup(schema, path)


def json_type_at(schema: Any, schema_format: str, path: str) -> str | None:
    """The JSON type of the values of the field a dotted path names, None when unknown.

    Protobuf fields may be named by their proto3 JSON names too; a Protobuf payload that
    protoc rejects raises InputError.
    """
    if schema is None or isinstance(schema, bool):
        return None
    if schema_format == "protobuf":
        from ..protobuf.payload import lookup_field as lookup_proto_field

        found = lookup_proto_field(schema, split_field_path(path))
        return None if found is None else PROTOBUF_TO_JSON_TYPES.get(found.type.kind)
    if schema_format == "avro":
        return avro_lookup(schema, path).json_type
    return jsonschema_lookup(schema, path).json_type


def top_level_fields(schema: Any, schema_format: str) -> list[str] | None:
    """The payload's top-level field names, or None when the schema does not say."""
    if schema is None or isinstance(schema, bool):
        return None
    if schema_format == "protobuf":
        message = readable_protobuf(lambda payload: payload.payload_message(), schema)
        return None if message is None else [f.name for f in message.fields]
    if schema_format == "avro":
        return avro_top_level_fields(schema)
    return jsonschema_top_level_fields(schema)


def readable_protobuf(read: Any, payload: Any, *args: Any) -> Any:
    """`read(payload, ...)`, or None when the .proto does not compile (a schema rule says why).

    A missing Protobuf toolchain is not a schema problem: that InputError goes on up.
    """
    from ..errors import InputError
    from ..protobuf.toolchain import require_toolchain

    require_toolchain(payload.shown)
    try:
        return read(payload, *args)
    except InputError:
        return None
