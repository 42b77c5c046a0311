"""Schema rules (SCH): payload schemas are valid and local, examples match them, the envelope
carries the metadata its profile needs, and partition keys name required fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Union

from ..findings import Finding, Location
from ..model.payload import (
    find_ref_loop,
    iter_refs,
    lookup_field,
    resolve_local_ref,
)
from ..payload_validation import (
    EXAMPLE_VALIDATORS,
    jsonschema_example_errors,
    parse_avro,
    shorten,
    without_annotation_text,
)
from ..pointer import pointer_of
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import Command, DesignModel, Event

    Element = Union[Event, Command]

FAMILY = "schemas"
REQUIRED_ATTRIBUTES = {
    "cloudevents-1.0": ("id", "source", "specversion", "type"),
    "custom": ("id", "source", "type"),
}
# Recommended metadata, each with the attribute names accepted for it.
RECOMMENDED_ATTRIBUTES = (
    ("time", ("time",), "when it happened"),
    ("subject", ("subject", "aggregateid"), "the aggregate (entity) it is about"),
    ("correlationid", ("correlationid",), "the business flow it belongs to"),
    ("causationid", ("causationid",), "the message that caused it"),
    ("dataschema", ("dataschema", "schemaversion", "dataversion"), "its schema version"),
)


def _payload_elements(model: DesignModel) -> Iterator[tuple[str, Element]]:
    for event in model.events.values():
        yield "event", event
    for command in model.commands.values():
        yield "command", command


@dataclass(frozen=True)
class SchemaProblem:
    rule: str
    pointer: str
    message: str
    line: int | None = None  # where a problem without a pointer is (protoc's messages)
    column: int | None = None


@cache
def _meta_validator(validator_class: Any) -> Any:
    """A validator of schemas against their draft's meta-schema that remembers valid subschemas.

    From 2019-09 on, the meta-schema reaches every subschema through `$dynamicRef`, which
    jsonschema resolves slowly (about 4 ms for a small payload schema). Standard drafts resolve
    it to the draft's own meta-schema, so whether a subschema is valid depends on the subschema
    alone: each distinct valid one (`{"type": "string"}` and the like) is checked once per run.
    """
    from jsonschema.validators import extend

    original = validator_class.VALIDATORS.get("$dynamicRef")
    if original is None:
        return validator_class(validator_class.META_SCHEMA)
    known_valid: set[str] = set()

    def dynamic_ref(validator: Any, reference: str, instance: Any, schema: Any) -> Iterator[Any]:
        try:
            key = reference + json.dumps(instance, sort_keys=True)
        except (TypeError, ValueError):
            key = None
        if key is not None and key in known_valid:
            return
        errors = list(original(validator, reference, instance, schema))
        if not errors and key is not None:
            known_valid.add(key)
        yield from errors

    remembering = extend(validator_class, {"$dynamicRef": dynamic_ref})
    return remembering(validator_class.META_SCHEMA)


# What `validator_for(schema, default=Draft202012Validator)` picks when `$schema` is absent.
DEFAULT_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_VALID_SHAPES: set[tuple[str, str]] = set()


@cache
def _fast_meta_check(dialect: str) -> Any:
    """A compiled yes/no meta-schema test (see jsonschema_compiler.py) for a `$schema` URI, or None
    for a dialect not bundled or a meta-schema using keywords it does not implement.
    Vocabulary drafts use the merged, equivalent meta-schema; `format` is not asserted, as by
    `_meta_validator`."""
    from ..compat.metaschema import compiled_metaschema_check

    return compiled_metaschema_check(dialect)


def _meta_errors(validator_class: Any, schema: Any) -> list[Any]:
    """Meta-schema errors of a schema; schemas shaped like one already found valid skip it."""
    try:
        shape = json.dumps(without_annotation_text(schema), sort_keys=True)
    except (TypeError, ValueError):
        shape = None
    key = (validator_class.__name__, shape or "")
    if shape is not None and key in _VALID_SHAPES:
        return []
    errors = list(_meta_validator(validator_class).iter_errors(schema))
    if not errors and shape is not None:
        _VALID_SHAPES.add(key)
    return errors


def _anchor_exists(schema: Any, name: str) -> bool:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$anchor") == name or node.get("$id") == f"#{name}":
                return True
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "default"))
        elif isinstance(node, list):
            stack.extend(node)
    return False


# Values that are data, not schemas: a "pattern" key inside them is no regular expression.
_DATA_KEYWORDS = frozenset({"const", "enum", "examples", "default"})


def invalid_patterns(schema: Any) -> list[SchemaProblem]:
    """A problem for each `pattern` or `patternProperties` key that is no regular expression."""
    import re

    problems = []
    stack: list[tuple[Any, tuple]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        candidates = []
        if isinstance(node.get("pattern"), str):
            candidates.append(((*path, "pattern"), node["pattern"]))
        if isinstance(node.get("patternProperties"), dict):
            candidates += [
                ((*path, "patternProperties", key), key) for key in node["patternProperties"]
            ]
        for where, pattern in candidates:
            try:
                re.compile(pattern)
            except (re.error, OverflowError, RecursionError) as exc:
                problems.append(
                    SchemaProblem(
                        "SCH001",
                        pointer_of(where),
                        f"'{shorten(pattern)}' is not a valid regular expression ({exc})",
                    )
                )
        stack.extend(
            (value, (*path, key)) for key, value in node.items() if key not in _DATA_KEYWORDS
        )
    return problems


def jsonschema_problems(schema: Any, *, may_refer: bool = True) -> list[SchemaProblem]:
    """Every reason a JSON Schema cannot be used as is: invalid, unknown dialect, remote or
    dangling $ref, or a $ref loop that never consumes input.

    `may_refer=False` says the caller knows the schema has no `$ref` and skips looking."""
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, dict):
        return [SchemaProblem("SCH001", "", "a JSON Schema must be an object or a boolean")]
    dialect = schema.get("$schema")
    if dialect is not None and not isinstance(dialect, str):
        return [SchemaProblem("SCH001", "/$schema", "$schema must be a URI string")]
    fast_check = _fast_meta_check(DEFAULT_DIALECT if dialect is None else dialect)
    if fast_check is not None and fast_check(schema):
        problems: list[SchemaProblem] = []  # valid; jsonschema is needed only to say what's wrong
    else:
        from jsonschema.validators import Draft202012Validator, validator_for

        validator_class = validator_for(schema, default=None)
        if validator_class is None and dialect is not None:
            return [
                SchemaProblem(
                    "SCH001",
                    "/$schema",
                    f"unknown $schema '{shorten(dialect)}'; use a JSON Schema draft URI "
                    "such as https://json-schema.org/draft/2020-12/schema",
                )
            ]
        problems = [
            SchemaProblem("SCH001", pointer_of(tuple(error.absolute_path)), shorten(error.message))
            for error in _meta_errors(validator_class or Draft202012Validator, schema)
        ]
    problems += invalid_patterns(schema)
    for pointer, reference in iter_refs(schema) if may_refer else ():
        if not reference.startswith("#"):
            problems.append(
                SchemaProblem(
                    "SCH003",
                    pointer,
                    f"$ref '{shorten(reference)}' leaves the schema; grimoire never fetches it",
                )
            )
        elif reference.startswith("#/") or reference == "#":
            if resolve_local_ref(schema, reference) is None:
                problems.append(
                    SchemaProblem("SCH001", pointer, f"$ref '{shorten(reference)}' points nowhere")
                )
        elif not _anchor_exists(schema, reference[1:]):
            problems.append(
                SchemaProblem("SCH001", pointer, f"$ref '{shorten(reference)}' names no $anchor")
            )
    if not problems and may_refer:
        loop = find_ref_loop(schema)
        if loop is not None:
            problems.append(
                SchemaProblem(
                    "SCH001",
                    loop,
                    "this $ref leads back to itself without entering a property or item, so "
                    "validation never ends",
                )
            )
    return problems


def _protobuf_problems(payload: Any) -> tuple[SchemaProblem, ...]:
    from ..errors import InputError
    from ..protobuf.toolchain import require_toolchain

    require_toolchain(payload.shown)  # no toolchain: unusable input, not a finding
    try:
        payload.payload_message()
    except InputError as error:
        return (SchemaProblem("SCH013", "", error.message, error.line, error.column),)
    return ()


def _problems_of(schema_format: str, schema: Any, schema_text: str) -> tuple[SchemaProblem, ...]:
    if schema_format == "protobuf":
        return _protobuf_problems(schema)
    if schema_format == "avro":
        _parsed, error = parse_avro(schema)
        if error is not None:
            return (SchemaProblem("SCH002", "", f"not a valid Avro schema: {error}"),)
        return ()
    # Any "$ref" key shows in the JSON text as "$ref" (a string value may too: then we look).
    return tuple(jsonschema_problems(schema, may_refer='"$ref"' in schema_text))


# (format, JSON text) -> problems, so equal schemas are checked once; and
# id(element) -> (element, problems), holding the element so its id is not reused.
_PROBLEMS_BY_TEXT: dict[tuple[str, str], tuple[SchemaProblem, ...]] = {}
_PROBLEMS_BY_ELEMENT: dict[int, tuple[Any, tuple[SchemaProblem, ...]]] = {}
MAX_REMEMBERED = 100_000


def schema_problems(element: Element) -> tuple[SchemaProblem, ...]:
    """Problems of an element's payload schema (empty when it has none); several rules ask."""
    if element.schema is None:
        return ()
    memo = _PROBLEMS_BY_ELEMENT.get(id(element))
    if memo is not None and memo[0] is element:
        return memo[1]
    key = (element.schema_format, json.dumps(element.schema, sort_keys=True, default=str))
    problems = _PROBLEMS_BY_TEXT.get(key)
    if problems is None:
        problems = _problems_of(element.schema_format, element.schema, key[1])
        _PROBLEMS_BY_TEXT[key] = problems
    if len(_PROBLEMS_BY_ELEMENT) > MAX_REMEMBERED or len(_PROBLEMS_BY_TEXT) > MAX_REMEMBERED:
        _PROBLEMS_BY_ELEMENT.clear()
        _PROBLEMS_BY_TEXT.clear()
    _PROBLEMS_BY_ELEMENT[id(element)] = (element, problems)
    return problems


