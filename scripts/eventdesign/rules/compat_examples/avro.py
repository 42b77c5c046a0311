"""Worked examples for the Avro compatibility rules, with the sources they rest on.

`EXAMPLES` maps each Avro change code (the `avro` checker's incompatibility name) to
(example, instead): YAML `before:`/`after:` schema pairs, BACKWARD (the new schema reads data
written with the old one). The example makes `compat` report the code; `instead` reaches the
same goal from the same `before` in a way every reader resolves: an alias for a new name, a
promotion the specification allows, a new optional field with a default beside the old one.
"""

from __future__ import annotations

from .pairs import evolve

SCHEMA_RESOLUTION = (
    'Apache Avro 1.12.0 Specification, "Schema Resolution", '
    "https://avro.apache.org/docs/1.12.0/specification/#schema-resolution"
)
CONFLUENT_EVOLUTION = (
    'Confluent, "Schema Evolution and Compatibility for Schema Registry on Confluent Platform", '
    "https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html"
)
SOURCES = (SCHEMA_RESOLUTION, CONFLUENT_EVOLUTION)


EXAMPLES: dict[str, tuple[str, str]] = {
    "NAME_MISMATCH": evolve(
        "MeterRead: the record renamed after the team's vocabulary",
        """
        type: record
        name: MeterRead
        namespace: telemetry
        fields:
          - {name: meterId, type: string}
          - {name: kwh, type: double}
        """,
        """
        type: record
        name: ConsumptionMeasured               # data written as telemetry.MeterRead: no match
        namespace: telemetry
        fields:
          - {name: meterId, type: string}
          - {name: kwh, type: double}
        """,
        """
        type: record
        name: ConsumptionMeasured
        namespace: telemetry
        aliases: [telemetry.MeterRead]          # readers resolve the old name through the alias
        fields:
          - {name: meterId, type: string}
          - {name: kwh, type: double}
        """,
    ),
    "FIXED_SIZE_MISMATCH": evolve(
        "DocumentArchived: a SHA-256 digest instead of MD5",
        """
        type: record
        name: DocumentArchived
        namespace: claims
        fields:
          - {name: documentId, type: string}
          - {name: digest, type: {type: fixed, name: Digest, size: 16}}
        """,
        """
        type: record
        name: DocumentArchived
        namespace: claims
        fields:
          - {name: documentId, type: string}
          - {name: digest, type: {type: fixed, name: Digest, size: 32}}   # stored 16-byte digests
        """,
        """
        type: record
        name: DocumentArchived
        namespace: claims
        fields:
          - {name: documentId, type: string}
          - {name: digest, type: {type: fixed, name: Digest, size: 16}, doc: MD5; deprecated}
          - name: sha256                        # a new fixed type in a new optional field
            type: ["null", {type: fixed, name: Sha256, size: 32}]
            default: null
        """,
    ),
    "MISSING_ENUM_SYMBOLS": evolve(
        "RoomBooked: suites are no longer sold",
        """
        type: record
        name: RoomBooked
        namespace: hotel
        fields:
          - {name: bookingId, type: string}
          - {name: room, type: {type: enum, name: RoomType, symbols: [SINGLE, DOUBLE, SUITE]}}
        """,
        """
        type: record
        name: RoomBooked
        namespace: hotel
        fields:
          - {name: bookingId, type: string}
          - {name: room, type: {type: enum, name: RoomType, symbols: [SINGLE, DOUBLE]}}  # SUITE
        """,
        """
        type: record
        name: RoomBooked
        namespace: hotel
        fields:
          - {name: bookingId, type: string}
          - name: room
            type:
              type: enum
              name: RoomType
              symbols: [SINGLE, DOUBLE, SUITE]  # kept: booked suites stay readable
              doc: SUITE is no longer sold; bookings made before still carry it.
        """,
    ),
    "READER_FIELD_MISSING_DEFAULT_VALUE": evolve(
        "ClaimFiled: the adjuster handling the claim",
        """
        type: record
        name: ClaimFiled
        namespace: claims
        fields:
          - {name: claimId, type: string}
          - {name: policyId, type: string}
        """,
        """
        type: record
        name: ClaimFiled
        namespace: claims
        fields:
          - {name: claimId, type: string}
          - {name: policyId, type: string}
          - {name: adjuster, type: string}      # claims filed before have no value for it
        """,
        """
        type: record
        name: ClaimFiled
        namespace: claims
        fields:
          - {name: claimId, type: string}
          - {name: policyId, type: string}
          - {name: adjuster, type: ["null", string], default: null}   # absent in older claims
        """,
    ),
    "TYPE_MISMATCH": evolve(
        "EntryPosted: amounts above 2^31 cents",
        """
        type: record
        name: EntryPosted
        namespace: ledger
        fields:
          - {name: entryId, type: string}
          - {name: amountCents, type: int}
        """,
        """
        type: record
        name: EntryPosted
        namespace: ledger
        fields:
          - {name: entryId, type: string}
          - {name: amountCents, type: string}   # int is not promoted to string
        """,
        """
        type: record
        name: EntryPosted
        namespace: ledger
        fields:
          - {name: entryId, type: string}
          - {name: amountCents, type: long}     # int -> long is a promotion readers apply
        """,
    ),
    "MISSING_UNION_BRANCH": evolve(
        "ParcelDelivered: a photo as the only proof of delivery",
        """
        type: record
        name: ParcelDelivered
        namespace: parcels
        fields:
          - {name: parcelId, type: string}
          - name: proof
            type:
              - {type: record, name: Photo, fields: [{name: url, type: string}]}
              - {type: record, name: Signature, fields: [{name: signedBy, type: string}]}
        """,
        """
        type: record
        name: ParcelDelivered
        namespace: parcels
        fields:
          - {name: parcelId, type: string}
          - name: proof
            type:                               # deliveries stored with a Signature: unreadable
              - {type: record, name: Photo, fields: [{name: url, type: string}]}
        """,
        """
        type: record
        name: ParcelDelivered
        namespace: parcels
        fields:
          - {name: parcelId, type: string}
          - name: proof
            doc: A Photo; signatures are no longer collected, but stored deliveries hold them.
            type:                               # the branch stays for data already written
              - {type: record, name: Photo, fields: [{name: url, type: string}]}
              - {type: record, name: Signature, fields: [{name: signedBy, type: string}]}
        """,
    ),
}


def parts(code: str) -> dict:
    """The worked example, its compatible alternative and the sources for one change code."""
    example, instead = EXAMPLES[code]
    return {"example": example, "instead": instead, "sources": SOURCES}
