"""Saga rules (SAG): every saga is verified by exploring its failure paths.

One analysis (`saga.verify.verify_sagas`) reports violations by code (`saga.violations`); each
rule here declares the code it reports. The analysis is the check of SAG001 (`ANALYSIS`), and
every other rule declares `reported_by=ANALYSIS`, so `check` runs it whenever any SAG rule is
selected and keeps only the selected rules' findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..saga import violations
from .registry import Rule, all_rules, describe, rule

if TYPE_CHECKING:
    from ..findings import Finding
    from ..model.types import DesignModel
    from ..saga.verify import Limits
    from ..saga.violations import Coverage

FAMILY = "sagas"
ANALYSIS = "SAG001"


@rule(
    "SAG001",
    "saga-undeclared-message",
    code=violations.UNDECLARED,
    family=FAMILY,
    severity="error",
    summary="A saga names a command or event the model does not declare.",
    explanation="""
Every command a saga sends and every event it waits for or emits must be declared under
`commands:` or `events:`, with its handler or producer, so schemas, channels and diagrams
exist for it. This check also runs the whole saga verification (the other SAG rules).
Fix: declare the message, or correct the name in the saga.
""",
)
def check(model: DesignModel) -> Iterable[Finding]:
    """Verify every saga of the model; findings of every SAG rule."""
    return verify_model(model)


def verify_model(
    model: DesignModel, names: Sequence[str] | None = None, limits: Limits | None = None
) -> list[Finding]:
    """Findings for the named sagas (all when `names` is None), sorted."""
    return verify_with_coverage(model, names, limits)[0]


def verify_with_coverage(
    model: DesignModel, names: Sequence[str] | None = None, limits: Limits | None = None
) -> tuple[list[Finding], list[Coverage]]:
    """Findings of the saga rules for the named sagas, sorted, and what exploring each covered."""
    from ..findings import Finding, sorted_findings
    from ..saga.verify import Limits, verify_sagas

    by_code = _rules_by_code()
    findings = []
    results = verify_sagas(model, names, limits or Limits())
    for result in results:
        for violation in result.violations:
            reported = by_code[violation.code]
            findings.append(
                Finding(
                    rule=reported.id,
                    severity=reported.severity,
                    message=violation.message,
                    location=model.locate(violation.pointer),
                    hint=violation.hint,
                    element=f"saga {result.saga.name}: {violation.subject}",
                    trace=violation.trace,
                )
            )
    return sorted_findings(findings), [result.coverage for result in results]


def _rules_by_code() -> dict[str, Rule]:
    """The saga rule each analysis code feeds."""
    return {declared.code: declared for declared in all_rules() if declared.family == FAMILY}


describe(
    "SAG002",
    "saga-event-without-producer",
    code=violations.NO_PRODUCER,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="An event in a saga is produced by no service (or no reaction emits it).",
    explanation="""
A reaction waits for an event that neither the saga's trigger nor any reaction emits, an
outcome event (`completed`, `compensated`) that no reaction emits, a timer starts on such an
event, or an event's declared producer is not a service. The saga can never get past that point.
Fix: add the reaction or service that emits it, or correct the event name.
""",
)
describe(
    "SAG003",
    "saga-topology-mismatch",
    code=violations.TOPOLOGY,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A saga disagrees with the model on who produces, handles or consumes a message.",
    explanation="""
The saga has a service emit an event whose declared producer is another service, send a
command to a service that is not its handler, or react to an event it does not consume; or a
timer's owner neither produces nor consumes the event that arms it, or the timer expires at a
payload field that event does not always carry.
Either the saga or the event/command declaration is wrong; generated AsyncAPI and diagrams
will disagree with the saga.
Fix: make the declaration and the saga name the same service.
""",
)
describe(
    "SAG004",
    "saga-unknown-service",
    code=violations.UNKNOWN_SERVICE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga's orchestrator, participant or reacting service is not a declared service.",
    explanation="""
Every service a saga names must be declared under `services:`, with its idempotency, so the
saga's duplicate-delivery check can run. Fix: declare the service or correct the name.
""",
)
describe(
    "SAG010",
    "saga-missing-compensation",
    code=violations.MISSING_COMPENSATION,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensatable step has no compensation, so a later failure leaves it in effect.",
    explanation="""
When a later step fails, the saga undoes every completed compensatable step in reverse order
(Garcia-Molina & Salem 1987). A step without a compensation stays in effect: stock stays
reserved, a booking stays held. In a choreography, a reaction's events count as effects to
undo unless it is declared `kind: pivot` or `retriable` or is a compensation itself.
The trace shows a path that ends compensated with the effect still in place.
Fix: add a compensation (orchestration: `compensation: COMMAND`; choreography: a reaction to
the failure event with `compensates: EVENT`), or make the step the pivot or a retriable step.
""",
)
describe(
    "SAG011",
    "saga-misplaced-pivot",
    code=violations.MISPLACED_PIVOT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="The pivot is not the last step that can fail (steps that can fail follow it).",
    explanation="""