def _schema_findings(model: DesignModel, rule_id: str) -> Iterator[Finding]:
    for kind, element in _payload_elements(model):
        for problem in schema_problems(element):
            if problem.rule != rule_id:
                continue
            message = problem.message
            if element.schema_format != "protobuf":
                location = model.locate_in_schema(element, problem.pointer)
            elif element.schema.inline_at is not None:
                location = element.schema.inline_at
                if problem.line is not None:
                    message += f" (line {problem.line} of the inline .proto)"
            else:
                location = Location(element.schema.shown, problem.line, problem.column)
            yield finding(
                rule_id,
                f"{kind} '{element.name}' payload schema: {message}",
                location,
                hint=_SCHEMA_HINTS[rule_id],
                element=f"{kind} {element.name} schema{problem.pointer}",
            )


_SCHEMA_HINTS = {
    "SCH001": "fix the schema so it validates against its JSON Schema draft's meta-schema",
    "SCH002": "fix the Avro schema (record fields need a name and a type; named types must"
    " be defined before use)",
    "SCH003": "copy the referenced definition into the schema's $defs and use '#/$defs/...'",
    "SCH013": "fix the .proto file so protoc compiles it (imports resolve from its own folder"
    " and the well-known types), and name the payload message when it declares several",
}


@rule(
    "SCH001",
    "json-schema-invalid",
    family=FAMILY,
    severity="error",
    summary="A JSON Schema payload must be valid for its draft, with resolvable local $refs.",
    what="""
Flags a JSON Schema payload that its draft's meta-schema rejects (the draft comes from
`$schema`, 2020-12 when absent; an unknown `$schema` is reported too), a `pattern` or
`patternProperties` key that is no regular expression, a local `$ref` that points nowhere or
names no `$anchor`, and a `$ref` chain that leads back to itself without entering a property
or item (`{"$ref": "#"}`).
""",
    why="""
Producers, consumers, registries and code generators all read the payload schema; an invalid
one fails in each of them differently or, worse, validates nothing. A self-referencing `$ref`
chain sends every validator into an endless loop.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema:
      type: object
      required: [holdId]
      properties:
        holdId: {type: string}
        expiresAt: {type: datetime}   # not a JSON Schema type
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema:
      type: object
      required: [holdId]
      properties:
        holdId: {type: string}
        expiresAt: {type: string, format: date-time}
""",
    sources=("JSON Schema 2020-12 Core, sections 8.2.3 ($ref) and 9 (meta-schemas)",),
)
def check_jsonschema_valid(model: DesignModel) -> Iterator[Finding]:
    return _schema_findings(model, "SCH001")


