"""What a saga looks like as a sequence of messages and as a state machine, for diagrams.

The structures here are language-neutral and hold raw model names; the Mermaid and PlantUML
writers give elements generated ids and escape every name.

Sequence: the happy path, with a `break` block at each step that can fail holding that
failure's path (its compensations and outcome: the saga ends there), `par` blocks for parallel
steps, `loop` blocks for bounded repeats, a `break` for a cancel before the pivot and one for
a cancel after it (an `opt` when it is refused and the saga goes on), a `break` for each timer
that can expire, and notes for the trigger, correlation id, retries and outcomes. People and
outside systems a saga waits for are actors, never services sending themselves commands.
State machine: orchestration: one state per step and per compensation, fork/join for parallel
steps, choices for undoing only the parallel branches that replied, and terminal states;
choreography: one state per event, one transition per reaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

from ..model.types import DesignModel
from .choreography import next_reaction, outputs
from .model import (
    COMPENSATABLE,
    PIVOT,
    RETRIABLE,
    ChoreographedSaga,
    OrchestratedSaga,
    Reaction,
    Saga,
    Step,
    Timer,
)
from .violations import joined


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
    """`alt` (one branch of several), `opt`, `par`, `loop` (a bounded repeat) or `break` (the
    saga ends inside it)."""

    block: str
    branches: tuple[Branch, ...]
    kind: str = "block"


Item = Union[Message, Note, Block]


@dataclass(frozen=True)
class Sequence:
    participants: tuple[str, ...]
    items: tuple[Item, ...]
    actors: frozenset[str] = frozenset()  # participants that are people or outside systems


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
    if comp is None and step.waits:
        return []  # waiting for an actor had no effect to undo
    if comp is None:
        return [Note((step.participant,), f"{step.command} is not undone")]
    if step.local:
        return [Note((saga.orchestrator,), f"local transaction: {comp.command}")]
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


def _ends(label: str, items: list[Item]) -> Block:
    """A path on which the saga ends: a `break` block."""
    return Block("break", (Branch(label, tuple(items)),))


def _request(saga: OrchestratedSaga, step: Step) -> Item:
    """How the orchestrator starts a step: a command, a wait for an actor, a local transaction."""
    orchestrator = saga.orchestrator
    if step.local:
        return Note((orchestrator,), f"local transaction: {step.command}")
    if step.waits:
        deadline = f"deadline {step.timeout}" if step.timeout else "no deadline"
        return Note((orchestrator, step.participant), f"waits for {step.actor} ({deadline})")
    return Message(orchestrator, step.participant, step.command)


def _answer(saga: OrchestratedSaga, step: Step, text: str) -> Item:
    if step.local:
        return Note((saga.orchestrator,), f"{text} (committed locally)")
    return Message(step.participant, saga.orchestrator, text, True)


def _failure_ends(saga: OrchestratedSaga, step: Step, done: list[Step], late: bool) -> list[Item]:
    """The `break` blocks of a single step's refusals, repeats and timeouts."""
    items: list[Item] = []
    refusals = list(step.failures)
    if step.waits and step.timeout:
        refusals.append(f"no decision within {step.timeout}")
    repeat = step.repeat
    if repeat is not None and refusals:
        again = [_request(saga, step), _answer(saga, step, " or ".join(refusals))]
        label = f"refused: redo, up to {repeat.max_attempts} attempts in all"
        items.append(Block("loop", (Branch(label, tuple(again)),)))
        if repeat.escalate_to:
            outcome: list[Item] = [Note((saga.orchestrator,), f"escalate to {repeat.escalate_to}")]
        elif late:
            outcome = _after_pivot_items(saga, step)
        else:
            outcome = _undo_items(saga, done)
        items.append(_ends(f"all {repeat.max_attempts} attempts refused", outcome))
    else:
        for refusal in refusals:
            failure: list[Item] = [_answer(saga, step, refusal)]
            failure += _after_pivot_items(saga, step) if late else _undo_items(saga, done)
            items.append(_ends(refusal, failure))
    if _times_out(step) and not step.waits and not step.local:
        timeout = _timeout_items(saga, step, done, late)
        items.append(_ends(_timeout_label(step), timeout))
    return items


