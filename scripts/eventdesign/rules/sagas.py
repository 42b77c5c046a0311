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
from .saga_examples import worked

if TYPE_CHECKING:
    from ..findings import Finding
    from ..model.types import DesignModel
    from ..saga.verify import Limits
    from ..saga.violations import Coverage

# The documents the saga rules' explanations cite.
GMS = 'Hector Garcia-Molina, Kenneth Salem, "Sagas", ACM SIGMOD 1987, https://dl.acm.org/doi/10.1145/38713.38742'
RICH = 'Chris Richardson, Microservices Patterns (2018), ch. 4 "Managing transactions with sagas"'
RICH3 = 'Chris Richardson, Microservices Patterns (2018), ch. 3 "Handling duplicate messages"'
SAGA_PAGE = 'Chris Richardson, "Pattern: Saga", https://microservices.io/patterns/data/saga.html'
MCC = 'Caitie McCaffrey, "Distributed Sagas: A Protocol for Coordinating Microservices" (2017), https://www.youtube.com/watch?v=0UTOLRTwOX0'
BUILDERS = 'Marc Brooker, "Timeouts, retries, and backoff with jitter", Amazon Builders\' Library, https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/'
EIP_CORR = (
    'Gregor Hohpe, Bobby Woolf, Enterprise Integration Patterns (2003), "Correlation Identifier"'
)
EIP_PM = 'Gregor Hohpe, Bobby Woolf, Enterprise Integration Patterns (2003), "Process Manager"'
KAFKA = (
    'Apache Kafka documentation, 1.1 Introduction, "Main Concepts and Terminology" (events with'
    " the same key go to the same partition, read in order),"
    " https://kafka.apache.org/documentation/#intro_concepts_and_terms"
)
HELLAND = 'Pat Helland, "Idempotence Is Not a Medical Condition", ACM Queue 10(4), 2012'
SRE = (
    'Google, Site Reliability Engineering (2016), ch. 6 "Monitoring Distributed Systems",'
    " https://sre.google/sre-book/monitoring-distributed-systems/"
)
CLARKE = (
    "Edmund M. Clarke, Orna Grumberg, Doron Peled, Model Checking (MIT Press, 1999), ch. 1"
    " (state explosion)"
)

FAMILY = "sagas"
ANALYSIS = "SAG001"


