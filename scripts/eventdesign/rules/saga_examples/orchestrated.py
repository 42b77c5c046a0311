"""Orchestrated examples: `lending` places a hold on a copy, then charges the hold fee (the pivot)."""

# ruff: noqa: E501 (the YAML lines are the example as a reader sees it)

from __future__ import annotations

from .text import SERVICES, variant

SOUND = (
    SERVICES
    + """\
commands:
  PlaceHold: {handler: holds, issuers: [lending], channel: lending.events, key: holdId, schema: &hold {type: object, required: [holdId], properties: {holdId: {type: string}}}}
  ReleaseHold: {handler: holds, issuers: [lending], channel: lending.events, key: holdId, schema: *hold}
  ChargeHoldFee: {handler: fines, issuers: [lending], channel: lending.events, key: holdId, schema: *hold}
events:
  HoldRequested: {producer: members, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldPlaced: {producer: holds, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldRejected: {producer: holds, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldReleased: {producer: holds, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldFeeCharged: {producer: fines, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldFeeDeclined: {producer: fines, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}
  HoldConfirmed: {producer: lending, consumers: [notices], channel: lending.events, key: holdId, schema: *hold}
  HoldRefused: {producer: lending, consumers: [notices], channel: lending.events, key: holdId, schema: *hold}
sagas:
  ReserveBook:
    style: orchestration
    orchestrator: lending
    trigger: HoldRequested
    correlation: holdId
    steps:
      - {name: hold, participant: holds, command: PlaceHold, reply: HoldPlaced, failure: HoldRejected,
         timeout: 30s, compensation: {command: ReleaseHold, reply: HoldReleased, retry: {max_attempts: unlimited}}}
      - {name: fee, participant: fines, command: ChargeHoldFee, reply: HoldFeeCharged, failure: HoldFeeDeclined,
         kind: pivot, timeout: 1m, retry: {max_attempts: unlimited}}
    completed: HoldConfirmed
    compensated: HoldRefused
"""
)

HOLD_STEP = "timeout: 30s, compensation: {command: ReleaseHold, reply: HoldReleased, retry: {max_attempts: unlimited}}}"
FEE_STEP = "kind: pivot, timeout: 1m, retry: {max_attempts: unlimited}}"
HOLD_LINES = (
    "      - {name: hold, participant: holds, command: PlaceHold, reply: HoldPlaced, failure: HoldRejected,\n"
    f"         {HOLD_STEP}\n"
)
FEE_LINES = (
    "      - {name: fee, participant: fines, command: ChargeHoldFee, reply: HoldFeeCharged, failure: HoldFeeDeclined,\n"
    f"         {FEE_STEP}\n"
)
FEE_COMMAND = "command: ChargeHoldFee, reply"
FEE_CHARGED = "  HoldFeeCharged: {producer: fines, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}"
PLACED = "  HoldPlaced: {producer: holds, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}"
RELEASE = "  ReleaseHold: {handler: holds, issuers: [lending], channel: lending.events, key: holdId, schema: *hold}"
CANCEL_COMMAND = (
    "  CancelHold: {handler: lending, issuers: [members], channel: lending.events, key: holdId, schema: *hold}\n"
    "events:\n"
)
CORRELATION = "    correlation: holdId\n"
CANCEL = CORRELATION + "    cancel: {on: CancelHold"
HOLD_SERVICE = "  holds: {context: Lending, outbox: transactional, idempotency: inbox}"
# A third step after the pivot: the copy is put on the pickup shelf, which cannot be refused.
SHELVE = (
    (
        "  ChargeHoldFee: {",
        "  ShelveCopy: {handler: holds, issuers: [lending], channel: lending.events, key: holdId, schema: *hold}\n"
        "  ChargeHoldFee: {",
    ),
    (
        "  HoldConfirmed: {",
        "  CopyShelved: {producer: holds, consumers: [lending], channel: lending.events, key: holdId, schema: *hold}\n"
        "  HoldConfirmed: {",
    ),
)


def shelve_step(retry: str) -> tuple[str, str]:
    """Adds the shelving step, retried with `retry` (a line ending in its comment)."""
    return (
        "    completed:",
        "      - {name: shelve, participant: holds, command: ShelveCopy, reply: CopyShelved, kind: retriable,\n"
        f"         timeout: 30s, {retry}\n"
        "    completed:",
    )


