"""Worked examples for the JSON Schema compatibility rules, with the sources they rest on.

`EXAMPLES` maps each JSON Schema change code (Confluent's `Difference.Type` name) to
(example, instead): YAML `before:`/`after:` pairs, BACKWARD (the new schema reads data written
with the old one). The example makes `compat` report the code; `instead` reaches the same goal
from the same `before` without breaking any reader: a new optional property beside the old one,
a constraint kept in the schema and enforced by the producer, a new branch rather than a changed
one, or, where no compatible change exists, the old event type marked deprecated in favour of a
new one. `SOURCES` gives each code the documents that define its keyword and Confluent's rule.
"""

from __future__ import annotations

import textwrap
from typing import Optional

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _block(schema: str, dialect: Optional[str]) -> str:
    text = textwrap.dedent(schema).strip("\n") + "\n"
    if dialect:
        text = f"$schema: {dialect}\n{text}"
    return textwrap.indent(text, "  ")


def _pair(goal: str, before: str, after: str, dialect: Optional[str]) -> str:
    return f"# {goal}\nbefore:\n{_block(before, dialect)}after:\n{_block(after, dialect)}"


def _evolve(
    goal: str,
    before: str,
    after: str,
    instead: str,
    instead_before: Optional[str] = None,
    dialect: Optional[str] = None,
) -> tuple[str, str]:
    """(example, instead) for one goal: `before` evolved to `after`, or compatibly to `instead`.

    `instead_before` is for the rare fix that starts from a differently designed first version;
    `dialect` names the `$schema` of keywords older drafts lack (prefixItems, unevaluated*).
    """
    return (
        _pair(goal, before, after, dialect),
        _pair(goal, instead_before or before, instead, dialect),
    )


