"""JSON Schema documents as typed nodes, the shape Confluent's SchemaDiff compares.

Confluent's registry loads a schema with the everit library before diffing it, and its verdicts
depend on that reading: `{"type": "string", "enum": [...]}` is an implicit `allOf` of a string
schema and an enum schema, `{"properties": {...}}` without a `type` is an object schema, a `type`
list is an `anyOf` of one schema per type, `true` is the empty schema. This module reproduces
that reading so the diff can follow Confluent's rules exactly.

One deliberate difference: `format` is an annotation here. (everit turns a `format` beside a
non-string `type` into an extra string schema, so removing `"format": "int64"` from an integer
would count as a type change; no other rule in Confluent's diff reads `format`.)

Only local references are followed: JSON pointers (`#/$defs/Money`), `$anchor`s and the
document's own `$id`. Nothing is fetched, and another file is never opened.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from ..errors import InputError
from ..pointer import escape_token, list_index, unescape_token

MAX_SCHEMA_NODES = 200_000

ARRAY_KEYWORDS = (
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "prefixItems",
    "unevaluatedItems",
    "minContains",
    "maxContains",
)
OBJECT_KEYWORDS = (
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
)
NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
STRING_KEYWORDS = ("minLength", "maxLength", "pattern")
CONDITIONAL_KEYWORDS = ("if", "then", "else")
COMBINATORS = ("allOf", "anyOf", "oneOf")
# Subschemas of one allOf/anyOf/oneOf are matched pairwise with the other version's: 100
# compare in about a second, 400 take twenty, 2,000 would not finish.
MAX_COMBINED_SUBSCHEMAS = 100
KEYWORDS_BY_TYPE = {
    "array": ARRAY_KEYWORDS,
    "object": OBJECT_KEYWORDS,
    "number": NUMBER_KEYWORDS,
    "integer": NUMBER_KEYWORDS,
    "string": STRING_KEYWORDS,
    "boolean": (),
    "null": (),
}
# The order everit sniffs keywords in when a schema has no (or another) `type`.
SNIFFED_TYPES = ("array", "object", "number", "string")
CONSTRAINT_KEYWORDS = frozenset(
    ("type", "enum", "const", "not", *COMBINATORS, *CONDITIONAL_KEYWORDS)
    + ARRAY_KEYWORDS
    + OBJECT_KEYWORDS
    + NUMBER_KEYWORDS
    + STRING_KEYWORDS
)
MODERN_DRAFT_MARKERS = ("2019-09", "2020-12")
_MISSING = object()


def value_key(value: Any) -> Any:
    """A hashable key under which equal JSON values are equal (1 == 1.0, but true != 1)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False))


class SchemaNode:
    """One schema as everit reads it. `kind` plays the role of everit's schema class.

    kinds: empty, true, false, string, number, boolean, null, object, array, enum, const,
    combined, not, conditional, ref. `pointer` is the node's place in its document ('' for the
    root); nodes that everit splits out of one JSON object share that object's pointer.
    """

    def __init__(self, kind: str, pointer: str, raw: Any) -> None:
        self.kind = kind
        self.pointer = pointer
        self.raw = raw
        self.schema_id: Any = None
        self.title: Any = None
        self.description: Any = None
        self.default: Any = _MISSING
        self.connect_type: Any = None
        self.attributes: dict[str, Any] = {}
        self._identity: Any = None

    @property
    def has_default(self) -> bool:
        return self.default is not _MISSING

    @property
    def empty_like(self) -> bool:
        """everit's EmptySchema or its subclass TrueSchema: accepts everything."""
        return self.kind in ("empty", "true")

    def get(self, name: str, default: Any = None) -> Any:
        return self.attributes.get(name, default)

    def identity(self) -> Any:
        """What makes two subschemas of a combined schema duplicates of each other."""
        if self._identity is None:
            self._identity = (
                self.kind,
                self.attributes.get("requires_integer"),
                json.dumps(self.raw, sort_keys=True, ensure_ascii=False),
            )
        return self._identity

    def __repr__(self) -> str:
        return f"SchemaNode({self.kind!r}, {self.pointer or '#'!r})"


def is_modern_draft(document: Any) -> bool:
    """True for drafts 2019-09 and 2020-12 (prefixItems, dependentRequired, $ref siblings)."""
    if not isinstance(document, dict):
        return False
    marker = document.get("$schema")
    return isinstance(marker, str) and any(m in marker for m in MODERN_DRAFT_MARKERS)