The pivot is the go/no-go step: once it commits the saga must complete, because the pivot
cannot be undone (Richardson, Microservices Patterns, ch. 4). A compensatable step or a second
pivot after it, or a sibling running in parallel with it, can fail when the pivot can no
longer be compensated, leaving the saga neither completed nor compensated.
Fix: order the steps compensatable, then one pivot, then retriable steps.
""",
)
describe(
    "SAG012",
    "saga-retriable-can-fail",
    code=violations.RETRIABLE_CAN_FAIL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A retriable step can fail for good.",
    explanation="""
Steps after the pivot must be retriable: guaranteed to succeed when retried. A retriable step
that declares a failure reply (a business refusal a retry does not change), has no retry
policy, or has bounded retries without `escalate_to`, can fail after the pivot, when nothing
can be undone. Fix: remove the failure outcome, retry without limit, or escalate to a human
task when retries run out.
""",
)
describe(
    "SAG013",
    "saga-compensation-can-fail",
    code=violations.COMPENSATION_CAN_FAIL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensation can fail and is not retried until it succeeds or escalated.",
    explanation="""
A compensation that fails leaves the step it should undo in effect. Compensations must be
idempotent and retried until they succeed; a compensation that can be refused (it declares a
failure reply or `fails_with` event) must escalate the refusal to a human task, since retrying
does not change it. A step that timed out has an unknown outcome, so the orchestrator
compensates it as well: its compensation may arrive for an effect that never happened, or
before the late command itself, so it must tolerate nothing to undo (succeed doing nothing, and
keep a record so the late command is refused).
Fix: give the compensation `retry: {max_attempts: unlimited}`, or retries with `escalate_to`;
drop business failures from compensations where you can.
""",
)
describe(
    "SAG014",
    "saga-step-without-timeout",
    code=violations.NO_TIMEOUT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="An orchestrated step has no timeout, so a lost reply stalls the saga forever.",
    explanation="""
A reply can be lost, dead-lettered or never sent (participant down, poison message), and a
person may never decide. Without a deadline the saga waits forever with resources held. Fix:
give the step a `timeout` (and a `retry` policy when retrying is safe); a step or reaction
waiting for an `actor` needs a deadline too (orchestration: `timeout`; choreography: a timer
armed by the reaction's event and stopped by its outcome).
""",
)
describe(
    "SAG015",
    "saga-duplicate-delivery",
    code=violations.NOT_IDEMPOTENT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga participant is not idempotent, but brokers deliver messages more than once.",
    explanation="""
Brokers and outbox relays deliver at least once, so every saga participant (and the
orchestrator, for replies) receives some messages twice. A service whose `idempotency` is
`none` or not declared applies the step twice (stock reserved twice, card charged twice).
An orchestrator that retries a step after a timeout sends the command again as a new message
with a new id: a participant that recognises repeats by message id (`idempotency_scope:
message-id`) applies it twice, although the first one may have taken effect.
Fix: set the service's `idempotency` to inbox, dedupe-key or natural (or the consumer entry's
`idempotency` for that event) and implement it; for retried commands recognise repeats by a
command id kept across retries or by a business key.
""",
)
describe(
    "SAG016",
    "saga-non-terminal-path",
    code=violations.NON_TERMINAL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga path ends neither completed nor compensated.",
    explanation="""
Every path of a saga must end in a defined terminal state: completed (a `completed` event)
or compensated (a `compensated` event, with every effect undone). A failure event nobody
reacts to, or a path that emits both outcomes, leaves the saga's state undefined.
Fix: add the reactions that handle the failure and emit the outcome event.
""",
)
describe(
    "SAG017",
    "saga-pivot-timeout-compensated",
    code=violations.PIVOT_TIMEOUT_COMPENSATED,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A pivot can time out, and the saga then compensates although the pivot may have "
    "committed.",
    explanation="""
A timeout does not mean the step failed: its outcome is unknown, since the command may have
taken effect and only the reply was lost or is late. Compensating the earlier steps is the
right answer to a refusal of the pivot, but not to its silence: a payment sent to clearing is
refunded while clearing may already have moved the money, and the pivot cannot be undone
(Garcia-Molina & Salem 1987; Richardson, Microservices Patterns, ch. 4). The trace shows the
timeout and the compensations that would follow it.
Fix: retry the (idempotent) pivot until it answers (`retry: {max_attempts: unlimited}`),
query its status, or give its retry policy `escalate_to` a human task; never compensate around
a pivot whose outcome is unknown.
""",
)
describe(
    "SAG018",
    "saga-compensation-repeats-step",
    code=violations.COMPENSATION_REPEATS_STEP,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A step's compensation is the same command as the step itself.",
    explanation="""
A compensation must undo the step (release the stock, refund the charge). Naming the step's own
command as its compensation sends the command again when a later step fails: the effect is
repeated (or deduplicated away), never undone. This is usually a copy-paste slip.
Fix: name the command that semantically undoes the step, such as Release, Cancel or Refund.
""",
)
describe(
    "SAG020",
    "saga-unreachable-reaction",
    code=violations.UNREACHABLE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A choreography reaction never runs on any path.",
    explanation="""