EXAMPLES: dict[str, tuple[str, str]] = {
    # Types ---------------------------------------------------------------------------------
    "TYPE_CHANGED": _evolve(
        "TripCompleted: the fare as a number rather than a string",
        """
        type: object
        additionalProperties: false
        required: [tripId, fare]
        properties:
          tripId: {type: string}
          fare: {type: string}              # "12.50"
        """,
        """
        type: object
        additionalProperties: false
        required: [tripId, fare]
        properties:
          tripId: {type: string}
          fare: {type: number}              # trips already recorded hold "12.50": rejected
        """,
        """
        type: object
        additionalProperties: false
        required: [tripId, fare]
        properties:
          tripId: {type: string}
          fare: {type: string, deprecated: true}   # still written until no reader needs it
          fareAmount: {type: number}               # new and optional: old trips lack it
        """,
    ),
    "TYPE_NARROWED": _evolve(
        "TemperatureMeasured: whole degrees only",
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius: {type: integer}          # stored readings such as 21.5 are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius:
            type: number
            description: Rounded to whole degrees since firmware 3; older readings have decimals.
        """,
    ),
    "SCHEMA_ADDED": _evolve(
        "ClaimFiled: attachments as links to documents",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          attachments: {type: array}        # items of any kind
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          attachments:
            type: array
            items: {type: string, format: uri}   # claims filed with other items are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          attachments: {type: array, deprecated: true}
          attachmentUrls:                   # a new optional property carries the typed list
            type: array
            items: {type: string, format: uri}
        """,
    ),
    # Strings -------------------------------------------------------------------------------
    "MAX_LENGTH_ADDED": _evolve(
        "GuestCheckedIn: short special requests",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          specialRequests: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          specialRequests: {type: string, maxLength: 200}   # longer stored requests rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          specialRequests:
            type: string
            description: The check-in app stops at 200 characters; older requests may be longer.
        """,
    ),
    "MAX_LENGTH_DECREASED": _evolve(
        "LoanApplied: a purpose that fits on a statement line",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          purpose: {type: string, maxLength: 500}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          purpose: {type: string, maxLength: 140}   # applications with 141-500 rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          purpose:
            type: string
            maxLength: 500
            description: New applications send at most 140 characters; older ones up to 500.
        """,
    ),
    "MIN_LENGTH_ADDED": _evolve(
        "ClaimAssessed: the assessor always writes a note",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          assessorNote: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          assessorNote: {type: string, minLength: 1}   # assessments with "" are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          assessorNote:
            type: string
            description: The assessment form requires a note; older assessments may have "".
        """,
    ),
    "MIN_LENGTH_INCREASED": _evolve(
        "DeviceRegistered: the new 12-character serial numbers",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          serialNumber: {type: string, minLength: 6}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          serialNumber: {type: string, minLength: 12}   # devices registered with 6-11 rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          serialNumber:
            type: string
            minLength: 6
            description: Devices made since 2026 have 12 characters; older ones 6 to 11.
        """,
    ),
    "PATTERN_ADDED": _evolve(
        "RoomBooked: room numbers are three or four digits",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomNumber: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomNumber: {type: string, pattern: "^[0-9]{3,4}$"}   # "Annex 2" bookings rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomNumber:
            type: string
            description: Three or four digits; bookings before 2026 also name annex rooms.
        """,
    ),
    "PATTERN_CHANGED": _evolve(
        "DriverAssigned: plates in the new national format",
        """
        type: object
        additionalProperties: false
        properties:
          driverId: {type: string}
          licensePlate: {type: string, pattern: "^[A-Z]{3}-[0-9]{3}$"}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          driverId: {type: string}
          licensePlate: {type: string, pattern: "^[A-Z]{2}[0-9]{4}$"}   # ABC-123 rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          driverId: {type: string}
          licensePlate:                     # the pattern dropped: both formats are accepted
            type: string
            description: ABC-123 (old format) or AB1234 (from 2026).
        """,
    ),
    # Numbers -------------------------------------------------------------------------------
    "MAXIMUM_ADDED": _evolve(
        "LoanApplied: a ceiling on unsecured loans",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          amount: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          amount: {type: number, maximum: 50000}   # larger applications on file are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          amount:
            type: number
            description: The application service refuses more than 50000; older ones may exceed it.
        """,
    ),
    "MAXIMUM_DECREASED": _evolve(
        "RoomBooked: at most four guests a room",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guests: {type: integer, minimum: 1, maximum: 8}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guests: {type: integer, minimum: 1, maximum: 4}   # bookings for 5-8 are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guests:
            type: integer
            minimum: 1
            maximum: 8
            description: The booking site allows 4 since 2026; older bookings have up to 8.
        """,
    ),
    "MINIMUM_ADDED": _evolve(
        "BatteryLevelReported: no negative percentages",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          percent: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          percent: {type: number, minimum: 0}   # old firmware sent -1 for "unknown": rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          percent:
            type: number
            description: 0 to 100; firmware before 3.0 sends -1 when the level is unknown.
        """,
    ),
    "MINIMUM_INCREASED": _evolve(
        "ClaimFiled: claims below the deductible are not filed",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          amountClaimed: {type: number, minimum: 0}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          amountClaimed: {type: number, minimum: 100}   # filed claims under 100 are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          amountClaimed:
            type: number
            minimum: 0
            description: The claims portal refuses amounts under the 100 deductible since 2026.
        """,
    ),
    "EXCLUSIVE_MAXIMUM_ADDED": _evolve(
        "SurgePriced: the multiplier stays below 5",
        """
        type: object
        additionalProperties: false
        properties:
          zoneId: {type: string}
          multiplier: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          zoneId: {type: string}
          multiplier: {type: number, exclusiveMaximum: 5}   # past surges of 5 or more rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          zoneId: {type: string}
          multiplier:
            type: number
            description: Capped below 5 by the pricing service since 2026; earlier surges were not.
        """,
    ),
    "EXCLUSIVE_MAXIMUM_DECREASED": _evolve(
        "InterestRateSet: the legal cap on annual rates",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          annualRate: {type: number, exclusiveMaximum: 1}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          annualRate: {type: number, exclusiveMaximum: 0.36}   # rates set at 0.36+ rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          annualRate:
            type: number
            exclusiveMaximum: 1
            description: Rates set since the 2026 cap stay below 0.36; older loans may exceed it.
        """,
    ),
    "EXCLUSIVE_MINIMUM_ADDED": _evolve(
        "RoomRateChanged: no free rooms",
        """
        type: object
        additionalProperties: false
        properties:
          roomType: {type: string}
          nightlyRate: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          roomType: {type: string}
          nightlyRate: {type: number, exclusiveMinimum: 0}   # complimentary rates of 0 rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          roomType: {type: string}
          nightlyRate:
            type: number
            description: Positive since 2026; older changes may set 0 for complimentary rooms.
        """,
    ),
    "EXCLUSIVE_MINIMUM_INCREASED": _evolve(
        "SamplingIntervalChanged: intervals over a second, to save battery",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          intervalSeconds: {type: number, exclusiveMinimum: 0}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          intervalSeconds: {type: number, exclusiveMinimum: 1}   # past 0.5 s intervals rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          intervalSeconds:
            type: number
            exclusiveMinimum: 0
            description: The console only sets intervals over 1 s since firmware 4.
        """,
    ),
    "MULTIPLE_OF_ADDED": _evolve(
        "TripCompleted: durations billed by the minute",
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          durationSeconds: {type: integer}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          durationSeconds: {type: integer, multipleOf: 60}   # a past trip of 754 s is rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          durationSeconds: {type: integer}
          billedMinutes: {type: integer}    # the rounded figure, in a new optional property
        """,
    ),
    "MULTIPLE_OF_EXPANDED": _evolve(
        "LoanApproved: terms in whole years",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          termMonths: {type: integer, multipleOf: 6}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          termMonths: {type: integer, multipleOf: 12}   # approved 18-month loans are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          termMonths:
            type: integer
            multipleOf: 6
            description: Whole years for loans approved since 2026; half years before.
        """,
    ),
    "MULTIPLE_OF_CHANGED": _evolve(
        "VibrationSampled: sampling at 10 Hz instead of 4 Hz",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          offsetMs: {type: integer, multipleOf: 250}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          offsetMs: {type: integer, multipleOf: 100}   # 4 Hz samples at 250 ms are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          offsetMs: {type: integer, multipleOf: 50}    # divides 250 and 100: both rates fit
        """,
    ),
    # Objects -------------------------------------------------------------------------------
    "REQUIRED_ATTRIBUTE_ADDED": _evolve(
        "RoomBooked: every booking has an arrival time",
        """
        type: object
        additionalProperties: false
        required: [bookingId]
        properties:
          bookingId: {type: string}
          arrivalTime: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        required: [bookingId, arrivalTime]  # bookings made without one are rejected
        properties:
          bookingId: {type: string}
          arrivalTime: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        required: [bookingId]
        properties:
          bookingId: {type: string}
          arrivalTime:                      # optional; readers fill in the default
            type: string
            default: "15:00"
        """,
    ),
    "MAX_PROPERTIES_ADDED": _evolve(
        "DeviceRegistered: at most ten labels a device",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          labels: {type: object, additionalProperties: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          labels:
            type: object
            additionalProperties: {type: string}
            maxProperties: 10               # devices registered with more labels are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          labels:
            type: object
            additionalProperties: {type: string}
            description: The fleet console allows ten labels; older registrations may have more.
        """,
    ),
    "MAX_PROPERTIES_DECREASED": _evolve(
        "GuestProfileUpdated: five preferences are enough",
        """
        type: object
        additionalProperties: false
        properties:
          guestId: {type: string}
          preferences:
            type: object
            additionalProperties: {type: string}
            maxProperties: 20
        """,
        """
        type: object
        additionalProperties: false
        properties:
          guestId: {type: string}
          preferences:
            type: object
            additionalProperties: {type: string}
            maxProperties: 5                # profiles with 6-20 preferences are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          guestId: {type: string}
          preferences:
            type: object
            additionalProperties: {type: string}
            maxProperties: 20
            description: The app keeps five since 2026; older profiles have up to 20.
        """,
    ),
    "MIN_PROPERTIES_ADDED": _evolve(
        "ClaimAssessed: an assessment estimates at least one damaged part",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          estimates: {type: object, additionalProperties: {type: number}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          estimates:
            type: object
            additionalProperties: {type: number}
            minProperties: 1                # assessments with no estimate ({}) are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          estimates:
            type: object
            additionalProperties: {type: number}
            description: Part name to amount; empty only for assessments before 2026.
        """,
    ),
    "MIN_PROPERTIES_INCREASED": _evolve(
        "LoanApplied: two references rather than one",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          references:
            type: object
            additionalProperties: {type: string}
            minProperties: 1
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          references:
            type: object
            additionalProperties: {type: string}
            minProperties: 2                # applications with one reference are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          references:
            type: object
            additionalProperties: {type: string}
            minProperties: 1
            description: Name to phone; two since 2026, one on older applications.
        """,
    ),
    "ADDITIONAL_PROPERTIES_REMOVED": _evolve(
        "RideRequested: reject properties the schema does not declare",
        """
        type: object
        properties:
          riderId: {type: string}
          pickupZone: {type: string}
        """,
        """
        type: object
        additionalProperties: false         # requests carrying, say, "promoCode" are rejected
        properties:
          riderId: {type: string}
          pickupZone: {type: string}
        """,
        """
        type: object
        deprecated: true                    # RideRequestedV2, closed from its first version,
        description: Superseded by RideRequestedV2.   # replaces it on its own subject
        properties:
          riderId: {type: string}
          pickupZone: {type: string}
        """,
    ),
    "ADDITIONAL_PROPERTIES_NARROWED": _evolve(
        "SensorReadingRecorded: extra metrics are numbers",
        """
        type: object
        properties:
          sensorId: {type: string}
        """,
        """
        type: object
        additionalProperties: {type: number}   # readings with "status": "ok" are rejected
        properties:
          sensorId: {type: string}
        """,
        """
        type: object
        description: Extra properties are metrics; firmware 3 sends only numbers, older may not.
        properties:
          sensorId: {type: string}
        """,
    ),
    "DEPENDENCY_ARRAY_ADDED": _evolve(
        "LoanApproved: a co-signer is always named",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          coSignerId: {type: string}
          coSignerName: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          coSignerId: {type: string}
          coSignerName: {type: string}
        dependentRequired:
          coSignerId: [coSignerName]        # approvals with an id and no name are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          coSignerId: {type: string}
          coSignerName:
            type: string
            description: Sent with every coSignerId since 2026; may be missing on older approvals.
        """,
    ),
    "DEPENDENCY_ARRAY_EXTENDED": _evolve(
        "PaymentAuthorized: a card's expiry travels with it",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          cardLast4: {type: string}
          cardBrand: {type: string}
          cardExpiry: {type: string}
        dependentRequired:
          cardLast4: [cardBrand]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          cardLast4: {type: string}
          cardBrand: {type: string}
          cardExpiry: {type: string}
        dependentRequired:
          cardLast4: [cardBrand, cardExpiry]   # authorizations without an expiry are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          cardLast4: {type: string}
          cardBrand: {type: string}
          cardExpiry:
            type: string
            description: Sent with every card since 2026; older authorizations may lack it.
        dependentRequired:
          cardLast4: [cardBrand]
        """,
    ),
    "DEPENDENCY_ARRAY_CHANGED": _evolve(
        "ClaimAssessed: a repair shop comes with its estimate",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          repairShopId: {type: string}
          repairShopName: {type: string}
          repairEstimate: {type: number}
        dependentRequired:
          repairShopId: [repairShopName]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          repairShopId: {type: string}
          repairShopName: {type: string}
          repairEstimate: {type: number}
        dependentRequired:
          repairShopId: [repairEstimate]    # assessments with a shop and no estimate rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          repairShopId: {type: string}
          repairShopName: {type: string}
          repairEstimate:
            type: number
            description: Sent with every repairShopId since 2026; older assessments may lack it.
        dependentRequired:
          repairShopId: [repairShopName]
        """,
    ),
    "DEPENDENCY_SCHEMA_ADDED": _evolve(
        "RideRequested: a promo code always carries its discount",
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          promoCode: {type: string}
          discountPercent: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          promoCode: {type: string}
          discountPercent: {type: number}
        dependentSchemas:
          promoCode: {required: [discountPercent]}   # older promo requests lack it: rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          promoCode: {type: string}
          discountPercent:
            type: number
            description: Sent with every promoCode since 2026; older requests may lack it.
        """,
    ),
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": _evolve(
        "DeviceRegistered: the firmware version of each device",
        """
        type: object
        properties:
          deviceId: {type: string}
        """,
        """
        type: object
        required: [firmwareVersion]         # devices registered before never sent it
        properties:
          deviceId: {type: string}
          firmwareVersion: {type: string}
        """,
        """
        type: object
        properties:
          deviceId: {type: string}
          firmwareVersion:                  # optional, and no narrower than the open model was
            description: Semantic version such as 3.1.0; absent on older registrations.
        """,
    ),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL": _evolve(
        "RoomBooked: the currency of the price",
        """
        type: object
        properties:
          bookingId: {type: string}
          price: {type: number}
        """,
        """
        type: object
        required: [currency]
        properties:
          bookingId: {type: string}
          price: {type: number}
          currency: {type: string, default: EUR}   # the open v1 let "currency": 978 through
        """,
        """
        type: object
        properties:
          bookingId: {type: string}
          price: {type: number}
          currency:                         # optional, and accepts whatever v1 let through
            default: EUR
            description: ISO 4217 code; readers assume EUR when it is absent.
        """,
    ),
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": _evolve(
        "LoanApplied: the applicant's employment status",
        """
        type: object
        properties:
          applicationId: {type: string}
        """,
        """
        type: object
        properties:
          applicationId: {type: string}
          employmentStatus: {type: string}  # the open v1 let "employmentStatus": true through
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          employmentStatus: {type: string}  # no v1 application can hold it: a safe addition
        """,
        instead_before="""
        type: object
        additionalProperties: false         # v1 published with a closed content model
        properties:
          applicationId: {type: string}
        """,
    ),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": _evolve(
        "ClaimFiled: the date of the incident",
        """
        type: object
        additionalProperties: false
        required: [claimId]
        properties:
          claimId: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        required: [claimId, incidentDate]   # claims filed before never carried it
        properties:
          claimId: {type: string}
          incidentDate: {type: string, format: date}
        """,
        """
        type: object
        additionalProperties: false
        required: [claimId]
        properties:
          claimId: {type: string}
          incidentDate: {type: string, format: date}   # optional: older claims lack it
        """,
    ),
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": _evolve(
        "DriverAssigned: the vehicle colour is no longer shown",
        """
        type: object
        additionalProperties: false
        properties:
          driverId: {type: string}
          vehicleColor: {type: string}
        """,
        """
        type: object
        additionalProperties: false         # stored events with vehicleColor are now rejected
        properties:
          driverId: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          driverId: {type: string}
          vehicleColor: {type: string, deprecated: true}   # declared until no event has it
        """,
    ),
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": _evolve(
        "RoomBooked: the floor is no longer part of a booking",
        """
        type: object
        additionalProperties: {type: string}   # extras such as "view": "sea"
        properties:
          bookingId: {type: string}
          floor: {type: integer}
        """,
        """
        type: object
        additionalProperties: {type: string}   # a stored "floor": 3 is now an extra: rejected
        properties:
          bookingId: {type: string}
        """,
        """
        type: object
        additionalProperties: {type: string}
        properties:
          bookingId: {type: string}
          floor: {type: integer, deprecated: true}   # declared until no booking has it
        """,
    ),
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": _evolve(
        "SensorReadingRecorded: humidity as a declared property",
        """
        type: object
        additionalProperties: {type: number}   # any metric, as a number
        properties:
          sensorId: {type: string}
        """,
        """
        type: object
        additionalProperties: {type: number}
        properties:
          sensorId: {type: string}
          humidity: {type: integer}         # a stored "humidity": 41.5 is rejected
        """,
        """
        type: object
        additionalProperties: {type: number}
        properties:
          sensorId: {type: string}
          humidity: {type: number, description: Relative humidity in percent.}
        """,
    ),
    "UNEVALUATED_PROPERTIES_REMOVED": _evolve(
        "ClaimFiled: nothing beyond the declared properties",
        """
        type: object
        properties:
          claimId: {type: string}
          amount: {type: number}
        """,
        """
        type: object
        properties:
          claimId: {type: string}
          amount: {type: number}
        unevaluatedProperties: false        # claims carrying a "channel" are rejected
        """,
        """
        type: object
        deprecated: true                    # ClaimFiledV2 starts with unevaluatedProperties:
        description: Superseded by ClaimFiledV2.   # false, on its own subject
        properties:
          claimId: {type: string}
          amount: {type: number}
        """,
        dialect=DRAFT_2020_12,
    ),
    "UNEVALUATED_PROPERTIES_NARROWED": _evolve(
        "LoanApplied: extra details are text",
        """
        type: object
        properties:
          applicationId: {type: string}
          amount: {type: number}
        """,
        """
        type: object
        properties:
          applicationId: {type: string}
          amount: {type: number}
        unevaluatedProperties: {type: string}   # applications with "dependants": 2 rejected
        """,
        """
        type: object
        description: Extra details are text since 2026; older applications may hold numbers.
        properties:
          applicationId: {type: string}
          amount: {type: number}
        """,
        dialect=DRAFT_2020_12,
    ),
    # Arrays --------------------------------------------------------------------------------
    "MAX_ITEMS_ADDED": _evolve(
        "RoomBooked: at most six guest names",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guestNames: {type: array, items: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guestNames: {type: array, items: {type: string}, maxItems: 6}   # group bookings rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          guestNames:
            type: array
            items: {type: string}
            description: Six at most since 2026; older group bookings list more.
        """,
    ),
    "MAX_ITEMS_DECREASED": _evolve(
        "RideRequested: three stops at most",
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          stops: {type: array, items: {type: string}, maxItems: 5}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          stops: {type: array, items: {type: string}, maxItems: 3}   # 4- and 5-stop rides rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          stops:
            type: array
            items: {type: string}
            maxItems: 5
            description: The rider app allows three since 2026; older requests have up to five.
        """,
    ),
    "MIN_ITEMS_ADDED": _evolve(
        "ClaimFiled: at least one photo of the damage",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          photoUrls: {type: array, items: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          photoUrls: {type: array, items: {type: string}, minItems: 1}   # claims with [] rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          photoUrls:
            type: array
            items: {type: string}
            description: The claims app requires a photo since 2026; older claims may have none.
        """,
    ),
    "MIN_ITEMS_INCREASED": _evolve(
        "LoanApplied: three payslips rather than one",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          payslipIds: {type: array, items: {type: string}, minItems: 1}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          payslipIds: {type: array, items: {type: string}, minItems: 3}   # one or two: rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          payslipIds:
            type: array
            items: {type: string}
            minItems: 1
            description: Three since 2026; applications before hold one or two.
        """,
    ),
    "MAX_CONTAINS_ADDED": _evolve(
        "RoomBooked: at most two suites a booking",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomTypes:
            type: array
            items: {type: string}
            contains: {const: suite}
            minContains: 0
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomTypes:
            type: array
            items: {type: string}
            contains: {const: suite}
            minContains: 0
            maxContains: 2                  # past bookings of three suites are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomTypes:
            type: array
            items: {type: string}
            contains: {const: suite}
            minContains: 0
            description: The booking site allows two suites since 2026; older bookings more.
        """,
        dialect=DRAFT_2020_12,
    ),
    "MAX_CONTAINS_DECREASED": _evolve(
        "RideRequested: one infant seat a car",
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          passengers:
            type: array
            items: {enum: [adult, child, infant]}
            contains: {const: infant}
            minContains: 0
            maxContains: 2
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          passengers:
            type: array
            items: {enum: [adult, child, infant]}
            contains: {const: infant}
            minContains: 0
            maxContains: 1                  # past rides with two infants are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          passengers:
            type: array
            items: {enum: [adult, child, infant]}
            contains: {const: infant}
            minContains: 0
            maxContains: 2
            description: The rider app books one infant since 2026; older rides had up to two.
        """,
        dialect=DRAFT_2020_12,
    ),
    "MIN_CONTAINS_ADDED": _evolve(
        "ClaimFiled: two witnesses for a collision",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          partyRoles:
            type: array
            items: {enum: [policyholder, driver, witness]}
            contains: {const: witness}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          partyRoles:
            type: array
            items: {enum: [policyholder, driver, witness]}
            contains: {const: witness}
            minContains: 2                  # filed claims with one witness are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          partyRoles:
            type: array
            items: {enum: [policyholder, driver, witness]}
            contains: {const: witness}
            description: Two witnesses since 2026; older claims may name one.
        """,
        dialect=DRAFT_2020_12,
    ),
    "MIN_CONTAINS_INCREASED": _evolve(
        "DeviceRegistered: redundant temperature sensors",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sensorKinds:
            type: array
            items: {type: string}
            contains: {const: temperature}
            minContains: 1
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sensorKinds:
            type: array
            items: {type: string}
            contains: {const: temperature}
            minContains: 2                  # devices registered with one are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sensorKinds:
            type: array
            items: {type: string}
            contains: {const: temperature}
            minContains: 1
            description: Devices made since 2026 have two temperature sensors; older ones one.
        """,
        dialect=DRAFT_2020_12,
    ),
    "UNIQUE_ITEMS_ADDED": _evolve(
        "LoanApplied: each collateral listed once",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateralIds: {type: array, items: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateralIds:
            type: array
            items: {type: string}
            uniqueItems: true               # applications listing an id twice are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateralIds:
            type: array
            items: {type: string}
            description: Each id once since 2026; consumers ignore repeats in older applications.
        """,
    ),
    "ADDITIONAL_ITEMS_REMOVED": _evolve(
        "RideRequested: a pickup point is latitude and longitude, nothing more",
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems: [{type: number}, {type: number}]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems: [{type: number}, {type: number}]
            items: false                    # requests with an altitude are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems: [{type: number}, {type: number}]
            description: Latitude and longitude; consumers ignore any further items.
        """,
        dialect=DRAFT_2020_12,
    ),
    "ADDITIONAL_ITEMS_NARROWED": _evolve(
        "VibrationSampled: the values after the timestamp are numbers",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems: [{type: string, format: date-time}]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems: [{type: string, format: date-time}]
            items: {type: number}           # old samples with "n/a" values are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems: [{type: string, format: date-time}]
            description: A timestamp, then numbers; firmware before 3 may send "n/a".
        """,
        dialect=DRAFT_2020_12,
    ),
    "UNEVALUATED_ITEMS_REMOVED": _evolve(
        "RepaymentScheduled: an instalment is a due date and an amount",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          instalment:
            type: array
            prefixItems: [{type: string, format: date}, {type: number}]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          instalment:
            type: array
            prefixItems: [{type: string, format: date}, {type: number}]
            unevaluatedItems: false         # schedules with a currency third are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          instalment:
            type: array
            prefixItems: [{type: string, format: date}, {type: number}]
            description: Due date and amount; consumers ignore further items.
        """,
        dialect=DRAFT_2020_12,
    ),
    "UNEVALUATED_ITEMS_NARROWED": _evolve(
        "ClaimStatusChanged: notes after the status are text",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          entry:
            type: array
            prefixItems: [{enum: [filed, assessed, paid]}]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          entry:
            type: array
            prefixItems: [{enum: [filed, assessed, paid]}]
            unevaluatedItems: {type: string}   # entries with a numeric reference are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          entry:
            type: array
            prefixItems: [{enum: [filed, assessed, paid]}]
            description: The status, then notes; older entries may hold numeric references.
        """,
        dialect=DRAFT_2020_12,
    ),
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL": _evolve(
        "RideRequested: the altitude of the pickup point",
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems: [{type: number}, {type: number}]
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems:
              - {type: number}
              - {type: number}
              - {type: number}              # a stored third item that is no number: rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          riderId: {type: string}
          pickup:
            type: array
            prefixItems:
              - {type: number}
              - {type: number}
              - {description: Altitude in metres, from app 5.2 on.}   # no narrower than before
        """,
        dialect=DRAFT_2020_12,
    ),
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": _evolve(
        "TemperatureMeasured: the unit is always Celsius now",
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          reading:
            type: array
            prefixItems: [{type: number}, {enum: [C, F]}]
            items: false
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          reading:
            type: array
            prefixItems: [{type: number}]
            items: false                    # stored [21.5, "C"] readings are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          reading:
            type: array
            prefixItems: [{type: number}, {enum: [C, F], deprecated: true}]
            items: false
        """,
        dialect=DRAFT_2020_12,
    ),
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": _evolve(
        "RoomBooked: nights are computed from the dates",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          stay:
            type: array
            prefixItems: [{type: string}, {type: string}, {type: integer}]   # in, out, nights
            items: {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          stay:
            type: array
            prefixItems: [{type: string}, {type: string}]
            items: {type: string}           # a stored third item, 3 nights, is rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          stay:
            type: array
            prefixItems: [{type: string}, {type: string}, {type: integer, deprecated: true}]
            items: {type: string}
        """,
        dialect=DRAFT_2020_12,
    ),
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": _evolve(
        "VibrationSampled: the second value is the axis count",
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems: [{type: string}]
            items: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems: [{type: string}, {type: integer}]   # stored 0.75 values are rejected
            items: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          deviceId: {type: string}
          sample:
            type: array
            prefixItems:
              - {type: string}
              - {type: number, description: Axis count; older samples hold a reading here.}
            items: {type: number}
        """,
        dialect=DRAFT_2020_12,
    ),
    # Enumerations and combinators ----------------------------------------------------------
    "ENUM_ARRAY_NARROWED": _evolve(
        "ClaimStatusChanged: claims are no longer withdrawn, only closed",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          status: {enum: [filed, assessed, paid, closed, withdrawn]}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          status: {enum: [filed, assessed, paid, closed]}   # stored "withdrawn" is rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          status:
            enum: [filed, assessed, paid, closed, withdrawn]
            description: withdrawn is no longer produced; older claims may still carry it.
        """,
    ),
    "ENUM_ARRAY_CHANGED": _evolve(
        "RoomBooked: the new room categories",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {enum: [single, double]}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {enum: [standard, deluxe]}   # every stored booking is rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {enum: [single, double, standard, deluxe]}   # the new values added
        """,
    ),
    "COMBINED_TYPE_CHANGED": _evolve(
        "LoanApplied: collateral is a vehicle or a parcel of land, never both",
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateral:
            anyOf:
              - {type: object, required: [vin], properties: {vin: {type: string}}}
              - {type: object, required: [parcelId], properties: {parcelId: {type: string}}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateral:
            oneOf:                          # collateral with both ids, once valid, is rejected
              - {type: object, required: [vin], properties: {vin: {type: string}}}
              - {type: object, required: [parcelId], properties: {parcelId: {type: string}}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          applicationId: {type: string}
          collateral:
            description: One of the two since 2026; older applications may pledge both.
            anyOf:
              - {type: object, required: [vin], properties: {vin: {type: string}}}
              - {type: object, required: [parcelId], properties: {parcelId: {type: string}}}
        """,
    ),
    "PRODUCT_TYPE_EXTENDED": _evolve(
        "TripCompleted: every payment carries a receipt email",
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            allOf:
              - {type: object, required: [method]}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            allOf:
              - {type: object, required: [method]}
              - {required: [receiptEmail]}  # trips paid before lack it: rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            description: Carries receiptEmail since 2026; older payments may not.
            allOf:
              - {type: object, required: [method]}
        """,
    ),
    "SUM_TYPE_NARROWED": _evolve(
        "LoanDisbursed: cheques are no longer issued",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          disbursement:
            anyOf:
              - {type: object, required: [iban], properties: {iban: {type: string}}}
              - type: object
                required: [chequeNumber]
                properties: {chequeNumber: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          disbursement:
            anyOf:                          # stored cheque disbursements are rejected
              - {type: object, required: [iban], properties: {iban: {type: string}}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          disbursement:
            anyOf:
              - {type: object, required: [iban], properties: {iban: {type: string}}}
              - type: object
                required: [chequeNumber]
                properties: {chequeNumber: {type: string}}
                deprecated: true            # no longer produced; kept for older loans
        """,
    ),
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED": _evolve(
        "ClaimPaid: the payee account as an object with its bank code",
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          payeeAccount:
            oneOf:
              - {type: string}              # an IBAN
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          payeeAccount:
            oneOf:
              - {type: object, required: [iban, bic]}   # stored IBAN strings are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          payeeAccount:
            oneOf:
              - {type: string}
              - {type: object, required: [iban, bic]}   # the new shape as another branch
        """,
    ),
    "NOT_TYPE_EXTENDED": _evolve(
        "SensorReadingRecorded: no textual values either",
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          value: {not: {type: "null"}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          value: {not: {type: ["null", string]}}   # stored "NaN" readings are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          value:
            not: {type: "null"}
            description: Numbers since firmware 3; older readings may hold "NaN".
        """,
    ),
    # Accepted by Confluent's rules, yet some of the writer's data is rejected --------------
    "REQUIRED_UNDECLARED_PROPERTY_ADDED": _evolve(
        "TripCompleted: the city of every trip",
        """
        type: object
        required: [tripId]
        properties:
          tripId: {type: string}
        """,
        """
        type: object
        required: [tripId, cityCode]        # never declared: trips recorded before lack it
        properties:
          tripId: {type: string}
        """,
        """
        type: object
        required: [tripId]
        properties:
          tripId: {type: string}
          cityCode:                         # declared, optional, no narrower than before
            description: IATA city code; absent on trips before 2026.
        """,
    ),
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED": _evolve(
        "RoomBooked: every booking states its currency",
        """
        type: object
        additionalProperties: false
        required: [bookingId]
        properties:
          bookingId: {type: string}
          currency: {type: string, default: EUR}
        """,
        """
        type: object
        additionalProperties: false
        required: [bookingId, currency]     # validation applies no default: old ones fail
        properties:
          bookingId: {type: string}
          currency: {type: string, default: EUR}
        """,
        """
        type: object
        additionalProperties: false
        required: [bookingId]
        properties:
          bookingId: {type: string}
          currency:
            type: string
            default: EUR
            description: Always sent since 2026; consumers apply the default when it is absent.
        """,
    ),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL": _evolve(
        "RepaymentReceived: the currency of the repayment",
        """
        type: object
        additionalProperties: false
        required: [loanId]
        properties:
          loanId: {type: string}
          amount: {type: number}
        """,
        """
        type: object
        additionalProperties: false
        required: [loanId, currency]        # validation applies no default: old ones fail
        properties:
          loanId: {type: string}
          amount: {type: number}
          currency: {type: string, default: EUR}
        """,
        """
        type: object
        additionalProperties: false
        required: [loanId]
        properties:
          loanId: {type: string}
          amount: {type: number}
          currency: {type: string, default: EUR}   # optional; consumers apply the default
        """,
    ),
    "PATTERN_PROPERTIES_CHANGED": _evolve(
        "SensorReadingRecorded: temperatures in whole degrees",
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
        patternProperties:
          "^temp_": {type: number}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
        patternProperties:
          "^temp_": {type: integer}         # stored "temp_inlet": 21.5 is rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
        patternProperties:
          "^temp_":
            type: number
            description: Whole degrees since firmware 3; older readings have decimals.
        """,
    ),
    "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES": _evolve(
        "ClaimAssessed: the adjuster who assessed it",
        """
        type: object
        properties:
          claimId: {type: string}
        patternProperties:
          "^x-": {type: string}             # partner extensions
        """,
        """
        type: object
        properties:
          claimId: {type: string}
          adjusterId: {type: string}        # the open v1 let "adjusterId": 17 through
        patternProperties:
          "^x-": {type: string}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          claimId: {type: string}
          adjusterId: {type: string}        # no v1 assessment can hold it: a safe addition
        patternProperties:
          "^x-": {type: string}
        """,
        instead_before="""
        type: object
        additionalProperties: false         # v1 closed apart from the partner extensions
        properties:
          claimId: {type: string}
        patternProperties:
          "^x-": {type: string}
        """,
    ),
    "ONE_OF_BRANCHES_MAY_OVERLAP": _evolve(
        "TripCompleted: wallet payments beside card payments",
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            oneOf:
              - type: object
                required: [method, cardToken]
                properties: {method: {const: card}, cardToken: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            oneOf:
              - type: object
                required: [method, cardToken]
                properties: {method: {const: card}, cardToken: {type: string}}
              - type: object
                required: [walletId]        # a card payment with a walletId matches both
                properties: {walletId: {type: string}}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          tripId: {type: string}
          payment:
            oneOf:
              - type: object
                required: [method, cardToken]
                properties: {method: {const: card}, cardToken: {type: string}}
              - type: object
                required: [method, walletId]   # the method tells the branches apart
                properties: {method: {const: wallet}, walletId: {type: string}}
        """,
    ),
    "DECIMAL_ENCODING_CHANGED": _evolve(
        "LoanApproved: the principal as a JSON number (decimal.format NUMERIC)",
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          principal:                        # a Kafka Connect Decimal, base64 bytes
            type: string
            title: org.apache.kafka.connect.data.Decimal
            connect.type: bytes
            connect.parameters: {scale: "2"}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          principal:
            type: number                    # stored base64 strings fail plain validators
            title: org.apache.kafka.connect.data.Decimal
            connect.type: bytes
            connect.parameters: {scale: "2"}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          loanId: {type: string}
          principal:
            type: string
            title: org.apache.kafka.connect.data.Decimal
            connect.type: bytes
            connect.parameters: {scale: "2"}
          principalAmount: {type: number}   # the readable number, in a new optional property
        """,
    ),
    "CONSTRAINT_NOT_COMPARED": _evolve(
        "RoomBooked: a suite's butler comes with a phone number",
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {type: string}
          butlerName: {type: string}
          butlerPhone: {type: string}
        if: {properties: {roomType: {const: suite}}, required: [roomType]}
        then: {required: [butlerName]}
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {type: string}
          butlerName: {type: string}
          butlerPhone: {type: string}
        if: {properties: {roomType: {const: suite}}, required: [roomType]}
        then: {required: [butlerName, butlerPhone]}   # suites booked without one: rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          bookingId: {type: string}
          roomType: {type: string}
          butlerName: {type: string}
          butlerPhone:
            type: string
            description: Set for every suite booked since 2026; older suite bookings may lack it.
        if: {properties: {roomType: {const: suite}}, required: [roomType]}
        then: {required: [butlerName]}
        """,
    ),
    "TYPE_KEYWORD_ADDED": _evolve(
        "TemperatureMeasured: the reading is a number",
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius: {minimum: -40}           # numbers from -40; any other type passes
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius: {type: number, minimum: -40}   # stored "n/a" readings are rejected
        """,
        """
        type: object
        additionalProperties: false
        properties:
          sensorId: {type: string}
          celsius:
            minimum: -40
            description: A number since firmware 3; older devices send "n/a" when it fails.
        """,
    ),
}

CONFLUENT_JSON_SCHEMA = (
    'Confluent, "JSON Schema Serializer and Deserializer for Schema Registry on Confluent '
    'Platform", '
    "https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/serdes-json.html"
)
CONFLUENT_MODES = (
    'Confluent, "Schema Evolution and Compatibility for Schema Registry on Confluent Platform" '
    "(BACKWARD, the default: the new schema reads data written with the old one), "
    "https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html"
)
CONFLUENT_DIFFERENCE_TYPES = (
    "Confluent schema-registry, json-schema-provider, "
    "io/confluent/kafka/schemaregistry/json/diff/Difference.java (`Difference.Type`, the "
    "names of the changes these rules report), https://github.com/confluentinc/schema-registry"
)
CONTENT_MODELS = (
    'Robert Yokota, "Understanding JSON Schema Compatibility" (2021), open, closed and partially '
    "open content models, https://yokota.blog/2021/03/29/understanding-json-schema-compatibility/"
)
CONNECT_DECIMAL = (
    'Apache Kafka, "KIP-481: SerDe Improvements for Connect Decimal type in JSON" '
    "(decimal.format BASE64 or NUMERIC), "
    "https://cwiki.apache.org/confluence/display/KAFKA/KIP-481:+SerDe+Improvements+for+Connect+Decimal+type+in+JSON"
)
VALIDATION_SPEC = "https://json-schema.org/draft/2020-12/json-schema-validation.html"
CORE_SPEC = "https://json-schema.org/draft/2020-12/json-schema-core.html"


def _validation(section: str, title: str) -> str:
    return f'JSON Schema Validation 2020-12, §{section} "{title}", {VALIDATION_SPEC}'


def _core(section: str, title: str) -> str:
    return f'JSON Schema Core 2020-12, §{section} "{title}", {CORE_SPEC}'


TYPE = _validation("6.1.1", "type")
ENUM = _validation("6.1.2", "enum")
CONST = _validation("6.1.3", "const")
MULTIPLE_OF = _validation("6.2.1", "multipleOf")
MAXIMUM = _validation("6.2.2", "maximum")
EXCLUSIVE_MAXIMUM = _validation("6.2.3", "exclusiveMaximum")
MINIMUM = _validation("6.2.4", "minimum")
EXCLUSIVE_MINIMUM = _validation("6.2.5", "exclusiveMinimum")
MAX_LENGTH = _validation("6.3.1", "maxLength")
MIN_LENGTH = _validation("6.3.2", "minLength")
PATTERN = _validation("6.3.3", "pattern")
MAX_ITEMS = _validation("6.4.1", "maxItems")
MIN_ITEMS = _validation("6.4.2", "minItems")
UNIQUE_ITEMS = _validation("6.4.3", "uniqueItems")
MAX_CONTAINS = _validation("6.4.4", "maxContains")
MIN_CONTAINS = _validation("6.4.5", "minContains")
MAX_PROPERTIES = _validation("6.5.1", "maxProperties")
MIN_PROPERTIES = _validation("6.5.2", "minProperties")
REQUIRED = _validation("6.5.3", "required")
DEPENDENT_REQUIRED = _validation("6.5.4", "dependentRequired")
DEFAULT = _validation("9.2", "default")
LOGIC = _core("10.2.1", "Keywords for Applying Subschemas With Logic")
CONDITIONAL = _core("10.2.2", "Keywords for Applying Subschemas Conditionally")
ARRAYS = _core("10.3.1", "Keywords for Applying Subschemas to Arrays")
OBJECTS = _core("10.3.2", "Keywords for Applying Subschemas to Objects")
UNEVALUATED_ITEMS = _core("11.2", "unevaluatedItems")
UNEVALUATED_PROPERTIES = _core("11.3", "unevaluatedProperties")

COMMON_SOURCES = (CONFLUENT_JSON_SCHEMA, CONFLUENT_MODES, CONFLUENT_DIFFERENCE_TYPES)

# The keyword sections each change concerns, before the sources every JSON Schema rule shares.
_KEYWORD_SOURCES: dict[str, tuple[str, ...]] = {
    "TYPE_CHANGED": (TYPE,),
    "TYPE_NARROWED": (TYPE,),
    "SCHEMA_ADDED": (ARRAYS, OBJECTS),
    "MAX_LENGTH_ADDED": (MAX_LENGTH,),
    "MAX_LENGTH_DECREASED": (MAX_LENGTH,),
    "MIN_LENGTH_ADDED": (MIN_LENGTH,),
    "MIN_LENGTH_INCREASED": (MIN_LENGTH,),
    "PATTERN_ADDED": (PATTERN,),
    "PATTERN_CHANGED": (PATTERN,),
    "MAXIMUM_ADDED": (MAXIMUM,),
    "MAXIMUM_DECREASED": (MAXIMUM,),
    "MINIMUM_ADDED": (MINIMUM,),
    "MINIMUM_INCREASED": (MINIMUM,),
    "EXCLUSIVE_MAXIMUM_ADDED": (EXCLUSIVE_MAXIMUM,),
    "EXCLUSIVE_MAXIMUM_DECREASED": (EXCLUSIVE_MAXIMUM,),
    "EXCLUSIVE_MINIMUM_ADDED": (EXCLUSIVE_MINIMUM,),
    "EXCLUSIVE_MINIMUM_INCREASED": (EXCLUSIVE_MINIMUM,),
    "MULTIPLE_OF_ADDED": (MULTIPLE_OF,),
    "MULTIPLE_OF_EXPANDED": (MULTIPLE_OF,),
    "MULTIPLE_OF_CHANGED": (MULTIPLE_OF,),
    "REQUIRED_ATTRIBUTE_ADDED": (REQUIRED, DEFAULT),
    "MAX_PROPERTIES_ADDED": (MAX_PROPERTIES,),
    "MAX_PROPERTIES_DECREASED": (MAX_PROPERTIES,),
    "MIN_PROPERTIES_ADDED": (MIN_PROPERTIES,),
    "MIN_PROPERTIES_INCREASED": (MIN_PROPERTIES,),
    "ADDITIONAL_PROPERTIES_REMOVED": (OBJECTS, CONTENT_MODELS),
    "ADDITIONAL_PROPERTIES_NARROWED": (OBJECTS, CONTENT_MODELS),
    "DEPENDENCY_ARRAY_ADDED": (DEPENDENT_REQUIRED,),
    "DEPENDENCY_ARRAY_EXTENDED": (DEPENDENT_REQUIRED,),
    "DEPENDENCY_ARRAY_CHANGED": (DEPENDENT_REQUIRED,),
    "DEPENDENCY_SCHEMA_ADDED": (CONDITIONAL,),
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (OBJECTS, REQUIRED, CONTENT_MODELS),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL": (
        OBJECTS,
        DEFAULT,
        CONTENT_MODELS,
    ),
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": (OBJECTS, CONTENT_MODELS),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": (OBJECTS, REQUIRED, CONTENT_MODELS),
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": (OBJECTS, CONTENT_MODELS),
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (OBJECTS, CONTENT_MODELS),
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (OBJECTS, CONTENT_MODELS),
    "UNEVALUATED_PROPERTIES_REMOVED": (UNEVALUATED_PROPERTIES,),
    "UNEVALUATED_PROPERTIES_NARROWED": (UNEVALUATED_PROPERTIES,),
    "MAX_ITEMS_ADDED": (MAX_ITEMS,),
    "MAX_ITEMS_DECREASED": (MAX_ITEMS,),
    "MIN_ITEMS_ADDED": (MIN_ITEMS,),
    "MIN_ITEMS_INCREASED": (MIN_ITEMS,),
    "MAX_CONTAINS_ADDED": (MAX_CONTAINS,),
    "MAX_CONTAINS_DECREASED": (MAX_CONTAINS,),
    "MIN_CONTAINS_ADDED": (MIN_CONTAINS,),
    "MIN_CONTAINS_INCREASED": (MIN_CONTAINS,),
    "UNIQUE_ITEMS_ADDED": (UNIQUE_ITEMS,),
    "ADDITIONAL_ITEMS_REMOVED": (ARRAYS, CONTENT_MODELS),
    "ADDITIONAL_ITEMS_NARROWED": (ARRAYS, CONTENT_MODELS),
    "UNEVALUATED_ITEMS_REMOVED": (UNEVALUATED_ITEMS,),
    "UNEVALUATED_ITEMS_NARROWED": (UNEVALUATED_ITEMS,),
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL": (ARRAYS, CONTENT_MODELS),
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": (ARRAYS, CONTENT_MODELS),
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (ARRAYS, CONTENT_MODELS),
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (ARRAYS, CONTENT_MODELS),
    "ENUM_ARRAY_NARROWED": (ENUM,),
    "ENUM_ARRAY_CHANGED": (ENUM, CONST),
    "COMBINED_TYPE_CHANGED": (LOGIC,),
    "PRODUCT_TYPE_EXTENDED": (LOGIC,),
    "SUM_TYPE_NARROWED": (LOGIC,),
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED": (LOGIC,),
    "NOT_TYPE_EXTENDED": (LOGIC,),
    "REQUIRED_UNDECLARED_PROPERTY_ADDED": (REQUIRED, OBJECTS),
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED": (REQUIRED, DEFAULT),
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL": (REQUIRED, DEFAULT),
    "PATTERN_PROPERTIES_CHANGED": (OBJECTS, CONTENT_MODELS),
    "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES": (OBJECTS, CONTENT_MODELS),
    "ONE_OF_BRANCHES_MAY_OVERLAP": (LOGIC,),
    "DECIMAL_ENCODING_CHANGED": (TYPE, CONNECT_DECIMAL),
    "CONSTRAINT_NOT_COMPARED": (CONDITIONAL, OBJECTS, ARRAYS),
    "TYPE_KEYWORD_ADDED": (TYPE,),
}
SOURCES: dict[str, tuple[str, ...]] = {
    code: keyword_sources + COMMON_SOURCES for code, keyword_sources in _KEYWORD_SOURCES.items()
}


def parts(code: str) -> dict:
    """The worked example, its compatible alternative and the sources for one change code."""
    example, instead = EXAMPLES[code]
    return {"example": example, "instead": instead, "sources": SOURCES[code]}
