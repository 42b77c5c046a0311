"""Failure-path exploration of an orchestrated saga.

Every path starts at the first stage. At each step the participant may reply with success,
reply with each declared failure, not reply in time, or receive the command twice; each of the
last three is a fault, and a path holds at most `max_faults` of them. A timeout absorbed by an
unlimited retry policy is not a new state. A step that fails for good makes the orchestrator
compensate every completed step in reverse order of completion; a compensation can itself fail
or be delivered twice. A path ends completed, compensated, escalated (retries ran out and a
human task or alert takes over), or in a violation, which is reported with its trace.

A timeout leaves the step's outcome unknown: the command may have taken effect and only the
reply was lost. A compensatable step that times out is therefore compensated too (its
compensation must tolerate having nothing to undo), and a pivot that times out must be retried
until it answers or escalated, never compensated around.

A step that waits for an outside actor (`actor`) has a deadline, not a timeout: when it
passes, the outcome is known (no decision), so it fails like a refusal. A `local` step is a
transaction of the orchestrator itself: no reply to lose, no timeout. A refused step with a
`repeat` policy is redone up to its bound before it fails or escalates, as one transition (the
attempts in between lead back to the same state).

A `cancel` request may arrive while any step is in flight: the orchestrator lets the step's
reply arrive, then compensates everything done before the pivot; once the pivot is done, it
runs the cancel's forward action (`after_pivot`) or refuses the cancel. A participant's own
timer (`timers:`, a hold that lapses) armed by a step's reply may fire before any later step
and after the saga completed, until a later step's reply stops it: before the pivot the
orchestrator undoes the other steps, after it nothing can be undone.

States are deduplicated (position, completed and timed-out steps, faults used, whether a
cancel came), and the search is breadth first, so the first trace found for a violation is a
shortest one. The state space is finite: positions x subsets of completed steps x faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .model import COMPENSATABLE, PIVOT, RETRIABLE, OrchestratedSaga, Step, Timer
from .violations import (
    CANCEL_UNDEFINED,
    COMPENSATION_CAN_FAIL,
    MISPLACED_PIVOT,
    MISSING_COMPENSATION,
    NO_TIMEOUT,
    NOT_IDEMPOTENT,
    NOT_IDEMPOTENT_LEVELS,
    PIVOT_TIMEOUT_COMPENSATED,
    RETRIABLE_CAN_FAIL,
    UNDO_AFTER_PIVOT,
    BreadthFirstSearch,
    Violation,
    numbered,
)

FORWARD = "forward"
COMPENSATE = "compensate"

# (service, message name) -> the service's idempotency for that message
Idempotency = Callable[[str, str], "str | None"]


class _State(NamedTuple):
    phase: str
    stage: int
    branch: int
    done: tuple[int, ...]  # step numbers, in completion order
    stage_failed: bool
    undo_index: int
    faults: int
    unknown: tuple[int, ...] = ()  # steps that timed out: outcome unknown, compensated anyway
    cancelled: bool = False  # a cancel request came (one per path)
    expired: tuple[str, ...] = ()  # participants' timer events that fired


@dataclass
class Exploration:
    """What exploring one saga found."""

    violations: list[Violation]
    states: int
    bounded: bool
    outcomes: set[str]
    paths: int = 0
    cancel_points: int = 0
    timer_races: int = 0


class _Explorer(BreadthFirstSearch):
    def __init__(
        self,
        saga: OrchestratedSaga,
        idempotency: Idempotency,
        max_faults: int,
        max_states: int,
        scope: Idempotency,
    ) -> None:
        super().__init__()
        self.saga = saga
        self.idempotency = idempotency
        self.scope = scope
        self.max_faults = max_faults
        self.max_states = max_states
        self.by_number = {step.number: step for step in saga.steps}

    # -- bookkeeping -------------------------------------------------------------------

    def violate(
        self,
        code: str,
        step: Step,
        message: str,
        hint: str,
        trace: tuple[str, ...],
        end: str,
        pointer: str | None = None,
        subject: str | None = None,
    ) -> None:
        violation = Violation(
            code=code,
            pointer=pointer or step.pointer,
            subject=subject or step.name,
            message=message,
            hint=hint,
            trace=numbered((*trace, f"end: {end}")),
        )
        self.record(violation)

    def level(self, service: str, message: str) -> str | None:
        return self.idempotency(service, message)

    # -- exploration -------------------------------------------------------------------
    def run(self) -> Exploration:
        if not self.saga.stages:
            return Exploration([], 0, False, set())
        self.push(_State(FORWARD, 0, 0, (), False, 0, 0), ())
        bounded = False
        while self.queue:
            if len(self.seen) > self.max_states:
                bounded = True
                break
            state, trace = self.queue.popleft()
            if state.phase == FORWARD:
                self.forward(state, trace)
            else:
                self.compensate(state, trace)
        return Exploration(
            list(self.violations.values()),
            len(self.seen),
            bounded,
            self.outcomes,
            self.paths,
            self.cancel_points,
            self.timer_races,
        )

    def forward(self, state: _State, trace: tuple[str, ...]) -> None:
        saga = self.saga
        step = saga.stages[state.stage][state.branch]
        orchestrator = saga.orchestrator
        parallel = " (in parallel)" if step.parallel else ""
        if step.local:
            sent = (*trace, f"{orchestrator}: {step.command} (local transaction){parallel}")
            answer = orchestrator
        elif step.waits:
            sent = (*trace, f"{orchestrator} waits for {step.actor}{parallel}")
            answer = step.participant
        else:
            sent = (*trace, f"{orchestrator} -> {step.participant}: {step.command}{parallel}")
            answer = step.participant
        reply = step.reply or "done"
        for timer in self.armed(state):  # first: a shorter trace than expiring after the step
            self.expire(state, timer, trace)
        self.advance(state, step, (*sent, f"{answer}: {reply}"))
        if saga.cancel is not None and not state.cancelled:
            self.cancel_points += 1
            self.cancel_in_flight(state, step, sent, f"{answer}: {reply}")
        if state.faults >= self.max_faults:
            return
        faulted = state.faults + 1
        for failure in step.failures:
            self.fail(state, step, (*sent, f"{answer}: {failure}"), faulted)
        if not step.local:
            self.time_out(state, step, sent, faulted)
        if not step.local and not step.waits:
            self.duplicate(step, step.participant, step.command, sent)
        if not step.local and step.reply:
            self.duplicate_reply(step, sent, f"{answer}: {reply}", step.reply)

    def cancel_in_flight(
        self, state: _State, step: Step, sent: tuple[str, ...], replied: str
    ) -> None:
        """A cancel arrives while `step` is in flight; its reply arrives after the cancel."""
        cancel = self.saga.cancel
        assert cancel is not None
        orchestrator = self.saga.orchestrator
        trace = (
            *sent,
            f"outside -> {orchestrator}: {cancel.on} (while {step.name} is in flight)",
            f"{replied} (arrives after the cancel)",
        )
        done = (*state.done, step.number)
        pivot = step if step.kind == PIVOT else self.pivot_done(state)
        if pivot is None and step.kind != RETRIABLE:
            # before the pivot: undo everything done, the step that was in flight included
            cancelled = state._replace(cancelled=True)
            undo = (*trace, f"{orchestrator}: cancelling")
            self.start_compensation(cancelled, done, undo, state.faults)
            return
        forward = cancel.after_pivot
        if forward is not None:
            self.forward_action(forward, pivot or step, trace)
        elif cancel.refused:
            refused = (*trace, f"{orchestrator} -> outside: {cancel.refused} (cancel refused)")
            self.advance(state._replace(cancelled=True), step, refused)
        else:
            name = (pivot or step).name
            self.violate(
                CANCEL_UNDEFINED,
                step,
                f"a cancel ({cancel.on}) can arrive after the pivot '{name}' of saga "
                f"'{self.saga.name}', and nothing says what happens: compensating would undo "
                "a step that cannot be undone",
                "give `cancel` an `after_pivot` forward action (a fee, an early end), or a "
                "`refused` reply that turns the cancel down",
                trace,
                f"{cancel.on} is neither honoured nor refused after {name} (pivot)",
                pointer=cancel.pointer,
                subject=f"cancel after {name}",
            )

    def forward_action(self, forward: Step, pivot: Step, trace: tuple[str, ...]) -> None:
        """The cancel's action after the pivot: it must succeed when retried, like a
        retriable step, since nothing before it can be undone any more."""
        orchestrator = self.saga.orchestrator
        sent = (*trace, f"{orchestrator} -> {forward.participant}: {forward.command} (cancel)")
        self.reach("cancelled")
        if forward.timeout is None and not forward.local:
            self.violate(
                NO_TIMEOUT,
                forward,
                f"the cancel's action '{forward.name}' has no timeout: if "
                f"{forward.participant} never replies, the cancel waits forever",
                "give `after_pivot` a `timeout` and `retry: {max_attempts: unlimited}`",
                (*sent, f"{forward.participant}: no reply (message lost or participant down)"),
                f"{orchestrator} waits forever; the cancel after {pivot.name} never ends",
            )
            return
        retry = forward.retry
        if forward.failures or not (retry is not None and (retry.unlimited or retry.escalates)):
            failure = (
                forward.failures[0]
                if forward.failures
                else f"no reply within {forward.timeout} (timeout)"
            )
            self.violate(
                RETRIABLE_CAN_FAIL,
                forward,
                f"the cancel's action '{forward.name}' runs after the pivot '{pivot.name}' but "
                f"can fail for good ({_why_final(forward)})",
                "a forward action after the pivot must succeed when retried: no failure "
                "reply, `retry: {max_attempts: unlimited}` or retries with `escalate_to`",
                (*sent, f"{forward.participant}: {failure}"),
                f"the cancel after {pivot.name} neither completes nor can be undone",
            )

    def time_out(self, state: _State, step: Step, sent: tuple[str, ...], faulted: int) -> None:
        if step.timeout is None:
            awaited = step.reply or f"the reply to {step.command}"
            if step.waits:
                message = (
                    f"step '{step.name}' waits for {step.actor} without a deadline: if no "
                    "decision comes, the saga waits forever"
                )
                lost = f"{step.actor}: no decision"
            else:
                message = (
                    f"step '{step.name}' has no timeout: if {step.participant} never replies, "
                    f"the saga waits forever"
                )
                lost = f"{step.participant}: no reply (message lost or participant down)"
            self.violate(
                NO_TIMEOUT,
                step,
                message,
                "give the step a `timeout` (and a `retry` policy if it may be retried)",
                (*sent, lost),
                f"{self.saga.orchestrator} waits for {awaited} forever (no timeout)",
            )
            return
        if step.waits:
            # the orchestrator's own deadline: the outcome is known, no decision came
            expired = f"{step.actor}: no decision within {step.timeout} (deadline passes)"
            self.fail(state, step, (*sent, expired), faulted)
            return
        timed_out = (*sent, f"{step.participant}: no reply within {step.timeout} (timeout)")
        retry = step.retry
        if retry is not None:
            self.resent(step, step.participant, step.command, timed_out)
        if retry is not None and retry.unlimited:
            return  # retried until a reply comes: the success path covers it
        if retry is not None:
            timed_out = (
                *timed_out,
                f"{self.saga.orchestrator}: retried {retry.max_attempts} times, no reply",
            )
        if step.kind == PIVOT and self.pivot_done(state) is None:
            if retry is not None and retry.escalate_to:
                self.reach("escalated")
            else:
                self.pivot_timed_out(state, step, timed_out)
            return
        self.fail(state, step, timed_out, faulted, unknown=True)

    def pivot_timed_out(self, state: _State, step: Step, trace: tuple[str, ...]) -> None:
        """The pivot gave no reply: it may have committed, so compensating is wrong."""
        undone = [
            f"{done.name} ({done.compensation.command})"
            for done in (self.by_number[n] for n in reversed(state.done))
            if done.compensation is not None
        ]
        orchestrator = self.saga.orchestrator
        if undone:
            action = f"{orchestrator} compensates {', '.join(undone)}"
        else:
            action = f"{orchestrator} ends the saga compensated"
        self.violate(
            PIVOT_TIMEOUT_COMPENSATED,
            step,
            f"pivot '{step.name}' can time out, and the saga then compensates although "
            f"{step.command} may have committed (a timeout leaves the outcome unknown)",
            "retry the pivot until it answers (`retry: {max_attempts: unlimited}`, with an "
            "idempotent participant), or `escalate_to` a human task or status query when "
            "retries run out; never compensate around a pivot whose outcome is unknown",
            (*trace, f"{orchestrator}: outcome of {step.command} unknown"),
            f"{action} although {step.command} (pivot) may have committed",
        )

    def duplicate(self, step: Step, service: str, command: str, sent: tuple[str, ...]) -> None:
        orchestrator = self.saga.orchestrator
        level = self.level(service, command)
        if level in NOT_IDEMPOTENT_LEVELS:
            level = level or "not declared"
            self.violate(
                NOT_IDEMPOTENT,
                step,
                f"{service} is not idempotent (idempotency: {level}) but receives {command} "
                f"in saga '{self.saga.name}', and brokers redeliver",
                f"set `idempotency` of service {service} to inbox, dedupe-key or natural",
                (*sent, f"{orchestrator} -> {service}: {command} (delivered again)"),
                f"{service} handles {command} twice (idempotency: {level})",
                subject=f"{service} handles {command}",
            )

    def resent(self, step: Step, service: str, command: str, timed_out: tuple[str, ...]) -> None:
        """A retried command is sent again as a new message: a service that recognises repeats
        by message id applies it twice."""
        if self.scope(service, command) != "message-id":
            return
        self.violate(
            NOT_IDEMPOTENT,
            step,
            f"{service} recognises repeats by message id, but {self.saga.orchestrator} re-sends "
            f"{command} after a timeout as a new message (saga '{self.saga.name}'): a command "
            "that took effect is applied again",
            f"have {service} recognise {command} by a command id {self.saga.orchestrator} keeps "
            "across retries (`idempotency_scope: command-id`) or by its business key",
            (*timed_out, f"{self.saga.orchestrator} -> {service}: {command} (re-sent, new id)"),
            f"{service} applies {command} twice (it took effect; only the reply was lost)",
            subject=f"{service} handles {command} re-sent",
        )

    def duplicate_reply(self, step: Step, sent: tuple[str, ...], replied: str, reply: str) -> None:
        orchestrator = self.saga.orchestrator
        level = self.level(orchestrator, reply)
        if level not in NOT_IDEMPOTENT_LEVELS:
            return
        level = level or "not declared"
        self.violate(
            NOT_IDEMPOTENT,
            step,
            f"orchestrator {orchestrator} is not idempotent (idempotency: {level}) but "
            f"receives replies such as {reply}, and brokers redeliver",
            f"set `idempotency` of service {orchestrator} (or of its consumer entry on "
            f"{reply}) to inbox, dedupe-key or natural",
            (*sent, replied, f"{replied} (delivered again)"),
            f"{orchestrator} handles {reply} twice (idempotency: {level})",
            pointer=self.saga.pointer,
            subject=f"{orchestrator} handles replies",
        )

    def pivot_done(self, state: _State) -> Step | None:
        for number in state.done:
            if self.by_number[number].kind == PIVOT:
                return self.by_number[number]
        return None

    def advance(self, state: _State, step: Step, trace: tuple[str, ...]) -> None:
        done = (*state.done, step.number)
        stage = self.saga.stages[state.stage]
        if state.branch + 1 < len(stage):
            self.push(state._replace(branch=state.branch + 1, done=done), trace)
        elif state.stage_failed:
            self.start_compensation(state, done, trace, state.faults)
        elif state.stage + 1 < len(self.saga.stages):
            self.push(state._replace(stage=state.stage + 1, branch=0, done=done), trace)
        else:
            completed = state._replace(done=done)
            for timer in self.armed(completed):
                self.expire(completed, timer, trace)
            self.reach("completed")

    # -- participants' timers ----------------------------------------------------------
    def armed(self, state: _State) -> list[Timer]:
        """Participants' timers that can still expire: started by a reply of a step done,
        not yet stopped by the reply of a later step done, not fired."""
        replies = {self.by_number[n].reply for n in state.done}
        return [
            timer
            for timer in self.saga.timers
            if timer.event not in state.expired
            and timer.starts_on in replies
            and not replies & set(timer.stops_on)
        ]

    def expire(self, state: _State, timer: Timer, trace: tuple[str, ...]) -> None:
        """A participant's timer fires: it undoes its own step, whatever the saga is doing."""
        self.timer_races += 1
        when = f"at {timer.at}" if timer.at else f"after {timer.after}" if timer.after else ""
        fired = (*trace, f"{timer.service}: {timer.event} (timer expires {when})".rstrip())
        held = next(n for n in state.done if self.by_number[n].reply == timer.starts_on)
        step = self.by_number[held]
        pivot = self.pivot_done(state)
        if pivot is not None:
            self.violate(
                UNDO_AFTER_PIVOT,
                step,
                f"{timer.service}'s timer {timer.event} can expire after the pivot "
                f"'{pivot.name}' and undo '{step.name}' on its own: the saga ends half done",
                f"stop the timer with a step before the pivot (add its reply to `stops_on`), or "
                f"let {self.saga.orchestrator} own the deadline (a step `timeout`) and release "
                f"{step.name} itself",
                fired,
                f"{step.reply} is gone although {pivot.command} (pivot) cannot be undone",
                pointer=timer.pointer,
                subject=f"timer {timer.event}",
            )
            return
        # before the pivot the expiry is a failure of the held step: undo the others
        others = tuple(n for n in state.done if n != held)
        expired = state._replace(expired=(*state.expired, timer.event))
        received = (*fired, f"{self.saga.orchestrator}: {timer.event} received; compensating")
        self.start_compensation(expired, others, received, state.faults)

    def fail(
        self,
        state: _State,
        step: Step,
        trace: tuple[str, ...],
        faults: int,
        unknown: bool = False,
    ) -> None:
        """Step `step` failed for good after `trace` (timed out, when `unknown`)."""
        repeat = step.repeat
        if repeat is not None and not unknown:
            trace = (
                *trace,
                f"{self.saga.orchestrator}: redoes {step.name} up to {repeat.max_attempts} "
                "times in all; every attempt fails",
            )
            if repeat.escalate_to:
                self.reach("escalated")
                return
        retry = step.retry
        if (
            retry is not None
            and retry.escalate_to
            and (step.kind == RETRIABLE or self.pivot_done(state))
        ):
            self.reach("escalated")
            return
        pivot = self.pivot_done(state)
        if step.kind == RETRIABLE:
            self.violate(
                RETRIABLE_CAN_FAIL,
                step,
                f"retriable step '{step.name}' can fail for good ({_why_final(step)})",
                "a retriable step must succeed when retried: drop business failures from it, "
                "give it `retry: {max_attempts: unlimited}`, or `escalate_to` a human task",
                trace,
                f"{step.command} failed for good"
                + (f" after the pivot {pivot.name}" if pivot else "")
                + "; the saga can neither complete nor compensate",
            )
            return
        if pivot is not None:
            self.violate(
                MISPLACED_PIVOT,
                step,
                f"step '{step.name}' can fail after the pivot '{pivot.name}', which cannot be "
                f"undone",
                "make the pivot the last step that can fail: move it after every "
                "compensatable step, and make the steps after it retriable",
                trace,
                f"{pivot.command} (pivot) cannot be undone, so the saga can neither complete "
                "nor compensate",
            )
            return
        if unknown and step.kind == COMPENSATABLE and step.compensation is not None:
            # it may have taken effect: undo it too (its compensation tolerates a no-op)
            state = state._replace(
                done=(*state.done, step.number), unknown=(*state.unknown, step.number)
            )
        stage = self.saga.stages[state.stage]
        if state.branch + 1 < len(stage):
            self.push(
                state._replace(branch=state.branch + 1, stage_failed=True, faults=faults), trace
            )
        else:
            self.start_compensation(state, state.done, trace, faults)

    def start_compensation(
        self, state: _State, done: tuple[int, ...], trace: tuple[str, ...], faults: int
    ) -> None:
        if not done:
            self.reach("compensated")
            return
        self.push(_State(COMPENSATE, state.stage, 0, done, False, 0, faults, state.unknown), trace)

    def compensate(self, state: _State, trace: tuple[str, ...]) -> None:
        undo_order = tuple(reversed(state.done))
        if state.undo_index >= len(undo_order):
            self.reach("compensated")
            return
        step = self.by_number[undo_order[state.undo_index]]
        orchestrator = self.saga.orchestrator
        following = state._replace(undo_index=state.undo_index + 1)
        compensation = step.compensation
        if step.waits and compensation is None:
            self.push(following, trace)  # waiting had no effect to undo
            return
        if compensation is None:
            self.violate(
                MISSING_COMPENSATION,
                step,
                f"{step.kind} step '{step.name}' has no compensation: when a later step fails, "
                f"{step.command} stays in effect",
                "add a `compensation` command that undoes it, or make it the pivot or a "
                "retriable step after the pivot",
                (*trace, f"{orchestrator}: compensating; nothing undoes {step.command}"),
                f"{step.command} by {step.participant} stays in effect (no compensation)",
            )
            return
        unknown = "; its outcome is unknown" if step.number in state.unknown else ""
        sent = (
            *trace,
            f"{orchestrator} -> {step.participant}: {compensation.command} "
            f"(compensates {step.name}{unknown})",
        )
        reply = compensation.reply or "done"
        self.push(following, (*sent, f"{step.participant}: {reply}"))
        if state.faults >= self.max_faults:
            return
        self.duplicate(step, step.participant, compensation.command, sent)
        if compensation.retry is not None and compensation.timeout:
            lost = f"{step.participant}: no reply within {compensation.timeout} (timeout)"
            self.resent(step, step.participant, compensation.command, (*sent, lost))
        if compensation.reply:
            self.duplicate_reply(step, sent, f"{step.participant}: {reply}", compensation.reply)
        retry = compensation.retry
        if retry is not None and retry.escalate_to:
            self.reach("escalated")
            return
        if compensation.failures:
            # a refusal is final: retrying does not change it, only escalation handles it
            failure = f"{step.participant}: {compensation.failures[0]}"
            why = "a retry does not change a refusal and nothing escalates it"
        elif retry is not None and retry.unlimited:
            return  # retried until it succeeds
        else:
            if compensation.timeout:
                failure = f"{step.participant}: no reply within {compensation.timeout} (timeout)"
            else:
                failure = f"{step.participant}: no reply (message lost or participant down)"
            why = (
                f"{retry.describe()} with no escalation"
                if retry is not None
                else "it is not retried"
            )
        self.violate(
            COMPENSATION_CAN_FAIL,
            step,
            f"compensation {compensation.command} of step '{step.name}' can fail and {why}",
            "give the compensation `retry: {max_attempts: unlimited}` (compensations must "
            "eventually succeed), or `escalate_to` a human task when retries run out",
            (*sent, failure),
            f"{step.command} stays in effect: {compensation.command} failed ({why})",
            pointer=compensation.pointer,
        )


def explore(
    saga: OrchestratedSaga,
    idempotency: Idempotency,
    *,
    max_faults: int = 2,
    max_states: int = 50_000,
    scope: Idempotency = lambda service, message: None,
) -> Exploration:
    """Every failure path of an orchestrated saga, up to `max_faults` faults per path.

    `idempotency(service, message)` is how the service tolerates a redelivered message;
    `scope(service, message)` what it recognises a repeat by (a re-sent command gets a new
    message id, so `message-id` does not recognise it)."""
    return _Explorer(saga, idempotency, max_faults, max_states, scope).run()


def _why_final(step: Step) -> str:
    """Why a retriable step's failure is final."""
    if step.failures:
        return f"it declares failure {', '.join(step.failures)}, which a retry does not change"
    if step.retry is None:
        return "it has no retry policy"
    return f"{step.retry.describe()}, with no escalation"
