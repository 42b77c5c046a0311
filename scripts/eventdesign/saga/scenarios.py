"""What a saga looks like as a sequence of messages and as a state machine, for diagrams.

The structures here are language-neutral and hold raw model names; the Mermaid and PlantUML
writers give elements generated ids and escape every name.

Sequence: the happy path, with an `alt` block at each step that can fail holding that failure's
path (its compensations and outcome), `par` blocks for parallel steps, and notes for the
trigger, correlation id, retries and outcomes.
State machine: orchestration: one state per step and per compensation, fork/join for parallel
steps, and terminal states; choreography: one state per event, one transition per reaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..model.types import DesignModel
from .choreography import next_reaction
from .model import PIVOT, RETRIABLE, ChoreographedSaga, OrchestratedSaga, Reaction, Saga, Step


@dataclass(frozen=True)
class Message:
    sender: str
    receiver: str
    text: str
    reply: bool = False
    kind: str = "message"


@dataclass(frozen=True)
class Note:
    over: tuple[str, ...]
    text: str
    kind: str = "note"


@dataclass(frozen=True)
class Branch:
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Block:
    """`alt` (first branch taken normally, others on failure), `opt` or `par`."""

    block: str
    branches: tuple[Branch, ...]
    kind: str = "block"


Item = Union[Message, Note, Block]


@dataclass(frozen=True)
class Sequence:
    participants: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class State:
    key: str
    label: str
    role: str  # step, compensation, event, fork, join, completed, compensated, escalated, stuck


@dataclass(frozen=True)
class Transition:
    source: str | None  # None is the start/end pseudo-state
    target: str | None
    label: str


@dataclass(frozen=True)
class StateMachine:
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def correlation_of(model: DesignModel, saga: Saga) -> str | None:
    """The saga's correlation field, or else the partition key of its trigger event."""
    if saga.correlation:
        return saga.correlation
    trigger = model.events.get(saga.trigger) if saga.trigger else None
    return trigger.key if trigger is not None else None


# -- orchestration: sequence ------------------------------------------------------------------
def _failure_label(steps: tuple[Step, ...]) -> str:
    reasons = [f for step in steps for f in step.failures]
    timeouts = sorted({step.timeout for step in steps if step.timeout})
    reasons += [f"no reply within {t}" for t in timeouts]
    return " or ".join(reasons) if reasons else "failure"


def _undo_items(saga: OrchestratedSaga, done: list[Step]) -> list[Item]:
    items: list[Item] = []
    for step in reversed(done):
        comp = step.compensation
        if comp is None:
            items.append(Note((step.participant,), f"{step.command} is not undone"))
            continue
        items.append(Message(saga.orchestrator, step.participant, comp.command))
        items.append(Message(step.participant, saga.orchestrator, comp.reply or "done", True))
    outcome = " / ".join(saga.compensated) if saga.compensated else "compensated"
    items.append(Note((saga.orchestrator,), f"compensated: {outcome}"))
    return items


def _after_pivot_items(saga: OrchestratedSaga, step: Step) -> list[Item]:
    retry = step.retry
    if retry is not None and retry.escalate_to:
        return [Note((saga.orchestrator,), f"escalate to {retry.escalate_to}")]
    return [Note((saga.orchestrator,), "no defined outcome: the pivot cannot be undone")]


