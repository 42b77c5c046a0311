"""What the explorers report: a violated property with its counterexample trace."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

# Rule IDs; their metadata lives in `rules/sagas.py`.
UNDECLARED = "SAG001"
NO_PRODUCER = "SAG002"
TOPOLOGY = "SAG003"
UNKNOWN_SERVICE = "SAG004"
MISSING_COMPENSATION = "SAG010"
MISPLACED_PIVOT = "SAG011"
RETRIABLE_CAN_FAIL = "SAG012"
COMPENSATION_CAN_FAIL = "SAG013"
NO_TIMEOUT = "SAG014"
NOT_IDEMPOTENT = "SAG015"
NON_TERMINAL = "SAG016"
PIVOT_TIMEOUT_COMPENSATED = "SAG017"
COMPENSATION_REPEATS_STEP = "SAG018"
UNREACHABLE = "SAG020"
CYCLE = "SAG021"
BOUNDED = "SAG022"

NOT_IDEMPOTENT_LEVELS = (None, "none")


@dataclass(frozen=True)
class Violation:
    """A property a saga breaks: where, what, how to fix, and a path that shows it."""

    rule: str
    pointer: str
    subject: str
    message: str
    hint: str = ""
    trace: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)


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
        self.seen: set[Any] = set()
        self.queue: deque[tuple[Any, tuple[str, ...]]] = deque()

    def push(self, state: Any, trace: tuple[str, ...]) -> None:
        if state not in self.seen:
            self.seen.add(state)
            self.queue.append((state, trace))

    def record(self, violation: Violation) -> None:
        self.violations.setdefault(violation.key, violation)
        self.outcomes.add("violation")