EXAMPLES = {
    "SAG001": (
        variant(
            SOUND,
            (FEE_COMMAND, "command: ChargeFee, reply"),
            (FEE_STEP, FEE_STEP + "  # ChargeFee: no such command"),
        ),
        variant(SOUND, (FEE_STEP, FEE_STEP + "  # ChargeHoldFee is declared under commands")),
    ),
    "SAG002": (
        variant(
            SOUND, (FEE_CHARGED, FEE_CHARGED.replace("fines", "till") + "  # till: no such service")
        ),
        variant(SOUND, (FEE_CHARGED, FEE_CHARGED + "  # fines charges the fee")),
    ),
    "SAG003": (
        variant(
            SOUND,
            ("ChargeHoldFee: {handler: fines,", "ChargeHoldFee: {handler: holds,"),
            (FEE_STEP, FEE_STEP + "  # sent to fines, handled by holds"),
        ),
        variant(SOUND, (FEE_STEP, FEE_STEP + "  # fines handles ChargeHoldFee")),
    ),
    "SAG004": (
        variant(
            SOUND,
            ("participant: fines,", "participant: cashier,"),
            (FEE_STEP, FEE_STEP + "  # cashier: no such service"),
        ),
        variant(SOUND, (FEE_STEP, FEE_STEP + "  # fines is a declared service")),
    ),
    "SAG010": (
        variant(
            SOUND,
            (HOLD_STEP, "timeout: 30s}  # nothing releases the hold when the fee is declined"),
        ),
        variant(SOUND, (HOLD_STEP, HOLD_STEP + "  # the hold is released")),
    ),
    "SAG011": (
        variant(
            SOUND,
            (
                HOLD_LINES + FEE_LINES,
                FEE_LINES.replace(
                    FEE_STEP, FEE_STEP + "  # the pivot first: a refused hold comes too late"
                )
                + HOLD_LINES,
            ),
        ),
        variant(SOUND, (FEE_STEP, FEE_STEP + "  # the pivot last: nothing after it can fail")),
    ),
    "SAG012": (
        variant(
            SOUND,
            *SHELVE,
            shelve_step(
                "retry: {max_attempts: 3}}  # after 3 tries the paid hold is never shelved"
            ),
        ),
        variant(
            SOUND,
            *SHELVE,
            shelve_step(
                "retry: {max_attempts: unlimited, backoff: 1m}}  # shelving cannot be refused"
            ),
        ),
    ),
    "SAG013": (
        variant(
            SOUND,
            (
                HOLD_STEP,
                "timeout: 30s, compensation: {command: ReleaseHold, reply: HoldReleased}}  # one lost reply and the copy stays held",
            ),
        ),
        variant(SOUND, (HOLD_STEP, HOLD_STEP + "  # released however long it takes")),
    ),
    "SAG014": (
        variant(SOUND, (HOLD_STEP, HOLD_STEP.replace("timeout: 30s, ", "") + "  # no timeout")),
        variant(SOUND, (HOLD_STEP, HOLD_STEP + "  # 30s without a reply: release and refuse")),
    ),
    "SAG015": (
        variant(
            SOUND,
            (
                HOLD_SERVICE,
                "  holds: {context: Lending, outbox: transactional, idempotency: none}  # a redelivered PlaceHold holds a second copy",
            ),
        ),
        variant(SOUND, (HOLD_SERVICE, HOLD_SERVICE + "  # an inbox drops a redelivered PlaceHold")),
    ),
    "SAG017": (
        variant(
            SOUND,
            (
                FEE_STEP,
                "kind: pivot, timeout: 1m}  # on timeout the hold is released, though the fee may be charged",
            ),
        ),
        variant(SOUND, (FEE_STEP, FEE_STEP + "  # outcome unknown on timeout: ask again")),
    ),
    "SAG018": (
        variant(
            SOUND, (HOLD_STEP, HOLD_STEP.replace("ReleaseHold", "PlaceHold") + "  # holds again")
        ),
        variant(SOUND, (HOLD_STEP, HOLD_STEP + "  # ReleaseHold undoes PlaceHold")),
    ),
    "SAG029": (
        variant(
            SOUND,
            (
                HOLD_STEP,
                HOLD_STEP.replace("unlimited", "unlimited, escalate_to: circulation desk")
                + "  # the desk is never told",
            ),
        ),
        variant(
            SOUND,
            (
                HOLD_STEP,
                HOLD_STEP.replace(
                    "unlimited", "unlimited, escalate_to: circulation desk, page_after: 15m"
                )
                + "  # told after 15 minutes",
            ),
        ),
    ),
    "SAG023": (
        variant(
            SOUND,
            (
                PLACED,
                PLACED.replace(
                    "schema: *hold}",
                    "schema: {type: object, properties: {holdId: {type: string}}}}  # holdId optional",
                ),
            ),
        ),
        variant(SOUND, (PLACED, PLACED + "  # every reply requires holdId")),
    ),
    "SAG024": (
        variant(
            SOUND,
            (
                PLACED,
                PLACED.replace(
                    "key: holdId, schema: *hold}",
                    "key: copyId,\n    schema: {type: object, required: [holdId, copyId], properties: {holdId: {type: string}, copyId: {type: string}}}}  # keyed by copy",
                ),
            ),
        ),
        variant(
            SOUND,
            (
                PLACED,
                PLACED.replace(
                    "key: holdId, schema: *hold}",
                    "key: holdId,\n    schema: {type: object, required: [holdId, copyId], properties: {holdId: {type: string}, copyId: {type: string}}}}  # keyed by hold",
                ),
            ),
        ),
    ),
    "SAG025": (
        variant(
            SOUND,
            (
                "services:\n",
                "channels:\n  lending.releases: {transport: kafka, broker: bus, partitions: 6, ordering: per-key, dead_letter: lending.dlq}\nservices:\n",
            ),
            (
                RELEASE,
                RELEASE.replace("lending.events", "lending.releases")
                + "  # can overtake a late PlaceHold",
            ),
        ),
        variant(SOUND, (RELEASE, RELEASE + "  # behind PlaceHold on one ordered key")),
    ),
    "SAG028": (
        variant(
            SOUND,
            ("events:\n", CANCEL_COMMAND),
            (CORRELATION, CANCEL + "}  # and once the fee is paid?\n"),
        ),
        variant(
            SOUND,
            (
                "events:\n",
                CANCEL_COMMAND
                + "  HoldCancelRefused: {producer: lending, consumers: [notices], channel: lending.events, key: holdId, schema: *hold}\n",
            ),
            (CORRELATION, CANCEL + ", refused: HoldCancelRefused}  # fee paid: the hold stands\n"),
        ),
    ),
}