def orchestrated_sequence(model: DesignModel, saga: OrchestratedSaga) -> Sequence:
    orchestrator = saga.orchestrator
    participants = _unique([orchestrator, *(s.participant for s in saga.steps)])
    items: list[Item] = []
    if saga.trigger:
        items.append(Note((orchestrator,), f"{saga.trigger} starts {saga.name}"))
    correlation = correlation_of(model, saga)
    if correlation and len(participants) > 1:
        items.append(Note((participants[0], participants[-1]), f"correlation id: {correlation}"))
    done: list[Step] = []
    pivot_done = False
    for stage in saga.stages:
        if len(stage) == 1:
            step = stage[0]
            items.append(Message(orchestrator, step.participant, step.command))
            success = Message(step.participant, orchestrator, step.reply or "done", True)
            branches = [Branch(step.reply or "success", (success,))]
            if step.retry is not None:
                branches[0] = Branch(
                    step.reply or "success",
                    (success, Note((orchestrator,), f"on timeout: {step.retry.describe()}")),
                )
            can_fail = bool(step.failures) or not (step.retry is not None and step.retry.unlimited)
            if can_fail:
                failure: list[Item] = [
                    Message(step.participant, orchestrator, f, True) for f in step.failures[:1]
                ]
                if pivot_done or step.kind == RETRIABLE:
                    failure += _after_pivot_items(saga, step)
                else:
                    failure += _undo_items(saga, done)
                branches.append(Branch(_failure_label(stage), tuple(failure)))
                items.append(Block("alt", tuple(branches)))
            else:
                items.extend(branches[0].items)
        else:
            par = []
            for step in stage:
                par.append(
                    Branch(
                        step.name,
                        (
                            Message(orchestrator, step.participant, step.command),
                            Message(step.participant, orchestrator, step.reply or "done", True),
                        ),
                    )
                )
            items.append(Block("par", tuple(par)))
            undo = (
                _after_pivot_items(saga, stage[0])
                if pivot_done
                else _undo_items(saga, [*done, *stage])
            )
            label = f"any of them fails: {_failure_label(stage)}"
            items.append(Block("opt", (Branch(label, tuple(undo)),)))
        done.extend(stage)
        pivot_done = pivot_done or any(step.kind == PIVOT for step in stage)
    outcome = " / ".join(saga.completed) if saga.completed else "completed"
    items.append(Note((orchestrator,), f"completed: {outcome}"))
    return Sequence(participants, tuple(items))


# -- choreography: sequence -------------------------------------------------------------------
@dataclass(frozen=True)
class Firing:
    reaction: Reaction
    sender: str
    failed: bool


def choreography_run(
    saga: ChoreographedSaga, starter: str, failing: int | None = None
) -> tuple[list[Firing], set[str]]:
    """The canonical run: reactions in model order, all succeeding except `failing`."""
    emitted = {saga.trigger}
    emitter = {saga.trigger: starter}
    fired: set[int] = set()
    firings: list[Firing] = []
    while True:
        reaction = next_reaction(saga, frozenset(emitted), frozenset(fired))
        if reaction is None:
            return firings, emitted
        fired.add(reaction.number)
        failed = reaction.number == failing
        firings.append(Firing(reaction, emitter.get(reaction.on, starter), failed))
        for event in reaction.fails_with if failed else reaction.emits:
            emitted.add(event)
            emitter.setdefault(event, reaction.service)


def _starter(model: DesignModel, saga: ChoreographedSaga) -> str:
    event = model.events.get(saga.trigger)
    if event is not None:
        return event.producer
    return saga.reactions[0].service if saga.reactions else "start"


def _firing_items(saga: ChoreographedSaga, firing: Firing) -> list[Item]:
    reaction = firing.reaction
    items: list[Item] = [Message(firing.sender, reaction.service, reaction.on)]
    consumed = {r.on for r in saga.reactions}
    produced = reaction.fails_with if firing.failed else reaction.emits
    ends = [e for e in produced if e not in consumed]
    if ends:
        items.append(Note((reaction.service,), _outcome_text(saga, reaction, ends)))
    return items


def _outcome_text(saga: ChoreographedSaga, reaction: Reaction, events: list[str]) -> str:
    parts = []
    for event in events:
        if event in saga.completed:
            parts.append(f"completed: {event}")
        elif event in saga.compensated:
            parts.append(f"compensated: {event}")
        elif reaction.compensates:
            parts.append(f"emits {event} (undoes {reaction.compensates})")
        else:
            parts.append(f"emits {event} (no reaction follows)")
    return "; ".join(parts)