def _participant_timer_items(saga: OrchestratedSaga, step: Step, done: list[Step]) -> list[Item]:
    """A participant's own expiry armed by this step's reply: where it is armed, the path on
    which it fires before the pivot (the orchestrator undoes the other steps), and, unless a
    step before the pivot stops it, the one after (nothing can be undone any more)."""
    items: list[Item] = []
    pivot = next((s for s in saga.steps if s.kind == PIVOT), None)
    for timer in saga.timers:
        if timer.starts_on != step.reply:
            continue
        stopped = f"stopped by {joined(timer.stops_on)}" if timer.stops_on else "never stopped"
        items.append(Note((timer.service,), f"timer armed: {_timer_text(timer)}, {stopped}"))
        expiry: list[Item] = [Message(timer.service, saga.orchestrator, timer.event, True)]
        expiry += _undo_items(saga, done)
        before = f"before {pivot.name}" if pivot is not None else "at any later stage"
        items.append(_ends(f"{_timer_text(timer)} {before}", expiry))
        early = [s for s in saga.steps if pivot is None or s.stage < pivot.stage]
        if pivot is not None and not any(s.reply in timer.stops_on for s in early):
            lapse = [
                Message(timer.service, saga.orchestrator, timer.event, True),
                Note((saga.orchestrator,), "no defined outcome: the pivot cannot be undone"),
            ]
            items.append(_ends(f"{_timer_text(timer)} after {pivot.name}", lapse))
    return items


def _requester(model: DesignModel, saga: Saga) -> str:
    """Who sends the cancel: the event's producer, the command's first issuer, or a requester."""
    cancel = saga.cancel
    assert cancel is not None
    event = model.events.get(cancel.on)
    if event is not None:
        return event.producer
    command = model.commands.get(cancel.on)
    if command is not None and command.issuers:
        return command.issuers[0]
    return "requester"


def _cancel_before_pivot(saga: OrchestratedSaga, requester: str, pivot: Step | None) -> Block:
    cancel = saga.cancel
    assert cancel is not None
    orchestrator = saga.orchestrator
    undo: list[Item] = [
        Message(requester, orchestrator, cancel.on),
        Note((orchestrator,), "let the step in flight reply, then undo the steps done, last first"),
    ]
    before = [s for s in saga.steps if pivot is None or s.stage < pivot.stage]
    for step in reversed(before):
        if step.compensation is not None:
            undo.append(
                Block("opt", (Branch(f"{step.name} done", tuple(_compensation_items(saga, step))),))
            )
    outcome = cancel.outcome or " / ".join(saga.compensated) or "cancelled"
    undo.append(Note((orchestrator,), f"cancelled: {outcome}"))
    label = f"{cancel.on} before {pivot.name}" if pivot else f"{cancel.on} at any stage"
    return _ends(label, undo)


def _cancel_after_pivot(saga: OrchestratedSaga, requester: str, pivot: Step) -> Block:
    cancel = saga.cancel
    assert cancel is not None
    orchestrator = saga.orchestrator
    items: list[Item] = [Message(requester, orchestrator, cancel.on)]
    label = f"{cancel.on} after {pivot.name}"
    forward = cancel.after_pivot
    if forward is not None:
        items.append(Message(orchestrator, forward.participant, forward.command))
        if forward.retry is not None:
            items.append(Note((orchestrator,), f"on timeout: {forward.retry.describe()}"))
        items.append(Message(forward.participant, orchestrator, forward.reply or "done", True))
        outcome = cancel.outcome or "cancelled"
        items.append(Note((orchestrator,), f"cancelled after the pivot: {outcome}"))
        return _ends(label, items)
    if cancel.refused:
        items.append(Message(orchestrator, requester, cancel.refused, True))
        items.append(Note((orchestrator,), "cancel refused: the saga goes on"))
        return Block("opt", (Branch(label, tuple(items)),))
    items.append(Note((orchestrator,), "no defined outcome: the pivot cannot be undone"))
    return _ends(label, items)


