"""Choreographed examples: holds places a hold on a copy, fines charges the hold fee (the pivot),
members confirms; a declined fee releases the hold."""

# ruff: noqa: E501 (the YAML lines are the example as a reader sees it)

from __future__ import annotations

from .text import SERVICES, variant

SOUND = (
    SERVICES
    + """\
events:
  HoldRequested: {producer: members, consumers: [holds], channel: lending.events, key: holdId, schema: &hold {type: object, required: [holdId], properties: {holdId: {type: string}}}}
  HoldPlaced: {producer: holds, consumers: [fines], channel: lending.events, key: holdId, schema: *hold}
  HoldRejected: {producer: holds, consumers: [members], channel: lending.events, key: holdId, schema: *hold}
  HoldFeeCharged: {producer: fines, consumers: [members], channel: lending.events, key: holdId, schema: *hold}
  HoldFeeDeclined: {producer: fines, consumers: [holds], channel: lending.events, key: holdId, schema: *hold}
  HoldReleased: {producer: holds, consumers: [members], channel: lending.events, key: holdId, schema: *hold}
  HoldConfirmed: {producer: members, consumers: [notices], channel: lending.events, key: holdId, schema: *hold}
  HoldRefused: {producer: members, consumers: [notices], channel: lending.events, key: holdId, schema: *hold}
sagas:
  ReserveBook:
    style: choreography
    trigger: HoldRequested
    correlation: holdId
    reactions:
      - {service: holds, on: HoldRequested, emits: HoldPlaced, fails_with: HoldRejected}
      - {service: fines, on: HoldPlaced, emits: HoldFeeCharged, fails_with: HoldFeeDeclined, kind: pivot}
      - {service: members, on: HoldFeeCharged, emits: HoldConfirmed, kind: retriable, retry: {max_attempts: unlimited}}
      - {service: holds, on: HoldFeeDeclined, emits: HoldReleased, compensates: HoldPlaced}
      - {service: members, on: HoldReleased, emits: HoldRefused}
      - {service: members, on: HoldRejected, emits: HoldRefused}
    completed: HoldConfirmed
    compensated: HoldRefused
"""
)
REJECTED = "      - {service: members, on: HoldRejected, emits: HoldRefused}\n"
HOLD = "      - {service: holds, on: HoldRequested, emits: HoldPlaced, fails_with: HoldRejected}"
RELEASE = (
    "      - {service: holds, on: HoldFeeDeclined, emits: HoldReleased, compensates: HoldPlaced"
)
PLACED = "  HoldPlaced: {producer: holds, consumers: [fines],"
EVENT_TAIL = ", channel: lending.events, key: holdId, schema: *hold}\n"
CONFIRMED = "  HoldConfirmed: {"
# A member may withdraw the hold at any time; fines, which owns the pivot, decides what it means.
WITHDRAWN = (
    (PLACED, "  HoldWithdrawn: {producer: members, consumers: [fines]" + EVENT_TAIL + PLACED),
    ("    correlation: holdId\n", "    correlation: holdId\n    cancel: {on: HoldWithdrawn}\n"),
    (
        "    completed:",
        "      - {service: fines, on: HoldWithdrawn, emits: HoldFeeDeclined, after_pivot: LateWithdrawalRecorded}"
        "  # no fee yet: give up; fee charged: it is kept\n"
        "    completed:",
    ),
    (
        CONFIRMED,
        "  LateWithdrawalRecorded: {producer: fines, consumers: [notices]" + EVENT_TAIL + CONFIRMED,
    ),
)
SKIPPED = (
    CONFIRMED,
    "  HoldReleaseSkipped: {producer: holds, consumers: [members]" + EVENT_TAIL + CONFIRMED,
)

NEVER_SKIPPED = (
    SKIPPED,
    (RELEASE + "}", RELEASE + ", nothing_to_undo: HoldReleaseSkipped}"),
    (
        REJECTED,
        REJECTED
        + "      - {service: members, on: HoldReleaseSkipped, emits: HoldRefused}  # never runs\n",
    ),
)
EXPIRY_SCHEMA = (
    " schema: *hold}\n  HoldRejected:",
    "\n    schema: {type: object, required: [holdId, expiresAt], properties: {holdId: {type: string}, expiresAt: {type: string, format: date-time}}}}\n"
    "  HoldRejected:",
)


def expiring(owner: str, stops_on: str) -> tuple[tuple[str, str], ...]:
    """The hold lapses at the HoldPlaced event's expiresAt: `owner` keeps the timer."""
    return (
        EXPIRY_SCHEMA,
        (
            CONFIRMED,
            f"  HoldExpired: {{producer: {owner}, consumers: [{owner}]" + EVENT_TAIL + CONFIRMED,
        ),
        (
            "    reactions:\n",
            f"    timers: [{{event: HoldExpired, service: {owner}, starts_on: HoldPlaced, at: expiresAt, stops_on: [{stops_on}]}}]\n"
            "    reactions:\n",
        ),
    )


EXAMPLES = {
    "SAG016": (
        variant(SOUND, (REJECTED, ""), (HOLD, HOLD + "  # nobody reacts to HoldRejected")),
        variant(
            SOUND, (REJECTED, REJECTED.rstrip() + "  # the member hears the hold was refused\n")
        ),
    ),
    "SAG021": (
        variant(
            SOUND,
            (
                RELEASE + "}",
                "      - {service: holds, on: HoldFeeDeclined, emits: HoldPlaced}  # hold again: fines charges again",
            ),
            ("  HoldReleased: {producer: holds, consumers: [members]" + EVENT_TAIL, ""),
            ("      - {service: members, on: HoldReleased, emits: HoldRefused}\n", ""),
        ),
        variant(SOUND, (RELEASE + "}", RELEASE + "}  # a declined fee ends the hold")),
    ),
    "SAG026": (
        variant(
            SOUND,
            *WITHDRAWN,
            (RELEASE + "}", RELEASE + "}  # also runs when HoldWithdrawn beats HoldPlaced"),
        ),
        variant(
            SOUND,
            *WITHDRAWN,
            SKIPPED,
            (
                RELEASE + "}",
                RELEASE
                + ",\n         nothing_to_undo: HoldReleaseSkipped}  # withdrawn before the hold was placed",
            ),
            (
                REJECTED,
                REJECTED
                + "      - {service: members, on: HoldReleaseSkipped, emits: HoldRefused}\n",
            ),
        ),
    ),
    "SAG020": (
        variant(SOUND, *NEVER_SKIPPED),
        variant(SOUND, (RELEASE + "}", RELEASE + "}  # HoldFeeDeclined always follows HoldPlaced")),
    ),
    "SAG027": (
        variant(
            SOUND,
            *expiring("holds", "HoldReleased"),
            (
                RELEASE + "}",
                RELEASE
                + "}\n      - {service: holds, on: HoldExpired, emits: HoldReleased, compensates: HoldPlaced}  # even after the fee",
            ),
        ),
        variant(
            SOUND,
            *expiring("fines", "HoldFeeCharged, HoldFeeDeclined"),
            (
                RELEASE + "}",
                RELEASE
                + "}\n      - {service: fines, on: HoldExpired, emits: HoldFeeDeclined}  # fines decides: expired or charged",
            ),
        ),
    ),
}