def schema_children(schema: Any, pointer: str):
    """(child, pointer) for every subschema position of one schema object, definitions too."""
    if not isinstance(schema, dict):
        return
    for keyword in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
        members = schema.get(keyword)
        if isinstance(members, dict):
            for name, child in members.items():
                yield child, f"{pointer}/{keyword}/{escape_token(name)}"
    dependencies = schema.get("dependencies")
    if isinstance(dependencies, dict):
        for name, child in dependencies.items():
            if isinstance(child, (dict, bool)):
                yield child, f"{pointer}/dependencies/{escape_token(name)}"
    for keyword in ("items", "prefixItems", *COMBINATORS):
        members = schema.get(keyword)
        if isinstance(members, list):
            for index, child in enumerate(members):
                yield child, f"{pointer}/{keyword}/{index}"
    for keyword in (
        "items",
        "additionalItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
        "not",
        *CONDITIONAL_KEYWORDS,
    ):
        child = schema.get(keyword)
        if isinstance(child, (dict, bool)):
            yield child, f"{pointer}/{keyword}"


class SchemaDocument:
    """A JSON Schema document loaded into nodes; `root` is the node for the whole document.

    `shown` names the document in errors. Raises InputError for anything that is not a usable,
    self-contained schema: remote or cross-file `$ref`s, references that do not resolve, rings
    of references with no schema in them, bad regular expressions, oversized documents.
    """

    def __init__(self, document: Any, shown: str) -> None:
        self.document = document
        self.shown = shown
        self.modern = is_modern_draft(document)
        self.base_id = document.get("$id") if isinstance(document, dict) else None
        self._nodes: dict[str, SchemaNode] = {}
        self._references: list[SchemaNode] = []
        self._count = 0
        self._anchors = self._collect_anchors()
        self._check_references()
        self.root = self.load(document, "")
        self._resolve_pending()

    def fail(self, pointer: str, message: str) -> InputError:
        return InputError(f"{pointer_text(pointer)}: {message}", self.shown)

    # References ---------------------------------------------------------------------------

    def _walk(self):
        stack = [(self.document, "")]
        while stack:
            schema, pointer = stack.pop()
            yield schema, pointer
            stack.extend(schema_children(schema, pointer))

    def _collect_anchors(self) -> dict[str, str]:
        anchors: dict[str, str] = {}
        for schema, pointer in self._walk():
            if not isinstance(schema, dict):
                continue
            anchor = schema.get("$anchor")
            if isinstance(anchor, str):
                anchors[anchor] = pointer
            identifier = schema.get("$id")
            if isinstance(identifier, str) and identifier.startswith("#") and len(identifier) > 1:
                anchors[identifier[1:]] = pointer
        return anchors

    def _check_references(self) -> None:
        for schema, pointer in self._walk():
            if isinstance(schema, dict) and "$ref" in schema:
                self.target_pointer(schema["$ref"], pointer)

    def target_pointer(self, reference: Any, at: str) -> str:
        """The document pointer a `$ref` names; InputError for anything not in this document."""
        where = f"{at}/$ref"
        if not isinstance(reference, str):
            raise self.fail(where, "$ref must be a string")
        uri, hash_mark, fragment = reference.partition("#")
        if uri and uri != self.base_id:
            kind = "remote" if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri) else "cross-file"
            raise self.fail(
                where,
                f"{kind} $ref '{reference}' is never fetched or opened; copy the referenced "
                "schema into this document under $defs and refer to it as '#/$defs/NAME'",
            )
        if not hash_mark or not fragment:
            return ""
        if not fragment.startswith("/"):
            anchor = self._anchors.get(unquote(fragment))
            if anchor is None:
                raise self.fail(where, f"$ref '{reference}' names no $anchor in this document")
            return anchor
        pointer = unquote(fragment)
        if self.resolve_pointer(pointer) is _MISSING:
            raise self.fail(where, f"$ref '{reference}' does not resolve inside this document")
        return pointer

    def resolve_pointer(self, pointer: str) -> Any:
        value = self.document
        for token in pointer.split("/")[1:]:
            token = unescape_token(token)
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif (
                isinstance(value, list)
                and (index := list_index(token)) is not None
                and index < len(value)
            ):
                value = value[index]
            else:
                return _MISSING
        return value

    def _resolve_pending(self) -> None:
        """Load every reference target and refuse rings of references with no schema in them."""
        index = 0
        while index < len(self._references):
            node = self._references[index]
            target_pointer = node.get("target_pointer")
            node.attributes["target"] = self.load(
                self.resolve_pointer(target_pointer), target_pointer
            )
            index += 1
        # Every chain is checked once: links already known to end at a schema stop the walk.
        ends_well: set[int] = set()
        for node in self._references:
            chain = []
            while node.kind == "ref" and id(node) not in ends_well:
                chain.append(node)
                if len(chain) > len(self._references):
                    dereference(chain[0], self)  # raises: the chain loops
                node = node.get("target")
            ends_well.update(id(link) for link in chain)

    # Loading ------------------------------------------------------------------------------

    def load(self, value: Any, pointer: str) -> SchemaNode:
        """The node for the schema at `pointer` (loaded once; references share it)."""
        cached = self._nodes.get(pointer)
        if cached is not None:
            return cached
        node = self._build(value, pointer)
        self._nodes[pointer] = node
        return node

    def _new(self, kind: str, pointer: str, raw: Any) -> SchemaNode:
        self._count += 1
        if self._count > MAX_SCHEMA_NODES:
            raise InputError(
                f"more than {MAX_SCHEMA_NODES:,} schema nodes; the schema is too large to compare",
                self.shown,
            )
        node = SchemaNode(kind, pointer, raw)
        if kind == "ref":
            self._references.append(node)
        return node

    def _build(self, value: Any, pointer: str) -> SchemaNode:
        if value is True:
            return self._new("true", pointer, value)
        if value is False:
            return self._new("false", pointer, value)
        if not isinstance(value, dict):
            raise self.fail(pointer, "a schema must be a JSON object or a boolean")
        if "$ref" in value:
            node = self._build_reference(value, pointer)
        else:
            node = self._build_object(value, pointer)
        node.schema_id = value.get("$id")
        node.title = value.get("title")
        node.description = value.get("description")
        if "default" in value:
            node.default = value_key(value["default"])
        node.connect_type = value.get("connect.type")
        return node

    def _build_reference(self, value: dict, pointer: str) -> SchemaNode:
        reference = self._new("ref", pointer, {"$ref": value["$ref"]})
        reference.attributes["target_pointer"] = self.target_pointer(value["$ref"], pointer)
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        # Before 2019-09 keywords beside $ref are ignored; since then they apply too.
        if not self.modern or not CONSTRAINT_KEYWORDS.intersection(siblings):
            return reference
        rest = self._build_object(siblings, pointer)
        combined = self._new("combined", pointer, value)
        combined.attributes.update(criterion="allOf", subschemas=[reference, rest], synthetic=True)
        return combined

    def _build_object(self, value: dict, pointer: str) -> SchemaNode:
        extracted: list[SchemaNode] = []
        if "enum" in value:
            extracted.append(self._enum(value, pointer))
        for criterion in COMBINATORS:
            if criterion in value:
                extracted.append(self._combined(value, pointer, criterion))
        if "not" in value:
            negated = self._new("not", pointer, value)
            negated.attributes["must_not"] = self.load(value["not"], f"{pointer}/not")
            extracted.append(negated)
        if "const" in value:
            const = self._new("const", pointer, value)
            const.attributes["value"] = value_key(value["const"])
            extracted.append(const)
        consumed: set[str] = set()
        declared = value.get("type")
        if declared is not None:
            extracted.append(self._typed(value, pointer, declared, consumed))
        for type_name in SNIFFED_TYPES:
            if type_name in consumed:
                continue
            if any(keyword in value for keyword in KEYWORDS_BY_TYPE[type_name]):
                extracted.append(self._for_type(value, pointer, type_name, required=False))
        if any(keyword in value for keyword in CONDITIONAL_KEYWORDS):
            extracted.append(self._new("conditional", pointer, value))
        if not extracted:
            return self._new("empty", pointer, value)
        if len(extracted) == 1:
            return extracted[0]
        combined = self._new("combined", pointer, value)
        combined.attributes.update(criterion="allOf", subschemas=extracted, synthetic=True)
        return combined

    def _typed(self, value: dict, pointer: str, declared: Any, consumed: set[str]) -> SchemaNode:
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise self.fail(f"{pointer}/type", "type must be a type name or a list of them")
        nodes = []
        for name in names:
            if name not in KEYWORDS_BY_TYPE:
                raise self.fail(f"{pointer}/type", f"unknown type '{name}'")
            consumed.add("number" if name == "integer" else name)
            nodes.append(self._for_type(value, pointer, name, required=True))
        if len(nodes) == 1:
            return nodes[0]
        combined = self._new("combined", pointer, value)
        combined.attributes.update(criterion="anyOf", subschemas=nodes, synthetic=True)
        combined.attributes["type_list"] = True
        return combined

    def _for_type(self, value: dict, pointer: str, name: str, *, required: bool) -> SchemaNode:
        """The schema for one type; `required` is False when only its keywords were found
        (everit's requiresString=false: values of other types then pass)."""
        node = self._typed_node(value, pointer, name)
        node.attributes["typed"] = required
        return node

    def _typed_node(self, value: dict, pointer: str, name: str) -> SchemaNode:
        if name in ("number", "integer"):
            return self._number(value, pointer, name == "integer")
        if name == "string":
            node = self._new("string", pointer, value)
            for keyword, attribute in (("maxLength", "max_length"), ("minLength", "min_length")):
                node.attributes[attribute] = self._number_value(value, pointer, keyword)
            pattern = value.get("pattern")
            if pattern is not None and not isinstance(pattern, str):
                raise self.fail(f"{pointer}/pattern", "pattern must be a string")
            node.attributes["pattern"] = pattern
            return node
        if name == "object":
            return self._object(value, pointer)
        if name == "array":
            return self._array(value, pointer)
        return self._new(name, pointer, value)

    def _number_value(self, value: dict, pointer: str, keyword: str) -> Any:
        found = value.get(keyword)
        if found is not None and (isinstance(found, bool) or not isinstance(found, (int, float))):
            raise self.fail(f"{pointer}/{keyword}", f"{keyword} must be a number")
        return found

    def _number(self, value: dict, pointer: str, requires_integer: bool) -> SchemaNode:
        node = self._new("number", pointer, value)
        node.attributes["requires_integer"] = requires_integer
        maximum, minimum = value.get("maximum"), value.get("minimum")
        exclusive_max, exclusive_min = value.get("exclusiveMaximum"), value.get("exclusiveMinimum")
        # Draft 4 wrote exclusive limits as booleans beside maximum/minimum.
        if exclusive_max is True:
            maximum, exclusive_max = None, maximum
        elif exclusive_max is False:
            exclusive_max = None
        if exclusive_min is True:
            minimum, exclusive_min = None, minimum
        elif exclusive_min is False:
            exclusive_min = None
        for keyword, found in (
            ("maximum", maximum),
            ("minimum", minimum),
            ("exclusiveMaximum", exclusive_max),
            ("exclusiveMinimum", exclusive_min),
        ):
            if found is not None and (
                isinstance(found, bool) or not isinstance(found, (int, float))
            ):
                raise self.fail(f"{pointer}/{keyword}", f"{keyword} must be a number")
        multiple_of = self._number_value(value, pointer, "multipleOf")
        if multiple_of is not None and multiple_of <= 0:
            raise self.fail(f"{pointer}/multipleOf", "multipleOf must be greater than 0")
        node.attributes.update(
            maximum=maximum,
            minimum=minimum,
            exclusive_maximum=exclusive_max,
            exclusive_minimum=exclusive_min,
            multiple_of=multiple_of,
        )
        return node

    def _enum(self, value: dict, pointer: str) -> SchemaNode:
        values = value["enum"]
        if not isinstance(values, list):
            raise self.fail(f"{pointer}/enum", "enum must be an array")
        node = self._new("enum", pointer, value)
        node.attributes["values"] = frozenset(value_key(v) for v in values)
        return node

    def _combined(self, value: dict, pointer: str, criterion: str) -> SchemaNode:
        members = value[criterion]
        if not isinstance(members, list) or not members:
            raise self.fail(f"{pointer}/{criterion}", f"{criterion} must be a non-empty array")
        if len(members) > MAX_COMBINED_SUBSCHEMAS:
            raise self.fail(
                f"{pointer}/{criterion}",
                f"{criterion} has {len(members):,} subschemas; compat compares them pairwise "
                f"and accepts up to {MAX_COMBINED_SUBSCHEMAS} per keyword (more would take "
                "minutes and gigabytes): merge or split them",
            )
        node = self._new("combined", pointer, value)
        node.attributes.update(
            criterion=criterion,
            subschemas=[
                self.load(member, f"{pointer}/{criterion}/{index}")
                for index, member in enumerate(members)
            ],
            synthetic=False,
        )
        return node

    def _members(self, value: dict, pointer: str, keyword: str) -> dict:
        members = value.get(keyword)
        if members is None:
            return {}
        if not isinstance(members, dict):
            raise self.fail(f"{pointer}/{keyword}", f"{keyword} must be an object")
        return members

    def _object(self, value: dict, pointer: str) -> SchemaNode:
        node = self._new("object", pointer, value)
        properties = {
            name: self.load(schema, f"{pointer}/properties/{escape_token(name)}")
            for name, schema in self._members(value, pointer, "properties").items()
        }
        required = value.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.fail(f"{pointer}/required", "required must be an array of names")
        patterns = []
        for pattern, schema in self._members(value, pointer, "patternProperties").items():
            where = f"{pointer}/patternProperties/{escape_token(pattern)}"
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise self.fail(
                    where, f"'{pattern}' is not a usable regular expression: {exc}"
                ) from None
            patterns.append((pattern, compiled, self.load(schema, where)))
        property_dependencies: dict[str, tuple[frozenset, str]] = {}
        schema_dependencies: dict[str, SchemaNode] = {}
        for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
            for name, dependency in self._members(value, pointer, keyword).items():
                where = f"{pointer}/{keyword}/{escape_token(name)}"
                if isinstance(dependency, list):
                    property_dependencies[name] = (frozenset(map(str, dependency)), where)
                else:
                    schema_dependencies[name] = self.load(dependency, where)
        permits, additional = self._additional(value, pointer, "additionalProperties")
        node.attributes.update(
            properties=properties,
            required=tuple(required),
            required_set=frozenset(required),
            patterns=patterns,
            property_dependencies=property_dependencies,
            schema_dependencies=schema_dependencies,
            permits_additional=permits,
            additional=additional,
            unevaluated=self._optional_child(value, pointer, "unevaluatedProperties"),
            max_properties=self._number_value(value, pointer, "maxProperties"),
            min_properties=self._number_value(value, pointer, "minProperties"),
        )
        return node

    def _additional(self, value: dict, pointer: str, keyword: str) -> tuple[bool, Any]:
        found = value.get(keyword, True)
        if isinstance(found, bool):
            return found, None
        return True, self.load(found, f"{pointer}/{keyword}")

    def _optional_child(self, value: dict, pointer: str, keyword: str) -> Any:
        if keyword not in value:
            return None
        return self.load(value[keyword], f"{pointer}/{keyword}")

    def _array(self, value: dict, pointer: str) -> SchemaNode:
        node = self._new("array", pointer, value)
        items = value.get("items")
        item_list = None
        item_list_keyword = "items"
        all_items = None
        permits, additional = self._additional(value, pointer, "additionalItems")
        if isinstance(value.get("prefixItems"), list):
            item_list_keyword = "prefixItems"
            item_list = value["prefixItems"]
        elif isinstance(items, list):
            item_list = items
        if self.modern and not isinstance(items, list) and items is not None:
            # 2020-12: `items` is what additionalItems was once prefixItems are given, and
            # a boolean `items` opens or closes the array either way.
            if isinstance(items, bool):
                permits, additional = items, None
            elif item_list is not None:
                permits, additional = True, self.load(items, f"{pointer}/items")
            else:
                all_items = self.load(items, f"{pointer}/items")
        elif items is not None and not isinstance(items, list):
            all_items = self.load(items, f"{pointer}/items")
        node.attributes.update(
            all_items=all_items,
            item_list=None
            if item_list is None
            else [
                self.load(item, f"{pointer}/{item_list_keyword}/{index}")
                for index, item in enumerate(item_list)
            ],
            item_list_keyword=item_list_keyword,
            permits_additional=permits,
            additional=additional,
            unevaluated=self._optional_child(value, pointer, "unevaluatedItems"),
            max_items=self._number_value(value, pointer, "maxItems"),
            min_items=self._number_value(value, pointer, "minItems"),
            unique_items=value.get("uniqueItems") is True,
            max_contains=self._number_value(value, pointer, "maxContains"),
            min_contains=self._number_value(value, pointer, "minContains"),
        )
        return node


