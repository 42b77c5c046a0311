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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .model import COMPENSATABLE, PIVOT, RETRIABLE, ChoreographedSaga, Reaction
from .violations import (
    COMPENSATION_CAN_FAIL,
    CYCLE,
    MISPLACED_PIVOT,
    MISSING_COMPENSATION,
    NON_TERMINAL,
    NOT_IDEMPOTENT,
    NOT_IDEMPOTENT_LEVELS,
    RETRIABLE_CAN_FAIL,
    UNREACHABLE,
    BreadthFirstSearch,
    Violation,
    joined,
    numbered,
)


@dataclass(frozen=True)
class _State:
    emitted: frozenset[str]
    fired: frozenset[int]
    undone: frozenset[str]
    effects: frozenset[str]  # events whose effect must be undone if the saga compensates
    faults: int


@dataclass
class Exploration:
    violations: list[Violation]
    states: int
    bounded: bool
    outcomes: set[str]
    fired: set[int]


def effects_of(saga: ChoreographedSaga, reaction: Reaction) -> frozenset[str]:
    """Events a reaction's success leaves in effect, to be undone if the saga compensates.

    Reactions are compensatable unless declared pivot or retriable, or they are compensations
    themselves; outcome events (completed, compensated) are not effects.
    """
    if reaction.compensates or reaction.kind in (PIVOT, RETRIABLE):
        return frozenset()
    outcomes = set(saga.completed) | set(saga.compensated)
    return frozenset(e for e in reaction.emits if e not in outcomes)


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

    def violate(
        self,
        rule: str,
        pointer: str,
        subject: str,
        message: str,
        hint: str,
        trace: tuple[str, ...],
        end: str,
    ) -> None:
        self.record(
            Violation(rule, pointer, subject, message, hint, numbered((*trace, f"end: {end}")))
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
            reaction = next_reaction(self.saga, state.emitted, state.fired)
            if reaction is None:
                self.finish(state, trace)
            else:
                self.react(state, reaction, trace)
        return Exploration(
            list(self.violations.values()), len(self.seen), bounded, self.outcomes, self.fired
        )

    def react(self, state: _State, reaction: Reaction, trace: tuple[str, ...]) -> None:
        self.fired.add(reaction.number)
        fired = state.fired | {reaction.number}
        emits = joined(reaction.emits) if reaction.emits else "done"
        success = (*trace, f"{reaction.label}: {emits}")
        undone = state.undone
        if reaction.compensates:
            undone = undone | {reaction.compensates}
        effects = state.effects | effects_of(self.saga, reaction)
        self.push(
            _State(state.emitted | set(reaction.emits), fired, undone, effects, state.faults),
            success,
        )
        self.check_duplicate(reaction, trace)
        if not reaction.fails_with or state.faults >= self.max_faults:
            return
        # `fails_with` is a business failure: retries do not change it, escalation handles it
        retry = reaction.retry
        if retry is not None and retry.escalate_to:
            self.outcomes.add("escalated")
            return
        failed = (*trace, f"{reaction.label}: {joined(reaction.fails_with)} (fails)")
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
            _State(
                state.emitted | set(reaction.fails_with),
                fired,
                state.undone,
                state.effects,
                state.faults + 1,
            ),
            failed,
        )

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
        compensated = [e for e in saga.compensated if e in state.emitted]
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
            self.outcomes.add("compensated" if not left else "violation")
            return
        if completed:
            self.outcomes.add("completed")
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
        out = set(reaction.emits) | set(reaction.fails_with)
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
    emitters = {e for r in saga.reactions for e in (*r.emits, *r.fails_with)} | {saga.trigger}
    for reaction in saga.reactions:
        if reaction.number in fired or reaction.on not in emitters:
            continue  # events nobody emits at all are reported as events without a producer
        producers = [r.label for r in saga.reactions if reaction.on in (*r.emits, *r.fails_with)]
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