@rule(
    "SAG001",
    "saga-undeclared-message",
    code=violations.UNDECLARED,
    family=FAMILY,
    severity="error",
    summary="A saga names a command or event the model does not declare.",
    what="""
Flags a command a saga sends, or an event it waits for or emits, that is not declared under
`commands:` or `events:`. This check also runs the whole saga verification (the other SAG
rules).
""",
    why="""
Every message of a saga needs a declaration, with its handler or producer, so schemas, channels
and diagrams exist for it; a message that is declared nowhere has no schema, no channel and no
owner, and nothing the saga says about it can be checked.
Fix: declare the message, or correct the name in the saga.
""",
    sources=(RICH, EIP_PM),
    **worked("SAG001"),
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
    what="""
Flags an event a saga needs that nothing produces: a reaction waits for an event that neither
the saga's trigger nor any reaction emits, an outcome event (`completed`, `compensated`) that
no reaction emits, a timer starts on such an event, or an event's declared producer is not a
service.
""",
    why="""
The saga can never get past that point: every instance stops there, with what it already did
still in effect.
Fix: add the reaction or service that emits it, or correct the event name.
""",
    sources=(RICH, SAGA_PAGE),
    **worked("SAG002"),
)
describe(
    "SAG003",
    "saga-topology-mismatch",
    code=violations.TOPOLOGY,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A saga disagrees with the model on who produces, handles or consumes a message.",
    what="""
Flags a saga that has a service emit an event whose declared producer is another service, send
a command to a service that is not its handler, or react to an event it does not consume; or a
timer whose owner neither produces nor consumes the event that arms it, or that expires at a
payload field that event does not always carry.
""",
    why="""
Either the saga or the event/command declaration is wrong; generated AsyncAPI and diagrams
will disagree with the saga, and the team building the declared handler never hears of the
step.
Fix: make the declaration and the saga name the same service.
""",
    sources=(RICH, EIP_PM),
    **worked("SAG003"),
)
describe(
    "SAG004",
    "saga-unknown-service",
    code=violations.UNKNOWN_SERVICE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga's orchestrator, participant or reacting service is not a declared service.",
    what="""
Flags a saga's orchestrator, participant or reacting service that is not declared under
`services:`.
""",
    why="""
Every service a saga names must be declared, with its idempotency, so the saga's
duplicate-delivery check can run; an undeclared service owns no messages and nobody knows
whether it survives a redelivery.
Fix: declare the service or correct the name.
""",
    sources=(RICH,),
    **worked("SAG004"),
)
describe(
    "SAG010",
    "saga-missing-compensation",
    code=violations.MISSING_COMPENSATION,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensatable step has no compensation, so a later failure leaves it in effect.",
    what="""
Flags a compensatable step without a compensation. In a choreography, a reaction's events count
as effects to undo unless it is declared `kind: pivot` or `retriable` or is a compensation
itself. The trace shows a path that ends compensated with the effect still in place.
""",
    why="""
When a later step fails, the saga undoes every completed compensatable step in reverse order
(Garcia-Molina & Salem 1987). A step without a compensation stays in effect: a copy stays
held, stock stays reserved, a booking stays held, while the saga reports it was rolled back.
Fix: add a compensation (orchestration: `compensation: COMMAND`; choreography: a reaction to
the failure event with `compensates: EVENT`), or make the step the pivot or a retriable step.
""",
    sources=(GMS, RICH),
    **worked("SAG010"),
)
describe(
    "SAG011",
    "saga-misplaced-pivot",
    code=violations.MISPLACED_PIVOT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="The pivot is not the last step that can fail (steps that can fail follow it).",
    what="""
Flags a pivot that is not the last step that can fail: a compensatable step or a second pivot
after it, or a sibling running in parallel with it.
""",
    why="""
The pivot is the go/no-go step: once it commits the saga must complete, because the pivot
cannot be undone (Richardson, Microservices Patterns, ch. 4). A step after it that can fail
does so when the pivot can no longer be compensated, leaving the saga neither completed nor
compensated.
Fix: order the steps compensatable, then one pivot, then retriable steps.
""",
    sources=(RICH, SAGA_PAGE),
    **worked("SAG011"),
)
describe(
    "SAG012",
    "saga-retriable-can-fail",
    code=violations.RETRIABLE_CAN_FAIL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A retriable step can fail for good.",
    what="""
Flags a retriable step (a step after the pivot, or a cancel's forward action) that declares a
failure reply (a business refusal a retry does not change), has no retry policy, or has bounded
retries without `escalate_to`.
""",
    why="""
Steps after the pivot must be retriable: guaranteed to succeed when retried. One that can fail
does so after the pivot, when nothing can be undone, and the saga ends half done.
Fix: remove the failure outcome, retry without limit, or escalate to a human task when
retries run out.
""",
    sources=(RICH,),
    **worked("SAG012"),
)
describe(
    "SAG013",
    "saga-compensation-can-fail",
    code=violations.COMPENSATION_CAN_FAIL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensation can fail and is not retried until it succeeds or escalated.",
    what="""
Flags a compensation that can fail: it is not retried until it succeeds, or it can be refused
(it declares a failure reply or `fails_with` event) and does not escalate the refusal to a
human task. A step that timed out has an unknown outcome, so the orchestrator compensates it as
well: its compensation may arrive for an effect that never happened, or before the late
command itself, so it must tolerate nothing to undo (succeed doing nothing, and keep a record
so the late command is refused).
""",
    why="""
A compensation that fails leaves the step it should undo in effect while the saga reports it
was compensated. Compensations must be idempotent and retried until they succeed; retrying
does not change a refusal, so a person must handle it.
Fix: give the compensation `retry: {max_attempts: unlimited}`, or retries with `escalate_to`;
drop business failures from compensations where you can.
""",
    sources=(GMS, RICH, MCC),
    **worked("SAG013"),
)
describe(
    "SAG014",
    "saga-step-without-timeout",
    code=violations.NO_TIMEOUT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="An orchestrated step has no timeout, so a lost reply stalls the saga forever.",
    what="""
Flags an orchestrated step without a `timeout`, and a step or reaction waiting for an `actor`
(a person) without a deadline (orchestration: `timeout`; choreography: a timer armed by the
reaction's event and stopped by its outcome).
""",
    why="""
A reply can be lost, dead-lettered or never sent (participant down, poison message), and a
person may never decide. Without a deadline the saga waits forever with resources held.
Fix: give the step a `timeout` (and a `retry` policy when retrying is safe).
""",
    sources=(BUILDERS, RICH),
    **worked("SAG014"),
)
describe(
    "SAG015",
    "saga-duplicate-delivery",
    code=violations.NOT_IDEMPOTENT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga participant is not idempotent, but brokers deliver messages more than once.",
    what="""
Flags a saga participant (or the orchestrator, for replies) whose `idempotency` is `none` or
not declared, for a message of the saga. An orchestrator that retries a step after a timeout
sends the command again as a new message with a new id: a participant that recognises repeats
by message id (`idempotency_scope: message-id`) is flagged too.
""",
    why="""
Brokers and outbox relays deliver at least once, so every saga participant receives some
messages twice, and applies the step twice (a second copy held, stock reserved twice, a card
charged twice). A retried command with a new message id is applied twice although the first
one may have taken effect.
Fix: set the service's `idempotency` to inbox, dedupe-key or natural (or the consumer entry's
`idempotency` for that event) and implement it; for retried commands recognise repeats by a
command id kept across retries or by a business key.
""",
    sources=(RICH3, HELLAND),
    **worked("SAG015"),
)
describe(
    "SAG016",
    "saga-non-terminal-path",
    code=violations.NON_TERMINAL,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga path ends neither completed nor compensated.",
    what="""
Flags a saga path that ends neither completed (a `completed` event) nor compensated (a
`compensated` event, with every effect undone): a failure event nobody reacts to, or a path
that emits both outcomes.
""",
    why="""
Every path of a saga must end in a defined terminal state; otherwise the saga's state is
undefined: the member never hears, the hold is neither confirmed nor refused, and nothing
retries it.
Fix: add the reactions that handle the failure and emit the outcome event.
""",
    sources=(RICH, GMS),
    **worked("SAG016"),
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
    what="""
Flags a pivot that can time out (no unlimited retry, no `escalate_to`) so that the saga then
compensates the earlier steps. The trace shows the timeout and the compensations that would
follow it. A `local: true` pivot, whose outcome is known on return, cannot time out.
""",
    why="""
A timeout does not mean the step failed: its outcome is unknown, since the command may have
taken effect and only the reply was lost or is late. Compensating the earlier steps is the
right answer to a refusal of the pivot, but not to its silence: a fee that may have been
charged is kept while the hold it paid for is released, and the pivot cannot be undone
(Garcia-Molina & Salem 1987; Richardson, Microservices Patterns, ch. 4).
Fix: retry the (idempotent) pivot until it answers (`retry: {max_attempts: unlimited}`),
query its status, or give its retry policy `escalate_to` a human task; never compensate around
a pivot whose outcome is unknown.
""",
    sources=(GMS, RICH, BUILDERS),
    **worked("SAG017"),
)
describe(
    "SAG018",
    "saga-compensation-repeats-step",
    code=violations.COMPENSATION_REPEATS_STEP,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A step's compensation is the same command as the step itself.",
    what="""
Flags a step whose compensation is the same command as the step itself.
""",
    why="""
A compensation must undo the step (release the hold, refund the charge). Naming the step's own
command as its compensation sends the command again when a later step fails: the effect is
repeated (or deduplicated away), never undone. This is usually a copy-paste slip.
Fix: name the command that semantically undoes the step, such as Release, Cancel or Refund.
""",
    sources=(GMS, RICH),
    **worked("SAG018"),
)
describe(
    "SAG020",
    "saga-unreachable-reaction",
    code=violations.UNREACHABLE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A choreography reaction never runs on any path.",
    what="""
Flags a choreography reaction whose trigger event is emitted only by reactions that themselves
never run on any explored path. (An event nobody emits at all is SAG002.)
""",
    why="""
The reaction is dead: either the model is missing a reaction, and the flow it was meant for
never happens, or this one is stale and misleads every reader of the design.
Fix: connect it to the flow or remove it.
""",
    sources=(RICH,),
    **worked("SAG020"),
)
describe(
    "SAG021",
    "saga-reaction-cycle",
    code=violations.CYCLE,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="Choreography reactions trigger each other in a loop.",
    what="""
Flags choreography reactions that, directly or through others, re-trigger themselves.
""",
    why="""
The reactions make an event loop that never terminates (and amplifies under redelivery): the
saga never ends, and every pass repeats its effects.
Fix: break the loop; give the later event its own name or let one service own the outcome.
""",
    sources=(RICH, SAGA_PAGE),
    **worked("SAG021"),
)
describe(
    "SAG022",
    "saga-exploration-bounded",
    code=violations.BOUNDED,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="info",
    summary="Saga exploration stopped at its state bound; some paths were not checked.",
    what="""
Reports a saga whose exploration reached the state bound (50,000 states per saga), so some of
its paths were not checked.
""",
    why="""
The explorer bounds the number of states per saga so verification stays fast. A saga that
reaches the bound is unusually large or branching; defects on the paths beyond it go
unreported.
Fix: split the saga.
""",
    sources=(CLARKE,),
    **worked("SAG022"),
)
describe(
    "SAG023",
    "saga-correlation-missing",
    code=violations.CORRELATION_MISSING,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A saga message's payload does not always carry the saga's correlation field.",
    what="""
Flags a reply, compensation, cancel request or timer event of a saga whose payload schema lacks
the saga's correlation field (`correlation:`, e.g. holdId), or makes it optional.
""",
    why="""
The receiver finds the saga instance by the correlation field: a message without it matches no
instance (or the wrong one), and that instance waits for a reply that has already come.
Fix: add the field to the message's schema and require it.
""",
    sources=(EIP_CORR, RICH),
    **worked("SAG023"),
)
describe(
    "SAG024",
    "saga-key-mismatch",
    code=violations.KEY_MISMATCH,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A saga message is partitioned by another field than the saga's correlation field.",
    what="""
Flags a saga message keyed (partitioned) by another field than the saga's correlation field.
""",
    why="""
Brokers keep order per key: messages of one saga instance stay in order only when all of them
are keyed by the correlation field. A reply or compensation keyed by another field (a copyId,
a memberId) lands on another partition and can be consumed before the message it follows.
Fix: key every saga message by the correlation field.
""",
    sources=(KAFKA,),
    **worked("SAG024"),
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
    what="""
Flags a compensation that can be sent while its step is still in flight (after a timeout, a
cancel or a timer) and travels on another channel than the step, with another key, or on a
channel without per-key order.
""",
    why="""
Such a compensation can be delivered before its step: it finds nothing to undo, and the step
then takes effect for good (Garcia-Molina & Salem 1987 assume compensations follow their step).
Fix: send the step and its compensation on one channel with `ordering: per-key`, keyed by the
correlation field; or let the compensation record the cancellation so the late step is refused
(declare its `nothing_to_undo` reply).
""",
    sources=(GMS, KAFKA),
    **worked("SAG025"),
)
describe(
    "SAG026",
    "saga-compensation-without-step",
    code=violations.COMPENSATION_WITHOUT_STEP,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A compensation runs on a path where the step it undoes never ran.",
    what="""
Flags a compensating reaction that a cancel request or a timer can trigger before (or without)
the step it undoes, and that declares no `nothing_to_undo` event. The trace shows the path.
""",
    why="""
Without `nothing_to_undo` (it succeeds doing nothing and records the cancellation so the late
step is refused), the compensation undoes an effect that is not there, and the step may still
take effect afterwards.
Fix: declare `nothing_to_undo`, or trigger the compensation only by events that follow the
step's effect.
""",
    sources=(GMS, RICH),
    **worked("SAG026"),
)
describe(
    "SAG027",
    "saga-undo-after-pivot",
    code=violations.UNDO_AFTER_PIVOT,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A cancel or an expiring timer undoes a step after the pivot committed.",
    what="""
Flags a timer (a hold that lapses at expiresAt) or a cancel request whose compensation can run
after the pivot committed.
""",
    why="""
The timer or cancel races the other steps: when it wins after the pivot (the fee charged,
payment captured), its compensation releases what was paid for, and the saga ends half done.
Fix: stop the timer on an event that reaches its owner before the pivot, or make the pivot a
step of the timer's owner (it then refuses after the expiry); after the pivot, a cancel is a
forward action (`after_pivot`), not an undo.
""",
    sources=(RICH, GMS),
    **worked("SAG027"),
)
describe(
    "SAG028",
    "saga-cancel-undefined",
    code=violations.CANCEL_UNDEFINED,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="error",
    summary="A cancel can arrive after the pivot and nothing defines what it does.",
    what="""
Flags a cancel that can arrive after the pivot when nothing defines what it does then: an
orchestration whose cancel has neither `after_pivot` nor `refused`, or a choreography whose
pivot service handles the cancel the same way before and after its pivot. `after_pivot` on
another service's reaction is flagged too: only the pivot's own service can tell in one
transaction whether the pivot happened, so it races the pivot.
""",
    why="""
From the pivot on, a saga can no longer be undone, so a cancel request must become a forward
action (a cancellation fee, an early end) or be refused; otherwise it compensates what cannot
be compensated.
Fix: orchestration: `cancel: {after_pivot: STEP}` or `refused: EVENT`; choreography:
`after_pivot: EVENTS` on the pivot service's reaction to the cancel event.
""",
    sources=(RICH, GMS),
    **worked("SAG028"),
)
describe(
    "SAG029",
    "saga-escalation-never-fires",
    code=violations.ESCALATION_NEVER_FIRES,
    reported_by=ANALYSIS,
    family=FAMILY,
    severity="warning",
    summary="A retry policy escalates, but retries without limit and never pages.",
    what="""
Flags a retry policy with `escalate_to` and `max_attempts: unlimited` but no `page_after`.
""",
    why="""
`escalate_to` only fires when attempts run out; with unlimited attempts they never do, so a
stuck saga retries silently forever while the escalation target is never told.
Fix: add `page_after: DURATION` (alert after that long while retrying on), or bound
`max_attempts`.
""",
    sources=(SRE, BUILDERS),
    **worked("SAG029"),
)