def pointer_text(pointer: str) -> str:
    """A document pointer as shown to people: '#' for the root, '#/properties/a' below it."""
    return "#" + pointer


def dereference(node: SchemaNode, document: SchemaDocument | None = None) -> SchemaNode:
    """The schema a reference chain ends at (everit's ReferenceSchema.getReferredSchema)."""
    if node.kind != "ref":
        return node
    first = node
    seen: set[int] = set()  # by identity: a 2,000-link chain must not cost 2,000 squared
    while node.kind == "ref":
        if id(node) in seen:
            where = first.pointer
            message = "$ref chain loops back to itself without reaching a schema"
            if document is not None:
                raise document.fail(f"{where}/$ref", message)
            raise InputError(f"{pointer_text(where)}/$ref: {message}")
        seen.add(id(node))
        target = node.get("target")
        if target is None:
            raise InputError(f"{pointer_text(node.pointer)}/$ref: reference was not resolved")
        node = target
    return node


def load_schema(document: Any, shown: str) -> SchemaDocument:
    """Load a parsed JSON Schema (dict or boolean) into nodes; InputError when unusable."""
    if not isinstance(document, (dict, bool)):
        raise InputError("a JSON Schema must be a JSON object or a boolean", shown)
    return SchemaDocument(document, shown)
