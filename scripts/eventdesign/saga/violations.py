"""What the explorers report: a violated property with its counterexample trace."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

# What the analysis reports, by code; `rules/sagas.py` declares the rule each code feeds.
UNDECLARED = "UNDECLARED"
NO_PRODUCER = "NO_PRODUCER"
TOPOLOGY = "TOPOLOGY"
UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
MISSING_COMPENSATION = "MISSING_COMPENSATION"
MISPLACED_PIVOT = "MISPLACED_PIVOT"
RETRIABLE_CAN_FAIL = "RETRIABLE_CAN_FAIL"
COMPENSATION_CAN_FAIL = "COMPENSATION_CAN_FAIL"
NO_TIMEOUT = "NO_TIMEOUT"
NOT_IDEMPOTENT = "NOT_IDEMPOTENT"
NON_TERMINAL = "NON_TERMINAL"
PIVOT_TIMEOUT_COMPENSATED = "PIVOT_TIMEOUT_COMPENSATED"
COMPENSATION_REPEATS_STEP = "COMPENSATION_REPEATS_STEP"
UNREACHABLE = "UNREACHABLE"
CYCLE = "CYCLE"
BOUNDED = "BOUNDED"
CORRELATION_MISSING = "CORRELATION_MISSING"
KEY_MISMATCH = "KEY_MISMATCH"
OVERTAKES = "OVERTAKES"
COMPENSATION_WITHOUT_STEP = "COMPENSATION_WITHOUT_STEP"
UNDO_AFTER_PIVOT = "UNDO_AFTER_PIVOT"
CANCEL_UNDEFINED = "CANCEL_UNDEFINED"
ESCALATION_NEVER_FIRES = "ESCALATION_NEVER_FIRES"

NOT_IDEMPOTENT_LEVELS = (None, "none")


@dataclass(frozen=True)
class Violation:
    """A property a saga breaks: where, what, how to fix, and a path that shows it."""

    code: str
    pointer: str
    subject: str
    message: str
    hint: str = ""
    trace: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.subject)


def numbered(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Trace lines numbered from 1, as `1. orders -> inventory: ReserveStock`."""
    return tuple(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def joined(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(names) if names else "(none)"


class BreadthFirstSearch:
    """Bookkeeping both explorers share: states seen, the queue, and the violations found.

    States are explored breadth first, so the first trace kept for a violation is a shortest.
    """

    def __init__(self) -> None:
        self.violations: dict[tuple[str, str], Violation] = {}
        self.outcomes: set[str] = set()
        self.paths = 0  # path ends reached, whatever the outcome
        self.cancel_points = 0  # states where a cancel request was let in
        self.timer_races = 0  # states where a timer was let expire
        self.seen: set[Any] = set()
        self.queue: deque[tuple[Any, tuple[str, ...]]] = deque()

    def push(self, state: Any, trace: tuple[str, ...]) -> None:
        if state not in self.seen:
            self.seen.add(state)
            self.queue.append((state, trace))

    def record(self, violation: Violation) -> None:
        self.violations.setdefault(violation.key, violation)
        self.reach("violation")

    def reach(self, outcome: str) -> None:
        """A path ends with `outcome` (completed, compensated, cancelled, escalated, ...)."""
        self.outcomes.add(outcome)
        self.paths += 1


@dataclass(frozen=True)
class Coverage:
    """What exploring one saga covered, so a clean result says what it means."""

    saga: str
    style: str
    stages: int  # orchestration: stages; choreography: reactions
    states: int
    paths: int
    max_faults: int
    cancel_points: int
    timer_races: int
    outcomes: tuple[str, ...]
    complete: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "saga": self.saga,
            "style": self.style,
            "stages": self.stages,
            "states": self.states,
            "paths": self.paths,
            "faults_per_path": self.max_faults,
            "cancel_points": self.cancel_points,
            "timer_races": self.timer_races,
            "outcomes": list(self.outcomes),
            "complete": self.complete,
        }

    def describe(self) -> str:
        extent = "complete" if self.complete else "INCOMPLETE (state bound reached)"
        unit = "stages" if self.style == "orchestration" else "reactions"
        return (
            f"saga {self.saga}: {self.stages} {unit}, {self.states} states, {self.paths} path "
            f"ends, up to {self.max_faults} faults per path, {self.cancel_points} cancel "
            f"points, {self.timer_races} timer races; outcomes: "
            f"{', '.join(self.outcomes) or 'none'}; exploration {extent}"
        )
