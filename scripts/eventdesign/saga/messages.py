"""What a saga's messages must carry and how they travel: correlation, keys, per-key order.

Every message of one saga instance (replies, compensations, cancel requests, timer events)
must carry the correlation field, or the receiver cannot tell which instance it belongs to;
a partitioned message keyed by another field loses per-key order against the saga's other
messages. A compensation that can be sent while its step is still in flight (after a
timeout, a cancel or a timer) must travel on the step's channel, with the step's key, on a
channel that keeps per-key order, or it can overtake the step and find nothing to undo
while the step then takes effect for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model.payload import lookup_field
from ..model.types import Command, DesignModel, Event
from .model import ChoreographedSaga, OrchestratedSaga, Saga, Step
from .violations import CORRELATION_MISSING, KEY_MISMATCH, OVERTAKES, Violation, numbered

ORDERED = ("per-key", "global")


def idempotency_of(model: DesignModel, service: str, message: str) -> str | None:
    """How `service` tolerates a redelivered `message` (event or command name).

    The consumer entry of an event overrides the service's own level; this and
    `idempotency_scope_of` are where saga verification reads idempotency.
    """
    return _setting(model, service, message, "idempotency")


def idempotency_scope_of(model: DesignModel, service: str, message: str) -> str | None:
    """What `service` recognises a repeat of `message` by (message-id, command-id,
    business-key); the consumer entry of an event overrides the service's own scope."""
    return _setting(model, service, message, "idempotency_scope")


def _setting(model: DesignModel, service: str, message: str, name: str) -> str | None:
    spec = model.services.get(service)
    value = getattr(spec, name) if spec is not None else None
    event = model.events.get(message)
    if event is not None:
        for consumer in event.consumers:
            if consumer.service == service and getattr(consumer, name):
                value = getattr(consumer, name)
    return value


@dataclass(frozen=True)
class SagaMessage:
    name: str
    role: str  # reply, failure, compensation, cancel, timer, trigger, ...
    pointer: str


def saga_messages(saga: Saga) -> Iterator[SagaMessage]:
    """Every message one instance of the saga sends or receives, with its role."""
    if saga.trigger:
        yield SagaMessage(saga.trigger, "trigger", f"{saga.pointer}/trigger")
    cancel = saga.cancel
    if cancel is not None:
        yield SagaMessage(cancel.on, "cancel request", f"{cancel.pointer}/on")
        if cancel.after_pivot is not None:
            yield from _step_messages(cancel.after_pivot)
    if isinstance(saga, OrchestratedSaga):
        for step in saga.steps:
            yield from _step_messages(step)
    else:
        for reaction in saga.reactions:
            role = "compensation" if reaction.compensates else "reply"
            for event in (*reaction.emits, *reaction.nothing_to_undo, *reaction.after_pivot):
                yield SagaMessage(event, role, f"{reaction.pointer}/emits")
            for event in reaction.fails_with:
                yield SagaMessage(event, "failure", f"{reaction.pointer}/fails_with")
    for timer in saga.timers:
        yield SagaMessage(timer.event, "timer", f"{timer.pointer}/event")


def _step_messages(step: Step) -> Iterator[SagaMessage]:
    if step.command and not step.local:
        yield SagaMessage(step.command, "command", f"{step.pointer}/command")
    if step.reply:
        yield SagaMessage(step.reply, "reply", f"{step.pointer}/reply")
    for failure in step.failures:
        yield SagaMessage(failure, "failure", f"{step.pointer}/failure")
    comp = step.compensation
    if comp is not None:
        yield SagaMessage(comp.command, "compensation", comp.pointer)
        for name in (comp.reply, comp.nothing_to_undo, *comp.failures):
            if name:
                yield SagaMessage(name, "compensation reply", comp.pointer)


def _declared(model: DesignModel, name: str) -> Event | Command | None:
    return model.events.get(name) or model.commands.get(name)


def correlation_violations(model: DesignModel, saga: Saga) -> Iterable[Violation]:
    """Saga messages whose payload lacks the correlation field, or that are keyed by another."""
    field = saga.correlation
    if not field:
        return
    seen: set[str] = set()
    for message in saga_messages(saga):
        if message.name in seen:
            continue
        seen.add(message.name)
        declared = _declared(model, message.name)
        if declared is None:
            continue  # undeclared messages are reported by SAG001
        if declared.schema is not None:
            lookup = lookup_field(declared.schema, declared.schema_format, field)
            if lookup.known and not lookup.required:
                state = "optional" if lookup.exists else "missing"
                yield Violation(
                    CORRELATION_MISSING,
                    message.pointer,
                    f"{message.name} correlation",
                    f"{message.role} {message.name} of saga '{saga.name}' does not always carry "
                    f"the correlation field {field} ({state} in its payload schema): its "
                    "receiver cannot tell which saga instance it belongs to",
                    f"add `{field}` to the required fields of {message.name}'s schema",
                    numbered(
                        (
                            f"{message.name} arrives without {field}",
                            f"end: the {message.role} matches no saga instance",
                        )
                    ),
                )
        key = getattr(declared, "key", None)
        if key and key != field:
            yield Violation(
                KEY_MISMATCH,
                message.pointer,
                f"{message.name} key",
                f"{message.role} {message.name} of saga '{saga.name}' is keyed by {key}, not "
                f"by the correlation field {field}: messages of one saga instance land on "
                "different partitions and lose their order",
                f"key {message.name} by {field} (the saga's correlation field)",
                numbered(
                    (
                        f"{message.name} is partitioned by {key}",
                        f"end: it can be consumed before an earlier message keyed by {field}",
                    )
                ),
            )


