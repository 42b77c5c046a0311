"""Every kind of change `compat` reports: its rule ID, name, severity, why it breaks, what to do.

JSON Schema kinds carry Confluent's `Difference.Type` names; Avro kinds the `avro` checker's
incompatibility names; model kinds concern events as a whole. Phrasing is in terms of the
*writer* (the schema data was produced with) and the *reader* (the schema it is consumed with):
BACKWARD checks the new schema reading old data, FORWARD the old schema reading new data.

Rule IDs are stable: never renumber, only append.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

FAMILY = "compatibility"

NEW_VERSION = (
    "If the change is intended, publish it as a new event type (or a new major version on its "
    "own topic), dual-publish or upcast old events during the migration, and retire the old "
    "type once no consumer reads it."
)
KEEP_CONSTRAINT = (
    "Keep the old constraint (or only relax it); enforce the stricter rule in the producer's "
    "code instead of the schema. "
)


@dataclass(frozen=True)
class ChangeKind:
    """A kind of change: the rule that reports it and the text that explains it."""

    rule_id: str
    code: str
    language: str  # "jsonschema", "avro", "protobuf" or "model"
    severity: str
    summary: str
    why: str
    hint: str
    what: str = ""  # what the rule flags and how compat detects it, beyond the language's part

    @property
    def rule_name(self) -> str:
        prefix = {"jsonschema": "json-", "avro": "avro-", "protobuf": "proto-", "model": ""}[
            self.language
        ]
        return prefix + self.code.lower().replace("_", "-")


def _json(rule_id: str, code: str, summary: str, why: str, hint: str) -> ChangeKind:
    return ChangeKind(rule_id, code, "jsonschema", "error", summary, why, hint)


def _json_warning(rule_id: str, code: str, summary: str, why: str, hint: str) -> ChangeKind:
    return ChangeKind(rule_id, code, "jsonschema", "warning", summary, why, hint)


def _limit(rule_id: str, code: str, keyword: str, what: str) -> ChangeKind:
    return _json(
        rule_id,
        code,
        f"{keyword} {what}",
        f"The reader's {keyword} is stricter than the writer's, so values the writer was "
        "allowed to produce are rejected by the reader.",
        KEEP_CONSTRAINT + NEW_VERSION,
    )


KINDS: tuple[ChangeKind, ...] = (
    # Whole events (compat --against) -------------------------------------------------------
    ChangeKind(
        "CMP001",
        "EVENT_TYPE_REMOVED",
        "model",
        "error",
        "an event type was removed from the design",
        "Consumers still subscribed to the event type stop receiving it, and events already "
        "stored in topics or event stores can no longer be described.",
        "Deprecate the event first: keep it in the model (mark it in its description), stop "
        "producing it, and remove it once no consumer and no retained data depend on it.",
        what=(
            "Flags an event type the design model declared at the compared git revision (`compat "
            "--against REV MODEL`) and no longer declares. The finding names the event that "
            "supersedes it, if any, and the services that read it at that revision."
        ),
    ),
    ChangeKind(
        "CMP002",
        "EVENT_SCHEMA_REMOVED",
        "model",
        "error",
        "an event lost its payload schema",
        "Without a schema nothing checks what producers send, so consumers written against the "
        "old schema may receive anything.",
        "Keep the schema (inline or by file); if the payload changes shape, evolve the schema "
        "compatibly or introduce a new event type.",
        what=(
            "Flags an event that had a payload schema (inline or in a schema file) at the "
            "compared revision and has none now."
        ),
    ),
    ChangeKind(
        "CMP003",
        "SCHEMA_LANGUAGE_CHANGED",
        "model",
        "error",
        "an event's schema changed language (JSON Schema <-> Avro)",
        "The wire format changes with the schema language, so existing consumers cannot decode "
        "new events and new consumers cannot decode retained ones.",
        "Introduce a new event type (or topic) in the new language, dual-publish during the "
        "migration, and retire the old one.",
        what=(
            "Flags an event whose schema changed language (JSON Schema, Avro, Protobuf) since the "
            "compared revision; the two versions are then not compared field by field."
        ),
    ),
    ChangeKind(
        "CMP004",
        "PROPERTY_RENAMED",
        "model",
        "error",
        "a property or field was probably renamed",
        "A rename is a removal and an addition at once: data written under the old name lacks "
        "the new one, and readers of either version meet a name they do not expect.",
        "Do not rename in place: add the new name beside the old one, write both, move readers "
        "to the new name, and drop the old one once the mode allows it; or publish a new event "
        "type that supersedes this one.",
        what=(
            "Flags a probable rename: in one object (JSON Schema `properties`, an Avro record), "
            "the newest version lacks a member the earlier one had and has a new one with the "
            "same schema (annotations aside) or a similar name and the same type. The removal and "
            "the addition the registry reports separately (in FORWARD checks under names that "
            "read backwards) become one finding, as severe as the worst change it absorbs, whose "
            "hint gives the alternatives that are safe in the event's mode."
        ),
    ),
    ChangeKind(
        "CMP005",
        "READERS_HURT",
        "model",
        "info",
        "who an incompatible change hurts, and the deploy order that is safe",
        "BACKWARD failing hurts consumers once they upgrade (they cannot read events written "
        "before); FORWARD failing hurts consumers until they upgrade (they cannot read what the "
        "producer writes with the new schema).",
        "Deploy consumers first when BACKWARD holds, the producer first when FORWARD holds; "
        "when neither holds, publish a new event type and move consumers over.",
        what=(
            "Accompanies an incompatible schema change: names the directions that fail, every "
            "consumer and read model of the event in the design model with what fails for it, and "
            "the deploy order that is safe (consumers first when BACKWARD holds, the producer "
            "first when FORWARD holds)."
        ),
    ),
    ChangeKind(
        "CMP006",
        "COMPATIBILITY_WEAKENED",
        "model",
        "warning",
        "an event's compatibility mode was weakened",
        "Versions released under the stronger mode were checked against promises the weaker "
        "mode no longer keeps (for example, FORWARD_TRANSITIVE to BACKWARD stops checking that "
        "old readers can read new data, and stops checking against every earlier version).",
        "Keep the stronger mode, or confirm every consumer of the event has been told, and "
        "note the change where the event is documented.",
        what=(
            "Flags an event whose compatibility mode (its own `compatibility`, or the system "
            "default it inherits) promises less than at the compared revision: a direction "
            "dropped (FULL to BACKWARD), the transitive check dropped (BACKWARD_TRANSITIVE to "
            "BACKWARD), or NONE. A weakened system default is reported once, listing the events "
            "that inherit it."
        ),
    ),
    ChangeKind(
        "CMP007",
        "SUPERSEDED_EVENT_INCOMPATIBLE",
        "model",
        "warning",
        "a new event type cannot read the payloads of the event it supersedes",
        "Consumers migrating from the superseded event to its successor must translate old "
        "payloads (upcast) because the successor's schema does not accept them.",
        "That is expected for a breaking change published as a new type: provide an upcaster "
        "from the old event to the new one, and dual-publish until consumers have moved.",
        what=(
            "For an event that `supersedes` another, checks whether the successor's schema reads "
            "the superseded event's payloads (BACKWARD), taking the superseded event from the "
            "model or, when removed since, from the compared revision. Flags the successor when "
            "it cannot, counting the incompatible changes and listing the first five; schemas in "
            "different languages are noted, not compared."
        ),
    ),
    # Avro (the `avro` package's incompatibility kinds) --------------------------------------
    ChangeKind(
        "CMP010",
        "NAME_MISMATCH",
        "avro",
        "error",
        "a named Avro type (record, enum, fixed) has a different name",
        "Avro resolves named types by name: the reader cannot match the writer's type.",
        "Keep the old name, or add the old full name to the reader's `aliases`.",
        what=(
            "Flags a record, enum or fixed type whose full name (namespace and name) differs "
            "between the writer's and the reader's schema, without the writer's name among the "
            "reader's `aliases`."
        ),
    ),
    ChangeKind(
        "CMP011",
        "FIXED_SIZE_MISMATCH",
        "avro",
        "error",
        "an Avro fixed type changed size",
        "A fixed value is exactly `size` bytes on the wire; a reader expecting another size "
        "misreads every value and everything after it.",
        "Keep the size; for a different size add a new field (with a default) of a new fixed "
        "type and deprecate the old one.",
        what=(
            "Flags a fixed type whose `size` differs between the writer's and the reader's schema."
        ),
    ),
    ChangeKind(
        "CMP012",
        "MISSING_ENUM_SYMBOLS",
        "avro",
        "error",
        "the reader's enum lacks symbols the writer can produce",
        "Decoding a symbol the reader does not know fails (unless the reader's enum has a "
        "default symbol).",
        "Keep every symbol, or give the reader's enum a `default` symbol that unknown symbols "
        "resolve to.",
        what=(
            "Flags an enum where the writer's schema has symbols the reader's lacks and the "
            "reader's enum has no `default` symbol."
        ),
    ),
    ChangeKind(
        "CMP013",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "avro",
        "error",
        "the reader has a field the writer lacks, and no default for it",
        "Data written without the field gives the reader no value to fill it with, so "
        "decoding fails.",
        "Add a `default` to the field (for an optional field: a union with null first and "
        "`default: null`).",
        what=(
            "Flags a record field the reader's schema declares, the writer's lacks (under its "
            "name or an alias), and the reader gives no `default`."
        ),
    ),
    ChangeKind(
        "CMP014",
        "TYPE_MISMATCH",
        "avro",
        "error",
        "the reader's type cannot be resolved from the writer's",
        "Avro only promotes int->long->float->double and string<->bytes; any other change "
        "makes the writer's values undecodable.",
        "Keep the type, or add a new field with the new type (and a default) and deprecate "
        "the old one. " + NEW_VERSION,
        what=(
            "Flags a position where the writer's type does not resolve to the reader's: a "
            "different primitive that is not a promotion (int to long, float or double; long to "
            "float or double; float to double; string to bytes and back), or a different kind of "
            "type (record, array, map, primitive)."
        ),
    ),
    ChangeKind(
        "CMP015",
        "MISSING_UNION_BRANCH",
        "avro",
        "error",
        "the reader's union lacks a branch the writer can produce",
        "A writer value in a branch the reader's union does not have cannot be decoded.",
        "Keep every union branch the writer may use; only add branches.",
        what=(
            "Flags a union branch the writer can produce that matches no branch of the reader's "
            "union (or, when the reader's type is not a union, that the reader's type cannot "
            "resolve)."
        ),
    ),
    # JSON Schema (Confluent's Difference.Type names) ----------------------------------------
    _json(
        "CMP020",
        "TYPE_CHANGED",
        "a schema accepts a different type",
        "The reader expects another type (or another kind of schema) than the writer "
        "produced, so the writer's values there are rejected.",
        "Keep the old type; to accept more, widen it (integer -> number, or a union that "
        "still contains the old type). " + NEW_VERSION,
    ),
    _json(
        "CMP021",
        "TYPE_NARROWED",
        "number narrowed to integer",
        "The writer may have produced fractional numbers, which the reader rejects.",
        "Keep `number`; round in the producer if integers are wanted. " + NEW_VERSION,
    ),
    _json(
        "CMP022",
        "SCHEMA_ADDED",
        "a schema was added where there was none",
        "Where the writer constrained nothing (for example array items), the reader now "
        "constrains the values, so existing values may be rejected.",
        "Leave the position unconstrained for this event type. " + NEW_VERSION,
    ),
    _limit("CMP023", "MAX_LENGTH_ADDED", "maxLength", "added"),
    _limit("CMP024", "MAX_LENGTH_DECREASED", "maxLength", "decreased"),
    _limit("CMP025", "MIN_LENGTH_ADDED", "minLength", "added"),
    _limit("CMP026", "MIN_LENGTH_INCREASED", "minLength", "increased"),
    _limit("CMP027", "PATTERN_ADDED", "pattern", "added"),
    _limit("CMP028", "PATTERN_CHANGED", "pattern", "changed"),
    _limit("CMP029", "MAXIMUM_ADDED", "maximum", "added"),
    _limit("CMP030", "MAXIMUM_DECREASED", "maximum", "decreased"),
    _limit("CMP031", "MINIMUM_ADDED", "minimum", "added"),
    _limit("CMP032", "MINIMUM_INCREASED", "minimum", "increased"),
    _limit("CMP033", "EXCLUSIVE_MAXIMUM_ADDED", "exclusiveMaximum", "added"),
    _limit("CMP034", "EXCLUSIVE_MAXIMUM_DECREASED", "exclusiveMaximum", "decreased"),
    _limit("CMP035", "EXCLUSIVE_MINIMUM_ADDED", "exclusiveMinimum", "added"),
    _limit("CMP036", "EXCLUSIVE_MINIMUM_INCREASED", "exclusiveMinimum", "increased"),
    _limit("CMP037", "MULTIPLE_OF_ADDED", "multipleOf", "added"),
    _limit("CMP038", "MULTIPLE_OF_EXPANDED", "multipleOf", "made stricter"),
    _limit("CMP039", "MULTIPLE_OF_CHANGED", "multipleOf", "changed"),
    _json(
        "CMP040",
        "REQUIRED_ATTRIBUTE_ADDED",
        "an existing property became required",
        "The writer was allowed to omit the property, so data without it is rejected by "
        "the reader.",
        "Keep it optional and handle its absence in consumers; Confluent accepts the change "
        "only when the property has a `default`, which readers then apply. " + NEW_VERSION,
    ),
    _limit("CMP041", "MAX_PROPERTIES_ADDED", "maxProperties", "added"),
    _limit("CMP042", "MAX_PROPERTIES_DECREASED", "maxProperties", "decreased"),
    _limit("CMP043", "MIN_PROPERTIES_ADDED", "minProperties", "added"),
    _limit("CMP044", "MIN_PROPERTIES_INCREASED", "minProperties", "increased"),
    _json(
        "CMP045",
        "ADDITIONAL_PROPERTIES_REMOVED",
        "the content model was closed (additionalProperties: false)",
        "The writer allowed properties it does not declare; data carrying any of them is "
        "rejected by the reader.",
        "Close a content model only in the first version of an event type; otherwise keep it "
        "open, or declare the extra properties the writer uses. " + NEW_VERSION,
    ),
    _json(
        "CMP046",
        "ADDITIONAL_PROPERTIES_NARROWED",
        "undeclared properties now need to match a schema",
        "The writer allowed undeclared properties of any value; the reader only accepts "
        "those matching its additionalProperties schema.",
        "Keep additionalProperties open (absent or true). " + NEW_VERSION,
    ),
    _json(
        "CMP047",
        "DEPENDENCY_ARRAY_ADDED",
        "a new property dependency (dependentRequired)",
        "Data where the property appears without its new dependencies is rejected.",
        "Drop the dependency from the schema and check it in the producer. " + NEW_VERSION,
    ),
    _json(
        "CMP048",
        "DEPENDENCY_ARRAY_EXTENDED",
        "a property dependency requires more properties",
        "Data carrying the property without the newly required companions is rejected.",
        "Keep the old dependency list. " + NEW_VERSION,
    ),
    _json(
        "CMP049",
        "DEPENDENCY_ARRAY_CHANGED",
        "a property dependency requires different properties",
        "Data satisfying the old dependency may not satisfy the new one.",
        "Keep the old dependency list or only remove names from it. " + NEW_VERSION,
    ),
    _json(
        "CMP050",
        "DEPENDENCY_SCHEMA_ADDED",
        "a new schema dependency (dependentSchemas)",
        "Data with the property must now also match the dependency schema.",
        "Drop the schema dependency. " + NEW_VERSION,
    ),
    _json(
        "CMP051",
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "a required property was added to an open content model",
        "The writer did not send the property (so data lacks it), and its open content model "
        "let it send the same name with any value.",
        "Add the property as optional, to a closed content model (additionalProperties: "
        "false in the writer's version), and only then consider requiring it with a default. "
        + NEW_VERSION,
    ),
    _json(
        "CMP052",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "a required property with a default was added to an open content model",
        "The writer's open content model let it send this property name with any value, "
        "which the reader's new declaration may reject.",
        "Close the content model first (additionalProperties: false) and add the property in "
        "a later version, or use a name the writer never used.",
    ),
    _json(
        "CMP053",
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "a property was added to an open content model",
        "The writer's open content model (no additionalProperties: false) let it send any "
        "property, so old data may already carry this name with a value the reader's new "
        "declaration rejects.",
        "Close the writer's content model first (additionalProperties: false), then add the "
        "property as optional in the next version; or add it with an empty schema ({} or "
        "true); or describe it with patternProperties/additionalProperties the writer already "
        "allowed.",
    ),
    _json(
        "CMP054",
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "a required property without a default was added",
        "The writer never produced the property, so none of its data has it, and the reader "
        "requires it.",
        "Add the property as optional (or required with a `default`). " + NEW_VERSION,
    ),
    _json(
        "CMP055",
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "a property was removed from a closed content model",
        "The writer may send the property, and the reader's closed content model "
        "(additionalProperties: false) rejects undeclared properties.",
        "Keep the property declared (mark it deprecated in its description), or open the "
        "reader's content model. " + NEW_VERSION,
    ),
    _json(
        "CMP056",
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "a removed property's values are not accepted by the remaining patterns",
        "The writer may send the property; after its removal the reader checks it against "
        "patternProperties/additionalProperties, which reject the writer's values.",
        "Keep the property declared, or widen the pattern or additionalProperties schema so "
        "it accepts the old values.",
    ),
    _json(
        "CMP057",
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "an added property is stricter than the pattern that covered it",
        "The writer could already send this name under its patternProperties or "
        "additionalProperties schema; the reader's new declaration rejects some of those values.",
        "Declare the property with a schema at least as wide as the one that covered it.",
    ),
    _json(
        "CMP058",
        "UNEVALUATED_PROPERTIES_REMOVED",
        "unevaluatedProperties: false was added",
        "Data with properties no subschema evaluates is now rejected.",
        "Keep unevaluated properties allowed. " + NEW_VERSION,
    ),
    _json(
        "CMP059",
        "UNEVALUATED_PROPERTIES_NARROWED",
        "unevaluated properties now need to match a schema",
        "Unevaluated properties the writer produced freely may fail the new schema.",
        "Keep unevaluatedProperties absent or true. " + NEW_VERSION,
    ),
    _limit("CMP060", "MAX_ITEMS_ADDED", "maxItems", "added"),
    _limit("CMP061", "MAX_ITEMS_DECREASED", "maxItems", "decreased"),
    _limit("CMP062", "MIN_ITEMS_ADDED", "minItems", "added"),
    _limit("CMP063", "MIN_ITEMS_INCREASED", "minItems", "increased"),
    _limit("CMP064", "MAX_CONTAINS_ADDED", "maxContains", "added"),
    _limit("CMP065", "MAX_CONTAINS_DECREASED", "maxContains", "decreased"),
    _limit("CMP066", "MIN_CONTAINS_ADDED", "minContains", "added"),
    _limit("CMP067", "MIN_CONTAINS_INCREASED", "minContains", "increased"),
    _limit("CMP068", "UNIQUE_ITEMS_ADDED", "uniqueItems", "added"),
    _json(
        "CMP069",
        "ADDITIONAL_ITEMS_REMOVED",
        "the array was closed to further items",
        "The writer may produce more items than the reader now allows.",
        "Keep the array open to further items. " + NEW_VERSION,
    ),
    _json(
        "CMP070",
        "ADDITIONAL_ITEMS_NARROWED",
        "further array items now need to match a schema",
        "Extra items the writer produced freely may fail the new schema.",
        "Keep further items unconstrained. " + NEW_VERSION,
    ),
    _json(
        "CMP071",
        "UNEVALUATED_ITEMS_REMOVED",
        "unevaluatedItems: false was added",
        "Arrays with items no subschema evaluates are now rejected.",
        "Keep unevaluated items allowed. " + NEW_VERSION,
    ),
    _json(
        "CMP072",
        "UNEVALUATED_ITEMS_NARROWED",
        "unevaluated items now need to match a schema",
        "Unevaluated items the writer produced freely may fail the new schema.",
        "Keep unevaluatedItems absent or true. " + NEW_VERSION,
    ),
    _json(
        "CMP073",
        "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
        "a tuple position was added to an open array",
        "The writer's open array let it send any value at that position; the reader's new "
        "position schema may reject it.",
        "Close the array to further items first, then add the position in a later version; "
        "or give the new position an empty schema.",
    ),
    _json(
        "CMP074",
        "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "a tuple position was removed from a closed array",
        "The writer may send that many items; the reader's closed array rejects them.",
        "Keep the position (with its schema), or open the array to further items.",
    ),
    _json(
        "CMP075",
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "a removed tuple position's values are not accepted by the further-items schema",
        "The writer may send the position; the reader checks it against its further-items "
        "schema, which rejects the writer's values.",
        "Keep the position, or widen the further-items schema to accept the old values.",
    ),
    _json(
        "CMP076",
        "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "an added tuple position is stricter than the further-items schema that covered it",
        "The writer could already send items there under its further-items schema; the "
        "reader's new position schema rejects some of them.",
        "Give the new position a schema at least as wide as the further-items schema.",
    ),
    _json(
        "CMP077",
        "ENUM_ARRAY_NARROWED",
        "enum values were removed",
        "Data the writer produced with a removed value is rejected by the reader.",
        "Keep every value (document it as deprecated) and stop producing it instead. "
        + NEW_VERSION,
    ),
    _json(
        "CMP078",
        "ENUM_ARRAY_CHANGED",
        "enum or const values were replaced",
        "Data the writer produced with a value the reader no longer lists is rejected.",
        "Only add enum values; keep the old ones. " + NEW_VERSION,
    ),
    _json(
        "CMP079",
        "COMBINED_TYPE_CHANGED",
        "allOf/anyOf/oneOf changed to a stricter combinator",
        "Data matching the writer's combination (for example any branch of an anyOf) may not "
        "match the reader's (for example all branches of an allOf).",
        "Keep the combinator; moving to anyOf is always safe. " + NEW_VERSION,
    ),
    _json(
        "CMP080",
        "PRODUCT_TYPE_EXTENDED",
        "allOf gained a subschema, or if/then/else was added",
        "Data must now also match the new subschema, which the writer's data may not.",
        "Do not add constraints to an allOf or through if/then/else; check them in the producer. "
        + NEW_VERSION,
    ),
    _json(
        "CMP081",
        "SUM_TYPE_NARROWED",
        "anyOf/oneOf lost a branch",
        "Data the writer produced in a removed branch is rejected.",
        "Keep every branch; stop producing the unwanted one instead. " + NEW_VERSION,
    ),
    _json(
        "CMP082",
        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
        "allOf/anyOf/oneOf branches changed incompatibly",
        "Some branch of the writer's combination has no compatible counterpart in the "
        "reader's, so data written in that branch is rejected.",
        "Evolve each branch compatibly (see the closest candidate's changes in the message), "
        "or add the new shape as an extra anyOf/oneOf branch. " + NEW_VERSION,
    ),
    _json(
        "CMP083",
        "NOT_TYPE_EXTENDED",
        "a `not` schema forbids more",
        "Data the writer produced may match the reader's wider `not` schema and be rejected.",
        "Keep the `not` schema or make it forbid less. " + NEW_VERSION,
    ),
    # Warnings: accepted by Confluent's rules, yet some of the writer's data is rejected -----
    _json_warning(
        "CMP090",
        "REQUIRED_UNDECLARED_PROPERTY_ADDED",
        "a property the schema does not declare became required",
        "Confluent only compares `required` for declared properties, so it accepts this; but "
        "the writer's data lacking the property fails the reader's validation.",
        "Declare the property and leave it optional, or drop it from `required`.",
    ),
    _json_warning(
        "CMP091",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "an existing property became required, with a default",
        "Confluent accepts it because readers can fill in the default, but JSON Schema "
        "validation does not apply defaults: the writer's data without the property fails it.",
        "Fill in the default when reading instead of requiring the property, or make sure "
        "consumers apply defaults before validating.",
    ),
    _json_warning(
        "CMP092",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "a required property with a default was added",
        "Confluent accepts it because readers can fill in the default, but JSON Schema "
        "validation does not apply defaults: the writer's data, which lacks the property, "
        "fails it.",
        "Add the property as optional and apply the default in consumers.",
    ),
    _json_warning(
        "CMP093",
        "PATTERN_PROPERTIES_CHANGED",
        "patternProperties changed in a way that can reject old data",
        "Confluent's rules do not compare patternProperties schemas, so this passes its check; "
        "but properties the writer produced under a removed or narrowed pattern can fail the "
        "reader.",
        "Keep each pattern and only widen its schema; add patterns only to closed content models.",
    ),
    _json_warning(
        "CMP094",
        "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES",
        "a property was added to a model that is open apart from its patternProperties",
        "Confluent counts a model with patternProperties as not open, so it accepts the new "
        "property; but the writer allowed any value under that name (no additionalProperties: "
        "false), which the new declaration may reject.",
        "Set additionalProperties: false in the writer's version first, or give the new "
        "property a schema that accepts anything.",
    ),
    _json_warning(
        "CMP095",
        "ONE_OF_BRANCHES_MAY_OVERLAP",
        "oneOf branches may overlap",
        "A value matching more than one oneOf branch is rejected, and nothing here shows the "
        "branches are exclusive (distinct types, distinct const/enum values, or a required "
        "tag property with distinct values): data that matched one branch before may now "
        "match two.",
        "Use anyOf, or make the branches exclusive with a required discriminator property "
        "(`kind: {const: ...}`) in each.",
    ),
    _json_warning(
        "CMP096",
        "DECIMAL_ENCODING_CHANGED",
        "a Kafka Connect decimal switched between string and number",
        "Confluent accepts string <-> number for `connect.type: bytes` (Kafka Connect "
        "Decimal), but a plain JSON Schema validator rejects the writer's values.",
        "Make sure every consumer decodes Connect decimals in both encodings.",
    ),
    _json_warning(
        "CMP097",
        "CONSTRAINT_NOT_COMPARED",
        "a keyword Confluent's rules do not compare changed",
        "Confluent's diff never compares one version's if/then/else, propertyNames or contains "
        "with the other's, so it accepts any edit to them; the edit may reject data the writer "
        "produced.",
        "Review the change by hand: only relax these keywords in a compatible evolution.",
    ),
    _json_warning(
        "CMP098",
        "TYPE_KEYWORD_ADDED",
        "a `type` was added beside keywords that had no type",
        "Without `type`, keywords such as maxLength or minimum only apply to values of their "
        "type and let every other type through; Confluent's rules see no change when `type` is "
        "added, but the writer's values of other types are now rejected.",
        "Leave `type` out (or list every type the writer may send), or introduce the stricter "
        "schema as a new event type.",
    ),
)


def _proto(
    rule_id: str, code: str, summary: str, why: str, hint: str, what: str = ""
) -> ChangeKind:
    return ChangeKind(rule_id, code, "protobuf", "error", summary, why, hint, what)


PROTO_NEW_FIELD = (
    "Leave the old field as it is (or deprecate it with `[deprecated = true]`) and add a new "
    "field with a new number; reserve a number and name only once nothing writes them. "
)

# Protobuf: Confluent Schema Registry's incompatible difference types, then the `buf breaking`
# categories a registry-compatible change still breaks.
PROTOBUF_KINDS: tuple[ChangeKind, ...] = (
    _proto(
        "CMP100",
        "PACKAGE_CHANGED",
        "the Protobuf package changed",
        "Every message's full name changes with the package, so readers resolve no type the "
        "writer's data names (and Confluent's serializers look messages up by full name).",
        "Keep the package; publish the moved messages as a new event type on their own subject.",
        what=("Flags a `package` that differs between the writer's and the reader's .proto file."),
    ),
    _proto(
        "CMP101",
        "MESSAGE_REMOVED",
        "a message was removed from the schema",
        "Data written with the old schema may hold the removed message type; a reader without "
        "it cannot decode that data (Confluent's wire format names the message by its index).",
        "Keep the message (it costs nothing on the wire); stop using it in new fields instead.",
        what=(
            "Flags a message the writer's file defines and the reader's does not; messages, "
            "nested ones included, are matched by full name."
        ),
    ),
    _proto(
        "CMP102",
        "FIELD_KIND_CHANGED",
        "a field changed between scalar, message and map",
        "Scalars, embedded messages and maps are encoded differently on the wire: the reader "
        "misreads or drops the writer's value.",
        PROTO_NEW_FIELD + NEW_VERSION,
        what=(
            "Flags a field (matched by number) whose kind changed between scalar, message and map."
        ),
    ),
    _proto(
        "CMP103",
        "FIELD_SCALAR_KIND_CHANGED",
        "a scalar field changed to a type its encoding does not read as",
        "Only scalars of one group read as each other (int32, int64, uint32, uint64, bool and "
        "enums; sint32 and sint64; string and bytes; fixed32 and sfixed32; fixed64 and "
        "sfixed64): another type decodes the writer's bytes as a different value or fails.",
        PROTO_NEW_FIELD + NEW_VERSION,
        what=(
            "Flags a scalar field (matched by number) whose type left its wire-compatible group: "
            "int32, int64, uint32, uint64, bool and enums; sint32 and sint64; string and bytes; "
            "fixed32 and sfixed32; fixed64 and sfixed64."
        ),
    ),
    _proto(
        "CMP104",
        "FIELD_NAMED_TYPE_CHANGED",
        "a field's message type changed (another message, or an incompatible change inside it)",
        "The reader decodes the writer's embedded message with another message type, so its "
        "fields are misread or lost.",
        PROTO_NEW_FIELD + NEW_VERSION,
        what=(
            "Flags a message-typed field (matched by number) that names another message, or whose "
            "message changed incompatibly."
        ),
    ),
    _proto(
        "CMP105",
        "FIELD_NUMERIC_LABEL_CHANGED",
        "a numeric field changed between singular and repeated",
        "Repeated numeric fields are packed by default in proto3: a singular reader of packed "
        "data, or a repeated reader of unpacked data in some runtimes, loses values.",
        PROTO_NEW_FIELD + NEW_VERSION,
        what=(
            "Flags a numeric field (matched by number) that changed between singular and "
            "`repeated`."
        ),
    ),
    _proto(
        "CMP106",
        "REQUIRED_FIELD_ADDED",
        "a proto2 `required` field was added",
        "Data written without the field fails to parse in a reader that requires it.",
        "Add the field as `optional` and enforce its presence in the consumer's code.",
        what=("Flags a proto2 `required` field the reader's schema has and the writer's lacks."),
    ),
    _proto(
        "CMP107",
        "REQUIRED_FIELD_REMOVED",
        "a proto2 `required` field was removed",
        "Readers that still require the field reject the new writer's data (forward), and the "
        "registry treats a removed required field as a breaking change.",
        "Keep writing the field; make it `optional` only in a new event type.",
        what=("Flags a proto2 `required` field the writer's schema has and the reader's lacks."),
    ),
    _proto(
        "CMP108",
        "ONEOF_FIELD_REMOVED",
        "a field was removed from a oneof that still exists",
        "Old data may have set the removed member; the reader then sees none of the oneof's "
        "cases set and loses the value.",
        "Keep the member in the oneof (mark it deprecated) and handle it in consumers.",
        what=("Flags a member removed from a oneof that both schemas still have."),
    ),
    _proto(
        "CMP109",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "several independent fields were moved into one oneof",
        "Old data may set several of them at once; a oneof keeps only the last, so the reader "
        "silently drops the others.",
        "Keep the fields outside the oneof; add a new oneof with new field numbers instead.",
        what=("Flags a new oneof gathering two or more fields that were independent before."),
    ),
    _proto(
        "CMP110",
        "FIELD_MOVED_TO_EXISTING_ONEOF",
        "a field was moved into a oneof together with fields it was independent of",
        "Old data may set the moved field and another member at once; the reader keeps only "
        "one of them.",
        "Keep the field outside the oneof; add a new member with a new number instead.",
        what=(
            "Flags a field that was outside a oneof and became a member of a oneof that already "
            "existed."
        ),
    ),
    ChangeKind(
        "CMP111",
        "BUF_WIRE",
        "protobuf",
        "warning",
        "a change the registry accepts breaks binary decoding (buf breaking: WIRE)",
        "Confluent's rules let it through, but `buf breaking` rejects it under WIRE: a "
        "reader may decode the writer's bytes differently (a type moved between encodings, a "
        "field moved into or out of a oneof, a deleted number that can be reused).",
        "Make the change as a new field with a new number; when deleting a field or enum "
        "value, `reserved` its number.",
        what=(
            "Compares the newer .proto file with the older as `buf breaking` does (messages and "
            "enums by full name, fields and enum values by number) and flags a change Confluent "
            "Schema Registry accepts but a rule of buf's WIRE category rejects. The finding names "
            "the buf rules."
        ),
    ),
    ChangeKind(
        "CMP112",
        "BUF_WIRE_JSON",
        "protobuf",
        "warning",
        "a change the registry accepts breaks consumers of the JSON mapping (buf breaking: "
        "WIRE_JSON)",
        "The binary encoding still reads, but the proto3 JSON mapping does not: a renamed "
        "field or enum value changes its JSON name, int64 is a JSON string while int32 is a "
        "number, bytes are base64. Consumers that read events as JSON (connectors, sinks, "
        "logs, REST bridges) break.",
        "Keep field and enum value names (add a new field instead of renaming); when deleting, "
        "`reserved` both the number and the name.",
        what=(
            "Compares the newer .proto file with the older as `buf breaking` does (messages and "
            "enums by full name, fields and enum values by number) and flags a change Confluent "
            "Schema Registry accepts but a rule of buf's WIRE_JSON category rejects (and no WIRE "
            "rule). The finding names the buf rules."
        ),
    ),
    ChangeKind(
        "CMP113",
        "BUF_FILE",
        "protobuf",
        "info",
        "a change the registry accepts breaks code generated from the old file (buf breaking: "
        "FILE)",
        "Wire and JSON still read, but code compiled against the old file no longer builds "
        "against the new one (a deleted field, message or enum value, a changed type or "
        "cardinality).",
        "Deprecate first (`[deprecated = true]`) and delete in a later major version of the "
        "generated package.",
        what=(
            "Compares the newer .proto file with the older as `buf breaking` does (messages and "
            "enums by full name, fields and enum values by number) and flags a change Confluent "
            "Schema Registry accepts but only rules of buf's FILE category reject. The finding "
            "names the buf rules."
        ),
    ),
)
KINDS = KINDS + PROTOBUF_KINDS

KINDS_BY_CODE = {kind.code: kind for kind in KINDS}

# What the compat analyses are given to decide verdicts: every code they report, by severity;
# codes not listed are compatible changes and are not reported.
SEVERITIES = {kind.code: kind.severity for kind in KINDS}

READERS_FIRST = (
    "Old readers reject it until they upgrade; under FORWARD or FULL that is not allowed. "
)

# In a FORWARD check the *old* schema reads data written with the *new* one, so Confluent's
# "added" means the new version removed something and "removed" that it added something.
# These texts say what happened in the order the versions were written.
FORWARD_TEXT: dict[str, tuple[str, str]] = {
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": (
        "The new version adds a property, and readers still on the old schema have a closed "
        "content model (additionalProperties: false) that rejects properties it does not "
        "declare.",
        READERS_FIRST
        + "To add fields under FORWARD or FULL, the old version needs a partially open content "
        "model (additionalProperties or patternProperties with a schema that covers the new "
        "property); otherwise use BACKWARD and deploy consumers before producers.",
    ),
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (
        "The new version adds a property whose values the old readers' additionalProperties "
        "or patternProperties schema rejects.",
        "Give the new property a schema within what the old version's patterns already accept.",
    ),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": (
        "The new version no longer has a property that readers on the old schema require, so "
        "its data lacks it.",
        "Keep the property (deprecate it in its description, keep writing it) until no reader "
        "on the old schema remains; or publish a new event type.",
    ),
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (
        "The new version no longer has a property that readers on the old schema require, so "
        "its data lacks it.",
        "Keep the property (deprecate it in its description, keep writing it) until no reader "
        "on the old schema remains; or publish a new event type.",
    ),
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (
        "The new version drops a property from an open content model, so its producers may "
        "send that name with any value, which readers on the old schema still validate.",
        "Keep the property declared (deprecated) in the new version, or remove it only from a "
        "closed content model.",
    ),
    "READER_FIELD_MISSING_DEFAULT_VALUE": (
        "The new version no longer writes a field that readers on the old schema need, and the "
        "old schema gives it no default.",
        "Keep writing the field until no reader on the old schema remains; under FORWARD a "
        "field can only be removed if the old schema gave it a default.",
    ),
    "MISSING_ENUM_SYMBOLS": (
        "The new version adds enum symbols that readers on the old schema do not know.",
        READERS_FIRST + "Give the enum a `default` symbol in a released version first, so "
        "old readers map unknown symbols to it.",
    ),
    "MISSING_UNION_BRANCH": (
        "The new version adds a union branch that readers on the old schema cannot decode.",
        READERS_FIRST + "Deploy consumers first under BACKWARD, or publish a new event type.",
    ),
    "ENUM_ARRAY_NARROWED": (
        "The new version adds enum values that readers on the old schema reject.",
        READERS_FIRST + "Deploy consumers first under BACKWARD, or publish a new event type.",
    ),
    "SUM_TYPE_NARROWED": (
        "The new version adds an anyOf/oneOf branch whose data readers on the old schema reject.",
        READERS_FIRST + "Deploy consumers first under BACKWARD, or publish a new event type.",
    ),
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": (
        "The new version adds a tuple position that readers on the old schema (a closed array) "
        "reject.",
        READERS_FIRST + "Deploy consumers first under BACKWARD, or publish a new event type.",
    ),
}
FORWARD_GENERIC = (
    "The new version allows data that readers still on the old schema reject.",
    "Keep the new version within what the old one accepts until every reader has upgraded, "
    "or use BACKWARD and deploy consumers before producers.",
)


def explanation(code: str, direction: str) -> tuple[str, str]:
    """(why, hint) for a change found in a BACKWARD or FORWARD check, in the order of versions."""
    kind = KINDS_BY_CODE[code]
    if direction != "FORWARD" or kind.language == "model":
        return kind.why, kind.hint
    if code in FORWARD_TEXT:
        return FORWARD_TEXT[code]
    if kind.severity == "warning":
        return kind.why, kind.hint
    return FORWARD_GENERIC


KINDS_BY_RULE = {kind.rule_id: kind for kind in KINDS}


def kind_of(code: str) -> Optional[ChangeKind]:
    """The catalogue entry for a change code, or None for changes that are compatible."""
    return KINDS_BY_CODE.get(code)


def rename_hint(language: str, old: str, new: str, old_readers_fail: bool) -> str:
    """Safe alternatives to renaming `old` to `new` in place (PROPERTY_RENAMED's hint);
    `old_readers_fail` when readers of the old schema cannot read the new data (FORWARD)."""
    if language == "avro":
        hint = (
            f'Give the new field the old name as an alias (`"name": "{new}", "aliases": '
            f'["{old}"]`): readers of the new schema then resolve data written with `{old}`.'
        )
        if old_readers_fail:
            hint += (
                f" Readers of the old schema only know `{old}`: keep writing `{old}` and add "
                f"`{new}` as a new field with a default until they have upgraded, or publish "
                "a new event type that supersedes this one."
            )
        return hint
    hint = (
        f"Keep `{old}` and add `{new}` beside it as an optional property: producers write both, "
        f"consumers read `{new}` and fall back to `{old}`; drop `{old}` in a later version, "
        "when the mode allows it."
    )
    if old_readers_fail:
        hint += (
            f" Under FORWARD or FULL, old readers must accept the extra `{new}`: a closed "
            "content model rejects it, and under FULL only a partially open one "
            "(additionalProperties or patternProperties with a schema covering the property) "
            "lets a property be added; otherwise publish a new event type that supersedes "
            "this one."
        )
    return hint