@rule(
    "SCH002",
    "avro-schema-invalid",
    family=FAMILY,
    severity="error",
    summary="An Avro payload schema must parse under the Avro specification.",
    what="""
Flags an Avro payload schema (`schema_format: avro`) that the official `avro` package
(`avro.schema.parse`) rejects: a field without a name or type, an unknown type, a named type
used before it is defined, a default that does not match its type.
""",
    why="""
An Avro schema that does not parse cannot be registered, and no producer can serialise with
it: the first publish fails, and nothing else about the payload (examples, keys,
compatibility) can be checked until it parses.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema_format: avro
    schema:
      type: record
      name: HoldPlaced
      fields:
        - {name: holdId, type: string}
        - {name: expiresAt}             # a field needs a type
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema_format: avro
    schema:
      type: record
      name: HoldPlaced
      fields:
        - {name: holdId, type: string}
        - {name: expiresAt, type: {type: long, logicalType: timestamp-millis}}
""",
    sources=('Apache Avro 1.12 specification, "Schema Declaration"',),
)
def check_avro_valid(model: DesignModel) -> Iterator[Finding]:
    return _schema_findings(model, "SCH002")


@rule(
    "SCH013",
    "protobuf-schema-invalid",
    family=FAMILY,
    severity="error",
    summary="A Protobuf payload schema must compile with protoc and name one payload message.",
    what="""
Flags a Protobuf payload schema (`schema_format: protobuf`, a `.proto` file or inline text)
that protoc rejects, or that declares several top-level messages without `message:` in the
model naming the payload one. Checked with protoc from the optional `grpcio-tools` package;
imports resolve from the file's own folder and the bundled well-known types
(`google/protobuf/timestamp.proto` and friends), never from the network.
""",
    why="""
A `.proto` file that protoc rejects cannot be registered or generate code. A file with several
top-level messages and no `message:` leaves open which one is on the wire: Confluent's
serializers default to the first, and a consumer generated for another reads garbage.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: hold_id
    schema_format: protobuf
    schema: |                       # two messages, and `message:` names neither
      syntax = "proto3";
      message HoldPlaced { string hold_id = 1; Shelf shelf = 2; }
      message Shelf { string branch = 1; }
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: hold_id
    schema_format: protobuf
    message: HoldPlaced               # the message on the wire
    schema: |
      syntax = "proto3";
      message HoldPlaced { string hold_id = 1; Shelf shelf = 2; }
      message Shelf { string branch = 1; }
""",
    sources=(
        "Protocol Buffers Language Guide (proto3)",
        'Confluent Schema Registry, "Protobuf Schema Serializer and Deserializer" (message'
        " indexes)",
    ),
)
def check_protobuf_valid(model: DesignModel) -> Iterator[Finding]:
    return _schema_findings(model, "SCH013")


