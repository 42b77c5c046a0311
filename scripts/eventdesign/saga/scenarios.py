"""What a saga looks like as a sequence of messages and as a state machine, for diagrams.

The structures here are language-neutral and hold raw model names; the Mermaid and PlantUML
writers give elements generated ids and escape every name.

Sequence: the happy path, with an `alt` block at each step that can fail holding that failure's
path (its compensations and outcome), `par` blocks for parallel steps, and notes for the
trigger, correlation id, retries and outcomes.
State machine: orchestration: one state per step and per compensation, fork/join for parallel
steps, choices for undoing only the parallel branches that replied, and terminal states;
choreography: one state per event, one transition per reaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..model.types import DesignModel
from .choreography import next_reaction
from .model import (
    COMPENSATABLE,
    PIVOT,
    RETRIABLE,
    ChoreographedSaga,
    OrchestratedSaga,
    Reaction,
    Saga,
    Step,
)


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
    # step, compensation, event, fork, join, choice, completed, compensated, escalated, stuck
    role: str


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
def _times_out(step: Step) -> bool:
    """Whether a timeout can end the step (one retried without limit cannot)."""
    return step.timeout is not None and not (step.retry is not None and step.retry.unlimited)


def _timeout_label(step: Step) -> str:
    text = f"no reply within {step.timeout}"
    if step.retry is not None and step.retry.max_attempts is not None:
        text += f" after {step.retry.max_attempts} attempts"
    return text


def _undone_on_timeout(step: Step) -> bool:
    """A compensatable step that timed out may have taken effect, so it is compensated too."""
    return step.kind == COMPENSATABLE and step.compensation is not None


def _stage_failure_label(stage: tuple[Step, ...]) -> str:
    fails = any(step.failures for step in stage)
    times_out = any(_times_out(step) for step in stage)
    if fails and times_out:
        return "a step fails or times out"
    return "a step times out" if times_out else "a step fails"


def _compensation_items(saga: OrchestratedSaga, step: Step) -> list[Item]:
    comp = step.compensation
    if comp is None:
        return [Note((step.participant,), f"{step.command} is not undone")]
    return [
        Message(saga.orchestrator, step.participant, comp.command),
        Message(step.participant, saga.orchestrator, comp.reply or "done", True),
    ]


def _undo_items(saga: OrchestratedSaga, done: list[Step]) -> list[Item]:
    items: list[Item] = []
    for step in reversed(done):
        items.extend(_compensation_items(saga, step))
    outcome = " / ".join(saga.compensated) if saga.compensated else "compensated"
    items.append(Note((saga.orchestrator,), f"compensated: {outcome}"))
    return items


def _after_pivot_items(saga: OrchestratedSaga, step: Step) -> list[Item]:
    retry = step.retry
    if retry is not None and retry.escalate_to:
        return [Note((saga.orchestrator,), f"escalate to {retry.escalate_to}")]
    return [Note((saga.orchestrator,), "no defined outcome: the pivot cannot be undone")]


def _timeout_items(
    saga: OrchestratedSaga, step: Step, done: list[Step], after_pivot: bool
) -> list[Item]:
    """What the orchestrator does when `step` gives no reply: its outcome is unknown."""
    if after_pivot:
        return _after_pivot_items(saga, step)
    orchestrator = saga.orchestrator
    if step.kind == PIVOT:
        retry = step.retry
        if retry is not None and retry.escalate_to:
            text = f"outcome of {step.command} unknown: escalate to {retry.escalate_to}"
        else:
            text = (
                f"outcome of {step.command} unknown: it may have committed; no retry or "
                "escalation is defined, and compensating would be wrong"
            )
        return [Note((orchestrator,), text)]
    if _undone_on_timeout(step):
        unknown = Note((orchestrator,), f"outcome of {step.command} unknown: undo it too")
        return [unknown, *_undo_items(saga, [*done, step])]
    return _undo_items(saga, done)


def _parallel_undo_items(saga: OrchestratedSaga, stage: tuple[Step, ...]) -> list[Item]:
    """Undo the branches of a failed parallel group that replied (or timed out), last first."""
    items: list[Item] = []
    for step in reversed(stage):
        undo = _compensation_items(saga, step)
        if step.compensation is not None and step.failures:
            condition = f"{step.name} replied {step.reply or 'done'}"
            if _times_out(step):
                condition += " or timed out"
            items.append(Block("opt", (Branch(condition, tuple(undo)),)))
        else:
            items.extend(undo)
    return items


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
        after_pivot = pivot_done or any(step.kind == RETRIABLE for step in stage)
        if len(stage) == 1:
            step = stage[0]
            items.append(Message(orchestrator, step.participant, step.command))
            success: list[Item] = [
                Message(step.participant, orchestrator, step.reply or "done", True)
            ]
            if step.retry is not None and step.timeout:
                success.append(Note((orchestrator,), f"on timeout: {step.retry.describe()}"))
            branches = [Branch(step.reply or "success", tuple(success))]
            if step.failures:
                failure: list[Item] = [
                    Message(step.participant, orchestrator, step.failures[0], True)
                ]
                if after_pivot:
                    failure += _after_pivot_items(saga, step)
                else:
                    failure += _undo_items(saga, done)
                branches.append(Branch(" or ".join(step.failures), tuple(failure)))
            if _times_out(step):
                timeout = _timeout_items(saga, step, done, after_pivot)
                branches.append(Branch(_timeout_label(step), tuple(timeout)))
            if len(branches) > 1:
                items.append(Block("alt", tuple(branches)))
            else:
                items.extend(success)
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
            if any(step.failures or _times_out(step) for step in stage):
                if pivot_done:
                    undo = _after_pivot_items(saga, stage[0])
                else:
                    undo = [*_parallel_undo_items(saga, stage), *_undo_items(saga, done)]
                label = _stage_failure_label(stage)
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


# Each failure block of a sequence diagram repeats the compensations of the steps before it,
# so a diagram grows with the square of the steps: 200 steps draw in about a second, 1,000
# would take half a minute and a million lines no one can read.
MAX_SEQUENCE_STEPS = 200


def sequence_of(model: DesignModel, saga: Saga) -> Sequence:
    """The sequence-diagram view of a saga; InputError over MAX_SEQUENCE_STEPS steps."""
    size = len(saga.steps) if isinstance(saga, OrchestratedSaga) else len(saga.reactions)
    if size > MAX_SEQUENCE_STEPS:
        from ..errors import InputError

        what = "steps" if isinstance(saga, OrchestratedSaga) else "reactions"
        raise InputError(
            f"saga '{saga.name}' has {size:,} {what}; sequence diagrams are drawn for sagas of "
            f"up to {MAX_SEQUENCE_STEPS} (they grow with the square of the steps): split the "
            "saga, or draw only its state diagram (diagram --kind state)"
        )
    if isinstance(saga, OrchestratedSaga):
        return orchestrated_sequence(model, saga)
    return choreographed_sequence(model, saga)


# -- state machines ---------------------------------------------------------------------------
def orchestrated_states(saga: OrchestratedSaga) -> StateMachine:
    """Steps, the compensation chain and the terminal states of an orchestrated saga.

    The compensation chain undoes stages in reverse; inside a parallel group, a branch that
    can be refused is undone only if it replied (or timed out), which a choice shows.
    """
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
    extra: dict[str, State] = {}

    def terminal(role: str, text: str) -> str:
        key = f"{role}:{text}"
        extra.setdefault(key, State(key, text, role))
        return key

    # undo_entry[i]: where compensating every stage before stage i starts
    undo_entry = ["compensated"]
    for stage in saga.stages:
        following = undo_entry[-1]
        for step in stage:
            if step.compensation is None:
                continue
            undo = f"undo{step.number}"
            transitions.append(Transition(undo, following, step.compensation.reply or "done"))
            if len(stage) > 1 and step.failures:
                choice = f"choice{step.number}"
                extra[choice] = State(choice, "", "choice")
                replied = f"{step.name} replied {step.reply or 'done'}"
                if _times_out(step):
                    replied += " or timed out"
                refused = f"{step.name}: {' or '.join(step.failures)}"
                transitions.append(Transition(choice, undo, replied))
                transitions.append(Transition(choice, following, refused))
                following = choice
            else:
                following = undo
        undo_entry.append(following)

    def after_pivot(stage: tuple[Step, ...]) -> str:
        escalation = next(
            (s.retry.escalate_to for s in stage if s.retry and s.retry.escalate_to), None
        )
        if escalation:
            return terminal("escalated", f"escalated to {escalation}")
        return terminal("stuck", "stuck: pivot done, step failed")

    pivot_done = False
    previous_exits: list[tuple[str | None, str]] = [(None, saga.trigger or "start")]
    for index, stage in enumerate(saga.stages):
        late = pivot_done or any(step.kind == RETRIABLE for step in stage)
        if len(stage) == 1:
            step = stage[0]
            key = f"step{step.number}"
            for source, label in previous_exits:
                transitions.append(Transition(source, key, label))
            if step.retry is not None and step.timeout:
                transitions.append(Transition(key, key, f"timeout: {step.retry.describe()}"))
            outcomes: dict[str, list[str]] = {}
            if step.failures:
                target = after_pivot(stage) if late else undo_entry[index]
                outcomes.setdefault(target, []).append(" or ".join(step.failures))
            if _times_out(step):
                label = _timeout_label(step)
                if late:
                    target = after_pivot(stage)
                elif step.kind == PIVOT:
                    label += " (outcome unknown)"
                    retry = step.retry
                    if retry is not None and retry.escalate_to:
                        target = terminal("escalated", f"escalated to {retry.escalate_to}")
                    else:
                        target = terminal("stuck", f"stuck: outcome of {step.command} unknown")
                elif _undone_on_timeout(step):
                    label += " (outcome unknown)"
                    target = f"undo{step.number}"
                else:
                    target = undo_entry[index]
                outcomes.setdefault(target, []).append(label)
            for target, labels in outcomes.items():
                transitions.append(Transition(key, target, " or ".join(labels)))
            previous_exits = [(key, step.reply or "done")]
        else:
            fork, join = f"fork{index}", f"join{index}"
            extra[fork] = State(fork, "", "fork")
            extra[join] = State(join, "", "join")
            for source, label in previous_exits:
                transitions.append(Transition(source, fork, label))
            for step in stage:
                transitions.append(Transition(fork, f"step{step.number}", step.command))
                transitions.append(Transition(f"step{step.number}", join, step.reply or "done"))
            if any(step.failures or _times_out(step) for step in stage):
                target = after_pivot(stage) if late else undo_entry[index + 1]
                transitions.append(Transition(join, target, _stage_failure_label(stage)))
            previous_exits = [(join, "all replied")]
        pivot_done = pivot_done or any(step.kind == PIVOT for step in stage)
    for source, label in previous_exits:
        transitions.append(Transition(source, "completed", label))
    transitions.append(Transition("completed", None, ""))
    transitions.append(Transition("compensated", None, ""))
    for key, state in extra.items():
        if state.role in ("escalated", "stuck"):
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