The reaction's trigger event is emitted only by reactions that themselves never run, so the
reaction is dead. Either the model is missing a reaction or this one is stale.
Fix: connect it to the flow or remove it.
""",
)
describe(
    "SAG021",
    "saga-reaction-cycle",
    code=violations.CYCLE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="Choreography reactions trigger each other in a loop.",
    explanation="""
A reaction that, directly or through others, re-triggers itself makes an event loop that
never terminates (and amplifies under redelivery). Fix: break the loop; give the later event
its own name or let one service own the outcome.
""",
)
describe(
    "SAG022",
    "saga-exploration-bounded",
    code=violations.BOUNDED,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="info",
    summary="Saga exploration stopped at its state bound; some paths were not checked.",
    explanation="""
The explorer bounds the number of states per saga so verification stays fast. A saga that
reaches the bound is unusually large or branching. Fix: split the saga.
""",
)
describe(
    "SAG023",
    "saga-correlation-missing",
    code=violations.CORRELATION_MISSING,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga message's payload does not always carry the saga's correlation field.",
    explanation="""
Every reply, compensation, cancel request and timer event of a saga instance must carry the
correlation field (`correlation:`, e.g. bookingId) as a required payload field: the receiver
finds the saga instance by it. A message whose schema lacks it, or makes it optional, matches
no instance (or the wrong one). Fix: add the field to the message's schema and require it.
""",
)
describe(
    "SAG024",
    "saga-key-mismatch",
    code=violations.KEY_MISMATCH,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A saga message is partitioned by another field than the saga's correlation field.",
    explanation="""
Brokers keep order per key: messages of one saga instance stay in order only when all of them
are keyed by the correlation field. A reply or compensation keyed by another field (a
customerId, a reservationId) lands on another partition and can be consumed before the
message it follows. Fix: key every saga message by the correlation field.
""",
)
describe(
    "SAG025",
    "saga-compensation-overtakes-step",
    code=violations.OVERTAKES,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensation can overtake the step it undoes (other channel, other key, or no "
    "per-key order).",
    explanation="""
After a timeout, a cancel or a timer, a compensation can be sent while its step is still in
flight. If it travels on another channel than the step, with another key, or on a channel
without per-key order, it can be delivered first: it finds nothing to undo, and the step then
takes effect for good (Garcia-Molina & Salem 1987 assume compensations follow their step).
Fix: send the step and its compensation on one channel with `ordering: per-key`, keyed by the
correlation field; or let the compensation record the cancellation so the late step is refused
(declare its `nothing_to_undo` reply).
""",
)
describe(
    "SAG026",
    "saga-compensation-without-step",
    code=violations.COMPENSATION_WITHOUT_STEP,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensation runs on a path where the step it undoes never ran.",
    explanation="""
A cancel request or a timer can trigger a compensating reaction before (or without) the step
it undoes. Unless the compensation says what it does then (a `nothing_to_undo` event: it
succeeds doing nothing and records the cancellation so the late step is refused), it undoes
an effect that is not there, and the step may still take effect afterwards. The trace shows
the path. Fix: declare `nothing_to_undo`, or trigger the compensation only by events that
follow the step's effect.
""",
)
describe(
    "SAG027",
    "saga-undo-after-pivot",
    code=violations.UNDO_AFTER_PIVOT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A cancel or an expiring timer undoes a step after the pivot committed.",
    explanation="""
A timer (a hold that lapses at expiresAt) or a cancel request races the other steps: when it
wins after the pivot (payment captured), its compensation releases what was paid for, and
the saga ends half done. Fix: stop the timer on an event that reaches its owner before the
pivot, or make the pivot a step of the timer's owner (it then refuses after the expiry);
after the pivot, a cancel is a forward action (`after_pivot`), not an undo.
""",
)
describe(
    "SAG028",
    "saga-cancel-undefined",
    code=violations.CANCEL_UNDEFINED,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A cancel can arrive after the pivot and nothing defines what it does.",
    explanation="""
From the pivot on, a saga can no longer be undone, so a cancel request must become a forward
action (a cancellation fee, an early end) or be refused. A saga whose cancel has neither, or
a choreography whose pivot service handles the cancel the same way before and after its
pivot, compensates what cannot be compensated. Only the pivot's own service can tell in one
transaction whether the pivot happened, so `after_pivot` on another service's reaction races
the pivot. Fix: orchestration: `cancel: {after_pivot: STEP}` or `refused: EVENT`;
choreography: `after_pivot: EVENTS` on the pivot service's reaction to the cancel event.
""",
)
describe(
    "SAG029",
    "saga-escalation-never-fires",
    code=violations.ESCALATION_NEVER_FIRES,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A retry policy escalates, but retries without limit and never pages.",
    explanation="""
`escalate_to` only fires when attempts run out; with `max_attempts: unlimited` they never do,
so a stuck saga retries silently forever while the escalation target is never told. Fix: add
`page_after: DURATION` (alert after that long while retrying on), or bound `max_attempts`.
""",
)