@rule(
    "SCH003",
    "schema-ref-not-local",
    family=FAMILY,
    severity="error",
    summary="A payload schema's $ref must stay inside the schema ('#/...'): no URLs, no files.",
    what="""
Flags a `$ref` in a JSON Schema payload that does not start with `#`: a URL or a path to
another file. grimoire never fetches or opens such references.
""",
    why="""
A `$ref` to a URL or to another file makes the contract depend on something outside the
design: it can change, vanish, or (for paths like `../../etc/passwd`) point at files that are
none of the schema's business, and the payload cannot be checked.
""",
    example="""
events:
  MemberJoined:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId]
      properties:
        memberId: {type: string}
        card: {$ref: "https://schemas.example.org/library-card.json"}   # outside the design
""",
    instead="""
events:
  MemberJoined:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId]
      properties:
        memberId: {type: string}
        card: {$ref: "#/$defs/LibraryCard"}        # copied into the schema
      $defs:
        LibraryCard: {type: object, properties: {number: {type: string}}}
""",
    sources=(
        'JSON Schema 2020-12 Core, section 8.2.3.1 "Direct References with $ref" and'
        ' section 9 "Loading and Processing Schemas"',
    ),
)
def check_refs_local(model: DesignModel) -> Iterator[Finding]:
    return _schema_findings(model, "SCH003")


