"""Failure-path exploration of a choreographed saga.

A state is the set of events emitted so far, the reactions that ran, the effects undone and
the faults used. Reactions only add events, so the order in which independent reactions run
does not change where a path can end: the explorer runs the enabled reaction that comes first
in the model and branches only on outcomes (success, or each declared failure, a fault). Each
reaction is also checked for a redelivered trigger event. A path ends when no reaction is
enabled; it must then be completed (a `completed` event was emitted) or compensated (a
`compensated` event was emitted and every compensatable effect was undone).

The reaction graph (event -> reaction -> emitted events) is checked for cycles, and reactions
that never run on any explored path are reported as unreachable.

A saga with a `cancel` request or `timers` is explored with every interleaving: the cancel
event may arrive in any state that has not ended, each armed timer may expire in any state
(also after the saga ended, until a stop event reached the timer's owner), and enabled
reactions run in every order. A service that handled the cancel or ran a compensation has
recorded the instance as cancelled and refuses its later forward reactions (emitting their
failure events, if any). A compensation whose effect never happened on the path must say so
(`nothing_to_undo`); one that runs after the pivot, because of a cancel or an expiry, undoes
what can no longer be undone. The state (events, reactions run, effects undone, timers fired,
refusing services, faults) ranges over finite sets, so exploration ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .model import COMPENSATABLE, PIVOT, RETRIABLE, ChoreographedSaga, Reaction, Timer
from .violations import (
    CANCEL_UNDEFINED,
    COMPENSATION_CAN_FAIL,
    COMPENSATION_WITHOUT_STEP,
    CYCLE,
    MISPLACED_PIVOT,
    MISSING_COMPENSATION,
    NON_TERMINAL,
    NOT_IDEMPOTENT,
    NOT_IDEMPOTENT_LEVELS,
    RETRIABLE_CAN_FAIL,
    UNDO_AFTER_PIVOT,
    UNREACHABLE,
    BreadthFirstSearch,
    Violation,
    joined,
    numbered,
)


class _State(NamedTuple):
    emitted: frozenset[str]
    fired: frozenset[int]
    undone: frozenset[str]
    effects: frozenset[str]  # events whose effect must be undone if the saga compensates
    faults: int
    cancelled: bool = False
    expired: frozenset[str] = frozenset()  # timer events that fired
    refusing: frozenset[str] = frozenset()  # services that recorded the instance as cancelled


@dataclass
class Exploration:
    violations: list[Violation]
    states: int
    bounded: bool
    outcomes: set[str]
    fired: set[int]
    paths: int = 0
    cancel_points: int = 0
    timer_races: int = 0


def effects_of(saga: ChoreographedSaga, reaction: Reaction) -> frozenset[str]:
    """Events a reaction's success leaves in effect, to be undone if the saga compensates.

    Reactions are compensatable unless declared pivot or retriable, or they are compensations
    themselves; outcome events (completed, compensated) are not effects.
    """
    if reaction.compensates or reaction.kind in (PIVOT, RETRIABLE):
        return frozenset()
    if saga.cancel is not None and reaction.on == saga.cancel.on:
        return frozenset()
    outcomes = set(saga.completed) | set(saga.compensated) | set(_cancel_outcome(saga))
    if saga.cancel is not None or saga.timers:
        # a failure event (a cancel or an expiry may emit one too) is a signal, not an effect
        outcomes.update(e for r in saga.reactions for e in r.fails_with)
    return frozenset(e for e in reaction.emits if e not in outcomes)


def _cancel_outcome(saga: ChoreographedSaga) -> tuple[str, ...]:
    cancel = saga.cancel
    return (cancel.outcome,) if cancel is not None and cancel.outcome else ()


def outputs(reaction: Reaction) -> tuple[str, ...]:
    """Every event a reaction can emit, whatever its outcome."""
    return (*reaction.emits, *reaction.fails_with, *reaction.nothing_to_undo, *reaction.after_pivot)


def emittable(saga: ChoreographedSaga) -> set[str]:
    """Every event some path of the saga can emit: trigger, reactions, timers, cancel."""
    events = {saga.trigger}
    events.update(e for r in saga.reactions for e in outputs(r))
    events.update(timer.event for timer in saga.timers)
    if saga.cancel is not None:
        events.add(saga.cancel.on)
    return events


def ancestors(saga: ChoreographedSaga) -> dict[str, set[str]]:
    """For each event, the events that can come before it on a path (through reactions)."""
    direct: dict[str, set[str]] = {}
    for reaction in saga.reactions:
        for event in outputs(reaction):
            direct.setdefault(event, set()).add(reaction.on)
    for timer in saga.timers:
        direct.setdefault(timer.event, set()).add(timer.starts_on)
    result: dict[str, set[str]] = {}
    for event in direct:
        seen: set[str] = set()
        stack = list(direct[event])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(direct.get(current, ()))
        result[event] = seen
    return result


def next_reaction(
    saga: ChoreographedSaga, emitted: frozenset[str], fired: frozenset[int]
) -> Reaction | None:
    """The reaction that runs next: the first enabled one in model order."""
    for reaction in saga.reactions:
        if reaction.number not in fired and reaction.on in emitted:
            return reaction
    return None


class _Explorer(BreadthFirstSearch):
    def __init__(
        self,
        saga: ChoreographedSaga,
        idempotency: Mapping[tuple[str, str], str | None],
        trigger_line: str,
        max_faults: int,
        max_states: int,
    ) -> None:
        super().__init__()
        self.saga = saga
        self.idempotency = idempotency
        self.trigger_line = trigger_line
        self.max_faults = max_faults
        self.max_states = max_states
        self.handled = {r.on for r in saga.reactions}
        self.fired: set[int] = set()
        # cancel and timers make the order of reactions matter: explore every interleaving
        self.interleave = saga.cancel is not None or bool(saga.timers)
        self.pivots = [r for r in saga.reactions if r.kind == PIVOT]
        self.terminal = {*saga.completed, *saga.compensated, *_cancel_outcome(saga)}

    def violate(
        self,
        code: str,
        pointer: str,
        subject: str,
        message: str,
        hint: str,
        trace: tuple[str, ...],
        end: str,
    ) -> None:
        self.record(
            Violation(code, pointer, subject, message, hint, numbered((*trace, f"end: {end}")))
        )

    def run(self) -> Exploration:
        start = _State(frozenset((self.saga.trigger,)), frozenset(), frozenset(), frozenset(), 0)
        self.push(start, (self.trigger_line,))
        bounded = False
        while self.queue:
            if len(self.seen) > self.max_states:
                bounded = True
                break
            state, trace = self.queue.popleft()
            if self.interleave:
                self.step_all(state, trace)
                continue
            reaction = next_reaction(self.saga, state.emitted, state.fired)
            if reaction is None:
                self.finish(state, trace)
            else:
                self.react(state, reaction, trace)
        return Exploration(
            list(self.violations.values()),
            len(self.seen),
            bounded,
            self.outcomes,
            self.fired,
            self.paths,
            self.cancel_points,
            self.timer_races,
        )

    def step_all(self, state: _State, trace: tuple[str, ...]) -> None:
        """Every next move: each enabled reaction, the cancel, each armed timer."""
        enabled = [
            r for r in self.saga.reactions if r.number not in state.fired and r.on in state.emitted
        ]
        for reaction in enabled:
            self.react(state, reaction, trace)
        cancel = self.saga.cancel
        if cancel is not None and not state.cancelled and not (state.emitted & self.terminal):
            self.cancel_points += 1
            self.push(
                state._replace(emitted=state.emitted | {cancel.on}, cancelled=True),
                (*trace, f"outside: {cancel.on} (cancel arrives)"),
            )
        armed = [timer for timer in self.saga.timers if self.armed(state, timer)]
        for timer in armed:
            self.timer_races += 1
            when = f"at {timer.at}" if timer.at else f"after {timer.after}" if timer.after else ""
            self.push(
                state._replace(
                    emitted=state.emitted | {timer.event},
                    expired=state.expired | {timer.event},
                ),
                (*trace, f"{timer.service}: {timer.event} (timer expires {when})".rstrip()),
            )
        if not enabled and not armed:
            self.finish(state, trace)

    def armed(self, state: _State, timer: Timer) -> bool:
        """Whether a timer can still expire: started, not fired, and no stop event has reached
        its owner (handled by one of its reactions, or emitted by it)."""
        if timer.event in state.expired or timer.starts_on not in state.emitted:
            return False
        return not self.stopped(state, timer)

    def stopped(self, state: _State, timer: Timer) -> bool:
        """Whether a stop event has reached the timer's owner (handled or emitted by it)."""
        for reaction in self.saga.reactions:
            if reaction.service != timer.service or reaction.number not in state.fired:
                continue
            if reaction.on in timer.stops_on:
                return True
            if any(e in state.emitted for e in outputs(reaction) if e in timer.stops_on):
                return True
        return False

    def pivot_done(self, state: _State) -> Reaction | None:
        for pivot in self.pivots:
            if pivot.number in state.fired and any(e in state.emitted for e in pivot.emits):
                return pivot
        return None

    def react(self, state: _State, reaction: Reaction, trace: tuple[str, ...]) -> None:
        self.fired.add(reaction.number)
        fired = state.fired | {reaction.number}
        if self.interleave:
            after = self.special(state, reaction, fired, trace)
            if after is None:
                return
            state = after
        emits = joined(reaction.emits) if reaction.emits else "done"
        success = (*trace, f"{reaction.label}: {emits}")
        undone = state.undone
        refusing = state.refusing
        if reaction.compensates:
            undone = undone | {reaction.compensates}
            if self.interleave:
                refusing = refusing | {reaction.service}
        effects = state.effects | effects_of(self.saga, reaction)
        self.push(
            state._replace(
                emitted=state.emitted | set(reaction.emits),
                fired=fired,
                undone=undone,
                effects=effects,
                refusing=refusing,
            ),
            success,
        )
        self.check_duplicate(reaction, trace)
        if not reaction.fails_with or state.faults >= self.max_faults:
            return
        # `fails_with` is a business failure: retries do not change it, escalation handles it
        retry = reaction.retry
        if retry is not None and retry.escalate_to:
            self.reach("escalated")
            return
        failed = trace
        repeat = reaction.repeat
        if repeat is not None:
            # redone (another driver, another assessor) up to its bound: one transition
            redo = (
                f"{reaction.label}: redone up to {repeat.max_attempts} times; every attempt fails"
            )
            failed = (*trace, redo)
            if repeat.escalate_to:
                self.reach("escalated")
                return
        failed = (*failed, f"{reaction.label}: {joined(reaction.fails_with)} (fails)")
        why = "nothing escalates it"
        if reaction.compensates:
            self.violate(
                COMPENSATION_CAN_FAIL,
                reaction.pointer,
                reaction.label,
                f"compensating reaction '{reaction.label}' can fail "
                f"({joined(reaction.fails_with)}) and {why}",
                "compensations must eventually succeed: drop the failure, retry it without "
                "limit, or `escalate_to` a human task",
                failed,
                f"{reaction.compensates} stays in effect: its compensation failed ({why})",
            )
            return
        if reaction.kind == RETRIABLE:
            self.violate(
                RETRIABLE_CAN_FAIL,
                reaction.pointer,
                reaction.label,
                f"retriable reaction '{reaction.label}' can fail for good "
                f"({joined(reaction.fails_with)}) and {why}",
                "a retriable step must succeed when retried: drop the failure event, retry "
                "without limit, or `escalate_to` a human task",
                failed,
                f"{reaction.on} was handled but {reaction.service} failed for good",
            )
            return
        self.push(
            state._replace(
                emitted=state.emitted | set(reaction.fails_with),
                fired=fired,
                faults=state.faults + 1,
            ),
            failed,
        )

    def special(
        self, state: _State, reaction: Reaction, fired: frozenset[int], trace: tuple[str, ...]
    ) -> _State | None:
        """Cancel and timer semantics: None when the reaction's move is fully handled here,
        else the state (perhaps with the service now refusing) the ordinary move starts from."""
        saga = self.saga
        cancel = saga.cancel
        timer = next((t for t in saga.timers if t.event == reaction.on), None)
        if timer is not None and timer.service == reaction.service:
            if self.stopped(state, timer):
                # the owner stopped the timer before handling its expiry: the expiry is void
                ignored = f"{reaction.label}: ignored (timer stopped before it was handled)"
                self.push(state._replace(fired=fired), (*trace, ignored))
                return None
            # the owner records the expiry: its later forward work for this instance is refused
            state = state._replace(refusing=state.refusing | {reaction.service})
        if cancel is not None and reaction.on == cancel.on:
            # the service records the instance as cancelled; its later forward work is refused
            state = state._replace(refusing=state.refusing | {reaction.service})
            pivot = self.pivot_done(state)
            if pivot is not None and reaction.after_pivot:
                self.push(
                    state._replace(emitted=state.emitted | set(reaction.after_pivot), fired=fired),
                    (*trace, f"{reaction.label}: {joined(reaction.after_pivot)} (after the pivot)"),
                )
                return None
            if pivot is not None and pivot.service == reaction.service and not reaction.compensates:
                self.violate(
                    CANCEL_UNDEFINED,
                    reaction.pointer,
                    f"cancel after {pivot.label}",
                    f"{reaction.service} handles the cancel ({cancel.on}) after its pivot "
                    f"'{pivot.label}' as if nothing had happened: it emits "
                    f"{joined(reaction.emits)}, which compensates steps that can no longer be "
                    "undone",
                    f"give the reaction `after_pivot:` events (the forward action once "
                    f"{joined(pivot.emits)} happened: a fee, an early end)",
                    (*trace, f"{reaction.label}: {joined(reaction.emits)}"),
                    f"a cancel after {joined(pivot.emits)} (pivot) is treated as before it",
                )
                return None
        forward = (
            not reaction.compensates
            and timer is None
            and (cancel is None or reaction.on != cancel.on)
        )
        if forward and reaction.service in state.refusing:
            refused = (*trace, f"{reaction.label}: refused (instance recorded as cancelled)")
            self.push(
                state._replace(emitted=state.emitted | set(reaction.fails_with), fired=fired),
                refused,
            )
            return None
        effect = reaction.compensates
        if not effect:
            return state
        if effect not in state.emitted:
            if reaction.nothing_to_undo:
                self.push(
                    state._replace(
                        emitted=state.emitted | set(reaction.nothing_to_undo),
                        fired=fired,
                        refusing=state.refusing | {reaction.service},
                    ),
                    (
                        *trace,
                        f"{reaction.label}: {joined(reaction.nothing_to_undo)} (nothing to undo)",
                    ),
                )
                return None
            self.violate(
                COMPENSATION_WITHOUT_STEP,
                reaction.pointer,
                reaction.label,
                f"compensating reaction '{reaction.label}' can run on a path where {effect} "
                f"never happened: it undoes an effect that is not there, and {effect} may "
                "still come afterwards and stay in effect",
                f"give it `nothing_to_undo: EVENT` (it records the cancellation so a late "
                f"{effect} is refused), or trigger it only by events that follow {effect}",
                (*trace, f"{reaction.label}: {joined(reaction.emits)} ({effect} never happened)"),
                f"{effect} was not in effect when {reaction.service} undid it",
            )
            return None
        pivot = self.pivot_done(state)
        if pivot is not None and (state.cancelled or state.expired):
            cause = "an expired timer" if state.expired else "a cancel"
            self.violate(
                UNDO_AFTER_PIVOT,
                reaction.pointer,
                reaction.label,
                f"{cause} makes '{reaction.label}' undo {effect} after the pivot "
                f"'{pivot.label}' ({joined(pivot.emits)}) committed: the saga ends half done",
                "make the timer's owner stop it on an event that precedes the pivot, or make "
                "the pivot a reaction of the timer's owner (it then refuses after the expiry); "
                "after the pivot, a cancel is a forward action (`after_pivot`)",
                (*trace, f"{reaction.label}: {joined(reaction.emits)} (undoes {effect})"),
                f"{effect} undone although {joined(pivot.emits)} (pivot) cannot be",
            )
            return None
        return state

    def check_duplicate(self, reaction: Reaction, trace: tuple[str, ...]) -> None:
        level = self.idempotency.get((reaction.service, reaction.on))
        if level not in NOT_IDEMPOTENT_LEVELS:
            return
        shown = level or "not declared"
        effect = f"emits {joined(reaction.emits)} twice" if reaction.emits else "acts twice"
        self.violate(
            NOT_IDEMPOTENT,
            reaction.pointer,
            f"{reaction.service} handles {reaction.on}",
            f"{reaction.service} is not idempotent (idempotency: {shown}) but reacts to "
            f"{reaction.on}, and brokers redeliver",
            f"set `idempotency` of service {reaction.service} (or of its consumer entry on "
            f"{reaction.on}) to inbox, dedupe-key or natural",
            (
                *trace,
                f"{reaction.label}: {joined(reaction.emits) if reaction.emits else 'done'}",
                f"{reaction.on} delivered again to {reaction.service}",
            ),
            f"{reaction.service} handles {reaction.on} twice and {effect}",
        )

    def finish(self, state: _State, trace: tuple[str, ...]) -> None:
        saga = self.saga
        completed = [e for e in saga.completed if e in state.emitted]
        compensated = [e for e in (*saga.compensated, *_cancel_outcome(saga)) if e in state.emitted]
        if completed and compensated:
            self.violate(
                NON_TERMINAL,
                saga.pointer,
                "completed and compensated",
                f"a path of saga '{saga.name}' ends both completed ({joined(completed)}) and "
                f"compensated ({joined(compensated)})",
                "a failure must stop the forward path: react to it with compensations only",
                trace,
                f"both {joined(completed)} and {joined(compensated)} were emitted",
            )
            return
        if compensated:
            left = sorted(e for e in state.effects if e not in state.undone)
            for event in left:
                emitter = next((r for r in saga.reactions if event in r.emits), None)
                self.violate(
                    MISSING_COMPENSATION,
                    emitter.pointer if emitter is not None else saga.pointer,
                    event,
                    f"saga '{saga.name}' can end compensated ({joined(compensated)}) while "
                    f"{event} stays in effect: no reaction on this path undoes it",
                    f"add a reaction with `compensates: {event}` to the failure events that "
                    "follow it",
                    trace,
                    f"{event} stays in effect (no compensation)",
                )
            self.reach("compensated" if not left else "violation")
            return
        if completed:
            self.reach("completed")
            return
        dangling = sorted(
            e for e in state.emitted if e not in self.handled and e != saga.trigger
        ) or sorted(state.emitted - {saga.trigger})
        self.violate(
            NON_TERMINAL,
            saga.pointer,
            "non-terminal: " + joined(dangling),
            f"a path of saga '{saga.name}' stops after {joined(dangling)}: no reaction "
            f"follows, and it is neither completed ({joined(saga.completed)}) nor "
            f"compensated ({joined(saga.compensated)})",
            "add reactions to the failure event (compensations and an outcome event), or "
            "list the event in `completed` or `compensated`",
            trace,
            f"nobody reacts to {joined(dangling)}; the saga is neither completed nor compensated",
        )