def choreographed_sequence(model: DesignModel, saga: ChoreographedSaga) -> Sequence:
    starter = _starter(model, saga)
    happy, _ = choreography_run(saga, starter)
    participants = _unique([starter, *(r.service for r in saga.reactions)])
    items: list[Item] = []
    items.append(Note((starter,), f"{saga.trigger} starts {saga.name}"))
    correlation = correlation_of(model, saga)
    if correlation and len(participants) > 1:
        items.append(Note((participants[0], participants[-1]), f"correlation id: {correlation}"))
    for index, firing in enumerate(happy):
        reaction = firing.reaction
        if not reaction.fails_with:
            items.extend(_firing_items(saga, firing))
            continue
        failed_run, _ = choreography_run(saga, starter, failing=reaction.number)
        items.append(Message(firing.sender, reaction.service, reaction.on))
        success = [Note((reaction.service,), f"emits {', '.join(reaction.emits) or 'nothing'}")]
        failure: list[Item] = []
        for later in failed_run[index:]:
            if later.reaction.number == reaction.number:
                failure.append(
                    Note((reaction.service,), f"fails: {', '.join(reaction.fails_with)}")
                )
                continue
            failure.extend(_firing_items(saga, later))
        items.append(
            Block(
                "alt",
                (
                    Branch(", ".join(reaction.emits) or "success", tuple(success)),
                    Branch(", ".join(reaction.fails_with), tuple(failure)),
                ),
            )
        )
    return Sequence(participants, tuple(items))


def sequence_of(model: DesignModel, saga: Saga) -> Sequence:
    """The sequence-diagram view of a saga."""
    if isinstance(saga, OrchestratedSaga):
        return orchestrated_sequence(model, saga)
    return choreographed_sequence(model, saga)


# -- state machines ---------------------------------------------------------------------------
def orchestrated_states(saga: OrchestratedSaga) -> StateMachine:
    states: list[State] = []
    transitions: list[Transition] = []
    steps = saga.steps
    for step in steps:
        states.append(State(f"step{step.number}", f"{step.name}: awaiting reply", "step"))
    for step in reversed(steps):
        if step.compensation is not None:
            states.append(
                State(
                    f"undo{step.number}",
                    f"undo {step.name}: {step.compensation.command}",
                    "compensation",
                )
            )
    completed = "completed: " + (" / ".join(saga.completed) or saga.name)
    compensated = "compensated: " + (" / ".join(saga.compensated) or saga.name)
    states.append(State("completed", completed, "completed"))
    states.append(State("compensated", compensated, "compensated"))

    def undo_from(number: int) -> str:
        """The first compensation state for a failure once steps up to `number` completed."""
        for step in reversed(steps):
            if step.number <= number and step.compensation is not None:
                return f"undo{step.number}"
        return "compensated"

    # the chain of compensations, in reverse order of the steps
    for step in steps:
        if step.compensation is not None:
            reply = step.compensation.reply or "done"
            transitions.append(Transition(f"undo{step.number}", undo_from(step.number - 1), reply))
    extra: dict[str, State] = {}
    entry: list[str] = []  # keys where the previous stage's success leads
    pivot_done = False
    trigger = saga.trigger or "start"
    previous_exits: list[tuple[str, str]] = [("", trigger)]  # (source key, label); '' is [*]
    for index, stage in enumerate(saga.stages):
        last_before = min(step.number for step in stage) - 1
        if len(stage) == 1:
            step = stage[0]
            key = f"step{step.number}"
            entry = [key]
            exits = [(key, step.reply or "done")]
            failing = [(key, _failure_label(stage))]
            if step.retry is not None and step.timeout:
                transitions_retry = Transition(key, key, f"timeout: {step.retry.describe()}")
            else:
                transitions_retry = None
        else:
            fork, join = f"fork{index}", f"join{index}"
            extra[fork] = State(fork, "", "fork")
            extra[join] = State(join, "", "join")
            entry = [fork]
            for step in stage:
                transitions.append(Transition(fork, f"step{step.number}", step.command))
                transitions.append(Transition(f"step{step.number}", join, step.reply or "done"))
            exits = [(join, "all replied")]
            failing = [(join, f"any failed: {_failure_label(stage)}")]
            last_before = max(step.number for step in stage)
            transitions_retry = None
        for source, label in previous_exits:
            transitions.append(Transition(source or None, entry[0], label))
        if transitions_retry is not None:
            transitions.append(transitions_retry)
        can_fail = any(
            step.failures or not (step.retry is not None and step.retry.unlimited) for step in stage
        )
        if can_fail:
            after_pivot = pivot_done or any(step.kind == RETRIABLE for step in stage)
            for source, label in failing:
                if after_pivot:
                    escalation = next(
                        (s.retry.escalate_to for s in stage if s.retry and s.retry.escalate_to),
                        None,
                    )
                    target_key = "escalated" if escalation else "stuck"
                    if target_key not in extra:
                        extra[target_key] = State(
                            target_key,
                            f"escalated to {escalation}"
                            if escalation
                            else "stuck: pivot done, step failed",
                            target_key,
                        )
                    transitions.append(Transition(source, target_key, label))
                else:
                    transitions.append(Transition(source, undo_from(last_before), label))
        previous_exits = exits
        pivot_done = pivot_done or any(step.kind == PIVOT for step in stage)
    for source, label in previous_exits:
        transitions.append(Transition(source, "completed", label))
    for key in ("completed", "compensated", "escalated", "stuck"):
        if key in ("completed", "compensated") or key in extra:
            transitions.append(Transition(key, None, ""))
    states.extend(extra.values())
    return StateMachine(tuple(states), tuple(transitions))