def orchestrated_sequence(model: DesignModel, saga: OrchestratedSaga) -> Sequence:
    orchestrator = saga.orchestrator
    requester = _requester(model, saga) if saga.cancel is not None else None
    participants = _unique(
        [orchestrator, *(s.participant for s in saga.steps), *([requester] if requester else [])]
    )
    actors = {s.participant for s in saga.steps if s.waits}
    if requester and requester not in model.services:
        actors.add(requester)
    if saga.cancel is not None and saga.cancel.after_pivot is not None:
        participants = _unique([*participants, saga.cancel.after_pivot.participant])
    items: list[Item] = []
    if saga.trigger:
        items.append(Note((orchestrator,), f"{saga.trigger} starts {saga.name}"))
    correlation = correlation_of(model, saga)
    if correlation and len(participants) > 1:
        items.append(Note((participants[0], participants[-1]), f"correlation id: {correlation}"))
    pivot = next((step for step in saga.steps if step.kind == PIVOT), None)
    if requester is not None:
        items.append(_cancel_before_pivot(saga, requester, pivot))
    done: list[Step] = []
    pivot_done = False
    for stage in saga.stages:
        after_pivot = pivot_done or any(step.kind == RETRIABLE for step in stage)
        if len(stage) == 1:
            step = stage[0]
            items.append(_request(saga, step))
            items.extend(_failure_ends(saga, step, done, after_pivot))
            items.append(_answer(saga, step, step.reply or "done"))
            if step.retry is not None and step.timeout:
                items.append(Note((orchestrator,), f"on timeout: {step.retry.describe()}"))
            items.extend(_participant_timer_items(saga, step, done))
        else:
            par = []
            for step in stage:
                par.append(
                    Branch(
                        step.name, (_request(saga, step), _answer(saga, step, step.reply or "done"))
                    )
                )
            items.append(Block("par", tuple(par)))
            if any(step.failures or _times_out(step) for step in stage):
                if pivot_done:
                    undo = _after_pivot_items(saga, stage[0])
                else:
                    undo = [*_parallel_undo_items(saga, stage), *_undo_items(saga, done)]
                items.append(_ends(_stage_failure_label(stage), undo))
            for step in stage:
                siblings = [other for other in stage if other is not step]
                items.extend(_participant_timer_items(saga, step, [*done, *siblings]))
        done.extend(stage)
        if requester is not None and pivot is not None and pivot in stage:
            items.append(_cancel_after_pivot(saga, requester, pivot))
        pivot_done = pivot_done or any(step.kind == PIVOT for step in stage)
    outcome = " / ".join(saga.completed) if saga.completed else "completed"
    items.append(Note((orchestrator,), f"completed: {outcome}"))
    return Sequence(participants, tuple(items), frozenset(actors))


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


def _cascade(
    saga: ChoreographedSaga, event: str, sender: str, emits: tuple[str, ...] | None = None
) -> list[Item]:
    """What follows `event` (sent by `sender`): the reactions to it and to what they emit, in
    model order, each once; `emits` overrides what the first reactions emit (after the pivot)."""
    items: list[Item] = []
    queue = [(event, sender, emits)]
    seen: set[int] = set()
    consumed = {r.on for r in saga.reactions}
    while queue:
        current, source, override = queue.pop(0)
        for reaction in saga.reactions:
            if reaction.on != current or reaction.number in seen:
                continue
            seen.add(reaction.number)
            produced = reaction.emits
            forward = override is not None and bool(reaction.after_pivot)
            if forward:
                produced = reaction.after_pivot
            if source == reaction.service:
                items.append(Note((source,), f"{current} (its own timer expires)"))
            else:
                items.append(Message(source, reaction.service, current))
            if reaction.nothing_to_undo and not forward:
                text = f"emits {joined(reaction.nothing_to_undo)} if nothing to undo"
                items.append(Note((reaction.service,), text))
            ends = [e for e in produced if e not in consumed]
            if ends:
                items.append(Note((reaction.service,), _outcome_text(saga, reaction, ends)))
            for produced_event in produced:
                if produced_event in consumed:
                    queue.append((produced_event, reaction.service, None))
    return items


def _timer_when(timer: Timer) -> str:
    return f"at {timer.at}" if timer.at else f"after {timer.after}" if timer.after else "later"


def _timer_text(timer: Timer) -> str:
    return f"{timer.event} {_timer_when(timer)}"


def _cancel_blocks(model: DesignModel, saga: ChoreographedSaga) -> list[Item]:
    cancel = saga.cancel
    if cancel is None:
        return []
    requester = _requester(model, saga)
    blocks: list[Item] = [
        _ends(f"{cancel.on} before the pivot", _cascade(saga, cancel.on, requester))
    ]
    if any(r.on == cancel.on and r.after_pivot for r in saga.reactions):
        after = _cascade(saga, cancel.on, requester, emits=())
        blocks.append(_ends(f"{cancel.on} after the pivot", after))
    return blocks


