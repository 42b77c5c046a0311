"""Verify every saga of a design model: declarations, structure, and every failure path.

`verify_sagas` returns, per saga, the violations found (each with its code and a counterexample
trace) and what the exploration covered; the saga rules (`rules/sagas.py`) turn codes into
findings of their rules, for both `saga verify` and `check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model.payload import lookup_field
from ..model.types import DesignModel
from . import choreography, messages, orchestration
from .model import (
    COMPENSATABLE,
    PIVOT,
    ChoreographedSaga,
    OrchestratedSaga,
    RetryPolicy,
    Saga,
    Step,
)
from .violations import (
    BOUNDED,
    CANCEL_UNDEFINED,
    COMPENSATION_REPEATS_STEP,
    ESCALATION_NEVER_FIRES,
    MISPLACED_PIVOT,
    MISSING_COMPENSATION,
    NO_PRODUCER,
    NO_TIMEOUT,
    TOPOLOGY,
    UNDECLARED,
    UNKNOWN_SERVICE,
    Coverage,
    Violation,
    joined,
    numbered,
)


@dataclass(frozen=True)
class Limits:
    """Exploration bounds: faults per path and states per saga."""

    max_faults: int = 2
    max_states: int = 50_000


def sagas_of(model: DesignModel) -> list[Saga]:
    return list(model.parsed_sagas.values())


@dataclass(frozen=True)
class SagaResult:
    """What verifying one saga found (violations, by code) and what exploring it covered."""

    saga: Saga
    violations: list[Violation]
    coverage: Coverage


def verify_sagas(
    model: DesignModel, names: Sequence[str] | None = None, limits: Limits = Limits()
) -> list[SagaResult]:
    """The result of verifying each named saga (all when `names` is None), in model order."""
    results = []
    for saga in sagas_of(model):
        if names is not None and saga.name not in names:
            continue
        violations, covered = _verify(model, saga, limits)
        results.append(SagaResult(saga, violations, covered))
    return results


def verify_saga(model: DesignModel, saga: Saga, limits: Limits = Limits()) -> list[Violation]:
    """Every violation of one saga, each with a counterexample trace where a path shows it."""
    return _verify(model, saga, limits)[0]


def _verify(model: DesignModel, saga: Saga, limits: Limits) -> tuple[list[Violation], Coverage]:
    found = list(_declarations(model, saga))
    if isinstance(saga, OrchestratedSaga):
        explored, coverage = _verify_orchestrated(model, saga, limits)
    else:
        explored, coverage = _verify_choreographed(model, saga, limits)
    found.extend(explored)
    found.extend(messages.correlation_violations(model, saga))
    found.extend(_escalations(saga))
    unique: dict[tuple[str, str], Violation] = {}
    for violation in found:
        unique.setdefault(violation.key, violation)
    return list(unique.values()), coverage


def _retry_policies(saga: Saga) -> Iterable[tuple[str, str, RetryPolicy | None, bool]]:
    """(pointer, what, retry policy, whether a refusal can reach it) of every policy."""
    if isinstance(saga, OrchestratedSaga):
        steps = list(saga.steps)
        if saga.cancel is not None and saga.cancel.after_pivot is not None:
            steps.append(saga.cancel.after_pivot)
        for step in steps:
            yield step.pointer, f"step '{step.name}'", step.retry, bool(step.failures)
            comp = step.compensation
            if comp is not None:
                what = f"compensation {comp.command}"
                yield comp.pointer, what, comp.retry, bool(comp.failures)
    else:
        for reaction in saga.reactions:
            refusals = bool(reaction.fails_with)
            yield reaction.pointer, f"reaction '{reaction.label}'", reaction.retry, refusals


def _escalations(saga: Saga) -> Iterable[Violation]:
    """Escalation targets that can never be reached: unlimited retries and nothing to page."""
    for pointer, what, retry, refusals in _retry_policies(saga):
        if retry is None or not retry.escalate_to or retry.escalates or refusals:
            continue
        yield Violation(
            ESCALATION_NEVER_FIRES,
            f"{pointer}/retry",
            f"{what} escalation",
            f"{what} of saga '{saga.name}' names `escalate_to: {retry.escalate_to}` but retries "
            "without limit and has no `page_after`: the escalation never fires, and a stuck "
            "saga retries silently forever",
            "add `page_after: DURATION` (alert after that long), or bound `max_attempts`",
            numbered(
                (
                    f"{what} keeps failing",
                    f"end: it is retried forever; {retry.escalate_to} is never told",
                )
            ),
        )


# -- declarations ----------------------------------------------------------------------------
def _messages(model: DesignModel, saga: Saga) -> Iterable[tuple[str, str, str, str]]:
    """(kind 'event'|'command', name, pointer, role) of every message a saga names."""
    for timer in saga.timers:
        yield "event", timer.event, f"{timer.pointer}/event", timer.service
        yield "event", timer.starts_on, f"{timer.pointer}/starts_on", "on"
        for event in timer.stops_on:
            yield "event", event, f"{timer.pointer}/stops_on", "on"
    if saga.trigger:
        yield "event", saga.trigger, f"{saga.pointer}/trigger", "trigger"
    for event in saga.completed:
        yield "event", event, f"{saga.pointer}/completed", "completed"
    for event in saga.compensated:
        yield "event", event, f"{saga.pointer}/compensated", "compensated"
    if isinstance(saga, OrchestratedSaga):
        steps = list(saga.steps)
        if saga.cancel is not None:
            cancel = saga.cancel
            if cancel.on in model.commands:
                yield "command", cancel.on, f"{cancel.pointer}/on", saga.orchestrator
            else:
                yield "event", cancel.on, f"{cancel.pointer}/on", "outcome"
            for name in (cancel.refused, cancel.outcome):
                if name:
                    yield "event", name, cancel.pointer, "outcome"
            if cancel.after_pivot is not None:
                steps.append(cancel.after_pivot)
        for step in steps:
            # a wait step's decision comes from an outside actor through some service
            sender = "outcome" if step.waits else saga.orchestrator if step.local else None
            if not step.waits:
                yield "command", step.command, f"{step.pointer}/command", step.participant
            if step.reply:
                yield "event", step.reply, f"{step.pointer}/reply", sender or step.participant
            for failure in step.failures:
                yield "event", failure, f"{step.pointer}/failure", sender or step.participant
            comp = step.compensation
            if comp is not None:
                yield "command", comp.command, comp.pointer, step.participant
                for name in (comp.reply, comp.nothing_to_undo):
                    if name:
                        yield "event", name, f"{comp.pointer}/reply", step.participant
                for failure in comp.failures:
                    yield "event", failure, f"{comp.pointer}/failure", step.participant
    else:
        if saga.cancel is not None:
            yield "event", saga.cancel.on, f"{saga.cancel.pointer}/on", "outcome"
        for reaction in saga.reactions:
            yield "event", reaction.on, f"{reaction.pointer}/on", "on"
            for event in reaction.emits:
                yield "event", event, f"{reaction.pointer}/emits", reaction.service
            for event in reaction.fails_with:
                yield "event", event, f"{reaction.pointer}/fails_with", reaction.service
            for event in (*reaction.nothing_to_undo, *reaction.after_pivot):
                yield "event", event, f"{reaction.pointer}/emits", reaction.service
            if reaction.compensates:
                yield "event", reaction.compensates, f"{reaction.pointer}/compensates", "undo"


def _services(saga: Saga) -> Iterable[tuple[str, str]]:
    if isinstance(saga, OrchestratedSaga):
        yield saga.orchestrator, f"{saga.pointer}/orchestrator"
        steps = list(saga.steps)
        if saga.cancel is not None and saga.cancel.after_pivot is not None:
            steps.append(saga.cancel.after_pivot)
        for step in steps:
            if not step.waits:  # an actor is a person or outside system, not a service
                yield step.participant, f"{step.pointer}/participant"
    else:
        for reaction in saga.reactions:
            yield reaction.service, f"{reaction.pointer}/service"
    for timer in saga.timers:
        yield timer.service, f"{timer.pointer}/service"


def _declarations(model: DesignModel, saga: Saga) -> Iterable[Violation]:
    for service, pointer in _services(saga):
        if service not in model.services:
            yield Violation(
                UNKNOWN_SERVICE,
                pointer,
                f"service {service}",
                f"saga '{saga.name}' names service '{service}', which the model does not declare",
                f"declare '{service}' under `services:` or fix the name",
            )
    for kind, name, pointer, role in _messages(model, saga):
        table = model.events if kind == "event" else model.commands
        if name not in table:
            section = "events" if kind == "event" else "commands"
            yield Violation(
                UNDECLARED,
                pointer,
                f"{kind} {name}",
                f"saga '{saga.name}' names {kind} '{name}', which the model does not declare "
                f"under `{section}:`",
                f"declare '{name}' under `{section}:` (with its "
                f"{'producer' if kind == 'event' else 'handler'}) or fix the name",
            )
            continue
        if kind == "event":
            event = model.events[name]
            if event.producer not in model.services:
                yield Violation(
                    NO_PRODUCER,
                    pointer,
                    f"event {name}",
                    f"no service produces event '{name}' used by saga '{saga.name}' (its "
                    f"producer '{event.producer}' is not a declared service)",
                    "make a declared service its producer",
                )
            elif role not in ("trigger", "completed", "compensated", "on", "undo", "outcome") and (
                event.producer != role
            ):
                yield Violation(
                    TOPOLOGY,
                    pointer,
                    f"{name} producer",
                    f"saga '{saga.name}' has {role} emit '{name}', but the model's producer of "
                    f"'{name}' is {event.producer}",
                    f"make {role} the event's producer, or have {event.producer} emit it",
                )
        else:
            command = model.commands[name]
            if command.handler != role:
                yield Violation(
                    TOPOLOGY,
                    pointer,
                    f"{name} handler",
                    f"saga '{saga.name}' sends '{name}' to {role}, but the model's handler of "
                    f"'{name}' is {command.handler}",
                    f"make {role} the command's handler, or send it to {command.handler}",
                )
    if isinstance(saga, ChoreographedSaga):
        emitted = choreography.emittable(saga)
        for reaction in saga.reactions:
            if reaction.on not in emitted:
                yield Violation(
                    NO_PRODUCER,
                    f"{reaction.pointer}/on",
                    f"event {reaction.on}",
                    f"reaction '{reaction.label}' waits for {reaction.on}, but neither the "
                    f"trigger nor any reaction of saga '{saga.name}' emits it",
                    f"add the reaction that emits {reaction.on}, or fix the event name",
                )
            consumers = (
                {c.service for c in model.events[reaction.on].consumers}
                if (reaction.on in model.events)
                else {reaction.service}
            )
            if reaction.service not in consumers:
                yield Violation(
                    TOPOLOGY,
                    f"{reaction.pointer}/service",
                    f"{reaction.label} consumer",
                    f"{reaction.service} reacts to {reaction.on} in saga '{saga.name}' but is "
                    f"not among the event's consumers",
                    f"add {reaction.service} to the consumers of {reaction.on}",
                )
        for key in ("completed", "compensated"):
            for event in getattr(saga, key):
                if event not in emitted:
                    yield Violation(
                        NO_PRODUCER,
                        f"{saga.pointer}/{key}",
                        f"event {event}",
                        f"saga '{saga.name}' ends {key} with {event}, but no reaction emits it",
                        f"add the reaction that emits {event}, or fix the event name",
                    )
        yield from _timers_and_cancels(model, saga, emitted)


def _timers_and_cancels(
    model: DesignModel, saga: ChoreographedSaga, emitted: set[str]
) -> Iterable[Violation]:
    """Timers that can never start or whose owner cannot see their start or expiry time,
    reactions waiting for an actor without a deadline, and cancel reactions that claim to
    know about a pivot another service owns."""
    for timer in saga.timers:
        start = model.events.get(timer.starts_on)
        if timer.starts_on not in emitted:
            yield Violation(
                NO_PRODUCER,
                f"{timer.pointer}/starts_on",
                f"timer {timer.event}",
                f"timer {timer.event} of saga '{saga.name}' starts on {timer.starts_on}, which "
                "no reaction emits: it never runs",
                f"start it on an event the saga emits, or fix the name {timer.starts_on}",
            )
        elif (
            start is not None
            and timer.service != start.producer
            and timer.service not in {c.service for c in start.consumers}
        ):
            yield Violation(
                TOPOLOGY,
                f"{timer.pointer}/service",
                f"timer {timer.event} owner",
                f"{timer.service} owns timer {timer.event} but neither produces nor consumes "
                f"{timer.starts_on}, so it never learns when to arm it",
                f"add {timer.service} to the consumers of {timer.starts_on}",
            )
        if timer.at and start is not None and start.schema is not None:
            found = lookup_field(start.schema, start.schema_format, timer.at)
            if found.known and not found.required:
                yield Violation(
                    TOPOLOGY,
                    f"{timer.pointer}/at",
                    f"timer {timer.event} expiry time",
                    f"timer {timer.event} expires at {timer.at}, which {timer.starts_on} does not "
                    "always carry",
                    f"add `{timer.at}` to the required fields of {timer.starts_on}",
                )
    pivots = {r.service for r in saga.reactions if r.kind == PIVOT}
    for reaction in saga.reactions:
        outs = set(choreography.outputs(reaction))
        deadline = any(t.starts_on == reaction.on and (outs & set(t.stops_on)) for t in saga.timers)
        if reaction.actor and not deadline:
            yield Violation(
                NO_TIMEOUT,
                reaction.pointer,
                f"{reaction.label} deadline",
                f"'{reaction.label}' waits for {reaction.actor} without a deadline: if no "
                "decision comes, the saga waits forever",
                f"add a timer armed by {reaction.on} and stopped by "
                f"{joined(reaction.emits + reaction.fails_with)}, and react to its expiry",
                numbered(
                    (
                        f"{reaction.label}: waits for {reaction.actor}",
                        f"{reaction.actor}: no decision",
                        f"end: {reaction.service} waits forever (no deadline)",
                    )
                ),
            )
        if reaction.after_pivot and reaction.service not in pivots:
            yield Violation(
                CANCEL_UNDEFINED,
                f"{reaction.pointer}/after_pivot",
                f"{reaction.label} after the pivot",
                f"'{reaction.label}' declares `after_pivot` events, but {reaction.service} does "
                "not own the pivot: it cannot tell in its own transaction whether the pivot "
                "happened, so a cancel racing the pivot is handled both ways or neither",
                "let the pivot's service decide the cancel (its reaction carries `after_pivot`), "
                "and have the others react to what it emits",
            )


# -- orchestration ---------------------------------------------------------------------------
def _happy_prefix(saga: OrchestratedSaga, upto: Step) -> list[str]:
    lines = []
    for step in saga.steps:
        lines.append(f"{saga.orchestrator} -> {step.participant}: {step.command}")
        lines.append(f"{step.participant}: {step.reply or 'done'}")
        if step.number == upto.number:
            break
    return lines


def _verify_orchestrated(
    model: DesignModel, saga: OrchestratedSaga, limits: Limits
) -> tuple[list[Violation], Coverage]:
    result = orchestration.explore(
        saga,
        lambda service, message: messages.idempotency_of(model, service, message),
        max_faults=limits.max_faults,
        max_states=limits.max_states,
        scope=lambda service, message: messages.idempotency_scope_of(model, service, message),
    )
    found = list(result.violations)
    found.extend(messages.orchestrated_overtaking(model, saga))
    by_key = {v.key for v in found}
    steps = saga.steps
    pivots = [s for s in steps if s.kind == PIVOT]
    for step in steps:
        if step.compensation is not None and step.compensation.command == step.command:
            found.append(
                Violation(
                    COMPENSATION_REPEATS_STEP,
                    step.compensation.pointer,
                    f"{step.name} compensation",
                    f"the compensation of step '{step.name}' is {step.command}, the step's own "
                    "command: sending it again repeats the step instead of undoing it",
                    f"name the command that undoes {step.command} (a release, cancel or refund) "
                    "as the compensation",
                    numbered(
                        (
                            f"{saga.orchestrator} -> {step.participant}: {step.command}",
                            f"{step.participant}: {step.reply or 'done'}",
                            "a later step fails",
                            f"{saga.orchestrator} -> {step.participant}: {step.command} "
                            f"(compensates {step.name})",
                            f"end: {step.command} is applied again, not undone",
                        )
                    ),
                )
            )
        missing = step.kind == COMPENSATABLE and step.compensation is None and not step.waits
        if missing and (MISSING_COMPENSATION, step.name) not in by_key:
            found.append(
                Violation(
                    MISSING_COMPENSATION,
                    step.pointer,
                    step.name,
                    f"compensatable step '{step.name}' has no compensation",
                    "add a `compensation` command that undoes it, or declare it the "
                    "pivot or a retriable step",
                    numbered(
                        (
                            *_happy_prefix(saga, step),
                            f"end: if a later step fails, {step.command} cannot be undone",
                        )
                    ),
                )
            )
    if pivots:
        first = pivots[0]
        late = [
            s
            for s in steps
            if s.number > first.number
            and s.kind in (COMPENSATABLE, PIVOT)
            and s.stage != first.stage
        ]
        for step in late:
            if (MISPLACED_PIVOT, step.name) in by_key:
                continue
            what = "a second pivot" if step.kind == PIVOT else "a compensatable step"
            found.append(
                Violation(
                    MISPLACED_PIVOT,
                    step.pointer,
                    step.name,
                    f"step '{step.name}' is {what} after the pivot '{first.name}'; the pivot "
                    "must be the last step that is not retriable",
                    "order the steps: compensatable steps, then one pivot, then retriable steps",
                    numbered(
                        (
                            *_happy_prefix(saga, step),
                            f"end: if {step.command} fails, {first.command} (pivot) cannot be "
                            "undone",
                        )
                    ),
                )
            )
        for step in pivots:
            siblings = [s for s in steps if s.stage == step.stage and s.number != step.number]
            if siblings and (MISPLACED_PIVOT, step.name) not in by_key:
                found.append(
                    Violation(
                        MISPLACED_PIVOT,
                        step.pointer,
                        step.name,
                        f"pivot '{step.name}' runs in parallel with other steps; if one of "
                        "them fails, the pivot cannot be undone",
                        "run the pivot on its own, after the parallel group",
                        numbered(
                            (
                                f"{saga.orchestrator} -> {step.participant}: {step.command}",
                                f"{siblings[0].participant}: fails",
                                f"end: {step.command} (pivot) cannot be undone",
                            )
                        ),
                    )
                )
    if result.bounded:
        found.append(_bounded(saga, result.states))
    return found, _coverage(saga, len(saga.stages), result, limits)


def _coverage(
    saga: Saga,
    stages: int,
    result: orchestration.Exploration | choreography.Exploration,
    limits: Limits,
) -> Coverage:
    return Coverage(
        saga=saga.name,
        style=saga.style,
        stages=stages,
        states=result.states,
        paths=result.paths,
        max_faults=limits.max_faults,
        cancel_points=result.cancel_points,
        timer_races=getattr(result, "timer_races", 0),
        outcomes=tuple(sorted(result.outcomes)),
        complete=not result.bounded,
    )


def _bounded(saga: Saga, states: int) -> Violation:
    return Violation(
        BOUNDED,
        saga.pointer,
        "exploration bound",
        f"exploration of saga '{saga.name}' stopped at {states} states; paths beyond were not "
        "checked",
        "split the saga, or verify with fewer faults per path",
    )


# -- choreography ----------------------------------------------------------------------------
def _verify_choreographed(
    model: DesignModel, saga: ChoreographedSaga, limits: Limits
) -> tuple[list[Violation], Coverage]:
    idempotency = {
        (r.service, r.on): messages.idempotency_of(model, r.service, r.on) for r in saga.reactions
    }
    trigger = model.events.get(saga.trigger)
    starter = trigger.producer if trigger is not None else "start"
    result = choreography.explore(
        saga,
        idempotency,
        f"{starter}: {saga.trigger}",
        max_faults=limits.max_faults,
        max_states=limits.max_states,
    )
    found = list(result.violations)
    found.extend(choreography.structural_violations(saga, result.fired))
    found.extend(messages.choreographed_overtaking(model, saga, choreography.ancestors(saga)))
    compensated = {r.compensates for r in saga.reactions if r.compensates}
    reported = {v.subject for v in found if v.code == MISSING_COMPENSATION}
    for reaction in saga.reactions:
        if reaction.kind != COMPENSATABLE or reported & set(reaction.emits):
            continue
        if not any(e in compensated for e in reaction.emits):
            found.append(
                Violation(
                    MISSING_COMPENSATION,
                    reaction.pointer,
                    reaction.label,
                    f"compensatable reaction '{reaction.label}' has no compensating reaction: "
                    f"nothing declares `compensates:` for {joined(reaction.emits)}",
                    "add a reaction to the failure events that `compensates` its event",
                    numbered(
                        (
                            f"{reaction.label}: {', '.join(reaction.emits) or 'done'}",
                            "end: if a later reaction fails, this effect cannot be undone",
                        )
                    ),
                )
            )
    if result.bounded:
        found.append(_bounded(saga, result.states))
    return found, _coverage(saga, len(saga.reactions), result, limits)