def choreographed_states(saga: ChoreographedSaga) -> StateMachine:
    events = [saga.trigger]
    for reaction in saga.reactions:
        events.extend([reaction.on, *reaction.emits, *reaction.fails_with])
    events = list(dict.fromkeys(events))
    compensations = {e for r in saga.reactions if r.compensates for e in r.emits}
    failures = {e for r in saga.reactions for e in r.fails_with}
    states = []
    for index, event in enumerate(events):
        if event in saga.completed:
            role = "completed"
        elif event in saga.compensated:
            role = "compensated"
        elif event in compensations:
            role = "compensation"
        elif event in failures:
            role = "failure"
        else:
            role = "event"
        states.append(State(f"event{index}", event, role))
    key = {event: f"event{index}" for index, event in enumerate(events)}
    transitions = [Transition(None, key[saga.trigger], "")]
    for reaction in saga.reactions:
        undo = f" (undoes {reaction.compensates})" if reaction.compensates else ""
        for event in reaction.emits:
            transitions.append(Transition(key[reaction.on], key[event], reaction.service + undo))
        for event in reaction.fails_with:
            transitions.append(
                Transition(key[reaction.on], key[event], f"{reaction.service} fails")
            )
    for event in events:
        if event in saga.completed or event in saga.compensated:
            transitions.append(Transition(key[event], None, ""))
    return StateMachine(tuple(states), tuple(transitions))


def states_of(saga: Saga) -> StateMachine:
    """The state-diagram view of a saga."""
    if isinstance(saga, OrchestratedSaga):
        return orchestrated_states(saga)
    return choreographed_states(saga)


@dataclass(frozen=True)
class Row:
    """One line of a sequence diagram: a message, a note, or a block opening, branch or end."""

    kind: str  # message, note, open, branch, close
    depth: int
    block: str = ""
    text: str = ""
    sender: str = ""
    receiver: str = ""
    reply: bool = False
    over: tuple[str, ...] = ()


def rows(sequence: Sequence) -> list[Row]:
    """The sequence flattened into lines, with nesting depth, for line-oriented templates."""
    out: list[Row] = []

    def walk(items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            if isinstance(item, Message):
                out.append(
                    Row(
                        "message",
                        depth,
                        text=item.text,
                        sender=item.sender,
                        receiver=item.receiver,
                        reply=item.reply,
                    )
                )
            elif isinstance(item, Note):
                out.append(Row("note", depth, text=item.text, over=item.over))
            else:
                for index, branch in enumerate(item.branches):
                    kind = "open" if index == 0 else "branch"
                    out.append(Row(kind, depth, block=item.block, text=branch.label))
                    walk(branch.items, depth + 1)
                out.append(Row("close", depth, block=item.block))

    walk(sequence.items, 1)
    return out