def reaction_cycles(saga: ChoreographedSaga) -> list[tuple[Reaction, ...]]:
    """One cycle per group of reactions that trigger each other in a loop."""
    following: dict[int, list[Reaction]] = {}
    for reaction in saga.reactions:
        out = set(outputs(reaction))
        following[reaction.number] = [r for r in saga.reactions if r.on in out]
    cycles: list[tuple[Reaction, ...]] = []
    in_cycle: set[int] = set()
    state: dict[int, int] = {}  # 1 on the stack, 2 finished
    for root in saga.reactions:
        if state.get(root.number):
            continue
        stack: list[tuple[Reaction, int]] = [(root, 0)]
        path: list[Reaction] = [root]
        state[root.number] = 1
        while stack:
            node, index = stack[-1]
            successors = following[node.number]
            if index < len(successors):
                stack[-1] = (node, index + 1)
                nxt = successors[index]
                if state.get(nxt.number) == 1:
                    loop = tuple(path[path.index(nxt) :])
                    if not in_cycle & {r.number for r in loop}:
                        cycles.append(loop)
                        in_cycle |= {r.number for r in loop}
                elif not state.get(nxt.number):
                    state[nxt.number] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node.number] = 2
                stack.pop()
                path.pop()
    return cycles


def structural_violations(saga: ChoreographedSaga, fired: set[int]) -> list[Violation]:
    """Cycles, unreachable reactions, and pivot placement."""
    found = []
    for loop in reaction_cycles(saga):
        lines = [f"{r.label}: {joined(tuple(r.emits) + tuple(r.fails_with))}" for r in loop]
        first = loop[0]
        found.append(
            Violation(
                CYCLE,
                first.pointer,
                " -> ".join(r.label for r in loop),
                f"reactions of saga '{saga.name}' form a loop: "
                + " -> ".join(r.label for r in loop),
                "break the loop: a reaction must not (even indirectly) re-trigger itself; give "
                "the last event of the chain a different name or drop the reaction",
                numbered((*lines, f"end: {first.on} triggers {first.label} again (loop)")),
            )
        )
    emitters = emittable(saga)
    for reaction in saga.reactions:
        if reaction.number in fired or reaction.on not in emitters:
            continue  # events nobody emits at all are reported as events without a producer
        producers = [r.label for r in saga.reactions if reaction.on in outputs(r)]
        found.append(
            Violation(
                UNREACHABLE,
                reaction.pointer,
                reaction.label,
                f"reaction '{reaction.label}' never runs: no explored path of saga "
                f"'{saga.name}' emits {reaction.on}",
                "check the reactions that emit it; drop the reaction if it is not needed",
                numbered(
                    (
                        f"{reaction.on} is emitted only by: {joined(producers)}",
                        f"end: none of them runs on any path from {saga.trigger}",
                    )
                ),
            )
        )
    pivots = [r for r in saga.reactions if r.kind == PIVOT]
    for extra in pivots[1:]:
        found.append(
            Violation(
                MISPLACED_PIVOT,
                extra.pointer,
                extra.label,
                f"saga '{saga.name}' has more than one pivot: '{pivots[0].label}' and "
                f"'{extra.label}'",
                "a saga has one pivot (the go/no-go step); make the others compensatable "
                "(before it) or retriable (after it)",
                numbered(
                    (
                        f"{pivots[0].label}: {joined(pivots[0].emits)} (pivot)",
                        f"{extra.label}: {joined(extra.fails_with) or 'fails'}",
                        f"end: {joined(pivots[0].emits)} cannot be undone",
                    )
                ),
            )
        )
    for pivot in pivots[:1]:
        for reaction, chain in _downstream(saga, pivot):
            if reaction.kind != COMPENSATABLE and not (reaction.fails_with and not reaction.kind):
                continue
            if reaction.compensates:
                continue
            found.append(
                Violation(
                    MISPLACED_PIVOT,
                    reaction.pointer,
                    reaction.label,
                    f"reaction '{reaction.label}' follows the pivot '{pivot.label}' but can "
                    "fail or needs compensation; after the pivot every step must be retriable",
                    "move it before the pivot, or make it retriable (no failure event)",
                    numbered(
                        (
                            *(f"{r.label}: {joined(r.emits)}" for r in chain),
                            f"{reaction.label}: {joined(reaction.fails_with) or 'fails'}",
                            f"end: {joined(pivot.emits)} (pivot) cannot be undone",
                        )
                    ),
                )
            )
    return found


def _downstream(
    saga: ChoreographedSaga, pivot: Reaction
) -> list[tuple[Reaction, tuple[Reaction, ...]]]:
    """Reactions reachable from a pivot's success events, each with the chain leading there."""
    found = []
    seen = {pivot.number}
    queue: deque[tuple[Reaction, tuple[Reaction, ...]]] = deque([(pivot, (pivot,))])
    while queue:
        node, chain = queue.popleft()
        for reaction in saga.reactions:
            if reaction.number in seen or reaction.on not in node.emits:
                continue
            seen.add(reaction.number)
            found.append((reaction, chain))
            queue.append((reaction, (*chain, reaction)))
    return found


def explore(
    saga: ChoreographedSaga,
    idempotency: Mapping[tuple[str, str], str | None],
    trigger_line: str,
    *,
    max_faults: int = 2,
    max_states: int = 50_000,
) -> Exploration:
    """Every failure path of a choreographed saga, up to `max_faults` failures per path."""
    return _Explorer(saga, idempotency, trigger_line, max_faults, max_states).run()
