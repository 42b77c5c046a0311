"""The one payload field walker: every field of a JSON Schema, Avro or Protobuf payload.

Payloads from a ride-hailing system (trip requests, driver assignments) written for these tests.
"""

from __future__ import annotations

from eventdesign.model.payload import json_type_at
from eventdesign.model.payload_fields import iter_fields, iter_payload_fields
from eventdesign.protobuf.payload import ProtoPayload
from eventdesign.render.docs import MAX_FIELD_ROWS, payload_fields

TRIP_REQUESTED = {
    "type": "object",
    "required": ["tripId", "rider"],
    "properties": {
        "tripId": {"type": "string", "format": "uuid", "description": "The trip."},
        "rider": {"$ref": "#/$defs/rider"},
        "payment": {
            "oneOf": [
                {"properties": {"cardNumber": {"type": "string"}}},
                {"properties": {"walletId": {"type": "string"}}},
            ]
        },
        "stops": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"address": {"type": "string"}},
            },
        },
        "class": {"type": "string", "enum": ["economy", "comfort"]},
    },
    "$defs": {
        "rider": {
            "type": "object",
            "description": "Who asked for the trip.",
            "required": ["email"],
            "properties": {"email": {"type": "string", "format": "email"}},
        }
    },
}

DRIVER_ASSIGNED_AVRO = {
    "type": "record",
    "name": "DriverAssigned",
    "namespace": "rides",
    "fields": [
        {"name": "tripId", "type": "string", "doc": "The trip."},
        {"name": "etaSeconds", "type": "long"},
        {"name": "plate", "type": ["null", "string"], "default": None},
        {
            "name": "vehicle",
            "type": {
                "type": "record",
                "name": "Vehicle",
                "fields": [
                    {
                        "name": "kind",
                        "type": {"type": "enum", "name": "Kind", "symbols": ["CAR", "VAN"]},
                    }
                ],
            },
        },
        {"name": "extras", "type": {"type": "map", "values": "Vehicle"}},
    ],
}

TRIP_PROTO = """syntax = "proto3";
package rides.v1;
message TripPriced {
  string trip_id = 1;
  int64 fare_cents = 2;
  int32 seats = 3;
  repeated Stop stops = 4;
}
message Stop {
  string address = 1;
}
"""


def by_path(fields) -> dict:
    return {field.path: field for field in fields}


def test_json_schema_fields_carry_path_pointer_type_and_description() -> None:
    fields = by_path(iter_payload_fields(TRIP_REQUESTED, "jsonschema"))
    trip_id = fields["tripId"]
    assert (trip_id.required, trip_id.type, trip_id.format, trip_id.description) == (
        True,
        "string (uuid)",
        "uuid",
        "The trip.",
    )
    assert fields["rider"].description == "Who asked for the trip."
    assert fields["rider.email"].pointer == "/$defs/rider/properties/email"
    assert fields["rider.email"].format == "email"
    assert fields["class"].enum == ("economy", "comfort")
    assert fields["stops[]"].item and fields["stops[].address"].parts == ("stops", "address")


def test_fields_of_alternatives_are_found_but_not_listed_in_the_payload_table() -> None:
    every = [field.dotted for field in iter_fields(TRIP_REQUESTED, "jsonschema")]
    assert "payment.cardNumber" in every and "payment.walletId" in every
    listed = [row.path for row in payload_fields(TRIP_REQUESTED, "jsonschema")]
    assert listed == [
        "tripId",
        "rider",
        "rider.email",
        "payment",
        "stops",
        "stops[]",
        "stops[].address",
        "class",
    ]


def test_a_schema_that_contains_itself_is_shown_recursive_and_walked_once() -> None:
    schema = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "referredBy": {"$ref": "#"}},
    }
    assert [field.dotted for field in iter_fields(schema, "jsonschema")] == [
        "email",
        "referredBy",
    ]
    assert payload_fields(schema, "jsonschema")[1].type == "# (recursive)"


def test_avro_fields_resolve_named_types_unions_and_maps() -> None:
    fields = by_path(iter_payload_fields(DRIVER_ASSIGNED_AVRO, "avro"))
    assert not fields["plate"].required and fields["plate"].type == "null | string"
    assert fields["vehicle.kind"].enum == ("CAR", "VAN")
    assert fields["vehicle.kind"].pointer == "/fields/3/type/fields/0"
    # A map's values have no path of their own in a table: found, not listed.
    assert [f.direct for f in iter_fields(DRIVER_ASSIGNED_AVRO, "avro")][-1] is False
    assert "extras.kind" not in {row.path for row in payload_fields(DRIVER_ASSIGNED_AVRO, "avro")}


def test_json_type_of_a_key_field_in_each_format() -> None:
    assert json_type_at(TRIP_REQUESTED, "jsonschema", "rider.email") == "string"
    assert json_type_at(TRIP_REQUESTED, "jsonschema", "rider.phone") is None
    assert json_type_at(DRIVER_ASSIGNED_AVRO, "avro", "etaSeconds") == "integer"
    assert json_type_at(DRIVER_ASSIGNED_AVRO, "avro", "plate") is None  # a union
    proto = ProtoPayload(TRIP_PROTO, "trip_priced.proto", message="TripPriced")
    # proto3 JSON: 64-bit integers are strings; fields may be named by their JSON names.
    assert json_type_at(proto, "protobuf", "fareCents") == "string"
    assert json_type_at(proto, "protobuf", "seats") == "integer"


def test_protobuf_fields_are_the_messages_fields_depth_first() -> None:
    proto = ProtoPayload(TRIP_PROTO, "trip_priced.proto", message="TripPriced")
    fields = list(iter_payload_fields(proto, "protobuf"))
    assert [field.dotted for field in fields] == [
        "trip_id",
        "fare_cents",
        "seats",
        "stops",
        "stops.address",
    ]
    assert fields[3].type == "repeated Stop" and not fields[3].required


def test_a_full_payload_table_keeps_the_items_row_of_an_array_it_lists() -> None:
    properties = {f"f{index:03}": {"type": "string"} for index in range(MAX_FIELD_ROWS - 1)}
    properties["legs"] = {
        "type": "array",
        "items": {"type": "object", "properties": {"km": {"type": "number"}}},
    }
    properties["late"] = {"type": "string"}
    rows = payload_fields({"type": "object", "properties": properties}, "jsonschema")
    assert [row.path for row in rows[-2:]] == ["legs", "legs[]"]
    assert len(rows) == MAX_FIELD_ROWS + 1