def choreographed_sequence(model: DesignModel, saga: ChoreographedSaga) -> Sequence:
    starter = _starter(model, saga)
    happy, _ = choreography_run(saga, starter)
    requester = _requester(model, saga) if saga.cancel is not None else None
    participants = _unique(
        [starter, *(r.service for r in saga.reactions), *([requester] if requester else [])]
    )
    actors = {requester} if requester and requester not in model.services else set()
    deciders = [r.actor for r in saga.reactions if r.actor]
    participants = _unique([*participants, *deciders])
    actors.update(deciders)
    items: list[Item] = []
    items.append(Note((starter,), f"{saga.trigger} starts {saga.name}"))
    correlation = correlation_of(model, saga)
    if correlation and len(participants) > 1:
        items.append(Note((participants[0], participants[-1]), f"correlation id: {correlation}"))
    items.extend(_cancel_blocks(model, saga))
    for index, firing in enumerate(happy):
        reaction = firing.reaction
        retried = (
            [Note((reaction.service,), f"if handling fails: {reaction.retry.describe()}")]
            if reaction.retry is not None
            else []
        )
        waiting: list[Item] = []
        if reaction.actor:
            waits = f"waits for {reaction.actor}"
            if reaction.repeat is not None:
                waits += f" ({reaction.repeat.describe()})"
            waiting.append(Note((reaction.service, reaction.actor), waits))
        elif reaction.repeat is not None:
            waiting.append(Note((reaction.service,), f"on refusal: {reaction.repeat.describe()}"))
        if not reaction.fails_with:
            firing_items = _firing_items(saga, firing)
            items.extend([firing_items[0], *waiting, *retried, *firing_items[1:]])
        else:
            failed_run, _ = choreography_run(saga, starter, failing=reaction.number)
            items.append(Message(firing.sender, reaction.service, reaction.on))
            items.extend(waiting)
            repeat = reaction.repeat
            if repeat is not None and repeat.escalate_to:
                escalate = [Note((reaction.service,), f"escalate to {repeat.escalate_to}")]
                items.append(_ends(f"refused {repeat.max_attempts} times", escalate))
                items.append(Note((reaction.service,), f"emits {', '.join(reaction.emits)}"))
                items.extend(retried)
                continue
            failure: list[Item] = []
            for later in failed_run[index:]:
                if later.reaction.number == reaction.number:
                    text = f"fails: {', '.join(reaction.fails_with)}"
                    failure.append(Note((reaction.service,), text))
                    continue
                failure.extend(_firing_items(saga, later))
            label = ", ".join(reaction.fails_with)
            if repeat is not None:
                label += f" (after {repeat.max_attempts} attempts)"
            items.append(_ends(label, failure))
            emitted = ", ".join(reaction.emits) or "nothing"
            items.append(Note((reaction.service,), f"emits {emitted}"))
            items.extend(retried)
        for timer in saga.timers:
            if timer.starts_on in reaction.emits:
                stops = joined(timer.stops_on)
                armed = f"timer armed: {_timer_text(timer)}, stopped by {stops}"
                items.append(Note((timer.service,), armed))
                expiry = _cascade(saga, timer.event, timer.service)
                items.append(_ends(f"{_timer_text(timer)} before {stops}", expiry))
    return Sequence(participants, tuple(items), frozenset(actors))


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
        if step.waits:
            label = f"{step.name}: awaiting {step.actor}"
        elif step.local:
            label = f"{step.name}: local transaction"
        else:
            label = f"{step.name}: awaiting reply"
        states.append(State(f"step{step.number}", label, "step"))
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
            if step.retry is not None and step.timeout and not step.waits:
                transitions.append(Transition(key, key, f"timeout: {step.retry.describe()}"))
            outcomes: dict[str, list[str]] = {}
            refusals = list(step.failures)
            if step.waits and step.timeout:
                refusals.append(f"no decision within {step.timeout}")
            repeat = step.repeat
            if refusals and repeat is not None:
                redo = f"{' or '.join(refusals)}: redo (up to {repeat.max_attempts} attempts)"
                transitions.append(Transition(key, key, redo))
                label = f"refused {repeat.max_attempts} times"
                if repeat.escalate_to:
                    target = terminal("escalated", f"escalated to {repeat.escalate_to}")
                else:
                    target = after_pivot(stage) if late else undo_entry[index]
                outcomes.setdefault(target, []).append(label)
            elif refusals:
                target = after_pivot(stage) if late else undo_entry[index]
                outcomes.setdefault(target, []).append(" or ".join(refusals))
            if _times_out(step) and not step.waits and not step.local:
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
    if saga.cancel is not None:
        transitions.extend(_cancel_transitions(saga, undo_entry, terminal))
    transitions.extend(_participant_timer_transitions(saga, terminal))
    transitions.append(Transition("completed", None, ""))
    transitions.append(Transition("compensated", None, ""))
    for key, state in extra.items():
        if state.role in ("escalated", "stuck", "cancelled"):
            transitions.append(Transition(key, None, ""))
        elif state.role == "compensation":
            transitions.append(Transition(key, "compensated", "undone"))
    states.extend(extra.values())
    return StateMachine(tuple(states), tuple(transitions))


