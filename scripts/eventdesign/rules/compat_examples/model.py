"""Worked examples for the compatibility rules about events as a whole, with their sources.

`EXAMPLES` maps each model-level change code (an event removed, its schema removed or moved to
another language, a property renamed, readers hurt, a mode weakened, a successor that cannot
read its predecessor) to (example, instead): `before:`/`after:` design-model fragments, each
merged into the lending-library model the rule explanations share, as `compat --against`
compares the model at a revision (`before`) with the working tree (`after`). The example makes
`compat` report the code; `instead` reaches the same goal without it, and its `after` model
passes every rule.
"""

from __future__ import annotations

from .pairs import evolve

CONFLUENT_EVOLUTION = (
    'Confluent, "Schema Evolution and Compatibility for Schema Registry on Confluent Platform", '
    "https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html"
)
VERSIONING = (
    "Greg Young, Versioning in an Event Sourced System (Leanpub, 2017), "
    '"Why can\'t I update an event?" and "Basic Type Based Versioning", '
    "https://leanpub.com/esversioning"
)
AVRO_RESOLUTION = (
    'Apache Avro 1.12.0 Specification, "Schema Resolution", '
    "https://avro.apache.org/docs/1.12.0/specification/#schema-resolution"
)

HOLD_PLACED = """
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    ordering: per-key
    schema:
      type: object
      required: [holdId, bookId]
      properties:
        holdId: {type: string}
        bookId: {type: string}
    examples:
      - {holdId: h-1, bookId: b-1}
"""

FINE_CHARGED = """
events:
  FineCharged:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    ordering: per-key
    schema:
      type: object
      additionalProperties: false
      required: [loanId, amount]
      properties:
        loanId: {type: string}
        amount: {type: number}
    examples:
      - {loanId: l-1, amount: 2.5}
"""