@rule(
    "SCH004",
    "example-invalid",
    family=FAMILY,
    severity="error",
    summary="Every example of an event or command must validate against its payload schema.",
    what="""
Flags each example of an event or command that its payload schema rejects. JSON Schema
examples are validated with `jsonschema` (format assertions off); Avro examples are checked
structurally against the parsed schema (plain JSON values, with unions either bare or
wrapped as {"type": value}); Protobuf examples must parse as the proto3 JSON mapping of the
payload message (`json_format.ParseDict`). Elements whose schema is itself invalid are left
to SCH001, SCH002 and SCH013.
""",
    why="""
Examples are documentation that can be executed: they show consumers what to expect and feed
contract tests and mocks. An example the schema rejects means the schema or the example is
wrong, and readers cannot tell which.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
    examples:
      - {holdId: 42}          # the schema says a string
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
    examples:
      - {holdId: h-42}
""",
    sources=(
        'AsyncAPI Specification 3.0.0, "Message Example Object"',
        'JSON Schema 2020-12 Validation, section 9.5 "examples"',
    ),
)
def check_examples(model: DesignModel) -> Iterator[Finding]:
    for kind, element in _payload_elements(model):
        if not element.examples or element.schema is None or schema_problems(element):
            continue
        validate = EXAMPLE_VALIDATORS.get(element.schema_format, jsonschema_example_errors)
        for index, example in enumerate(element.examples):
            for pointer, message in validate(element.schema, example):
                yield finding(
                    "SCH004",
                    f"example {index + 1} of {kind} '{element.name}' does not match its schema:"
                    f" {message}",
                    model.locate(f"{element.pointer}/examples/{index}{pointer}"),
                    hint="fix the example, or the schema if the example shows the real payload",
                    element=f"{kind} {element.name} example {index + 1}",
                )


def _envelope_pointer(model: DesignModel) -> str:
    envelope = model.raw.get("envelope")
    if isinstance(envelope, dict):
        return "/envelope/attributes" if "attributes" in envelope else "/envelope"
    return ""