def _travel(model: DesignModel, name: str) -> tuple[str | None, str | None, str | None]:
    """(channel, its ordering, key) a message travels with; None where not declared."""
    declared = _declared(model, name)
    if declared is None:
        return None, None, None
    channel_name = declared.channel
    channel = model.channels.get(channel_name) if channel_name else None
    ordering = channel.ordering if channel is not None else None
    return channel_name, ordering, getattr(declared, "key", None)


def overtaking_violations(
    model: DesignModel, pairs: Iterable[tuple[str, str, str, str, str]], saga: Saga
) -> Iterable[Violation]:
    """(step message, compensation message, pointer, subject, why in flight) pairs where the
    compensation can overtake the step: unordered channel, another channel, another key."""
    for step_message, undo_message, pointer, subject, why in pairs:
        step_channel, ordering, step_key = _travel(model, step_message)
        undo_channel, _, undo_key = _travel(model, undo_message)
        if step_channel is None or undo_channel is None:
            continue  # without channels there is nothing to compare
        if step_channel != undo_channel:
            reason = f"{undo_message} travels on {undo_channel}, {step_message} on {step_channel}"
            fix = f"send {undo_message} on {step_channel}, keyed like {step_message}"
        elif ordering not in ORDERED:
            reason = f"channel {step_channel} does not keep per-key order"
            fix = f"give channel {step_channel} `ordering: per-key` (partitioned by the key)"
        elif step_key != undo_key and step_key and undo_key:
            reason = f"{step_message} is keyed by {step_key}, {undo_message} by {undo_key}"
            fix = f"key both by the saga's correlation field {saga.correlation or step_key}"
        else:
            continue
        yield Violation(
            OVERTAKES,
            pointer,
            subject,
            f"in saga '{saga.name}', {undo_message} can overtake {step_message} ({reason}); "
            f"it can be sent while the step is in flight ({why})",
            fix + "; or have the compensation record the cancellation so a late step is "
            "refused (`nothing_to_undo`)",
            numbered(
                (
                    f"{step_message} sent ({why})",
                    f"{undo_message} sent",
                    f"{undo_message} delivered first: nothing to undo",
                    f"end: {step_message} takes effect afterwards and stays in effect",
                )
            ),
        )


def orchestrated_overtaking(model: DesignModel, saga: OrchestratedSaga) -> Iterable[Violation]:
    pairs = []
    for step in saga.steps:
        comp = step.compensation
        if comp is None or step.local or step.waits or comp.nothing_to_undo:
            continue
        if step.timeout and not (step.retry is not None and step.retry.unlimited):
            why = f"{step.name} timed out"
        elif saga.cancel is not None:
            why = f"{saga.cancel.on} arrived"
        else:
            continue
        pairs.append((step.command, comp.command, comp.pointer, f"{step.name} compensation", why))
    return overtaking_violations(model, pairs, saga)


def choreographed_overtaking(
    model: DesignModel, saga: ChoreographedSaga, ancestors: dict[str, set[str]]
) -> Iterable[Violation]:
    """Compensating reactions whose trigger follows the step's trigger but not its effect:
    emitted while the step is in flight, it must reach the service after the step's trigger.

    (A trigger that need not follow the step's trigger at all is the explorer's business: it
    finds the path where the compensation runs before its step.)"""
    pairs = []
    for reaction in saga.reactions:
        effect = reaction.compensates
        if not effect or reaction.nothing_to_undo:
            continue
        before = ancestors.get(reaction.on, set())
        step = next((r for r in saga.reactions if effect in r.emits), None)
        if step is None or step.service != reaction.service:
            continue
        if effect in before or step.on not in before:
            continue
        pairs.append(
            (
                step.on,
                reaction.on,
                reaction.pointer,
                f"{reaction.label} order",
                f"{reaction.on} does not follow {effect}",
            )
        )
    reported = {pair[:2] for pair in pairs}
    for pair in _undo_seen_before_effect(model, saga):
        if pair[:2] not in reported:
            reported.add(pair[:2])
            pairs.append(pair)
    return overtaking_violations(model, pairs, saga)


def _undo_seen_before_effect(
    model: DesignModel, saga: ChoreographedSaga
) -> list[tuple[str, str, str, str, str]]:
    """(effect, undo) pairs a service consumes both of: unless they travel in order (one
    channel, one key), it can apply the undo before the effect and keep the effect for good."""
    pairs = []
    for reaction in saga.reactions:
        effect = model.events.get(reaction.compensates or "")
        if effect is None:
            continue
        for undo_name in reaction.emits:
            undo = model.events.get(undo_name)
            if undo is None:
                continue
            both = sorted(
                {c.service for c in effect.consumers} & {c.service for c in undo.consumers}
            )
            if both:
                why = f"{', '.join(both)} consume{'s' if len(both) == 1 else ''} both"
                pairs.append(
                    (effect.name, undo_name, reaction.pointer, f"{reaction.label} order", why)
                )
    return pairs
