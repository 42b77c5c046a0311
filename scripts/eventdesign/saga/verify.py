"""Verify every saga of a design model: declarations, structure, and every failure path.

`verify_model` is what both `saga verify` and the `check` rules run; it returns findings with
counterexample traces, in a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..findings import Finding, sorted_findings
from ..model.types import DesignModel
from . import choreography, orchestration
from .model import (
    COMPENSATABLE,
    PIVOT,
    ChoreographedSaga,
    OrchestratedSaga,
    Saga,
    Step,
    parse_sagas,
)
from .violations import (
    BOUNDED,
    COMPENSATION_REPEATS_STEP,
    MISPLACED_PIVOT,
    MISSING_COMPENSATION,
    NO_PRODUCER,
    TOPOLOGY,
    UNDECLARED,
    UNKNOWN_SERVICE,
    Violation,
    joined,
    numbered,
)


@dataclass(frozen=True)
class Limits:
    """Exploration bounds: faults per path and states per saga."""

    max_faults: int = 2
    max_states: int = 50_000


def _severity(rule_id: str) -> str:
    from ..rules.registry import find_rule

    found = find_rule(rule_id)
    return found.severity if found is not None else "error"


def sagas_of(model: DesignModel) -> list[Saga]:
    return parse_sagas(model.sagas)


def verify_model(
    model: DesignModel, names: Sequence[str] | None = None, limits: Limits = Limits()
) -> list[Finding]:
    """Findings for the named sagas (all when `names` is None), sorted."""
    findings: list[Finding] = []
    for saga in sagas_of(model):
        if names is not None and saga.name not in names:
            continue
        findings.extend(_finding(model, saga, v) for v in verify_saga(model, saga, limits))
    return sorted_findings(findings)


def _finding(model: DesignModel, saga: Saga, violation: Violation) -> Finding:
    return Finding(
        rule=violation.rule,
        severity=_severity(violation.rule),
        message=violation.message,
        location=model.locate(violation.pointer),
        hint=violation.hint,
        element=f"saga {saga.name}: {violation.subject}",
        trace=violation.trace,
    )


def verify_saga(model: DesignModel, saga: Saga, limits: Limits = Limits()) -> list[Violation]:
    """Every violation of one saga, each with a counterexample trace where a path shows it."""
    found = list(_declarations(model, saga))
    if isinstance(saga, OrchestratedSaga):
        found.extend(_verify_orchestrated(model, saga, limits))
    else:
        found.extend(_verify_choreographed(model, saga, limits))
    unique: dict[tuple[str, str], Violation] = {}
    for violation in found:
        unique.setdefault(violation.key, violation)
    return list(unique.values())


# -- declarations ----------------------------------------------------------------------------
def _messages(saga: Saga) -> Iterable[tuple[str, str, str, str]]:
    """(kind 'event'|'command', name, pointer, role) of every message a saga names."""
    if saga.trigger:
        yield "event", saga.trigger, f"{saga.pointer}/trigger", "trigger"
    for event in saga.completed:
        yield "event", event, f"{saga.pointer}/completed", "completed"
    for event in saga.compensated:
        yield "event", event, f"{saga.pointer}/compensated", "compensated"
    if isinstance(saga, OrchestratedSaga):
        for step in saga.steps:
            yield "command", step.command, f"{step.pointer}/command", step.participant
            if step.reply:
                yield "event", step.reply, f"{step.pointer}/reply", step.participant
            for failure in step.failures:
                yield "event", failure, f"{step.pointer}/failure", step.participant
            comp = step.compensation
            if comp is not None:
                yield "command", comp.command, comp.pointer, step.participant
                if comp.reply:
                    yield "event", comp.reply, f"{comp.pointer}/reply", step.participant
                for failure in comp.failures:
                    yield "event", failure, f"{comp.pointer}/failure", step.participant
    else:
        for reaction in saga.reactions:
            yield "event", reaction.on, f"{reaction.pointer}/on", "on"
            for event in reaction.emits:
                yield "event", event, f"{reaction.pointer}/emits", reaction.service
            for event in reaction.fails_with:
                yield "event", event, f"{reaction.pointer}/fails_with", reaction.service
            if reaction.compensates:
                yield "event", reaction.compensates, f"{reaction.pointer}/compensates", "undo"


def _services(saga: Saga) -> Iterable[tuple[str, str]]:
    if isinstance(saga, OrchestratedSaga):
        yield saga.orchestrator, f"{saga.pointer}/orchestrator"
        for step in saga.steps:
            yield step.participant, f"{step.pointer}/participant"
    else:
        for reaction in saga.reactions:
            yield reaction.service, f"{reaction.pointer}/service"


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
    for kind, name, pointer, role in _messages(saga):
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
            elif role not in ("trigger", "completed", "compensated", "on", "undo") and (
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
        emitted = {e for r in saga.reactions for e in (*r.emits, *r.fails_with)}
        emitted.add(saga.trigger)
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
) -> list[Violation]:
    idempotency = {name: service.idempotency for name, service in model.services.items()}
    result = orchestration.explore(
        saga, idempotency, max_faults=limits.max_faults, max_states=limits.max_states
    )
    found = list(result.violations)
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
        missing = step.kind == COMPENSATABLE and step.compensation is None
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
    return found


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
) -> list[Violation]:
    idempotency: dict[tuple[str, str], str | None] = {}
    for reaction in saga.reactions:
        service = model.services.get(reaction.service)
        level = service.idempotency if service is not None else None
        event = model.events.get(reaction.on)
        if event is not None:
            for consumer in event.consumers:
                if consumer.service == reaction.service and consumer.idempotency:
                    level = consumer.idempotency
        idempotency[(reaction.service, reaction.on)] = level
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
    compensated = {r.compensates for r in saga.reactions if r.compensates}
    reported = {v.subject for v in found if v.rule == MISSING_COMPENSATION}
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
    return found