def _cancel_transitions(
    saga: OrchestratedSaga, undo_entry: list[str], terminal: Callable[[str, str], str]
) -> list[Transition]:
    """A cancel while each step is in flight: before the pivot, undo everything done once the
    step replied; from the pivot on, the forward action, a refusal, or no defined outcome."""
    cancel = saga.cancel
    assert cancel is not None
    transitions = []
    pivot_stage = next((s.stage for s in saga.steps if s.kind == PIVOT), None)
    forward_target = None
    for step in saga.steps:
        key = f"step{step.number}"
        late = step.kind == RETRIABLE or (pivot_stage is not None and step.stage >= pivot_stage)
        if not late:
            label = f"{cancel.on} (let it reply, then undo what was done)"
            transitions.append(Transition(key, undo_entry[step.stage + 1], label))
        elif cancel.after_pivot is not None:
            forward = cancel.after_pivot
            if forward_target is None:
                forward_target = terminal(
                    "cancelled", f"cancelled after the pivot: {forward.command}"
                )
            transitions.append(Transition(key, forward_target, f"{cancel.on} (after the pivot)"))
        elif cancel.refused:
            transitions.append(Transition(key, key, f"{cancel.on}: refused ({cancel.refused})"))
        else:
            stuck = terminal("stuck", f"stuck: {cancel.on} after the pivot has no outcome")
            transitions.append(Transition(key, stuck, f"{cancel.on} (after the pivot)"))
    return transitions


def _participant_timer_transitions(
    saga: OrchestratedSaga, terminal: Callable[[str, str], str]
) -> list[Transition]:
    """A participant's own expiry while each later step is in flight: before the pivot the
    orchestrator undoes the other steps; after it the saga is stuck, half done."""
    transitions = []
    pivot_stage = next((s.stage for s in saga.steps if s.kind == PIVOT), None)
    for timer in saga.timers:
        armed_by = next((s for s in saga.steps if s.reply == timer.starts_on), None)
        if armed_by is None:
            continue
        for step in saga.steps:
            if step.stage <= armed_by.stage:
                continue
            late = pivot_stage is not None and step.stage > pivot_stage
            if late:
                target = terminal("stuck", f"stuck: {timer.starts_on} lapsed after the pivot")
            else:
                text = f"{timer.event}: undo the steps other than {armed_by.name}"
                target = terminal("compensation", text)
            transitions.append(Transition(f"step{step.number}", target, f"{timer.event} (timer)"))
            if step.reply in timer.stops_on:
                break
    return transitions


def choreographed_states(saga: ChoreographedSaga) -> StateMachine:
    events = [saga.trigger]
    if saga.cancel is not None:
        events.append(saga.cancel.on)
    for reaction in saga.reactions:
        events.extend([reaction.on, *outputs(reaction)])
    for timer in saga.timers:
        events.extend([timer.starts_on, timer.event])
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
        for event in reaction.nothing_to_undo:
            label = f"{reaction.service}: nothing to undo"
            transitions.append(Transition(key[reaction.on], key[event], label))
        for event in reaction.after_pivot:
            label = f"{reaction.service} after the pivot"
            transitions.append(Transition(key[reaction.on], key[event], label))
    for timer in saga.timers:
        label = f"timer expires {_timer_when(timer)}"
        transitions.append(Transition(key[timer.starts_on], key[timer.event], label))
    if saga.cancel is not None:
        transitions.append(Transition(None, key[saga.cancel.on], "cancel (any time)"))
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