@rule(
    "SCH005",
    "envelope-required-attribute-missing",
    family=FAMILY,
    severity="error",
    summary="The envelope must carry its profile's required attributes (CloudEvents: id,"
    " source, specversion, type).",
    what="""
Flags an envelope that lacks an attribute its profile requires: id, source, specversion and
type for `cloudevents-1.0` (REQUIRED by CloudEvents 1.0), id, source and type for `custom`.
A channel's own envelope (a slim one on a high-volume stream) is held to the same four: slim
drops the optional attributes, never these.
""",
    why="""
Without an `id` consumers cannot deduplicate, without `source` and `type` they cannot route or
know what they hold, and without `specversion` no CloudEvents SDK accepts the message.
""",
    example="""
envelope:
  profile: cloudevents-1.0   # requires id, source, specversion and type
  attributes: [id, source, type, time, subject, dataschema, correlationid, causationid]
""",
    instead="""
envelope:
  profile: cloudevents-1.0
  attributes: [id, source, specversion, type, time, subject, dataschema, correlationid,
               causationid]
""",
    sources=('CloudEvents 1.0.2 specification, "Required Attributes"',),
)
def check_envelope_required(model: DesignModel) -> Iterator[Finding]:
    envelopes = [("envelope", "envelope", model.envelope, _envelope_pointer(model))]
    for channel in model.channels.values():
        if channel.envelope is not None:
            where = f"channels.{channel.name}.envelope"
            pointer = f"{channel.envelope.pointer}/attributes"
            envelopes.append((f"channel {channel.name}", where, channel.envelope, pointer))
    for element, where, envelope, pointer in envelopes:
        present = set(envelope.attributes)
        required = REQUIRED_ATTRIBUTES.get(envelope.profile, REQUIRED_ATTRIBUTES["custom"])
        for attribute in required:
            if attribute not in present:
                yield finding(
                    "SCH005",
                    f"the {'' if element == 'envelope' else element + ' '}envelope"
                    f" ({envelope.profile}) lacks the required attribute '{attribute}'",
                    model.locate(pointer),
                    hint=f"add '{attribute}' to {where}.attributes",
                    element=element,
                )


@rule(
    "SCH006",
    "envelope-recommended-attribute-missing",
    family=FAMILY,
    severity="warning",
    summary="The envelope should carry time, subject, correlation and causation ids and the"
    " schema version.",
    what="""
Flags an envelope that lacks one of the recommended attributes: `time`, `subject` (or
`aggregateid`), `correlationid`, `causationid`, and `dataschema` (or `schemaversion`,
`dataversion`).
""",
    why="""
`time` orders and ages events; `subject` (the aggregate id) lets consumers filter and
partition without parsing the payload; a correlation id ties every message of one business
flow together and a causation id names the message that caused this one, which is how
traces, audits and saga debugging follow a flow; `dataschema` (or a schema version) tells a
consumer which schema to read the payload with.
""",
    example="""
envelope:
  attributes: [id, source, specversion, type]   # no time, subject, correlation or schema
""",
    instead="""
envelope:
  attributes: [id, source, specversion, type, time, subject, dataschema, correlationid,
               causationid]
""",
    sources=(
        'CloudEvents 1.0.2 specification, "Optional Attributes"',
        'Greg Young, "Correlation and causation IDs"',
        'Microsoft, "Event-driven architecture style" guidance',
    ),
)
def check_envelope_recommended(model: DesignModel) -> Iterator[Finding]:
    present = set(model.envelope_attributes)
    for attribute, accepted, why in RECOMMENDED_ATTRIBUTES:
        if not present.intersection(accepted):
            yield finding(
                "SCH006",
                f"the envelope lacks '{attribute}' ({why})",
                model.locate(_envelope_pointer(model)),
                hint=f"add '{attribute}' to envelope.attributes",
                element="envelope",
            )


