"""Schema rules (SCH): payload schemas are valid and local, examples match them, the envelope
carries the metadata its profile needs, and partition keys name required fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Union

from ..findings import Finding, Location
from ..model.payload import lookup_field
from ..payload_validation import (
    EXAMPLE_VALIDATORS,
    INVALID_AVRO_SCHEMA,
    INVALID_JSON_SCHEMA,
    INVALID_PROTOBUF_SCHEMA,
    REMOTE_REF,
    jsonschema_example_errors,
    schema_problems,
)
from .engine import finding
from .registry import find_rule, rule

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


def _schema_findings(model: DesignModel, rule_id: str) -> Iterator[Finding]:
    """Findings of a rule fed by payload validation: the problems with the code it declares."""
    declared = find_rule(rule_id)
    code = declared.code if declared is not None else ""
    for kind, element in _payload_elements(model):
        for problem in schema_problems(element):
            if problem.code != code:
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
    code=INVALID_JSON_SCHEMA,
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
    code=INVALID_AVRO_SCHEMA,
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
    code=INVALID_PROTOBUF_SCHEMA,
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
    code=REMOTE_REF,
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
