"""SCH012: a JSON Schema content model that the event's compatibility mode makes frozen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model.payload import resolve_local_ref
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import DesignModel

FAMILY = "schemas"
BOTH_WAYS = frozenset(("FULL", "FULL_TRANSITIVE"))


def content_model(schema: Any) -> str | None:
    """'closed', 'open' or 'partially open' for an object schema's top level; None otherwise."""
    node = schema
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_local_ref(schema, node["$ref"])
    if not isinstance(node, dict):
        return None
    if node.get("type") != "object" and "properties" not in node:
        return None
    if node.get("patternProperties"):
        return "partially open"
    additional = node.get("additionalProperties", node.get("unevaluatedProperties", True))
    if additional is False:
        return "closed"
    if additional is True or additional == {}:
        return "open"
    return "partially open"  # additionalProperties with a schema: new fields of that shape


@rule(
    "SCH012",
    "content-model-frozen-by-compatibility",
    family=FAMILY,
    severity="warning",
    summary="Under FULL or FULL_TRANSITIVE, a JSON Schema that is open or closed can never gain"
    " a field; use a partially open content model, Avro, or another mode.",
    what="""
Flags an event with a JSON Schema payload under FULL or FULL_TRANSITIVE compatibility whose
top-level content model is open (no additionalProperties, or true) or closed
(`additionalProperties: false`). Partially open models (`patternProperties`, or
`additionalProperties` with a schema) and other schema languages are not flagged.
""",
    why="""
Under Confluent Schema Registry's JSON Schema rules, adding a property to a closed content
model is backward compatible but not forward compatible (old readers reject the new field),
and adding one to an open content model is forward compatible but not backward compatible
(old data may already hold that name with another type). FULL and FULL_TRANSITIVE ask for
both, so with either model no field can ever be added: the first change forces a new
subject.
""",
    example="""
events:
  MemberJoined:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    compatibility: FULL        # an open content model can then never gain a field
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    instead="""
events:
  MemberJoined:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    compatibility: FULL
    schema:
      type: object
      required: [memberId]
      properties: {memberId: {type: string}}
      # partially open: new fields are named x_... (or additionalProperties with a schema);
      # or Avro (optional fields with defaults are fully compatible), or BACKWARD or FORWARD
      patternProperties: {"^x_": {type: string}}
""",
    sources=(
        'Robert Yokota, "Understanding JSON Schema Compatibility" (Confluent blog, 2020)',
        'Confluent documentation, "Schema Evolution and Compatibility"',
    ),
)
def check_content_model(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        mode = model.compatibility_of(event)
        if mode not in BOTH_WAYS or event.schema_format != "jsonschema":
            continue
        kind = content_model(event.schema)
        if kind not in ("open", "closed"):
            continue
        breaks = "FORWARD" if kind == "closed" else "BACKWARD"
        yield finding(
            "SCH012",
            f"event '{event.name}' has {'an open' if kind == 'open' else 'a closed'} JSON"
            f" Schema content model under {mode}: no"
            f" field can ever be added (each addition breaks {breaks})",
            model.locate_in_schema(event, "/additionalProperties"),
            hint="add patternProperties for future fields (partially open), use Avro, or"
            " choose BACKWARD or FORWARD",
            element=f"event {event.name}",
        )
