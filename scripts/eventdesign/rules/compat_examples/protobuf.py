"""Worked examples for the Protobuf compatibility rules, with the sources they rest on.

`EXAMPLES` maps each Protobuf change code (Confluent's difference type, or the `buf breaking`
category a registry-compatible change still breaks) to (example, instead): YAML
`before:`/`after:` pairs of .proto files, BACKWARD (the new schema reads data written with the
old one). The example makes `compat` report the code; `instead` reaches the same goal from the
same `before` without breaking any reader: a new field with a new number beside the old one,
marked deprecated, rather than a field changed in place.
"""

from __future__ import annotations

from functools import partial

from .pairs import evolve

UPDATING_PROTO3 = (
    'Protocol Buffers Language Guide (proto 3), "Updating A Message Type", '
    "https://protobuf.dev/programming-guides/proto3/#updating"
)
UPDATING_PROTO2 = (
    'Protocol Buffers Language Guide (proto 2), "Updating A Message Type", '
    "https://protobuf.dev/programming-guides/proto2/#updating"
)
BUF_RULES = 'Buf, "Rules and categories" (breaking change detection), https://buf.build/docs/breaking/rules/'
CONFLUENT_PROTOBUF = (
    'Confluent, "Protobuf Schema Serializer and Deserializer for Schema Registry on Confluent '
    'Platform", https://docs.confluent.io/platform/current/schema-registry/fundamentals/'
    "serdes-develop/serdes-protobuf.html"
)
CONFLUENT_EVOLUTION = (
    'Confluent, "Schema Evolution and Compatibility for Schema Registry on Confluent Platform", '
    "https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html"
)


_evolve = partial(evolve, text=True)  # .proto files as literal blocks