EXAMPLES: dict[str, tuple[str, str]] = {
    "EVENT_TYPE_REMOVED": evolve(
        "Holds are replaced by reservations",
        HOLD_PLACED,
        """
        events: {}                            # HoldPlaced deleted while notices still reads it
        """,
        """
        events:
          HoldPlaced:
            deprecated: true                  # stays until notices stops reading it
            description: Retired in favour of reservations; no longer produced after the switch.
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: holdId
            ordering: per-key
            schema:
              type: object
              required: [holdId, bookId]
              properties:
                holdId: {type: string}
                bookId: {type: string}
            examples:
              - {holdId: h-1, bookId: b-1}
        """,
    ),
    "EVENT_SCHEMA_REMOVED": evolve(
        "FineCharged: the payload is being redesigned",
        FINE_CHARGED,
        """
        events:
          FineCharged:                        # no schema: nothing checks what is sent
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
        """,
        """
        events:
          FineCharged:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]
              properties:
                loanId: {type: string}
                amount: {type: number}
                reason: {type: string}        # the redesign, one optional property at a time
            examples:
              - {loanId: l-1, amount: 2.5, reason: overdue}
        """,
    ),
    "SCHEMA_LANGUAGE_CHANGED": evolve(
        "MemberJoined: payloads in Avro",
        """
        events:
          MemberJoined:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: memberId
            ordering: per-key
            schema:
              type: object
              required: [memberId]
              properties:
                memberId: {type: string}
            examples:
              - {memberId: m-1}
        """,
        """
        events:
          MemberJoined:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: memberId
            ordering: per-key
            schema_format: avro               # same event, new wire format
            schema:
              type: record
              name: MemberJoined
              fields:
                - {name: memberId, type: string}
            examples:
              - {memberId: m-1}
        """,
        """
        events:
          MemberJoined:                       # still published until notices has moved
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: memberId
            ordering: per-key
            schema:
              type: object
              required: [memberId]
              properties:
                memberId: {type: string}
            examples:
              - {memberId: m-1}
          MemberRegistered:                   # the Avro payload as a new event type
            supersedes: MemberJoined
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: memberId
            ordering: per-key
            schema_format: avro
            schema:
              type: record
              name: MemberRegistered
              fields:
                - {name: memberId, type: string}
            examples:
              - {memberId: m-1}
        """,
    ),
    "PROPERTY_RENAMED": evolve(
        "LoanRenewed: `dueDate` becomes `returnBy`",
        """
        events:
          LoanRenewed:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, dueDate]
              properties:
                loanId: {type: string}
                dueDate: {type: string, format: date}
            examples:
              - {loanId: l-1, dueDate: "2026-03-01"}
        """,
        """
        events:
          LoanRenewed:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, returnBy]
              properties:
                loanId: {type: string}
                returnBy: {type: string, format: date}   # renamed: stored renewals lack it
            examples:
              - {loanId: l-1, returnBy: "2026-03-01"}
        """,
        """
        events:
          LoanRenewed:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, dueDate]
              properties:
                loanId: {type: string}
                dueDate: {type: string, format: date, description: Deprecated; read returnBy.}
                returnBy: {type: string, format: date}   # beside it; producers write both
            examples:
              - {loanId: l-1, dueDate: "2026-03-01", returnBy: "2026-03-01"}
        """,
    ),
    "READERS_HURT": evolve(
        "FineCharged: the amount with its currency",
        FINE_CHARGED,
        """
        events:
          FineCharged:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]
              properties:
                loanId: {type: string}
                amount:                       # was a number: notices, once upgraded, rejects
                  type: object                # every fine charged before
                  required: [value, currency]
                  properties:
                    value: {type: number}
                    currency: {type: string}
            examples:
              - {loanId: l-1, amount: {value: 2.5, currency: EUR}}
        """,
        """
        events:
          FineCharged:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]
              properties:
                loanId: {type: string}
                amount: {type: number}
                currency: {type: string}      # optional beside it: every reader still reads
            examples:
              - {loanId: l-1, amount: 2.5, currency: EUR}
        """,
    ),
    "COMPATIBILITY_WEAKENED": evolve(
        "ReservationMade: let the producer add fields before notices upgrades",
        """
        events:
          ReservationMade:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: reservationId
            ordering: per-key
            compatibility: FULL
            schema:
              type: object
              required: [reservationId]
              properties:
                reservationId: {type: string}
              additionalProperties: {type: string}
            examples:
              - {reservationId: r-1}
        """,
        """
        events:
          ReservationMade:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: reservationId
            ordering: per-key
            compatibility: BACKWARD           # old readers are no longer considered
            schema:
              type: object
              required: [reservationId]
              properties:
                reservationId: {type: string}
                branch: {type: string}
              additionalProperties: {type: string}
            examples:
              - {reservationId: r-1, branch: central}
        """,
        """
        events:
          ReservationMade:
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: reservationId
            ordering: per-key
            compatibility: FULL               # kept: the open string properties already
            schema:                           # let a string field be added both ways
              type: object
              required: [reservationId]
              properties:
                reservationId: {type: string}
                branch: {type: string}
              additionalProperties: {type: string}
            examples:
              - {reservationId: r-1, branch: central}
        """,
    ),
    "SUPERSEDED_EVENT_INCOMPATIBLE": evolve(
        "FineAssessed replaces FineCharged",
        FINE_CHARGED,
        """
        events:
          FineCharged:
            deprecated: true
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]
              properties:
                loanId: {type: string}
                amount: {type: number}
            examples:
              - {loanId: l-1, amount: 2.5}
          FineAssessed:
            supersedes: FineCharged
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amountCents]   # FineCharged payloads have no amountCents
              properties:
                loanId: {type: string}
                amountCents: {type: integer}
            examples:
              - {loanId: l-1, amountCents: 250}
        """,
        """
        events:
          FineCharged:
            deprecated: true
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]
              properties:
                loanId: {type: string}
                amount: {type: number}
            examples:
              - {loanId: l-1, amount: 2.5}
          FineAssessed:
            supersedes: FineCharged
            producer: lending
            consumers: [notices]
            channel: lending.events
            key: loanId
            ordering: per-key
            schema:
              type: object
              additionalProperties: false
              required: [loanId, amount]      # reads FineCharged payloads as they are
              properties:
                loanId: {type: string}
                amount: {type: number}
                amountCents: {type: integer}
            examples:
              - {loanId: l-1, amount: 2.5, amountCents: 250}
        """,
    ),
}


def parts(code: str) -> dict:
    """The worked example, its compatible alternative and the sources for one change code."""
    example, instead = EXAMPLES[code]
    return {"example": example, "instead": instead, "sources": SOURCES[code]}


SOURCES: dict[str, tuple[str, ...]] = {
    "EVENT_TYPE_REMOVED": (VERSIONING, CONFLUENT_EVOLUTION),
    "EVENT_SCHEMA_REMOVED": (CONFLUENT_EVOLUTION, VERSIONING),
    "SCHEMA_LANGUAGE_CHANGED": (VERSIONING, CONFLUENT_EVOLUTION, AVRO_RESOLUTION),
    "PROPERTY_RENAMED": (CONFLUENT_EVOLUTION, AVRO_RESOLUTION, VERSIONING),
    "READERS_HURT": (CONFLUENT_EVOLUTION,),
    "COMPATIBILITY_WEAKENED": (CONFLUENT_EVOLUTION,),
    "SUPERSEDED_EVENT_INCOMPATIBLE": (VERSIONING, CONFLUENT_EVOLUTION),
}