def _key_findings(model: DesignModel, want_missing: bool) -> Iterator[Finding]:
    for kind, element in _payload_elements(model):
        if element.key is None or element.schema is None or schema_problems(element):
            continue
        found = lookup_field(element.schema, element.schema_format, element.key)
        if not found.known:
            continue
        if want_missing and not found.exists:
            yield finding(
                "SCH007",
                f"{kind} '{element.name}' partition key '{element.key}' is not a payload field",
                model.locate(f"{element.pointer}/key"),
                hint="name a field of the payload (dotted path for nested fields)",
                element=f"{kind} {element.name}",
            )
        elif not want_missing and found.exists and not found.required:
            yield finding(
                "SCH008",
                f"{kind} '{element.name}' partition key '{element.key}' is optional in the payload",
                model.locate(f"{element.pointer}/key"),
                hint="make the key field required (JSON Schema `required`; Avro: not nullable)",
                element=f"{kind} {element.name}",
            )


@rule(
    "SCH007",
    "partition-key-not-in-payload",
    family=FAMILY,
    severity="error",
    summary="An event's or command's partition key must name a field of its payload.",
    what="""
Flags an event or command whose `key:` names no field of its payload schema (a dotted path
for nested fields: `loanId`, `member.id`). Elements whose schema is invalid, or whose schema
cannot tell (an open structure), are not flagged.
""",
    why="""
The partition key picks the partition (Kafka, Kinesis) or message group (SQS FIFO), and so
decides what stays in order. A key that names no payload field cannot be computed by the
producer: messages go out unkeyed and per-key order is lost.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId           # the payload has no memberId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: member.id          # a dotted path to a field the payload carries
    schema:
      type: object
      required: [holdId, member]
      properties:
        holdId: {type: string}
        member: {type: object, required: [id], properties: {id: {type: string}}}
""",
    sources=(
        "Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 6 and 11"
        " (partitioning and ordering in logs)",
    ),
)
def check_key_exists(model: DesignModel) -> Iterator[Finding]:
    return _key_findings(model, want_missing=True)


@rule(
    "SCH008",
    "partition-key-optional",
    family=FAMILY,
    severity="warning",
    summary="An event's or command's partition key field must be required (non-nullable).",
    what="""
Flags an event or command whose `key:` field exists in the payload but may be absent or
null: not listed in JSON Schema `required` (at every level of a dotted path), or a nullable
union in Avro.
""",
    why="""
A key field that may be absent or null sends those messages to an arbitrary partition (or
the one every null key hashes to), out of order with the rest of their entity.
""",
    example="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema: {type: object, properties: {holdId: {type: string}}}   # holdId may be missing
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
""",
    sources=("Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11",),
)
def check_key_required(model: DesignModel) -> Iterator[Finding]:
    return _key_findings(model, want_missing=False)


@rule(
    "SCH009",
    "payload-schema-missing",
    family=FAMILY,
    severity="warning",
    summary="Every event and command should have a payload schema.",
    what="""
Flags an event or command with no `schema:` (inline, or a path to a .json/.yaml JSON
Schema, .avsc Avro or .proto Protobuf file).
""",
    why="""
Without a schema the payload is an unwritten contract: nothing checks examples, partition
keys, PII paths or compatibility between versions, and a producer can change a field's type
without anyone noticing until a consumer fails.
""",
    example="""
events:
  HoldPlaced:                 # no schema: what does it carry?
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
""",
    instead="""
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
""",
    sources=(
        'Confluent documentation, "Schema Registry Overview"',
        'AsyncAPI Specification 3.0.0, "Message Object" (payload)',
    ),
)
def check_schema_present(model: DesignModel) -> Iterator[Finding]:
    for kind, element in _payload_elements(model):
        if element.schema is None:
            yield finding(
                "SCH009",
                f"{kind} '{element.name}' has no payload schema",
                model.locate(element.pointer),
                hint="add `schema:` (inline, or a path to a .json/.yaml/.avsc file)",
                element=f"{kind} {element.name}",
            )