EXAMPLES: dict[str, tuple[str, str]] = {
    "PACKAGE_CHANGED": _evolve(
        "EntryPosted, version 2: the booking date",
        """
        syntax = "proto3";
        package ledger.v1;
        message EntryPosted {
          string entry_id = 1;
          int64 amount_cents = 2;
        }
        """,
        """
        syntax = "proto3";
        package ledger.v2;                    // every full name changes: ledger.v2.EntryPosted
        message EntryPosted {
          string entry_id = 1;
          int64 amount_cents = 2;
          string booking_date = 3;
        }
        """,
        """
        syntax = "proto3";
        package ledger.v1;                    // same package: readers still resolve EntryPosted
        message EntryPosted {
          string entry_id = 1;
          int64 amount_cents = 2;
          string booking_date = 3;            // a new field is all version 2 needed
        }
        """,
    ),
    "MESSAGE_REMOVED": _evolve(
        "RoomBooked: vouchers are gone, so is their message",
        """
        syntax = "proto3";
        package hotel.v1;
        message RoomBooked {
          string booking_id = 1;
        }
        message VoucherRedeemed {
          string code = 1;
        }
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message RoomBooked {
          string booking_id = 1;
        }
        // VoucherRedeemed deleted: stored data naming it can no longer be decoded
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message RoomBooked {
          string booking_id = 1;
        }
        // No longer published; kept so data already written with it stays readable.
        message VoucherRedeemed {
          string code = 1;
        }
        """,
    ),
    "FIELD_KIND_CHANGED": _evolve(
        "PolicyIssued: the insured person as a structure, not a name",
        """
        syntax = "proto3";
        package insurance.v1;
        message Person {
          string name = 1;
          string birth_date = 2;
        }
        message PolicyIssued {
          string policy_id = 1;
          string insured = 2;
        }
        """,
        """
        syntax = "proto3";
        package insurance.v1;
        message Person {
          string name = 1;
          string birth_date = 2;
        }
        message PolicyIssued {
          string policy_id = 1;
          Person insured = 2;                 // was a string: stored policies misread
        }
        """,
        """
        syntax = "proto3";
        package insurance.v1;
        message Person {
          string name = 1;
          string birth_date = 2;
        }
        message PolicyIssued {
          string policy_id = 1;
          string insured = 2 [deprecated = true];
          Person insured_person = 3;          // a new field with a new number
        }
        """,
    ),
    "FIELD_SCALAR_KIND_CHANGED": _evolve(
        "TemperatureMeasured: double precision",
        """
        syntax = "proto3";
        package telemetry.v1;
        message TemperatureMeasured {
          string sensor_id = 1;
          float celsius = 2;
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message TemperatureMeasured {
          string sensor_id = 1;
          double celsius = 2;                 // 4-byte floats read as 8-byte doubles: garbage
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message TemperatureMeasured {
          string sensor_id = 1;
          float celsius = 2 [deprecated = true];
          double celsius_precise = 3;         // new number, new type
        }
        """,
    ),
    "FIELD_NAMED_TYPE_CHANGED": _evolve(
        "ParcelDispatched: deliveries to parcel lockers",
        """
        syntax = "proto3";
        package parcels.v1;
        message Address {
          string street = 1;
          string city = 2;
        }
        message Locker {
          string locker_id = 1;
        }
        message ParcelDispatched {
          string parcel_id = 1;
          Address destination = 2;
        }
        """,
        """
        syntax = "proto3";
        package parcels.v1;
        message Address {
          string street = 1;
          string city = 2;
        }
        message Locker {
          string locker_id = 1;
        }
        message ParcelDispatched {
          string parcel_id = 1;
          Locker destination = 2;             // stored addresses decode as lockers
        }
        """,
        """
        syntax = "proto3";
        package parcels.v1;
        message Address {
          string street = 1;
          string city = 2;
        }
        message Locker {
          string locker_id = 1;
        }
        message ParcelDispatched {
          string parcel_id = 1;
          Address destination = 2;            // still set for home deliveries
          Locker locker = 3;                  // set instead for locker deliveries
        }
        """,
    ),
    "FIELD_NUMERIC_LABEL_CHANGED": _evolve(
        "RoomBooked: several rooms in one booking",
        """
        syntax = "proto2";
        package hotel.v1;
        message RoomBooked {
          optional string booking_id = 1;
          optional int32 room_number = 2;
        }
        """,
        """
        syntax = "proto2";
        package hotel.v1;
        message RoomBooked {
          optional string booking_id = 1;
          repeated int32 room_number = 2;     // a singular reader of several values keeps one
        }
        """,
        """
        syntax = "proto2";
        package hotel.v1;
        message RoomBooked {
          optional string booking_id = 1;
          optional int32 room_number = 2;     // the first room, as before
          repeated int32 more_room_numbers = 3;
        }
        """,
    ),
    "REQUIRED_FIELD_ADDED": _evolve(
        "TransferBooked: every transfer names its currency",
        """
        syntax = "proto2";
        package ledger.v1;
        message TransferBooked {
          optional string transfer_id = 1;
          optional int64 amount_cents = 2;
        }
        """,
        """
        syntax = "proto2";
        package ledger.v1;
        message TransferBooked {
          optional string transfer_id = 1;
          optional int64 amount_cents = 2;
          required string currency = 3;       // stored transfers lack it: parsing fails
        }
        """,
        """
        syntax = "proto2";
        package ledger.v1;
        message TransferBooked {
          optional string transfer_id = 1;
          optional int64 amount_cents = 2;
          optional string currency = 3 [default = "EUR"];   // older transfers were all in euros
        }
        """,
    ),
    "REQUIRED_FIELD_REMOVED": _evolve(
        "ClaimFiled: agents no longer handle claims",
        """
        syntax = "proto2";
        package claims.v1;
        message ClaimFiled {
          optional string claim_id = 1;
          required string agent_code = 2;
        }
        """,
        """
        syntax = "proto2";
        package claims.v1;
        message ClaimFiled {
          optional string claim_id = 1;
          // agent_code dropped: readers that require it reject every new claim
        }
        """,
        """
        syntax = "proto2";
        package claims.v1;
        message ClaimFiled {
          optional string claim_id = 1;
          required string agent_code = 2;     // "DIRECT" until no reader requires it
        }
        """,
    ),
    "ONEOF_FIELD_REMOVED": _evolve(
        "StayPaid: vouchers are no longer accepted",
        """
        syntax = "proto3";
        package hotel.v1;
        message StayPaid {
          string booking_id = 1;
          oneof method {
            string card_token = 2;
            string voucher_code = 3;
          }
        }
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message StayPaid {
          string booking_id = 1;
          oneof method {
            string card_token = 2;            // stays paid by voucher read as unpaid
          }
        }
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message StayPaid {
          string booking_id = 1;
          oneof method {
            string card_token = 2;
            string voucher_code = 3 [deprecated = true];   // no longer set; stored stays still are
          }
        }
        """,
    ),
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": _evolve(
        "DeviceConnected: one network per connection",
        """
        syntax = "proto3";
        package telemetry.v1;
        message DeviceConnected {
          string device_id = 1;
          string wifi_ssid = 2;
          string cell_id = 3;
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message DeviceConnected {
          string device_id = 1;
          oneof network {                     // data setting both keeps only one
            string wifi_ssid = 2;
            string cell_id = 3;
          }
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message DeviceConnected {
          string device_id = 1;
          string wifi_ssid = 2 [deprecated = true];
          string cell_id = 3 [deprecated = true];
          oneof network {                     // a new oneof with new numbers
            string wifi = 4;
            string cell = 5;
          }
        }
        """,
    ),
    "FIELD_MOVED_TO_EXISTING_ONEOF": _evolve(
        "ParcelDelivered: a locker as one more kind of recipient",
        """
        syntax = "proto3";
        package parcels.v1;
        message ParcelDelivered {
          string parcel_id = 1;
          oneof recipient {
            string signed_by = 2;
          }
          string locker_id = 3;
        }
        """,
        """
        syntax = "proto3";
        package parcels.v1;
        message ParcelDelivered {
          string parcel_id = 1;
          oneof recipient {
            string signed_by = 2;
            string locker_id = 3;             // data with both set keeps only one
          }
        }
        """,
        """
        syntax = "proto3";
        package parcels.v1;
        message ParcelDelivered {
          string parcel_id = 1;
          oneof recipient {
            string signed_by = 2;
            string locker = 4;                // a new member with a new number
          }
          string locker_id = 3 [deprecated = true];
        }
        """,
    ),
    "BUF_WIRE": _evolve(
        "AccountOpened: the branch is no longer recorded",
        """
        syntax = "proto3";
        package banking.v1;
        message AccountOpened {
          string account_id = 1;
          string branch_code = 2;
        }
        """,
        """
        syntax = "proto3";
        package banking.v1;
        message AccountOpened {
          string account_id = 1;
          // branch_code deleted without `reserved 2;`: number 2 can be reused with another type
        }
        """,
        """
        syntax = "proto3";
        package banking.v1;
        message AccountOpened {
          string account_id = 1;
          string branch_code = 2 [deprecated = true];   // no longer set; number and name stay taken
        }
        """,
    ),
    "BUF_WIRE_JSON": _evolve(
        "GuestRegistered: the guest's full name",
        """
        syntax = "proto3";
        package hotel.v1;
        message GuestRegistered {
          string guest_id = 1;
          string name = 2;
        }
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message GuestRegistered {
          string guest_id = 1;
          string full_name = 2;               // the JSON mapping changes from "name" to "fullName"
        }
        """,
        """
        syntax = "proto3";
        package hotel.v1;
        message GuestRegistered {
          string guest_id = 1;
          string name = 2 [deprecated = true];
          string full_name = 3;               // JSON readers see "name" as before, and "fullName"
        }
        """,
    ),
    "BUF_FILE": _evolve(
        "ReadingRecorded: the firmware note is dropped",
        """
        syntax = "proto3";
        package telemetry.v1;
        message ReadingRecorded {
          string meter_id = 1;
          string firmware_note = 2;
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message ReadingRecorded {
          string meter_id = 1;
          reserved 2;                         // wire and JSON safe; generated code loses a field
          reserved "firmware_note";
        }
        """,
        """
        syntax = "proto3";
        package telemetry.v1;
        message ReadingRecorded {
          string meter_id = 1;
          string firmware_note = 2 [deprecated = true];   // delete in the next major version
        }
        """,
    ),
}

PROTO2_CODES = ("REQUIRED_FIELD_ADDED", "REQUIRED_FIELD_REMOVED", "FIELD_NUMERIC_LABEL_CHANGED")
# Confluent's serializers name a message by its full name and index in the file.
NAMING_CODES = ("PACKAGE_CHANGED", "MESSAGE_REMOVED")


def _sources(code: str) -> tuple[str, ...]:
    if code.startswith("BUF_"):
        return (BUF_RULES, UPDATING_PROTO3)
    updating = UPDATING_PROTO2 if code in PROTO2_CODES else UPDATING_PROTO3
    registry = (CONFLUENT_PROTOBUF,) if code in NAMING_CODES else ()
    return (updating, *registry, CONFLUENT_EVOLUTION, BUF_RULES)


SOURCES: dict[str, tuple[str, ...]] = {code: _sources(code) for code in EXAMPLES}


def parts(code: str) -> dict:
    """The worked example, its compatible alternative and the sources for one change code."""
    example, instead = EXAMPLES[code]
    return {"example": example, "instead": instead, "sources": SOURCES[code]}
